"""Claiming due reminder rows and sending a claimed batch.

The beat job calls `reminders_dispatch_due` every minute: it claims due rows in
batches (`SELECT ... FOR UPDATE SKIP LOCKED` on PostgreSQL; a conditional UPDATE
that only matches still-unclaimed rows on SQLite) and queues one task per batch,
passing ids and the claim token only. A worker sends each row and marks it sent
in the transaction that records the provider's acceptance. A claim carries a
lease: rows of a worker killed mid-batch go back to the queue when it expires.
Two dispatchers at once (two beat processes by mistake) never claim one row twice.
"""

import logging
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from groups.models import Reminder
from groups.reminders.messages import Composer, PermanentFailure
from groups.sms import SMSError, sms_enabled

log = logging.getLogger("kindred.reminders")
S = Reminder.State


def _lease_end(now: datetime) -> datetime:
    return now + timedelta(seconds=settings.REMINDERS_LEASE_SECONDS)


def reminders_claim_batch(
    *, now: datetime | None = None, limit: int | None = None, only: Q | None = None
) -> tuple[str, list[int]]:
    """Claim up to `limit` due rows for one worker; returns (claim token, ids)."""
    now = now or timezone.now()
    limit = limit or settings.REMINDERS_BATCH_SIZE
    token = secrets.token_hex(16)
    due = Q(state=S.PENDING, due_at__lte=now)
    # A lease that ran out: the worker died. Counted as an attempt, so a message
    # that kills its worker every time ends up failed instead of looping.
    lapsed = Q(state=S.CLAIMED, lease_expires_at__lt=now)
    claimed: list[int] = []
    with transaction.atomic():
        for condition, extra in ((due, {}), (lapsed, {"attempts": F("attempts") + 1})):
            want = limit - len(claimed)
            if want <= 0:
                break
            rows = Reminder.objects.filter(condition)
            if only is not None:
                rows = rows.filter(only)
            rows = rows.order_by("due_at")
            update = {
                "state": S.CLAIMED,
                "claim_token": token,
                "lease_expires_at": _lease_end(now),
                **extra,
            }
            if connection.vendor == "postgresql":
                ids = list(
                    rows.select_for_update(skip_locked=True).values_list("pk", flat=True)[:want]
                )
                if ids:
                    Reminder.objects.filter(pk__in=ids).update(**update)
            else:
                # SQLite: the UPDATE re-checks the condition, so a row another
                # claimer took in between is not matched; then read back what we own.
                candidates = list(rows.values_list("pk", flat=True)[:want])
                changed = Reminder.objects.filter(condition, pk__in=candidates).update(**update)
                ids = (
                    list(
                        Reminder.objects.filter(pk__in=candidates, claim_token=token).values_list(
                            "pk", flat=True
                        )
                    )
                    if changed
                    else []
                )
            claimed += ids
    return token, claimed


def reminders_release(*, claim_token: str) -> int:
    """Give claimed rows back at once (the batch could not be queued)."""
    return Reminder.objects.filter(claim_token=claim_token, state=S.CLAIMED).update(
        state=S.PENDING, claim_token="", lease_expires_at=None
    )


def reminders_dispatch_due(
    *, now: datetime | None = None, only: Q | None = None, max_batches: int = 2000
) -> int:
    """Claim due rows batch by batch and queue each batch; returns rows handed out.

    If the broker cannot take a batch, that batch is released and dispatching
    stops: the rows wait in the database for the next run.
    """
    from groups.reminders.tasks import send_reminder_batch

    handed = 0
    for _ in range(max_batches):
        token, ids = reminders_claim_batch(now=now, only=only)
        if not ids:
            break
        try:
            # retry=False: with Redis down, fail in about a second, never hang a request.
            send_reminder_batch.apply_async(args=[ids, token], retry=False)
        except Exception as exc:
            reminders_release(claim_token=token)
            log.warning("reminder batch not queued (%s); left for beat", exc.__class__.__name__)
            break
        handed += len(ids)
    return handed


def reminders_send_batch(
    *, reminder_ids: list[int], claim_token: str, now: datetime | None = None
) -> dict[str, int]:
    """Send every row of one claimed batch that this claim still owns."""
    counts = {"sent": 0, "skipped": 0, "retry": 0, "failed": 0}
    mine = Reminder.objects.filter(pk__in=reminder_ids, claim_token=claim_token, state=S.CLAIMED)
    mine.update(lease_expires_at=_lease_end(now or timezone.now()))
    rows = list(
        mine.select_related(
            "subscription",
            "occurrence__group__location",
            "occurrence__schedule",
            "subscription__group",
        ).order_by("pk")
    )
    composer = Composer()
    mail = get_connection(fail_silently=False)
    try:
        for row in rows:
            outcome = _send_one(row, claim_token, composer, mail, now)
            counts[outcome] += 1
    finally:
        mail.close()
    return counts


