"""The search's speed-ups (cached SQL, cached markup) change nothing people see."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from groups import selectors
from groups.templatetags import kindred_groups
from tests.factories import OnlineGroupFactory, ScheduleFactory, located_group

pytestmark = pytest.mark.django_db


def _fields(obj) -> dict:
    return {key: value for key, value in obj.__dict__.items() if key != "_state"}


def test_rows_from_the_cached_sql_equal_the_orm_rows_field_for_field():
    groups = [
        located_group(latitude=39.8 + i / 1000, longitude=-89.64, cost_amount=Decimal("5.00"))
        for i in range(3)
    ]
    ScheduleFactory(group=groups[0], time_zone="America/Denver")
    groups.append(OnlineGroupFactory())
    ids = [group.pk for group in reversed(groups)] + [groups[0].pk]  # order and a repeat kept

    fast = selectors._with_display_data(ids)
    fast_again = selectors._with_display_data(ids)  # second call: the cached SQL
    slow = {group.pk: group for group in selectors._display_rows_queryset(ids)}

    assert [group.pk for group in fast] == ids == [group.pk for group in fast_again]
    for got in fast_again:
        expected = slow[got.pk]
        assert _fields(got) == _fields(expected)
        assert got.get_deferred_fields() == expected.get_deferred_fields()
        assert _fields(got.organization) == _fields(expected.organization)
        assert (got.location and _fields(got.location)) == (
            expected.location and _fields(expected.location)
        )
    assert fast[-1].display_time_zone == "America/Denver"


def test_result_card_link_and_meeting_time_match_reverse_and_the_locale():
    group = selectors._with_display_data([located_group(latitude=39.8, longitude=-89.64).pk])[0]
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
