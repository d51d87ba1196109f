"""A changed schedule that drops a meeting someone has a reminder for tells them."""

from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from groups.models import Occurrence, Reminder
from groups.reminders import services as reminders
from groups.services import occurrences_refresh
from tests.factories import (
    MONDAY_BEFORE_A_MEETING,
    ReminderSubscriptionFactory,
    tuesday_schedule,
)

pytestmark = pytest.mark.django_db
CHICAGO = ZoneInfo("America/Chicago")
NOW = MONDAY_BEFORE_A_MEETING


@pytest.fixture
def tuesdays(group):
    with time_machine.travel(NOW, tick=False):
        yield tuesday_schedule(group)


def _local_days(group, status=Occurrence.Status.SCHEDULED) -> list[str]:
    rows = Occurrence.objects.filter(group=group, status=status).order_by("starts_at")
    return [f"{o.starts_at.astimezone(CHICAGO):%a %d}" for o in rows]


def test_a_dropped_meeting_with_reminders_is_cancelled_and_its_people_told(
    group, tuesdays, django_capture_on_commit_callbacks
):
    subscriber = ReminderSubscriptionFactory(group=group, email="ana@example.org")
    reminders.reminders_schedule(now=NOW)
    assert subscriber.reminders.filter(kind="day_before").count() == 1  # tomorrow's only
    tuesdays.rrule = "FREQ=WEEKLY;BYDAY=WE"
    tuesdays.save()
    with django_capture_on_commit_callbacks(execute=True):
        occurrences_refresh(group_id=group.pk, now=NOW)
    # Tomorrow's Tuesday stays, cancelled; the later Tuesdays, which nobody was
    # reminded of yet, are gone; the Wednesdays take their place.
    assert _local_days(group, Occurrence.Status.CANCELLED) == ["Tue 05"]
    assert _local_days(group)[:3] == ["Wed 06", "Wed 13", "Wed 20"]
    assert not any(day.startswith("Tue") for day in _local_days(group))
    # The notice is queued at once and handed to a worker (in process without Redis;
    # through the broker with it), exactly as when an organizer cancels one meeting.
    notice = subscriber.reminders.get(kind="cancelled")
    assert notice.occurrence.starts_at.astimezone(CHICAGO).strftime("%a %d %H:%M") == "Tue 05 18:00"
    assert notice.due_at <= NOW
    assert subscriber.reminders.get(kind="day_before").state == "skipped"


def test_a_dropped_meeting_nobody_awaits_is_removed_and_nobody_written_to(
    group, tuesdays, django_capture_on_commit_callbacks
):
    tuesdays.rrule = "FREQ=WEEKLY;BYDAY=WE"
    tuesdays.save()
    with django_capture_on_commit_callbacks(execute=True):
        occurrences_refresh(group_id=group.pk, now=NOW)
    assert _local_days(group, Occurrence.Status.CANCELLED) == []
    assert not any(day.startswith("Tue") for day in _local_days(group))
    assert not Reminder.objects.exists() and mail.outbox == []


def test_refreshing_again_after_the_change_changes_nothing(
    group, tuesdays, django_capture_on_commit_callbacks
):
    ReminderSubscriptionFactory(group=group)
    reminders.reminders_schedule(now=NOW)
    tuesdays.rrule = "FREQ=WEEKLY;BYDAY=WE"
    tuesdays.save()
    with django_capture_on_commit_callbacks(execute=True):
        occurrences_refresh(group_id=group.pk, now=NOW)
    before = list(Occurrence.objects.values_list("pk", "status", "starts_at"))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert occurrences_refresh(group_id=group.pk, now=NOW) == 0
    assert callbacks == []  # no second notice
    assert list(Occurrence.objects.values_list("pk", "status", "starts_at")) == before
