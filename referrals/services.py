"""Writes for referrals. Keyword-only, typed, named <entity>_<action>.

Every status change goes through `referral_change_status`, which holds the one
table of allowed moves and who may make each; every write leaves an audit row.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from referrals import messaging
from referrals.audit import audit_record
from referrals.models import (
    OPEN_STATUSES,
    OUTCOME_STATUSES,
    AuditEvent,
    Consent,
    Outbox,
    Referral,
    Status,
    StatusChange,
)
from referrals.selectors import referral_attendance_open


class ReferralError(Exception):
    """A change that is not allowed; the message is shown to the person as it is."""


class Role:
    CASE_WORKER = "case_worker"
    ORGANIZER = "organizer"
    CLIENT = "client"
    SYSTEM = "system"


# The allowed moves, from each status.
TRANSITIONS: dict[str, set[str]] = {
    Status.SENT: {
        Status.CLIENT_CONFIRMED,
        Status.ACCEPTED,
        Status.WAITLISTED,
        Status.DECLINED,
        Status.WITHDRAWN,
    },
    Status.CLIENT_CONFIRMED: {
        Status.ACCEPTED,
        Status.WAITLISTED,
        Status.DECLINED,
        Status.WITHDRAWN,
    },
    Status.WAITLISTED: {Status.ACCEPTED, Status.DECLINED, Status.WITHDRAWN},
    Status.ACCEPTED: {Status.ATTENDED, Status.DID_NOT_ATTEND, Status.WITHDRAWN},
    Status.ATTENDED: {Status.CLOSED},
    Status.DID_NOT_ATTEND: {Status.CLOSED},
    Status.DECLINED: {Status.CLOSED},
    Status.WITHDRAWN: {Status.CLOSED},
    Status.CLOSED: set(),
}

# Who may make which move (the table above says from where).
ROLE_MOVES: dict[str, set[str]] = {
    Role.ORGANIZER: {
        Status.ACCEPTED,
        Status.WAITLISTED,
        Status.DECLINED,
        Status.ATTENDED,
        Status.DID_NOT_ATTEND,
    },
    Role.CASE_WORKER: {Status.WITHDRAWN, Status.ATTENDED, Status.DID_NOT_ATTEND, Status.CLOSED},
    Role.CLIENT: {Status.CLIENT_CONFIRMED, Status.WITHDRAWN},
    Role.SYSTEM: {Status.WITHDRAWN, Status.CLOSED},
}

ATTENDANCE = (Status.ATTENDED, Status.DID_NOT_ATTEND)
SHARE_CHOICES = ("name", "contact", "language", "notes")


def consent_purpose(*, group_name: str) -> str:
    return _(
        "To refer the client to “%(group)s”, so the group can welcome them, and to follow "
        "whether they went."
    ) % {"group": group_name}


def consent_how_to_revoke(*, agency_name: str) -> str:
    return _(
        "The client can withdraw consent at any time by telling %(agency)s (their case "
        "worker). From then on nothing more is shared and the group no longer sees their "
        "details."
    ) % {"agency": agency_name}


def allowed_moves(*, referral: Referral, role: str) -> list[str]:
    """The statuses this role could move the referral to now, in the table's order."""
    possible = TRANSITIONS[referral.status] & ROLE_MOVES[role]
    return [s.value for s in Status if s in possible]


@dataclass(frozen=True)
class ClientDetails:
    name: str
    contact_method: str
    contact_value: str
    preferred_language: str
    notes: str


@dataclass(frozen=True)
class ConsentRecord:
    shared_fields: frozenset[str]
    method: str
    given_at: dt.datetime
    valid_until: dt.date
    signature: str = ""


@sensitive_variables("client", "consent", "referral", "record")
def referral_create(
    *,
    agency,
    group,
    case_worker,
    client: ClientDetails,
    consent: ConsentRecord,
    request=None,
) -> Referral:
    """Record the consent, then the referral, then queue the client's message.

    No consent, no referral: a consent that has already lapsed is refused here too.
    """
    now = timezone.now()
    if consent.valid_until < timezone.localdate(now):
        raise ReferralError(_("The consent must be valid today or later."))
    unknown = set(consent.shared_fields) - set(SHARE_CHOICES)
    if unknown:
        raise ReferralError(_("Unknown information to share."))
    with transaction.atomic():
        referral = Referral.objects.create(
            agency=agency,
            group=group,
            case_worker=case_worker,
            client_name=client.name,
            contact_method=client.contact_method,
            contact_value=client.contact_value,
            preferred_language=client.preferred_language,
            notes=client.notes,
            created_at=now,
            last_activity_at=now,
        )
        record = Consent.objects.create(
            referral=referral,
            shared_by=agency,
            shared_with=group.organization,
            purpose=consent_purpose(group_name=group.name),
            how_to_revoke=consent_how_to_revoke(agency_name=agency.name),
            share_name="name" in consent.shared_fields,
            share_contact="contact" in consent.shared_fields,
            share_language="language" in consent.shared_fields,
            share_notes="notes" in consent.shared_fields,
            valid_until=consent.valid_until,
            method=consent.method,
            given_at=consent.given_at,
            witnessed_by=case_worker,
            signature=consent.signature,
        )
        StatusChange.objects.create(
            referral=referral, to_status=Status.SENT, at=now, by_user=case_worker
        )
        audit_record(
            action=AuditEvent.Action.CREATE,
            referral=referral,
            request=request,
            actor=case_worker,
            detail=f"consent {record.method}",
        )
        shared = ", ".join(record.shared_fields()) or "none"
        audit_record(
            action=AuditEvent.Action.SHARE,
            referral=referral,
            request=request,
            actor=case_worker,
            detail=f"shared with organization #{group.organization_id}: {shared}",
        )
        messaging.outbox_add(referral=referral, kind=Outbox.Kind.CLIENT_LINK)
    return referral


