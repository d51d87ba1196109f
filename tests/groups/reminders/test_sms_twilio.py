"""The Twilio-compatible SMS adapter, against a fake provider on 127.0.0.1."""

import base64
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from groups.sms import SMSError, send_sms


class _FakeProvider(BaseHTTPRequestHandler):
    requests: list = []
    status = 201
    delay = 0.0

    def do_POST(self):  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).requests.append(
            {"path": self.path, "auth": self.headers["Authorization"], "form": body.decode()}
        )
        time.sleep(self.delay)
        reply = json.dumps({"sid": "SM123", "status": "queued"}).encode()
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args):
        pass


@pytest.fixture
def provider(settings):
    _FakeProvider.requests, _FakeProvider.status, _FakeProvider.delay = [], 201, 0.0
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FakeProvider)
    server.handle_error = lambda *args: None  # the timed-out client hung up: expected
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SMS_BACKEND = "groups.sms.twilio.TwilioBackend"
    settings.SMS_TWILIO_API_URL = f"http://127.0.0.1:{server.server_port}"
    settings.SMS_TWILIO_ACCOUNT_SID = "AC0001"
    settings.SMS_TWILIO_AUTH_TOKEN = "secret-token"
    settings.SMS_TWILIO_FROM = "+15550000000"
    settings.SMS_TIMEOUT = 0.3
    yield _FakeProvider
    server.shutdown()
    server.server_close()


def test_sends_form_with_basic_auth_and_returns_provider_id(provider):
    assert send_sms(to="+15551234567", body="Meeting tomorrow") == "SM123"
    (request,) = provider.requests
    assert request["path"] == "/2010-04-01/Accounts/AC0001/Messages.json"
    assert request["auth"] == "Basic " + base64.b64encode(b"AC0001:secret-token").decode()
    form = urllib.parse.parse_qs(request["form"])
    assert form == {"To": ["+15551234567"], "From": ["+15550000000"], "Body": ["Meeting tomorrow"]}


def test_refused_number_is_a_permanent_error_without_the_number(provider):
    provider.status = 400
    with pytest.raises(SMSError) as caught:
        send_sms(to="+15551234567", body="x")
    assert caught.value.permanent is True
    assert "5551234567" not in str(caught.value)


def test_provider_outage_is_retryable(provider):
    provider.status = 503
    with pytest.raises(SMSError) as caught:
        send_sms(to="+15551234567", body="x")
    assert caught.value.permanent is False


def test_slow_provider_times_out_quickly(provider):
    provider.delay = 1.0
    started = time.monotonic()
    with pytest.raises(SMSError):
        send_sms(to="+15551234567", body="x")
    assert time.monotonic() - started < 0.9
