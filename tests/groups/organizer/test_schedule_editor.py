"""The schedule editor in words: each rule kind's preview, before anything is saved."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from groups.models import Schedule
from groups.organizer import rules
from groups.organizer.forms import ScheduleForm, schedule_form_initial
from tests.factories import ScheduleFactory
from tests.groups.organizer.conftest import schedule_data

pytestmark = pytest.mark.django_db

CHICAGO = ZoneInfo("America/Chicago")
# Frozen a little before the US autumn clock change (Sunday 1 November 2026).
NOW = dt.datetime(2026, 10, 20, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def editor(client, login, organizer_a, group_a):
    login(client, organizer_a)
    url = reverse("organizer:schedule_create", args=[group_a.pk])

    def _preview(**fields):
        with time_machine.travel(NOW, tick=False):
            response = client.post(url, {**schedule_data(**fields), "preview": "1"})
        assert response.status_code == 200, response.content
        assert response.context["form"].is_valid(), response.context["form"].errors
        return response

    return _preview


def _local(response):
    return [m.starts_at.astimezone(CHICAGO) for m in response.context["preview"]]


def test_weekly_preview_keeps_six_pm_across_the_clock_change_and_saves_nothing(editor, group_a):
    response = editor(weekdays=["6"], start_date="2026-10-20")  # Sundays
    meetings = _local(response)
    assert [m.date() for m in meetings[:3]] == [
        dt.date(2026, 10, 25),
        dt.date(2026, 11, 1),
        dt.date(2026, 11, 8),
    ]
    assert all((m.hour, m.minute) == (18, 0) for m in meetings)
    # The same wall-clock time is a different UTC time either side of the change.
    assert meetings[0].utcoffset() == dt.timedelta(hours=-5)
    assert meetings[1].utcoffset() == dt.timedelta(hours=-6)
    assert response.context["preview"][0].starts_at.astimezone(dt.UTC).hour == 23
    assert response.context["preview"][1].starts_at.astimezone(dt.UTC).hour == 0
    html = response.content.decode()
    assert "Sunday 25 October 2026, 6 p.m." in html and "Sunday 1 November 2026, 6 p.m." in html
    assert not Schedule.objects.filter(group=group_a).exclude(rrule="FREQ=WEEKLY;BYDAY=TU").exists()


def test_weekly_on_several_days(editor):
    meetings = _local(editor(weekdays=["0", "3"], start_date="2026-10-20"))
    assert [m.strftime("%a %d") for m in meetings[:4]] == ["Thu 22", "Mon 26", "Thu 29", "Mon 02"]


def test_every_other_week(editor):
    meetings = _local(editor(weekdays=["1"], interval="2", start_date="2026-10-20"))
    assert [m.date() for m in meetings[:3]] == [
        dt.date(2026, 10, 20),
        dt.date(2026, 11, 3),
        dt.date(2026, 11, 17),
    ]


def test_monthly_on_the_second_tuesday(editor):
    meetings = _local(
        editor(repeat="monthly_weekday", week_of_month="2", weekday="1", start_date="2026-10-01")
    )
    assert [m.date() for m in meetings[:3]] == [
        dt.date(2026, 11, 10),
        dt.date(2026, 12, 8),
        dt.date(2027, 1, 12),
    ]


def test_last_friday_of_the_month(editor):
    response = editor(
        repeat="monthly_weekday", week_of_month="-1", weekday="4", start_date="2026-10-01"
    )
    assert [m.date() for m in _local(response)[:4]] == [
        dt.date(2026, 10, 30),
        dt.date(2026, 11, 27),
        dt.date(2026, 12, 25),
        dt.date(2027, 1, 29),
    ]
    assert response.context["form"].cleaned_data["rrule"] == "FREQ=MONTHLY;BYDAY=-1FR"


def test_monthly_on_a_date(editor):
    meetings = _local(editor(repeat="monthly_date", month_day="15", start_date="2026-10-01"))
    assert [m.date() for m in meetings[:3]] == [
        dt.date(2026, 11, 15),
        dt.date(2026, 12, 15),
        dt.date(2027, 1, 15),
    ]


def test_just_once(editor):
    meetings = _local(editor(repeat="once", start_date="2026-11-02"))
    assert [m.date() for m in meetings] == [dt.date(2026, 11, 2)]


def test_end_date_stops_the_preview(editor):
    meetings = _local(editor(weekdays=["1"], start_date="2026-10-20", end_date="2026-11-04"))
    assert [m.date() for m in meetings] == [
        dt.date(2026, 10, 20),
        dt.date(2026, 10, 27),
        dt.date(2026, 11, 3),
    ]


def test_spring_forward_keeps_the_evening_time(editor):
    # US clocks go forward on Sunday 14 March 2027: a Monday 7 pm group stays at 7 pm.
    meetings = _local(editor(weekdays=["0"], start_time="19:00", start_date="2027-03-01"))
    assert [(m.date(), m.hour) for m in meetings[:3]] == [
        (dt.date(2027, 3, 1), 19),
        (dt.date(2027, 3, 8), 19),
        (dt.date(2027, 3, 15), 19),
    ]
    assert meetings[0].utcoffset() != meetings[2].utcoffset()


def test_saving_builds_the_rule_and_several_schedules_per_group_are_allowed(
    client, login, organizer_a, group_a, commit
):
    url = reverse("organizer:schedule_create", args=[group_a.pk])
    with commit():
        login(client, organizer_a).post(
            url, schedule_data(repeat="monthly_weekday", week_of_month="-1", weekday="4")
        )
    rules_saved = set(group_a.schedules.values_list("rrule", flat=True))
    assert rules_saved == {"FREQ=WEEKLY;BYDAY=TU", "FREQ=MONTHLY;BYDAY=-1FR"}
    assert group_a.occurrences.filter(schedule__rrule="FREQ=MONTHLY;BYDAY=-1FR").exists()


def test_missing_choices_are_explained_next_to_the_field_and_nothing_typed_is_lost(
    client, login, organizer_a, group_a
):
    response = login(client, organizer_a).post(
        reverse("organizer:schedule_create", args=[group_a.pk]),
        schedule_data(weekdays=[], start_time="07:45", end_date="2000-01-01"),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_weekdays_error"' in html and "Tick at least one day." in html
    assert 'id="id_end_date_error"' in html
    assert 'value="07:45"' in html
    assert group_a.schedules.count() == 1


def test_monthly_weekday_needs_which_one_and_which_day():
    form = ScheduleForm(data=schedule_data(repeat="monthly_weekday"))
    assert not form.is_valid()
    assert set(form.errors) == {"week_of_month", "weekday"}


@pytest.mark.parametrize(
    ("choice", "rule"),
    [
        (rules.RuleChoice("weekly", weekdays=(1, 3)), "FREQ=WEEKLY;BYDAY=TU,TH"),
        (rules.RuleChoice("weekly", weekdays=(0,), interval=3), "FREQ=WEEKLY;INTERVAL=3;BYDAY=MO"),
        (
            rules.RuleChoice("monthly_weekday", week_of_month=-1, weekday=4),
            "FREQ=MONTHLY;BYDAY=-1FR",
        ),
        (rules.RuleChoice("monthly_date", month_day=15), "FREQ=MONTHLY;BYMONTHDAY=15"),
        (rules.RuleChoice("once"), ""),
    ],
)
def test_rules_round_trip_between_words_and_rrule(choice, rule):
    assert rules.build_rrule(choice) == rule
    assert rules.read_rrule(rule, dt.date(2026, 1, 1)) == choice


def test_editing_a_schedule_starts_from_its_words(group_a):
    schedule = ScheduleFactory(group=group_a, rrule="FREQ=MONTHLY;BYDAY=-1FR")
    initial = schedule_form_initial(schedule)
    assert initial["repeat"] == "monthly_weekday"
    assert initial["week_of_month"] == -1 and initial["weekday"] == 4


def test_schedule_edit_page_shows_the_current_rule_in_words(client, login, organizer_a, group_a):
    schedule = group_a.schedules.get()
    html = (
        login(client, organizer_a)
        .get(reverse("organizer:schedule_edit", args=[schedule.pk]))
        .content.decode()
    )
    assert "Every Tuesday" in html
    assert "FREQ=" not in html
