"""The HSDS 3.0 API: shapes valid against schema/compiled, published groups only, round trip."""

import json

import pytest
from django.urls import reverse
from jsonschema import Draft202012Validator

from groups.feeds.pipeline import feed_import
from groups.feeds.validate import load_schema
from groups.hsds import ids
from groups.models import Group, ImportRun
from tests.factories import GroupFactory, LocationFactory, PartnerFactory, ScheduleFactory

pytestmark = pytest.mark.django_db


def _validator(name):
    return Draft202012Validator(load_schema(f"compiled/{name}.json"))


def _assert_valid(name, instance):
    errors = sorted(_validator(name).iter_errors(instance), key=str)
    assert not errors, [e.message for e in errors[:3]]


def _page_contents(response, schema):
    assert response.status_code == 200
    body = response.json()
    for key in ("total_items", "total_pages", "page_number", "size", "first_page", "last_page"):
        assert key in body
    for row in body["contents"]:
        _assert_valid(schema, row)
    return body


@pytest.fixture
def directory(provider_a):
    chicago = GroupFactory(
        organization=provider_a,
        name="Anxiety circle",
        topics=("anxiety",),
        audience=("young_adults",),
        languages=("en", "es"),
        languages_other="Klingon",
        accessibility=("step_free",),
        cost="donation",
        what_to_expect="Tea first.",
        location=LocationFactory(
            latitude=41.8781, longitude=-87.6298, postcode="60601", city="Chicago"
        ),
    )
    ScheduleFactory(group=chicago, rrule="FREQ=MONTHLY;BYDAY=2TU")
    online = GroupFactory(
        organization=provider_a,
        name="Online grief group",
        format="online",
        location=None,
        online_url="https://meet.example.org/x",
        online_url_public=True,
        topics=("grief",),
    )
    ScheduleFactory(group=online, rrule="FREQ=WEEKLY;BYDAY=MO,TH")
    draft = GroupFactory(organization=provider_a, name="Hidden draft", status=Group.Status.DRAFT)
    return {"chicago": chicago, "online": online, "draft": draft}


def test_root_names_version_and_openapi(client):
    body = client.get(reverse("hsds:root")).json()
    assert body["version"] == "3.0"
    assert body["openapi_url"].endswith(reverse("hsds:openapi"))


def test_services_list_is_a_valid_page_of_published_groups_only(client, directory):
    body = _page_contents(client.get(reverse("hsds:services")), "service_list")
    names = {row["name"] for row in body["contents"]}
    assert names == {"Anxiety circle", "Online grief group"}
    assert body["total_items"] == 2


def test_service_detail_is_valid_full_service(client, directory):
    group = directory["chicago"]
    response = client.get(reverse("hsds:service", args=[ids.make("service", group.pk)]))
    assert response.status_code == 200
    body = response.json()
    _assert_valid("service", body)
    assert body["schedules"][0]["freq"] == "MONTHLY"
    assert body["schedules"][0]["byday"] == "2TU"
    location = body["service_at_locations"][0]["location"]
    assert location["addresses"][0]["postal_code"] == "60601"


def test_draft_group_is_not_served(client, directory):
    url = reverse("hsds:service", args=[ids.make("service", directory["draft"].pk)])
    assert client.get(url).status_code == 404
    assert client.get(reverse("hsds:service", args=["not-an-id"])).status_code == 404


def test_paging_search_and_modified_after(client, directory):
    body = client.get(reverse("hsds:services"), {"per_page": 1, "page": 2}).json()
    assert (body["page_number"], body["size"], body["total_pages"]) == (2, 1, 2)
    assert body["last_page"] and not body["first_page"]
    body = client.get(reverse("hsds:services"), {"search": "grief"}).json()
    assert [r["name"] for r in body["contents"]] == ["Online grief group"]
    body = client.get(reverse("hsds:services"), {"modified_after": "2999-01-01T00:00:00Z"}).json()
    assert body["empty"] is True
    assert client.get(reverse("hsds:services"), {"page": "x"}).status_code == 400


