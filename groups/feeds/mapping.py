"""One HSDS 3.0 service to Kindred groups (one per service at location).

The result is a JSON-ready payload, staged as it is and applied later. A record that
cannot make a listing (no usable id, coordinates that cannot be right, an unknown time
zone) raises MappingError with a reason for the report. Values no vocabulary holds are
kept as text (languages_other, accessibility_detail, cost_detail, ...) and counted.
"""

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from groups import geo
from groups.feeds import vocab_map
from groups.feeds.sanitize import email_address, phone_number, plain_text, web_link
from groups.schedule import ScheduleError, parse_rule, zone

MAX_DESCRIPTION = 10_000
DEFAULT_DURATION = 90
_BYDAY = re.compile(r"^(?:[+-]?[1-5])?(MO|TU|WE|TH|FR|SA|SU)$")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?$", re.I)


class MappingError(ValueError):
    """This record cannot become a listing; the message says why, in plain words."""


@dataclass
class Notes:
    """What a record's mapping could not keep exactly, for the run report."""

    unmapped: Counter = field(default_factory=Counter)  # (category, value) -> n
    warnings: Counter = field(default_factory=Counter)  # message -> n
    texts: list = field(default_factory=list)

    def keep(self, category: str, value: str) -> None:
        value = str(value)[:100]
        self.unmapped[(category, value)] += 1
        self.texts.append(f"{category}: {value}")

    def warn(self, message: str) -> None:
        self.warnings[message] += 1


def services_to_listings(
    service: dict, *, time_zone: str, extras: dict | None = None
) -> tuple[list[tuple[str, dict]], Notes]:
    """[(external_id, payload)] for one valid HSDS service, and the notes."""
    notes = Notes()
    service_id = str(service.get("id", "")).strip()
    if not service_id or len(service_id) > 200:
        raise MappingError("the service has no usable id (it must be 1 to 200 characters)")
    zone(time_zone)
    base = _group_fields(service, notes)
    sals = [s for s in service.get("service_at_locations") or [] if isinstance(s, dict)]
    service_schedules = service.get("schedules") or []
    listings = []
    for sal in sals or [None]:
        location, online_url, kind = _location(sal, notes)
        group = dict(base)
        group["format"] = _format(kind, bool(online_url or group["website"]), group)
        group["online_url"] = online_url or (
            group["website"] if group["format"] == "online" else ""
        )
        schedules_in = list(service_schedules) + list((sal or {}).get("schedules") or [])
        if extras and extras.get("start"):
            schedules = [_ical_schedule(extras, time_zone)]
        else:
            schedules = [
                s for s in (_schedule(x, time_zone, notes) for x in schedules_in) if s is not None
            ]
        external_id = service_id if len(sals) <= 1 else f"{service_id}/{sal.get('id', '')}"
        payload = {
            "group": group,
            "location": location,
            "schedules": schedules,
            "unmapped_text": "\n".join(notes.texts)[:5000],
        }
        listings.append((external_id[:255], payload))
    return listings, notes


def _text(value, notes: Notes, label: str, max_length: int) -> str:
    text, cut = plain_text(value, max_length=max_length)
    if cut:
        notes.warn(f"{label} shortened to {max_length} characters")
    return text


def _group_fields(service: dict, notes: Notes) -> dict:
    name = _text(service.get("name"), notes, "name", 200)
    if not name:
        raise MappingError("the service has no name")
    description = _text(service.get("description"), notes, "description", MAX_DESCRIPTION)
    website = web_link(service.get("url"))
    if service.get("url") and not website:
        notes.warn("a link that is not http(s) was dropped")
    group = {
        "name": name,
        "description": description or name,
        "what_to_expect": _text(service.get("application_process"), notes, "process", 5000),
        "status": "archived" if service.get("status") in ("inactive", "defunct") else "published",
        "website": website,
        "contact_email": email_address(service.get("email")),
        "contact_phone": "",
        "facilitation": "peer",
        "registration_required": False,
        "audience": [],
        "topics": [],
        "cost": "free",
        "cost_amount": None,
        "cost_detail": _text(service.get("fees_description"), notes, "fees", 300),
    }
    for phone in service.get("phones") or []:
        if isinstance(phone, dict) and phone_number(phone.get("number")):
            group["contact_phone"] = phone_number(phone.get("number"))[:40]
            break
    _languages(service.get("languages") or [], group, notes)
    _costs(service.get("cost_options") or [], group, notes)
    _terms(service.get("attributes") or [], group, notes)
    return group


