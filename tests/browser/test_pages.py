"""Every page in tests/browser/pages.py, in Chromium: WCAG 2.2 AA by axe-core, phone and
desktop screenshots, no sideways scrolling at 375 px, 200% zoom, and the keyboard alone."""

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from tests.browser import kit
from tests.browser.pages import PAGES, open_page

pytestmark = pytest.mark.browser

by_page = pytest.mark.parametrize("spec", PAGES, ids=[spec.name for spec in PAGES])


@pytest.fixture
def opened(page, live_server, request, sign_in):
    def _open(spec):
        open_page(page, spec, base_url=live_server.url, request=request, sign_in=sign_in)
        return page

    return _open


@by_page
def test_page_has_no_wcag_violations_on_desktop_and_phone(opened, spec):
    page = opened(spec)
    kit.assert_no_axe_violations(page)
    page.set_viewport_size(kit.PHONE)
    kit.assert_no_axe_violations(page)


@by_page
def test_page_fits_a_375_px_phone_without_sideways_scrolling(opened, spec):
    page = opened(spec)
    kit.screenshot(page, spec.name, kit.DESKTOP)
    kit.screenshot(page, spec.name, kit.PHONE)
    kit.assert_no_horizontal_overflow(page)
    # Django's auth views once replaced the brand with the request's host.
    assert page.locator(".brand").inner_text() == settings.SITE_NAME
    assert page.title().endswith(f"· {settings.SITE_NAME}")


@by_page
def test_page_reflows_at_200_and_400_percent_zoom(opened, spec):
    page = opened(spec)
    # Browser zoom: 200% of a 1280 px window lays out in 640 CSS px, 400% in 320 px.
    for viewport in (kit.ZOOM_200, kit.REFLOW):
        page.set_viewport_size(viewport)
        kit.assert_no_horizontal_overflow(page)
        assert not kit.text_is_clipped(page), f"text cut off at {viewport['width']} px"
    # Text-only zoom (WCAG 1.4.4): the same page with its text at 200%.
    page.set_viewport_size(kit.DESKTOP)
    page.evaluate("() => { document.documentElement.style.fontSize = '200%'; }")
    kit.assert_no_horizontal_overflow(page)
    assert not kit.text_is_clipped(page), "text cut off with text at 200%"


@by_page
def test_page_works_with_the_keyboard_alone(opened, spec):
    page = opened(spec)
    kit.assert_skip_link_works(page)
    stops = kit.assert_focus_always_visible(page)
    names = " ".join(stop.name for stop in stops)
    # In the page's own language (the client link page speaks the client's language).
    with translation.override(page.locator("html").get_attribute("lang")):
        assert gettext("Skip to main content") in names
        assert gettext("Find a group") in names, "the main navigation must be reachable by Tab"
