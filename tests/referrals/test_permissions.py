"""Every referral URL against every standing actor.

Expected: anonymous → sign-in redirect (the client link answers only to its
token); another organization's referral → 404; a page for a role the person
does not have → 403.
"""

import pytest
from django.core import mail
from django.urls import reverse

from tests.referrals.conftest import link_from_email

pytestmark = pytest.mark.django_db

ACTORS = [
    "anonymous",
    "organizer_a",
    "organizer_b",
    "org_admin",
    "case_worker_a",
    "case_worker_b",
    "moderator",
]

LOGIN = "login"
# URL name → expected status per actor (GET). referral_a: agency A → group of provider A.
MATRIX = {
    "create": {
        "organizer_a": 403,
        "organizer_b": 403,
        "org_admin": 403,
        "case_worker_a": 200,
        "case_worker_b": 200,
        "moderator": 403,
    },
    "caseload": {
        "organizer_a": 403,
        "organizer_b": 403,
        "org_admin": 403,
        "case_worker_a": 200,
        "case_worker_b": 200,
        "moderator": 403,
    },
    "detail": {
        "organizer_a": 404,
        "organizer_b": 404,
        "org_admin": 404,
        "case_worker_a": 200,
        "case_worker_b": 404,
        "moderator": 404,
    },
    "inbox": {
        "organizer_a": 200,
        "organizer_b": 200,
        "org_admin": 200,
        "case_worker_a": 403,
        "case_worker_b": 403,
        "moderator": 403,
    },
    "inbox_detail": {
        "organizer_a": 200,
        "organizer_b": 404,
        "org_admin": 200,
        "case_worker_a": 404,
        "case_worker_b": 404,
        "moderator": 404,
    },
    "report": {
        "organizer_a": 403,
        "organizer_b": 403,
        "org_admin": 403,
        "case_worker_a": 200,
        "case_worker_b": 200,
        "moderator": 403,
    },
    "report_csv": {
        "organizer_a": 403,
        "organizer_b": 403,
        "org_admin": 403,
        "case_worker_a": 200,
        "case_worker_b": 200,
        "moderator": 403,
    },
    "audit_log": {
        "organizer_a": 403,
        "organizer_b": 403,
        "org_admin": 403,
        "case_worker_a": 403,
        "case_worker_b": 403,
        "moderator": 200,
    },
}
# POST-only URLs: anyone but case worker A must not reach referral_a.
POSTS = {
    "update": {
        "organizer_a": 404,
        "organizer_b": 404,
        "org_admin": 404,
        "case_worker_b": 404,
        "moderator": 404,
    },
    "revoke_consent": {
        "organizer_a": 404,
        "organizer_b": 404,
        "org_admin": 404,
        "case_worker_b": 404,
        "moderator": 404,
    },
    "resend": {
        "organizer_a": 404,
        "organizer_b": 404,
        "org_admin": 404,
        "case_worker_b": 404,
        "moderator": 404,
    },
}


def _url(name, referral):
    if name == "create":
        return reverse("referrals:create", args=[referral.group_id])
    if name in ("detail", "inbox_detail", "update", "revoke_consent", "resend"):
        return reverse(f"referrals:{name}", args=[referral.pk])
    return reverse(f"referrals:{name}")


@pytest.fixture
def as_actor(request, client, login):
    def _as(actor):
        if actor != "anonymous":
            login(client, request.getfixturevalue(actor))
        return client

    return _as


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_get_matrix(name, actor, as_actor, referral_a, organizer_b, case_worker_b):
    client = as_actor(actor)
    response = client.get(_url(name, referral_a))
    if actor == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    else:
        assert response.status_code == MATRIX[name][actor], (name, actor)
    if response.status_code == 200 and name != "report_csv":
        assert "no-store" in response["Cache-Control"]


# The owner's (case worker A's) posts are tested in test_flow and test_consent.
@pytest.mark.parametrize("actor", [a for a in ACTORS if a != "case_worker_a"])
@pytest.mark.parametrize("name", sorted(POSTS))
def test_post_matrix(name, actor, as_actor, referral_a, organizer_b, case_worker_b):
    client = as_actor(actor)
    response = client.post(_url(name, referral_a), {"status": "closed"})
    if actor == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    else:
        assert response.status_code == POSTS[name][actor], (name, actor)
    referral_a.refresh_from_db()
    assert referral_a.status == "sent"
    assert referral_a.consent.revoked_at is None


@pytest.mark.parametrize("actor", ACTORS)
def test_client_link_opens_for_anyone_holding_the_token(actor, as_actor, referral_a):
    link = link_from_email(mail.outbox[0])
    response = as_actor(actor).get(link)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_organizer_b_inbox_does_not_list_provider_a_referrals(
    client, login, organizer_b, referral_a
):
    login(client, organizer_b)
    html = client.get(reverse("referrals:inbox")).content.decode()
    assert referral_a.group.name not in html
    assert "J. D." not in html


def test_case_worker_b_caseload_and_report_exclude_agency_a(
    client, login, case_worker_b, referral_a
):
    login(client, case_worker_b)
    assert "J. D." not in client.get(reverse("referrals:caseload")).content.decode()
    csv_text = client.get(reverse("referrals:report_csv")).content.decode()
    assert referral_a.group.name not in csv_text


def test_agency_admin_may_refer_too(client, login, agency_a, group_a):
    from accounts.models import Membership
    from tests.factories import MembershipFactory

    admin = MembershipFactory(organization=agency_a, role=Membership.Role.ADMIN).user
    login(client, admin)
    assert client.get(reverse("referrals:create", args=[group_a.pk])).status_code == 200


def test_an_unpublished_group_cannot_be_referred_to(client, login, case_worker_a, group_a):
    group_a.status = "draft"
    group_a.save()
    login(client, case_worker_a)
    assert client.get(reverse("referrals:create", args=[group_a.pk])).status_code == 404


def test_an_inactive_membership_grants_nothing(client, login, case_worker_a, referral_a):
    case_worker_a.memberships.update(is_active=False)
    login(client, case_worker_a)
    assert client.get(reverse("referrals:detail", args=[referral_a.pk])).status_code == 404
    assert client.get(reverse("referrals:caseload")).status_code == 403


def test_inbox_query_count_is_flat(
    client,
    login,
    organizer_a,
    case_worker_a,
    group_a,
    make_referral,
    django_assert_max_num_queries,
):
    for _ in range(5):
        make_referral(case_worker=case_worker_a, group=group_a)
    login(client, organizer_a)
    with django_assert_max_num_queries(
        13
    ):  # +5 per request for the session, user, second factor and staff timeout
        client.get(reverse("referrals:inbox"))
