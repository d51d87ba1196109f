"""Distance: the SQL radius and order agree with haversine, on SQLite and PostgreSQL alike.

The same cases run in both passes of the suite; the copy marked `postgres`
fails in CI if it did not run on PostgreSQL.
"""

import math
import random

import pytest
from django.db import connection

from groups import geo
from groups.search.distance import Circle
from groups.selectors import group_search
from tests.factories import located_group

pytestmark = pytest.mark.django_db


def _offset(lat, lng, km, bearing_degrees):
    """The point `km` away from (lat, lng) on a bearing (spherical Earth)."""
    d = km / geo.EARTH_RADIUS_KM
    b = math.radians(bearing_degrees)
    p1, l1 = math.radians(lat), math.radians(lng)
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b))
    l2 = l1 + math.atan2(
        math.sin(b) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2)
    )
    lng2 = (math.degrees(l2) + 540) % 360 - 180
    return math.degrees(p2), lng2


# (name, centre, what to type, radius km): near the antimeridian (Fiji, Taveuni
# straddles 180°), at high latitude (Tromsø, Svalbard) and in a US city.
CASES = [
    ("springfield", (39.80172, -89.64371), "Springfield, IL", 25),
    ("antimeridian", (-16.8, 179.95), None, 30),
    ("antimeridian_west", (65.0, -179.9), None, 40),
    ("tromso", (69.6489, 18.95508), "Tromsø, NO", 25),
    ("svalbard", (78.22, 15.65), None, 25),
]


def _build(centre, radius):
    rng = random.Random(1)
    expected = {}
    for i in range(24):
        km = radius * (0.05 + 0.85 * rng.random()) if i % 3 else radius * (1.1 + rng.random())
        lat, lng = _offset(*centre, km, rng.uniform(0, 360))
        group = located_group(latitude=lat, longitude=lng, name=f"G{i:02d}", format="in_person")
        expected[group.pk] = geo.haversine_km(*centre, lat, lng)
    return expected


def _search(centre, typed, radius):
    params = {"radius_km": str(radius), "online": "exclude", "ordering": "distance"}
    if typed:
        params["near"] = typed
        return group_search(params=params, per_page=50)
    # No gazetteer name for open sea: search through the FilterSet with a place set.
    from django.http import QueryDict

    from groups.geocoding import Place
    from groups.search import filters

    original = filters.SearchForm.clean_near

    def clean_near(form):
        form.place = Place(centre[0], centre[1], "test point", "test")
        return "test point"

    filters.SearchForm.clean_near = clean_near
    try:
        query = QueryDict(mutable=True)
        query.update({**params, "near": "x"})
        return group_search(params=query, per_page=50)
    finally:
        filters.SearchForm.clean_near = original


def _run_case(case):
    _name, centre, typed, radius = case
    if typed:
        from groups.geocoding import geocode

        place = geocode(typed).place
        centre = (place.latitude, place.longitude)
    expected = _build(centre, radius)
    results = _search(centre, typed, radius)
    assert results.is_valid, results.errors
    inside = sorted((km, pk) for pk, km in expected.items() if km <= radius)
    got = [g.pk for g in results.groups]
    assert got == [pk for _km, pk in inside]
    assert results.count == len(inside)
    for group in results.groups:
        assert group.distance_km == pytest.approx(expected[group.pk], abs=0.01)


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_radius_and_order_match_haversine(case):
    _run_case(case)


@pytest.mark.postgres
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_radius_and_order_match_haversine_on_postgres(case):
    assert connection.vendor == "postgresql"
    _run_case(case)


def test_circle_across_the_antimeridian_covers_cells_on_both_sides():
    circle = Circle(-16.8, 179.95, 30)
    columns = circle.grid_columns()
    assert len(columns) == 2
    assert columns[0][1] == 3599 and columns[1][0] == 0


