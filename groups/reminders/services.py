"""Writes for meeting reminders. Keyword-only, typed, named <entity>_<action>.

`subscription_create` is the entry point for the public "Remind me" form and for
case workers who set reminders up for a consenting client (`confirmed=True`).
"""

import logging
from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from groups.models import Group, Occurrence, Reminder, ReminderSubscription
from groups.reminders.addresses import address_key, normalize_email, normalize_phone
from groups.sms import sms_enabled

log = logging.getLogger("kindred.reminders")

OFFSETS = {
    Reminder.Kind.DAY_BEFORE: timedelta(hours=24),
    Reminder.Kind.TWO_HOURS: timedelta(hours=2),
}
BEFORE_MEETING = (Reminder.Kind.DAY_BEFORE, Reminder.Kind.TWO_HOURS)
NOTICES = (Reminder.Kind.CANCELLED, Reminder.Kind.MOVED)


class RateLimited(Exception):
    """Too many unconfirmed requests for one address."""


def subscription_create(
    *,
    group: Group,
    email: str | None = None,
    phone: str | None = None,
    meetings: str = ReminderSubscription.Meetings.ALL,
    timing: str = ReminderSubscription.Timing.DAY_BEFORE,
    language: str = "",
    confirmed: bool = False,
    created_by=None,
    now: datetime | None = None,
) -> ReminderSubscription:
    """Ask for reminders of `group`'s meetings.

    Unconfirmed (a resident): a confirmation email is queued and nothing else is
    sent until its link is followed; the request is deleted after
    REMINDERS_CONFIRM_HOURS. Confirmed (a case worker for a consenting client,
    `created_by` set): reminders start at once. Raises ValidationError for an
    unusable address, RateLimited when the address has too many open requests.
    """
    now = now or timezone.now()
    email = normalize_email(email or "")
    phone_number = ""
    if phone:
        if not sms_enabled():
            raise ValidationError(_("Text message reminders are not offered here."))
        phone_number = normalize_phone(phone)
        if phone_number is None:
            raise ValidationError(_("Enter a mobile number, for example 555 123 4567."))
    if not email and not phone_number:
        raise ValidationError(_("Give an email address or a mobile number."))
    if not confirmed and not email:
        raise ValidationError(_("An email address is needed to confirm the reminders."))
    key = address_key(email=email, phone=phone_number)
    open_requests = ReminderSubscription.objects.filter(
        address_key=key, confirmed_at__isnull=True, expires_at__gt=now
    ).count()
    if not confirmed and open_requests >= settings.REMINDERS_PENDING_PER_ADDRESS:
        raise RateLimited
    with transaction.atomic():
        subscription = ReminderSubscription.objects.create(
            group=group,
            email=email,
            phone=phone_number,
            address_key=key,
            meetings=meetings,
            timing=timing,
            language=language or settings.LANGUAGE_CODE,
            created_by=created_by,
            expires_at=None
            if confirmed
            else now + timedelta(hours=settings.REMINDERS_CONFIRM_HOURS),
        )
        if confirmed:
            subscription_confirm(subscription=subscription, now=now)
        else:
            reminder = Reminder.objects.create(
                subscription=subscription, kind=Reminder.Kind.CONFIRMATION, due_at=now
            )
            _send_soon(Q(pk=reminder.pk))
    return subscription


def subscription_confirm(
    *, subscription: ReminderSubscription, now: datetime | None = None
) -> ReminderSubscription:
    """Switch reminders on; an older subscription by the same person to the same group goes."""
    now = now or timezone.now()
    with transaction.atomic():
        ReminderSubscription.objects.filter(
            group_id=subscription.group_id, address_key=subscription.address_key
        ).exclude(pk=subscription.pk).delete()
        subscription.confirmed_at = now
        subscription.expires_at = None
        subscription.occurrence = _next_meeting(subscription, now)
        subscription.save(update_fields=["confirmed_at", "expires_at", "occurrence"])
        reminders_schedule(subscription_ids=[subscription.pk], now=now)
        _send_soon(
            Q(subscription_id=subscription.pk, state=Reminder.State.PENDING, due_at__lte=now)
        )
    return subscription


