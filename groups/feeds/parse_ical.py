"""iCalendar (.ics): a partner's calendar of group meetings, one VEVENT per group.

Each master VEVENT (one without RECURRENCE-ID) becomes one HSDS-shaped service so it
passes the same validation as any feed; what HSDS cannot say (a full RRULE, EXDATE, a
TZID zone) travels beside it in RawRecord.extras. An override marked CANCELLED is an
EXDATE of its master. A calendar is small, so it is parsed whole, under the byte cap.
"""

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from icalendar import Calendar

from groups.feeds.records import FeedParseError, RawRecord
from groups.schedule import ScheduleError, zone


def _calendar(path: Path) -> Calendar:
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if not raw.strip():
        raise FeedParseError("The calendar file is empty.")
    if not raw.lstrip().upper().startswith(b"BEGIN:VCALENDAR"):
        if raw.lstrip().startswith(b"<"):
            raise FeedParseError(
                "The calendar is an HTML page: the partner's server probably sent an error page."
            )
        raise FeedParseError("The file is not an iCalendar file (no BEGIN:VCALENDAR).")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise FeedParseError("The calendar is not UTF-8 text.") from None
    try:
        return Calendar.from_ical(text)
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise FeedParseError(f"The calendar cannot be read: {str(exc)[:160]}.") from None


def iter_records(path: Path, *, default_zone: str) -> Iterator[RawRecord]:
    calendar = _calendar(path)
    masters, cancelled = [], {}
    for event in calendar.walk("VEVENT"):
        uid = str(event.get("UID", "")).strip()
        if event.get("RECURRENCE-ID") is not None:
            if str(event.get("STATUS", "")).upper() == "CANCELLED":
                cancelled.setdefault(uid, []).append(event.get("RECURRENCE-ID").dt)
            continue
        masters.append((uid, event))
    for position, (uid, event) in enumerate(masters, 1):
        try:
            yield RawRecord(position, *_service(uid, event, cancelled.get(uid, []), default_zone))
        except (ScheduleError, ValueError, TypeError, KeyError, AttributeError) as exc:
            yield RawRecord(position, {"id": uid}, error=str(exc)[:300] or "unreadable event")


def _text(event, key: str) -> str:
    value = event.get(key)
    return str(value) if value is not None else ""


def _service(uid: str, event, cancelled: list, default_zone: str) -> tuple[dict, str, dict]:
    if not uid:
        return {}, "the event has no UID, so it cannot be followed from one import to the next", {}
    if "DTSTART" not in event:
        return {"id": uid}, "the event has no start (DTSTART)", {}
    start_prop = event["DTSTART"]
    start = start_prop.dt
    tzid = start_prop.params.get("TZID")
    if tzid:
        zone(str(tzid))  # raises ScheduleError for a zone nobody knows
    local_zone = str(tzid) if tzid else default_zone
    if isinstance(start, datetime) and start.tzinfo is not None:
        start = start.astimezone(ZoneInfo(local_zone))
    if not isinstance(start, datetime):
        start = datetime.combine(start, datetime.min.time())
    duration = _duration_minutes(event, start, local_zone)
    rrule = event.get("RRULE")
    rule_text = rrule.to_ical().decode() if rrule is not None else ""
    exdates = []
    for prop in _as_list(event.get("EXDATE")):
        for item in prop.dts:
            exdates.append(_local(item.dt, local_zone))
    exdates += [_local(d, local_zone) for d in cancelled]
    service = {"id": uid, "name": _text(event, "SUMMARY") or uid, "status": "active"}
    if event.get("DESCRIPTION") is not None:
        service["description"] = _text(event, "DESCRIPTION")
    if event.get("URL") is not None:
        service["url"] = _text(event, "URL")
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        service["status"] = "inactive"
    location = _location(uid, event)
    if location:
        service["service_at_locations"] = [{"id": f"{uid}#sal", "location": location}]
    extras = {
        "rrule": rule_text,
        "time_zone": local_zone,
        "start": start.replace(tzinfo=None).isoformat(),
        "duration_minutes": duration,
        "exdates": [d.isoformat() for d in exdates if d is not None],
    }
    return service, "", extras


def _as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _local(value, local_zone: str):
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(ZoneInfo(local_zone))
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return datetime.combine(value, datetime.min.time())
    return None


def _duration_minutes(event, start: datetime, local_zone: str) -> int:
    if event.get("DURATION") is not None:
        delta = event["DURATION"].dt
    elif event.get("DTEND") is not None:
        end = event["DTEND"].dt
        if isinstance(end, datetime) and end.tzinfo is not None:
            end = end.astimezone(ZoneInfo(local_zone)).replace(tzinfo=None)
        if not isinstance(end, datetime):
            end = datetime.combine(end, datetime.min.time())
        delta = end - start.replace(tzinfo=None)
    else:
        delta = timedelta(minutes=90)
    minutes = int(delta.total_seconds() // 60)
    if not 0 < minutes <= 24 * 60:
        raise ValueError(f"the meeting lasts {minutes} minutes, which cannot be right")
    return minutes


def _location(uid: str, event) -> dict | None:
    where = _text(event, "LOCATION").strip()
    geo = event.get("GEO")
    url = _text(event, "URL")
    online = where.lower().startswith(("http://", "https://")) or where.lower() in (
        "online",
        "zoom",
        "virtual",
    )
    if not where and geo is None:
        return None
    location = {"id": f"{uid}#loc", "location_type": "virtual" if online else "physical"}
    if online:
        location["url"] = where if where.lower().startswith("http") else url or ""
        if not location["url"]:
            del location["url"]
    else:
        location["name"] = where[:200]
        location["addresses"] = []
    if geo is not None:
        location["latitude"], location["longitude"] = float(geo.latitude), float(geo.longitude)
    return location
