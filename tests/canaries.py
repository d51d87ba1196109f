"""Canary values: plant them in tests as a client's name, email or phone number.

The session-wide guard in tests/conftest.py fails any test after which one of these
strings (or the phone's bare digits) appears in a log record at any level, in an error
report, or in a Celery task's arguments. Use them wherever a test handles personal data:

    from tests.canaries import CANARY_CLIENT_NAME, CANARY_EMAIL, CANARY_PHONE
"""

CANARY_CLIENT_NAME = "Zephyrine Quillfeather"
CANARY_EMAIL = "zephyrine.canary7@example.org"
CANARY_PHONE = "+1 312 555 0187"
CANARY_PHONE_DIGITS = "3125550187"

CANARIES = (CANARY_CLIENT_NAME, CANARY_EMAIL, CANARY_PHONE, CANARY_PHONE_DIGITS)


def canaries_in(text: str) -> list[str]:
    lowered = text.lower()
    return [canary for canary in CANARIES if canary.lower() in lowered]
