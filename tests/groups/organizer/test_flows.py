"""The whole life of a listing through the test client, as organizers and moderators use it."""

import pytest
from django.core import mail
from django.urls import reverse

from groups import services as group_services
from groups.models import Group, ListingChange, ListingRevision, Location, Occurrence, Schedule
from tests.groups.organizer.conftest import listing_data, schedule_data

pytestmark = pytest.mark.django_db


def test_create_submit_approve_edit_approve_cancel_archive(
    client, login, organizer_a, moderator, commit, notified
):
    organizer = login(client, organizer_a)

    # Create: a draft nobody can find yet.
    with commit():
        response = organizer.post(reverse("organizer:group_create"), listing_data())
    group = Group.objects.get(name="Thursday Anxiety Group")
    assert response.status_code == 302
    assert response["Location"] == reverse("organizer:group_manage", args=[group.pk])
    assert group.status == Group.Status.DRAFT
    assert group.organization == organizer_a.memberships.get().organization
    assert group.topics == ("anxiety",) and group.languages == ("en", "es")
    assert group.location.address_1 == "12 Elm Street"
    # Geocoded after commit from the offline gazetteer (ZIP 62701).
    assert group.location.geocode_status == Location.GeocodeStatus.OK
    assert client.get(reverse("groups:detail", args=[group.pk])).status_code == 404

    # A schedule in words, then submit.
    with commit():
        organizer.post(reverse("organizer:schedule_create", args=[group.pk]), schedule_data())
    assert group.schedules.get().rrule == "FREQ=WEEKLY;BYDAY=TH"
    assert group.occurrences.count() >= 7  # materialized after commit for eight weeks
    organizer.post(reverse("organizer:group_submit", args=[group.pk]))
    group.refresh_from_db()
    assert group.status == Group.Status.PENDING

    # Approve: published, and the organizer hears about it.
    client.logout()
    mod = login(client, moderator)
    revision = ListingRevision.objects.get(group=group, status="pending")
    assert group.name in mod.get(reverse("moderation:queue")).content.decode()
    with commit():
        mod.post(reverse("moderation:revision_approve", args=[revision.pk]), {"note": ""})
    group.refresh_from_db()
    assert group.status == Group.Status.PUBLISHED
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [organizer_a.email]
    assert "is approved" in mail.outbox[0].subject
    client.logout()
    assert client.get(reverse("groups:detail", args=[group.pk])).status_code == 200

    # Edit the published listing: the public keeps seeing the old version.
    organizer = login(client, organizer_a)
    with commit():
        organizer.post(
            reverse("organizer:group_edit", args=[group.pk]),
            listing_data(name="Thursday Calm Circle", topics=["anxiety", "depression"]),
        )
    group.refresh_from_db()
    assert group.name == "Thursday Anxiety Group"
    assert group.topics == ("anxiety",)
    client.logout()
    public = client.get(reverse("groups:detail", args=[group.pk])).content.decode()
    assert "Thursday Anxiety Group" in public and "Thursday Calm Circle" not in public

    # The moderator sees the change side by side, with labels, and approves it.
    mod = login(client, moderator)
    change = ListingRevision.objects.get(group=group, status="pending")
    assert change.kind == ListingRevision.Kind.CHANGE
    review = mod.get(reverse("moderation:revision_review", args=[change.pk])).content.decode()
    assert "Thursday Anxiety Group" in review and "Thursday Calm Circle" in review
    assert "Anxiety, Depression" in review  # vocabulary labels, not codes
    with commit():
        mod.post(reverse("moderation:revision_approve", args=[change.pk]), {"note": "Thanks!"})
    group.refresh_from_db()
    assert group.name == "Thursday Calm Circle"
    assert group.topics == ("depression", "anxiety")
    assert group.status == Group.Status.PUBLISHED
    assert len(mail.outbox) == 2 and "Thanks!" in mail.outbox[1].body
    client.logout()
    public = client.get(reverse("groups:detail", args=[group.pk])).content.decode()
    assert "Thursday Calm Circle" in public

    # Cancel one meeting: the others stay, the reminders seam is called once after commit.
    organizer = login(client, organizer_a)
    first, second = group.occurrences.order_by("starts_at")[:2]
    with commit():
        organizer.post(
            reverse("organizer:occurrence_cancel", args=[first.pk]), {"reason": "Room closed"}
        )
        assert notified == []  # not before the commit
    assert notified == [first.pk]
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Occurrence.Status.CANCELLED and first.note == "Room closed"
    assert second.status == Occurrence.Status.SCHEDULED
    group_services.occurrences_refresh(group_id=group.pk)
    first.refresh_from_db()
    assert first.status == Occurrence.Status.CANCELLED  # a refresh keeps the cancellation
    group.refresh_from_db()
    assert group.next_meeting_at == second.starts_at

    # Archive: gone from the public, nothing deleted, all of it in the history.
    client.logout()
    mod = login(client, moderator)
    mod.post(reverse("moderation:group_archive", args=[group.pk]), {"note": "Group closed"})
    group.refresh_from_db()
    assert group.status == Group.Status.ARCHIVED
    assert Schedule.objects.filter(group=group).exists()
    client.logout()
    assert client.get(reverse("groups:detail", args=[group.pk])).status_code == 404
    actions = list(
        ListingChange.objects.filter(group=group).order_by("pk").values_list("action", flat=True)
    )
    assert actions == [
        "created",
        "schedule_added",
        "submitted",
        "approved",
        "proposed",
        "approved",
        "meeting_cancelled",
        "archived",
    ]


