"""Rate limits on the public endpoints that can be abused: the search JSON API, the HSDS
API and the referral client link. Normal use passes; past the budget the answer is 429
(JSON for the APIs, the friendly page for the client link) with Retry-After."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from groups.hsds import ids
from tests.factories import GroupFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _one_window(monkeypatch):
    """Counting is per fixed window: pin the clock so a loop never straddles two."""
    import config.ratelimit

    class _Clock:
        @staticmethod
        def time():
            return 1_800_000_000.0

    monkeypatch.setattr(config.ratelimit, "time", _Clock)


def _get_n(client, url, n, **extra) -> list[int]:
    return [client.get(url, **extra).status_code for _ in range(n)]


def _assert_json_429(response):
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert response["Content-Type"].startswith("application/json")
    assert "Too many requests" in response.json()["error"]


def test_search_api_allows_120_a_minute_per_address_then_answers_429_json(client):
    group = GroupFactory()
    url = reverse("groups:api_detail", args=[group.pk])
    assert set(_get_n(client, url, 120, REMOTE_ADDR="198.51.100.1")) == {200}
    _assert_json_429(client.get(url, REMOTE_ADDR="198.51.100.1"))
    assert client.get(url, REMOTE_ADDR="198.51.100.2").status_code == 200  # someone else


def test_search_api_search_and_detail_share_one_budget(client, settings):
    settings.KINDRED_RATE_LIMITS = {"search-api": "3/m"}
    group = GroupFactory()
    assert client.get(reverse("groups:api_search")).status_code == 200
    assert client.get(reverse("groups:api_detail", args=[group.pk])).status_code == 200
    assert client.get(reverse("groups:api_search"), {"q": "grief"}).status_code == 200
    _assert_json_429(client.get(reverse("groups:api_search")))
    _assert_json_429(client.get(reverse("groups:api_detail", args=[group.pk])))
    # The HTML search page is not the API: people browsing are not counted here.
    assert client.get(reverse("groups:search")).status_code == 200


def test_hsds_api_allows_120_a_minute_per_address_then_answers_429_json(client):
    url = reverse("hsds:root")
    assert set(_get_n(client, url, 120)) == {200}
    _assert_json_429(client.get(url))
    assert client.get(url, REMOTE_ADDR="198.51.100.9").status_code == 200


def test_hsds_endpoints_share_one_budget(client, settings):
    settings.KINDRED_RATE_LIMITS = {"hsds-api": "2/m"}
    group = GroupFactory()
    assert client.get(reverse("hsds:services")).status_code == 200
    assert (
        client.get(reverse("hsds:service", args=[ids.make("service", group.pk)])).status_code == 200
    )
    _assert_json_429(client.get(reverse("hsds:taxonomies")))


def _client_link(case_worker_a, provider_a) -> str:
    from referrals import messaging, services
    from referrals.models import Consent, Outbox

    referral = services.referral_create(
        agency=case_worker_a.memberships.get().organization,
        group=GroupFactory(organization=provider_a),
        case_worker=case_worker_a,
        client=services.ClientDetails(
            name="J. D.",
            contact_method="email",
            contact_value="client@example.org",
            preferred_language="en",
            notes="",
        ),
        consent=services.ConsentRecord(
            shared_fields=frozenset({"name"}),
            method=Consent.Method.VERBAL_WITNESSED,
            given_at=timezone.now(),
            valid_until=timezone.localdate() + dt.timedelta(days=30),
        ),
    )
    outbox = Outbox.objects.get(referral=referral, kind=Outbox.Kind.CLIENT_LINK)
    mail.outbox = []
    messaging.outbox_send(outbox_id=outbox.pk)
    word = next(w for w in mail.outbox[0].body.split() if "/referrals/r/" in w)
    return word[word.index("/referrals/r/") :]


def test_client_link_allows_30_a_minute_per_address_then_the_friendly_429_page(
    client, case_worker_a, provider_a
):
    link = _client_link(case_worker_a, provider_a)
    responses = [client.get(link) for _ in range(30)]
    assert {r.status_code for r in responses} == {200}
    assert all("no-store" in r["Cache-Control"] for r in responses)
    refused = client.get(link)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    assert "no-store" in refused["Cache-Control"]
    html = refused.content.decode()
    assert 'class="crisis"' in html  # the friendly page, with the crisis banner
    assert "J. D." not in html
    # Guessing tokens counts too: an unknown token spends the same budget.
    assert client.get("/referrals/r/not-a-token/").status_code == 429
    assert client.get(link, REMOTE_ADDR="198.51.100.3").status_code == 200
