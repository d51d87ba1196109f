"""Writing audit rows: one per view, change, share and export of a referral."""

import ipaddress
from collections.abc import Iterable

from referrals.models import AuditEvent, Referral


def ip_prefix(request) -> str:
    """The caller's address with the host part zeroed: a place, not a person.

    REMOTE_ADDR only: a forwarded header is whatever the caller chose to send,
    unless the deployment's proxy rewrites REMOTE_ADDR for us.
    """
    if request is None:
        return ""
    raw = request.META.get("REMOTE_ADDR", "")
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return ""
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def _actor(request, actor, actor_label: str):
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    if actor is None and not actor_label:
        actor_label = "anonymous"
    return actor, actor_label


def audit_record(
    *,
    action: str,
    referral: Referral | None = None,
    actor=None,
    actor_label: str = "",
    detail: str = "",
    request=None,
) -> AuditEvent:
    actor, actor_label = _actor(request, actor, actor_label)
    return AuditEvent.objects.create(
        action=action,
        referral=referral,
        actor=actor,
        actor_label=actor_label,
        detail=detail[:200],
        ip_prefix=ip_prefix(request),
    )


def audit_record_many(
    *,
    action: str,
    referrals: Iterable[Referral],
    detail: str = "",
    request=None,
    actor=None,
    actor_label: str = "",
) -> int:
    """One row per referral, in one query: for list pages that show client details."""
    actor, actor_label = _actor(request, actor, actor_label)
    where = ip_prefix(request)
    rows = [
        AuditEvent(
            action=action,
            referral=referral,
            actor=actor,
            actor_label=actor_label,
            detail=detail[:200],
            ip_prefix=where,
        )
        for referral in referrals
    ]
    AuditEvent.objects.bulk_create(rows)
    return len(rows)
