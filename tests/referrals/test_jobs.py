"""The scheduled jobs: follow-ups to case workers, retention, the outbox sweep."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from referrals import services
from referrals.messaging import outbox_sweep, referral_followups_send
from referrals.models import AuditEvent, Outbox, Referral
from referrals.retention import referrals_purge_expired
from referrals.tasks import purge_expired, send_followups

pytestmark = pytest.mark.django_db


def _close(referral, case_worker, organizer):
    services.referral_change_status(
        referral_id=referral.pk,
        to_status="declined",
        role="organizer",
        actor=organizer,
        reason="Full this term",
    )
    return services.referral_change_status(
        referral_id=referral.pk, to_status="closed", role="case_worker", actor=case_worker
    )


def test_followup_goes_once_per_quiet_period(
    referral_a, case_worker_a, organizer_a, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with (
        time_machine.travel(timezone.now() + dt.timedelta(days=6)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert referral_followups_send() == 0
    with (
        time_machine.travel(timezone.now() + dt.timedelta(days=8)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        send_followups.delay()
        send_followups.delay()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [case_worker_a.email]
    assert f"/referrals/{referral_a.pk}/" in message.body
    assert "J. D." not in message.body and "client@example.org" not in message.body

    # An update starts a new quiet period: one more follow-up when it, too, goes quiet.
    services.referral_change_status(
        referral_id=referral_a.pk, to_status="waitlisted", role="organizer", actor=organizer_a
    )
    with (
        time_machine.travel(timezone.now() + dt.timedelta(days=9)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        referral_followups_send()
        referral_followups_send()
    assert len(mail.outbox) == 2


def test_followup_days_come_from_the_setting(settings, referral_a):
    settings.KINDRED_REFERRAL_FOLLOWUP_DAYS = 2
    with time_machine.travel(timezone.now() + dt.timedelta(days=3)):
        assert referral_followups_send() == 1


def test_closed_referrals_get_no_followup(referral_a, case_worker_a, organizer_a):
    _close(referral_a, case_worker_a, organizer_a)
    with time_machine.travel(timezone.now() + dt.timedelta(days=30)):
        assert referral_followups_send() == 0


def _raw(referral_id):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT client_name, contact_value, notes, preferred_language"
            " FROM referrals_referral WHERE id = %s",
            [referral_id],
        )
        return cursor.fetchone()


def test_retention_erases_personal_fields_once_and_keeps_outcome_and_audit(
    referral_a, case_worker_a, organizer_a
):
    _close(referral_a, case_worker_a, organizer_a)
    audit_before = AuditEvent.objects.filter(referral=referral_a).count()

    with time_machine.travel(timezone.now() + dt.timedelta(days=364)):
        assert referrals_purge_expired() == 0
    assert Referral.objects.get(pk=referral_a.pk).client_name == "J. D."

    with time_machine.travel(timezone.now() + dt.timedelta(days=366)):
        purge_expired.delay()
        assert referrals_purge_expired() == 0  # the second run is a no-op
    referral = Referral.objects.get(pk=referral_a.pk)
    assert _raw(referral.pk) == ("", "", "", "")
    assert referral.outcome == "declined" and referral.status == "closed"
    assert referral.consent.signature == ""
    assert all(change.reason == "" for change in referral.status_changes.all())
    assert AuditEvent.objects.filter(referral=referral).count() == audit_before + 1
    assert AuditEvent.objects.filter(referral=referral, action="purge").count() == 1


def test_retention_period_comes_from_the_setting(settings, referral_a, case_worker_a, organizer_a):
    settings.KINDRED_REFERRAL_RETENTION_DAYS = 30
    _close(referral_a, case_worker_a, organizer_a)
    with time_machine.travel(timezone.now() + dt.timedelta(days=31)):
        assert referrals_purge_expired() == 1


def test_open_referrals_are_never_purged(referral_a):
    with time_machine.travel(timezone.now() + dt.timedelta(days=800)):
        assert referrals_purge_expired() == 0


def test_sweep_sends_messages_whose_task_never_ran(case_worker_a, group_a):
    referral = services.referral_create(
        agency=case_worker_a.memberships.get().organization,
        group=group_a,
        case_worker=case_worker_a,
        client=services.ClientDetails("A. B.", "email", "ab@example.org", "en", ""),
        consent=services.ConsentRecord(
            frozenset(), "written", timezone.now(), timezone.localdate() + dt.timedelta(days=30)
        ),
    )  # the after-commit queueing never ran, as if the broker were down
    assert outbox_sweep() == 0  # too recent
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=11)):
        assert outbox_sweep() == 1
        outbox_sweep()
    assert Outbox.objects.get(referral=referral).state == Outbox.State.SENT
    assert len(mail.outbox) == 1  # claimed once, sent once


def test_a_provider_error_marks_the_message_undelivered(
    monkeypatch, case_worker_a, group_a, make_referral, client, login
):
    def broken(**kwargs):
        raise ConnectionRefusedError("smtp down for ab@example.org")

    monkeypatch.setattr("referrals.messaging.send_email", broken)
    referral = make_referral(case_worker=case_worker_a, group=group_a)
    row = Outbox.objects.get(referral=referral)
    assert row.state == Outbox.State.FAILED
    assert row.last_error == "ConnectionRefusedError"
    login(client, case_worker_a)
    html = client.get(reverse("referrals:caseload")).content.decode()
    assert "not delivered" in html


def test_sweep_marks_a_message_stuck_in_sending_as_failed(case_worker_a, group_a):
    referral = services.referral_create(
        agency=case_worker_a.memberships.get().organization,
        group=group_a,
        case_worker=case_worker_a,
        client=services.ClientDetails("A. B.", "email", "ab@example.org", "en", ""),
        consent=services.ConsentRecord(
            frozenset(), "written", timezone.now(), timezone.localdate() + dt.timedelta(days=30)
        ),
    )
    Outbox.objects.filter(referral=referral).update(state=Outbox.State.SENDING)
    with time_machine.travel(timezone.now() + dt.timedelta(hours=2)):
        outbox_sweep()
    row = Outbox.objects.get(referral=referral)
    assert row.state == Outbox.State.FAILED and row.last_error == "WorkerLost"
    assert len(mail.outbox) == 0


def test_purged_referral_page_says_the_details_were_erased(
    client, login, referral_a, case_worker_a, organizer_a
):
    _close(referral_a, case_worker_a, organizer_a)
    with time_machine.travel(timezone.now() + dt.timedelta(days=366)):
        referrals_purge_expired()
    login(client, case_worker_a)
    html = client.get(reverse("referrals:detail", args=[referral_a.pk])).content.decode()
    assert "details were erased" in html
    assert "J. D." not in html and "client@example.org" not in html
    caseload = client.get(reverse("referrals:caseload")).content.decode()
    assert "details erased" in caseload
