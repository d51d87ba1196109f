"""Sending text messages through a small backend interface.

`SMS_BACKEND` names a class with `send(*, to, body) -> str` returning the
provider's message id. The console backend prints a redacted line; a real
provider adapter lives beside it. Numbers and bodies never reach the logs.
"""

from django.conf import settings
from django.utils.module_loading import import_string


class SMSError(Exception):
    """The provider refused or could not be reached; the caller may retry."""


def sms_enabled() -> bool:
    return bool(settings.SMS_BACKEND)


def get_backend():
    return import_string(settings.SMS_BACKEND)()


def send_sms(*, to: str, body: str) -> str:
    """Send one message and return the provider's id for it. Raises SMSError."""
    return get_backend().send(to=to, body=body)
