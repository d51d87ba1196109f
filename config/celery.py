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
# Partner feed tasks live in a package of their own (groups/feeds/tasks.py).
app.autodiscover_tasks(["groups.feeds"])

app.conf.beat_schedule = {
    # Keep the next eight weeks of meetings materialized, so "next meeting",
    # "this week" and reminders are plain indexed queries. Hourly so a new week
    # appears well before anyone searches for it; idempotent.
    "refresh-occurrences": {
        "task": "groups.refresh_all_occurrences",
        "schedule": crontab(minute=7),
    },
    # Partner feeds: every 5 minutes, queue an import (ids only) for each active
    # partner whose refresh interval has passed. Each partner's slot is claimed with a
    # conditional UPDATE, so a second beat or a late run queues nobody twice.
    "dispatch-partner-feeds": {
        "task": "feeds.dispatch_due_imports",
        "schedule": crontab(minute="*/5"),
    },
}
