"""Standing actors and service fixtures shared by every test module.

Actors: an anonymous resident (the plain `client`), organizer A and B (different
provider organizations), case worker A and B (different agencies), an
organization admin (of provider A), and a moderator (staff).
"""

import logging
import os
import traceback

import pytest
from django.db import connection

from accounts.models import Membership, Organization
from tests.canaries import canaries_in
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

REQUIRE_SERVICES = (
    os.environ.get("KINDRED_REQUIRE_SERVICES") == "1" or os.environ.get("CI") == "true"
)


def pytest_runtest_setup(item):
    """A test marked postgres/redis/browser runs only where the service is available.

    Under CI (or KINDRED_REQUIRE_SERVICES=1) a missing service fails the test:
    bin/test deselects these marks on the pass that does not run them, so they never
    skip silently. `browser` needs Chromium, Playwright and axe-core (tests/browser/kit.py).
    """
    markers = {m.name for m in item.iter_markers()}
    needs = markers & {"postgres", "redis", "celery_worker"}
    missing = []
    if "browser" in markers:
        from tests.browser.kit import missing_requirements

        missing.extend(missing_requirements())
    if "postgres" in needs and not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        missing.append("PostgreSQL (DATABASE_URL)")
    if needs & {"redis", "celery_worker"} and not os.environ.get("REDIS_URL"):
        missing.append("Redis (REDIS_URL)")
    if missing:
        message = "needs " + " and ".join(missing)
        if REQUIRE_SERVICES:
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
def on_postgres():
    return connection.vendor == "postgresql"


@pytest.fixture
def login():
    """Sign a user in on a test client as the real login would (second factor included):
    the session is authenticated and marked as having passed a confirmed TOTP device."""

    def _login(client, user):
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return client

    return _login


@pytest.fixture
def login_without_second_factor():
    """Signed in with the password only: the state between the two steps of signing in."""

    def _login(client, user):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return _login


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    """Argon2 at production cost takes about a second per hash on this machine; tests use
    a fast hasher. tests/accounts/test_passwords.py checks Argon2 with the real settings."""
    from django.test import override_settings

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters and cached pages must not leak from one test into the next."""
    from django.core.cache import cache

    cache.clear()


# --- Canary guard: planted personal data must never reach logs, error reports or the broker.


class _CanaryHandler(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.hits: list[str] = []

    def emit(self, record):
        try:
            text = record.getMessage()
        except Exception:  # a malformed record still gets its raw parts checked
            text = f"{record.msg} {record.args}"
        if record.exc_info and record.exc_info[1] is not None:
            text += " " + "".join(traceback.format_exception(*record.exc_info))
        found = canaries_in(text)
        if found:
            self.hits.append(f"logger {record.name!r} ({record.levelname}) carried {found}")


_CANARY_HANDLER = _CanaryHandler()


def _canary_task_check(sender=None, body=None, args=None, kwargs=None, headers=None, **extra):
    found = canaries_in(repr((body, args, kwargs, headers)))
    if found:
        _CANARY_HANDLER.hits.append(f"Celery task message for {sender!r} carried {found}")


def pytest_configure(config):
    """Capture every log record at DEBUG for the whole session, without printing more."""
    root = logging.getLogger()
    for handler in root.handlers:
        if handler.level == logging.NOTSET:
            handler.setLevel(root.level or logging.WARNING)
    root.addHandler(_CANARY_HANDLER)
    root.setLevel(logging.DEBUG)
    # factory_boy logs the values tests pass to factories: test tooling, not the app.
    logging.getLogger("factory").setLevel(logging.INFO)
    from celery import signals as celery_signals

    celery_signals.before_task_publish.connect(_canary_task_check, weak=False)
    celery_signals.task_prerun.connect(_canary_task_check, weak=False)


@pytest.fixture(autouse=True)
def _canary_guard():
    """Fails the test during which a canary reached a log record or a task message."""
    from django.conf import settings

    root = logging.getLogger()
    if _CANARY_HANDLER not in root.handlers:  # Django's LOGGING config ran after configure
        root.addHandler(_CANARY_HANDLER)
    root.setLevel(logging.DEBUG)
    # Every logger at DEBUG except SQL (query parameters hold stored data by design, and
    # query logging is never on in a deployment) and factory_boy (echoes test inputs).
    for name in [*settings.LOGGING.get("loggers", {}), "django", "celery", "kombu"]:
        if name not in ("django.db.backends", "factory"):
            logging.getLogger(name).setLevel(logging.DEBUG)
    before = len(_CANARY_HANDLER.hits)
    yield
    leaked = _CANARY_HANDLER.hits[before:]
    if leaked:
        pytest.fail("Personal data (a canary) leaked: " + "; ".join(leaked), pytrace=False)


def pytest_sessionfinish(session, exitstatus):
    if _CANARY_HANDLER.hits and session.exitstatus == 0:
        session.exitstatus = 1


@pytest.fixture
def provider_a(db):
    return OrganizationFactory(name="Riverside Peer Network", kind=Organization.Kind.PROVIDER)


@pytest.fixture
def provider_b(db):
    return OrganizationFactory(name="Hillcrest Wellbeing", kind=Organization.Kind.PROVIDER)


@pytest.fixture
def agency_a(db):
    return OrganizationFactory(name="Eastside Family Services", kind=Organization.Kind.AGENCY)


@pytest.fixture
def agency_b(db):
    return OrganizationFactory(name="Northfield Community Health", kind=Organization.Kind.AGENCY)


def _member(organization, role, **user_kwargs):
    return MembershipFactory(
        organization=organization, role=role, user=UserFactory(**user_kwargs)
    ).user


@pytest.fixture
def organizer_a(provider_a):
    return _member(provider_a, Membership.Role.ORGANIZER, full_name="Olivia Organizer")


@pytest.fixture
def organizer_b(provider_b):
    return _member(provider_b, Membership.Role.ORGANIZER, full_name="Oscar Organizer")


@pytest.fixture
def org_admin(provider_a):
    return _member(provider_a, Membership.Role.ADMIN, full_name="Ada Admin")


@pytest.fixture
def case_worker_a(agency_a):
    return _member(agency_a, Membership.Role.CASE_WORKER, full_name="Carla Caseworker")


@pytest.fixture
def case_worker_b(agency_b):
    return _member(agency_b, Membership.Role.CASE_WORKER, full_name="Chris Caseworker")


@pytest.fixture
def moderator(db):
    return UserFactory(full_name="Morgan Moderator", is_staff=True)


@pytest.fixture(autouse=True)
def _default_language_after_each_test():
    """A request in Spanish leaves Spanish active in the thread (LocaleMiddleware does
    not undo it); the next test starts in the default language, as a new request would."""
    yield
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