def subscription_update(
    *,
    subscription: ReminderSubscription,
    meetings: str,
    timing: str,
    now: datetime | None = None,
) -> ReminderSubscription:
    """Change which meetings and when; reminders not wanted any more are dropped."""
    now = now or timezone.now()
    with transaction.atomic():
        if meetings != subscription.meetings:
            subscription.occurrence = _next_meeting(subscription, now)
        subscription.meetings, subscription.timing = meetings, timing
        subscription.save(update_fields=["meetings", "timing", "occurrence"])
        unwanted = Reminder.objects.filter(
            subscription=subscription, state=Reminder.State.PENDING, kind__in=BEFORE_MEETING
        ).exclude(kind__in=subscription.offsets())
        if meetings == ReminderSubscription.Meetings.NEXT:
            unwanted = unwanted | Reminder.objects.filter(
                subscription=subscription, state=Reminder.State.PENDING, kind__in=BEFORE_MEETING
            ).exclude(occurrence_id=subscription.occurrence_id)
        unwanted.delete()
        reminders_schedule(subscription_ids=[subscription.pk], now=now)
    return subscription


def subscription_delete(*, subscription: ReminderSubscription) -> None:
    """Stop everything and forget the address: its reminder rows go with it."""
    subscription.delete()


def _next_meeting(subscription: ReminderSubscription, now: datetime) -> Occurrence | None:
    if subscription.meetings != ReminderSubscription.Meetings.NEXT:
        return None
    return (
        Occurrence.objects.filter(group_id=subscription.group_id, starts_at__gt=now)
        .exclude(status=Occurrence.Status.CANCELLED)
        .order_by("starts_at")
        .first()
    )


def reminders_schedule(
    *, now: datetime | None = None, subscription_ids: list[int] | None = None
) -> int:
    """Create the reminder rows due within the horizon; idempotent (unique constraint).

    A reminder whose time came before the person asked is not created: someone
    who signs up on the morning of a meeting gets no "tomorrow" message.
    """
    now = now or timezone.now()
    horizon = now + timedelta(hours=settings.REMINDERS_HORIZON_HOURS)
    subscriptions = ReminderSubscription.objects.confirmed()
    if subscription_ids is not None:
        subscriptions = subscriptions.filter(pk__in=subscription_ids)
    _pick_missing_next_meetings(subscriptions, now)
    meetings = defaultdict(list)
    upcoming = Occurrence.objects.filter(
        starts_at__gt=now,
        starts_at__lte=horizon,
        group_id__in=subscriptions.values("group_id"),
    ).exclude(status=Occurrence.Status.CANCELLED)
    for occurrence_id, group_id, starts_at in upcoming.values_list("pk", "group_id", "starts_at"):
        meetings[group_id].append((occurrence_id, starts_at))
    rows = []
    fields = ("pk", "group_id", "meetings", "occurrence_id", "timing", "confirmed_at")
    for sub_id, group_id, which, next_id, timing, confirmed_at in subscriptions.filter(
        group_id__in=list(meetings)
    ).values_list(*fields):
        kinds = BEFORE_MEETING if timing == ReminderSubscription.Timing.BOTH else (timing,)
        for occurrence_id, starts_at in meetings[group_id]:
            if which == ReminderSubscription.Meetings.NEXT and occurrence_id != next_id:
                continue
            for kind in kinds:
                due_at = starts_at - OFFSETS[kind]
                if due_at >= confirmed_at - timedelta(minutes=1):
                    rows.append(
                        Reminder(
                            subscription_id=sub_id,
                            occurrence_id=occurrence_id,
                            kind=kind,
                            due_at=due_at,
                        )
                    )
    Reminder.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
    return len(rows)


def _pick_missing_next_meetings(subscriptions, now: datetime) -> None:
    """A "next meeting only" subscription made before any meeting was known gets one now."""
    waiting = subscriptions.filter(
        meetings=ReminderSubscription.Meetings.NEXT, occurrence__isnull=True
    )
    for subscription in waiting:
        subscription.occurrence = _next_meeting(subscription, now)
        if subscription.occurrence is not None:
            subscription.save(update_fields=["occurrence"])


