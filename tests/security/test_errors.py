import pytest
from django.test import Client, override_settings
from django.urls import include, path

pytestmark = pytest.mark.django_db


def _boom(request):
    raise RuntimeError("secret stack detail")


urlpatterns = [path("boom/", _boom), path("", include("config.urls"))]
handler500 = "config.errors.server_error"


@override_settings(DEBUG=False, ROOT_URLCONF=__name__)
def test_a_crash_shows_the_friendly_500_without_a_trace():
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Sorry, something went wrong" in html and 'class="crisis"' in html
    assert "secret stack detail" not in html and "Traceback" not in html


def test_csrf_failure_shows_a_friendly_page(organizer_a):
    from django.urls import reverse

    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:login"), {"username": "a", "password": "b"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "This form has expired" in html and 'class="crisis"' in html
    assert "CSRF" not in html


@pytest.mark.parametrize("language", ["en", "es"])
def test_error_pages_render_in_both_languages_with_the_crisis_banner(rf, language):
    from django.contrib.auth.models import AnonymousUser
    from django.template.loader import render_to_string
    from django.utils import translation

    request = rf.get("/")
    request.user = AnonymousUser()
    with translation.override(language):
        for name in ("400.html", "403.html", "403_csrf.html", "404.html", "429.html", "500.html"):
            html = render_to_string(name, request=request)
            assert 'class="crisis"' in html, name
            assert f'<html lang="{language}">' in html, name
