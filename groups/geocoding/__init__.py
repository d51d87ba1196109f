"""Turning what a person typed (a ZIP code, a city, an address) into coordinates.

A chain: first the offline gazetteer that ships with the app, then, only if the
deployment sets KINDRED_GEOCODER, an online geopy geocoder with a timeout, a rate
limit and a cache keyed by a hash of the normalized query. The raw text is never
logged nor used as a cache key. With the default settings nothing leaves the server.
"""

import logging
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from groups import geo
from groups.geocoding import gazetteer, online

logger = logging.getLogger(__name__)

ZIP_RE = re.compile(r"\b(\d{5})(?:-\d{4})?\s*$")
MAX_QUERY_LENGTH = 200
# A place this many times more populous than the next one of the same name is
# what people mean by the bare name ("Chicago", not Chicago Heights).
DOMINANCE = 5


@dataclass(frozen=True)
class Place:
    latitude: float
    longitude: float
    label: str  # what the page says back: "Springfield, IL"
    source: str  # "zip", "city" or "online"


@dataclass(frozen=True)
class Result:
    place: Place | None = None
    message: str = ""  # for people, when place is None
    suggestions: tuple[str, ...] = field(default=())

    @property
    def found(self) -> bool:
        return self.place is not None


def _join_or(items: list[str]) -> str:
    if len(items) == 1:
        return items[0]
    return _("%(items)s or %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}


def _not_found(query: str, suggestions: list[str]) -> Result:
    if suggestions:
        message = _("We couldn't find “%(query)s”. Did you mean %(suggestions)s?") % {
            "query": query,
            "suggestions": _join_or(suggestions),
        }
    else:
        message = _(
            "We couldn't find “%(query)s”. Try a 5-digit ZIP code, or a city and state "
            "such as “Springfield, IL”."
        ) % {"query": query}
    return Result(message=message, suggestions=tuple(suggestions))


def _ambiguous(query: str, entries: list[gazetteer.Entry]) -> Result:
    labels = [e.label for e in entries[:3]]
    message = _(
        "There is more than one “%(query)s”. Did you mean %(suggestions)s? "
        "Add the state, or type a ZIP code."
    ) % {"query": query, "suggestions": _join_or(labels)}
    return Result(message=message, suggestions=tuple(labels))


def _from_entry(entry: gazetteer.Entry, source: str, label: str = "") -> Result:
    return Result(Place(entry.latitude, entry.longitude, label or entry.label, source))


def geocode_offline(query: str) -> Result | None:
    """The gazetteer's answer, or None if it has never heard of the place."""
    gaz = gazetteer.get()
    text = " ".join(query.split())
    # A ZIP code is the last thing typed ("…, IL 62701"), never a house number in front.
    zip_match = ZIP_RE.search(text.rsplit(",", 1)[-1])
    if zip_match:
        entry = gaz.zips.get(zip_match.group(1))
        if entry is not None:
            return _from_entry(entry, "zip", f"{zip_match.group(1)} ({entry.label})")
        if text.strip() == zip_match.group(0).strip():
            return Result(
                message=_(
                    "“%(query)s” is not a ZIP code we know. Check the digits, or type a city."
                )
                % {"query": query}
            )
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts:
        return None
    # "Springfield, IL", "Springfield IL", "100 Main St, Springfield, IL 62701".
    attempts: list[tuple[str, str]] = []
    if len(parts) >= 2:
        last = ZIP_RE.sub("", parts[-1]).strip()
        attempts.append((parts[-2], last))
        if not last and len(parts) >= 3:
            attempts.append((parts[-3], parts[-2]))
    words = parts[0].rsplit(" ", 1)
    if len(parts) == 1 and len(words) == 2:
        attempts.append((words[0], words[1]))
    for name, qualifier in attempts:
        if (
            qualifier
            and (normal := gazetteer.normalize(qualifier))
            and (normal in gaz.states or normal in gaz.countries)
        ):
            found = gaz.candidates(name, qualifier)
            if found:
                return _from_entry(found[0], "city")
    name = parts[0] if len(parts) == 1 else parts[-1]
    found = gaz.candidates(name)
    if found:
        return _pick(query, found)
    return None


def _pick(query: str, found: list[gazetteer.Entry]) -> Result:
    home = [e for e in found if e.country == "US"] or found
    if len(home) == 1:
        return _from_entry(home[0], "city")
    first, second = home[0], home[1]
    if first.population and first.population >= DOMINANCE * max(second.population, 1):
        return _from_entry(first, "city")
    return _ambiguous(query, home)


def suggestions_for(query: str) -> list[str]:
    gaz = gazetteer.get()
    parts = [p.strip() for p in query.split(",") if p.strip()]
    name = parts[0] if parts else query
    labels: list[str] = []
    for similar in gaz.similar_names(name):
        for entry in gaz.candidates(similar)[:2]:
            if entry.label not in labels:
                labels.append(entry.label)
    return labels[:3]


def geocode(query: str) -> Result:
    """Where `query` is, or a message for people saying why not and what to try."""
    query = " ".join((query or "").split())[:MAX_QUERY_LENGTH]
    if not query:
        return Result(message=_("Type a ZIP code, a city or an address."))
    answer = geocode_offline(query)
    if answer is not None and (answer.found or answer.suggestions):
        return answer
    if online.configured():
        hit = online.geocode(query)
        if hit is not None and geo.valid_coordinates(hit[0], hit[1]):
            return Result(Place(hit[0], hit[1], hit[2] or query, "online"))
    if answer is not None:
        return answer
    logger.info("geocode miss (query hash %s)", online.query_hash(query)[:12])
    return _not_found(query, suggestions_for(query))


def geocode_address(
    *, address_1: str, city: str, region: str, postcode: str, country: str = "US"
) -> Place | None:
    """A group's meeting place: by ZIP first, then city and state, then online if configured."""
    parts = [p for p in (address_1, city, f"{region} {postcode}".strip()) if p]
    text = ", ".join(parts)
    if country and country != "US":
        text = f"{text}, {country}"
    if not text:
        return None
    result = geocode(text)
    return result.place
