"""Sending: content of each message, claims and leases, retries, cancelled and moved meetings."""

import datetime as dt
import logging
import smtplib
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from groups.models import Occurrence, Reminder, ReminderSubscription
from groups.reminders import dispatch, services
from groups.reminders.dispatch import reminders_claim_batch, reminders_send_batch
from groups.sms.locmem import LocmemBackend
from tests.factories import ReminderSubscriptionFactory
from tests.groups.reminders.conftest import make_meeting
from tests.groups.reminders.helpers import send_due

pytestmark = pytest.mark.django_db


def _at_due(meeting, hours=24):
    return meeting.starts_at - dt.timedelta(hours=hours) + dt.timedelta(seconds=1)


@pytest.fixture
def subscriber(group, meeting):
    subscription = ReminderSubscriptionFactory(group=group, email="ana@example.org")
    services.reminders_schedule(subscription_ids=[subscription.pk])
    return subscription


def test_reminder_email_has_local_time_place_expectations_ics_crisis_line_and_unsubscribe(
    subscriber, meeting
):
    assert send_due(now=_at_due(meeting)) == {"sent": 1, "skipped": 0, "retry": 0, "failed": 0}
    message = mail.outbox[0]
    local = meeting.starts_at.astimezone(ZoneInfo("America/Chicago"))
    hour = local.hour % 12 or 12
    clock = f"{hour}:{local:%M}" if local.minute else f"{hour} "
    assert message.subject == f"Tomorrow: {meeting.group.name}"
    assert f"{local:%-d}, {local:%Y}, {clock}" in message.body
    assert f"({local.tzname()})" in message.body
    assert "Community Center" in message.body and "Main Street" in message.body
    assert "You never have to speak" in message.body  # what to expect
    assert "988" in message.body
    unsubscribe = "http://127.0.0.1:8000" + reverse(
        "reminders:unsubscribe", kwargs={"token": subscriber.token}
    )
    assert message.extra_headers["List-Unsubscribe"] == f"<{unsubscribe}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe in message.body
    assert reverse("reminders:manage", kwargs={"token": subscriber.token}) in message.body
    html = message.alternatives[0][0]
    assert unsubscribe in html and "Community Center" in html
    filename, content, mimetype = message.attachments[0]
    assert filename == "meeting.ics" and mimetype == "text/calendar"
    event = icalendar.Calendar.from_ical(content).walk("VEVENT")[0]
    assert event.decoded("dtstart") == meeting.starts_at
    assert str(event["summary"]) == meeting.group.name
    assert Reminder.objects.get(kind="day_before").state == Reminder.State.SENT


def test_each_person_gets_their_own_links_when_batched(group, meeting):
    people = [ReminderSubscriptionFactory(group=group) for _ in range(3)]
    services.reminders_schedule()
    send_due(now=_at_due(meeting))
    by_address = {m.to[0]: m for m in mail.outbox}
    assert len(by_address) == 3
    for person in people:
        assert person.token in by_address[person.email].body
        assert person.token in by_address[person.email].extra_headers["List-Unsubscribe"]


def test_nothing_is_sent_before_due_and_a_second_run_sends_nothing_again(subscriber, meeting):
    assert send_due(now=_at_due(meeting) - dt.timedelta(minutes=5))["sent"] == 0
    assert send_due(now=_at_due(meeting))["sent"] == 1
    assert send_due(now=_at_due(meeting) + dt.timedelta(hours=1))["sent"] == 0
    assert len(mail.outbox) == 1


def test_scheduling_is_idempotent(subscriber, meeting):
    services.reminders_schedule()
    services.reminders_schedule()
    assert Reminder.objects.filter(subscription=subscriber).count() == 1


def test_both_timings_make_two_rows_and_next_only_covers_one_meeting(group, meeting):
    later = make_meeting(group, starts_in=dt.timedelta(hours=40))
    both = ReminderSubscriptionFactory(group=group, timing="both")
    next_only = ReminderSubscriptionFactory(group=group, meetings="next", occurrence=meeting)
    services.reminders_schedule()
    assert Reminder.objects.filter(subscription=both).count() == 4
    assert set(
        Reminder.objects.filter(subscription=next_only).values_list("occurrence", flat=True)
    ) == {meeting.pk}
    assert later.pk not in set(next_only.reminders.values_list("occurrence", flat=True))


