"""Normalizing addresses and numbers, and the keyed hash that stands in for them."""

import re

from django.utils.crypto import salted_hmac

_PHONE_JUNK = re.compile(r"[\s().\-]")
_E164 = re.compile(r"^\+[1-9]\d{7,14}$")


def normalize_email(email: str) -> str:
    return email.strip().lower()


def normalize_phone(phone: str, *, default_country_code: str = "1") -> str | None:
    """An E.164 number (+15551234567), or None if it cannot be one.

    Ten digits are read as a number in the default country (the US and Canada).
    """
    digits = _PHONE_JUNK.sub("", phone.strip())
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if not digits.startswith("+"):
        if len(digits) == 10 and digits.isdigit():
            digits = f"+{default_country_code}{digits}"
        elif len(digits) == 11 and digits.startswith(default_country_code):
            digits = f"+{digits}"
    return digits if _E164.match(digits) else None


def keyed_hash(value: str, *, purpose: str) -> str:
    """HMAC-SHA256 of a normalized value under the site's secret: safe as a cache or lookup key."""
    return salted_hmac(f"kindred.reminders.{purpose}", value, algorithm="sha256").hexdigest()


def address_key(*, email: str = "", phone: str = "") -> str:
    value = normalize_email(email) if email else phone
    return keyed_hash(value, purpose="address")
