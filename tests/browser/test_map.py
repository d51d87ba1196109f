"""The optional map: Leaflet from our own static files, tiles from the deployment's server,
loaded only when asked for; with no tile URL there is no map and nothing breaks."""

import pytest
from django.urls import reverse

from tests.browser import kit
from tests.factories import GroupFactory, located_group

pytestmark = pytest.mark.browser


@pytest.fixture
def three_groups(transactional_db):
    return [
        located_group(name=name, latitude=lat, longitude=lng)
        for name, lat, lng in (
            ("Tuesday Evening Peer Circle", 39.7990, -89.6440),
            ("Hearing Voices Drop-in", 39.8010, -89.6500),
            ("Family Carers Coffee Morning", 39.7900, -89.6300),
        )
    ]


@pytest.fixture
def tiles(settings, tile_server):
    kit.configure_map(settings, tile_server.url + "/tiles/{z}/{x}/{y}.png")
    settings.KINDRED_MAP_ATTRIBUTION = "Map data © Test Tiles"
    tile_server.paths.clear()
    return tile_server


@pytest.fixture
def errors(page):
    found = []
    page.on("pageerror", lambda error: found.append(str(error)))
    page.on("console", lambda msg: msg.type == "error" and found.append(msg.text))
    return found


def test_without_a_tile_url_no_map_is_shown_and_no_map_code_loads(
    page, live_server, three_groups, errors
):
    log = kit.NetworkLog.attach(page)
    page.goto(live_server.url + reverse("groups:search"))
    page.goto(live_server.url + reverse("groups:detail", args=[three_groups[0].pk]))
    log.detach()
    assert page.locator(".map").count() == 0
    assert not [url for url in log.requests if "leaflet" in url or "map.js" in url]
    assert page.locator("h1").inner_text() == "Tuesday Evening Peer Circle"
    assert errors == []


def test_results_map_loads_leaflet_only_when_asked_and_stays_on_127_0_0_1(
    page, live_server, three_groups, tiles, errors
):
    log = kit.NetworkLog.attach(page)
    page.goto(live_server.url + reverse("groups:search"))
    page.wait_for_load_state("networkidle")
    assert not [url for url in log.requests if "leaflet" in url], "Leaflet loaded before asked"
    assert page.locator(".card").count() == 3, "the list stays the primary view"

    page.get_by_role("button", name="Show these groups on a map").click()
    page.locator(".leaflet-marker-icon").first.wait_for()
    page.wait_for_load_state("networkidle")
    log.detach()

    markers = page.locator(".leaflet-marker-icon")
    assert sorted(markers.evaluate_all("els => els.map(e => e.alt)")) == sorted(
        group.name for group in three_groups
    )
    assert "/static/vendor/leaflet/leaflet.js" in " ".join(log.requests)
    assert tiles.paths and all(path.startswith("/tiles/") for path in tiles.paths)
    assert log.off_host("127.0.0.1") == []
    assert "Map data © Test Tiles" in page.locator(".leaflet-control-attribution").inner_text()
    assert errors == []
    kit.assert_no_axe_violations(page)
    kit.screenshot(page, "search-results-map", kit.PHONE)
    kit.assert_no_horizontal_overflow(page)


def test_group_map_shows_one_pin_whose_popup_links_to_the_group(
    page, live_server, three_groups, tiles
):
    group = three_groups[0]
    page.goto(live_server.url + reverse("groups:detail", args=[group.pk]))
    page.get_by_role("button", name="Show the meeting place on a map").click()
    marker = page.locator(".leaflet-marker-icon")
    marker.wait_for()
    assert marker.count() == 1
    marker.click()
    link = page.locator(".leaflet-popup-content a")
    assert link.inner_text() == group.name
    assert link.get_attribute("href") == reverse("groups:detail", args=[group.pk])
    kit.assert_no_axe_violations(page)


def test_map_can_be_opened_and_used_with_the_keyboard(page, live_server, three_groups, tiles):
    group = three_groups[0]
    page.goto(live_server.url + reverse("groups:detail", args=[group.pk]))
    button = page.get_by_role("button", name="Show the meeting place on a map")
    button.focus()
    page.keyboard.press("Enter")
    page.locator(".leaflet-marker-icon").wait_for()
    # Focus moves to the map, which shows it; arrow keys pan it.
    assert page.evaluate("() => document.activeElement.classList.contains('map-canvas')")
    assert page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle") != "none"
    kit.assert_focus_always_visible(page)


def test_a_group_without_a_place_gets_no_map(page, live_server, tiles, transactional_db):
    group = GroupFactory(location=None, format="online")
    page.goto(live_server.url + reverse("groups:detail", args=[group.pk]))
    assert page.locator(".map").count() == 0
