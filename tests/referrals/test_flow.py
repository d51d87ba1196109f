"""The whole life of a referral through the pages, as the people involved use them."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from referrals.models import AuditEvent, Outbox, Referral, Status
from tests.referrals.conftest import link_from_email

pytestmark = pytest.mark.django_db


def _referral_form(group, **overrides):
    today = timezone.localdate()
    data = {
        "agency": str(group._agency_pk),
        "client_name": "Rosa Example",
        "contact_method": "email",
        "contact_value": "Rosa.Example@Example.org",
        "preferred_language": "es",
        "notes": "Would like a quiet seat.",
        "share": ["name", "language"],
        "consent_given": "on",
        "consent_method": "verbal_witnessed",
        "signature": "",
        "consent_given_on": today.isoformat(),
        "valid_until": (today + dt.timedelta(days=365)).isoformat(),
    }
    data.update(overrides)
    return data


@pytest.fixture
def form_data(group_a, agency_a):
    group_a._agency_pk = agency_a.pk
    return lambda **overrides: _referral_form(group_a, **overrides)


def test_whole_flow_from_referral_to_purge(
    client,
    login,
    case_worker_a,
    organizer_a,
    group_a,
    form_data,
    django_capture_on_commit_callbacks,
):
    # The case worker refers a client.
    login(client, case_worker_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("referrals:create", args=[group_a.pk]), form_data())
    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:detail", args=[referral.pk])
    assert referral.status == Status.SENT
    assert referral.consent.share_name and not referral.consent.share_notes

    # The client gets an email in Spanish with a private link; the task took only an id.
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["rosa.example@example.org"]
    assert message.extra_headers["Content-Language"] == "es"
    assert Outbox.objects.get().state == Outbox.State.SENT
    link = link_from_email(message)

    # The client opens the link with no account and says they would like to go.
    client.logout()
    page = client.get(link)
    assert page.status_code == 200
    assert group_a.name in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    assert "https://www.openstreetmap.org/?mlat=" in page.content.decode()
    assert f"/groups/{group_a.pk}/remind/" in page.content.decode()
    client.post(link, {"answer": "going"})
    referral.refresh_from_db()
    assert referral.status == Status.CLIENT_CONFIRMED

    # The organizer sees only the consented fields and accepts.
    login(client, organizer_a)
    detail = client.get(reverse("referrals:inbox_detail", args=[referral.pk]))
    html = detail.content.decode()
    assert "Rosa Example" in html
    assert "rosa.example@example.org" not in html  # contact not shared
    assert "quiet seat" not in html  # notes not shared
    client.post(reverse("referrals:inbox_detail", args=[referral.pk]), {"status": "accepted"})
    referral.refresh_from_db()
    assert referral.status == Status.ACCEPTED

    # After the first meeting the organizer records attendance.
    first = referral.group.occurrences.filter(starts_at__gte=referral.created_at).first()
    with time_machine.travel(first.starts_at + dt.timedelta(hours=3)):
        login(client, organizer_a)  # days later: the staff session has timed out
        client.post(reverse("referrals:inbox_detail", args=[referral.pk]), {"status": "attended"})
        referral.refresh_from_db()
        assert referral.status == Status.ATTENDED
        assert referral.outcome == Status.ATTENDED

        # The case worker closes it.
        login(client, case_worker_a)
        client.post(reverse("referrals:update", args=[referral.pk]), {"status": "closed"})
        referral.refresh_from_db()
        assert referral.status == Status.CLOSED
        closed_at = referral.closed_at

    # A year and a day later the retention job erases the personal fields, once.
    with time_machine.travel(closed_at + dt.timedelta(days=366)):
        call_command("purge_referrals")
        call_command("purge_referrals")
    referral.refresh_from_db()
    assert referral.purged_at is not None
    assert referral.client_name == "" and referral.contact_value == "" and referral.notes == ""
    assert referral.outcome == Status.ATTENDED and referral.status == Status.CLOSED
    assert AuditEvent.objects.filter(referral=referral, action="purge").count() == 1
    history = [c.to_status for c in referral.status_changes.all()]
    assert history == ["sent", "client_confirmed", "accepted", "attended", "closed"]
    assert all(c.at for c in referral.status_changes.all())


def test_form_without_consent_creates_nothing_and_says_why(
    client, login, case_worker_a, group_a, form_data
):
    login(client, case_worker_a)
    data = form_data()
    del data["consent_given"]
    response = client.post(reverse("referrals:create", args=[group_a.pk]), data)
    assert response.status_code == 200
    assert "No consent, no referral" in response.content.decode()
    assert "Rosa Example" in response.content.decode()  # nothing typed is lost
    assert not Referral.objects.exists()
    assert len(mail.outbox) == 0


def test_form_refuses_consent_that_has_already_ended(
    client, login, case_worker_a, group_a, form_data
):
    login(client, case_worker_a)
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    response = client.post(
        reverse("referrals:create", args=[group_a.pk]), form_data(valid_until=yesterday)
    )
    assert response.status_code == 200
    assert not Referral.objects.exists()


def test_signed_on_screen_needs_the_signature(client, login, case_worker_a, group_a, form_data):
    login(client, case_worker_a)
    response = client.post(
        reverse("referrals:create", args=[group_a.pk]),
        form_data(consent_method="signed_on_screen"),
    )
    assert response.status_code == 200
    assert not Referral.objects.exists()


def test_create_page_marks_post_data_sensitive_for_error_reports(
    client, login, case_worker_a, group_a, form_data
):
    login(client, case_worker_a)
    response = client.post(reverse("referrals:create", args=[group_a.pk]), form_data())
    assert response.wsgi_request.sensitive_post_parameters == "__ALL__"


def test_client_can_say_not_for_me(client, referral_a):
    link = link_from_email(mail.outbox[0])
    client.post(link, {"answer": "not_for_me"})
    referral_a.refresh_from_db()
    assert referral_a.status == Status.WITHDRAWN
    change = referral_a.status_changes.last()
    assert change.by_user is None and change.by_label == "client"


def test_expired_link_no_longer_opens(client, referral_a):
    link = link_from_email(mail.outbox[0])
    with time_machine.travel(timezone.now() + dt.timedelta(days=31)):
        response = client.get(link)
    assert response.status_code == 404
    assert referral_a.group.name not in response.content.decode()


def test_unknown_token_is_404(client, referral_a):
    assert client.get(reverse("referrals:client_link", args=["x" * 43])).status_code == 404


def test_only_the_token_hash_is_stored(referral_a):
    token = link_from_email(mail.outbox[0]).rstrip("/").rsplit("/", 1)[-1]
    referral_a.refresh_from_db()
    assert len(token) >= 40
    assert token not in referral_a.link_token_hash
    assert len(referral_a.link_token_hash) == 64


def test_sms_referral_sends_a_text_in_the_clients_language(
    settings, make_referral, case_worker_a, group_a
):
    from groups.sms.locmem import LocmemBackend

    settings.SMS_BACKEND = "groups.sms.locmem.LocmemBackend"
    LocmemBackend.outbox.clear()
    make_referral(
        case_worker=case_worker_a,
        group=group_a,
        contact_method="sms",
        contact_value="+15551234567",
        language="es",
    )
    assert len(LocmemBackend.outbox) == 1
    sent = LocmemBackend.outbox[0]
    assert sent["to"] == "+15551234567"
    assert "/referrals/r/" in sent["body"]
    assert len(mail.outbox) == 0


def test_decline_needs_a_reason(client, login, organizer_a, referral_a):
    login(client, organizer_a)
    url = reverse("referrals:inbox_detail", args=[referral_a.pk])
    client.post(url, {"status": "declined", "reason": ""})
    referral_a.refresh_from_db()
    assert referral_a.status == Status.SENT
    client.post(url, {"status": "declined", "reason": "The group is full this season."})
    referral_a.refresh_from_db()
    assert referral_a.status == Status.DECLINED
    assert referral_a.status_changes.last().reason == "The group is full this season."
    assert referral_a.status_changes.last().by_user == organizer_a


def test_attendance_cannot_be_recorded_before_the_first_meeting(
    client, login, organizer_a, referral_a
):
    from referrals import services

    services.referral_change_status(
        referral_id=referral_a.pk, to_status="accepted", role="organizer", actor=organizer_a
    )
    login(client, organizer_a)
    client.post(reverse("referrals:inbox_detail", args=[referral_a.pk]), {"status": "attended"})
    referral_a.refresh_from_db()
    assert referral_a.status == Status.ACCEPTED


def test_caseload_lists_status_and_what_needs_attention(client, login, case_worker_a, referral_a):
    from referrals import services

    services.referral_change_status(
        referral_id=referral_a.pk,
        to_status="declined",
        role="organizer",
        reason="Full",
    )
    login(client, case_worker_a)
    response = client.get(reverse("referrals:caseload"))
    html = response.content.decode()
    assert "J. D." in html
    assert "Declined by the group" in html
    assert "refer the client elsewhere" in html
    assert "no-store" in response["Cache-Control"]


def test_caseload_query_count_is_flat(
    client, login, case_worker_a, group_a, make_referral, django_assert_max_num_queries
):
    for _ in range(5):
        make_referral(case_worker=case_worker_a, group=group_a)
    login(client, case_worker_a)
    with django_assert_max_num_queries(
        13
    ):  # +5 per request for the session, user, second factor and staff timeout
        client.get(reverse("referrals:caseload"))


def test_client_can_change_their_mind_after_saying_yes(client, referral_a):
    link = link_from_email(mail.outbox[0])
    client.post(link, {"answer": "going"})
    assert "I changed my mind" in client.get(link).content.decode()
    client.post(link, {"answer": "not_for_me"})
    referral_a.refresh_from_db()
    assert referral_a.status == Status.WITHDRAWN
    assert [c.to_status for c in referral_a.status_changes.all()] == [
        "sent",
        "client_confirmed",
        "withdrawn",
    ]


def test_client_page_speaks_the_clients_language(client, make_referral, case_worker_a, group_a):
    make_referral(case_worker=case_worker_a, group=group_a, language="es")
    response = client.get(link_from_email(mail.outbox[0]))
    assert '<html lang="es">' in response.content.decode()


def test_an_unsupported_language_falls_back_to_the_site_default(
    make_referral, case_worker_a, group_a
):
    make_referral(case_worker=case_worker_a, group=group_a, language="so")
    assert mail.outbox[0].extra_headers["Content-Language"] == "en"


def test_caseload_shows_my_referrals_unless_asked_for_the_whole_agency(
    client, login, case_worker_a, agency_a, group_a, make_referral
):
    from accounts.models import Membership
    from tests.factories import MembershipFactory

    colleague = MembershipFactory(organization=agency_a, role=Membership.Role.CASE_WORKER).user
    make_referral(case_worker=case_worker_a, group=group_a, name="Mine Only")
    make_referral(case_worker=colleague, group=group_a, name="Colleague Client")
    login(client, case_worker_a)
    mine = client.get(reverse("referrals:caseload")).content.decode()
    assert "Mine Only" in mine and "Colleague Client" not in mine
    everyone = client.get(reverse("referrals:caseload"), {"scope": "agency"}).content.decode()
    assert "Mine Only" in everyone and "Colleague Client" in everyone


def test_organizer_dashboard_counts_open_referrals_per_group(
    client, login, case_worker_a, organizer_a, group_a, make_referral
):
    from groups.organizer import selectors as organizer_selectors

    make_referral(case_worker=case_worker_a, group=group_a)
    closed = make_referral(case_worker=case_worker_a, group=group_a)
    closed.status = Status.WITHDRAWN
    closed.save(update_fields=["status"])
    assert organizer_selectors.group_open_referral_counts([group_a.pk]) == {group_a.pk: 1}
    html = login(client, organizer_a).get(reverse("organizer:dashboard")).content.decode()
    assert "<dd>1</dd>" in html
