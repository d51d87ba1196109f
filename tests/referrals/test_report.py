"""The agency report: counts by status, outcome and group; table and CSV; no names."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from referrals import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_referrals(make_referral, case_worker_a, organizer_a, group_a, group_b):
    first = make_referral(case_worker=case_worker_a, group=group_a, name="Alice Unique")
    make_referral(case_worker=case_worker_a, group=group_a, name="Bob Unique")
    make_referral(case_worker=case_worker_a, group=group_b, name="Cleo Unique")
    services.referral_change_status(
        referral_id=first.pk,
        to_status="declined",
        role="organizer",
        actor=organizer_a,
        reason="Full",
    )


def test_report_table_counts_without_names(client, login, case_worker_a, three_referrals):
    login(client, case_worker_a)
    response = client.get(reverse("referrals:report"))
    html = response.content.decode()
    assert "3 referrals" in html
    assert "Tuesday Peer Circle" in html and "Hillcrest Evening Group" in html
    assert "Unique" not in html
    assert "no-store" in response["Cache-Control"]


def test_report_csv_download(client, login, case_worker_a, three_referrals):
    login(client, case_worker_a)
    today = timezone.localdate()
    response = client.get(
        reverse("referrals:report_csv"),
        {"start": (today - dt.timedelta(days=1)).isoformat(), "end": today.isoformat()},
    )
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode()
    assert "Unique" not in text
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    by_group = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert by_group["Tuesday Peer Circle"]["total"] == "2"
    assert by_group["Tuesday Peer Circle"]["declined"] == "1"
    assert by_group["Hillcrest Evening Group"]["sent"] == "1"
    assert by_group["all groups"]["total"] == "3"
    assert by_group["Tuesday Peer Circle"]["outcome_declined"] == "1"
    assert by_group["Tuesday Peer Circle"]["outcome_in_progress"] == "1"
    assert by_group["all groups"]["outcome_in_progress"] == "2"


def test_report_csv_cannot_start_a_formula(client, login, case_worker_a, make_referral, provider_a):
    from tests.factories import GroupFactory

    group = GroupFactory(organization=provider_a, name="=HYPERLINK(1)")
    make_referral(case_worker=case_worker_a, group=group)
    login(client, case_worker_a)
    text = client.get(reverse("referrals:report_csv")).content.decode()
    assert "'=HYPERLINK(1)" in text


def test_report_date_range_excludes_other_periods(client, login, case_worker_a, three_referrals):
    login(client, case_worker_a)
    response = client.get(reverse("referrals:report"), {"start": "2020-01-01", "end": "2020-12-31"})
    assert "0 referrals" in response.content.decode()


def test_report_rejects_a_backwards_range_and_keeps_the_dates(client, login, case_worker_a):
    login(client, case_worker_a)
    response = client.get(reverse("referrals:report"), {"start": "2024-05-01", "end": "2024-04-01"})
    html = response.content.decode()
    assert "The end date must be on or after the start date." in html
    assert 'value="2024-05-01"' in html
