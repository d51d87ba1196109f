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
# Task modules inside groups/ sub-packages, which autodiscovery does not reach by itself.
app.autodiscover_tasks(["groups.organizer", "groups.moderation"])

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
    # Organizers whose listings have gone 90 days unconfirmed get one "still current?"
    # email. Weekly (Monday morning, US time) is often enough for a 90-day clock;
    # idempotent, so a second run in the same week emails nobody twice.
    "verification-reminders": {
        "task": "groups.organizer.queue_verification_reminders",
        "schedule": crontab(minute=0, hour=14, day_of_week="mon"),
    },
    # Referrals: a case worker hears about a referral with no update for
    # KINDRED_REFERRAL_FOLLOWUP_DAYS. Daily in the morning (UTC); once per quiet period.
    "referrals-followups": {
        "task": "referrals.send_followups",
        "schedule": crontab(hour=13, minute=15),
    },
    # Referrals: messages whose task never ran (broker down) are queued again.
    # Every 5 minutes; a row is claimed before sending, so a double queue sends once.
    "referrals-sweep-outbox": {
        "task": "referrals.sweep_outbox",
        "schedule": crontab(minute="*/5"),
    },
    # Referrals: erase personal fields of referrals closed longer than
    # KINDRED_REFERRAL_RETENTION_DAYS. Nightly; running twice is the same as once.
    "referrals-purge-expired": {
        "task": "referrals.purge_expired",
        "schedule": crontab(hour=3, minute=40),
    },
    # Partner feeds: every 5 minutes, queue an import (ids only) for each active
    # partner whose refresh interval has passed. Each partner's slot is claimed with a
    # conditional UPDATE, so a second beat or a late run queues nobody twice.
    "dispatch-partner-feeds": {
        "task": "feeds.dispatch_due_imports",
        "schedule": crontab(minute="*/5"),
    },
    # Safety net for meeting places whose after-commit geocoding task was lost
    # (broker restart): every hour, at most 200 places still pending. Idempotent:
    # a place leaves "pending" once tried.
    "geocode-pending-locations": {
        "task": "groups.geocode_pending_locations",
        "schedule": crontab(minute=37),
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