def test_send_back_returns_a_new_listing_to_draft_with_the_note_emailed(
    client, login, organizer_a, moderator, provider_a, commit
):
    group = Group.objects.create(
        organization=provider_a,
        name="New Group",
        description="x",
        format="online",
        status=Group.Status.DRAFT,
    )
    Schedule.objects.create(
        group=group, rrule="", start_date="2030-01-01", start_time="10:00", time_zone="UTC"
    )
    login(client, organizer_a).post(reverse("organizer:group_submit", args=[group.pk]))
    revision = ListingRevision.objects.get(group=group)
    client.logout()
    with commit():
        login(client, moderator).post(
            reverse("moderation:revision_send_back", args=[revision.pk]),
            {"note": "Please say what happens at a first visit."},
        )
    group.refresh_from_db()
    assert group.status == Group.Status.DRAFT
    assert len(mail.outbox) == 1
    assert "Please say what happens at a first visit." in mail.outbox[0].body
    assert "needs a change" in mail.outbox[0].subject
    client.logout()
    page = login(client, organizer_a).get(reverse("organizer:group_manage", args=[group.pk]))
    assert "Please say what happens at a first visit." in page.content.decode()


def test_sending_back_a_change_keeps_the_published_listing(
    client, login, organizer_a, moderator, group_a, commit
):
    login(client, organizer_a).post(
        reverse("organizer:group_edit", args=[group_a.pk]),
        listing_data(name="Renamed Circle"),
    )
    revision = ListingRevision.objects.get(group=group_a, status="pending")
    client.logout()
    mod = login(client, moderator)
    with commit():
        mod.post(
            reverse("moderation:revision_send_back", args=[revision.pk]), {"note": "Too vague"}
        )
    group_a.refresh_from_db()
    assert group_a.name == "Tuesday Evening Circle"
    assert group_a.status == Group.Status.PUBLISHED
    assert len(mail.outbox) == 1 and "Too vague" in mail.outbox[0].body


def test_send_back_needs_a_note_and_says_so_on_the_page(client, login, moderator, group_a):
    revision = ListingRevision.objects.create(
        group=group_a, kind="change", proposed={"name": "X"}, submitted_at="2026-01-01T00:00Z"
    )
    response = login(client, moderator).post(
        reverse("moderation:revision_send_back", args=[revision.pk]), {"note": ""}
    )
    assert response.status_code == 400
    assert "error-summary" in response.content.decode()
    revision.refresh_from_db()
    assert revision.status == ListingRevision.Status.PENDING


def test_a_second_approval_of_the_same_revision_changes_nothing(
    client, login, moderator, group_a, organizer_a, commit
):
    login(client, organizer_a).post(
        reverse("organizer:group_edit", args=[group_a.pk]), listing_data(name="Once")
    )
    revision = ListingRevision.objects.get(group=group_a, status="pending")
    client.logout()
    mod = login(client, moderator)
    url = reverse("moderation:revision_approve", args=[revision.pk])
    with commit():
        mod.post(url, {"note": ""})
    with commit():
        response = mod.post(url, {"note": ""}, follow=True)
    assert "already decided" in response.content.decode()
    assert len(mail.outbox) == 1
    assert ListingChange.objects.filter(group=group_a, action="approved").count() == 1


