"""Consent: missing (tested with the form in test_flow), expired, revoked."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from referrals import services
from referrals.messaging import outbox_send
from referrals.models import Outbox, Status
from tests.referrals.conftest import link_from_email

pytestmark = pytest.mark.django_db


def test_service_refuses_a_consent_that_has_ended(make_referral, case_worker_a, group_a):
    with pytest.raises(services.ReferralError):
        make_referral(
            case_worker=case_worker_a,
            group=group_a,
            valid_until=timezone.localdate() - dt.timedelta(days=1),
        )


def test_revoking_hides_details_from_the_organizer_at_once(
    client, login, case_worker_a, organizer_a, referral_a
):
    link = link_from_email(mail.outbox[0])
    login(client, case_worker_a)
    client.post(reverse("referrals:revoke_consent", args=[referral_a.pk]))
    referral_a.refresh_from_db()
    assert referral_a.consent.revoked_at is not None
    assert referral_a.consent.revoked_by == case_worker_a
    assert referral_a.status == Status.WITHDRAWN

    login(client, organizer_a)
    html = client.get(reverse("referrals:inbox_detail", args=[referral_a.pk])).content.decode()
    assert "J. D." not in html and "client@example.org" not in html
    assert "near the door" not in html
    assert "details are hidden" in html
    assert "J. D." not in client.get(reverse("referrals:inbox")).content.decode()

    # The client's link stops working, and nothing more is sent.
    client.logout()
    assert client.get(link).status_code == 404
    with pytest.raises(services.ReferralError):
        services.referral_resend_link(referral_id=referral_a.pk, actor=case_worker_a)


def test_revoking_cancels_a_message_not_yet_sent(case_worker_a, group_a):
    referral = services.referral_create(
        agency=case_worker_a.memberships.get().organization,
        group=group_a,
        case_worker=case_worker_a,
        client=services.ClientDetails("A. B.", "email", "ab@example.org", "en", ""),
        consent=services.ConsentRecord(
            frozenset({"name"}), "written", timezone.now(), timezone.localdate()
        ),
    )  # the on-commit send never ran: the row waits
    services.consent_revoke(referral_id=referral.pk, actor=case_worker_a)
    row = Outbox.objects.get(referral=referral)
    assert row.state == Outbox.State.CANCELLED
    assert outbox_send(outbox_id=row.pk) is False
    assert len(mail.outbox) == 0


def test_expired_consent_hides_details_and_blocks_answers(client, login, organizer_a, referral_a):
    later = timezone.now() + dt.timedelta(days=400)
    with time_machine.travel(later):
        login(client, organizer_a)
        url = reverse("referrals:inbox_detail", args=[referral_a.pk])
        html = client.get(url).content.decode()
        assert "J. D." not in html and "details are hidden" in html
        client.post(url, {"status": "accepted"})
        referral_a.refresh_from_db()
        assert referral_a.status == Status.SENT
        with pytest.raises(services.ReferralError):
            services.referral_change_status(
                referral_id=referral_a.pk, to_status="accepted", role="organizer"
            )


def test_expired_consent_stops_a_queued_message(case_worker_a, group_a):
    referral = services.referral_create(
        agency=case_worker_a.memberships.get().organization,
        group=group_a,
        case_worker=case_worker_a,
        client=services.ClientDetails("A. B.", "email", "ab@example.org", "en", ""),
        consent=services.ConsentRecord(
            frozenset({"name"}), "written", timezone.now(), timezone.localdate()
        ),
    )
    row = Outbox.objects.get(referral=referral)
    with time_machine.travel(timezone.now() + dt.timedelta(days=2)):
        assert outbox_send(outbox_id=row.pk) is False
    row.refresh_from_db()
    assert row.state == Outbox.State.CANCELLED
    assert len(mail.outbox) == 0


def test_organizer_sees_only_what_was_consented(
    client, login, organizer_a, make_referral, case_worker_a, group_a
):
    referral = make_referral(case_worker=case_worker_a, group=group_a, share=("language",))
    login(client, organizer_a)
    html = client.get(reverse("referrals:inbox_detail", args=[referral.pk])).content.decode()
    assert "J. D." not in html
    assert "client@example.org" not in html
    assert "near the door" not in html
    assert ">en<" in html
