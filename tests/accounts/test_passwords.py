import pytest
from django.contrib.auth.hashers import identify_hasher
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import override_settings

import config.settings as project_settings
from accounts.models import User

pytestmark = pytest.mark.django_db


def test_passwords_are_stored_with_argon2_under_the_project_settings():
    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    with override_settings(PASSWORD_HASHERS=project_settings.PASSWORD_HASHERS):
        user = User.objects.create_user("argon@example.org", "long enough passphrase here")
        assert identify_hasher(user.password).algorithm == "argon2"
        assert user.check_password("long enough passphrase here")


@pytest.mark.parametrize(
    ("password", "accepted"),
    [
        ("a" * 11 + "Z", True),  # exactly 12
        ("elevenchars", False),  # 11
        ("y7" * 64, True),  # exactly 128
        ("y7" * 64 + "x", False),  # 129
        ("qwerty123456", False),  # common
        ("1qaz2wsx3edc", False),  # common
        ("123456789012", False),  # numeric only
    ],
)
def test_length_12_to_128_and_common_passwords_rejected(password, accepted):
    try:
        validate_password(password)
        ok = True
    except ValidationError:
        ok = False
    assert ok is accepted
