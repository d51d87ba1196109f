"""A partner's changed listing keeps the meetings (and the reminders) of unchanged schedules."""

import pytest
import time_machine

from groups.feeds.pipeline import feed_import
from groups.models import Group, ImportRun, Occurrence, Reminder
from groups.reminders import services as reminders
from tests.factories import MONDAY_BEFORE_A_MEETING, PartnerFactory, ReminderSubscriptionFactory
from tests.feeds.builders import hsds_service, write_json

pytestmark = pytest.mark.django_db
NOW = MONDAY_BEFORE_A_MEETING


@pytest.fixture
def imported(tmp_path, eager_tasks, django_capture_on_commit_callbacks):
    partner = PartnerFactory()

    def _import(label, **overrides):
        path = write_json(tmp_path / f"{label}.json", [hsds_service(1, **overrides)])
        with django_capture_on_commit_callbacks(execute=True):
            run = feed_import(
                partner_id=partner.pk, trigger=ImportRun.Trigger.COMMAND, source=str(path)
            )
        assert run.status == ImportRun.Status.SUCCEEDED, run.message
        return Group.objects.get(partner=partner, external_id="svc-1")

    with time_machine.travel(NOW, tick=False):
        yield _import


def test_a_renamed_listing_keeps_its_meetings_and_sends_no_reminder_twice(imported):
    group = imported("first")
    subscriber = ReminderSubscriptionFactory(group=group)
    reminders.reminders_schedule(now=NOW)
    reminder = subscriber.reminders.get(kind="day_before")
    Reminder.objects.filter(pk=reminder.pk).update(state="sent", sent_at=NOW)
    meetings = list(Occurrence.objects.order_by("starts_at").values_list("pk", "starts_at"))

    imported("renamed", name="Renamed Peer Circle")
    assert Group.objects.get(pk=group.pk).name == "Renamed Peer Circle"
    assert list(Occurrence.objects.order_by("starts_at").values_list("pk", "starts_at")) == meetings
    reminders.reminders_schedule(now=NOW)
    assert list(subscriber.reminders.values_list("kind", "state")) == [("day_before", "sent")]


def test_a_changed_schedule_is_replaced_and_the_awaited_meeting_told(imported):
    group = imported("first")
    subscriber = ReminderSubscriptionFactory(group=group)
    reminders.reminders_schedule(now=NOW)
    wednesdays = [{**hsds_service(1)["schedules"][0], "byday": "WE"}]
    imported("moved", schedules=wednesdays)
    assert group.schedules.get().rrule == "FREQ=WEEKLY;BYDAY=WE"
    tuesday = subscriber.reminders.get(kind="day_before").occurrence
    assert tuesday.status == Occurrence.Status.CANCELLED
    assert subscriber.reminders.filter(kind="cancelled", occurrence=tuesday).exists()


CALENDAR = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Kindred tests//EN
BEGIN:VEVENT
UID:grief-circle@example.org
SUMMARY:{summary}
DESCRIPTION:A circle for anyone grieving.
LOCATION:Library meeting room
DTSTART;TZID=America/Chicago:20261201T180000
DTEND;TZID=America/Chicago:20261201T193000
RRULE:FREQ=WEEKLY;BYDAY=TU
{exdate}END:VEVENT
END:VCALENDAR
"""


@pytest.fixture
def calendar_import(tmp_path, eager_tasks, django_capture_on_commit_callbacks):
    partner = PartnerFactory(format="ical")

    def _import(label, exdate="", summary="Grief support circle"):
        line = f"EXDATE;TZID=America/Chicago:{exdate}\n" if exdate else ""
        path = tmp_path / f"{label}.ics"
        path.write_text(
            CALENDAR.format(exdate=line, summary=summary).replace("\n", "\r\n"), encoding="utf-8"
        )
        with django_capture_on_commit_callbacks(execute=True):
            run = feed_import(
                partner_id=partner.pk, trigger=ImportRun.Trigger.COMMAND, source=str(path)
            )
        assert run.status == ImportRun.Status.SUCCEEDED, run.message
        return Group.objects.get(partner=partner)

    with time_machine.travel(NOW, tick=False):
        yield _import


def _statuses(group) -> list[tuple[str, str]]:
    rows = group.occurrences.order_by("original_starts_at")
    return [(f"{o.local_start():%d %H:%M}", o.status) for o in rows][:3]


def test_a_new_exdate_cancels_the_meeting_in_place_and_tells_its_people(calendar_import):
    group = calendar_import("first")
    subscriber = ReminderSubscriptionFactory(group=group)
    reminders.reminders_schedule(now=NOW)
    tuesday = subscriber.reminders.get(kind="day_before").occurrence
    calendar_import("cancelled", exdate="20270105T180000")
    tuesday.refresh_from_db()  # the same meeting, now cancelled: not a new row
    assert tuesday.status == Occurrence.Status.CANCELLED
    assert _statuses(group) == [
        ("05 18:00", "cancelled"),
        ("12 18:00", "scheduled"),
        ("19 18:00", "scheduled"),
    ]
    assert subscriber.reminders.filter(kind="cancelled", occurrence=tuesday).exists()
    assert subscriber.reminders.get(kind="day_before").state == "skipped"


def test_a_withdrawn_exdate_brings_the_meeting_back(calendar_import):
    group = calendar_import("cancelled", exdate="20270112T180000")
    assert _statuses(group)[1] == ("12 18:00", "cancelled")
    calendar_import("back")
    assert [status for _day, status in _statuses(group)] == ["scheduled"] * 3


def test_an_unchanged_calendar_with_an_exdate_keeps_every_meeting_row(calendar_import):
    group = calendar_import("first", exdate="20270112T180000")
    before = list(group.occurrences.order_by("pk").values_list("pk", "status"))
    # The same calendar, with another listing detail changed, keeps the rows.
    calendar_import("second", exdate="20270112T180000", summary="Grief and loss circle")
    assert Group.objects.get(pk=group.pk).name == "Grief and loss circle"
    assert list(group.occurrences.order_by("pk").values_list("pk", "status")) == before
