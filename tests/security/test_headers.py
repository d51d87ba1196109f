import pytest
from django.test import override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _csp(response) -> dict[str, str]:
    policy = response["Content-Security-Policy"]
    return {
        part.strip().split(" ", 1)[0]: part.strip().partition(" ")[2]
        for part in policy.split(";")
        if part.strip()
    }


def test_csp_is_strict_and_nonce_based(client):
    response = client.get(reverse("groups:search"))
    csp = _csp(response)
    assert csp["default-src"] == "'self'"
    assert csp["object-src"] == "'none'" and csp["base-uri"] == "'none'"
    assert csp["frame-ancestors"] == "'none'" and csp["form-action"] == "'self'"
    assert csp["img-src"] == "'self' data:"
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


def test_csp_nonce_is_in_the_header_when_a_template_uses_it(rf):
    from csp.middleware import CSPMiddleware
    from django.http import HttpResponse
    from django.template import engines

    template = engines["django"].from_string('<script nonce="{{ request.csp_nonce }}"></script>')

    def view(request):
        return HttpResponse(template.render({"request": request}))

    response = CSPMiddleware(view)(rf.get("/"))
    nonce = response.content.decode().split('nonce="')[1].split('"')[0]
    assert len(nonce) >= 16 and f"'nonce-{nonce}'" in _csp(response)["script-src"]


def test_map_tile_host_is_allowed_for_images_when_configured():
    import os
    import subprocess
    import sys

    from tests.test_project import ROOT

    code = (
        "import django;django.setup();from django.conf import settings as s;"
        "print(' '.join(s.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "KINDRED_MAP_TILE_URL": "https://tiles.example.net/{z}/{x}/{y}.png",
    }
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.stdout.split() == ["'self'", "data:", "https://tiles.example.net"], result.stderr


def test_plain_headers_on_a_public_page_and_no_store_only_when_signed_in(client, login, moderator):
    response = client.get(reverse("groups:search"))
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    assert "no-store" not in response.get("Cache-Control", "")
    login(client, moderator)
    response = client.get(reverse("groups:search"))
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_no_store_decorator_for_anonymous_personal_pages(rf):
    from django.http import HttpResponse

    from config.headers import no_store

    response = no_store(lambda request: HttpResponse("client details"))(rf.get("/"))
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


@override_settings(SECURE_HSTS_SECONDS=63072000, SECURE_HSTS_INCLUDE_SUBDOMAINS=True)
def test_hsts_on_https_responses(client):
    response = client.get(reverse("groups:search"), secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=63072000")