def test_no_day_before_reminder_when_asked_after_that_time(group):
    soon = make_meeting(group, starts_in=dt.timedelta(hours=10))
    subscription = services.subscription_create(
        group=group, email="late@example.org", timing="both", confirmed=True
    )
    assert list(subscription.reminders.values_list("kind", "occurrence")) == [
        ("two_hours", soon.pk)
    ]


def test_case_worker_creates_preconfirmed_subscription_without_confirmation(
    group, meeting, case_worker_a
):
    subscription = services.subscription_create(
        group=group,
        email="client@example.org",
        meetings="all",
        timing="day_before",
        language="es",
        confirmed=True,
        created_by=case_worker_a,
    )
    assert subscription.is_confirmed and subscription.created_by == case_worker_a
    assert not subscription.reminders.filter(kind="confirmation").exists()
    send_due(now=_at_due(meeting))
    assert (
        len(mail.outbox) == 1
        and mail.outbox[0].subject.startswith("Mañana")
        or (mail.outbox[0].to == ["client@example.org"])
    )


def test_one_click_unsubscribe_post_works_without_csrf_and_deletes_the_address(subscriber):
    from django.test import Client

    url = reverse("reminders:unsubscribe", kwargs={"token": subscriber.token})
    client = Client(enforce_csrf_checks=True)
    response = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert not ReminderSubscription.objects.filter(pk=subscriber.pk).exists()
    assert not Reminder.objects.filter(subscription_id=subscriber.pk).exists()
    assert client.post(url).status_code == 200  # a second click is harmless


def test_unsubscribe_get_shows_a_button_and_deletes_nothing(client, subscriber):
    url = reverse("reminders:unsubscribe", kwargs={"token": subscriber.token})
    response = client.get(url)
    assert response.status_code == 200 and 'method="post"' in response.content.decode()
    assert ReminderSubscription.objects.filter(pk=subscriber.pk).exists()


def test_manage_page_changes_timing_and_unknown_token_is_404(client, subscriber, meeting):
    url = reverse("reminders:manage", kwargs={"token": subscriber.token})
    assert client.get(url).status_code == 200
    response = client.post(url, {"meetings": "all", "timing": "two_hours"})
    assert response.status_code == 302
    kinds = set(subscriber.reminders.filter(state="pending").values_list("kind", flat=True))
    assert kinds == {"two_hours"}
    bad = reverse("reminders:manage", kwargs={"token": "x" * 43})
    assert client.get(bad).status_code == 404


def test_cancelled_meeting_tells_subscribers_at_once_and_sends_no_reminder(
    group, subscriber, meeting
):
    everyone = ReminderSubscriptionFactory(group=group, email="bo@example.org")
    Occurrence.objects.filter(pk=meeting.pk).update(
        status=Occurrence.Status.CANCELLED, note="The room is flooded", changed_at=timezone.now()
    )
    services.reminders_occurrence_changed(occurrence_id=meeting.pk)
    send_due()
    assert sorted(m.to[0] for m in mail.outbox) == ["ana@example.org", "bo@example.org"]
    notice = mail.outbox[0]
    assert notice.subject.startswith("Cancelled:") and "The room is flooded" in notice.body
    assert "List-Unsubscribe" in notice.extra_headers
    assert Reminder.objects.get(subscription=subscriber, kind="day_before").state == "skipped"
    mail.outbox.clear()
    assert send_due(now=_at_due(meeting))["sent"] == 0
    assert mail.outbox == []
    assert everyone.reminders.filter(kind="cancelled", state="sent").exists()


def test_cancellation_after_claim_is_caught_at_send_time(subscriber, meeting):
    token, ids = reminders_claim_batch(now=_at_due(meeting))
    Occurrence.objects.filter(pk=meeting.pk).update(status=Occurrence.Status.CANCELLED)
    counts = reminders_send_batch(reminder_ids=ids, claim_token=token)
    assert counts["skipped"] == 1 and mail.outbox == []
    assert Reminder.objects.get(pk=ids[0]).last_error == "meeting cancelled"


