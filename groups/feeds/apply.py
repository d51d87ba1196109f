"""Applying a run's staged records: one transaction, keyed by (partner, external id).

Listings that left the feed are archived in the same transaction, after every staged
record has been applied, so a run that fails part way archives nothing. Nothing is
ever deleted. Only the fields the partner owns are overwritten on an update.
"""

import json
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from groups import geo
from groups.models import (
    FEED_FIELDS,
    FeedRecord,
    Group,
    ImportRun,
    Location,
    Occurrence,
    Schedule,
)
from groups.schedule import ScheduleError, zone
from groups.services import occurrences_cancel_and_tell

CHUNK = 1000
# The feed fields copied straight from the payload's group: FEED_FIELDS less those
# that come from its location (access) or are applied on their own (place, schedules).
SIMPLE_FIELDS = tuple(
    f
    for f in FEED_FIELDS
    if f not in ("accessibility", "accessibility_detail", "location", "schedules")
)
LOCATION_FIELDS = (
    "name",
    "address_1",
    "address_2",
    "city",
    "region",
    "postcode",
    "country",
    "latitude",
    "longitude",
    "directions",
)


def preview(*, run: ImportRun, partner, seen: set) -> None:
    """Counts a real run would report, without writing to the directory."""
    staged = set(run.staged_records.values_list("external_id", flat=True))
    existing = set(Group.objects.filter(partner=partner).values_list("external_id", flat=True))
    run.created = len(staged - existing)
    run.updated = len(staged & existing)
    run.archived = len(_leaving(partner, seen))


def _leaving(partner, seen: set) -> list[int]:
    rows = (
        Group.objects.filter(partner=partner)
        .exclude(status=Group.Status.ARCHIVED)
        .values_list("pk", "external_id")
    )
    return [pk for pk, external_id in rows.iterator(chunk_size=5000) if external_id not in seen]


def apply_run(*, run: ImportRun, partner, state, seen: set) -> bool:
    owned = set(state.owned_fields)
    with transaction.atomic():
        staged = run.staged_records.order_by("pk")
        last_pk = 0
        while True:
            chunk = list(staged.filter(pk__gt=last_pk)[:CHUNK])
            if not chunk:
                break
            last_pk = chunk[-1].pk
            for record in chunk:
                record.payload = json.loads(record.payload)
            _apply_chunk(run, partner, owned, chunk)
        leaving = _leaving(partner, seen)
        for start in range(0, len(leaving), CHUNK):
            ids = leaving[start : start + CHUNK]
            Group.objects.filter(pk__in=ids).update(
                status=Group.Status.ARCHIVED, updated_at=timezone.now()
            )
            # A listing that comes back later must be applied again, not skipped as unchanged.
            FeedRecord.objects.filter(group_id__in=ids).update(record_hash="")
        run.archived = len(leaving)
    return bool(run.created or run.updated or run.archived)


def _apply_chunk(run, partner, owned: set, chunk: list) -> None:
    ids = [s.external_id for s in chunk]
    existing = {
        g.external_id: g
        for g in Group.objects.filter(partner=partner, external_id__in=ids).select_related(
            "location"
        )
    }
    creates = [s for s in chunk if s.external_id not in existing]
    updates = [(s, existing[s.external_id]) for s in chunk if s.external_id in existing]
    groups = _create(run, partner, creates)
    groups += _update(owned, updates)
    run.updated += len(updates)
    _replace_schedules(
        [(s, g) for s, g in zip(creates, groups[: len(creates)], strict=True)]
        + ([(s, g) for s, g in updates] if "schedules" in owned else [])
    )
    FeedRecord.objects.bulk_create(
        [
            FeedRecord(
                partner=partner,
                external_id=s.external_id,
                service_id=s.payload.get("service_id", "")[:255],
                group=g,
                record_hash=s.record_hash,
                unmapped_text=s.payload.get("unmapped_text", ""),
                applied_run=run,
            )
            for s, g in zip(creates + [s for s, _g in updates], groups, strict=True)
        ],
        update_conflicts=True,
        unique_fields=["partner", "external_id"],
        update_fields=[
            "service_id",
            "group",
            "record_hash",
            "unmapped_text",
            "applied_run",
            "updated_at",
        ],
    )


def _location(payload: dict | None) -> Location | None:
    if not payload:
        return None
    values = {k: payload.get(k) for k in LOCATION_FIELDS}
    values = {
        k: ("" if v is None and k not in ("latitude", "longitude") else v)
        for k, v in values.items()
    }
    status = (
        Location.GeocodeStatus.OK
        if values["latitude"] is not None
        else Location.GeocodeStatus.PENDING
    )
    return Location(**values, geocode_status=status)