def test_circle_near_the_pole_spans_every_longitude():
    circle = Circle(89.9, 0, 25)
    assert circle.grid_columns() == [(0, 3599)]
    assert "grid_cell__range" in str(circle.cells_q())  # ranges, not a huge IN list


def test_flat_earth_distance_is_close_to_haversine_at_high_latitude():
    circle = Circle(78.0, 15.0, 25)
    cos0 = math.cos(math.radians(78.0))
    half_sin0 = math.sin(math.radians(78.0)) * math.pi / 360
    for km in (5, 15, 24):
        lat, lng = _offset(78.0, 15.0, km, 60)
        dlat, dlng = lat - 78.0, lng - 15.0
        flat = math.sqrt(dlat**2 + (dlng * (cos0 - half_sin0 * dlat)) ** 2) * 111.195
        assert flat == pytest.approx(circle.haversine_km(lat, lng), rel=0.001)


def _dense_springfield(n=40):
    """n groups within 25 km of Springfield, IL, at distinct distances, 3 online ones,
    and a few just outside the circle."""
    from groups.geocoding import geocode
    from tests.factories import OnlineGroupFactory

    place = geocode("Springfield, IL").place
    centre = (place.latitude, place.longitude)
    rng = random.Random(5)
    distance = {}
    for i in range(n):
        lat, lng = _offset(*centre, 0.3 + 24 * (i + rng.random()) / n, rng.uniform(0, 360))
        distance[located_group(latitude=lat, longitude=lng, format="in_person").pk] = (
            geo.haversine_km(*centre, lat, lng)
        )
    for _ in range(3):
        located_group(latitude=centre[0] + 0.3, longitude=centre[1], format="in_person")
    online = [OnlineGroupFactory().pk for _ in range(3)]
    return sorted(distance, key=distance.get), online


def test_pages_of_a_dense_place_come_nearest_first_from_smaller_circles(monkeypatch):
    """With counting capped at 10 the selector searches smaller circles first; paging
    through gives exactly the full sort. The online groups would come after the last
    page, so they are not read."""
    from groups import selectors
    from groups.search.statements import NearbySearch

    nearest, online = _dense_springfield()
    monkeypatch.setattr(selectors, "COUNT_LIMIT", 10)
    radii = []
    for name in ("nearest_rows", "nearest_rows_counted"):
        original = getattr(NearbySearch, name)
        monkeypatch.setattr(
            NearbySearch,
            name,
            lambda self, radius_km, *args, _original=original: (
                radii.append(radius_km) or _original(self, radius_km, *args)
            ),
        )
    params = {"near": "Springfield, IL", "radius_km": "25", "ordering": "distance"}
    pages = [group_search(params=params, page=page, per_page=4) for page in (1, 2, 3, 4)]
    assert [g.pk for p in pages[:3] for g in p.groups] == nearest[:10]
    assert pages[3].groups == [] and not set(online) & {g.pk for p in pages for g in p.groups}
    assert min(radii) < 25  # the first page came from a smaller circle
    assert all(p.count == 10 and not p.count_exact for p in pages)
    assert pages[0].num_pages == 3


def test_an_exact_count_below_the_limit(monkeypatch):
    nearest, online = _dense_springfield(n=12)
    results = group_search(params={"near": "Springfield, IL", "radius_km": "25"}, per_page=50)
    assert [g.pk for g in results.groups] == nearest + online
    assert results.count == 15 and results.count_exact


def test_the_page_and_the_api_say_when_there_are_more(client, monkeypatch):
    from groups import selectors

    _dense_springfield(n=12)
    monkeypatch.setattr(selectors, "COUNT_LIMIT", 10)
    params = {"near": "Springfield, IL", "radius_km": "25"}
    html = client.get("/", params).content.decode()
    assert "More than 10 groups found" in html and "Choose a shorter distance" in html
    data = client.get("/api/groups/", params).json()
    assert data["count"] == 10 and data["count_exact"] is False
