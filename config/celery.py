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
}

# --- Meeting reminders (groups/reminders/) ---------------------------------------------
from django.conf import settings  # noqa: E402

# groups/reminders/ is a package inside the groups app: name it for task discovery.
app.autodiscover_tasks(["groups.reminders"])

app.conf.beat_schedule.update(
    {
        # Every minute: claim reminder rows that are due (and rows whose worker died,
        # once their lease ran out) and hand them to workers in batches of ids. A
        # second beat process by mistake claims nothing twice (row claims).
        "reminders-dispatch-due": {
            "task": "reminders.dispatch_due",
            "schedule": settings.REMINDERS_DISPATCH_SECONDS,
        },
        # Every ten minutes: create the rows for reminders due within the next
        # REMINDERS_HORIZON_HOURS (48 h), so a "day before" row exists a day ahead;
        # idempotent through the (subscription, meeting, kind) unique constraint.
        "reminders-schedule": {
            "task": "reminders.schedule",
            "schedule": crontab(minute="*/10"),
        },
        # Hourly: delete requests not confirmed within 48 hours (with their
        # address), finished "next meeting only" subscriptions and old sent rows.
        "reminders-purge": {
            "task": "reminders.purge",
            "schedule": crontab(minute=23),
        },
    }
)