def _group_values(payload: dict) -> dict:
    values = {k: payload["group"].get(k) for k in SIMPLE_FIELDS}
    if values["cost_amount"] is not None:
        values["cost_amount"] = Decimal(values["cost_amount"])
    for key in ("audience", "topics", "languages"):
        values[key] = tuple(values[key] or ())
    for key in SIMPLE_FIELDS:
        if values[key] is None and key != "cost_amount":
            values[key] = ""
    location = payload.get("location") or {}
    values["accessibility"] = tuple(location.get("accessibility") or ())
    values["accessibility_detail"] = location.get("accessibility_detail") or ""
    return values


def _search_columns(group: Group) -> None:
    location = group.location
    if group.meets_in_person and location is not None and location.has_coordinates:
        group.latitude, group.longitude = location.latitude, location.longitude
        group.grid_cell = geo.grid_cell(location.latitude, location.longitude)
    else:
        group.latitude = group.longitude = group.grid_cell = None


def _create(run, partner, staged: list) -> list[Group]:
    locations = [_location(s.payload.get("location")) for s in staged]
    Location.objects.bulk_create([loc for loc in locations if loc is not None], batch_size=CHUNK)
    groups = []
    for s, location in zip(staged, locations, strict=True):
        group = Group(
            organization_id=partner.organization_id,
            partner=partner,
            external_id=s.external_id,
            source=Group.Source.FEED,
            status=s.payload["group"].get("status") or Group.Status.PUBLISHED,
            location=location,
            **_group_values(s.payload),
        )
        _search_columns(group)
        groups.append(group)
    Group.objects.bulk_create(groups, batch_size=CHUNK)
    run.created += len(groups)
    return groups


def _update(owned: set, pairs: list) -> list[Group]:
    changed_locations, new_locations = [], []
    fields = {"status", "latitude", "longitude", "grid_cell", "updated_at", "last_verified_at"}
    now = timezone.now()
    for s, group in pairs:
        values = _group_values(s.payload)
        for key, value in values.items():
            owner_key = "accessibility" if key == "accessibility_detail" else key
            if owner_key in owned:
                setattr(group, key, value)
                fields.add(key)
        if group.status in (Group.Status.PUBLISHED, Group.Status.ARCHIVED):
            group.status = s.payload["group"].get("status") or Group.Status.PUBLISHED
        if "location" in owned:
            fresh = _location(s.payload.get("location"))
            if fresh is None:
                group.location = None
            elif group.location is None:
                group.location = fresh
                new_locations.append(fresh)
            else:
                for key in LOCATION_FIELDS:
                    setattr(group.location, key, getattr(fresh, key))
                group.location.geocode_status = fresh.geocode_status
                changed_locations.append(group.location)
            fields.add("location")
        group.updated_at = group.last_verified_at = now
        _search_columns(group)
    Location.objects.bulk_create(new_locations, batch_size=CHUNK)
    for _s, group in pairs:
        group.location_id = group.location.pk if group.location else None
    Location.objects.bulk_update(
        changed_locations, [*LOCATION_FIELDS, "geocode_status"], batch_size=CHUNK
    )
    groups = [g for _s, g in pairs]
    Group.objects.bulk_update(groups, sorted(fields), batch_size=CHUNK)
    return groups


PARTNER_CANCELLED = "Cancelled in the partner's calendar"
SCHEDULE_FIELDS = ("rrule", "start_date", "start_time", "duration_minutes", "time_zone", "end_date")


