import logging

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from accounts.models import UserSession
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def test_login_gives_a_new_session_key(client, organizer_a):
    client.get(reverse("accounts:login"))
    session = client.session
    session["probe"] = 1
    session.save()
    before = session.session_key
    client.post(
        reverse("accounts:login"), {"username": organizer_a.email, "password": TEST_PASSWORD}
    )
    assert client.session.session_key != before
    assert UserSession.objects.get(session_key=client.session.session_key).user_id == organizer_a.pk


def test_password_change_ends_every_other_session_and_keeps_this_one(login, organizer_a, caplog):
    here, elsewhere = Client(), Client()
    login(here, organizer_a)
    login(elsewhere, organizer_a)
    new = "a quiet lake under tall pines"
    with caplog.at_level(logging.INFO, logger="kindred.security"):
        response = here.post(
            reverse("accounts:password_change"),
            {"old_password": TEST_PASSWORD, "new_password1": new, "new_password2": new},
        )
    assert response.status_code == 302
    assert here.get(reverse("accounts:home")).status_code == 200
    assert elsewhere.get(reverse("accounts:home")).status_code == 302
    assert UserSession.objects.filter(user_id=organizer_a.pk).count() == 1
    assert "event=password_changed" in caplog.text and "sessions_ended=1" in caplog.text


@pytest.mark.parametrize(
    ("password", "accepted"),
    [("eleven char", False), ("password1234", False), ("x y " * 32, True), ("x" * 129, False)],
)
def test_password_change_applies_the_rules(client, login, organizer_a, password, accepted):
    login(client, organizer_a)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": TEST_PASSWORD, "new_password1": password, "new_password2": password},
    )
    assert (response.status_code == 302) is accepted


def test_staff_idle_timeout_signs_out(settings, client, login, organizer_a):
    settings.KINDRED_STAFF_IDLE_TIMEOUT_MINUTES = 30
    with time_machine.travel("2026-03-02 09:00Z", tick=False) as clock:
        login(client, organizer_a)
        assert client.get(reverse("accounts:home")).status_code == 200
        clock.shift(29 * 60)
        assert client.get(reverse("accounts:home")).status_code == 200
        clock.shift(31 * 60)
        response = client.get(reverse("accounts:home"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert "_auth_user_id" not in client.session


def test_staff_absolute_timeout_signs_out_even_when_active(settings, client, login, moderator):
    settings.KINDRED_STAFF_ABSOLUTE_TIMEOUT_HOURS = 12
    with time_machine.travel("2026-03-02 08:00Z", tick=False) as clock:
        login(client, moderator)
        for _ in range(12 * 4 + 2):
            clock.shift(15 * 60)
            response = client.get(reverse("accounts:home"))
            if response.status_code != 200:
                break
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_session_cookie_is_httponly_and_samesite(client, organizer_a):
    response = client.post(
        reverse("accounts:login"), {"username": organizer_a.email, "password": TEST_PASSWORD}
    )
    from django.conf import settings

    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


def test_production_cookies_are_secure_and_host_prefixed():
    import os
    import subprocess
    import sys

    from tests.test_project import PRODUCTION_ENV, ROOT

    code = (
        "import django;django.setup();from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, s.SESSION_COOKIE_SECURE,"
        " s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SECURE_HSTS_SECONDS)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env |= PRODUCTION_ENV | {"DJANGO_SETTINGS_MODULE": "config.settings"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    session, csrf, s_secure, c_secure, httponly, hsts = result.stdout.split()
    assert session.startswith("__Host-") and csrf.startswith("__Host-")
    assert s_secure == c_secure == httponly == "True" and int(hsts) >= 31536000


def test_password_reset_by_email_ends_every_session_of_that_person(client, login, organizer_a):
    import re

    from django.core import mail

    elsewhere = Client()
    login(elsewhere, organizer_a)
    client.post(reverse("accounts:password_reset"), {"email": organizer_a.email})
    link = re.search(r"https?://[^/\s]+(/accounts/password-reset/\S+/)", mail.outbox[0].body)
    response = client.get(link.group(1), follow=True)
    new = "a brand new passphrase for spring"
    client.post(response.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    organizer_a.refresh_from_db()
    assert organizer_a.check_password(new)
    assert not UserSession.objects.filter(user_id=organizer_a.pk).exists()
    assert elsewhere.get(reverse("accounts:home")).status_code == 302
