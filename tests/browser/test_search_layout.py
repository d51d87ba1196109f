"""The search form's layout as a person sees it, on a wide screen and on a phone."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.browser


def _tops(page, legends: list[str]) -> list[float]:
    boxes = [
        page.locator("fieldset", has=page.locator(f"legend:text-is('{name}')")) for name in legends
    ]
    return [box.bounding_box()["y"] for box in boxes]


def test_more_choices_sit_in_two_columns_on_a_wide_screen(page, live_server, transactional_db):
    page.set_viewport_size({"width": 1200, "height": 900})
    page.goto(live_server.url + reverse("groups:search") + "?cost=free")
    cost, access, transport = _tops(page, ["Cost", "Accessibility", "Getting there"])
    assert cost == access  # side by side (a <details> element alone does not make a grid)
    assert transport > cost


def test_more_choices_stack_on_a_phone(page, live_server, transactional_db):
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(live_server.url + reverse("groups:search") + "?cost=free")
    cost, access, _transport = _tops(page, ["Cost", "Accessibility", "Getting there"])
    assert access > cost
