"""What a person can do from a group page and a search result, by who they are."""

import pytest
from django.urls import reverse

from groups.services import occurrences_refresh
from tests.factories import GroupFactory, ScheduleFactory, located_group

pytestmark = pytest.mark.django_db


@pytest.fixture
def group(provider_a):
    group = GroupFactory(organization=provider_a)
    ScheduleFactory(group=group)
    occurrences_refresh(group_id=group.pk)
    return group


def test_resident_sees_calendar_reminder_and_share_but_no_referral(client, group):
    html = client.get(reverse("groups:detail", args=[group.pk])).content.decode()
    assert reverse("groups:ics_series", args=[group.pk]) in html
    assert reverse("reminders:signup", args=[group.pk]) in html
    assert 'class="share-email"' in html and 'class="share-sms"' in html
    assert reverse("referrals:create", args=[group.pk]) not in html


def test_case_worker_gets_a_referral_link_on_the_group_page(client, login, group, case_worker_a):
    login(client, case_worker_a)
    html = client.get(reverse("groups:detail", args=[group.pk])).content.decode()
    assert reverse("referrals:create", args=[group.pk]) in html


def test_organizer_gets_no_referral_link(client, login, group, organizer_a):
    login(client, organizer_a)
    html = client.get(reverse("groups:detail", args=[group.pk])).content.decode()
    assert reverse("referrals:create", args=[group.pk]) not in html


def test_case_worker_can_refer_from_a_search_result(client, login, case_worker_a):
    nearby = located_group(latitude=41.88, longitude=-87.63)
    login(client, case_worker_a)
    html = client.get(reverse("groups:search"), {"near": "60601"}).content.decode()
    assert reverse("referrals:create", args=[nearby.pk]) in html
    client.logout()
    html = client.get(reverse("groups:search"), {"near": "60601"}).content.decode()
    assert reverse("referrals:create", args=[nearby.pk]) not in html


def test_search_hides_listings_unconfirmed_past_the_setting(client, settings):
    from datetime import timedelta

    from django.utils import timezone

    old = located_group(latitude=41.88, longitude=-87.63, name="Old Listing Circle")
    old.last_verified_at = timezone.now() - timedelta(days=400)
    old.save(update_fields=["last_verified_at"])
    fresh = located_group(latitude=41.88, longitude=-87.63, name="Fresh Listing Circle")
    settings.KINDRED_HIDE_UNCONFIRMED_AFTER_DAYS = 365
    html = client.get(reverse("groups:search"), {"near": "60601"}).content.decode()
    assert fresh.name in html and old.name not in html
    settings.KINDRED_HIDE_UNCONFIRMED_AFTER_DAYS = None
    html = client.get(reverse("groups:search"), {"near": "60601"}).content.decode()
    assert old.name in html
