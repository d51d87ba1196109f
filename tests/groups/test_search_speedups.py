"""The search's speed-ups (cached SQL, cached markup) change nothing people see."""

import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from groups import selectors
from groups.models import Group
from groups.templatetags import kindred_groups
from tests.factories import OnlineGroupFactory, located_group

pytestmark = pytest.mark.django_db


def _listing(group):
    return selectors._listings(Group.objects.filter(pk=group.pk))[0]


def test_result_card_link_and_meeting_time_match_reverse_and_the_locale():
    group = _listing(located_group(latitude=39.8, longitude=-89.64))
    selectors._decorate([group], None)
    group.next_meeting_local = datetime(2026, 3, 8, 23, 30, tzinfo=UTC).astimezone(
        selectors.zone("America/Chicago")
    )
    card = kindred_groups.result_card(group)
    assert f'href="{reverse("groups:detail", args=[group.pk])}"' in card
    assert 'datetime="2026-03-08T18:30:00-05:00"' in card
    assert "Sunday 8 March" in card and "CDT" in card
    with translation.override("es"):
        spanish = kindred_groups.result_card(group)
    assert "domingo" in spanish.lower() and spanish != card


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"online": "only", "ordering": "name"},
        {"accepting_new_members": "true"},
        {"online": "x"},
    ],
)
def test_search_form_selects_render_as_django_does_and_cache_only_known_choices(
    params, monkeypatch
):
    from django import forms

    from groups.search import filters

    def rendered():
        form = filters.GroupSearchFilter(params).form
        form.is_valid()
        return [str(form[name]) for name in ("online", "ordering", "accepting_new_members")]

    cached = [rendered(), rendered()]  # the second time from the cache
    monkeypatch.setattr(
        filters._RenderOncePerChoice,
        "render",
        lambda self, name, value, attrs=None, renderer=None: forms.Widget.render(
            self, name, value, attrs, renderer
        ),
    )
    assert cached[0] == cached[1] == rendered()
    assert all("x" not in key[3] for key in filters._SELECT_HTML)


def test_online_part_is_the_same_groups_with_a_planner_hint_on_sqlite():
    from django.db import connection
    from django.http import QueryDict

    from groups.models import Group
    from groups.search.filters import REMOTE_FORMATS, GroupSearchFilter

    located_group(latitude=39.8, longitude=-89.64)
    online = [OnlineGroupFactory(), OnlineGroupFactory(format="phone")]
    filterset = GroupSearchFilter(QueryDict("near=62701"), queryset=Group.objects.all())
    assert filterset.is_valid()
    filterset.search_queryset()
    remote = filterset.remote_part
    assert set(remote.values_list("pk", flat=True)) == {group.pk for group in online}
    assert set(remote) == set(Group.objects.filter(format__in=REMOTE_FORMATS))
    assert ("likelihood(" in str(remote.query)) == (connection.vendor == "sqlite")


@settings(max_examples=200, deadline=None)
@given(
    value=st.one_of(st.none(), st.text(), st.integers(), st.decimals(allow_nan=False)),
    attrs=st.dictionaries(
        st.sampled_from(["maxlength", "min", "id", "aria-describedby", "required", "data-x"]),
        st.one_of(st.booleans(), st.text(max_size=20), st.integers()),
        max_size=4,
    ),
)
def test_inputs_drawn_in_python_match_djangos_template(value, attrs):
    from django import forms

    from groups.search import filters

    for fast, django_widget in (
        (filters.PlainTextInput, forms.TextInput),
        (filters.PlainNumberInput, forms.NumberInput),
    ):
        ours = fast(attrs={"class": "x"}).render("near", value, attrs=attrs)
        theirs = django_widget(attrs={"class": "x"}).render("near", value, attrs=attrs)
        assert ours == theirs


SEARCH_FIELDS = (
    "near",
    "radius_km",
    "q",
    "online",
    "starts_within_days",
    "accepting_new_members",
    "ordering",
)


def _squeezed(html: str) -> str:
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", str(html))).strip()


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"near": 'Springfield "IL" <b>', "radius_km": "40", "q": "grief & loss"},
        {"near": "Nowhereville", "radius_km": "-3", "starts_within_days": "x", "online": "x"},
        {"ordering": "name", "accepting_new_members": "true", "starts_within_days": "7"},
    ],
)
def test_search_fields_drawn_in_python_match_the_form_field_template(params, language):
    from django.template.loader import render_to_string

    from groups.search import filters

    kindred_groups.forget_drawn_fields()
    with translation.override(language):
        form = filters.GroupSearchFilter(params).form
        form.is_valid()
        drawn = {name: kindred_groups.search_field(form[name]) for name in SEARCH_FIELDS}
        again = filters.GroupSearchFilter(params).form  # the fields kept are drawn from memory
        again.is_valid()
        for name in SEARCH_FIELDS:
            template = render_to_string("_form_field.html", {"field": form[name]})
            assert _squeezed(drawn[name]) == _squeezed(template), name
            assert kindred_groups.search_field(again[name]) == drawn[name], name
    for name in form.errors:  # the bad values are shown as errors, linked to their input
        assert 'aria-invalid="true"' in drawn[name] and f'id="id_{name}_error"' in drawn[name]
    kept = {key[1]: key[3] for key in kindred_groups._FIELDS_DRAWN}
    typed = {name for name in ("near", "q", "starts_within_days") if params.get(name)}
    assert not typed & set(kept), "what someone typed is never kept"
    assert not set(form.errors) & set(kept)  # nor a field with its error
    assert "ordering" in kept


