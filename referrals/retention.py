"""Retention: erase the personal fields of referrals closed longer than the period.

The referral row stays with its group, agency, dates, status and outcome (the
report still counts it), and every audit row stays. Running twice is the same
as once: a referral is picked only while `purged_at` is empty, and claimed with
a conditional update.
"""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from referrals.audit import audit_record
from referrals.models import AuditEvent, Consent, Outbox, Referral, Status, StatusChange


def referrals_purge_expired(*, now: dt.datetime | None = None) -> int:
    """Returns how many referrals were erased by this run."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.KINDRED_REFERRAL_RETENTION_DAYS)
    due = Referral.objects.filter(
        status=Status.CLOSED, closed_at__lte=cutoff, purged_at__isnull=True
    ).values_list("pk", flat=True)
    purged = 0
    for pk in list(due):
        with transaction.atomic():
            claimed = Referral.objects.filter(pk=pk, purged_at__isnull=True).update(
                client_name="",
                contact_value="",
                preferred_language="",
                notes="",
                link_token_hash="",
                link_expires_at=None,
                purged_at=now,
            )
            if not claimed:
                continue
            Consent.objects.filter(referral_id=pk).update(signature="")
            StatusChange.objects.filter(referral_id=pk).update(reason="")
            Outbox.objects.filter(referral_id=pk, state=Outbox.State.PENDING).update(
                state=Outbox.State.CANCELLED
            )
            audit_record(
                action=AuditEvent.Action.PURGE,
                referral=Referral(pk=pk),
                actor_label="system",
                detail=f"retention {settings.KINDRED_REFERRAL_RETENTION_DAYS} days",
            )
            purged += 1
    return purged
