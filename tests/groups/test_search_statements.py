"""The search's SQL statements find what the FilterSet's own querysets find, in the same order.

groups.search.statements writes the counts, the nearest ids and the online part as SQL
around the filters' compiled WHERE clause; `GroupSearchFilter.located_part` and
`remote_part` are the same searches through the ORM. Both run on SQLite and PostgreSQL
(the suite's two passes).
"""

import random

import pytest
from django.db.models import F
from django.http import QueryDict

from groups.geocoding import geocode
from groups.search.filters import GroupSearchFilter
from groups.search.statements import NearbySearch, listing_rows
from groups.selectors import LIST_COLUMNS
from groups.vocabularies import ACCESSIBILITY, COST, LANGUAGES, TOPICS
from tests.factories import GroupFactory, OnlineGroupFactory, located_group

pytestmark = pytest.mark.django_db

SEARCHES = [
    {},
    {"cost": "free,donation", "accessibility": "step_free"},
    {"language": "es", "radius_km": "10"},
    {"topic": "grief,anxiety", "accepting_new_members": "true"},
    {"q": "grief"},
    {"q": "zzzznothing"},  # words that match nothing: no statement can match
    {"online": "exclude", "cost": "fee"},
    {"format": "hybrid,in_person", "facilitation": "peer", "radius_km": "40"},
]


@pytest.fixture
def springfield():
    place = geocode("Springfield, IL").place
    rng = random.Random(11)
    for i in range(60):
        located_group(
            latitude=place.latitude + rng.uniform(-0.4, 0.4),
            longitude=place.longitude + rng.uniform(-0.5, 0.5),
            name=f"Group {i}" + (" grief circle" if i % 7 == 0 else ""),
            format=rng.choice(["in_person", "hybrid"]),
            cost=rng.choice([code for code, _label in COST.choices]),
            accessibility=tuple(rng.sample([c for c, _ in ACCESSIBILITY.choices], 2)),
            languages=("en",) if i % 3 else ("en", "es"),
            topics=tuple(rng.sample([c for c, _ in TOPICS.choices], 2)),
            accepting_new_members=i % 5 != 0,
        )
    for i in range(8):
        OnlineGroupFactory(name=f"Online {i}", cost=rng.choice(["free", "fee"]))
    GroupFactory(format="phone", location=None, name="Phone line")
    assert LANGUAGES.label("es")


@pytest.mark.parametrize("params", SEARCHES, ids=[str(s) or "none" for s in SEARCHES])
def test_statements_match_the_filtersets_querysets(springfield, params):
    query = QueryDict(mutable=True)
    query.update({"near": "Springfield, IL", **params})
    filterset = GroupSearchFilter(query)
    assert filterset.is_valid(), filterset.errors
    assert filterset.search_queryset() is None  # near a place, by distance: the statements
    search = NearbySearch(filterset.near_filtered, filterset.circle)
    listing = listing_rows(search.db, LIST_COLUMNS)

    def nearest_ids(radius_km, count):
        return [row[0] for row in search.nearest_rows(radius_km, count, listing)]

    def remote_ids(offset, count):
        return [row[0] for row in search.remote_rows_counted(offset, count, listing, 1)[0]]

    located = filterset.located_part.order_by(F("_d2").asc(), "id")
    expected_near = list(located.values_list("id", flat=True))
    assert nearest_ids(filterset.circle.radius_km, 1000) == expected_near
    assert search.count_near(1000) == len(expected_near)
    assert search.count_near(3) == min(3, len(expected_near))
    for radius in (2.0, 8.0):  # a smaller circle: the nearest of those within it
        inside = nearest_ids(radius, 1000)
        assert inside == expected_near[: len(inside)]
        # The same rows with the whole circle's count, in one statement (None: no row).
        rows, counted = search.nearest_rows_counted(radius, 1000, listing, 5)
        assert [row[0] for row in rows] == inside
        assert counted == (min(5, len(expected_near)) if inside else None)

    if filterset.remote_part is None:
        assert params.get("online") == "exclude"
        return
    remote = filterset.remote_part.order_by(F("next_meeting_at").asc(nulls_last=True), "name", "id")
    expected_remote = list(remote.values_list("id", flat=True))
    assert remote_ids(0, 1000) == expected_remote
    assert remote_ids(2, 3) == expected_remote[2:5]
    rows, counted = search.remote_rows_counted(2, 3, listing, 4)
    assert [row[0] for row in rows] == expected_remote[2:5]
    assert counted == (min(4, len(expected_remote)) if rows else None)
    assert search.count_remote(1000) == len(expected_remote)
    if not params:
        assert expected_near and expected_remote  # the fixture gives both parts something


def test_rows_read_what_the_orm_reads(springfield):
    """The statements read the rows shown as values_list() reads them: vocabulary sets
    as tuples, booleans, decimals, aware datetimes, and None for a group with no place."""
    from decimal import Decimal

    from groups.models import Group

    GroupFactory(
        format="phone", location=None, cost="fee", cost_amount=Decimal("12.5"), name="Fee line"
    )
    query = QueryDict("near=Springfield%2C+IL&radius_km=100")
    filterset = GroupSearchFilter(query)
    assert filterset.is_valid(), filterset.errors
    filterset.search_queryset()
    search = NearbySearch(filterset.near_filtered, filterset.circle)
    listing = listing_rows(search.db, LIST_COLUMNS)
    rows = (
        search.nearest_rows(100, 1000, listing) + search.remote_rows_counted(0, 1000, listing, 1)[0]
    )
    expected = {row[0]: list(row) for row in Group.objects.values_list(*LIST_COLUMNS)}
    assert len(rows) == len(expected) > 60
    assert {row[0]: row for row in rows} == expected
    fee = next(row for row in rows if row[1] == "Fee line")
    assert fee[LIST_COLUMNS.index("cost_amount")] == Decimal("12.50")
    assert fee[LIST_COLUMNS.index("location__city")] is None


@pytest.mark.postgres
def test_search_statements_are_prepared_on_postgresql(springfield, client):
    """On PostgreSQL the search's statements are prepared once per connection, so a
    second search of the same shape is not planned again."""
    from django.db import connection

    client.get("/", {"near": "Springfield, IL", "cost": "free"})
    client.get("/", {"near": "Chicago, IL", "cost": "free"})
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any(sql.startswith("SELECT COUNT(*)") and "ANY($" in sql for sql in prepared)
    assert any("JOIN" in sql and "= ANY($" in sql for sql in prepared)  # the rows shown
