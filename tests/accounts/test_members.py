import datetime as dt
import logging
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation, Membership, User, UserSession
from tests.canaries import CANARY_CLIENT_NAME, CANARY_EMAIL

pytestmark = pytest.mark.django_db


def _invite(client, org_admin, provider_a, email=CANARY_EMAIL, role="organizer"):
    return client.post(
        reverse("accounts:members", kwargs={"slug": provider_a.slug}),
        {"email": email, "role": role},
    )


def _link(message) -> str:
    return re.search(r"https?://[^/\s]+(/accounts/invitation/\S+/)", message.body).group(1)


def test_org_admin_sees_members_and_invites_by_email(client, login, org_admin, organizer_a, caplog):
    login(client, org_admin)
    page = client.get(
        reverse("accounts:members", kwargs={"slug": org_admin.memberships.get().organization.slug})
    )
    assert page.status_code == 200 and organizer_a.email in page.content.decode()
    with caplog.at_level(logging.DEBUG):
        response = _invite(client, org_admin, org_admin.memberships.get().organization)
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [CANARY_EMAIL]
    invitation = Invitation.objects.get()
    token = _link(mail.outbox[0]).rstrip("/").rsplit("/", 1)[-1]
    assert invitation.token_hash != token and token not in invitation.token_hash
    assert "event=invitation_sent" in caplog.text and CANARY_EMAIL not in caplog.text


def test_invitation_sets_name_password_then_enrolment(client, login, org_admin, provider_a):
    login(client, org_admin)
    _invite(client, org_admin, provider_a)
    client.post(reverse("accounts:logout"))
    link = _link(mail.outbox[0])
    assert client.get(link).status_code == 200
    weak = client.post(
        link, {"full_name": CANARY_CLIENT_NAME, "password1": "short", "password2": "short"}
    )
    assert weak.status_code == 200 and "error-summary" in weak.content.decode()
    password = "a river runs past the old mill"
    response = client.post(
        link, {"full_name": CANARY_CLIENT_NAME, "password1": password, "password2": password}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:second_factor_setup")
    user = User.objects.get(email=CANARY_EMAIL)
    assert user.check_password(password) and user.full_name == CANARY_CLIENT_NAME
    assert Membership.objects.get(user=user).role == "organizer"
    # Private pages wait for the second factor.
    assert client.get(reverse("accounts:home"))["Location"].startswith(
        reverse("accounts:second_factor_setup")
    )
    # Single use.
    client.post(reverse("accounts:logout"))
    assert client.get(link).status_code == 404


def test_expired_invitation_cannot_be_used(client, login, org_admin, provider_a):
    login(client, org_admin)
    _invite(client, org_admin, provider_a)
    Invitation.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    client.post(reverse("accounts:logout"))
    response = client.get(_link(mail.outbox[0]))
    assert response.status_code == 404
    assert "cannot be used" in response.content.decode()


def test_unknown_invitation_token_is_404(client):
    assert (
        client.get(reverse("accounts:invitation_accept", kwargs={"token": "nope"})).status_code
        == 404
    )


def test_organizer_who_is_not_admin_gets_403_and_other_org_gets_404(
    client, login, organizer_a, organizer_b, provider_a
):
    url = reverse("accounts:members", kwargs={"slug": provider_a.slug})
    login(client, organizer_a)
    assert client.get(url).status_code == 403
    login(client, organizer_b)
    assert client.get(url).status_code == 404


def test_deactivating_a_member_ends_their_sessions_at_once(
    client, login, org_admin, organizer_a, provider_a
):
    from django.test import Client

    theirs = Client()
    login(theirs, organizer_a)
    assert theirs.get(reverse("accounts:home")).status_code == 200
    assert UserSession.objects.filter(user_id=organizer_a.pk).exists()
    login(client, org_admin)
    membership = Membership.objects.get(user=organizer_a)
    response = client.post(
        reverse(
            "accounts:member_deactivate",
            kwargs={"slug": provider_a.slug, "membership_pk": membership.pk},
        )
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    organizer_a.refresh_from_db()
    assert membership.is_active is False
    assert organizer_a.is_active is False  # no active membership left, not staff
    assert not UserSession.objects.filter(user_id=organizer_a.pk).exists()
    response = theirs.get(reverse("accounts:home"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_deactivated_member_of_two_organizations_keeps_the_account(
    client, login, org_admin, organizer_a, provider_a, provider_b
):
    from tests.factories import MembershipFactory

    MembershipFactory(user=organizer_a, organization=provider_b)
    login(client, org_admin)
    membership = Membership.objects.get(user=organizer_a, organization=provider_a)
    client.post(
        reverse(
            "accounts:member_deactivate",
            kwargs={"slug": provider_a.slug, "membership_pk": membership.pk},
        )
    )
    organizer_a.refresh_from_db()
    assert organizer_a.is_active is True


def test_admin_cannot_deactivate_another_organizations_member(
    client, login, org_admin, organizer_b, provider_a
):
    login(client, org_admin)
    membership = Membership.objects.get(user=organizer_b)
    response = client.post(
        reverse(
            "accounts:member_deactivate",
            kwargs={"slug": provider_a.slug, "membership_pk": membership.pk},
        )
    )
    assert response.status_code == 404
    membership.refresh_from_db()
    assert membership.is_active


def test_admin_cannot_lock_themselves_out(client, login, org_admin, provider_a):
    login(client, org_admin)
    membership = Membership.objects.get(user=org_admin)
    client.post(
        reverse(
            "accounts:member_deactivate",
            kwargs={"slug": provider_a.slug, "membership_pk": membership.pk},
        )
    )
    membership.refresh_from_db()
    assert membership.is_active


def test_home_links_admins_to_their_members_page(client, login, org_admin, provider_a):
    login(client, org_admin)
    html = client.get(reverse("accounts:home")).content.decode()
    assert reverse("accounts:members", kwargs={"slug": provider_a.slug}) in html
    assert reverse("accounts:password_change") in html
