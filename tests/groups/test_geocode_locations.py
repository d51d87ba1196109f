"""Meeting places are geocoded after commit, in bulk by a command; failures reach moderators."""

from unittest import mock

import pytest
from django.core.management import call_command
from django.urls import reverse

from groups import tasks
from groups.models import Group, Location
from groups.services import location_geocode_later
from tests.factories import GroupFactory, LocationFactory

pytestmark = pytest.mark.django_db
URL = reverse("groups:unlocated")


def _pending(**kwargs):
    return LocationFactory(
        latitude=None, longitude=None, geocode_status=Location.GeocodeStatus.PENDING, **kwargs
    )


def test_saved_address_is_geocoded_after_commit_in_a_task(django_capture_on_commit_callbacks):
    location = _pending(postcode="62701")
    group = GroupFactory(location=location)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        location_geocode_later(location_id=location.pk)
    location.refresh_from_db()
    assert location.geocode_status == Location.GeocodeStatus.PENDING  # nothing before commit
    assert len(callbacks) == 1
    with mock.patch.object(tasks.geocode_location, "delay") as delay:
        callbacks[0]()  # commit
    delay.assert_called_once_with(location.pk)  # the task gets the id only
    tasks.geocode_location(location.pk)  # what the worker then runs
    location.refresh_from_db()
    assert location.geocode_status == Location.GeocodeStatus.OK
    assert location.latitude == pytest.approx(39.80, abs=0.05)
    group.refresh_from_db()
    assert group.grid_cell is not None and group.latitude == location.latitude


def test_command_locates_pending_places_and_marks_failures(capsys):
    good = _pending(postcode="60601", city="Chicago", region="IL")
    bad = _pending(postcode="", city="Qwxzyville", region="", address_1="1 Nowhere Rd")
    group = GroupFactory(location=bad)
    call_command("geocode_locations")
    good.refresh_from_db()
    bad.refresh_from_db()
    assert good.geocode_status == Location.GeocodeStatus.OK
    assert bad.geocode_status == Location.GeocodeStatus.FAILED
    assert "Located 1 place(s); 1 could not be located" in capsys.readouterr().out
    group.refresh_from_db()
    assert group.latitude is None and group.status == Group.Status.PUBLISHED


def test_places_placed_by_hand_are_left_alone():
    manual = LocationFactory(latitude=10.0, longitude=10.0, geocode_status="manual")
    call_command("geocode_locations", "--all")
    manual.refresh_from_db()
    assert (manual.latitude, manual.longitude) == (10.0, 10.0)


def test_moderator_sees_places_that_could_not_be_located(client, login, moderator):
    failed = LocationFactory(
        address_1="1 Nowhere Rd", latitude=None, longitude=None, geocode_status="failed"
    )
    GroupFactory(location=failed, name="Lost Group")
    LocationFactory(address_1="2 Found St")
    login(client, moderator)
    html = client.get(URL).content.decode()
    assert "1 Nowhere Rd" in html and "Lost Group" in html
    assert "2 Found St" not in html


def test_unlocated_page_is_for_moderators_only(client, login, organizer_a, case_worker_a):
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response["Location"]
    for user in (organizer_a, case_worker_a):
        login(client, user)
        assert client.get(URL).status_code == 403  # a missing permission, as elsewhere


def test_hourly_job_geocodes_places_left_pending_and_twice_changes_nothing():
    from groups.services import locations_geocode_pending

    location = _pending(postcode="62701")
    assert locations_geocode_pending() == 1
    location.refresh_from_db()
    assert location.geocode_status == Location.GeocodeStatus.OK
    assert locations_geocode_pending() == 0
