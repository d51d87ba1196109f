import logging

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from tests.canaries import CANARY_EMAIL
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _attempt(client, email, password="wrong password", ip="203.0.113.7"):
    return client.post(
        reverse("accounts:login"), {"username": email, "password": password}, REMOTE_ADDR=ip
    )


def test_repeated_failures_lock_the_account_and_address_pair_with_a_clear_page(
    client, settings, caplog
):
    settings.AXES_FAILURE_LIMIT = 3
    user = UserFactory(email=CANARY_EMAIL)
    with caplog.at_level(logging.DEBUG):
        for _ in range(3):
            response = _attempt(client, CANARY_EMAIL)
        assert response.status_code == 429
        html = response.content.decode()
        assert "Sign-in paused" in html and 'class="crisis"' in html
        # Even the right password is refused from that address while locked.
        assert _attempt(client, CANARY_EMAIL, TEST_PASSWORD).status_code == 429
        # Another address, or another account from this address, is not locked.
        assert _attempt(client, CANARY_EMAIL, TEST_PASSWORD, ip="198.51.100.9").status_code == 302
        assert _attempt(Client(), "someone.else@example.org").status_code == 200
    assert "event=login_locked_out" in caplog.text
    assert "event=login_failed" in caplog.text
    assert f"event=login_succeeded user={user.pk}" in caplog.text
    for secret in (CANARY_EMAIL, "203.0.113.7", "198.51.100.9", TEST_PASSWORD, "wrong password"):
        assert secret not in caplog.text
    # The lockout table holds a digest of the email, not the address itself.
    assert not AccessAttempt.objects.filter(username__icontains="@").exists()


def test_case_of_the_email_does_not_dodge_the_lock(client, settings):
    settings.AXES_FAILURE_LIMIT = 2
    UserFactory(email="carla@example.org")
    _attempt(client, "carla@example.org")
    response = _attempt(client, "CARLA@example.org")
    assert response.status_code == 429


def test_success_resets_the_failure_count(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    user = UserFactory()
    _attempt(client, user.email)
    _attempt(client, user.email)
    assert _attempt(client, user.email, TEST_PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"))
    _attempt(client, user.email)
    _attempt(client, user.email)
    assert _attempt(client, user.email, TEST_PASSWORD).status_code == 302


def test_ip_addresses_in_security_events_are_keyed_digests(rf):
    from accounts.client_ip import ip_pseudonym

    request = rf.get("/", REMOTE_ADDR="203.0.113.7")
    digest = ip_pseudonym(request)
    assert len(digest) == 12 and "203" not in digest
    assert digest == ip_pseudonym(rf.get("/", REMOTE_ADDR="203.0.113.7"))
    assert digest != ip_pseudonym(rf.get("/", REMOTE_ADDR="203.0.113.8"))


def test_client_ip_behind_a_trusted_proxy_ignores_forged_entries(rf, settings):
    from accounts.client_ip import client_ip

    settings.KINDRED_TRUSTED_PROXY_COUNT = 1
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    assert client_ip(request) == "203.0.113.7"
    settings.KINDRED_TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.2"