def _languages(languages: list, group: dict, notes: Notes) -> None:
    codes, other = set(), []
    for language in languages:
        if not isinstance(language, dict):
            continue
        code = vocab_map.language_code(
            code=str(language.get("code") or ""), name=str(language.get("name") or "")
        )
        if code:
            codes.add(code)
        elif language.get("name") or language.get("code"):
            label = plain_text(language.get("name") or language.get("code"), max_length=60)[0]
            other.append(label)
            notes.keep("language", label)
    group["languages"] = sorted(codes)
    group["languages_other"] = ", ".join(dict.fromkeys(other))[:200]


def _costs(options: list, group: dict, notes: Notes) -> None:
    for option in options:
        if not isinstance(option, dict):
            continue
        amount = option.get("amount")
        code = vocab_map.cost_code(str(option.get("option") or ""), amount)
        if code is None:
            notes.keep("cost", option.get("option") or option.get("amount_description") or "?")
            if not group["cost_detail"]:
                text = option.get("option") or option.get("amount_description")
                group["cost_detail"] = plain_text(text, max_length=300)[0]
            continue
        group["cost"] = code
        if isinstance(amount, (int, float)) and 0 < amount < 1_000_000:
            group["cost_amount"] = f"{amount:.2f}"
        if option.get("amount_description") and not group["cost_detail"]:
            group["cost_detail"] = plain_text(option["amount_description"], max_length=300)[0]
        break


def _terms(attributes: list, group: dict, notes: Notes) -> None:
    topics, audience = set(), set()
    for attribute in attributes:
        if not isinstance(attribute, dict):
            continue
        term = (
            attribute.get("taxonomy_term")
            if isinstance(attribute.get("taxonomy_term"), dict)
            else {}
        )
        code = str(term.get("code") or attribute.get("taxonomy_term_id") or "")
        name = str(term.get("name") or attribute.get("value") or "")
        found = vocab_map.term_codes(code=code, name=name)
        if not found:
            notes.keep("taxonomy term", name or code or "?")
        topics |= found.get("topics", set())
        audience |= found.get("audience", set())
        if "facilitation" in found:
            group["facilitation"] = next(iter(found["facilitation"]))
        if "registration" in found:
            group["registration_required"] = True
    group["topics"] = sorted(topics)
    group["audience"] = sorted(audience)


def _format(kind: set, has_link: bool, group: dict) -> str:
    if "physical" in kind and "virtual" in kind:
        return "hybrid"
    if "physical" in kind:
        return "in_person"
    if "virtual" in kind or has_link:
        return "online"
    return "phone" if group["contact_phone"] else "online"


