"""schemathesis against the served OpenAPI document, through the WSGI app: no 5xx, and
every 200 response conforms to the HSDS schemas the document points at."""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from config.wsgi import application
from tests.factories import GroupFactory, ScheduleFactory

schema = schemathesis.openapi.from_wsgi("/api/hsds/openapi.json", application)


@pytest.fixture
def published(db):
    group = GroupFactory(name="Grief circle", topics=("grief",))
    ScheduleFactory(group=group)
    GroupFactory(name="Online circle", format="online", location=None)
    # As Django's test client does: the WSGI handler must not close the test's connection
    # (on PostgreSQL it would, being inside the test's transaction).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_hsds_api_has_no_server_errors_and_conforms(case, published):
    case.call_and_validate(checks=[not_a_server_error, response_schema_conformance])
