"""Removing a schedule that someone has a reminder for tells them, then tidies up."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from groups.models import Occurrence, Schedule
from groups.reminders import services as reminders
from groups.services import schedules_removed_purge
from tests.factories import (
    MONDAY_BEFORE_A_MEETING,
    GroupFactory,
    ReminderSubscriptionFactory,
    tuesday_schedule,
)

pytestmark = pytest.mark.django_db
NOW = MONDAY_BEFORE_A_MEETING


@pytest.fixture
def tuesdays(provider_a):
    with time_machine.travel(NOW, tick=False):
        yield tuesday_schedule(GroupFactory(organization=provider_a, name="Tuesday Circle"))


def _remove(client, login, organizer, schedule, commit):
    with commit():
        response = login(client, organizer).post(
            reverse("organizer:schedule_delete", args=[schedule.pk])
        )
    assert response.status_code == 302


def test_removing_a_schedule_cancels_the_awaited_meeting_and_tells_its_people(
    client, login, organizer_a, tuesdays, commit
):
    group = tuesdays.group
    subscriber = ReminderSubscriptionFactory(group=group)
    reminders.reminders_schedule(now=NOW)
    awaited = subscriber.reminders.get(kind="day_before").occurrence
    _remove(client, login, organizer_a, tuesdays, commit)
    assert not group.schedules.exists()  # gone from the listing, the editor and the API
    edit = login(client, organizer_a).get(reverse("organizer:schedule_edit", args=[tuesdays.pk]))
    assert edit.status_code == 404
    rows = list(group.occurrences.values_list("pk", "status"))
    assert rows == [(awaited.pk, Occurrence.Status.CANCELLED)]  # the later ones are gone
    assert subscriber.reminders.filter(kind="cancelled", occurrence=awaited).exists()
    assert subscriber.reminders.get(kind="day_before").state == "skipped"
    group.refresh_from_db()
    assert group.next_meeting_at is None

    assert schedules_removed_purge(now=NOW) == 0  # the cancelled meeting is still to come
    after = NOW + dt.timedelta(days=2)
    assert schedules_removed_purge(now=after) > 0
    assert not Schedule.all_objects.filter(pk=tuesdays.pk).exists()
    assert not Occurrence.objects.filter(group=group).exists()


def test_a_schedule_nobody_awaits_is_deleted_at_once(client, login, organizer_a, tuesdays, commit):
    _remove(client, login, organizer_a, tuesdays, commit)
    assert not Schedule.all_objects.filter(pk=tuesdays.pk).exists()
    assert not Occurrence.objects.filter(group=tuesdays.group).exists()