def _location(sal: dict | None, notes: Notes) -> tuple[dict | None, str, set]:
    """The physical location (or None), an online link, and the kinds present."""
    if not sal:
        return None, "", set()
    location = sal.get("location") if isinstance(sal.get("location"), dict) else None
    if not location:
        return None, "", set()
    kind = location.get("location_type") or "physical"
    if kind == "virtual":
        return None, web_link(location.get("url")), {"virtual"}
    latitude, longitude = _coordinates(location, notes)
    address = next((a for a in location.get("addresses") or [] if isinstance(a, dict)), {})
    country = str(address.get("country") or "US").strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", country):
        notes.warn("a country that is not a two-letter code was read as US")
        country = "US"
    access_codes, access_text = set(), []
    for item in location.get("accessibility") or []:
        if not isinstance(item, dict):
            continue
        text = " ".join(str(item.get(k) or "") for k in ("description", "details")).strip()
        codes = vocab_map.accessibility_codes(str(item.get("description") or text))
        if codes:
            access_codes |= codes
        if item.get("details") or not codes:
            kept = plain_text(item.get("details") or text, max_length=500)[0]
            if kept:
                access_text.append(kept)
                if not codes:
                    notes.keep("accessibility", kept)
    payload = {
        "name": _text(location.get("name"), notes, "place name", 200),
        "address_1": plain_text(address.get("address_1"), max_length=200)[0],
        "address_2": plain_text(address.get("address_2"), max_length=200)[0],
        "city": plain_text(address.get("city"), max_length=100)[0],
        "region": plain_text(
            address.get("state_province") or address.get("region"), max_length=100
        )[0],
        "postcode": plain_text(address.get("postal_code"), max_length=20)[0],
        "country": country,
        "latitude": latitude,
        "longitude": longitude,
        "directions": _text(location.get("transportation"), notes, "directions", 2000),
        "accessibility": sorted(access_codes),
        "accessibility_detail": "\n".join(dict.fromkeys(access_text))[:2000],
    }
    return payload, "", {"physical"}


def _coordinates(location: dict, notes: Notes) -> tuple[float | None, float | None]:
    lat, lng = location.get("latitude"), location.get("longitude")
    if lat is None or lng is None:
        return None, None
    if not all(
        isinstance(v, (int, float)) and v == v and abs(v) != float("inf") for v in (lat, lng)
    ):
        raise MappingError("the location's coordinates are not numbers")
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        if -90 <= lng <= 90 and -180 <= lat <= 180:
            raise MappingError(
                f"latitude {lat} and longitude {lng} look swapped (latitude must be -90 to 90)"
            )
        raise MappingError(f"the coordinates {lat}, {lng} are outside the globe")
    if not geo.valid_coordinates(lat, lng):
        notes.warn("coordinates 0,0 were dropped; the address will be located instead")
        return None, None
    addresses = location.get("addresses") or []
    country = next(
        (str(a.get("country") or "").upper() for a in addresses if isinstance(a, dict)), "US"
    )
    if country in ("US", "") and lat < 0 < lng and 18 <= lng <= 72:
        raise MappingError(
            f"latitude {lat} and longitude {lng} look swapped for a place in the United States"
        )
    return float(lat), float(lng)


def _parse_time(value) -> tuple[time, timedelta | None] | None:
    if not isinstance(value, str):
        return None
    match = _TIME.match(value.strip())
    if not match:
        return None
    hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    offset = None
    if match[4]:
        suffix = match[4].upper().replace(":", "")
        if suffix == "Z":
            offset = timedelta(0)
        else:
            sign = -1 if suffix[0] == "-" else 1
            offset = sign * timedelta(hours=int(suffix[1:3]), minutes=int(suffix[3:5]))
    return time(hour, minute, second), offset


