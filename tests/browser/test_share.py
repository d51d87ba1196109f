"""Sharing a group by link, email and text message in the browser."""

import pytest
from django.conf import settings
from django.urls import reverse

from tests.browser.pages import PAGES

pytestmark = pytest.mark.browser


def test_copy_link_button_copies_the_canonical_address(page, live_server):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    path = next(spec for spec in PAGES if spec.name == "group").build()
    page.goto(live_server.url + path)
    page.get_by_role("button", name="Copy link").click()
    page.get_by_role("status").filter(has_text="Link copied").wait_for()
    assert page.evaluate("() => navigator.clipboard.readText()") == settings.SITE_URL + path
    assert path == reverse("groups:detail", args=[path.strip("/").split("/")[-1]])
