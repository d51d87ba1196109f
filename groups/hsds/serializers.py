"""Kindred groups as HSDS 3.0 objects. Each group is one service at (at most) one location.

What HSDS has no field for travels in the nearest one that round-trips through Kindred's
own importer: "what to expect" in application_process, topics/audience/facilitation as
taxonomy terms of Kindred's taxonomies (code "topics:depression").
"""

from datetime import datetime, timedelta

from dateutil.rrule import DAILY, MONTHLY, WEEKLY
from django.utils import translation

from groups.hsds import ids
from groups.schedule import ScheduleError, parse_rule, zone
from groups.vocabularies import ACCESSIBILITY, AUDIENCE, COST, FACILITATION, LANGUAGES, TOPICS

TAXONOMIES = [(1, TOPICS), (2, AUDIENCE), (3, FACILITATION)]
_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def taxonomy(number: int, vocabulary) -> dict:
    return {
        "id": ids.make("taxonomy", number),
        "name": f"Kindred {vocabulary.name}",
        "description": f"Kindred's {vocabulary.name} vocabulary",
        "version": "1",
    }


def taxonomy_term(number: int, vocabulary, code: str) -> dict:
    index = vocabulary.codes.index(code)
    with translation.override("en"):
        label = str(vocabulary.label(code))
    return {
        "id": ids.make("taxonomy_term", number * 1000 + index),
        "code": f"{vocabulary.name}:{code}",
        "name": label,
        "description": label,
        "taxonomy": f"Kindred {vocabulary.name}",
        "taxonomy_id": ids.make("taxonomy", number),
        "language": "en",
    }


def all_terms() -> list[dict]:
    return [taxonomy_term(n, v, code) for n, v in TAXONOMIES for code in v.codes]


def organization(org) -> dict:
    data = {
        "id": ids.make("organization", org.pk),
        "name": org.name,
        "description": org.description or org.name,
    }
    if org.email:
        data["email"] = org.email
    if org.website:
        data["website"] = org.website
    return data


def service_brief(group) -> dict:
    data = {
        "id": ids.make("service", group.pk),
        "organization_id": ids.make("organization", group.organization_id),
        "name": group.name,
        "description": group.description,
        "status": "active",
        "last_modified": group.updated_at.isoformat(),
    }
    if group.website:
        data["url"] = group.website
    if group.contact_email:
        data["email"] = group.contact_email
    if group.what_to_expect:
        data["application_process"] = group.what_to_expect
    if group.cost_detail:
        data["fees_description"] = group.cost_detail
    return data


def service_full(group) -> dict:
    data = service_brief(group)
    data["organization"] = organization(group.organization)
    if group.contact_phone:
        data["phones"] = [{"id": ids.make("phone", group.pk), "number": group.contact_phone}]
    data["languages"] = _languages(group)
    data["cost_options"] = [_cost(group)]
    data["attributes"] = _attributes(group)
    data["schedules"] = [s for s in (schedule(x) for x in group.schedules.all()) if s]
    sal = service_at_location(group, nested_service=False)
    data["service_at_locations"] = [sal] if sal else []
    return data


def _languages(group) -> list[dict]:
    with translation.override("en"):
        out = [
            {"id": ids.make("language", group.pk, i), "name": LANGUAGES.label(code), "code": code}
            for i, code in enumerate(group.languages)
        ]
    for j, name in enumerate(n.strip() for n in group.languages_other.split(",") if n.strip()):
        out.append({"id": ids.make("language", group.pk, 100 + j), "name": name})
    return out


def _cost(group) -> dict:
    data = {"id": ids.make("cost_option", group.pk), "option": group.cost, "currency": "USD"}
    if group.cost_amount is not None:
        data["amount"] = float(group.cost_amount)
    elif group.cost == "free":
        data["amount"] = 0
    with translation.override("en"):
        data["amount_description"] = COST.label(group.cost)
    return data


