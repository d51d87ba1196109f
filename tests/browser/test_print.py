"""A group's page prints on one sheet, Letter and A4, rendered to PDF by Chromium."""

import pytest
from django.urls import reverse

from groups.services import occurrences_refresh
from tests.browser import kit
from tests.browser.pages import PAGES, open_page
from tests.factories import GroupFactory, ScheduleFactory

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
    group = GroupFactory(
        name="Tuesday Evening Peer Circle",
        description=LONG_DESCRIPTION,
        contact_name="Olivia Organizer",
        contact_email="olivia@example.org",
        contact_phone="+1 217 555 0100",
        accessibility=("step_free", "hearing_loop"),
    )
    ScheduleFactory(group=group)  # eight weeks of meetings listed
    occurrences_refresh(group_id=group.pk)
    page.goto(live_server.url + reverse("groups:detail", args=[group.pk]))
    kit.save_pdf(page, "group", paper=paper)
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 703, "height": 943})  # Letter inside the margins
    page.screenshot(path=str(kit.SCREENSHOTS / f"group-print-{paper.lower()}.png"), full_page=True)
    page.emulate_media(media="screen")
    assert kit.printed_pages(page, paper=paper) == 1


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
