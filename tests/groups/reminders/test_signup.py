"""The "Remind me" form: double opt-in, rate limits, no address in links or cache keys."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from groups.models import Group, Reminder, ReminderSubscription
from tests.groups.reminders.helpers import send_due

pytestmark = pytest.mark.django_db


def _post(client, group, **data):
    payload = {"email": "ana@example.org", "meetings": "all", "timing": "day_before", **data}
    return client.post(reverse("reminders:signup", args=[group.pk]), payload)


def test_signup_page_offers_email_meetings_and_timing_without_phone_when_no_sms(client, group):
    response = client.get(reverse("reminders:signup", args=[group.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="email"' in body and 'name="meetings"' in body and 'name="timing"' in body
    assert 'name="phone"' not in body


def test_signup_page_offers_phone_where_sms_is_configured(client, group, settings):
    settings.SMS_BACKEND = "groups.sms.locmem.LocmemBackend"
    response = client.get(reverse("reminders:signup", args=[group.pk]))
    assert 'name="phone"' in response.content.decode()


def test_signup_for_unpublished_group_is_404(client, group):
    Group.objects.filter(pk=group.pk).update(status=Group.Status.DRAFT)
    assert client.get(reverse("reminders:signup", args=[group.pk])).status_code == 404


def test_signup_stores_unconfirmed_request_and_sends_only_a_confirmation(client, group, meeting):
    response = _post(client, group, email=" Ana@Example.org ")
    assert response.status_code == 302
    assert response["Location"] == reverse("reminders:check_email")
    subscription = ReminderSubscription.objects.get()
    assert subscription.email == "ana@example.org" and not subscription.is_confirmed
    assert subscription.expires_at > timezone.now() + dt.timedelta(hours=47)
    assert list(subscription.reminders.values_list("kind", flat=True)) == ["confirmation"]

    send_due()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ana@example.org"]
    confirm_url = reverse("reminders:confirm", kwargs={"token": subscription.token})
    assert confirm_url in message.body
    assert "ana" not in confirm_url and len(subscription.token) >= 40
    assert "988" in message.body  # the crisis line
    # Nothing but the confirmation until the link is followed.
    assert send_due(now=meeting.starts_at - dt.timedelta(hours=2))["sent"] == 0


def test_invalid_email_is_shown_next_to_field_and_keeps_choices(client, group):
    response = _post(client, group, email="not-an-address", timing="both")
    assert response.status_code == 200
    body = response.content.decode()
    assert "error-summary" in body and "not-an-address" in body
    assert re.search(r'<input[^>]*value="both"[^>]*checked', body)
    assert ReminderSubscription.objects.count() == 0


def test_confirm_link_get_shows_button_and_post_switches_reminders_on(client, group, meeting):
    _post(client, group)
    subscription = ReminderSubscription.objects.get()
    url = reverse("reminders:confirm", kwargs={"token": subscription.token})
    response = client.get(url)
    assert response.status_code == 200 and "<form" in response.content.decode()
    subscription.refresh_from_db()
    assert not subscription.is_confirmed  # a mail scanner following the link confirms nothing

    response = client.post(url)
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert subscription.is_confirmed and subscription.expires_at is None
    day_before = subscription.reminders.get(kind=Reminder.Kind.DAY_BEFORE)
    assert day_before.occurrence == meeting
    assert day_before.due_at == meeting.starts_at - dt.timedelta(hours=24)


def test_expired_request_cannot_be_confirmed(client, group):
    _post(client, group)
    subscription = ReminderSubscription.objects.get()
    ReminderSubscription.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    url = reverse("reminders:confirm", kwargs={"token": subscription.token})
    assert client.post(url).status_code == 404
    subscription.refresh_from_db()
    assert not subscription.is_confirmed


def test_confirming_replaces_the_same_persons_older_subscription(client, group):
    _post(client, group, timing="day_before")
    first = ReminderSubscription.objects.get()
    client.post(reverse("reminders:confirm", kwargs={"token": first.token}))
    _post(client, group, email="ANA@example.org", timing="both")
    second = ReminderSubscription.objects.exclude(pk=first.pk).get()
    client.post(reverse("reminders:confirm", kwargs={"token": second.token}))
    assert list(ReminderSubscription.objects.values_list("pk", "timing")) == [(second.pk, "both")]


def test_fourth_request_for_one_address_in_an_hour_gets_friendly_429(client, group, settings):
    settings.REMINDERS_PENDING_PER_ADDRESS = 10
    for _ in range(3):
        assert _post(client, group).status_code == 302
    response = _post(client, group)
    assert response.status_code == 429
    assert "try again later" in response.content.decode()
    assert ReminderSubscription.objects.count() == 3


def test_requests_from_one_ip_are_limited_across_addresses(client, group, settings):
    settings.REMINDERS_SIGNUPS_PER_IP_PER_HOUR = 2
    assert _post(client, group, email="a@example.org").status_code == 302
    assert _post(client, group, email="b@example.org").status_code == 302
    assert _post(client, group, email="c@example.org").status_code == 429


def test_rate_limit_cache_keys_hold_no_address_or_ip(client, group, monkeypatch):
    used = []
    real_incr = cache.incr
    monkeypatch.setattr(cache, "incr", lambda key, *a: used.append(key) or real_incr(key, *a))
    _post(client, group, email="ana@example.org")
    keys = " ".join(used)
    assert len(used) == 2  # one counter per address, one per client IP
    assert "reminders:rl:" in keys
    assert "ana" not in keys and "example" not in keys and "127.0.0.1" not in keys


def test_open_requests_per_address_are_capped_even_when_cache_is_down(
    client, group, settings, monkeypatch
):
    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "incr", broken)
    settings.REMINDERS_PENDING_PER_ADDRESS = 2
    assert _post(client, group).status_code == 302
    assert _post(client, group).status_code == 302
    assert _post(client, group).status_code == 429
    assert ReminderSubscription.objects.count() == 2
