"""Thin Celery wrappers for organizer work; ids only."""

from celery import shared_task

from groups.organizer import services


@shared_task(name="groups.organizer.queue_verification_reminders")
def queue_verification_reminders() -> int:
    return services.verification_reminders_queue()


@shared_task(
    name="groups.organizer.send_verification_reminder",
    autoretry_for=(OSError,),
    retry_backoff=60,
    max_retries=5,
)
def send_verification_reminder(reminder_id: int) -> bool:
    return services.verification_reminder_send(reminder_id=reminder_id)
