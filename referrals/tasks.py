"""Thin Celery wrappers: ids in, domain functions do the work."""

from celery import shared_task

from referrals import messaging, retention


@shared_task(name="referrals.send_outbox_message")
def send_outbox_message(outbox_id: int) -> None:
    messaging.outbox_send(outbox_id=outbox_id)


@shared_task(name="referrals.send_followups")
def send_followups() -> None:
    messaging.referral_followups_send()


@shared_task(name="referrals.sweep_outbox")
def sweep_outbox() -> None:
    messaging.outbox_sweep()


@shared_task(name="referrals.purge_expired")
def purge_expired() -> None:
    retention.referrals_purge_expired()
