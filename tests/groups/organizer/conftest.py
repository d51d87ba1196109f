"""Fixtures for the organizer and moderation tests."""

import datetime as dt

import pytest
from django.utils import timezone

from config.celery import app as celery_app
from groups import services as group_services
from tests.factories import GroupFactory, ScheduleFactory


@pytest.fixture(autouse=True)
def eager_tasks():
    """Tasks queued after commit run in-process here, whatever the broker settings."""
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Argon2 is deliberately slow; these tests sign people in, they do not test hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def notified(monkeypatch):
    """Record calls to the reminders seam instead of sending anything."""
    calls = []
    monkeypatch.setattr(
        "groups.notifications.occurrence_changed",
        lambda *, occurrence_id: calls.append(occurrence_id),
    )
    return calls


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """`with commit(): client.post(...)` runs what the request queued after commit."""

    def _commit():
        return django_capture_on_commit_callbacks(execute=True)

    return _commit


@pytest.fixture
def group_a(provider_a):
    """A published weekly group of provider A with its meetings materialized."""
    group = GroupFactory(organization=provider_a, name="Tuesday Evening Circle")
    ScheduleFactory(
        group=group,
        rrule="FREQ=WEEKLY;BYDAY=TU",
        start_date=timezone.localdate() - dt.timedelta(days=21),
        start_time=dt.time(18, 0),
    )
    group_services.occurrences_refresh(group_id=group.pk)
    return group


def listing_data(**overrides) -> dict:
    """A complete, valid listing form as a browser would post it."""
    data = {
        "name": "Thursday Anxiety Group",
        "description": "A calm, peer-led group for people living with anxiety.",
        "what_to_expect": "Tea, a round of names, then open sharing. Nobody has to speak.",
        "format": "in_person",
        "facilitation": "peer",
        "accepting_new_members": "on",
        "topics": ["anxiety"],
        "audience": ["young_adults"],
        "languages": ["en", "es"],
        "cost": "free",
        "accessibility": ["step_free"],
        "transport": ["near_transit"],
        "place_name": "Eastside Library",
        "address_1": "12 Elm Street",
        "city": "Springfield",
        "region": "IL",
        "postcode": "62701",
        "directions": "Side door, first floor.",
        "contact_email": "hello@example.org",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def schedule_data(**overrides) -> dict:
    data = {
        "repeat": "weekly",
        "weekdays": ["3"],
        "interval": "1",
        "week_of_month": "",
        "weekday": "",
        "month_day": "",
        "start_time": "18:00",
        "duration_minutes": "90",
        "time_zone": "America/Chicago",
        "start_date": timezone.localdate().isoformat(),
        "end_date": "",
    }
    data.update(overrides)
    return data
