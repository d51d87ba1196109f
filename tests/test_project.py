"""Project-wide checks: settings modes, migrations, URLs, the page frame."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "DJANGO_SECRET_KEY": "k" * 20 + "-production-secret-for-tests-only-0123456789abcdef",
    "DJANGO_ALLOWED_HOSTS": "kindred.example.org",
    # Referrals: a Fernet key for client fields (production refuses to start without one).
    "KINDRED_FIELD_ENCRYPTION_KEYS": "tuu6mHuvVG9Qq3mJ5rLjgD4gyVOVNKTSMGvXCx0d0uU=",
}


def _run_manage(*args, env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("missing", "message"),
    [("DJANGO_SECRET_KEY", "DJANGO_SECRET_KEY"), ("DJANGO_ALLOWED_HOSTS", "DJANGO_ALLOWED_HOSTS")],
)
def test_production_refuses_to_start_without_secrets(missing, message):
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != missing}
    result = _run_manage("check", env=env)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_refuses_debug():
    result = _run_manage("check", env={**PRODUCTION_ENV, "DJANGO_DEBUG": "true"})
    assert result.returncode != 0
    assert "DJANGO_DEBUG" in result.stderr


def test_malformed_boolean_stops_startup_naming_the_variable():
    result = _run_manage("check", env={"DJANGO_DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DJANGO_DEBUG" in result.stderr


def test_check_deploy_passes_with_no_warnings_in_production():
    result = _run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_migrations_are_complete():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def _named_patterns(resolver, namespace=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _named_patterns(entry, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield namespace + entry.name, entry


SAMPLE_ARGS = {
    "int": 1,
    "str": "sample",
    "slug": "sample-slug",
    "uuid": "0" * 8 + "-0000-4000-8000-" + "0" * 12,
    "path": "a/b",
}


def test_every_url_name_reverses():
    names = list(_named_patterns(get_resolver()))
    assert len(names) > 5
    for name, pattern in names:
        converters = pattern.pattern.converters
        kwargs = {
            key: SAMPLE_ARGS.get(type(conv).__name__.replace("Converter", "").lower(), "x")
            for key, conv in converters.items()
        }
        if name.startswith("admin:"):
            continue  # Django's own admin routes are tested by Django
        assert reverse(name, kwargs=kwargs or None)
