"""A Twilio-compatible REST adapter (Twilio, and providers that copy its API).

POST {SMS_TWILIO_API_URL}/2010-04-01/Accounts/{sid}/Messages.json with basic
auth and form fields To, From, Body; the reply's "sid" is the message id.
Plain urllib with a timeout: no SDK needed for one call. Errors never carry
the number or the text.
"""

import base64
import json
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from groups.sms import SMSError


class TwilioBackend:
    def __init__(self):
        self.account = settings.SMS_TWILIO_ACCOUNT_SID
        self.token = settings.SMS_TWILIO_AUTH_TOKEN
        self.sender = settings.SMS_TWILIO_FROM
        if not (self.account and self.token and self.sender):
            raise ImproperlyConfigured(
                "SMS_TWILIO_ACCOUNT_SID, SMS_TWILIO_AUTH_TOKEN and SMS_TWILIO_FROM must be set "
                "to use groups.sms.twilio.TwilioBackend."
            )
        base = settings.SMS_TWILIO_API_URL.rstrip("/")
        account = urllib.parse.quote(self.account, safe="")
        self.url = f"{base}/2010-04-01/Accounts/{account}/Messages.json"

    def send(self, *, to: str, body: str) -> str:
        data = urllib.parse.urlencode({"To": to, "From": self.sender, "Body": body}).encode()
        credentials = base64.b64encode(f"{self.account}:{self.token}".encode()).decode()
        request = urllib.request.Request(  # noqa: S310 - the URL is the configured https API
            self.url,
            data=data,
            method="POST",
            headers={
                "Authorization": f"Basic {credentials}",
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/json",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=settings.SMS_TIMEOUT) as response:  # noqa: S310
                payload = json.loads(response.read(64 * 1024) or b"{}")
        except urllib.error.HTTPError as exc:
            # 4xx: the provider refused this message (bad number, opted out): retrying
            # will not help, except 429 (slow down). 5xx: try again later.
            error = SMSError(f"provider answered HTTP {exc.code}")
            error.permanent = 400 <= exc.code < 500 and exc.code != 429
            raise error from None
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
            raise SMSError(f"provider unreachable: {exc.__class__.__name__}") from None
        message_id = payload.get("sid") if isinstance(payload, dict) else None
        if not message_id:
            raise SMSError("provider reply had no message id")
        return str(message_id)
