"""Fixtures for referrals: groups of provider A and B with meetings, and a way to
make a referral exactly as the case worker's form does (through the service)."""

import datetime as dt

import pytest
from django.utils import timezone

from config.celery import app as celery_app
from groups.services import occurrences_refresh
from referrals import services
from referrals.models import Consent
from tests.factories import GroupFactory, ScheduleFactory

CANARY_NAME = "Zebulon Quixotic-Canary"
CANARY_EMAIL = "zebulon.canary.7731@example.net"
CANARY_PHONE = "+15550107731"


@pytest.fixture(autouse=True)
def _tasks_in_process(request):
    """Run queued tasks in-process, as the default setup does, even on the Redis pass.

    Tests marked `redis` keep the real broker so they can read what reaches it.
    """
    if request.node.get_closest_marker("redis"):
        yield
        return
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 takes over a second per user on a busy 2-core machine; the permission
    matrix builds hundreds of users. Passwords are not what these tests are about."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _group_with_meetings(organization, name):
    group = GroupFactory(organization=organization, name=name)
    ScheduleFactory(group=group)
    occurrences_refresh(group_id=group.pk)
    group.refresh_from_db()
    return group


@pytest.fixture
def group_a(provider_a):
    return _group_with_meetings(provider_a, "Tuesday Peer Circle")


@pytest.fixture
def group_b(provider_b):
    return _group_with_meetings(provider_b, "Hillcrest Evening Group")


@pytest.fixture
def make_referral(django_capture_on_commit_callbacks):
    """Create a referral through the service and run its after-commit work (the message)."""

    def _make(
        *,
        case_worker,
        group,
        name="J. D.",
        contact_method="email",
        contact_value="client@example.org",
        language="en",
        notes="Prefers to sit near the door.",
        share=("name", "contact", "language", "notes"),
        valid_until=None,
        method=Consent.Method.VERBAL_WITNESSED,
    ):
        agency = case_worker.memberships.get().organization
        with django_capture_on_commit_callbacks(execute=True):
            return services.referral_create(
                agency=agency,
                group=group,
                case_worker=case_worker,
                client=services.ClientDetails(
                    name=name,
                    contact_method=contact_method,
                    contact_value=contact_value,
                    preferred_language=language,
                    notes=notes,
                ),
                consent=services.ConsentRecord(
                    shared_fields=frozenset(share),
                    method=method,
                    given_at=timezone.now(),
                    valid_until=valid_until or timezone.localdate() + dt.timedelta(days=365),
                ),
            )

    return _make


@pytest.fixture
def referral_a(make_referral, case_worker_a, group_a):
    """Case worker A (agency A) referred a client to group A (provider A)."""
    return make_referral(case_worker=case_worker_a, group=group_a)


def link_from_email(message) -> str:
    """The client's private link path, as the email carries it."""
    for word in message.body.split():
        if "/referrals/r/" in word:
            return word[word.index("/referrals/r/") :]
    raise AssertionError("no private link in the email")
