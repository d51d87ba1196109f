"""iCalendar (.ics) files for one meeting or a group's whole series.

Built with the `icalendar` package: times carry the group's IANA zone with a
VTIMEZONE, the series is an RRULE, cancelled meetings are EXDATEs and moved
ones are overriding events (RECURRENCE-ID) under the same UID.
"""

from datetime import datetime

from django.conf import settings
from django.urls import reverse
from icalendar import Calendar, Event, vRecur

from groups.models import Group, Occurrence, Schedule
from groups.schedule import zone

PRODID = "-//Kindred//Community support groups//EN"


def _host() -> str:
    return settings.SITE_URL.split("://", 1)[-1].split("/")[0]


def _calendar() -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    return cal


def _describe(event: Event, group: Group) -> None:
    url = settings.SITE_URL.rstrip("/") + reverse("groups:detail", args=[group.pk])
    event.add("summary", group.name)
    text = [group.description]
    if group.what_to_expect:
        text.append(group.what_to_expect)
    if group.online_url and group.online_url_public:
        text.append(group.online_url)
    text.append(url)
    event.add("description", "\n\n".join(text))
    event.add("url", url)
    if group.location_id and group.meets_in_person:
        event.add("location", group.location.one_line())
        if group.location.has_coordinates:
            event.add("geo", (group.location.latitude, group.location.longitude))


def occurrence_ics(*, group: Group, occurrence: Occurrence) -> bytes:
    tz = zone(occurrence.schedule.time_zone)
    cal = _calendar()
    event = Event()
    event.add("uid", f"kindred-occurrence-{occurrence.pk}@{_host()}")
    event.add("dtstamp", datetime.now(tz=zone("UTC")))
    event.add("dtstart", occurrence.starts_at.astimezone(tz))
    event.add("dtend", occurrence.ends_at.astimezone(tz))
    if occurrence.is_cancelled:
        event.add("status", "CANCELLED")
    _describe(event, group)
    cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()


def _series_event(group: Group, schedule: Schedule, changed: list[Occurrence]) -> list[Event]:
    tz = zone(schedule.time_zone)
    uid = f"kindred-group-{group.pk}-schedule-{schedule.pk}@{_host()}"
    start = datetime.combine(schedule.start_date, schedule.start_time).replace(tzinfo=tz)
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", datetime.now(tz=zone("UTC")))
    event.add("dtstart", start)
    event.add("duration", _duration(schedule))
    if schedule.rrule.strip():
        rule = vRecur.from_ical(schedule.rrule.strip().removeprefix("RRULE:"))
        if schedule.end_date and "UNTIL" not in rule and "COUNT" not in rule:
            until = datetime.combine(schedule.end_date, datetime.max.time()).replace(tzinfo=tz)
            rule["UNTIL"] = until.astimezone(zone("UTC")).replace(microsecond=0)
        event.add("rrule", rule)
    _describe(event, group)
    events = [event]
    for occurrence in changed:
        original = occurrence.original_starts_at.astimezone(tz)
        if occurrence.is_cancelled:
            event.add("exdate", original)
            continue
        moved = Event()
        moved.add("uid", uid)
        moved.add("dtstamp", datetime.now(tz=zone("UTC")))
        moved.add("recurrence-id", original)
        moved.add("dtstart", occurrence.starts_at.astimezone(tz))
        moved.add("dtend", occurrence.ends_at.astimezone(tz))
        _describe(moved, group)
        if occurrence.note:
            moved.add("comment", occurrence.note)
        events.append(moved)
    return events


def _duration(schedule: Schedule):
    from datetime import timedelta

    return timedelta(minutes=schedule.duration_minutes)


def series_ics(*, group: Group) -> bytes:
    cal = _calendar()
    changed = list(
        Occurrence.objects.filter(group=group)
        .exclude(status=Occurrence.Status.SCHEDULED)
        .order_by("original_starts_at")
    )
    for schedule in group.schedules.all():
        mine = [o for o in changed if o.schedule_id == schedule.pk]
        for event in _series_event(group, schedule, mine):
            cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()