def test_editing_a_pending_change_again_replaces_it_and_shows_it_in_the_form(
    client, login, organizer_a, group_a
):
    organizer = login(client, organizer_a)
    url = reverse("organizer:group_edit", args=[group_a.pk])
    organizer.post(url, listing_data(name="First try"))
    organizer.post(url, listing_data(name="Second try"))
    pending = ListingRevision.objects.filter(group=group_a, status="pending")
    assert pending.count() == 1 and pending.get().proposed["name"] == "Second try"
    assert 'value="Second try"' in organizer.get(url).content.decode()


def test_editing_back_to_the_published_values_withdraws_the_pending_change(
    client, login, organizer_a, group_a
):
    organizer = login(client, organizer_a)
    url = reverse("organizer:group_edit", args=[group_a.pk])
    organizer.post(url, listing_data(name="Something else"))
    from groups.organizer.listing import listing_snapshot

    snapshot = listing_snapshot(group_a)
    same = listing_data(
        name=snapshot["name"],
        description=snapshot["description"],
        what_to_expect=snapshot["what_to_expect"],
        topics=snapshot["topics"],
        audience=None,
        languages=snapshot["languages"],
        accessibility=None,
        transport=None,
        place_name=group_a.location.name,
        address_1=group_a.location.address_1,
        city=group_a.location.city,
        region=group_a.location.region,
        postcode=group_a.location.postcode,
        directions=None,
        contact_email=None,
    )
    organizer.post(url, same)
    assert not ListingRevision.objects.filter(group=group_a, status="pending").exists()


def test_accepting_new_members_changes_at_once_on_a_published_listing(
    client, login, organizer_a, group_a
):
    login(client, organizer_a).post(
        reverse("organizer:group_edit", args=[group_a.pk]),
        listing_data(accepting_new_members=None, capacity="0"),
    )
    group_a.refresh_from_db()
    assert group_a.accepting_new_members is False and group_a.capacity == 0
    change = ListingChange.objects.get(group=group_a, action="edited")
    assert change.changes["accepting_new_members"] == [True, False]


def test_approved_address_change_leaves_a_shared_place_alone(
    client, login, organizer_a, moderator, group_a, provider_a, commit
):
    neighbour = Group.objects.create(
        organization=provider_a,
        name="Neighbour",
        description="x",
        format="in_person",
        location=group_a.location,
    )
    login(client, organizer_a).post(
        reverse("organizer:group_edit", args=[group_a.pk]),
        listing_data(address_1="99 Oak Avenue"),
    )
    revision = ListingRevision.objects.get(group=group_a, status="pending")
    client.logout()
    with commit():
        login(client, moderator).post(
            reverse("moderation:revision_approve", args=[revision.pk]), {"note": ""}
        )
    group_a.refresh_from_db()
    neighbour.refresh_from_db()
    assert group_a.location.address_1 == "99 Oak Avenue"
    assert group_a.location.geocode_status == Location.GeocodeStatus.OK  # its own copy, located
    assert group_a.location.pk != neighbour.location.pk
    assert neighbour.location.address_1 != "99 Oak Avenue"
    assert neighbour.location.latitude is not None


def test_one_off_event_with_date_time_link_and_capacity(client, login, organizer_a, commit):
    data = listing_data(
        name="Open Day",
        format="online",
        online_url="https://meet.example.org/open-day",
        online_url_public="on",
        capacity="30",
        place_name="",
        address_1="",
        city="",
        region="",
        postcode="",
        directions="",
    )
    data.update(
        {
            "when-date": "2030-05-04",
            "when-start_time": "14:00",
            "when-duration_minutes": "120",
            "when-time_zone": "America/Chicago",
        }
    )
    with commit():
        response = login(client, organizer_a).post(reverse("organizer:event_create"), data)
    assert response.status_code == 302
    event = Group.objects.get(name="Open Day")
    assert event.kind == Group.Kind.EVENT
    assert event.capacity == 30 and event.online_url_public is True
    assert event.location is None
    schedule = event.schedules.get()
    assert schedule.rrule == "" and str(schedule.start_date) == "2030-05-04"
    assert schedule.duration_minutes == 120


def test_event_form_shows_the_organizations_time_zone_by_default(
    client, login, organizer_a, provider_a
):
    provider_a.time_zone = "America/Denver"
    provider_a.save()
    html = login(client, organizer_a).get(reverse("organizer:event_create")).content.decode()
    assert '<option value="America/Denver" selected>' in html


def test_listing_form_errors_sit_next_to_fields_and_keep_what_was_typed(client, login, organizer_a):
    data = listing_data(name="", address_1="", what_to_expect="Kept words")
    response = login(client, organizer_a).post(reverse("organizer:group_create"), data)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="error-summary"' in html
    assert 'id="id_name_error"' in html and 'id="id_address_1_error"' in html
    assert "Kept words" in html and 'value="Eastside Library"' in html
    assert 'value="anxiety" checked' in html or ('value="anxiety"' in html and "checked" in html)
    assert not Group.objects.exists()