def _skip_reason(row: Reminder, now: datetime) -> str:
    sub, occurrence = row.subscription, row.occurrence
    if row.kind == Reminder.Kind.CONFIRMATION:
        if sub.confirmed_at is not None:
            return "already confirmed"
        if sub.expires_at is not None and sub.expires_at <= now:
            return "request expired"
        return ""
    if sub.confirmed_at is None:
        return "not confirmed"
    if row.kind in (Reminder.Kind.DAY_BEFORE, Reminder.Kind.TWO_HOURS):
        if occurrence.status == occurrence.Status.CANCELLED:
            return "meeting cancelled"
        if occurrence.starts_at <= now:
            return "meeting already started"
    elif occurrence.ends_at <= now and occurrence.original_starts_at <= now:
        return "meeting over"
    return ""


def _channels(row: Reminder) -> list[str]:
    channels = []
    if row.subscription.email and row.email_sent_at is None:
        channels.append("email")
    if (
        row.subscription.phone
        and row.sms_sent_at is None
        and row.kind != Reminder.Kind.CONFIRMATION
        and sms_enabled()
    ):
        channels.append("sms")
    return channels


def _locked_row(row: Reminder, claim_token: str) -> Reminder | None:
    """Re-read the row, its subscription and meeting as they are now; lock it on PostgreSQL."""
    fresh = (
        Reminder.objects.select_for_update(of=("self",))
        .select_related("subscription", "occurrence")
        .filter(pk=row.pk, claim_token=claim_token, state=S.CLAIMED)
        .first()
    )
    if fresh is not None and fresh.occurrence is not None:
        # Group, place and schedule come from the batch's one big query.
        fresh.occurrence.group = row.occurrence.group
        fresh.occurrence.schedule = row.occurrence.schedule
    return fresh


def _send_one(
    row: Reminder, claim_token: str, composer: Composer, mail, fixed_now: datetime | None
) -> str:
    locking = connection.vendor == "postgresql"
    while True:
        now = fixed_now or timezone.now()
        try:
            # PostgreSQL: the row stays locked from the check through the send to
            # the commit, so a dispatcher whose lease check races us skips it.
            # SQLite: one writer at a time, so no long transaction; the final
            # conditional UPDATE (claim token still ours) is the guard instead.
            with transaction.atomic() if locking else _no_transaction():
                fresh = _locked_row(row, claim_token)
                if fresh is None:
                    return "skipped"  # reclaimed by another claim, or deleted (unsubscribed)
                reason = _skip_reason(fresh, now)
                channels = _channels(fresh) if not reason else []
                if not channels:
                    _finish(fresh, claim_token, S.SKIPPED if reason else S.SENT, reason, now)
                    return "skipped" if reason else "sent"
                channel = channels[0]
                if channel == "email":
                    message = composer.email(fresh)
                    if mail.send_messages([message]) != 1:
                        raise PermanentFailure("email not accepted")
                    changes = {"email_sent_at": now}
                else:
                    changes = {"sms_message_id": composer.send_sms(fresh)[:100], "sms_sent_at": now}
                if len(channels) == 1:
                    changes.update(state=S.SENT, sent_at=now, lease_expires_at=None)
                updated = Reminder.objects.filter(
                    pk=fresh.pk, claim_token=claim_token, state=S.CLAIMED
                ).update(**changes)
                if updated != 1:
                    log.warning("reminder %s: claim lost after the provider accepted it", fresh.pk)
                    return "skipped"
                if len(channels) == 1:
                    return "sent"
                row.email_sent_at = row.email_sent_at or changes.get("email_sent_at")
        except Exception as exc:
            if not _is_expected(exc):
                log.exception("reminder %s: unexpected error while sending", row.pk)
            return _record_failure(row, claim_token, exc, fixed_now or timezone.now())


class _no_transaction:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _is_expected(exc: Exception) -> bool:
    import smtplib

    return isinstance(exc, SMSError | smtplib.SMTPException | OSError | PermanentFailure)


def _finish(row: Reminder, claim_token: str, state: str, reason: str, now: datetime) -> None:
    Reminder.objects.filter(pk=row.pk, claim_token=claim_token, state=S.CLAIMED).update(
        state=state,
        last_error=reason[:200],
        sent_at=now if state == S.SENT else None,
        lease_expires_at=None,
    )


def _record_failure(row: Reminder, claim_token: str, exc: Exception, now: datetime) -> str:
    """Retry later with a doubling wait, or give up after REMINDERS_MAX_ATTEMPTS."""
    import smtplib

    attempts = row.attempts + 1
    permanent = isinstance(exc, PermanentFailure | smtplib.SMTPRecipientsRefused) or getattr(
        exc, "permanent", False
    )
    error = f"{exc.__class__.__name__}"[:200]
    if permanent or attempts >= settings.REMINDERS_MAX_ATTEMPTS:
        changes = {"state": S.FAILED}
        outcome = "failed"
        log.warning("reminder %s failed for good after %s attempts: %s", row.pk, attempts, error)
    else:
        wait = settings.REMINDERS_RETRY_SECONDS * 2 ** (attempts - 1)
        changes = {"state": S.PENDING, "due_at": now + timedelta(seconds=min(wait, 6 * 3600))}
        outcome = "retry"
    Reminder.objects.filter(pk=row.pk, claim_token=claim_token, state=S.CLAIMED).update(
        attempts=attempts,
        last_error=error,
        claim_token="" if outcome == "retry" else claim_token,
        lease_expires_at=None,
        **changes,
    )
    return outcome
