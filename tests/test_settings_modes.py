"""What the settings become with nothing set, and with PostgreSQL and Redis configured."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRINT_SETTINGS = """
import json, django
django.setup()
from django.conf import settings
from config.celery import app
db = settings.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"], "conn_max_age": db.get("CONN_MAX_AGE"),
    "health_checks": db.get("CONN_HEALTH_CHECKS"), "options": str(db.get("OPTIONS")),
    "cache": settings.CACHES["default"]["BACKEND"], "eager": app.conf.task_always_eager,
    "broker": app.conf.broker_url, "serializer": app.conf.task_serializer,
    "accept": list(app.conf.accept_content), "acks_late": app.conf.task_acks_late,
    "reject_on_lost": app.conf.task_reject_on_worker_lost,
    "prefetch": app.conf.worker_prefetch_multiplier,
    "email": settings.EMAIL_BACKEND, "debug": settings.DEBUG,
    "beat": sorted(app.conf.beat_schedule),
}))
"""


def _settings(**env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "CELERY_")) and k not in ("DATABASE_URL", "REDIS_URL")
    }
    result = subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_nothing_set_means_sqlite_in_process_tasks_console_email_no_debug():
    s = _settings()
    assert s["engine"] == "django.db.backends.sqlite3"
    assert "journal_mode=WAL" in s["options"]
    assert s["cache"].endswith("LocMemCache")
    assert s["eager"] is True
    assert s["email"] == "django.core.mail.backends.console.EmailBackend"
    assert s["debug"] is False


def test_database_and_redis_urls_switch_to_postgres_and_redis():
    s = _settings(
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/kindred",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    assert s["engine"] == "django.db.backends.postgresql"
    assert s["conn_max_age"] == 600 and s["health_checks"] is True
    assert "jit=off" in s["options"] and "max_parallel_workers_per_gather=0" in s["options"]
    assert s["cache"].endswith("RedisCache")
    assert s["eager"] is False
    assert s["broker"] == "redis://127.0.0.1:6379/0"


def test_celery_is_json_only_and_reliable():
    s = _settings(REDIS_URL="redis://127.0.0.1:6379/0")
    assert s["serializer"] == "json" and s["accept"] == ["json"]
    assert s["acks_late"] is True and s["reject_on_lost"] is True
    assert s["prefetch"] == 1
    assert "refresh-occurrences" in s["beat"]
