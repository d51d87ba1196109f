"""The search page's first load is light (old phones, slow and metered connections) and
never reaches another host, measured from Chromium's own network log."""

import pytest
from django.urls import reverse

from tests.browser import kit
from tests.browser.pages import PAGES, open_page

pytestmark = pytest.mark.browser

BUDGET_BYTES = 150 * 1024  # HTML, CSS, JS, fonts and images, headers included


def _first_load(new_context, url):
    context = new_context(viewport=kit.PHONE)  # a fresh context: an empty cache
    page = context.new_page()
    log = kit.NetworkLog.attach(page)
    page.goto(url)
    page.wait_for_load_state("networkidle")
    log.detach()
    return log


@pytest.mark.parametrize("map_tiles", [False, True], ids=["no-map", "map-configured"])
def test_search_page_first_load_is_under_150_kb_and_stays_on_this_host(
    new_context, live_server, settings, tile_server, map_tiles
):
    if map_tiles:
        kit.configure_map(settings, tile_server.url + "/{z}/{x}/{y}.png")
    path = next(spec for spec in PAGES if spec.name == "search-results").build()
    log = _first_load(new_context, live_server.url + path)

    total = log.transferred()
    assert 0 < total < BUDGET_BYTES, f"first load is {total} bytes:\n{log.breakdown()}"
    assert log.off_host("127.0.0.1") == [], "a request left the server"
    print(f"\nsearch page first load ({'map' if map_tiles else 'no map'}): {total} bytes")
    print(log.breakdown())


def test_every_listed_page_stays_on_this_host(new_context, live_server, request, sign_in):
    context = new_context()
    page = context.new_page()
    log = kit.NetworkLog.attach(page)
    for spec in PAGES:
        open_page(page, spec, base_url=live_server.url, request=request, sign_in=sign_in)
    page.goto(live_server.url + reverse("groups:search"))
    log.detach()
    assert log.off_host("127.0.0.1") == []
