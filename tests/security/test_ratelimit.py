import logging

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.test import override_settings
from django.urls import reverse

from config.ratelimit import parse_rate, rate_limit
from tests.canaries import CANARY_EMAIL

pytestmark = pytest.mark.django_db


def _view(request):
    return HttpResponse("ok")


def test_limit_answers_429_with_the_friendly_page_in_spanish_too(rf):
    from django.contrib.auth.models import AnonymousUser
    from django.utils import translation

    view = rate_limit(scope="t", rate="2/m")(_view)
    request = rf.get("/", REMOTE_ADDR="203.0.113.5")
    request.user = AnonymousUser()
    assert view(request).status_code == 200
    assert view(request).status_code == 200
    with translation.override("es"):
        response = view(request)
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    html = response.content.decode()
    assert 'class="crisis"' in html and '<html lang="es">' in html
    other = rf.get("/", REMOTE_ADDR="203.0.113.6")
    other.user = AnonymousUser()
    assert view(other).status_code == 200


@override_settings(
    CACHES={
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "frame": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "f"},
    }
)
def test_cache_keys_hold_no_raw_address_or_email(rf):
    from django.contrib.auth.models import AnonymousUser

    view = rate_limit(scope="t", rate="5/m", key=lambda r: f"email:{CANARY_EMAIL}")(_view)
    request = rf.get("/", REMOTE_ADDR="203.0.113.5")
    request.user = AnonymousUser()
    view(request)
    keys = list(getattr(cache, "_cache", {}).keys())
    assert keys, "locmem cache expected in this test"
    assert not any("203.0.113.5" in key or CANARY_EMAIL in key for key in keys)


def test_only_the_listed_methods_count(rf):
    from django.contrib.auth.models import AnonymousUser

    view = rate_limit(scope="t", rate="1/m", methods=("POST",))(_view)
    for _ in range(3):
        request = rf.get("/")
        request.user = AnonymousUser()
        assert view(request).status_code == 200


class _BrokenCache:
    def add(self, *args, **kwargs):
        raise ConnectionError("redis down")

    incr = add


def test_cache_outage_fails_open_for_reading_and_closed_when_asked(rf, monkeypatch, caplog):
    from django.contrib.auth.models import AnonymousUser

    import config.ratelimit

    monkeypatch.setattr(config.ratelimit, "cache", _BrokenCache())
    request = rf.get("/")
    request.user = AnonymousUser()
    with caplog.at_level(logging.WARNING, logger="kindred.security"):
        assert rate_limit(scope="t", rate="1/m")(_view)(request).status_code == 200
        closed = rate_limit(scope="t", rate="1/m", fail_open=False)(_view)(request)
    assert closed.status_code == 429
    assert "rate_limit_cache_unavailable" in caplog.text


def test_malformed_rate_fails_at_import():
    with pytest.raises(ValueError):
        rate_limit(scope="t", rate="ten per minute")
    assert parse_rate("10/m") == (10, 60) and parse_rate("3/d") == (3, 86400)


def test_password_reset_requests_are_rate_limited_per_address(client):
    for _ in range(5):
        response = client.post(reverse("accounts:password_reset"), {"email": "x@example.org"})
        assert response.status_code == 302
    response = client.post(reverse("accounts:password_reset"), {"email": "x@example.org"})
    assert response.status_code == 429


@pytest.mark.redis
def test_counters_work_on_redis(rf, settings):
    from django.contrib.auth.models import AnonymousUser

    assert "redis" in settings.CACHES["default"]["BACKEND"].lower()
    view = rate_limit(scope="redis-t", rate="2/m")(_view)
    request = rf.get("/", REMOTE_ADDR="203.0.113.5")
    request.user = AnonymousUser()
    codes = [view(request).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
