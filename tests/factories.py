"""factory-boy factories for every model the tests build."""

import datetime as dt

import factory
from django.utils import timezone

from accounts.models import Membership, Organization, User
from groups.models import Group, Location, Partner, Schedule

TEST_PASSWORD = "correct horse battery staple 42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organization {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")
    kind = Organization.Kind.PROVIDER
    time_zone = "America/Chicago"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Membership.Role.ORGANIZER


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    name = "Community Center"
    address_1 = factory.Sequence(lambda n: f"{100 + n} Main Street")
    city = "Springfield"
    region = "IL"
    postcode = "62701"
    latitude = 39.7990
    longitude = -89.6440
    geocode_status = Location.GeocodeStatus.OK


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Peer Support Circle {n}")
    description = "A friendly peer-led group for people living with depression."
    what_to_expect = "Someone meets you at the door. You never have to speak."
    format = "in_person"
    facilitation = "peer"
    cost = "free"
    languages = ("en",)
    topics = ("depression",)
    status = Group.Status.PUBLISHED
    location = factory.SubFactory(LocationFactory)


class ScheduleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Schedule

    group = factory.SubFactory(GroupFactory)
    rrule = "FREQ=WEEKLY;BYDAY=TU"
    start_date = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=30))
    start_time = dt.time(18, 0)
    duration_minutes = 90
    time_zone = "America/Chicago"


# A Monday noon in Chicago: a Tuesday 6 pm meeting is 30 hours away, inside the reminders'
# horizon, with its "day before" reminder due in 6 hours. Tests that need reminders for
# a meeting soon travel here (time_machine) and use tuesday_schedule().
MONDAY_BEFORE_A_MEETING = dt.datetime(2027, 1, 4, 18, tzinfo=dt.UTC)


def tuesday_schedule(group) -> Schedule:
    """Every Tuesday at 6 pm in Chicago since December 2026, its meetings made as of now."""
    from groups.services import occurrences_refresh

    schedule = ScheduleFactory(
        group=group, rrule="FREQ=WEEKLY;BYDAY=TU", start_date=dt.date(2026, 12, 1)
    )
    occurrences_refresh(group_id=group.pk)
    return schedule


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"Partner {n}")
    slug = factory.Sequence(lambda n: f"partner-{n}")
    organization = factory.SubFactory(OrganizationFactory)
    format = Partner.Format.HSDS_JSON
    time_zone = "America/Chicago"


# --- Meeting reminders ---------------------------------------------------------------


class ReminderSubscriptionFactory(factory.django.DjangoModelFactory):
    """A confirmed subscription to every meeting, the day before, by email."""

    class Meta:
        model = "groups.ReminderSubscription"

    group = factory.SubFactory(GroupFactory)
    email = factory.Sequence(lambda n: f"resident{n}@example.org")
    address_key = factory.Sequence(lambda n: f"{n:064x}")
    meetings = "all"
    timing = "day_before"
    language = "en"
    confirmed_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=7))


# --- Directory search (issue 3) -------------------------------------------------------------


class OnlineGroupFactory(GroupFactory):
    format = "online"
    location = None
    online_url = "https://meet.example.org/circle"


def located_group(*, latitude: float, longitude: float, **kwargs) -> Group:
    """A published group at a point, with its search columns synced as the app does."""
    from groups.services import group_sync_search_fields

    location = LocationFactory(latitude=latitude, longitude=longitude)
    group = GroupFactory(location=location, **kwargs)
    group_sync_search_fields(group=group)
    return group


def synced(group: Group) -> Group:
    from groups.services import group_sync_search_fields

    group_sync_search_fields(group=group)
    group.refresh_from_db()
    return group
