"""Is the listing still current? One-click confirmation, the weekly reminder, what search hides."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from config.celery import app as celery_app
from groups.models import Group, ListingChange, VerificationReminder
from groups.organizer import selectors, services, tasks
from tests.factories import GroupFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def _age(group, days):
    Group.objects.filter(pk=group.pk).update(
        last_verified_at=timezone.now() - dt.timedelta(days=days)
    )
    group.refresh_from_db()
    return group


def test_weekly_job_run_twice_sends_one_email(organizer_a, group_a, commit):
    _age(group_a, 91)
    with commit():
        tasks.queue_verification_reminders.delay()
    with commit():
        tasks.queue_verification_reminders.delay()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [organizer_a.email]
    assert "still current" in mail.outbox[0].subject
    assert reverse("organizer:dashboard") in mail.outbox[0].body
    assert VerificationReminder.objects.get().sent_at is not None


def test_sending_the_same_reminder_twice_emails_once(organizer_a, group_a):
    _age(group_a, 100)
    reminder = VerificationReminder.objects.create(
        group=group_a, verified_at=group_a.last_verified_at
    )
    assert services.verification_reminder_send(reminder_id=reminder.pk) is True
    assert services.verification_reminder_send(reminder_id=reminder.pk) is False
    assert len(mail.outbox) == 1


def test_recent_draft_and_archived_listings_get_no_reminder(organizer_a, provider_a, commit):
    GroupFactory(organization=provider_a, last_verified_at=timezone.now() - dt.timedelta(days=30))
    GroupFactory(
        organization=provider_a,
        status=Group.Status.ARCHIVED,
        last_verified_at=timezone.now() - dt.timedelta(days=400),
    )
    GroupFactory(
        organization=provider_a,
        status=Group.Status.DRAFT,
        last_verified_at=timezone.now() - dt.timedelta(days=400),
    )
    with commit():
        assert services.verification_reminders_queue() == 0
    assert mail.outbox == []


def test_confirming_starts_a_new_cycle_that_can_be_reminded_again(
    client, login, organizer_a, group_a, commit
):
    _age(group_a, 95)
    with commit():
        services.verification_reminders_queue()
    login(client, organizer_a).post(reverse("organizer:group_confirm", args=[group_a.pk]))
    group_a.refresh_from_db()
    assert timezone.now() - group_a.last_verified_at < dt.timedelta(minutes=1)
    assert ListingChange.objects.filter(group=group_a, action="confirmed").count() == 1
    with commit():
        assert services.verification_reminders_queue() == 0
    _age(group_a, 92)
    with commit():
        assert services.verification_reminders_queue() == 1
    assert len(mail.outbox) == 2


def test_every_organizer_and_admin_of_the_organization_is_told(
    organizer_a, org_admin, case_worker_a, group_a, provider_a, commit
):
    MembershipFactory(organization=provider_a, role="organizer", is_active=False)
    _age(group_a, 91)
    with commit():
        services.verification_reminders_queue()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([organizer_a.email, org_admin.email])


def test_dashboard_asks_still_current_after_ninety_days_and_one_click_confirms(
    client, login, organizer_a, group_a
):
    login(client, organizer_a)
    assert "still current?" not in client.get(reverse("organizer:dashboard")).content.decode()
    _age(group_a, 91)
    html = client.get(reverse("organizer:dashboard")).content.decode()
    assert "Is this listing still current?" in html
    assert reverse("organizer:group_confirm", args=[group_a.pk]) in html
    response = client.post(reverse("organizer:group_confirm", args=[group_a.pk]), follow=True)
    assert "Is this listing still current?" not in response.content.decode()


def test_not_recently_confirmed_after_180_days(group_a):
    assert not selectors.listing_not_recently_confirmed(group=_age(group_a, 179))
    assert selectors.listing_not_recently_confirmed(group=_age(group_a, 181))


def test_search_shows_unconfirmed_listings_unless_the_setting_hides_them(settings, provider_a):
    fresh = GroupFactory(organization=provider_a)
    stale = _age(GroupFactory(organization=provider_a), 200)
    draft = GroupFactory(organization=provider_a, status=Group.Status.DRAFT)
    settings.KINDRED_HIDE_UNCONFIRMED_AFTER_DAYS = None
    assert set(Group.objects.for_public_display()) == {fresh, stale}
    settings.KINDRED_HIDE_UNCONFIRMED_AFTER_DAYS = 180
    assert set(Group.objects.for_public_display()) == {fresh}
    assert set(Group.objects.visible_in_search()) == {fresh}
    assert draft not in Group.objects.visible_in_search()


def test_the_weekly_job_is_on_the_beat_schedule():
    entry = celery_app.conf.beat_schedule["verification-reminders"]
    assert entry["task"] == tasks.queue_verification_reminders.name
    assert entry["schedule"].day_of_week == {1}