def _parse_date(value) -> date | None:
    if not isinstance(value, str) or not value or value == "null":
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _schedule(item, time_zone: str, notes: Notes) -> dict | None:
    if not isinstance(item, dict):
        return None
    description = plain_text(item.get("description"), max_length=300)[0]
    opens = _parse_time(item.get("opens_at"))
    if opens is None:
        notes.keep("schedule", description or "a schedule without an opening time")
        return None
    start_date = _parse_date(item.get("dtstart")) or _parse_date(item.get("valid_from"))
    start_date = start_date or date.today()
    start_time, offset = opens
    if offset is None and isinstance(item.get("timezone"), (int, float)):
        offset = timedelta(hours=item["timezone"])
    if offset is not None and abs(offset) > timedelta(hours=14):
        notes.keep("schedule", description or f"a UTC offset of {offset} that cannot exist")
        return None
    start_time = _to_zone_wall_time(start_date, start_time, offset, time_zone, notes)
    duration = DEFAULT_DURATION
    closes = _parse_time(item.get("closes_at"))
    if closes is not None:
        delta = datetime.combine(start_date, closes[0]) - datetime.combine(start_date, opens[0])
        minutes = int(delta.total_seconds() // 60) % (24 * 60)
        duration = minutes or DEFAULT_DURATION
    rule = _rule(item, notes)
    if rule is None:
        notes.keep("schedule", description or "a repeat pattern Kindred cannot hold")
        return None
    end_date = _parse_date(item.get("until")) or _parse_date(item.get("valid_to"))
    if end_date and end_date < start_date:
        notes.warn("a schedule ending before it starts was kept without its end")
        end_date = None
    if rule and not _rule_usable(rule):
        notes.keep("schedule", description or rule)
        return None
    return {
        "rrule": rule,
        "start_date": start_date.isoformat(),
        "start_time": start_time.strftime("%H:%M:%S"),
        "duration_minutes": duration,
        "time_zone": time_zone,
        "end_date": end_date.isoformat() if end_date else None,
        "exdates": [],
    }


@lru_cache(maxsize=4096)
def _rule_usable(rule: str) -> bool:
    """Whether Kindred's schedule code accepts the rule (it does not depend on the start)."""
    try:
        parse_rule(rule, datetime(2026, 1, 5, 12, 0))
    except ScheduleError:
        return False
    return True


def _rule(item: dict, notes: Notes) -> str | None:
    freq = str(item.get("freq") or "").upper()
    byday = str(item.get("byday") or "").upper().replace(" ", "")
    if not freq:
        if not byday:
            return ""  # one meeting on its start date
        freq = "WEEKLY"
    if freq not in ("WEEKLY", "MONTHLY"):
        return None
    parts = [f"FREQ={freq}"]
    interval = item.get("interval")
    if isinstance(interval, (int, float)) and interval >= 1:
        if interval > 52:
            return None
        if int(interval) > 1:
            parts.append(f"INTERVAL={int(interval)}")
    if byday:
        days = byday.split(",")
        if not all(_BYDAY.match(d) for d in days):
            return None
        parts.append(f"BYDAY={','.join(days)}")
    monthday = str(item.get("bymonthday") or "").replace(" ", "")
    if monthday and freq == "MONTHLY":
        if not re.fullmatch(r"-?\d{1,2}(,-?\d{1,2})*", monthday):
            return None
        parts.append(f"BYMONTHDAY={monthday}")
    count = item.get("count")
    if isinstance(count, (int, float)) and 1 <= count <= 1000:
        parts.append(f"COUNT={int(count)}")
    return ";".join(parts)


def _to_zone_wall_time(day: date, wall: time, offset, time_zone: str, notes: Notes) -> time:
    """A time given with a numeric UTC offset, as wall-clock time in the partner's zone."""
    if offset is None:
        return wall
    tz = zone(time_zone)
    local_offset = datetime.combine(day, wall).replace(tzinfo=tz).utcoffset()
    if local_offset == offset:
        return wall
    utc = datetime.combine(day, wall) - offset
    converted = (utc + local_offset).time()
    notes.warn(f"times with UTC offsets other than {time_zone}'s were converted to it")
    return converted


def _ical_schedule(extras: dict, partner_zone: str) -> dict:
    start = datetime.fromisoformat(extras["start"])
    rule = extras.get("rrule") or ""
    time_zone = extras.get("time_zone") or partner_zone
    if rule:
        try:
            parsed = parse_rule(rule, start)
        except ScheduleError as exc:
            raise MappingError(f"the repeat rule cannot be used: {exc}") from None
        until = parsed._until
    else:
        until = None
    end_date = until.date() if until else None
    if rule and "UNTIL=" in rule.upper():
        rule = ";".join(p for p in rule.split(";") if not p.upper().startswith("UNTIL="))
    return {
        "rrule": rule,
        "start_date": start.date().isoformat(),
        "start_time": start.time().strftime("%H:%M:%S"),
        "duration_minutes": int(extras.get("duration_minutes") or DEFAULT_DURATION),
        "time_zone": time_zone,
        "end_date": end_date.isoformat() if end_date else None,
        "exdates": list(extras.get("exdates") or []),
    }
