"""The Celery app and the whole beat schedule, in one place.

Tasks take ids, never model instances or personal data, and are queued only
after the transaction that created their work commits. Periodic jobs get their
correctness from the database (claimed rows, unique constraints), so running
one twice, or two beat processes by mistake, changes nothing.
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("kindred")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    # Keep the next eight weeks of meetings materialized, so "next meeting",
    # "this week" and reminders are plain indexed queries. Hourly so a new week
    # appears well before anyone searches for it; idempotent.
    "refresh-occurrences": {
        "task": "groups.refresh_all_occurrences",
        "schedule": crontab(minute=7),
    },
    # Safety net for meeting places whose after-commit geocoding task was lost
    # (broker restart): every hour, at most 200 places still pending. Idempotent:
    # a place leaves "pending" once tried.
    "geocode-pending-locations": {
        "task": "groups.geocode_pending_locations",
        "schedule": crontab(minute=37),
    },
}
