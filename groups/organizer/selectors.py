"""Reads for organizer pages. Keyword-only where it helps; prefetching in one place."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone

from accounts.models import Membership, Organization, User
from groups.models import Group, ListingChange, ListingRevision, Occurrence

ORGANIZER_ROLES = (Membership.Role.ORGANIZER, Membership.Role.ADMIN)
DASHBOARD_MEETINGS = 3


def organizer_organizations(*, user: User) -> QuerySet[Organization]:
    """Provider organizations in which the user may run listings."""
    if not user.is_authenticated or not user.is_active:
        return Organization.objects.none()
    return Organization.objects.filter(
        kind=Organization.Kind.PROVIDER,
        memberships__user=user,
        memberships__is_active=True,
        memberships__role__in=ORGANIZER_ROLES,
    ).distinct()


def organizer_groups(*, user: User) -> QuerySet[Group]:
    """Every listing the user may manage (the base of every ownership check)."""
    return Group.objects.filter(organization__in=organizer_organizations(user=user))


def organization_contacts(*, organization_id: int) -> list[str]:
    """Addresses of the organization's active organizers and admins, for listing emails."""
    return list(
        User.objects.filter(
            is_active=True,
            memberships__organization_id=organization_id,
            memberships__is_active=True,
            memberships__role__in=ORGANIZER_ROLES,
        )
        .order_by("pk")
        .values_list("email", flat=True)
        .distinct()
    )


def dashboard_groups(*, organization: Organization, now: datetime | None = None) -> list[Group]:
    """The organization's listings with their next meetings and pending review attached."""
    now = now or timezone.now()
    upcoming = (
        Occurrence.objects.filter(starts_at__gte=now)
        .select_related("schedule")
        .order_by("starts_at")
    )
    groups = list(
        Group.objects.for_organization(organization)
        .order_by("status", "name")
        .prefetch_related(
            Prefetch("occurrences", queryset=upcoming, to_attr="upcoming"),
            Prefetch(
                "revisions",
                queryset=ListingRevision.objects.filter(status=ListingRevision.Status.PENDING),
                to_attr="pending_revisions",
            ),
        )
    )
    ids = [g.pk for g in groups]
    subscribers = group_subscriber_counts(ids)
    referrals = group_open_referral_counts(ids)
    for group in groups:
        group.next_meetings = group.upcoming[:DASHBOARD_MEETINGS]
        group.subscriber_count = subscribers.get(group.pk, 0)
        group.open_referral_count = referrals.get(group.pk, 0)
        group.needs_confirmation = listing_needs_confirmation(group=group, now=now)
    return groups


def group_subscriber_counts(group_ids: list[int]) -> dict[int, int]:
    """{group id: people with confirmed reminders for it}, in one grouped query."""
    from groups.models import ReminderSubscription

    rows = (
        ReminderSubscription.objects.confirmed()
        .filter(group_id__in=group_ids)
        .values("group_id")
        .annotate(n=Count("pk"))
    )
    return {row["group_id"]: row["n"] for row in rows}


def group_open_referral_counts(group_ids: list[int]) -> dict[int, int]:
    """{group id: referrals still open (sent, confirmed, accepted or waitlisted)}, one query."""
    from referrals.models import OPEN_STATUSES, Referral

    rows = (
        Referral.objects.filter(group_id__in=group_ids, status__in=OPEN_STATUSES)
        .values("group_id")
        .annotate(n=Count("pk"))
    )
    return {row["group_id"]: row["n"] for row in rows}


def listing_needs_confirmation(*, group: Group, now: datetime | None = None) -> bool:
    """True when the organizer should be asked "is this still current?" (over 90 days)."""
    now = now or timezone.now()
    limit = timedelta(days=settings.KINDRED_VERIFY_REMIND_AFTER_DAYS)
    return group.status != Group.Status.ARCHIVED and group.last_verified_at < now - limit


def listing_not_recently_confirmed(*, group: Group, now: datetime | None = None) -> bool:
    """True when the public page should say "not recently confirmed" (over 180 days)."""
    now = now or timezone.now()
    limit = timedelta(days=settings.KINDRED_NOT_RECENTLY_CONFIRMED_AFTER_DAYS)
    return group.last_verified_at < now - limit


def group_history(*, group: Group) -> QuerySet[ListingChange]:
    return group.changes.select_related("actor").order_by("-created_at", "-pk")


def group_pending_revision(*, group: Group) -> ListingRevision | None:
    return group.revisions.filter(status=ListingRevision.Status.PENDING).first()


def group_last_decision(*, group: Group) -> ListingRevision | None:
    """The latest decision, if it sent the listing back, so the organizer sees the note."""
    latest = (
        group.revisions.filter(decided_at__isnull=False)
        .exclude(status=ListingRevision.Status.WITHDRAWN)
        .order_by("-decided_at", "-pk")
        .first()
    )
    return latest if latest and latest.status == ListingRevision.Status.SENT_BACK else None


def group_upcoming_meetings(*, group: Group, now: datetime | None = None, limit: int = 12):
    now = now or timezone.now()
    return (
        group.occurrences.filter(starts_at__gte=now)
        .select_related("schedule")
        .order_by("starts_at")[:limit]
    )
