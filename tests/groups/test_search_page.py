"""The search page: the form, results, pagination, privacy and query count."""

import pytest
from django.test import override_settings
from django.urls import reverse

from groups.models import Group
from tests.factories import OnlineGroupFactory, ScheduleFactory, located_group, synced

pytestmark = pytest.mark.django_db
URL = reverse("groups:search")


def _springfield_groups(n, **kwargs):
    return [
        located_group(latitude=39.80 + i * 0.001, longitude=-89.64, name=f"Group {i:02d}", **kwargs)
        for i in range(n)
    ]


def test_search_page_makes_at_most_ten_queries_whatever_the_number_of_results(
    client, django_assert_max_num_queries
):
    for group in _springfield_groups(25):
        ScheduleFactory(group=group)
    synced(OnlineGroupFactory())
    with django_assert_max_num_queries(10):
        response = client.get(URL, {"near": "62701", "cost": "free", "language": "en"})
    assert response.content.decode().count('class="card result"') == 20


def test_anonymous_search_sets_no_cookie_and_no_session(client):
    _springfield_groups(2)
    response = client.get(URL, {"near": "Springfield, IL", "q": "depression"})
    assert response.status_code == 200
    assert not response.cookies
    assert "csrfmiddlewaretoken" not in response.content.decode()
    assert "Set-Cookie" not in str(response.headers)


def test_form_keeps_what_was_typed_and_ticked(client):
    response = client.get(
        URL, {"near": "Springfield, IL", "radius_km": "40", "q": "grief", "cost": ["free", "fee"]}
    )
    html = response.content.decode()
    assert 'value="Springfield, IL"' in html
    assert 'value="40"' in html
    assert 'value="grief"' in html
    assert 'name="cost" value="free" checked' in html
    assert 'name="cost" value="fee" checked' in html
    assert 'name="cost" value="donation">' in html


def test_results_show_count_distance_badges_in_words(client):
    located_group(
        latitude=39.80,
        longitude=-89.64,
        name="Springfield Circle",
        cost="sliding_scale",
        facilitation="professional",
        registration_required=True,
        languages=("en", "es"),
        accessibility=("step_free",),
    )
    html = client.get(URL, {"near": "Springfield, IL"}).content.decode()
    assert "1 group found near Springfield, IL" in html
    assert "miles away" in html
    assert "Cost: Sliding scale" in html
    assert "Professional" in html
    assert "Registration needed" in html
    assert "Language: Spanish" in html
    assert "Step-free access" in html


@override_settings(KINDRED_DISTANCE_UNIT="km")
def test_distances_follow_the_deployment_unit(client):
    located_group(latitude=39.85, longitude=-89.64)
    html = client.get(URL, {"near": "Springfield, IL"}).content.decode()
    assert "km away" in html and "miles away" not in html


def test_twenty_a_page_with_pagination_that_keeps_the_filters(client):
    _springfield_groups(23)
    first = client.get(URL, {"near": "62701", "cost": "free"})
    html = first.content.decode()
    assert "23 groups found" in html
    assert "Page 1 of 2" in html
    assert "near=62701&amp;cost=free&amp;page=2" in html
    second = client.get(URL, {"near": "62701", "cost": "free", "page": "2"})
    assert second.content.decode().count('class="card result"') == 3


def test_next_meeting_is_shown_in_the_group_local_time(client):
    group = located_group(latitude=39.80, longitude=-89.64)
    ScheduleFactory(group=group, time_zone="America/Los_Angeles")
    from groups.services import occurrences_refresh

    occurrences_refresh(group_id=group.pk)
    html = client.get(URL, {"near": "62701"}).content.decode()
    assert "6 p.m. PST" in html


def test_empty_state_suggests_a_wider_radius_and_online_groups(client):
    located_group(latitude=41.88, longitude=-87.63)  # Chicago, far away
    html = client.get(URL, {"near": "62701", "online": "exclude"}).content.decode()
    assert "0 groups found" in html
    assert "Try a larger distance" in html
    assert "Include online and phone groups" in html


def test_groups_that_could_not_be_located_stay_listed_without_distance(client):
    group = located_group(latitude=39.80, longitude=-89.64, name="Unlocated")
    Group.objects.filter(pk=group.pk).update(latitude=None, longitude=None, grid_cell=None)
    html = client.get(URL).content.decode()
    assert "Unlocated" in html
    assert "Distance not known" in html


