"""The search's speed-ups (cached SQL, cached markup) change nothing people see."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils import translation

from groups import selectors
from groups.templatetags import kindred_groups
from tests.factories import OnlineGroupFactory, located_group

pytestmark = pytest.mark.django_db


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