def test_moved_meeting_keeps_its_length_in_local_time_and_survives_a_refresh(
    client, login, organizer_a, group_a, commit, notified
):
    meeting = group_a.occurrences.order_by("starts_at").first()
    local_date = meeting.local_start().date()
    with commit():
        login(client, organizer_a).post(
            reverse("organizer:occurrence_move", args=[meeting.pk]),
            {"date": local_date.isoformat(), "start_time": "19:30", "reason": "Room change"},
        )
    assert notified == [meeting.pk]
    meeting.refresh_from_db()
    assert meeting.status == Occurrence.Status.MOVED
    assert meeting.local_start().hour == 19 and meeting.local_start().minute == 30
    assert (meeting.ends_at - meeting.starts_at).total_seconds() == 90 * 60
    group_services.occurrences_refresh(group_id=group_a.pk)
    meeting.refresh_from_db()
    assert meeting.status == Occurrence.Status.MOVED
    assert meeting.local_start().hour == 19
    assert group_a.occurrences.filter(original_starts_at=meeting.original_starts_at).count() == 1


def test_each_meeting_change_calls_the_seam_once(
    client, login, organizer_a, group_a, commit, notified
):
    first, second = group_a.occurrences.order_by("starts_at")[:2]
    organizer = login(client, organizer_a)
    with commit():
        organizer.post(reverse("organizer:occurrence_cancel", args=[first.pk]), {"reason": "Ill"})
    with commit():
        organizer.post(
            reverse("organizer:occurrence_move", args=[second.pk]),
            {"date": "2030-01-01", "start_time": "10:00", "reason": "Holiday"},
        )
    assert notified == [first.pk, second.pk]


def test_cancel_needs_a_reason_and_changes_nothing_without_one(
    client, login, organizer_a, group_a, commit, notified
):
    meeting = group_a.occurrences.first()
    with commit():
        response = login(client, organizer_a).post(
            reverse("organizer:occurrence_cancel", args=[meeting.pk]), {"reason": ""}
        )
    assert response.status_code == 200 and "error-summary" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == Occurrence.Status.SCHEDULED and notified == []


def test_deleting_a_schedule_removes_its_meetings_and_is_in_the_history(
    client, login, organizer_a, group_a, commit
):
    schedule = group_a.schedules.get()
    organizer = login(client, organizer_a)
    assert (
        organizer.get(reverse("organizer:schedule_delete", args=[schedule.pk])).status_code == 200
    )
    with commit():
        organizer.post(reverse("organizer:schedule_delete", args=[schedule.pk]))
    assert not group_a.schedules.exists() and not group_a.occurrences.exists()
    group_a.refresh_from_db()
    assert group_a.next_meeting_at is None
    assert ListingChange.objects.filter(group=group_a, action="schedule_removed").exists()


def test_editing_a_schedule_keeps_cancelled_meetings(
    client, login, organizer_a, group_a, commit, notified
):
    meeting = group_a.occurrences.order_by("starts_at").first()
    organizer = login(client, organizer_a)
    with commit():
        organizer.post(reverse("organizer:occurrence_cancel", args=[meeting.pk]), {"reason": "x"})
    schedule = group_a.schedules.get()
    with commit():
        organizer.post(
            reverse("organizer:schedule_edit", args=[schedule.pk]),
            {
                **{
                    "repeat": "weekly",
                    "weekdays": ["1"],
                    "interval": "1",
                    "start_time": "18:00",
                    "duration_minutes": "120",
                    "time_zone": "America/Chicago",
                    "start_date": schedule.start_date.isoformat(),
                },
            },
        )
    meeting.refresh_from_db()
    assert meeting.status == Occurrence.Status.CANCELLED
    schedule.refresh_from_db()
    assert schedule.duration_minutes == 120
    assert ListingChange.objects.filter(group=group_a, action="schedule_changed").exists()


def test_a_new_address_is_geocoded_after_saving(
    client, login, organizer_a, django_capture_on_commit_callbacks
):
    login(client, organizer_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("organizer:group_create"), listing_data())
    assert response.status_code == 302
    location = Group.objects.get(name="Thursday Anxiety Group").location
    location.refresh_from_db()
    assert location.geocode_status == Location.GeocodeStatus.OK
    assert abs(location.latitude - 39.8) < 0.2 and abs(location.longitude + 89.65) < 0.2
