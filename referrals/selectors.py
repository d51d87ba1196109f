"""Reads for referrals. Every query is scoped to what the person may see."""

import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from accounts.models import Membership, Organization
from groups.models import Occurrence
from referrals.models import (
    OPEN_STATUSES,
    AuditEvent,
    Outbox,
    Referral,
    Status,
)

AGENCY_ROLES = (Membership.Role.CASE_WORKER, Membership.Role.ADMIN)
PROVIDER_ROLES = (Membership.Role.ORGANIZER, Membership.Role.ADMIN)


def _organization_ids(user, kind: str, roles) -> list[int]:
    if not user.is_authenticated or not user.is_active:
        return []
    return list(
        Membership.objects.filter(
            user=user, is_active=True, role__in=roles, organization__kind=kind
        ).values_list("organization_id", flat=True)
    )


def user_agency_ids(*, user) -> list[int]:
    """Agencies in which the user may refer clients (case worker or admin)."""
    return _organization_ids(user, Organization.Kind.AGENCY, AGENCY_ROLES)


def user_provider_ids(*, user) -> list[int]:
    """Provider organizations whose referrals the user answers (organizer or admin)."""
    return _organization_ids(user, Organization.Kind.PROVIDER, PROVIDER_ROLES)


def _with_relations(queryset: QuerySet) -> QuerySet:
    return queryset.select_related(
        "group", "group__organization", "agency", "case_worker", "consent"
    )


def referrals_for_case_worker(*, user) -> QuerySet:
    last_message = Outbox.objects.filter(
        referral=OuterRef("pk"), kind=Outbox.Kind.CLIENT_LINK
    ).order_by("-created_at", "-pk")
    return _with_relations(Referral.objects.for_agencies(user_agency_ids(user=user))).annotate(
        last_message_state=Subquery(last_message.values("state")[:1])
    )


def referrals_for_organizer(*, user) -> QuerySet:
    return _with_relations(Referral.objects.for_providers(user_provider_ids(user=user)))


def referral_get_for_case_worker(*, user, pk: int) -> Referral:
    """Another agency's referral does not exist, as far as this user can tell."""
    try:
        return referrals_for_case_worker(user=user).get(pk=pk)
    except Referral.DoesNotExist:
        raise Http404 from None


def referral_get_for_organizer(*, user, pk: int) -> Referral:
    try:
        return referrals_for_organizer(user=user).get(pk=pk)
    except Referral.DoesNotExist:
        raise Http404 from None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def referral_get_by_token(*, token: str, now: dt.datetime | None = None) -> Referral | None:
    """The referral a client's private link opens, if the link still works."""
    now = now or timezone.now()
    if not token or len(token) > 100:
        return None
    referral = (
        _with_relations(Referral.objects.filter(link_token_hash=token_hash(token)))
        .filter(link_expires_at__gt=now, purged_at__isnull=True)
        .first()
    )
    if referral is None or not referral.consent.is_valid(timezone.localdate(now)):
        return None
    return referral


def group_next_meetings(*, group, now: dt.datetime | None = None, limit: int = 3) -> list:
    now = now or timezone.now()
    return list(
        Occurrence.objects.filter(group=group, starts_at__gte=now)
        .select_related("schedule")
        .order_by("starts_at")[:limit]
    )


def referral_first_meeting(*, referral: Referral) -> Occurrence | None:
    """The group's first meeting after the referral was made (attendance is asked after it)."""
    return (
        Occurrence.objects.filter(group_id=referral.group_id, starts_at__gte=referral.created_at)
        .exclude(status=Occurrence.Status.CANCELLED)
        .order_by("starts_at")
        .first()
    )


def referral_attendance_open(*, referral: Referral, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    first = referral_first_meeting(referral=referral)
    return first is not None and first.starts_at <= now


@dataclass(frozen=True)
class OrganizerView:
    """What the organizer may see of the client: only the consented fields."""

    name: str | None
    contact_method: str | None
    contact: str | None
    language: str | None
    notes: str | None
    details_hidden: bool


def referral_organizer_view(*, referral: Referral) -> OrganizerView:
    consent = referral.consent
    if referral.is_purged or not consent.is_valid():
        return OrganizerView(None, None, None, None, None, details_hidden=True)
    return OrganizerView(
        name=referral.client_name if consent.share_name else None,
        contact_method=referral.get_contact_method_display() if consent.share_contact else None,
        contact=referral.contact_value if consent.share_contact else None,
        language=referral.preferred_language if consent.share_language else None,
        notes=referral.notes if consent.share_notes else None,
        details_hidden=False,
    )


def referral_attention(*, referral: Referral, now: dt.datetime | None = None) -> list[str]:
    """Why a case worker should look at this referral, in codes the template words."""
    now = now or timezone.now()
    reasons = []
    if referral.status in (Status.DECLINED, Status.WITHDRAWN, Status.DID_NOT_ATTEND):
        reasons.append("ended")
    elif referral.status == Status.ATTENDED:
        reasons.append("close")
    if referral.status != Status.CLOSED and not referral.consent.is_valid(timezone.localdate(now)):
        reasons.append("consent")
    quiet = dt.timedelta(days=settings.KINDRED_REFERRAL_FOLLOWUP_DAYS)
    if referral.status in OPEN_STATUSES and referral.last_activity_at <= now - quiet:
        reasons.append("quiet")
    if getattr(referral, "last_message_state", None) == Outbox.State.FAILED:
        reasons.append("undelivered")
    return reasons


# How a referral ended (or that it has not yet), for the report's outcome columns.
REPORT_OUTCOMES = ("attended", "did_not_attend", "declined", "withdrawn", "in_progress")


def referral_report(*, agency_ids: list[int], start: dt.date, end: dt.date) -> dict:
    """Counts by status, outcome and group for referrals made in [start, end]. No names."""
    rows = list(
        Referral.objects.for_agencies(agency_ids)
        .filter(created_at__date__gte=start, created_at__date__lte=end)
        .values_list("status", "outcome", "group_id", "group__name")
    )
    by_status = Counter(status for status, _o, _g, _n in rows)
    by_outcome = Counter(outcome or "in_progress" for _s, outcome, _g, _n in rows)
    by_group: dict[int, dict] = {}
    for status, outcome, group_id, group_name in rows:
        entry = by_group.setdefault(
            group_id, {"name": group_name, "total": 0, "statuses": Counter(), "outcomes": Counter()}
        )
        entry["total"] += 1
        entry["statuses"][status] += 1
        entry["outcomes"][outcome or "in_progress"] += 1
    return {
        "outcome_codes": REPORT_OUTCOMES,
        "total": len(rows),
        "by_status": [(s.value, s.label, by_status.get(s.value, 0)) for s in Status],
        "by_outcome": dict(by_outcome),
        "by_group": sorted(by_group.values(), key=lambda g: (-g["total"], g["name"])),
    }


def audit_events_recent(*, limit: int = 200) -> QuerySet:
    return AuditEvent.objects.select_related("actor").order_by("-at", "-pk")[:limit]
