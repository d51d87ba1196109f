"""Occurrence materialization: daylight-saving time and idempotence."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from groups.models import Group, Occurrence
from groups.schedule import describe, expand
from groups.services import occurrences_refresh
from tests.factories import GroupFactory, ScheduleFactory

pytestmark = pytest.mark.django_db
CHICAGO = ZoneInfo("America/Chicago")


def test_six_pm_meeting_stays_six_pm_local_across_the_daylight_saving_change():
    # US daylight saving ended on Sunday 1 November 2026.
    meetings = expand(
        rule="FREQ=WEEKLY;BYDAY=TU",
        start_date=dt.date(2026, 10, 6),
        start_time=dt.time(18, 0),
        duration_minutes=90,
        time_zone="America/Chicago",
        end_date=None,
        window_start=dt.datetime(2026, 10, 20, tzinfo=dt.UTC),
        window_end=dt.datetime(2026, 11, 12, tzinfo=dt.UTC),
    )
    local = [m.starts_at.astimezone(CHICAGO) for m in meetings]
    assert [d.date() for d in local] == [
        dt.date(2026, 10, 20),
        dt.date(2026, 10, 27),
        dt.date(2026, 11, 3),
        dt.date(2026, 11, 10),
    ]
    assert {(d.hour, d.minute) for d in local} == {(18, 0)}
    utc_hours = [m.starts_at.astimezone(dt.UTC).hour for m in meetings]
    assert utc_hours == [23, 23, 0, 0]  # the UTC instant moves, the local time does not


def test_refresh_stores_the_local_time_across_spring_forward():
    schedule = ScheduleFactory(
        rrule="FREQ=WEEKLY;BYDAY=TU", start_date=dt.date(2026, 1, 6), start_time=dt.time(18, 0)
    )
    now = dt.datetime(2026, 2, 20, tzinfo=dt.UTC)
    occurrences_refresh(group_id=schedule.group_id, now=now)
    starts = [
        o.starts_at.astimezone(CHICAGO) for o in Occurrence.objects.filter(group=schedule.group)
    ]
    assert any(s.date() < dt.date(2026, 3, 8) for s in starts)  # before the change
    assert any(s.date() > dt.date(2026, 3, 8) for s in starts)  # and after it
    assert {(s.hour, s.minute) for s in starts} == {(18, 0)}


def test_refresh_twice_changes_nothing():
    # A fixed clock needs a fixed start: the factory's default follows today's date.
    schedule = ScheduleFactory(rrule="FREQ=WEEKLY;BYDAY=MO,TH", start_date=dt.date(2026, 10, 1))
    now = dt.datetime(2026, 11, 2, 12, tzinfo=dt.UTC)
    created = occurrences_refresh(group_id=schedule.group_id, now=now)
    first = list(Occurrence.objects.values_list("pk", "starts_at", "ends_at", "status"))
    group_fields = Group.objects.values_list("next_meeting_at", "meeting_days").get()
    again = occurrences_refresh(group_id=schedule.group_id, now=now)
    assert created == 16 and again == 0
    assert list(Occurrence.objects.values_list("pk", "starts_at", "ends_at", "status")) == first
    assert Group.objects.values_list("next_meeting_at", "meeting_days").get() == group_fields


def test_refresh_keeps_a_cancelled_meeting_cancelled():
    schedule = ScheduleFactory(start_date=dt.date(2026, 10, 1))
    now = dt.datetime(2026, 11, 2, 12, tzinfo=dt.UTC)
    occurrences_refresh(group_id=schedule.group_id, now=now)
    first = Occurrence.objects.first()
    first.status = Occurrence.Status.CANCELLED
    first.save()
    occurrences_refresh(group_id=schedule.group_id, now=now)
    assert Occurrence.objects.get(pk=first.pk).status == Occurrence.Status.CANCELLED
    group = Group.objects.get()
    assert group.next_meeting_at != first.starts_at  # the next meeting skips the cancelled one


def test_refresh_sets_days_and_times_of_day_in_local_time():
    # 6 pm Tuesday in Chicago is Wednesday 00:00 UTC: the day must be Tuesday.
    schedule = ScheduleFactory(rrule="FREQ=WEEKLY;BYDAY=TU", start_time=dt.time(18, 0))
    occurrences_refresh(group_id=schedule.group_id)
    group = Group.objects.get()
    assert group.meeting_days == ("tue",)
    assert group.times_of_day == ("evening",)


def test_schedule_in_words():
    text = describe(
        rule="FREQ=MONTHLY;BYDAY=2TU",
        start_date=dt.date(2026, 1, 13),
        start_time=dt.time(18, 0),
        duration_minutes=90,
    )
    assert text.startswith("Every 2nd Tuesday of the month")
    assert "6 p.m." in text and "7:30 p.m." in text


def test_group_factory_without_schedule_has_no_next_meeting():
    group = GroupFactory()
    occurrences_refresh(group_id=group.pk)
    assert Group.objects.get().next_meeting_at is None


def test_the_next_meetings_time_zone_is_that_of_its_own_schedule():
    """Search results show the next meeting in its schedule's zone, read from the group row."""
    now = dt.datetime(2026, 11, 2, 12, tzinfo=dt.UTC)
    group = GroupFactory()
    soon = ScheduleFactory(group=group, rrule="", start_date=dt.date(2026, 11, 4))
    ScheduleFactory(
        group=group, rrule="", start_date=dt.date(2026, 11, 6), time_zone="America/Los_Angeles"
    )
    occurrences_refresh(group_id=group.pk, now=now)
    group.refresh_from_db()
    assert group.next_meeting_time_zone == "America/Chicago"
    Occurrence.objects.filter(schedule=soon).update(status=Occurrence.Status.CANCELLED)
    occurrences_refresh(group_id=group.pk, now=now)
    group.refresh_from_db()
    assert group.next_meeting_time_zone == "America/Los_Angeles"
    assert group.next_meeting_at.astimezone(ZoneInfo("America/Los_Angeles")).hour == 18
