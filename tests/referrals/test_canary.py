"""A unique client name, email and phone are planted and the whole flow is run;
they must never appear in logs (every logger at DEBUG, SQL included), task
arguments, broker messages, caches or error reports."""

import base64
import datetime as dt
import json
import logging

import pytest
import time_machine
from celery.app.task import Task
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.views.debug import ExceptionReporter

from groups.sms.locmem import LocmemBackend
from referrals import services
from referrals.messaging import referral_followups_send
from referrals.models import Referral
from referrals.retention import referrals_purge_expired
from tests.referrals.conftest import CANARY_EMAIL, CANARY_NAME, CANARY_PHONE, link_from_email

pytestmark = pytest.mark.django_db

CANARIES = (CANARY_NAME, CANARY_EMAIL, CANARY_PHONE, CANARY_PHONE.lstrip("+1"), "Zebulon")


def _assert_clean(text: str, where: str):
    for canary in CANARIES:
        assert canary.lower() not in text.lower(), f"client data found in {where}"


@pytest.fixture
def capture_everything(caplog, monkeypatch):
    """Every logger at DEBUG, SQL statements with their parameters, every task queued."""
    caplog.set_level(logging.DEBUG)
    for name in list(logging.root.manager.loggerDict):
        caplog.set_level(logging.DEBUG, logger=name)
    previous_debug_cursor = connection.force_debug_cursor
    connection.force_debug_cursor = True
    queued = []
    original = Task.apply_async

    def recording(self, args=None, kwargs=None, **options):
        queued.append({"task": self.name, "args": args, "kwargs": kwargs, "options": options})
        return original(self, args, kwargs, **options)

    monkeypatch.setattr(Task, "apply_async", recording)
    yield queued
    connection.force_debug_cursor = previous_debug_cursor


def _form(agency, **overrides):
    today = timezone.localdate()
    data = {
        "agency": str(agency.pk),
        "client_name": CANARY_NAME,
        "contact_method": "email",
        "contact_value": CANARY_EMAIL,
        "preferred_language": "en",
        "notes": f"{CANARY_NAME} prefers mornings.",
        "share": ["name", "contact", "language", "notes"],
        "consent_given": "on",
        "consent_method": "signed_on_screen",
        "signature": CANARY_NAME,
        "consent_given_on": today.isoformat(),
        "valid_until": (today + dt.timedelta(days=365)).isoformat(),
    }
    data.update(overrides)
    return data


def _run_whole_flow(client, login, case_worker, organizer, moderator, agency, group, capture):
    """Both channels, every page, every job. Returns the referrals made."""
    login(client, case_worker)
    with capture(execute=True):
        client.post(reverse("referrals:create", args=[group.pk]), _form(agency))
        client.post(
            reverse("referrals:create", args=[group.pk]),
            _form(agency, contact_method="sms", contact_value=CANARY_PHONE),
        )
    by_email, by_sms = Referral.objects.order_by("pk")
    for page in ("caseload", "report", "report_csv"):
        client.get(reverse(f"referrals:{page}"))
    client.get(reverse("referrals:detail", args=[by_email.pk]))

    client.logout()
    link = link_from_email(mail.outbox[0])
    client.get(link)
    client.post(link, {"answer": "going"})
    client.get(reverse("referrals:client_link", args=["not-a-real-token"]))  # a logged 404

    login(client, organizer)
    client.get(reverse("referrals:inbox"))
    client.get(reverse("referrals:inbox_detail", args=[by_email.pk]))
    client.post(reverse("referrals:inbox_detail", args=[by_email.pk]), {"status": "accepted"})
    client.post(
        reverse("referrals:inbox_detail", args=[by_sms.pk]),
        {"status": "declined", "reason": "Full"},
    )
    first = by_email.group.occurrences.filter(starts_at__gte=by_email.created_at).first()
    with time_machine.travel(first.starts_at + dt.timedelta(hours=2)):
        login(client, organizer)  # days later: the staff session has timed out
        client.post(reverse("referrals:inbox_detail", args=[by_email.pk]), {"status": "attended"})
        login(client, case_worker)
        client.post(reverse("referrals:update", args=[by_email.pk]), {"status": "closed"})
        client.post(reverse("referrals:revoke_consent", args=[by_sms.pk]))
    with (
        time_machine.travel(timezone.now() + dt.timedelta(days=20)),
        capture(execute=True),
    ):
        referral_followups_send()
    login(client, moderator)
    client.get(reverse("referrals:audit_log"))
    with time_machine.travel(timezone.now() + dt.timedelta(days=400)):
        referrals_purge_expired()
    return by_email, by_sms


