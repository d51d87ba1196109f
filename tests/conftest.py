"""Standing actors and service fixtures shared by every test module.

Actors: an anonymous resident (the plain `client`), organizer A and B (different
provider organizations), case worker A and B (different agencies), an
organization admin (of provider A), and a moderator (staff).
"""

import os

import pytest
from django.db import connection

from accounts.models import Membership, Organization
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

REQUIRE_SERVICES = (
    os.environ.get("KINDRED_REQUIRE_SERVICES") == "1" or os.environ.get("CI") == "true"
)

# The final translation pass sets this (bin/test): until then an incomplete Spanish
# catalogue is reported as an expected failure, not one that stops everyone's run.
REQUIRE_TRANSLATIONS = os.environ.get("KINDRED_REQUIRE_TRANSLATIONS") == "1"


def pytest_collection_modifyitems(items):
    if REQUIRE_TRANSLATIONS:
        return
    for item in items:
        if item.get_closest_marker("translations"):
            item.add_marker(
                pytest.mark.xfail(
                    reason="Spanish catalogue not complete yet "
                    "(set KINDRED_REQUIRE_TRANSLATIONS=1 after the translation pass)",
                    strict=False,
                )
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
    """Sign a user in on a test client as the real login would (second factor included)."""

    def _login(client, user):
        client.force_login(user)
        return client

    return _login


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
