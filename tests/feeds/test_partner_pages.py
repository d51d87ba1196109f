"""The moderators' partner pages: only moderators, create/edit, upload, run now, reports."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from groups.models import Group, ImportRun, Partner, PartnerFeedState
from tests.factories import PartnerFactory
from tests.feeds.builders import hsds_service

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner(provider_a):
    return PartnerFactory(organization=provider_a, slug="riverside-211")


def _urls(partner):
    return [
        ("get", reverse("partners:list")),
        ("get", reverse("partners:create")),
        ("get", reverse("partners:detail", args=[partner.slug])),
        ("get", reverse("partners:edit", args=[partner.slug])),
        ("post", reverse("partners:run", args=[partner.slug])),
        ("post", reverse("partners:upload", args=[partner.slug])),
    ]


def test_anonymous_is_sent_to_sign_in(client, partner):
    for method, url in _urls(partner):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("actor", ["organizer_a", "org_admin", "case_worker_a"])
def test_non_moderators_are_refused(client, login, partner, actor, request):
    login(client, request.getfixturevalue(actor))
    for method, url in _urls(partner):
        assert getattr(client, method)(url).status_code == 403, url
    assert not ImportRun.objects.exists()


def test_moderator_creates_a_partner_with_field_ownership(client, login, moderator, provider_a):
    login(client, moderator)
    response = client.post(
        reverse("partners:create"),
        {
            "name": "County 211",
            "slug": "county-211",
            "organization": provider_a.pk,
            "feed_url": "",
            "format": "hsds-json",
            "time_zone": "America/Denver",
            "refresh_minutes": 60,
            "status": "active",
            "owned_fields": ["name", "schedules"],
        },
    )
    partner = Partner.objects.get(slug="county-211")
    assert response.status_code == 302
    assert PartnerFeedState.objects.get(partner=partner).owned_fields == ["name", "schedules"]


def test_feed_url_off_the_allow_list_is_refused_with_its_reason(
    client, login, moderator, provider_a, settings
):
    settings.KINDRED_FEED_ALLOWED_HOSTS = ["feeds.example.org"]
    login(client, moderator)
    data = {
        "name": "X",
        "slug": "x",
        "organization": provider_a.pk,
        "feed_url": "https://elsewhere.example.net/feed.json",
        "format": "hsds-json",
        "time_zone": "Not/AZone",
        "refresh_minutes": 60,
        "status": "active",
    }
    response = client.post(reverse("partners:create"), data)
    assert response.status_code == 200
    assert "KINDRED_FEED_ALLOWED_HOSTS" in response.content.decode()
    assert "is not a time zone we know" in response.content.decode()
    assert "elsewhere.example.net" in response.content.decode()  # what was typed is kept
    assert not Partner.objects.filter(slug="x").exists()


def test_upload_imports_the_file_and_the_report_shows_on_the_partner_page(
    client,
    login,
    moderator,
    partner,
    eager_tasks,
    django_capture_on_commit_callbacks,
    settings,
    tmp_path,
):
    settings.MEDIA_ROOT = tmp_path
    login(client, moderator)
    feed = [hsds_service(n) for n in range(5)] + [{"id": "broken"}]
    upload = SimpleUploadedFile("feed.json", json.dumps(feed).encode(), "application/json")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("partners:upload", args=[partner.slug]), {"file": upload})
    assert response.status_code == 302
    run = ImportRun.objects.get(partner=partner)
    assert run.trigger == ImportRun.Trigger.UPLOAD
    page = client.get(reverse("partners:detail", args=[partner.slug])).content.decode()
    assert Group.objects.filter(partner=partner).count() == 5
    assert "broken" in page and "required property" in page
    report = client.get(reverse("partners:report", args=[partner.slug, run.pk]))
    assert "broken" in report.content.decode()


def test_run_now_queues_an_import_that_leaves_a_report(
    client, login, moderator, partner, eager_tasks, django_capture_on_commit_callbacks
):
    login(client, moderator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("partners:run", args=[partner.slug]))
    run = ImportRun.objects.get(partner=partner)
    assert run.trigger == ImportRun.Trigger.MANUAL
    assert run.status == ImportRun.Status.FAILED
    assert "no feed address" in run.message
    page = client.get(reverse("partners:list")).content.decode()
    assert run.get_status_display() in page
