"""The organizer dashboard and a listing's history."""

import pytest
from django.urls import reverse

from groups.models import Group, ListingChange
from groups.organizer import selectors
from tests.factories import GroupFactory, ReminderSubscriptionFactory, ScheduleFactory
from tests.groups.organizer.conftest import listing_data

pytestmark = pytest.mark.django_db


def test_dashboard_lists_own_groups_with_status_and_next_meetings(
    client, login, organizer_a, group_a, provider_a, provider_b
):
    GroupFactory(organization=provider_a, name="Draft Walk", status=Group.Status.DRAFT)
    GroupFactory(organization=provider_b, name="Someone Else's Group")
    html = login(client, organizer_a).get(reverse("organizer:dashboard")).content.decode()
    assert "Tuesday Evening Circle" in html and "Draft Walk" in html
    assert "Someone Else&#x27;s Group" not in html and "Someone Else's Group" not in html
    assert "Published" in html and "Draft" in html
    first = group_a.occurrences.order_by("starts_at").first()
    assert reverse("organizer:group_manage", args=[group_a.pk]) in html
    assert first.local_start().strftime("%-d") in html
    assert "None planned" in html  # the draft has no meetings


def test_dashboard_counts_come_from_the_two_selectors(
    client, login, organizer_a, group_a, monkeypatch
):
    assert selectors.group_subscriber_counts([group_a.pk]) == {}
    assert selectors.group_open_referral_counts([group_a.pk]) == {}
    ReminderSubscriptionFactory.create_batch(2, group=group_a)
    ReminderSubscriptionFactory(group=group_a, confirmed_at=None)  # not confirmed: not counted
    assert selectors.group_subscriber_counts([group_a.pk]) == {group_a.pk: 2}
    monkeypatch.setattr(selectors, "group_subscriber_counts", lambda ids: {group_a.pk: 17})
    monkeypatch.setattr(selectors, "group_open_referral_counts", lambda ids: {group_a.pk: 4})
    groups = selectors.dashboard_groups(organization=group_a.organization)
    assert (groups[0].subscriber_count, groups[0].open_referral_count) == (17, 4)
    html = login(client, organizer_a).get(reverse("organizer:dashboard")).content.decode()
    assert "<dd>17</dd>" in html and "<dd>4</dd>" in html


def test_dashboard_query_count_does_not_grow_with_listings(
    client, login, organizer_a, provider_a, django_assert_max_num_queries
):
    for _ in range(12):
        ScheduleFactory(group=GroupFactory(organization=provider_a))
    login(client, organizer_a)
    with django_assert_max_num_queries(
        17
    ):  # +5 per request for the session, user, second factor and staff timeout
        assert client.get(reverse("organizer:dashboard")).status_code == 200


def test_history_shows_who_when_and_old_to_new_in_words(
    client, login, organizer_a, moderator, group_a, commit
):
    login(client, organizer_a).post(
        reverse("organizer:group_edit", args=[group_a.pk]),
        listing_data(name="Renamed", cost="donation"),
    )
    html = client.get(reverse("organizer:group_history", args=[group_a.pk])).content.decode()
    assert "Change sent for review" in html
    assert "Tuesday Evening Circle" in html and "Renamed" in html
    assert "Donation welcome" in html  # a label, not the code
    assert "Olivia Organizer" in html
    client.logout()
    mod_html = (
        login(client, moderator)
        .get(reverse("organizer:group_history", args=[group_a.pk]))
        .content.decode()
    )
    assert "Renamed" in mod_html


def test_draft_edits_apply_at_once_and_are_in_the_history(client, login, organizer_a, provider_a):
    draft = GroupFactory(organization=provider_a, status=Group.Status.DRAFT, name="Old name")
    login(client, organizer_a).post(
        reverse("organizer:group_edit", args=[draft.pk]), listing_data(name="New name")
    )
    draft.refresh_from_db()
    assert draft.name == "New name"
    entry = ListingChange.objects.get(group=draft, action="edited")
    assert entry.changes["name"] == ["Old name", "New name"] and entry.actor == organizer_a


def test_submit_needs_meeting_times(client, login, organizer_a, provider_a):
    draft = GroupFactory(organization=provider_a, status=Group.Status.DRAFT)
    response = login(client, organizer_a).post(
        reverse("organizer:group_submit", args=[draft.pk]), follow=True
    )
    assert "Add when it meets" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Group.Status.DRAFT
