"""The FilterSet: each parameter, OR within one filter, AND across filters, bad values."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from groups.models import Group
from groups.selectors import group_search
from tests.factories import GroupFactory, OnlineGroupFactory, located_group, synced

pytestmark = pytest.mark.django_db
SPRINGFIELD = (39.80, -89.64)


def _names(params) -> set[str]:
    results = group_search(params=params, per_page=100)
    assert results.is_valid, results.errors
    return {g.name for g in results.groups}


def _at_springfield(**kwargs) -> Group:
    return located_group(latitude=SPRINGFIELD[0], longitude=SPRINGFIELD[1], **kwargs)


@pytest.mark.parametrize(
    ("parameter", "value", "match", "other"),
    [
        ("cost", "donation", {"cost": "donation"}, {"cost": "fee"}),
        ("format", "hybrid", {"format": "hybrid"}, {"format": "in_person"}),
        (
            "facilitation",
            "professional",
            {"facilitation": "professional"},
            {"facilitation": "peer"},
        ),
        (
            "accessibility",
            "hearing_loop",
            {"accessibility": ("hearing_loop",)},
            {"accessibility": ("step_free",)},
        ),
        ("transport", "parking", {"transport": ("parking",)}, {"transport": ("near_transit",)}),
        ("audience", "veterans", {"audience": ("veterans",)}, {"audience": ("youth",)}),
        ("topic", "grief", {"topics": ("grief",)}, {"topics": ("anxiety",)}),
        ("language", "es", {"languages": ("es",)}, {"languages": ("en",)}),
        (
            "accepting_new_members",
            "true",
            {"accepting_new_members": True},
            {"accepting_new_members": False},
        ),
    ],
)
def test_each_filter_keeps_only_matching_groups(parameter, value, match, other):
    _at_springfield(name="Match", **match)
    _at_springfield(name="Other", **other)
    assert _names({parameter: value}) == {"Match"}


def test_day_and_time_of_day_filter_on_meeting_local_times():
    tuesday_evening = _at_springfield(name="Tuesday evening")
    friday_morning = _at_springfield(name="Friday morning")
    Group.objects.filter(pk=tuesday_evening.pk).update(
        meeting_days=("tue",), times_of_day=("evening",)
    )
    Group.objects.filter(pk=friday_morning.pk).update(
        meeting_days=("fri",), times_of_day=("morning",)
    )
    assert _names({"day": "tue"}) == {"Tuesday evening"}
    assert _names({"time_of_day": "morning"}) == {"Friday morning"}
    assert _names({"day": "tue", "time_of_day": "morning"}) == set()


def test_starts_within_days_uses_the_next_meeting():
    soon, later = _at_springfield(name="Soon"), _at_springfield(name="Later")
    now = timezone.now()
    Group.objects.filter(pk=soon.pk).update(next_meeting_at=now + dt.timedelta(days=2))
    Group.objects.filter(pk=later.pk).update(next_meeting_at=now + dt.timedelta(days=20))
    assert _names({"starts_within_days": "7"}) == {"Soon"}


def test_several_values_in_one_filter_mean_or():
    _at_springfield(name="Free", cost="free")
    _at_springfield(name="Donation", cost="donation")
    _at_springfield(name="Fee", cost="fee")
    assert _names({"cost": "free,donation"}) == {"Free", "Donation"}
    from django.http import QueryDict

    assert _names(QueryDict("cost=free&cost=donation")) == {"Free", "Donation"}


def test_different_filters_mean_and():
    _at_springfield(name="Free Spanish", cost="free", languages=("es",))
    _at_springfield(name="Free English", cost="free", languages=("en",))
    _at_springfield(name="Fee Spanish", cost="fee", languages=("es",))
    assert _names({"cost": "free", "language": "es"}) == {"Free Spanish"}


def test_words_match_name_description_and_topic_labels():
    _at_springfield(name="Bereavement café", description="Tea and talk.", topics=("grief",))
    _at_springfield(name="Moms together", description="For new mothers after birth.")
    _at_springfield(name="Other", description="Nothing relevant.", topics=("ocd",))
    assert _names({"q": "mothers"}) == {"Moms together"}
    assert _names({"q": "grief"}) == {"Bereavement café"}  # the topic label "Grief and loss"


def test_online_groups_show_whatever_the_location_unless_excluded():
    _at_springfield(name="In Springfield")
    located_group(latitude=41.88, longitude=-87.63, name="In Chicago")
    synced(OnlineGroupFactory(name="Online"))
    synced(OnlineGroupFactory(name="By phone", format="phone"))
    near = {"near": "Springfield, IL", "radius_km": "25"}
    assert _names(near) == {"In Springfield", "Online", "By phone"}
    assert _names({**near, "online": "exclude"}) == {"In Springfield"}
    assert _names({**near, "online": "only"}) == {"Online", "By phone"}


def test_distance_ordering_lists_nearest_first_then_online_groups():
    located_group(latitude=39.90, longitude=-89.64, name="Eleven km")
    _at_springfield(name="Here")
    synced(OnlineGroupFactory(name="Online"))
    results = group_search(params={"near": "62701", "radius_km": "30"})
    assert [g.name for g in results.groups] == ["Here", "Eleven km", "Online"]
    assert results.count == 3


def test_name_and_next_meeting_ordering():
    b = _at_springfield(name="B group")
    a = _at_springfield(name="A group")
    Group.objects.filter(pk=b.pk).update(next_meeting_at=timezone.now() + dt.timedelta(days=1))
    Group.objects.filter(pk=a.pk).update(next_meeting_at=timezone.now() + dt.timedelta(days=3))
    assert [g.name for g in group_search(params={"ordering": "name"}).groups] == [
        "A group",
        "B group",
    ]
    ordered = group_search(params={"ordering": "next_meeting"}).groups
    assert [g.name for g in ordered] == ["B group", "A group"]


def test_only_published_groups_are_found():
    _at_springfield(name="Published")
    GroupFactory(name="Draft", status=Group.Status.DRAFT)
    GroupFactory(name="Archived", status=Group.Status.ARCHIVED)
    assert _names({}) == {"Published"}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"cost": "cheap"}, "cost"),
        ({"language": "klingon"}, "language"),
        ({"radius_km": "-5"}, "radius_km"),
        ({"radius_km": "lots"}, "radius_km"),
        ({"radius_km": "100000"}, "radius_km"),
        ({"online": "sometimes"}, "online"),
        ({"ordering": "popularity"}, "ordering"),
        ({"day": "funday"}, "day"),
        ({"starts_within_days": "0"}, "starts_within_days"),
        ({"near": "Sprngfield"}, "near"),
        ({"q": "x" * 500}, "q"),
    ],
)
def test_bad_values_give_field_errors_on_the_page_and_400_in_the_api(client, params, field):
    page = client.get(reverse("groups:search"), params)
    assert page.status_code == 200
    assert field in page.context["results"].errors
    assert 'class="error-summary"' in page.content.decode()
    api = client.get(reverse("groups:api_search"), params)
    assert api.status_code == 400
    assert field in api.json()["errors"]


def test_unknown_place_message_suggests_real_places(client):
    response = client.get(reverse("groups:search"), {"near": "Sprngfield"})
    html = response.content.decode()
    assert "We couldn&#x27;t find “Sprngfield”. Did you mean Springfield" in html
    assert 'value="Sprngfield"' in html  # what was typed is kept


def test_pages_run_on_from_nearby_groups_into_online_ones():
    for i in range(22):
        located_group(latitude=39.80 + i * 0.001, longitude=-89.64, name=f"Near {i:02d}")
    for i in range(3):
        synced(OnlineGroupFactory(name=f"Online {i}"))
    first = group_search(params={"near": "62701"}, page=1)
    second = group_search(params={"near": "62701"}, page=2)
    assert first.count == second.count == 25
    assert [g.name for g in first.groups] == [f"Near {i:02d}" for i in range(20)]
    assert [g.name for g in second.groups][:2] == ["Near 20", "Near 21"]
    assert {g.name for g in second.groups[2:]} == {"Online 0", "Online 1", "Online 2"}
    assert group_search(params={"near": "62701"}, page=3).groups == []