def test_organizations_are_valid(client, directory, provider_a):
    _page_contents(client.get(reverse("hsds:organizations")), "organization_list")
    response = client.get(
        reverse("hsds:organization", args=[ids.make("organization", provider_a.pk)])
    )
    body = response.json()
    _assert_valid("organization", body)
    assert len(body["services"]) == 2


def test_service_at_locations_filter_by_postcode_and_proximity(client, directory):
    url = reverse("hsds:service_at_locations")
    body = _page_contents(client.get(url), "service_at_location_list")
    assert body["total_items"] == 2
    body = client.get(url, {"postcode": "60601"}).json()
    assert [r["service"]["name"] for r in body["contents"]] == ["Anxiety circle"]
    near = client.get(url, {"postcode": "60602", "proximity": "5000"}).json()
    assert near["total_items"] == 1
    far = client.get(url, {"postcode": "10001", "proximity": "5000"}).json()
    assert far["total_items"] == 0
    sal_id = ids.make("service_at_location", directory["chicago"].pk)
    detail = client.get(reverse("hsds:service_at_location", args=[sal_id])).json()
    _assert_valid("service_at_location", detail)


def test_taxonomies_and_terms(client):
    body = client.get(reverse("hsds:taxonomy_terms"), {"per_page": 100}).json()
    codes = {row["code"] for row in body["contents"]}
    assert "topics:depression" in codes
    taxonomy_schema = Draft202012Validator(load_schema("taxonomy_term.json"))
    assert not list(taxonomy_schema.iter_errors(body["contents"][0]))
    assert client.get(reverse("hsds:taxonomies")).json()["total_items"] == 3


def test_openapi_document_is_self_contained(client):
    response = client.get(reverse("hsds:openapi"))
    text = response.content.decode()
    assert "raw.githubusercontent.com" not in text
    document = json.loads(text)
    assert "compiled_service_list" in document["components"]["schemas"]


def test_missing_schemas_give_a_clear_error(client, settings, tmp_path):
    from groups.feeds import validate

    validate.load_schema.cache_clear()
    validate.validator.cache_clear()
    from groups.hsds import openapi

    openapi._document_text.cache_clear()
    settings.KINDRED_HSDS_SCHEMA_DIR = tmp_path
    try:
        response = client.get(reverse("hsds:openapi"))
        assert response.status_code == 503
        assert "KINDRED_HSDS_SCHEMA_DIR" in response.json()["error"]
    finally:
        validate.load_schema.cache_clear()
        validate.validator.cache_clear()
        openapi._document_text.cache_clear()


def _directory_snapshot(groups):
    rows = []
    for g in groups:
        loc = g.location
        rows.append(
            (
                g.name,
                g.description,
                g.what_to_expect,
                g.format,
                g.topics,
                g.audience,
                g.languages,
                g.languages_other,
                g.cost,
                g.accessibility,
                g.facilitation,
                (loc.address_1, loc.city, loc.postcode, loc.latitude, loc.longitude)
                if loc
                else None,
                sorted(
                    (s.rrule, s.start_date, s.start_time, s.duration_minutes, s.time_zone)
                    for s in g.schedules.all()
                ),
            )
        )
    return sorted(rows, key=repr)


def test_round_trip_export_imported_into_a_fresh_directory_is_the_same(client, directory, tmp_path):
    services = []
    for row in client.get(reverse("hsds:services"), {"per_page": 100}).json()["contents"]:
        services.append(client.get(reverse("hsds:service", args=[row["id"]])).json())
    (tmp_path / "export.json").write_text(json.dumps(services), encoding="utf-8")
    original = _directory_snapshot(Group.objects.published())
    partner = PartnerFactory(time_zone="America/Chicago")
    run = feed_import(
        partner_id=partner.pk,
        trigger=ImportRun.Trigger.COMMAND,
        source=str(tmp_path / "export.json"),
    )
    assert run.status == ImportRun.Status.SUCCEEDED, run.message
    assert run.unmapped.get("language") == {"Klingon": 1}
    imported = _directory_snapshot(Group.objects.filter(partner=partner))
    assert imported == original