def test_page_works_with_no_parameters_and_shows_every_published_group(client):
    _springfield_groups(3)
    response = client.get(URL)
    assert response.status_code == 200
    assert "3 groups found" in response.content.decode()


def _radius_options(html: str) -> list[tuple[str, str, bool]]:
    import re

    select = html.split('<select name="radius_km"', 1)[1].split("</select>", 1)[0]
    return [
        (value, label, bool(selected))
        for value, selected, label in re.findall(
            r'<option value="([^"]*)"( selected)?>([^<]*)</option>', select
        )
    ]


def test_distance_is_offered_in_miles_and_sent_in_km(client):
    """People choose a distance in the deployment's unit; radius_km stays in km, and the
    default radius is the one chosen when nothing was."""
    options = _radius_options(client.get(URL).content.decode())
    assert ("16.1", "within 10 miles", False) in options
    assert ("1.6", "within 1 mile", False) in options
    assert [o for o in options if o[2]] == [("25", "within 16 miles", True)]  # the default
    assert all(float(value) <= 200 for value, _label, _sel in options)

    chosen = _radius_options(
        client.get(URL, {"near": "62701", "radius_km": "16.1"}).content.decode()
    )
    assert [o for o in chosen if o[2]] == [("16.1", "within 10 miles", True)]


@override_settings(KINDRED_DISTANCE_UNIT="km", KINDRED_DEFAULT_RADIUS_KM=10)
def test_distance_is_offered_in_km_where_the_deployment_uses_km(client):
    options = _radius_options(client.get(URL).content.decode())
    assert ("50", "within 50 km", False) in options
    assert [o for o in options if o[2]] == [("10", "within 10 km", True)]
    assert not any("mile" in label for _value, label, _sel in options)


def test_a_distance_typed_into_the_address_is_kept(client):
    html = client.get(URL, {"near": "62701", "radius_km": "33"}).content.decode()
    assert [o for o in _radius_options(html) if o[2]] == [("33", "within 21 miles", True)]
    bad = client.get(URL, {"near": "62701", "radius_km": "<b>"}).content.decode()
    assert '<option value="&lt;b&gt;" selected>&lt;b&gt;</option>' in bad
    assert "Enter a number." in bad


def test_a_typed_distance_is_never_kept_in_the_select_cache(client):
    from groups.search import filters

    client.get(URL, {"near": "62701"})
    cached = len(filters._SELECT_HTML)
    for radius in ("33", "34.5", "<b>", "1e9"):
        html = client.get(URL, {"near": "62701", "radius_km": radius}).content.decode()
        assert "selected>" in html.split('<select name="radius_km"', 1)[1].split("</select>")[0]
    assert len(filters._SELECT_HTML) == cached
    assert not any("34.5" in str(key) or "<b>" in str(key) for key in filters._SELECT_HTML)


def _more_choices_open(html: str) -> bool:
    return '<details class="search-filters" open>' in html


@pytest.mark.parametrize(
    ("params", "opened"),
    [
        ({}, False),
        ({"near": "Springfield, IL"}, False),  # a phone shows the results after the place
        ({"near": "Springfield, IL", "radius_km": "40", "online": "exclude"}, False),
        ({"near": "Springfield, IL", "cost": "free"}, True),  # what was ticked stays in view
        ({"near": "Springfield, IL", "language": ["", "es"]}, True),
        ({"near": "Springfield, IL", "cost": ""}, False),
        # what a browser sends for the fields left alone
        (
            {
                "near": "Springfield, IL",
                "starts_within_days": "",
                "accepting_new_members": "unknown",
            },
            False,
        ),
        ({"near": "Springfield, IL", "accepting_new_members": "false"}, True),
        ({"starts_within_days": "400"}, True),  # the field with the error is shown
    ],
)
def test_more_choices_open_only_when_one_of_them_is_chosen_or_wrong(client, params, opened):
    _springfield_groups(1)
    assert _more_choices_open(client.get(URL, params).content.decode()) is opened


def test_a_search_with_results_offers_a_link_past_the_form_to_them(client):
    _springfield_groups(1)
    found = client.get(URL, {"near": "Springfield, IL", "cost": "free"}).content.decode()
    assert '<a href="#results-heading">Skip to the results</a>' in found
    assert 'id="results-heading"' in found
    assert "Skip to the results" not in client.get(URL).content.decode()  # nothing searched
    none = client.get(URL, {"near": "Springfield, IL", "q": "nothingmatchesthis"})
    assert "Skip to the results" not in none.content.decode()