def referral_change_status(
    *,
    referral_id: int,
    to_status: str,
    role: str,
    actor=None,
    reason: str = "",
    request=None,
    now: dt.datetime | None = None,
) -> Referral:
    """Move a referral to `to_status` if the table allows it for this role.

    The caller has already checked that the actor may see this referral at all.
    """
    now = now or timezone.now()
    with transaction.atomic():
        referral = (
            Referral.objects.select_for_update(of=("self",))
            .select_related("consent")
            .get(pk=referral_id)
        )
        _check_move(referral=referral, to_status=to_status, role=role, reason=reason, now=now)
        from_status = referral.status
        referral.status = to_status
        referral.last_activity_at = now
        fields = ["status", "last_activity_at"]
        if to_status in OUTCOME_STATUSES:
            referral.outcome = to_status
            fields.append("outcome")
        if to_status == Status.CLOSED:
            referral.closed_at = now
            fields.append("closed_at")
        referral.save(update_fields=fields)
        label = role if actor is None else ""
        StatusChange.objects.create(
            referral=referral,
            from_status=from_status,
            to_status=to_status,
            at=now,
            by_user=actor,
            by_label=label,
            reason=reason,
        )
        audit_record(
            action=AuditEvent.Action.CHANGE,
            referral=referral,
            actor=actor,
            actor_label=label,
            request=request,
            detail=f"status {from_status} → {to_status}",
        )
    return referral


def _check_move(*, referral: Referral, to_status: str, role: str, reason: str, now) -> None:
    if referral.is_purged:
        raise ReferralError(_("This referral has been closed and its details erased."))
    if to_status not in TRANSITIONS[referral.status] or to_status not in ROLE_MOVES[role]:
        raise ReferralError(
            _("A referral that is “%(status)s” cannot be changed that way.")
            % {"status": referral.get_status_display()}
        )
    if to_status == Status.DECLINED and not reason.strip():
        raise ReferralError(_("Please give a reason for declining."))
    if role == Role.ORGANIZER and not referral.consent.is_valid(timezone.localdate(now)):
        raise ReferralError(_("The client's consent has ended: this referral cannot be answered."))
    if to_status in ATTENDANCE and not referral_attendance_open(referral=referral, now=now):
        raise ReferralError(_("Attendance can be recorded after the group's first meeting."))


def consent_revoke(*, referral_id: int, actor, request=None) -> Referral:
    """Stop all sharing at once: the organizer loses sight of the client's details,
    no message goes out, the client's link stops working, an open referral is withdrawn."""
    now = timezone.now()
    with transaction.atomic():
        referral = (
            Referral.objects.select_for_update(of=("self",))
            .select_related("consent")
            .get(pk=referral_id)
        )
        consent = referral.consent
        if consent.revoked_at is not None:
            return referral
        Consent.objects.filter(pk=consent.pk).update(revoked_at=now, revoked_by=actor)
        Outbox.objects.filter(
            referral=referral, kind=Outbox.Kind.CLIENT_LINK, state=Outbox.State.PENDING
        ).update(state=Outbox.State.CANCELLED)
        Referral.objects.filter(pk=referral.pk).update(
            link_token_hash="", link_expires_at=None, last_activity_at=now
        )
        audit_record(
            action=AuditEvent.Action.REVOKE, referral=referral, actor=actor, request=request
        )
        if referral.status in OPEN_STATUSES:
            referral_change_status(
                referral_id=referral.pk,
                to_status=Status.WITHDRAWN,
                role=Role.CASE_WORKER,
                actor=actor,
                reason=_("Consent withdrawn"),
                request=request,
                now=now,
            )
    referral.refresh_from_db()
    return referral


def referral_client_respond(*, referral_id: int, going: bool, request=None) -> bool:
    """The client's answer from their private link. Returns whether anything changed."""
    referral = Referral.objects.get(pk=referral_id)
    if going and referral.status == Status.SENT:
        target = Status.CLIENT_CONFIRMED
    elif not going and referral.status in (Status.SENT, Status.CLIENT_CONFIRMED):
        target = Status.WITHDRAWN
    else:
        return False
    referral_change_status(
        referral_id=referral_id,
        to_status=target,
        role=Role.CLIENT,
        reason="" if going else _("The client said the group is not for them."),
        request=request,
    )
    return True


def referral_resend_link(*, referral_id: int, actor, request=None) -> None:
    """Send the client a fresh link (the old one stops working when the new one is made)."""
    with transaction.atomic():
        referral = Referral.objects.select_related("consent").get(pk=referral_id)
        if referral.status not in OPEN_STATUSES or not referral.consent.is_valid():
            raise ReferralError(_("The link can only be sent for an open referral with consent."))
        messaging.outbox_add(referral=referral, kind=Outbox.Kind.CLIENT_LINK)
        audit_record(
            action=AuditEvent.Action.CHANGE,
            referral=referral,
            actor=actor,
            request=request,
            detail="link sent again",
        )
