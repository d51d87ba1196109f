"""The beat dispatcher queues due partners once; tasks take ids; lock on PostgreSQL."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from config.celery import app
from groups.feeds.lock import partner_claim, partner_release
from groups.feeds.schedule import partners_dispatch_due
from groups.models import ImportRun, Partner, PartnerFeedState
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db


def test_beat_has_the_dispatcher_entry():
    entry = app.conf.beat_schedule["dispatch-partner-feeds"]
    assert entry["task"] == "feeds.dispatch_due_imports"


def test_dispatcher_queues_due_partners_once(django_capture_on_commit_callbacks, monkeypatch):
    queued = []
    monkeypatch.setattr("groups.feeds.tasks.import_partner.delay", lambda *a: queued.append(a))
    due = PartnerFactory(feed_url="https://feeds.example.org/a.json", refresh_minutes=60)
    PartnerFactory(feed_url="https://feeds.example.org/b.json", status=Partner.Status.PAUSED)
    PartnerFactory(feed_url="")  # nothing to fetch
    recent = PartnerFactory(feed_url="https://feeds.example.org/c.json", refresh_minutes=60)
    PartnerFeedState.objects.create(partner=recent, last_run_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        assert partners_dispatch_due() == 1
        assert partners_dispatch_due() == 0  # a second run queues nobody twice
    assert queued == [(due.pk,)]
    later = timezone.now() + timedelta(minutes=61)
    with django_capture_on_commit_callbacks(execute=True):
        assert partners_dispatch_due(now=later) == 2


def test_claim_is_exclusive_and_a_stale_claim_expires(settings):
    partner = PartnerFactory()
    assert partner_claim(partner_id=partner.pk)
    assert not partner_claim(partner_id=partner.pk)
    PartnerFeedState.objects.filter(partner=partner).update(
        running_since=timezone.now() - timedelta(minutes=settings.KINDRED_FEED_LOCK_MINUTES + 1)
    )
    assert partner_claim(partner_id=partner.pk)
    partner_release(partner_id=partner.pk)
    assert partner_claim(partner_id=partner.pk)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_for_one_partner_get_one_claim():
    partner = PartnerFactory()
    PartnerFeedState.objects.create(partner=partner)
    barrier = threading.Barrier(4)
    results = []

    def worker():
        try:
            barrier.wait()
            results.append(partner_claim(partner_id=partner.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, False, False, True]
    assert not ImportRun.objects.exists()
