"""The checks themselves catch what they are for (so a green run means something)."""

import pytest

from tests.browser import kit

pytestmark = pytest.mark.browser

FRAME = '<!doctype html><html lang="en"><head><title>t</title></head><body>{}</body></html>'


def test_axe_check_reports_an_image_without_alt_text_and_a_bad_contrast(page):
    page.set_content(
        FRAME.format(
            '<main><h1>Test</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
            '<p style="color:#bbb;background:#fff">faint</p></main>'
        )
    )
    with pytest.raises(AssertionError) as failure:
        kit.assert_no_axe_violations(page)
    assert "image-alt" in str(failure.value)
    assert "color-contrast" in str(failure.value)


def test_overflow_check_reports_a_too_wide_element(page):
    page.set_viewport_size(kit.PHONE)
    page.set_content(FRAME.format('<main><div class="wide" style="width:600px">x</div></main>'))
    with pytest.raises(AssertionError, match="div.wide"):
        kit.assert_no_horizontal_overflow(page)


def test_focus_check_reports_a_link_whose_focus_is_invisible(page):
    page.set_content(
        FRAME.format('<style>a:focus{outline:none}</style><a href="#x">hidden focus</a>')
    )
    with pytest.raises(AssertionError, match="hidden focus"):
        kit.assert_focus_always_visible(page)


def test_english_check_finds_english_and_leaves_other_languages_alone(page):
    page.set_content(
        '<!doctype html><html lang="es"><head><title>Buscar</title></head><body>'
        "<p>Buscar un grupo</p><p>Find a group near you</p>"
        '<button lang="en">English</button><p>Tuesday Circle</p></body></html>'
    )
    leftovers = kit.english_leftovers(page, ignore=("Tuesday Circle",))
    assert "Find" in leftovers and "group" in leftovers
    assert "English" not in leftovers and "Tuesday" not in leftovers