def test_drawn_fields_follow_a_changed_distance_unit():
    from django.test import override_settings

    from groups.search import filters

    def radius_field():
        form = filters.GroupSearchFilter({}).form
        form.is_valid()
        return kindred_groups.search_field(form["radius_km"])

    with override_settings(KINDRED_DISTANCE_UNIT="mi"):
        miles = radius_field()
    with override_settings(KINDRED_DISTANCE_UNIT="km"):
        km = radius_field()
    assert "miles" in miles and "miles" not in km and "km" in km


def test_result_cards_escape_names_and_link_case_workers_to_the_referral_form():
    group = _listing(located_group(latitude=39.8, longitude=-89.64, name="Grief <b>& loss</b>"))
    selectors._decorate([group], None)
    resident = kindred_groups.result_cards([group])
    case_worker = kindred_groups.result_cards([group], True)
    assert "Grief &lt;b&gt;&amp; loss&lt;/b&gt;" in resident and "<b>" not in resident
    assert "refer-link" not in resident
    referral_url = reverse("referrals:create", args=[group.pk])
    assert f'href="{referral_url}">Refer a client to Grief &lt;b&gt;&amp; loss' in case_worker


def _ids(params):
    return [group.pk for group in selectors.group_search(params=params, per_page=50).groups]


def test_a_kept_where_clause_finds_what_a_fresh_one_finds(monkeypatch):
    """The filters' WHERE clause is compiled once per set of codes and kept: a second
    search with the same codes near another place builds no filtered queryset, and
    finds the same groups in the same order as with the clause compiled afresh."""
    from groups.search.filters import GroupSearchFilter

    for lat, lng, cost in ((39.8, -89.64, "free"), (39.81, -89.65, "fee"), (42.1, -72.59, "free")):
        located_group(latitude=lat, longitude=lng, cost=cost, accessibility=["step_free"])
    located_group(latitude=42.11, longitude=-72.6, cost="free", accessibility=[])
    OnlineGroupFactory(cost="free", accessibility=["step_free"])
    filters = {"cost": "free,donation", "accessibility": "step_free", "radius_km": "50"}
    springfield_il = {"near": "Springfield, IL", **filters}
    springfield_ma = {"near": "Springfield, MA", **filters}
    selectors.forget_where_clauses()
    fresh = {str(p): _ids(p) for p in (springfield_il, springfield_ma)}  # one compile each
    assert len(selectors._WHERE_CLAUSES) == 1  # the same codes: one clause kept

    built = []
    original = GroupSearchFilter._filtered
    monkeypatch.setattr(
        GroupSearchFilter, "_filtered", lambda self, qs: built.append(1) or original(self, qs)
    )
    assert (
        _ids(springfield_ma) == fresh[str(springfield_ma)] and len(fresh[str(springfield_ma)]) == 2
    )
    assert (
        _ids(springfield_il) == fresh[str(springfield_il)] and len(fresh[str(springfield_il)]) == 2
    )
    assert built == []  # both from the kept clause
    assert _ids({**springfield_il, "cost": "fee"}) != fresh[str(springfield_il)]
    assert built == [1] and len(selectors._WHERE_CLAUSES) == 2  # other codes, another clause


@pytest.mark.parametrize(
    "params",
    [
        {"near": "Springfield, IL", "q": "grief"},
        {"near": "Springfield, IL", "starts_within_days": "7"},
        {"online": "only", "cost": "free"},
    ],
)
def test_no_clause_is_kept_for_words_typed_a_time_window_or_no_place(params):
    selectors.forget_where_clauses()
    located_group(latitude=39.8, longitude=-89.64)
    selectors.group_search(params=params)
    assert selectors._WHERE_CLAUSES == {}


def test_kept_clauses_hold_codes_only_and_go_when_a_setting_changes(settings):
    selectors.forget_where_clauses()
    located_group(latitude=39.8, longitude=-89.64)
    selectors.group_search(
        params={"near": "Springfield, IL", "language": "es", "accepting_new_members": "true"}
    )
    [key] = selectors._WHERE_CLAUSES
    assert "Springfield" not in repr(key)
    assert ("language", ("es",)) in key[1] and ("accepting_new_members", True) in key[1]
    settings.KINDRED_HIDE_UNCONFIRMED_AFTER_DAYS = 30  # the published groups' clause changes
    assert selectors._WHERE_CLAUSES == {}
    selectors.group_search(params={"near": "Springfield, IL", "language": "es"})
    assert selectors._WHERE_CLAUSES == {}  # that clause moves with the clock: never kept