def test_moved_meeting_sends_notice_and_reminder_follows_new_time(subscriber, meeting):
    new_start = meeting.starts_at + dt.timedelta(days=1)
    Occurrence.objects.filter(pk=meeting.pk).update(
        status=Occurrence.Status.MOVED,
        starts_at=new_start,
        ends_at=new_start + dt.timedelta(hours=1),
        changed_at=timezone.now(),
    )
    services.reminders_occurrence_changed(occurrence_id=meeting.pk)
    send_due()
    assert [m.subject.split(":")[0] for m in mail.outbox] == ["New time"]
    event = icalendar.Calendar.from_ical(mail.outbox[0].attachments[0][1]).walk("VEVENT")[0]
    assert event.decoded("dtstart") == new_start
    day_before = Reminder.objects.get(subscription=subscriber, kind="day_before")
    assert day_before.state == "pending" and day_before.due_at == new_start - dt.timedelta(hours=24)


def test_expired_lease_is_reclaimed_and_old_claim_sends_nothing(subscriber, meeting):
    now = _at_due(meeting)
    old_token, ids = reminders_claim_batch(now=now)
    assert reminders_claim_batch(now=now)[1] == []  # still leased
    later = now + dt.timedelta(hours=1)
    new_token, again = reminders_claim_batch(now=later)
    assert again == ids and new_token != old_token
    assert reminders_send_batch(reminder_ids=ids, claim_token=old_token)["sent"] == 0
    assert reminders_send_batch(reminder_ids=ids, claim_token=new_token)["sent"] == 1
    assert len(mail.outbox) == 1
    assert Reminder.objects.get(pk=ids[0]).attempts == 1  # the lapsed lease counted


class _FlakyBackend:
    failures = 0

    def __init__(self, *args, **kwargs):
        pass

    def open(self):
        return True

    def close(self):
        pass

    def send_messages(self, messages):
        _FlakyBackend.failures += 1
        raise smtplib.SMTPServerDisconnected("gone")


def test_failures_retry_with_backoff_then_fail_and_show_to_moderators(
    subscriber, meeting, settings, client, login, moderator, organizer_a
):
    settings.EMAIL_BACKEND = "tests.groups.reminders.test_sending._FlakyBackend"
    settings.REMINDERS_MAX_ATTEMPTS = 3
    now = _at_due(meeting)
    assert send_due(now=now)["retry"] == 1
    row = Reminder.objects.get(kind="day_before")
    assert (
        row.state == "pending" and row.attempts == 1 and row.last_error == "SMTPServerDisconnected"
    )
    first_wait = row.due_at - now
    assert dt.timedelta(seconds=50) < first_wait < dt.timedelta(seconds=70)
    assert send_due(now=now)["retry"] == 0  # not due again yet
    send_due(now=row.due_at + dt.timedelta(seconds=1))
    row.refresh_from_db()
    assert row.attempts == 2 and row.due_at - now > first_wait * 2
    send_due(now=row.due_at + dt.timedelta(seconds=1))
    row.refresh_from_db()
    assert row.state == "failed" and row.attempts == 3

    url = reverse("reminders:failed")
    assert client.get(url).status_code == 302  # anonymous: to sign in
    login(client, organizer_a)
    assert client.get(url).status_code == 403
    login(client, moderator)
    page = client.get(url).content.decode()
    assert meeting.group.name in page and "SMTPServerDisconnected" in page
    assert "ana@example.org" not in page
    client.post(reverse("reminders:retry", args=[row.pk]))
    row.refresh_from_db()
    assert row.state == "pending" and row.attempts == 0


def test_sms_goes_with_email_and_a_retry_resends_only_the_failed_channel(
    group, meeting, settings, monkeypatch
):
    settings.SMS_BACKEND = "groups.sms.locmem.LocmemBackend"
    LocmemBackend.outbox.clear()
    subscription = services.subscription_create(
        group=group, email="ana@example.org", phone="(555) 123-4567", confirmed=True
    )
    assert subscription.phone == "+15551234567"
    calls = {"n": 0}
    real_send = LocmemBackend.send

    def flaky(self, *, to, body):
        calls["n"] += 1
        if calls["n"] == 1:
            from groups.sms import SMSError

            raise SMSError("provider answered HTTP 503")
        return real_send(self, to=to, body=body)

    monkeypatch.setattr(LocmemBackend, "send", flaky)
    now = _at_due(meeting)
    assert send_due(now=now)["retry"] == 1
    assert len(mail.outbox) == 1 and LocmemBackend.outbox == []
    send_due(now=now + dt.timedelta(minutes=5))
    assert len(mail.outbox) == 1  # the email was not sent twice
    assert len(LocmemBackend.outbox) == 1
    sms = LocmemBackend.outbox[0]
    assert sms["to"] == "+15551234567" and group.name in sms["body"]
    assert subscription.token in sms["body"]
    assert Reminder.objects.get(kind="day_before").state == "sent"


