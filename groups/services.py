"""Writes to the directory. Keyword-only, typed, named <entity>_<action>."""

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from groups import geo
from groups.models import Group, Occurrence
from groups.schedule import ScheduleError, expand, zone
from groups.vocabularies import DAYS, time_of_day_code

OCCURRENCE_WINDOW = timedelta(weeks=8)


def group_sync_search_fields(*, group: Group, now: datetime | None = None) -> None:
    """Recompute the derived search columns from the location and upcoming meetings."""
    now = now or timezone.now()
    location = group.location
    if group.meets_in_person and location is not None and location.has_coordinates:
        group.latitude, group.longitude = location.latitude, location.longitude
        group.grid_cell = geo.grid_cell(location.latitude, location.longitude)
    else:
        group.latitude = group.longitude = group.grid_cell = None

    upcoming = (
        Occurrence.objects.filter(group=group, starts_at__gte=now)
        .exclude(status=Occurrence.Status.CANCELLED)
        .select_related("schedule")
        .order_by("starts_at")
    )
    days, times, next_at, next_zone = set(), set(), None, ""
    for occurrence in upcoming:
        local = occurrence.starts_at.astimezone(zone(occurrence.schedule.time_zone))
        days.add(DAYS.codes[local.weekday()])
        times.add(time_of_day_code(local.hour))
        if next_at is None:
            next_at, next_zone = occurrence.starts_at, occurrence.schedule.time_zone
    group.meeting_days = tuple(days)
    group.times_of_day = tuple(times)
    group.next_meeting_at = next_at
    group.next_meeting_time_zone = next_zone
    Group.objects.filter(pk=group.pk).update(
        latitude=group.latitude,
        longitude=group.longitude,
        grid_cell=group.grid_cell,
        meeting_days=group.meeting_days,
        times_of_day=group.times_of_day,
        next_meeting_at=group.next_meeting_at,
        next_meeting_time_zone=group.next_meeting_time_zone,
    )


def occurrences_refresh(*, group_id: int, now: datetime | None = None) -> int:
    """Materialize the group's meetings for the next eight weeks.

    Idempotent: a second run finds every slot present and changes nothing.
    Cancelled or moved meetings keep their state. Returns how many rows it created.
    """
    now = now or timezone.now()
    window_end = now + OCCURRENCE_WINDOW
    with transaction.atomic():
        # Locking the group row serializes two refreshes of the same group.
        # of=("self",): PostgreSQL cannot lock the nullable side of the location join.
        group = (
            Group.objects.select_for_update(of=("self",))
            .select_related("location")
            .get(pk=group_id)
        )
        existing = {
            (o.schedule_id, o.original_starts_at): o
            for o in Occurrence.objects.filter(group=group, original_starts_at__gte=now)
        }
        wanted: set = set()
        to_create, to_update = [], []
        for schedule in group.schedules.all():
            try:
                meetings = expand(
                    rule=schedule.rrule,
                    start_date=schedule.start_date,
                    start_time=schedule.start_time,
                    duration_minutes=schedule.duration_minutes,
                    time_zone=schedule.time_zone,
                    end_date=schedule.end_date,
                    window_start=now,
                    window_end=window_end,
                )
            except ScheduleError:
                continue  # an invalid stored rule yields no meetings; forms prevent new ones
            for meeting in meetings:
                key = (schedule.pk, meeting.starts_at)
                wanted.add(key)
                row = existing.get(key)
                if row is None:
                    to_create.append(
                        Occurrence(
                            group=group,
                            schedule=schedule,
                            original_starts_at=meeting.starts_at,
                            starts_at=meeting.starts_at,
                            ends_at=meeting.ends_at,
                        )
                    )
                elif row.status == Occurrence.Status.SCHEDULED and row.ends_at != meeting.ends_at:
                    row.ends_at = meeting.ends_at
                    to_update.append(row)
        Occurrence.objects.bulk_create(to_create, ignore_conflicts=True)
        Occurrence.objects.bulk_update(to_update, ["ends_at"])
        stale = [
            row
            for key, row in existing.items()
            if key not in wanted and row.status == Occurrence.Status.SCHEDULED
        ]
        kept = {row.pk for row in _occurrences_cancel_awaited(stale, now)}
        Occurrence.objects.filter(pk__in=[row.pk for row in stale if row.pk not in kept]).delete()
        group_sync_search_fields(group=group, now=now)
    return len(to_create)


