"""Thin Celery wrappers. Arguments are ids and random claim tokens only."""

from celery import shared_task

from groups.reminders import dispatch, services


@shared_task(name="reminders.dispatch_due", ignore_result=True)
def dispatch_due() -> int:
    return dispatch.reminders_dispatch_due()


@shared_task(name="reminders.send_batch", ignore_result=True)
def send_reminder_batch(reminder_ids: list[int], claim_token: str) -> dict:
    return dispatch.reminders_send_batch(reminder_ids=reminder_ids, claim_token=claim_token)


@shared_task(name="reminders.schedule", ignore_result=True)
def schedule_reminders() -> int:
    return services.reminders_schedule()


@shared_task(name="reminders.purge", ignore_result=True)
def purge_reminders() -> dict:
    return services.reminders_purge()