def _replace_schedules(pairs: list) -> None:
    """Give each listing the feed's schedules, keeping the meetings people count on.

    A schedule the feed still has, unchanged (its cancelled dates to come too), is kept
    with its meetings and their reminders: replacing it recreated every meeting, so a
    renamed listing lost its reminders and a "tomorrow" reminder already sent went out
    again for the new row. A changed schedule takes over one that left, in place: the
    occurrences refresh that follows then keeps the dropped meetings someone has a
    reminder for as cancelled and tells them. Schedules left over are removed; new
    ones are created.
    """
    if not pairs:
        return
    now = timezone.now()
    groups = [g for _s, g in pairs]
    on_hand: dict[int, list[Schedule]] = {}
    for schedule in Schedule.objects.filter(group__in=groups).order_by("pk"):
        on_hand.setdefault(schedule.group_id, []).append(schedule)
    cancelled = _partner_cancelled([sch for each in on_hand.values() for sch in each], now)
    kept, created, changed = [], [], []
    for s, group in pairs:
        wanted = [
            (_schedule_from(item, group), item.get("exdates") or [])
            for item in s.payload.get("schedules") or []
        ]
        left = on_hand.get(group.pk, [])
        unmatched = []
        for schedule, dates in wanted:
            slots = set(_exdate_slots(schedule, dates, now))
            match = next(
                (
                    old
                    for old in left
                    if _schedule_key(old) == _schedule_key(schedule)
                    and cancelled.get(old.pk, set()) == slots
                ),
                None,
            )
            if match is None:
                unmatched.append((schedule, dates))
            else:
                left.remove(match)
                kept.append(match)
        for (schedule, dates), old in zip(unmatched, left, strict=False):
            for name in SCHEDULE_FIELDS:
                setattr(old, name, getattr(schedule, name))
            changed.append((old, dates))
        created += unmatched[len(left) :]
    in_use = [schedule.pk for schedule in kept] + [old.pk for old, _dates in changed]
    Schedule.objects.filter(group__in=groups).exclude(pk__in=in_use).delete()
    Schedule.objects.bulk_update(
        [old for old, _dates in changed], SCHEDULE_FIELDS, batch_size=CHUNK
    )
    Schedule.objects.bulk_create([schedule for schedule, _dates in created], batch_size=CHUNK)
    _forget_partner_cancellations([old for old, _dates in changed], now)
    _cancel_exdates(created, now)
    _cancel_exdates(changed, now, in_place=True)


def _schedule_from(item: dict, group: Group) -> Schedule:
    return Schedule(
        group=group,
        rrule=item["rrule"],
        start_date=date.fromisoformat(item["start_date"]),
        start_time=time.fromisoformat(item["start_time"]),
        duration_minutes=item["duration_minutes"],
        time_zone=item["time_zone"],
        end_date=date.fromisoformat(item["end_date"]) if item.get("end_date") else None,
    )


def _schedule_key(schedule: Schedule) -> tuple:
    return tuple(getattr(schedule, name) for name in SCHEDULE_FIELDS)


def _partner_cancelled(schedules: list[Schedule], now: datetime) -> dict[int, set]:
    """Per schedule, the meetings to come that the partner's calendar cancelled."""
    cancelled: dict[int, set] = {}
    rows = _partner_cancellations(schedules, now).values_list("schedule_id", "original_starts_at")
    for schedule_id, starts_at in rows:
        cancelled.setdefault(schedule_id, set()).add(starts_at)
    return cancelled


def _partner_cancellations(schedules: list[Schedule], now: datetime):
    return Occurrence.objects.filter(
        schedule__in=schedules,
        status=Occurrence.Status.CANCELLED,
        note=PARTNER_CANCELLED,
        original_starts_at__gte=now,
    )


def _forget_partner_cancellations(schedules: list[Schedule], now: datetime) -> None:
    """A changed schedule's cancelled dates come afresh from the feed: the old ones go
    (the refresh makes the meetings again where the rule still has them)."""
    if schedules:
        _partner_cancellations(schedules, now).delete()


def _exdate_slots(schedule: Schedule, dates: list, now: datetime) -> list[datetime]:
    """A partner's EXDATEs still to come, as the meeting times they cancel."""
    slots = []
    for text in dates:
        try:
            local = datetime.fromisoformat(text).replace(tzinfo=zone(schedule.time_zone))
        except (ValueError, ScheduleError):
            continue
        if local >= now:
            slots.append(local)
    return slots


def _cancel_exdates(schedules: list[tuple[Schedule, list]], now: datetime, *, in_place=False):
    """A partner's EXDATE is a meeting that will not happen: kept as a cancelled slot.

    A changed schedule's meetings are already there (`in_place`): one that an EXDATE
    now cancels is cancelled and the people with a reminder for it are told, as when
    an organizer cancels one meeting.
    """
    slots = [
        (schedule, local)
        for schedule, dates in schedules
        for local in _exdate_slots(schedule, dates, now)
    ]
    if in_place and slots:
        wanted = {(schedule.pk, local) for schedule, local in slots}
        existing = Occurrence.objects.filter(
            schedule__in={schedule for schedule, _local in slots},
            status=Occurrence.Status.SCHEDULED,
        )
        occurrences_cancel_and_tell(
            occurrences=[r for r in existing if (r.schedule_id, r.original_starts_at) in wanted],
            now=now,
            note=PARTNER_CANCELLED,
        )
    rows = [
        Occurrence(
            group_id=schedule.group_id,
            schedule=schedule,
            original_starts_at=local,
            starts_at=local,
            ends_at=local + timedelta(minutes=schedule.duration_minutes),
            status=Occurrence.Status.CANCELLED,
            note=PARTNER_CANCELLED,
            changed_at=now,
        )
        for schedule, local in slots
    ]
    Occurrence.objects.bulk_create(rows, ignore_conflicts=True, batch_size=CHUNK)
