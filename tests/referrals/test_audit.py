"""Every view, change, share and export of a referral writes one audit row;
audit rows cannot be changed or deleted; moderators read them."""

import pytest
from django.core import mail
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from referrals.audit import ip_prefix
from referrals.models import AuditEvent
from tests.referrals.conftest import link_from_email

pytestmark = pytest.mark.django_db


def _events(referral=None, **filters):
    qs = AuditEvent.objects.filter(**filters)
    return qs.filter(referral=referral) if referral is not None else qs


def test_creating_a_referral_writes_create_and_share_rows(referral_a, case_worker_a):
    actions = sorted(_events(referral_a).values_list("action", flat=True))
    # created, shared with the group's organization, group details sent to the client
    assert actions == ["create", "share", "share"]
    share = _events(referral_a, action="share", actor=case_worker_a).get()
    assert f"organization #{referral_a.group.organization_id}" in share.detail


def test_each_page_view_writes_one_row_with_who_and_where(
    client, login, case_worker_a, organizer_a, referral_a
):
    login(client, case_worker_a)
    client.get(reverse("referrals:detail", args=[referral_a.pk]), REMOTE_ADDR="203.0.113.77")
    row = _events(referral_a, action="view").get()
    assert row.actor == case_worker_a
    assert row.ip_prefix == "203.0.113.0/24"
    assert row.at is not None

    login(client, organizer_a)
    client.get(reverse("referrals:inbox_detail", args=[referral_a.pk]))
    client.get(reverse("referrals:inbox"))
    assert _events(referral_a, action="view", actor=organizer_a).count() == 2


def test_client_view_and_answer_are_audited(client, referral_a):
    link = link_from_email(mail.outbox[0])
    client.get(link)
    client.post(link, {"answer": "going"})
    assert _events(referral_a, action="view", actor_label="client").count() == 1
    change = _events(referral_a, action="change").get()
    assert change.actor is None and change.actor_label == "client"
    assert "sent → client_confirmed" in change.detail


def test_status_change_and_export_are_audited(
    client, login, organizer_a, case_worker_a, referral_a
):
    login(client, organizer_a)
    client.post(reverse("referrals:inbox_detail", args=[referral_a.pk]), {"status": "waitlisted"})
    assert _events(referral_a, action="change", actor=organizer_a).count() == 1
    login(client, case_worker_a)
    client.get(reverse("referrals:report_csv"))
    assert _events(action="export", actor=case_worker_a).count() == 1


def test_audit_rows_refuse_save_and_delete_in_the_application(referral_a):
    row = AuditEvent.objects.filter(referral=referral_a).first()
    row.detail = "tampered"
    with pytest.raises(PermissionError):
        row.save()
    with pytest.raises(PermissionError):
        row.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=row.pk).update(detail="tampered")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=row.pk).detail != "tampered"


@pytest.mark.postgres
def test_postgres_trigger_refuses_raw_update_and_delete(referral_a):
    assert connection.vendor == "postgresql"
    row_id = AuditEvent.objects.filter(referral=referral_a).first().pk
    for statement in (
        "UPDATE referrals_auditevent SET detail = 'x'",
        "DELETE FROM referrals_auditevent",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement + " WHERE id = %s", [row_id])
    assert AuditEvent.objects.filter(pk=row_id).exists()


def test_moderator_reads_the_audit_log_without_client_names(client, login, moderator, referral_a):
    login(client, moderator)
    response = client.get(reverse("referrals:audit_log"))
    html = response.content.decode()
    assert response.status_code == 200
    assert f"#{referral_a.pk}" in html
    assert "J. D." not in html


def test_ip_prefix_truncates_v4_and_v6():
    class Request:
        def __init__(self, addr):
            self.META = {"REMOTE_ADDR": addr}

    assert ip_prefix(Request("198.51.100.23")) == "198.51.100.0/24"
    assert ip_prefix(Request("2001:db8:abcd:12::1")) == "2001:db8:abcd::/48"
    assert ip_prefix(Request("not an ip")) == ""
