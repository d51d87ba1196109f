"""Thin Celery wrappers for moderation; ids only."""

from celery import shared_task

from groups.moderation import services


@shared_task(
    name="groups.moderation.send_decision_email",
    autoretry_for=(OSError,),
    retry_backoff=60,
    max_retries=5,
)
def send_decision_email(revision_id: int) -> None:
    services.decision_email_send(revision_id=revision_id)
