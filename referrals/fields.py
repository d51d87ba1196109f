"""Client fields encrypted at rest with Fernet (AES-128-CBC + HMAC-SHA256).

Keys come from `KINDRED_FIELD_ENCRYPTION_KEYS`: the first key encrypts, every
key decrypts, so a key is rotated by putting a new one first, running
`manage.py rotate_referral_keys`, then removing the old one.

In Python the attribute holds the plain text; the database, `dumpdata` and any
serializer only ever see the token. Encrypted columns cannot be searched or
sorted: nothing needs to, and a lookup on one is refused.
"""

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

# Every Fernet token starts with the version byte 0x80, base64 "gAAAAA".
_TOKEN_PREFIX = "gAAAAA"  # noqa: S105 - a format marker, not a secret


@lru_cache(maxsize=4)
def _multifernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("KINDRED_FIELD_ENCRYPTION_KEYS is empty.")
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError:
        raise ImproperlyConfigured(
            "KINDRED_FIELD_ENCRYPTION_KEYS holds a value that is not a Fernet key "
            "(32 bytes, URL-safe base64)."
        ) from None


def field_cipher() -> MultiFernet:
    return _multifernet(tuple(settings.KINDRED_FIELD_ENCRYPTION_KEYS))


def encrypt_text(value: str) -> str:
    return field_cipher().encrypt(value.encode()).decode()


def decrypt_text(token: str) -> str:
    return field_cipher().decrypt(token.encode()).decode()


def rotate_token(token: str) -> str:
    """The same plain text, encrypted again under the newest key."""
    return field_cipher().rotate(token.encode()).decode()


class EncryptedTextField(models.TextField):
    """A text field stored as a Fernet token. An empty value is stored empty."""

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt_text(str(value))

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt_text(value)

    def to_python(self, value):
        # Deserialization (loaddata) hands back the token that value_to_string wrote.
        if isinstance(value, str) and value.startswith(_TOKEN_PREFIX):
            try:
                return decrypt_text(value)
            except InvalidToken:
                return value
        return super().to_python(value)

    def value_to_string(self, obj):
        value = self.value_from_object(obj)
        return encrypt_text(value) if value else value

    def get_lookup(self, lookup_name):
        if lookup_name not in ("isnull", "exact"):
            return None
        return super().get_lookup(lookup_name)
