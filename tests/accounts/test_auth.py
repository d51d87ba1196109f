import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_login_page_is_accessible_and_has_crisis_banner(client):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_username">' in html
    assert 'class="crisis"' in html


def test_login_with_email_is_case_insensitive(client):
    user = UserFactory(email="carla@example.org")
    response = client.post(
        reverse("accounts:login"), {"username": "Carla@Example.org", "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk


def test_wrong_password_keeps_email_and_explains(client):
    UserFactory(email="carla@example.org")
    response = client.post(
        reverse("accounts:login"), {"username": "carla@example.org", "password": "nope"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="carla@example.org"' in html
    assert "error-summary" in html
    assert "_auth_user_id" not in client.session


def test_logout_ends_the_session(client, login, organizer_a):
    login(client, organizer_a)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_reset_by_email_round_trip(client):
    user = UserFactory(email="olivia@example.org")
    response = client.post(reverse("accounts:password_reset"), {"email": "olivia@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert "Kindred" in message.subject
    link = re.search(r"https?://[^/\s]+(/accounts/password-reset/\S+/)", message.body).group(1)
    response = client.get(link, follow=True)
    assert response.status_code == 200
    new_password = "a much longer new passphrase 7"
    response = client.post(
        response.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new_password)


def test_password_reset_for_unknown_address_sends_nothing_and_says_the_same(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("short1", False),
        ("password1234", False),
        ("x" * 129, False),
        ("tall trees by a river", True),
    ],
)
def test_password_rules(password, ok):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    try:
        validate_password(password)
        accepted = True
    except ValidationError:
        accepted = False
    assert accepted is ok


def test_home_needs_login(client):
    response = client.get(reverse("accounts:home"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_home_lists_memberships(client, login, organizer_a):
    login(client, organizer_a)
    response = client.get(reverse("accounts:home"))
    assert "Riverside Peer Network" in response.content.decode()


def test_home_links_each_role_to_its_work(client, login, organizer_a, case_worker_a, moderator):
    login(client, organizer_a)
    html = client.get(reverse("accounts:home")).content.decode()
    assert reverse("organizer:dashboard") in html and reverse("referrals:inbox") in html
    assert reverse("referrals:caseload") not in html
    login(client, case_worker_a)
    html = client.get(reverse("accounts:home")).content.decode()
    assert reverse("referrals:caseload") in html and reverse("organizer:dashboard") not in html
    login(client, moderator)
    html = client.get(reverse("accounts:home")).content.decode()
    assert reverse("moderation:queue") in html and reverse("referrals:audit_log") in html
    assert reverse("partners:list") in html and reverse("groups:unlocated") in html
    assert reverse("reminders:failed") in html
