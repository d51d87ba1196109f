"""The JSON search API and its OpenAPI document."""

import datetime as dt

import pytest
from django.urls import reverse

from groups.search.filters import search_parameters
from groups.services import occurrences_refresh
from tests.factories import OnlineGroupFactory, ScheduleFactory, located_group, synced

pytestmark = pytest.mark.django_db
URL = reverse("groups:api_search")


def test_results_carry_the_documented_fields(client):
    group = located_group(
        latitude=39.85, longitude=-89.64, cost="donation", accessibility=("hearing_loop",)
    )
    ScheduleFactory(group=group, time_zone="America/Chicago")
    occurrences_refresh(group_id=group.pk)
    data = client.get(URL, {"near": "Springfield, IL"}).json()
    assert data["count"] == 1 and data["next"] is None and data["previous"] is None
    (result,) = data["results"]
    assert result["id"] == group.pk
    assert result["url"] == f"http://testserver/groups/{group.pk}/"
    assert result["format"]["code"] == "in_person"
    assert result["organization"] == group.organization.name
    assert result["cost"]["code"] == "donation"
    assert [a["code"] for a in result["accessibility"]] == ["hearing_loop"]
    assert [lang["code"] for lang in result["languages"]] == ["en"]
    assert [t["code"] for t in result["topics"]] == ["depression"]
    assert result["distance_km"] == pytest.approx(5.6, abs=0.3)
    next_meeting = dt.datetime.fromisoformat(result["next_meeting"])
    assert next_meeting.hour == 18
    assert next_meeting.utcoffset() in (dt.timedelta(hours=-6), dt.timedelta(hours=-5))


def test_pagination_links(client):
    for i in range(22):
        located_group(latitude=39.80 + i * 0.001, longitude=-89.64)
    data = client.get(URL, {"near": "62701", "cost": "free"}).json()
    assert data["count"] == 22 and len(data["results"]) == 20
    assert data["next"].endswith("near=62701&cost=free&page=2")
    page2 = client.get(data["next"]).json()
    assert len(page2["results"]) == 2
    assert page2["previous"].endswith("page=1") and page2["next"] is None


def test_online_groups_have_no_distance(client):
    synced(OnlineGroupFactory())
    (result,) = client.get(URL, {"near": "62701"}).json()["results"]
    assert result["distance_km"] is None and result["format"]["code"] == "online"


def test_bad_page_is_400(client):
    response = client.get(URL, {"page": "zero"})
    assert response.status_code == 400
    assert "page" in response.json()["errors"]


def test_detail_has_schedule_meetings_and_hides_private_link(client):
    group = OnlineGroupFactory(online_url="https://meet.example.org/private")
    ScheduleFactory(group=group)
    occurrences_refresh(group_id=group.pk)
    data = client.get(reverse("groups:api_detail", args=[group.pk])).json()
    assert data["schedules"] == ["Every Tuesday, 6 p.m.–7:30 p.m."]
    assert len(data["next_meetings"]) == 6
    assert data["online_url"] is None


def test_openapi_documents_every_filterset_parameter(client):
    response = client.get(reverse("groups:api_openapi"))
    document = response.json()
    assert document["openapi"].startswith("3.1")
    operation = document["paths"]["/api/groups/"]["get"]
    documented = {p["name"] for p in operation["parameters"]}
    assert set(search_parameters()) <= documented
    assert set(search_parameters()) >= {
        "q", "near", "radius_km", "online", "cost", "accessibility", "transport", "format",
        "facilitation", "audience", "topic", "language", "day", "time_of_day",
        "starts_within_days", "accepting_new_members", "ordering",
    }  # fmt: skip
    cost = next(p for p in operation["parameters"] if p["name"] == "cost")
    assert cost["schema"]["items"]["enum"] == ["free", "donation", "sliding_scale", "fee"]
    assert "400" in operation["responses"]


def test_labels_are_in_the_language_of_each_request(client):
    from django.utils import translation

    from groups.vocabularies import COST

    located_group(latitude=39.85, longitude=-89.64, cost="free", accessibility=("step_free",))
    labels = {}
    for language in ("en", "es", "en"):  # the second English request reads the kept labels
        data = client.get(URL, {"near": "Springfield, IL"}, HTTP_ACCEPT_LANGUAGE=language).json()
        (result,) = data["results"]
        labels.setdefault(language, []).append(result["cost"]["label"])
        with translation.override(language):
            assert result["cost"]["label"] == COST.label("free")
    assert labels["en"][0] == labels["en"][1] != labels["es"][0]
