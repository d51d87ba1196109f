"""Spanish in the browser: the choice sticks without an account, and Spanish pages have
no English left (the last check waits for the final translation pass: `translations`)."""

import pytest
from django.urls import reverse

from tests.browser import kit
from tests.browser.pages import CONTENT, PAGES, open_page

pytestmark = pytest.mark.browser


def test_language_choice_sticks_without_an_account_and_only_after_asking(
    new_context, live_server, transactional_db
):
    path = next(spec for spec in PAGES if spec.name == "group").build()
    context = new_context(locale="en-US")
    page = context.new_page()
    page.goto(live_server.url + reverse("groups:search"))
    assert page.locator("html").get_attribute("lang") == "en"
    assert context.cookies() == [], "an anonymous visit must set no cookie"

    page.locator(".language-switcher button[value=es]").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "es"
    assert [cookie["name"] for cookie in context.cookies()] == ["django_language"]

    page.goto(live_server.url + path)  # another page, no account: still Spanish
    assert page.locator("html").get_attribute("lang") == "es"
    fresh = context.new_page()
    fresh.goto(live_server.url + reverse("groups:search"))
    assert fresh.locator("html").get_attribute("lang") == "es"

    fresh.locator(".language-switcher button[value=en]").click()
    fresh.wait_for_load_state()
    assert fresh.locator("html").get_attribute("lang") == "en"


def test_switching_language_keeps_the_page_and_its_search(new_context, live_server):
    path = next(spec for spec in PAGES if spec.name == "search-results").build()
    page = new_context().new_page()
    page.goto(live_server.url + path)
    page.locator(".language-switcher button[value=es]").click()
    page.wait_for_load_state()
    assert page.url == live_server.url + path
    assert page.locator(".card").count() == 3


@pytest.mark.translations
@pytest.mark.parametrize("spec", PAGES, ids=[spec.name for spec in PAGES])
def test_spanish_page_has_no_english_left(page, live_server, request, sign_in, spec):
    page.context.add_cookies([{"name": "django_language", "value": "es", "url": live_server.url}])
    open_page(page, spec, base_url=live_server.url, request=request, sign_in=sign_in)
    assert page.locator("html").get_attribute("lang") == "es"
    leftovers = kit.english_leftovers(page, ignore=CONTENT + spec.content + ("Kindred",))
    assert not leftovers, f"{spec.name}: English on the Spanish page: {leftovers}"
