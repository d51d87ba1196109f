"""A group's page prints on one sheet, Letter and A4, rendered to PDF by Chromium."""

import pytest
from django.urls import reverse

from tests.browser import kit
from tests.browser.pages import PAGES, open_page
from tests.factories import GroupFactory

pytestmark = pytest.mark.browser

LONG_DESCRIPTION = " ".join(
    [
        "A friendly peer-led group for adults living with depression or low mood.",
        "We meet every Tuesday evening in the community room on the ground floor.",
        "There is tea and coffee, and nobody has to speak unless they want to.",
    ]
    * 6
)


@pytest.mark.parametrize("paper", ["Letter", "A4"])
def test_group_page_prints_on_one_page(page, live_server, transactional_db, paper):
    group = GroupFactory(name="Tuesday Evening Peer Circle", description=LONG_DESCRIPTION)
    page.goto(live_server.url + reverse("groups:detail", args=[group.pk]))
    assert kit.printed_pages(page, paper=paper) == 1
    kit.save_pdf(page, "group", paper=paper)


def test_print_leaves_out_navigation_and_buttons_but_keeps_the_crisis_line_and_link(
    page, live_server, transactional_db
):
    group = GroupFactory(name="Tuesday Evening Peer Circle", description=LONG_DESCRIPTION)
    page.goto(live_server.url + reverse("groups:detail", args=[group.pk]))
    page.emulate_media(media="print")
    assert not page.locator(".site-header nav").is_visible()
    assert not page.locator(".language-switcher").is_visible()
    assert not page.locator(".share-links").is_visible()
    assert not page.get_by_role("button", name="Copy link").is_visible()
    assert page.get_by_label("Link to this page").is_visible()  # where to find it again
    assert page.locator(".crisis").is_visible()
    assert page.locator("h1").is_visible()
    page.set_viewport_size({"width": 816, "height": 1056})  # Letter at 96 dpi
    page.screenshot(path=str(kit.SCREENSHOTS / "group-print.png"), full_page=True)
    page.emulate_media(media="screen")


def test_referral_handout_prints_on_one_page(page, live_server, request, sign_in):
    """The client's link page is the referral handout: one sheet, Letter and A4."""
    spec = next(spec for spec in PAGES if spec.name == "client-link")
    open_page(page, spec, base_url=live_server.url, request=request, sign_in=sign_in)
    assert page.locator("h1").is_visible()
    for paper in ("Letter", "A4"):
        assert kit.printed_pages(page, paper=paper) == 1, f"more than one {paper} sheet"
    kit.save_pdf(page, "referral-handout")
