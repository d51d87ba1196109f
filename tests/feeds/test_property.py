"""Property: whatever feed a partner sends, the import never crashes, always reports,
and a feed that is not applied leaves every existing listing exactly as it was."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from groups.feeds.pipeline import feed_import
from groups.models import Group, ImportRun
from tests.factories import PartnerFactory
from tests.feeds.builders import hsds_service

pytestmark = pytest.mark.django_db

json_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


def _intact(service) -> bool:
    sals, schedules = service.get("service_at_locations"), service.get("schedules")
    return (
        isinstance(sals, list)
        and bool(sals)
        and isinstance(sals[0], dict)
        and isinstance(sals[0].get("location"), dict)
        and isinstance(schedules, list)
        and bool(schedules)
        and isinstance(schedules[0], dict)
    )


@st.composite
def mutated_service(draw):
    service = hsds_service(draw(st.integers(0, 14)))
    for _ in range(draw(st.integers(0, 3))):
        key = draw(st.sampled_from(sorted(service) + ["latitude", "schedules", "extra"]))
        intact = _intact(service)
        if key in ("latitude", "schedules") and not intact:
            continue  # an earlier draw already replaced the structure
        if key == "latitude":
            location = service["service_at_locations"][0]["location"]
            location["latitude"] = draw(st.floats(-500, 500, allow_nan=False))
            location["longitude"] = draw(st.floats(-500, 500, allow_nan=False))
        elif key == "schedules":
            service["schedules"][0].update(
                draw(
                    st.dictionaries(
                        st.sampled_from(
                            ["freq", "byday", "opens_at", "timezone", "interval", "until"]
                        ),
                        json_scalars,
                        max_size=3,
                    )
                )
            )
        else:
            service[key] = draw(json_values)
    return service


feeds = st.one_of(
    st.lists(mutated_service(), max_size=14).map(lambda s: json.dumps(s).encode()),
    st.lists(json_values, max_size=5).map(lambda s: json.dumps(s).encode()),
    st.binary(max_size=200),
    st.text(max_size=200).map(str.encode),
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=feeds)
def test_any_feed_never_crashes_and_a_refused_feed_changes_nothing(body, tmp_path_factory):
    partner = PartnerFactory()
    folder = tmp_path_factory.mktemp("feed")
    baseline = folder / "baseline.json"
    baseline.write_text(json.dumps([hsds_service(n) for n in range(10)]))
    assert feed_import(partner_id=partner.pk, trigger="command", source=str(baseline)).created == 10
    before = sorted(
        Group.objects.filter(partner=partner).values_list(
            "external_id", "name", "status", "updated_at"
        )
    )
    source = folder / "feed.json"
    source.write_bytes(body)

    run = feed_import(partner_id=partner.pk, trigger="command", source=str(source))

    assert run.status in {
        ImportRun.Status.SUCCEEDED,
        ImportRun.Status.REJECTED,
        ImportRun.Status.FAILED,
    }
    assert "unexpected error" not in run.message
    after = sorted(
        Group.objects.filter(partner=partner).values_list(
            "external_id", "name", "status", "updated_at"
        )
    )
    if run.status == ImportRun.Status.SUCCEEDED:
        assert {row[0] for row in before} <= {row[0] for row in after}
        assert run.created + run.updated + run.unchanged + run.rejected >= run.records_seen
    else:
        assert run.message
        assert after == before