def test_broker_outage_leaves_rows_pending_for_beat(subscriber, meeting, monkeypatch):
    from groups.reminders import tasks

    def down(*args, **kwargs):
        raise ConnectionRefusedError("broker down")

    monkeypatch.setattr(tasks.send_reminder_batch, "apply_async", down)
    assert dispatch.reminders_dispatch_due(now=_at_due(meeting)) == 0
    row = Reminder.objects.get(kind="day_before")
    assert row.state == "pending" and row.claim_token == ""


def test_task_arguments_and_logs_carry_ids_only(subscriber, meeting, monkeypatch, caplog):
    from groups.reminders import tasks

    queued = []
    monkeypatch.setattr(
        tasks.send_reminder_batch, "apply_async", lambda args, **kw: queued.append(args)
    )
    caplog.set_level(logging.DEBUG)
    dispatch.reminders_dispatch_due(now=_at_due(meeting))
    ((ids, token),) = queued
    assert all(isinstance(i, int) for i in ids) and len(token) == 32
    reminders_send_batch(reminder_ids=ids, claim_token=token)
    assert "ana@example.org" not in caplog.text and "example.org" not in repr(queued)


def test_purge_deletes_expired_requests_and_finished_next_only_subscriptions(group, meeting):
    now = timezone.now()
    expired = services.subscription_create(group=group, email="old@example.org")
    ReminderSubscription.objects.filter(pk=expired.pk).update(
        expires_at=now - dt.timedelta(seconds=1)
    )
    past = make_meeting(group, starts_in=-dt.timedelta(hours=5))
    finished = ReminderSubscriptionFactory(group=group, meetings="next", occurrence=past)
    keeper = ReminderSubscriptionFactory(group=group)
    counts = services.reminders_purge(now=now)
    assert counts["expired"] >= 1 and counts["finished"] >= 1
    remaining = set(ReminderSubscription.objects.values_list("pk", flat=True))
    assert remaining == {keeper.pk}
    assert finished.pk not in remaining


def test_organizer_seam_occurrence_changed_reaches_reminders(subscriber, meeting):
    from groups.notifications import occurrence_changed

    Occurrence.objects.filter(pk=meeting.pk).update(status=Occurrence.Status.CANCELLED)
    occurrence_changed(occurrence_id=meeting.pk)
    assert Reminder.objects.filter(subscription=subscriber, kind="cancelled").exists()


def test_plain_text_parts_are_not_html_escaped(group, meeting):
    group.name = "Women's Circle & Friends"
    group.save()
    ReminderSubscriptionFactory(group=group)
    services.reminders_schedule()
    send_due(now=_at_due(meeting))
    message = mail.outbox[0]
    assert message.subject == "Tomorrow: Women's Circle & Friends"
    assert "Women's Circle & Friends" in message.body
    assert "Women&#x27;s Circle &amp; Friends" in message.alternatives[0][0]


def test_failed_page_query_count_does_not_grow_with_rows(
    group, meeting, client, login, moderator, django_assert_max_num_queries
):
    for _ in range(5):
        subscription = ReminderSubscriptionFactory(group=group)
        Reminder.objects.create(
            subscription=subscription,
            occurrence=meeting,
            kind="day_before",
            due_at=timezone.now(),
            state=Reminder.State.FAILED,
            last_error="SMTPDataError",
        )
    login(client, moderator)
    # Session, user, rows; room for the security middleware. N+1 would add 10 here.
    with django_assert_max_num_queries(9):
        response = client.get(reverse("reminders:failed"))
    assert response.content.decode().count("SMTPDataError") == 5
