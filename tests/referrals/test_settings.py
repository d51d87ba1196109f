"""Production refuses to start without real field-encryption keys."""

from tests.test_project import PRODUCTION_ENV, _run_manage


def test_production_refuses_to_start_without_field_keys():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "KINDRED_FIELD_ENCRYPTION_KEYS"}
    result = _run_manage("check", env=env)
    assert result.returncode != 0
    assert "KINDRED_FIELD_ENCRYPTION_KEYS" in result.stderr


def test_production_refuses_the_development_key():
    from config import settings

    env = {**PRODUCTION_ENV, "KINDRED_FIELD_ENCRYPTION_KEYS": settings._DEV_FIELD_KEY}
    result = _run_manage("check", env=env)
    assert result.returncode != 0
    assert "KINDRED_FIELD_ENCRYPTION_KEYS" in result.stderr


def test_production_starts_with_a_real_key():
    result = _run_manage("check", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr


def test_a_malformed_key_stops_the_check():
    result = _run_manage(
        "check", env={**PRODUCTION_ENV, "KINDRED_FIELD_ENCRYPTION_KEYS": "not-a-key"}
    )
    assert result.returncode != 0
    assert "referrals.E001" in result.stderr
