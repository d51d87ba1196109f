"""With JavaScript switched off, the pages still do their job."""

import pytest
from django.urls import reverse

from tests.browser import kit
from tests.browser.pages import PAGES

pytestmark = pytest.mark.browser


@pytest.fixture
def nojs_page(new_context):
    return new_context(java_script_enabled=False, viewport=kit.PHONE).new_page()


def test_search_form_submits_and_shows_results_without_javascript(nojs_page, live_server):
    path = next(spec for spec in PAGES if spec.name == "search-results").build()
    nojs_page.goto(live_server.url + reverse("groups:search"))
    nojs_page.get_by_label("Near (ZIP code, city or address)").fill("62701")
    nojs_page.get_by_role("button", name="Search", exact=True).click()
    nojs_page.wait_for_load_state()
    assert path.endswith("?near=62701")
    assert "?near=62701&" in nojs_page.url  # the form was a plain GET
    assert nojs_page.locator(".card.result").count() == 3
    nojs_page.get_by_role("link", name="Tuesday Evening Peer Circle").click()
    assert nojs_page.locator("h1").inner_text() == "Tuesday Evening Peer Circle"


def test_group_page_without_javascript_offers_the_link_and_no_dead_buttons(
    nojs_page, live_server, settings, tile_server
):
    kit.configure_map(settings, tile_server.url + "/{z}/{x}/{y}.png")
    path = next(spec for spec in PAGES if spec.name == "group").build()
    nojs_page.goto(live_server.url + path)
    assert nojs_page.get_by_label("Link to this page").input_value().endswith(path)
    assert nojs_page.get_by_role("link", name="Share by email").is_visible()
    # "Copy link" and "Show on a map" need JavaScript, so they are not shown at all.
    assert not nojs_page.get_by_role("button", name="Copy link").is_visible()
    assert nojs_page.locator(".map button").count() == 0
    kit.assert_no_horizontal_overflow(nojs_page)


def test_language_switcher_works_without_javascript(nojs_page, live_server, transactional_db):
    nojs_page.goto(live_server.url + reverse("groups:search"))
    nojs_page.locator(".language-switcher button[value=es]").click()
    nojs_page.wait_for_load_state()
    assert nojs_page.locator("html").get_attribute("lang") == "es"


def test_reminder_form_works_without_javascript(nojs_page, live_server):
    from groups.models import ReminderSubscription

    path = next(spec for spec in PAGES if spec.name == "group").build()
    nojs_page.goto(live_server.url + path)
    nojs_page.get_by_role("link", name="Remind me").click()
    nojs_page.locator("input[name=email]").fill("ana@example.org")
    nojs_page.locator(".reminder-form button[type=submit]").click()
    nojs_page.wait_for_load_state()
    assert nojs_page.url == live_server.url + reverse("reminders:check_email")
    subscription = ReminderSubscription.objects.get()
    assert subscription.email == "ana@example.org" and subscription.confirmed_at is None