def _attributes(group) -> list[dict]:
    out = []
    chosen = [(1, TOPICS, group.topics), (2, AUDIENCE, group.audience)]
    chosen.append((3, FACILITATION, (group.facilitation,)))
    for number, vocabulary, codes in chosen:
        for code in codes:
            term = taxonomy_term(number, vocabulary, code)
            out.append(
                {
                    "id": ids.make("attribute", group.pk, len(out)),
                    "link_id": ids.make("service", group.pk),
                    "link_type": "service",
                    "link_entity": "service",
                    "taxonomy_term_id": term["id"],
                    "taxonomy_term": term,
                }
            )
    return out


def location(group) -> dict | None:
    loc = group.location
    if loc is None or not group.meets_in_person:
        return None
    data = {
        "id": ids.make("location", loc.pk),
        "location_type": "physical",
        "name": loc.name,
        "addresses": [
            {
                "id": ids.make("address", loc.pk),
                "location_id": ids.make("location", loc.pk),
                "address_1": loc.address_1,
                "address_2": loc.address_2,
                "city": loc.city,
                "state_province": loc.region,
                "postal_code": loc.postcode,
                "country": loc.country,
                "address_type": "physical",
            }
        ],
    }
    if loc.directions:
        data["transportation"] = loc.directions
    if loc.latitude is not None and loc.longitude is not None:
        data["latitude"], data["longitude"] = loc.latitude, loc.longitude
    with translation.override("en"):
        access = [
            {"id": ids.make("accessibility", loc.pk, i), "description": ACCESSIBILITY.label(code)}
            for i, code in enumerate(group.accessibility)
        ]
    if group.accessibility_detail:
        access.append(
            {
                "id": ids.make("accessibility", loc.pk, 999),
                "details": group.accessibility_detail,
            }
        )
    if access:
        data["accessibility"] = access
    return data


def service_at_location(group, *, nested_service: bool = True) -> dict | None:
    loc = location(group)
    online = group.online_url if group.online_url_public else ""
    if loc is None and not group.is_online:
        return None
    if loc is None:
        loc = {"id": ids.make("location", group.pk, 1), "location_type": "virtual"}
        if online:
            loc["url"] = online
    data = {
        "id": ids.make("service_at_location", group.pk),
        "service_id": ids.make("service", group.pk),
        "location_id": loc["id"],
        "location": loc,
    }
    if nested_service:
        data["service"] = service_brief(group)
    return data


def schedule(item) -> dict | None:
    """An HSDS schedule, or None when the rule is beyond HSDS's WEEKLY/MONTHLY subset."""
    start = datetime.combine(item.start_date, item.start_time)
    data = {
        "id": ids.make("schedule", item.pk),
        "service_id": ids.make("service", item.group_id),
        "dtstart": item.start_date.isoformat(),
        "opens_at": item.start_time.strftime("%H:%M:%S"),
        "closes_at": (start + timedelta(minutes=item.duration_minutes)).strftime("%H:%M:%S"),
        "description": item.describe() if _describable(item) else "",
    }
    offset = start.replace(tzinfo=zone(item.time_zone)).utcoffset()
    data["timezone"] = offset.total_seconds() / 3600 if offset is not None else 0
    if item.end_date:
        data["until"] = item.end_date.isoformat()
    if not item.rrule.strip():
        return data
    try:
        rule = parse_rule(item.rrule, start)
    except ScheduleError:
        return None
    if rule._freq == DAILY and rule._interval == 1:
        data.update(freq="WEEKLY", byday=",".join(_DAYS))
        return data
    if rule._freq not in (WEEKLY, MONTHLY):
        return None
    data["freq"] = "WEEKLY" if rule._freq == WEEKLY else "MONTHLY"
    if rule._interval > 1:
        data["interval"] = rule._interval
    days = [_DAYS[d] for d in rule._byweekday or ()]
    days += [f"{n}{_DAYS[d]}" for d, n in rule._bynweekday or ()]
    if days:
        data["byday"] = ",".join(days)
    if rule._freq == MONTHLY and rule._bymonthday and not rule._bynweekday:
        data["bymonthday"] = ",".join(str(d) for d in rule._bymonthday)
    if rule._count:
        data["count"] = rule._count
    return data


def _describable(item) -> bool:
    try:
        item.describe()
    except ScheduleError:
        return False
    return True