@pytest.fixture
def sms_locmem(settings):
    settings.SMS_BACKEND = "groups.sms.locmem.LocmemBackend"
    LocmemBackend.outbox.clear()
    yield LocmemBackend.outbox
    LocmemBackend.outbox.clear()


def test_canary_never_reaches_logs_task_arguments_or_caches(
    client,
    login,
    caplog,
    capture_everything,
    sms_locmem,
    case_worker_a,
    organizer_a,
    moderator,
    agency_a,
    group_a,
    django_capture_on_commit_callbacks,
):
    by_email, by_sms = _run_whole_flow(
        client,
        login,
        case_worker_a,
        organizer_a,
        moderator,
        agency_a,
        group_a,
        django_capture_on_commit_callbacks,
    )
    # The flow really ran, through both channels, and the client did get the messages.
    assert by_email.status_changes.count() == 5
    assert CANARY_EMAIL in mail.outbox[0].to
    assert sms_locmem and sms_locmem[0]["to"] == CANARY_PHONE
    # The capture works: SQL on the referral table was logged, tasks were queued.
    messages = [record.getMessage() for record in caplog.records]
    assert any("referrals_referral" in message for message in messages)
    assert {q["task"] for q in capture_everything} >= {"referrals.send_outbox_message"}

    _assert_clean("\n".join(messages) + caplog.text, "the logs")
    _assert_clean(repr(capture_everything), "task arguments")
    assert all(
        q["args"] in ((), None) or all(isinstance(a, int) for a in q["args"])
        for q in capture_everything
    )
    if settings.CACHES["default"]["BACKEND"].endswith("LocMemCache"):
        _assert_clean(repr(dict(cache._cache)), "the cache")


def test_canary_never_reaches_an_error_report(
    client, login, caplog, monkeypatch, case_worker_a, agency_a, group_a
):
    """A crash while saving a referral: the report a developer would get has no client data."""

    def crash(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "referral_create", crash)
    client.raise_request_exception = False
    login(client, case_worker_a)
    response = client.post(reverse("referrals:create", args=[group_a.pk]), _form(agency_a))
    assert response.status_code == 500
    record = next(r for r in caplog.records if r.name == "django.request")
    report = ExceptionReporter(record.request, *record.exc_info, is_email=True)
    _assert_clean(report.get_traceback_text(), "the error report (text)")
    _assert_clean(report.get_traceback_html(), "the error report (HTML)")
    _assert_clean(caplog.text, "the logs")


@pytest.mark.redis
def test_canary_never_reaches_the_redis_broker_or_cache(
    client, login, case_worker_a, agency_a, group_a, django_capture_on_commit_callbacks
):
    """On the Redis pass the task really goes to the broker: read what it holds."""
    import redis

    from config.celery import app
    from referrals.tasks import send_outbox_message

    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    queue = app.conf.task_default_queue or "celery"
    before = broker.llen(queue)
    login(client, case_worker_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("referrals:create", args=[group_a.pk]), _form(agency_a))
    raw_messages = broker.lrange(queue, before, -1)
    try:
        assert raw_messages, "the task should have been published to the broker"
        outbox_ids = []
        for raw in raw_messages:
            envelope = json.loads(raw)
            body = base64.b64decode(envelope["body"]).decode()
            _assert_clean(raw.decode(), "a broker message")
            _assert_clean(body, "a broker message body")
            if envelope["headers"]["task"] == "referrals.send_outbox_message":
                args = json.loads(body)[0]
                outbox_ids.append(args[0])
        assert outbox_ids and all(isinstance(i, int) for i in outbox_ids)
        everything = b"".join((broker.dump(key) or b"") for key in broker.scan_iter(count=500))
        _assert_clean(everything.decode("latin-1"), "Redis (broker and cache)")
        # The message does its work when a worker picks it up.
        send_outbox_message.apply(args=[outbox_ids[0]])
        assert mail.outbox and CANARY_EMAIL in mail.outbox[0].to
    finally:
        for raw in raw_messages:
            broker.lrem(queue, 1, raw)
