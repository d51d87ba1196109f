"""Fixtures for the reminder tests: a group with one meeting in the near future."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone

from groups.models import Occurrence
from tests.factories import GroupFactory, ScheduleFactory


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def group(provider_a):
    return GroupFactory(
        organization=provider_a,
        name="Tuesday Evening Circle",
        contact_email="host@example.org",
    )


def make_meeting(group, *, starts_in: dt.timedelta, **fields) -> Occurrence:
    schedule = group.schedules.first() or ScheduleFactory(group=group)
    starts_at = (timezone.now() + starts_in).replace(microsecond=0)
    return Occurrence.objects.create(
        group=group,
        schedule=schedule,
        original_starts_at=starts_at,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(minutes=90),
        **fields,
    )


@pytest.fixture
def meeting(group):
    """A meeting 30 hours from now: its "day before" reminder is due in 6 hours."""
    return make_meeting(group, starts_in=dt.timedelta(hours=30))