def reminders_occurrence_changed(*, occurrence_id: int, now: datetime | None = None) -> int:
    """A meeting was cancelled or moved: tell everyone with a reminder for it, at once.

    Reminders for a cancelled meeting are skipped (and checked again at send
    time); reminders for a moved meeting follow it to its new time. Returns the
    number of notices queued. Called by groups.notifications after the change commits.
    """
    now = now or timezone.now()
    with transaction.atomic():
        occurrence = Occurrence.objects.filter(pk=occurrence_id).first()
        if occurrence is None or occurrence.status == Occurrence.Status.SCHEDULED:
            return 0
        if occurrence.starts_at <= now and occurrence.original_starts_at <= now:
            return 0
        kind = (
            Reminder.Kind.CANCELLED
            if occurrence.status == Occurrence.Status.CANCELLED
            else Reminder.Kind.MOVED
        )
        _adjust_reminders(occurrence, now)
        audience = set(
            ReminderSubscription.objects.confirmed()
            .filter(group_id=occurrence.group_id)
            .filter(Q(meetings=ReminderSubscription.Meetings.ALL) | Q(occurrence=occurrence))
            .values_list("pk", flat=True)
        )
        audience |= set(
            Reminder.objects.filter(occurrence=occurrence, kind__in=BEFORE_MEETING).values_list(
                "subscription_id", flat=True
            )
        )
        told_before = Reminder.objects.filter(occurrence=occurrence, kind=kind)
        # Moved twice: the earlier notice row is sent again with the new time.
        told_before.exclude(state=Reminder.State.CLAIMED).update(
            state=Reminder.State.PENDING,
            due_at=now,
            attempts=0,
            claim_token="",
            email_sent_at=None,
            sms_sent_at=None,
            sent_at=None,
            last_error="",
        )
        known = set(told_before.values_list("subscription_id", flat=True))
        Reminder.objects.bulk_create(
            [
                Reminder(subscription_id=sub_id, occurrence=occurrence, kind=kind, due_at=now)
                for sub_id in audience - known
            ],
            batch_size=1000,
            ignore_conflicts=True,
        )
        _send_soon(Q(occurrence_id=occurrence.pk, kind=kind, state=Reminder.State.PENDING))
    return len(audience)


def _adjust_reminders(occurrence: Occurrence, now: datetime) -> None:
    rows = Reminder.objects.filter(occurrence=occurrence, kind__in=BEFORE_MEETING)
    if occurrence.status == Occurrence.Status.CANCELLED:
        rows.filter(state=Reminder.State.PENDING).update(
            state=Reminder.State.SKIPPED, last_error="meeting cancelled"
        )
        return
    for kind, offset in OFFSETS.items():
        due_at = occurrence.starts_at - offset
        of_kind = rows.filter(kind=kind)
        if due_at <= now:
            of_kind.filter(state=Reminder.State.PENDING).update(
                state=Reminder.State.SKIPPED, last_error="meeting moved, the time has passed"
            )
            continue
        of_kind.filter(state__in=[Reminder.State.PENDING, Reminder.State.SENT]).update(
            state=Reminder.State.PENDING,
            due_at=due_at,
            attempts=0,
            email_sent_at=None,
            sms_sent_at=None,
            sent_at=None,
        )


def reminders_purge(*, now: datetime | None = None) -> dict[str, int]:
    """Delete expired requests, finished "next meeting" subscriptions and old rows."""
    now = now or timezone.now()
    expired, _ = ReminderSubscription.objects.filter(
        confirmed_at__isnull=True, expires_at__lte=now
    ).delete()
    finished, _ = ReminderSubscription.objects.filter(
        meetings=ReminderSubscription.Meetings.NEXT,
        confirmed_at__isnull=False,
        occurrence__ends_at__lt=now - timedelta(hours=1),
    ).delete()
    old, _ = Reminder.objects.filter(
        state__in=[Reminder.State.SENT, Reminder.State.SKIPPED, Reminder.State.FAILED],
        updated_at__lt=now - timedelta(days=settings.REMINDERS_KEEP_DAYS),
    ).delete()
    return {"expired": expired, "finished": finished, "old_rows": old}


def reminder_retry(*, reminder: Reminder, now: datetime | None = None) -> None:
    """A moderator puts a failed message back in the queue with fresh attempts."""
    Reminder.objects.filter(pk=reminder.pk, state=Reminder.State.FAILED).update(
        state=Reminder.State.PENDING,
        due_at=now or timezone.now(),
        attempts=0,
        claim_token="",
        lease_expires_at=None,
    )


def _send_soon(condition: Q) -> None:
    """After commit, claim the matching due rows and hand them to a worker.

    If the broker is down the rows stay pending and the next beat run sends them.
    """
    from groups.reminders.dispatch import reminders_dispatch_due

    def dispatch():
        try:
            reminders_dispatch_due(only=condition, max_batches=50)
        except Exception as exc:  # the web tier never fails because of the queue
            log.warning("reminders not dispatched now (%s); beat will", exc.__class__.__name__)

    transaction.on_commit(dispatch)
