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

from groups.models import Group, Occurrence, Reminder
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


def reminders_release(*, reminder_ids: list[int], claim_token: str) -> int:
    """Give claimed rows back at once (the batch could not be queued)."""
    mine = Reminder.objects.filter(pk__in=reminder_ids, claim_token=claim_token, state=S.CLAIMED)
    return mine.update(state=S.PENDING, claim_token="", lease_expires_at=None)


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
            reminders_release(reminder_ids=ids, claim_token=token)
            log.warning("reminder batch not queued (%s); left for beat", exc.__class__.__name__)
            break
        handed += len(ids)
    return handed


CHUNK = 25


def reminders_send_batch(
    *, reminder_ids: list[int], claim_token: str, now: datetime | None = None
) -> dict[str, int]:
    """Send every row of one claimed batch that this claim still owns.

    Groups, places and schedules are loaded once per batch. Every CHUNK
    rows the lease is renewed and the rows are read again with their
    subscription and meeting as they are now, so an unsubscribe or a
    cancellation is seen at send time, not at claim time.
    """
    counts = {"sent": 0, "skipped": 0, "retry": 0, "failed": 0}
    mine = Reminder.objects.filter(pk__in=reminder_ids, claim_token=claim_token, state=S.CLAIMED)
    refs = list(mine.values_list("pk", "occurrence_id", "subscription__group_id"))
    ids = sorted(pk for pk, _, _ in refs)
    # A batch usually concerns a few meetings: load each meeting and group once.
    context = {
        "meetings": Occurrence.objects.select_related("group__location", "schedule").in_bulk(
            {occurrence_id for _, occurrence_id, _ in refs if occurrence_id}
        ),
        "groups": Group.objects.select_related("location").in_bulk({g for _, _, g in refs}),
    }
    composer = Composer()
    mail = get_connection(fail_silently=False)
    _commit_mode(asynchronous=True)
    try:
        for start in range(0, len(ids), CHUNK):
            for row in _renew_and_reread(ids[start : start + CHUNK], claim_token, context, now):
                counts[_send_one(row, claim_token, composer, mail, now)] += 1
    finally:
        _commit_mode(asynchronous=False)
        mail.close()
    counts["skipped"] += len(ids) - sum(counts.values())  # reclaimed or deleted meanwhile
    return counts


def _commit_mode(*, asynchronous: bool) -> None:
    """PostgreSQL: during a batch, commits return without waiting for the disk flush.

    One flush per "sent" mark was the bottleneck (about 10 ms each here). A
    worker killed at any point loses nothing (the server has the commit); only
    a crash of the database server itself can forget the last fraction of a
    second of marks, and those reminders are then sent again: a duplicate,
    never a loss. REMINDERS_ASYNC_COMMIT=false keeps every commit synchronous.
    """
    if connection.vendor != "postgresql" or not settings.REMINDERS_ASYNC_COMMIT:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SET synchronous_commit TO OFF" if asynchronous else "SET synchronous_commit TO DEFAULT"
        )


def _renew_and_reread(ids, claim_token, context, now) -> list[Reminder]:
    """Extend the lease of rows still ours and read them fresh (one UPDATE, one SELECT).

    Nobody can reclaim a row before its lease ends, and each send starts with
    a whole lease ahead of it, so two workers never send one row at once.
    """
    mine = Reminder.objects.filter(pk__in=ids, claim_token=claim_token, state=S.CLAIMED)
    mine.update(lease_expires_at=_lease_end(now or timezone.now()))
    fresh = list(mine.select_related("subscription", "occurrence").only(*FRESH).order_by("pk"))
    for row in fresh:
        if row.occurrence is not None:
            known = context["meetings"][row.occurrence_id]
            row.occurrence.group, row.occurrence.schedule = known.group, known.schedule
        row.subscription.group = context["groups"][row.subscription.group_id]
    return fresh


# What the send path reads of a row, its subscription and its meeting, fresh.
FRESH = (
    "kind",
    "attempts",
    "email_sent_at",
    "sms_sent_at",
    "occurrence",
    "subscription",
    "subscription__email",
    "subscription__phone",
    "subscription__token",
    "subscription__language",
    "subscription__meetings",
    "subscription__timing",
    "subscription__confirmed_at",
    "subscription__expires_at",
    "subscription__group",
    "occurrence__status",
    "occurrence__starts_at",
    "occurrence__ends_at",
    "occurrence__original_starts_at",
    "occurrence__changed_at",
    "occurrence__note",
    "occurrence__group",
    "occurrence__schedule",
)


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


def _send_one(
    row: Reminder, claim_token: str, composer: Composer, mail, fixed_now: datetime | None
) -> str:
    """Send on each channel not yet done; the UPDATE that records the provider's
    acceptance is its own transaction and also marks the row sent (last channel)."""
    while True:
        now = fixed_now or timezone.now()
        try:
            reason = _skip_reason(row, now)
            channels = _channels(row) if not reason else []
            if not channels:  # e.g. a number only, and SMS since switched off
                _finish(row, claim_token, S.SKIPPED, reason or "no channel to send on")
                return "skipped"
            if channels[0] == "email":
                if mail.send_messages([composer.email(row)]) != 1:
                    raise PermanentFailure("email not accepted")
                changes = {"email_sent_at": now}
            else:
                changes = {"sms_message_id": composer.send_sms(row)[:100], "sms_sent_at": now}
            last = len(channels) == 1
            if last:
                changes.update(state=S.SENT, sent_at=now, lease_expires_at=None)
            if _mark(row.pk, claim_token, changes) != 1:
                log.warning("reminder %s: claim lost after the provider accepted it", row.pk)
                return "skipped"
            if last:
                return "sent"
            for field, value in changes.items():
                setattr(row, field, value)
        except Exception as exc:
            if not _is_expected(exc):
                log.exception("reminder %s: unexpected error while sending", row.pk)
            return _record_failure(row, claim_token, exc, fixed_now or timezone.now())


def _is_expected(exc: Exception) -> bool:
    import smtplib

    return isinstance(exc, SMSError | smtplib.SMTPException | OSError | PermanentFailure)


def _mark(pk: int, claim_token: str, changes: dict) -> int:
    """The conditional UPDATE that records a send: only if the claim is still ours.

    Hand-written SQL because it runs once per message (the ORM's query building
    cost a third of the per-message time in the benchmark).
    """
    table = connection.ops.quote_name(Reminder._meta.db_table)
    columns = ", ".join(f"{connection.ops.quote_name(name)} = %s" for name in changes)
    sql = (
        f"UPDATE {table} SET {columns}, updated_at = %s "  # noqa: S608 - names from the model
        "WHERE id = %s AND claim_token = %s AND state = %s"
    )
    adapt = connection.ops.adapt_datetimefield_value
    values = [adapt(v) if isinstance(v, datetime) else v for v in changes.values()]
    params = [*values, adapt(timezone.now()), pk, claim_token, S.CLAIMED.value]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _finish(row: Reminder, claim_token: str, state: str, reason: str) -> None:
    Reminder.objects.filter(pk=row.pk, claim_token=claim_token, state=S.CLAIMED).update(
        state=state, last_error=reason[:200], lease_expires_at=None
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
