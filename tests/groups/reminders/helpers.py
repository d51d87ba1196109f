"""Run the send pipeline in-process, as a worker would, without Celery."""

from groups.reminders.dispatch import reminders_claim_batch, reminders_send_batch


def send_due(now=None) -> dict:
    """Claim and send every due row, batch by batch; returns the summed outcome counts."""
    totals = {"sent": 0, "skipped": 0, "retry": 0, "failed": 0}
    while True:
        token, ids = reminders_claim_batch(now=now)
        if not ids:
            return totals
        for key, value in reminders_send_batch(
            reminder_ids=ids, claim_token=token, now=now
        ).items():
            totals[key] += value
