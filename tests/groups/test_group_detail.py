"""The group page and its calendar files."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from groups.models import Group, Occurrence
from groups.services import occurrences_refresh
from tests.factories import GroupFactory, OnlineGroupFactory, ScheduleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def group():
    schedule = ScheduleFactory(
        rrule="FREQ=MONTHLY;BYDAY=2TU", start_date=dt.date(2026, 1, 13), start_time=dt.time(18)
    )
    group = schedule.group
    group.location.directions = "Use the side door by the bike racks."
    group.location.save()
    Group.objects.filter(pk=group.pk).update(transport=("near_transit",))
    occurrences_refresh(group_id=group.pk)
    return Group.objects.get(pk=group.pk)


def _cancel_first(group):
    first = Occurrence.objects.filter(group=group).order_by("starts_at").first()
    first.status = Occurrence.Status.CANCELLED
    first.note = "Room closed for repairs"
    first.save()
    return first


def test_page_shows_schedule_in_words_meetings_and_directions(client, group):
    _cancel_first(group)
    html = client.get(reverse("groups:detail", args=[group.pk])).content.decode()
    assert "Every 2nd Tuesday of the month, 6 p.m.–7:30 p.m." in html
    assert "Cancelled" in html and "Room closed for repairs" in html
    assert "6 p.m. CST" in html  # meetings in the group's own time zone
    assert "Use the side door by the bike racks." in html
    assert "Near public transit" in html
    assert "What to expect at a first visit" in html
    assert f'href="/groups/{group.pk}/calendar.ics"' in html


def test_page_lists_at_most_six_next_meetings(client):
    schedule = ScheduleFactory(rrule="FREQ=WEEKLY;BYDAY=MO,WE,FR")
    occurrences_refresh(group_id=schedule.group_id)
    response = client.get(reverse("groups:detail", args=[schedule.group_id]))
    assert len(response.context["meetings"]) == 6


def test_joining_link_only_when_the_organizer_allows_it(client):
    hidden = OnlineGroupFactory(online_url="https://meet.example.org/secret")
    shown = OnlineGroupFactory(online_url="https://meet.example.org/open", online_url_public=True)
    assert (
        "meet.example.org/secret"
        not in client.get(reverse("groups:detail", args=[hidden.pk])).content.decode()
    )
    assert (
        "meet.example.org/open"
        in client.get(reverse("groups:detail", args=[shown.pk])).content.decode()
    )


def test_not_recently_confirmed_note_after_180_days(client):
    old = GroupFactory(last_verified_at=timezone.now() - dt.timedelta(days=200))
    fresh = GroupFactory()
    assert (
        "Not recently confirmed"
        in client.get(reverse("groups:detail", args=[old.pk])).content.decode()
    )
    assert (
        "Not recently confirmed"
        not in client.get(reverse("groups:detail", args=[fresh.pk])).content.decode()
    )


@pytest.mark.parametrize(
    "status", [Group.Status.DRAFT, Group.Status.PENDING, Group.Status.ARCHIVED]
)
def test_unpublished_group_is_404(client, status):
    group = GroupFactory(status=status)
    assert client.get(reverse("groups:detail", args=[group.pk])).status_code == 404
    assert client.get(reverse("groups:ics_series", args=[group.pk])).status_code == 404
    assert client.get(reverse("groups:api_detail", args=[group.pk])).status_code == 404


def test_page_has_the_actions_fragment_and_map_hook(client, group):
    response = client.get(reverse("groups:detail", args=[group.pk]))
    names = [t.name for t in response.templates]
    assert "groups/_group_actions.html" in names
    assert "groups/_group_map.html" in names


def test_series_ics_has_timezone_rule_and_cancellations(client, group):
    cancelled = _cancel_first(group)
    response = client.get(reverse("groups:ics_series", args=[group.pk]))
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["America/Chicago"]
    (event,) = calendar.walk("VEVENT")
    assert event["RRULE"]["FREQ"] == ["MONTHLY"] and event["RRULE"]["BYDAY"] == ["2TU"]
    start = event.decoded("DTSTART")
    assert (start.hour, str(start.tzinfo)) == (18, "America/Chicago")
    exdates = [d.dt for d in event["EXDATE"].dts]
    assert cancelled.original_starts_at in exdates


def test_series_ics_moves_a_moved_meeting_with_recurrence_id(client, group):
    moved = Occurrence.objects.filter(group=group).order_by("starts_at").first()
    moved.status = Occurrence.Status.MOVED
    moved.starts_at += dt.timedelta(days=1)
    moved.ends_at += dt.timedelta(days=1)
    moved.save()
    calendar = Calendar.from_ical(client.get(reverse("groups:ics_series", args=[group.pk])).content)
    overrides = [e for e in calendar.walk("VEVENT") if "RECURRENCE-ID" in e]
    assert len(overrides) == 1
    assert overrides[0].decoded("RECURRENCE-ID") == moved.original_starts_at
    assert overrides[0].decoded("DTSTART") == moved.starts_at


def test_one_meeting_ics_parses_with_local_time(client, group):
    occurrence = Occurrence.objects.filter(group=group).order_by("starts_at").first()
    url = reverse("groups:ics_occurrence", args=[group.pk, occurrence.pk])
    calendar = Calendar.from_ical(client.get(url).content)
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("DTSTART") == occurrence.starts_at
    assert event.decoded("DTSTART").hour == 18
    assert str(event["SUMMARY"]) == group.name
    assert calendar.walk("VTIMEZONE")


def test_meeting_ics_of_another_group_is_404(client, group):
    other = ScheduleFactory().group
    occurrences_refresh(group_id=other.pk)
    foreign = Occurrence.objects.filter(group=other).first()
    url = reverse("groups:ics_occurrence", args=[group.pk, foreign.pk])
    assert client.get(url).status_code == 404
