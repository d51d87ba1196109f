"""The map fragments: nothing without a tile URL or a place; data attributes, no inline JS."""

import json
from html import unescape

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory, override_settings
from django.urls import reverse

from groups.templatetags.maps import map_points
from tests.factories import GroupFactory, LocationFactory

pytestmark = pytest.mark.django_db

TILES = "https://tiles.example.org/{z}/{x}/{y}.png"


def _render(template, **context):
    return render_to_string(template, context, request=RequestFactory().get("/"))


def _points(html):
    start = html.index('data-points="') + len('data-points="')
    return json.loads(unescape(html[start : html.index('"', start)]))


def test_map_points_skip_groups_without_a_place_and_round_coordinates():
    placed = GroupFactory(location=LocationFactory(latitude=39.799012, longitude=-89.644049))
    online = GroupFactory(location=None, format="online")
    broken = GroupFactory(location=LocationFactory(latitude=0.0, longitude=0.0))
    points = json.loads(map_points([placed, online, broken]))
    assert points == [
        {
            "lat": 39.799,
            "lng": -89.644,
            "name": placed.name,
            "url": reverse("groups:detail", args=[placed.pk]),
        }
    ]
    assert map_points([online]) == ""


def test_map_points_take_search_rows_with_their_own_coordinates_and_url():
    row = type("Row", (), {"latitude": 40.7, "longitude": -74.0, "name": "Row", "url": "/x/"})
    assert json.loads(map_points([row()])) == [
        {"lat": 40.7, "lng": -74.0, "name": "Row", "url": "/x/"}
    ]


@override_settings(KINDRED_MAP_TILE_URL="")
def test_no_tile_url_renders_no_map_at_all():
    group = GroupFactory()
    assert _render("groups/_results_map.html", groups=[group]).strip() == ""
    assert _render("groups/_group_map.html", group=group).strip() == ""


@override_settings(KINDRED_MAP_TILE_URL=TILES, KINDRED_MAP_ATTRIBUTION="© Tiles & Co")
def test_configured_map_is_data_attributes_and_an_external_script():
    group = GroupFactory(name='Peer "Circle" <b>')
    html = _render("groups/_group_map.html", group=group)
    assert _points(html)[0]["name"] == 'Peer "Circle" <b>'
    assert f'data-tile-url="{TILES}"' in html
    assert 'data-attribution="© Tiles &amp; Co"' in html
    assert "/static/vendor/leaflet/leaflet.js" in html
    assert '<script src="/static/js/map.js" defer></script>' in html
    assert "<b>" not in html  # escaped inside the attribute
    assert html.count("<script") == 1  # no inline script: CSP-friendly


@override_settings(KINDRED_MAP_TILE_URL=TILES)
def test_results_map_has_a_point_per_placed_group():
    groups = [GroupFactory(), GroupFactory(), GroupFactory(location=None, format="online")]
    assert len(_points(_render("groups/_results_map.html", groups=groups))) == 2


def test_leaflet_is_vendored_with_its_licence():
    from django.contrib.staticfiles import finders

    for path in ("leaflet.js", "leaflet.css", "LICENSE", "images/marker-icon.png"):
        assert finders.find(f"vendor/leaflet/{path}"), path
    with open(finders.find("vendor/leaflet/LICENSE"), encoding="utf-8") as licence:
        assert "Redistribution and use in source and binary forms" in licence.read()
    # A source-map comment to a file not shipped makes production collectstatic fail.
    with open(finders.find("vendor/leaflet/leaflet.js"), encoding="utf-8") as script:
        assert "sourceMappingURL" not in script.read()
