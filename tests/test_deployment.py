"""The deployment files stay correct by reading them (no Docker engine runs here)."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_every_part_of_a_deployment_with_health_checks():
    services = _compose()["services"]
    assert {"web", "worker", "beat", "postgres", "redis", "migrate"} <= set(services)
    for name in ("web", "worker", "postgres", "redis"):
        assert "healthcheck" in services[name], name
    for name in ("web", "worker", "beat"):
        service = services[name]
        assert service["environment"]["DJANGO_ENV"] == "production"
        assert service["environment"]["DATABASE_URL"].startswith("postgres://")
        assert service["environment"]["REDIS_URL"].startswith("redis://")
        assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_compose_starts_the_real_programs():
    services = _compose()["services"]
    assert services["web"]["command"][0] == "gunicorn"
    assert services["worker"]["command"][:4] == ["celery", "-A", "config", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "config", "beat"]


def test_compose_gives_postgresql_a_cache_for_the_search_indexes():
    # The default 128MB let a million groups' search pages fall out (docs/search.md).
    command = _compose()["services"]["postgres"]["command"]
    assert command[0] == "postgres"
    setting = command[command.index("-c") + 1]
    assert re.fullmatch(r"shared_buffers=\$\{KINDRED_POSTGRES_SHARED_BUFFERS:-512MB\}", setting)
    listed = (ROOT / ".env.example").read_text()
    assert "\nKINDRED_POSTGRES_SHARED_BUFFERS=512MB\n" in listed


def _variables_read_by_settings() -> set[str]:
    names = set()
    for path in (ROOT / "config").glob("*.py"):
        names |= set(re.findall(r'env_\w+\(\s*"([A-Z][A-Z0-9_]+)"', path.read_text()))
    return names


def test_env_example_lists_every_variable_the_settings_read():
    listed = set(re.findall(r"^([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M))
    missing = _variables_read_by_settings() - listed
    assert not missing, f"add to .env.example with a comment: {sorted(missing)}"
