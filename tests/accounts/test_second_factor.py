import re

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import RecoveryCode
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def _password_login(client, user, next_url=""):
    data = {"username": user.email, "password": TEST_PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("accounts:login"), data)


def test_first_login_of_a_member_goes_to_enrolment_with_qr_svg_and_secret(client, organizer_a):
    response = _password_login(client, organizer_a)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:second_factor_setup"))
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "<svg" in html and 'role="img"' in html
    device = TOTPDevice.objects.get(user=organizer_a, confirmed=False)
    secret = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', html).group(1)
    from base64 import b32decode

    assert (
        b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
        == device.bin_key
    )


def test_member_cannot_open_a_private_page_before_enrolling(client, organizer_a):
    _password_login(client, organizer_a)
    response = client.get(reverse("accounts:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:second_factor_setup"))


def test_enrolment_with_a_valid_code_verifies_the_session_and_shows_ten_codes_once(
    client, organizer_a
):
    _password_login(client, organizer_a)
    client.get(reverse("accounts:second_factor_setup"))
    device = TOTPDevice.objects.get(user=organizer_a, confirmed=False)
    response = client.post(reverse("accounts:second_factor_setup"), {"token": _code(device)})
    assert response.status_code == 200
    codes = re.findall(
        r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>", response.content.decode()
    )
    assert len(codes) == 10 and len(set(codes)) == 10
    assert (
        response["Cache-Control"].startswith("max-age=0")
        and "no-store" in response["Cache-Control"]
    )
    # Stored only as hashes.
    stored = set(RecoveryCode.objects.values_list("code_hash", flat=True))
    assert not stored & {c.replace("-", "") for c in codes}
    assert client.get(reverse("accounts:home")).status_code == 200
    # The page that lists codes later shows only how many are left.
    again = client.get(reverse("accounts:recovery_codes")).content.decode()
    assert codes[0] not in again and "10 recovery codes left" in again


def test_enrolment_with_a_wrong_code_keeps_the_person_on_the_page(client, organizer_a):
    _password_login(client, organizer_a)
    response = client.post(reverse("accounts:second_factor_setup"), {"token": "000000"})
    assert response.status_code == 200
    assert "did not work" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=organizer_a, confirmed=True).exists()


def test_every_login_asks_for_the_code_and_a_valid_code_opens_private_pages(client, organizer_a):
    device = TOTPDevice.objects.create(user=organizer_a, name="phone", confirmed=True)
    response = _password_login(client, organizer_a, next_url=reverse("accounts:password_change"))
    assert response["Location"].startswith(reverse("accounts:second_factor_verify"))
    assert client.get(reverse("accounts:home")).status_code == 302
    key_before = client.session.session_key
    response = client.post(
        response["Location"],
        {"token": _code(device), "next": reverse("accounts:password_change")},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_change")
    assert client.session.session_key != key_before  # new key at the new privilege level
    assert client.get(reverse("accounts:home")).status_code == 200


def test_wrong_code_is_refused(client, organizer_a):
    TOTPDevice.objects.create(user=organizer_a, name="phone", confirmed=True)
    _password_login(client, organizer_a)
    response = client.post(reverse("accounts:second_factor_verify"), {"token": "123456"})
    assert response.status_code == 200
    assert client.get(reverse("accounts:home")).status_code == 302


def test_recovery_code_works_once(client, organizer_a):
    from accounts.second_factor import recovery_codes_replace

    TOTPDevice.objects.create(user=organizer_a, name="phone", confirmed=True)
    codes = recovery_codes_replace(user=organizer_a)
    _password_login(client, organizer_a)
    response = client.post(reverse("accounts:second_factor_verify"), {"token": codes[3].upper()})
    assert response.status_code == 302
    assert client.get(reverse("accounts:home")).status_code == 200
    client.post(reverse("accounts:logout"))
    _password_login(client, organizer_a)
    response = client.post(reverse("accounts:second_factor_verify"), {"token": codes[3]})
    assert response.status_code == 200  # refused: already used
    assert RecoveryCode.objects.filter(device__user=organizer_a).count() == 9


def test_new_recovery_codes_replace_the_old(client, login, organizer_a):
    from accounts.second_factor import recovery_codes_replace

    old = recovery_codes_replace(user=organizer_a)
    login(client, organizer_a)
    response = client.post(reverse("accounts:recovery_codes"))
    new = re.findall(r"<code>([a-z0-9-]{11})</code>", response.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    assert RecoveryCode.objects.filter(device__user=organizer_a).count() == 10


def test_person_without_role_needs_no_second_factor(client):
    from tests.factories import UserFactory

    user = UserFactory()
    response = _password_login(client, user)
    assert response["Location"] == reverse("accounts:home")
    assert client.get(reverse("accounts:home")).status_code == 200


def test_moderator_needs_a_second_factor_for_the_admin(client, moderator):
    _password_login(client, moderator)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:second_factor_setup"))


def test_public_pages_stay_open_between_the_two_steps(client, organizer_a):
    _password_login(client, organizer_a)
    assert client.get(reverse("groups:search")).status_code == 200


def test_admin_login_page_sends_to_the_one_login(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_login_fixture_passes_the_second_factor(client, login, organizer_a):
    login(client, organizer_a)
    assert client.get(reverse("accounts:home")).status_code == 200