def _occurrences_cancel_awaited(stale: list[Occurrence], now: datetime) -> list[Occurrence]:
    """Of the meetings the schedule no longer has, those someone has a reminder for.

    A changed schedule used to delete them, and their reminders with them: a person
    reminded the day before of a meeting that then vanished was never told. They are
    kept as cancelled instead (the group page shows them so until they pass) and
    everyone with a reminder is told, as when an organizer cancels one meeting.
    Reminders exist only for the next REMINDERS_HORIZON_HOURS, so a schedule change
    means a notice or two, not one for every meeting of the next eight weeks.
    """
    from groups.reminders.selectors import occurrences_awaited

    if not stale:
        return []
    awaited_ids = occurrences_awaited(occurrences=stale)
    awaited = [row for row in stale if row.pk in awaited_ids]
    occurrences_cancel_and_tell(occurrences=awaited, now=now)
    return awaited


def occurrences_cancel_and_tell(
    *, occurrences: list[Occurrence], now: datetime, note: str | None = None
) -> None:
    """Cancel these meetings and, after commit, tell everyone with a reminder for them
    (groups.notifications), as an organizer's cancellation of one meeting does."""
    from groups import notifications

    fields = ["status", "changed_at"] + (["note"] if note is not None else [])
    for row in occurrences:
        row.status, row.changed_at = Occurrence.Status.CANCELLED, now
        if note is not None:
            row.note = note
        transaction.on_commit(lambda pk=row.pk: notifications.occurrence_changed(occurrence_id=pk))
    Occurrence.objects.bulk_update(occurrences, fields, batch_size=1000)


def occurrences_refresh_all(*, now: datetime | None = None) -> int:
    """Refresh every group that is not archived; returns the number of rows created.

    Removed schedules whose last awaited meeting has passed are deleted first.
    """
    schedules_removed_purge(now=now)
    created = 0
    ids = Group.objects.exclude(status=Group.Status.ARCHIVED).values_list("pk", flat=True)
    for group_id in ids.iterator(chunk_size=500):
        created += occurrences_refresh(group_id=group_id, now=now)
    return created


def schedules_removed_purge(*, now: datetime | None = None) -> int:
    """Delete the removed schedules (Schedule.removed_at) with no meeting still to come."""
    from groups.models import Schedule

    now = now or timezone.now()
    done = (
        Schedule.all_objects.filter(removed_at__isnull=False)
        .exclude(occurrences__starts_at__gte=now)
        .values_list("pk", flat=True)
    )
    deleted, _by_model = Schedule.all_objects.filter(pk__in=list(done)).delete()
    return deleted


def location_geocode(*, location_id: int) -> str:
    """Place a meeting location from its address; returns the new geocode status.

    A failure leaves the groups listed without a distance and puts the place on
    the moderators' "could not locate" page. Coordinates placed by hand are kept.
    """
    from groups.geocoding import geocode_address
    from groups.models import Location

    location = Location.objects.get(pk=location_id)
    if location.geocode_status == Location.GeocodeStatus.MANUAL:
        return location.geocode_status
    place = geocode_address(
        address_1=location.address_1,
        city=location.city,
        region=location.region,
        postcode=location.postcode,
        country=location.country,
    )
    if place is not None:
        location.latitude, location.longitude = place.latitude, place.longitude
        location.geocode_status = Location.GeocodeStatus.OK
    else:
        location.latitude = location.longitude = None
        location.geocode_status = Location.GeocodeStatus.FAILED
    location.save(update_fields=["latitude", "longitude", "geocode_status", "updated_at"])
    for group in Group.objects.filter(location=location).select_related("location"):
        group_sync_search_fields(group=group)
    return location.geocode_status


def location_geocode_later(*, location_id: int) -> None:
    """Queue geocoding for after the current transaction commits (call on every address save)."""
    from groups import tasks

    transaction.on_commit(lambda: tasks.geocode_location.delay(location_id))


def locations_geocode_pending(*, limit: int = 200) -> int:
    """Geocode places still pending (a queued task lost with a broker restart, say).

    Bounded per run so an online geocoder's rate limit is respected. Returns how many
    places it tried.
    """
    from groups.models import Location

    ids = list(
        Location.objects.filter(geocode_status=Location.GeocodeStatus.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    for location_id in ids:
        location_geocode(location_id=location_id)
    return len(ids)
