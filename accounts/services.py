"""Writes for accounts: invitations, memberships, passwords, sessions."""

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import update_session_auth_hash
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation, Membership, Organization, User
from accounts.security_log import security_event
from accounts.sessions import sessions_end_for_user
from config.emails import send_email


def invitation_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_create(
    *, organization: Organization, email: str, role: str, invited_by: User, language: str
) -> Invitation:
    """Store an invitation and email its link. The token exists in clear only in the email."""
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        organization=organization,
        email=email.strip().lower(),
        role=role,
        invited_by=invited_by,
        token_hash=invitation_token_hash(token),
        expires_at=timezone.now() + dt.timedelta(days=settings.KINDRED_INVITATION_DAYS),
    )
    link = settings.SITE_URL.rstrip("/") + reverse(
        "accounts:invitation_accept", kwargs={"token": token}
    )
    send_email(
        to=[invitation.email],
        template="accounts/email/invitation",
        context={
            "organization": organization.name,
            "role": invitation.get_role_display(),
            "link": link,
            "days": settings.KINDRED_INVITATION_DAYS,
        },
        language=language,
    )
    security_event(
        "invitation_sent", user_id=invited_by.pk, organization=organization.pk, role=role
    )
    return invitation


def invitation_for_token(token: str) -> Invitation | None:
    """The usable invitation this token opens, or None (unknown, used or expired)."""
    invitation = (
        Invitation.objects.select_related("organization")
        .filter(token_hash=invitation_token_hash(token))
        .first()
    )
    return invitation if invitation is not None and invitation.is_usable() else None


@transaction.atomic
def invitation_accept(*, invitation: Invitation, full_name: str, password: str) -> User:
    """Create (or re-open) the invited person's account and membership. Proving the inbox
    with the token is what a password reset asks, so an existing account's password is set."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_usable():
        raise ValueError("invitation no longer usable")
    user = User.objects.filter(email__iexact=invitation.email).first()
    if user is None:
        user = User(email=invitation.email)
    user.full_name = full_name
    user.is_active = True
    user.set_password(password)
    user.save()
    Membership.objects.update_or_create(
        user=user,
        organization=invitation.organization,
        defaults={"role": invitation.role, "is_active": True},
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    sessions_end_for_user(user_id=user.pk)
    security_event("invitation_accepted", user_id=user.pk, organization=invitation.organization_id)
    return user


@transaction.atomic
def membership_deactivate(*, membership: Membership, by: User) -> None:
    """Take away a member's access to this organization and end all their sessions now.
    Someone left with no active membership (and not a moderator) can no longer sign in."""
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    user = membership.user
    if not user.is_staff and not user.memberships.filter(is_active=True).exists():
        user.is_active = False
        user.save(update_fields=["is_active"])
    ended = sessions_end_for_user(user_id=user.pk)
    security_event(
        "membership_deactivated",
        user_id=by.pk,
        member=user.pk,
        organization=membership.organization_id,
        sessions_ended=ended,
    )


def password_change_done(*, request: HttpRequest, user: User) -> int:
    """After a password change: keep this session, end every other one of this person."""
    update_session_auth_hash(request, user)
    ended = sessions_end_for_user(user_id=user.pk, keep_session_key=request.session.session_key)
    security_event("password_changed", request=request, user_id=user.pk, sessions_ended=ended)
    return ended


def password_reset_done(*, request: HttpRequest, user: User) -> int:
    """After a reset by email link: whoever was signed in as this person is signed out."""
    ended = sessions_end_for_user(user_id=user.pk)
    security_event("password_reset", request=request, user_id=user.pk, sessions_ended=ended)
    return ended
