"""The page frame every page shares: crisis line, landmarks, language switcher."""

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from tests.factories import GroupFactory

pytestmark = pytest.mark.django_db


def _public_pages():
    group = GroupFactory()
    return [
        reverse("groups:search"),
        reverse("groups:detail", args=[group.pk]),
        reverse("accounts:login"),
        reverse("accounts:password_reset"),
        reverse("accounts:password_reset_done"),
        reverse("accounts:password_reset_complete"),
        "/no-such-page/",
    ]


def test_crisis_banner_landmarks_and_skip_link_on_every_public_page(client):
    for url in _public_pages():
        response = client.get(url)
        html = response.content.decode()
        assert 'class="crisis"' in html, url
        assert 'href="tel:988"' in html and 'href="sms:988"' in html, url
        assert '<main id="main"' in html, url
        assert 'class="skip-link" href="#main"' in html, url


def test_crisis_line_comes_from_settings(client):
    with override_settings(
        CRISIS_LINE_TEXT="Samaritans: call 116 123 any time.",
        CRISIS_LINE_PHONE="116123",
        CRISIS_LINE_SMS="",
    ):
        html = client.get(reverse("groups:search")).content.decode()
    assert "Samaritans: call 116 123 any time." in html
    assert 'href="tel:116123"' in html
    assert 'href="sms:' not in html


def test_signed_in_pages_have_the_banner_too(client, login, moderator):
    login(client, moderator)
    assert 'class="crisis"' in client.get(reverse("accounts:home")).content.decode()


def test_no_third_party_resources_in_the_frame(client):
    html = client.get(reverse("groups:search")).content.decode()
    for marker in ('src="http', 'src="//', 'href="//', "fonts.googleapis", "cdn."):
        assert marker not in html


def test_language_switch_to_spanish_sticks_without_an_account(client):
    response = client.post(reverse("set_language"), {"language": "es", "next": "/"})
    assert response.status_code == 302
    html = client.get(reverse("groups:search")).content.decode()
    assert '<html lang="es">' in html
    assert "Buscar un grupo" in html  # the nav link "Find a group"
    translation.activate("en")


def test_anonymous_search_page_sets_no_cookie(client):
    response = client.get(reverse("groups:search"))
    assert response.cookies == {}


def test_the_frames_drawn_once_parts_follow_the_language_and_the_person(client, django_user_model):
    """The frame's fixed parts are drawn once per language and process: each language
    gets its own, and a signed-in person still gets their own menu and token."""
    pages = []
    for language in ("en", "es", "en"):
        client.cookies["django_language"] = language
        pages.append(client.get(reverse("groups:search")).content.decode())
    english, spanish, english_again = pages
    assert "Skip to main content" in english and "Sign in for staff" in english
    assert "Skip to main content" not in spanish and 'lang="es"' in spanish
    assert english_again == english
    assert 'name="next" value="/?near=60601"' in client.get("/?near=60601").content.decode()

    user = django_user_model.objects.create_user(email="person@example.org", password="x" * 20)
    client.force_login(user)
    signed_in = client.get(reverse("groups:search")).content.decode()
    assert "Sign out" in signed_in and "Sign in for staff" not in signed_in
    assert "csrfmiddlewaretoken" in signed_in
