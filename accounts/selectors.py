"""Reads for accounts, scoped to what the signed-in person may see."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from accounts.models import Membership, Organization, User


def organization_for_member_admin(*, user: User, slug: str) -> Organization:
    """The organization whose members `user` manages. Not a member: 404 (its existence is
    not disclosed); a member without the admin role: 403."""
    membership = (
        Membership.objects.select_related("organization")
        .filter(user=user, organization__slug=slug, is_active=True)
        .first()
    )
    if membership is None:
        raise Http404
    if membership.role != Membership.Role.ADMIN:
        raise PermissionDenied
    return membership.organization


def memberships_of_organization(*, organization: Organization):
    return (
        Membership.objects.filter(organization=organization)
        .select_related("user")
        .order_by("-is_active", "user__full_name", "user__email")
    )


def pending_invitations(*, organization: Organization):
    from django.utils import timezone

    return organization.invitations.filter(accepted_at=None, expires_at__gt=timezone.now())
