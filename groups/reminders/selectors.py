"""Reads for meeting reminders."""

from django.db.models import QuerySet
from django.utils import timezone

from groups.models import Occurrence, Reminder, ReminderSubscription


def subscription_by_token(*, token: str) -> ReminderSubscription | None:
    """The subscription a link belongs to, or None (unknown, deleted or expired)."""
    subscription = ReminderSubscription.objects.select_related("group").filter(token=token).first()
    if subscription is None:
        return None
    if not subscription.is_confirmed and subscription.expires_at <= timezone.now():
        return None
    return subscription


def upcoming_meetings(*, group_id: int, limit: int = 3) -> QuerySet[Occurrence]:
    return (
        Occurrence.objects.filter(group_id=group_id, starts_at__gt=timezone.now())
        .exclude(status=Occurrence.Status.CANCELLED)
        .select_related("schedule")
        .order_by("starts_at")[:limit]
    )


def occurrences_awaited(*, occurrences) -> set[int]:
    """The ids of those meetings someone has a reminder for (the day before or two
    hours before; such rows exist for the next REMINDERS_HORIZON_HOURS only)."""
    from groups.reminders.services import BEFORE_MEETING

    return set(
        Reminder.objects.filter(occurrence__in=occurrences, kind__in=BEFORE_MEETING).values_list(
            "occurrence_id", flat=True
        )
    )


def failed_reminders() -> QuerySet[Reminder]:
    """Messages that ran out of attempts, newest first, for moderators."""
    return (
        Reminder.objects.filter(state=Reminder.State.FAILED)
        .select_related("occurrence__group", "subscription__group")
        .order_by("-updated_at")
    )
