"""Reads for the directory. Keyword-only, typed, named <entity>_<action>."""

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db.models import Count, F, OuterRef, QuerySet, Subquery, Window
from django.utils import timezone

from groups import geo
from groups.geocoding import Place
from groups.models import Group, Location, Occurrence, Schedule
from groups.schedule import ScheduleError, zone
from groups.search.filters import GroupSearchFilter

PER_PAGE = 20
# What a result in a list shows (the page's cards and the API's results).
LIST_COLUMNS = (
    "id",
    "name",
    "format",
    "facilitation",
    "registration_required",
    "accepting_new_members",
    "cost",
    "cost_amount",
    "cost_detail",
    "languages",
    "accessibility",
    "transport",
    "topics",
    "audience",
    "latitude",
    "longitude",
    "next_meeting_at",
    "organization__name",
    "location__city",
    "location__region",
)
NEXT_MEETINGS = 6


@dataclass
class SearchResults:
    filterset: GroupSearchFilter
    groups: list[Group] = field(default_factory=list)
    count: int = 0
    page: int = 1
    num_pages: int = 1
    per_page: int = PER_PAGE

    @property
    def errors(self):
        return self.filterset.errors

    @property
    def is_valid(self) -> bool:
        return not self.filterset.errors

    @property
    def place(self) -> Place | None:
        return self.filterset.place

    @property
    def has_next(self) -> bool:
        return self.page < self.num_pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def _public_groups() -> QuerySet:
    # Published, less listings unconfirmed past KINDRED_HIDE_UNCONFIRMED_AFTER_DAYS (if set).
    return Group.objects.visible_in_search()


def _with_display_data(ids: list[int]) -> list[Group]:
    """The rows shown, in the order given, with what the page and the API print.

    One query: the group's time zone (of its first schedule) comes as a subquery
    rather than a prefetch, which would cost a second query and its set-up.
    """
    if not ids:
        return []
    first_zone = Schedule.objects.filter(group=OuterRef("pk")).order_by("id").values("time_zone")
    rows = (
        Group.objects.filter(pk__in=ids)
        .select_related("organization", "location")
        .only(*LIST_COLUMNS)
        .annotate(display_time_zone=Subquery(first_zone[:1]))
    )
    by_id = {group.pk: group for group in rows}
    return [by_id[pk] for pk in ids if pk in by_id]


def group_time_zone(group: Group) -> str:
    if hasattr(group, "display_time_zone"):  # annotated by _with_display_data
        return group.display_time_zone or settings.KINDRED_DEFAULT_TIME_ZONE
    schedules = list(group.schedules.all())
    return schedules[0].time_zone if schedules else settings.KINDRED_DEFAULT_TIME_ZONE


def _decorate(groups: list[Group], place: Place | None) -> None:
    for group in groups:
        group.distance_km = (
            geo.haversine_km(place.latitude, place.longitude, group.latitude, group.longitude)
            if place is not None and group.latitude is not None
            else None
        )
        group.distance = (
            geo.km_to_display(group.distance_km, settings.KINDRED_DISTANCE_UNIT)
            if group.distance_km is not None
            else None
        )
        try:
            tz = zone(group_time_zone(group))
        except ScheduleError:
            tz = zone(settings.KINDRED_DEFAULT_TIME_ZONE)
        group.next_meeting_local = (
            group.next_meeting_at.astimezone(tz) if group.next_meeting_at else None
        )


def group_search(*, params: Mapping, page: int = 1, per_page: int = PER_PAGE) -> SearchResults:
    """One page of published groups matching `params` (the FilterSet's parameters).

    Near a place and ordered by distance, the groups in the circle (ordered by
    distance) come first, then the online and phone ones; each part is an
    index-served query for ids, then one query fetches the rows on the page.
    """
    filterset = GroupSearchFilter(params, queryset=_public_groups())
    results = SearchResults(filterset=filterset, per_page=per_page)
    if not filterset.is_valid():
        return results
    queryset = filterset.search_queryset()
    start = (max(page, 1) - 1) * per_page
    if filterset.ordering_used == "distance" and filterset.located_part is not None:
        ids, count = _two_part_page(filterset, start, per_page)
    else:
        ids, count = _ids_and_count(queryset, start, per_page)
    results.count = count
    results.num_pages = max(1, math.ceil(count / per_page))
    results.page = max(page, 1)
    results.groups = _with_display_data(ids)
    _decorate(results.groups, filterset.place)
    return results


def _ids_and_count(queryset: QuerySet, start: int, limit: int) -> tuple[list[int], int]:
    """A slice of ids and the total in one query (a window count over the same rows)."""
    if limit <= 0:
        return [], queryset.count()
    rows = list(
        queryset.annotate(_total=Window(Count("id"))).values_list("id", "_total")[
            start : start + limit
        ]
    )
    if rows:
        return [pk for pk, _total in rows], rows[0][1]
    return [], (queryset.count() if start else 0)


def _two_part_page(filterset: GroupSearchFilter, start: int, per_page: int):
    """Groups in the circle by distance, then online ones by next meeting: ids and total."""
    located = filterset.located_part.order_by(F("_d2").asc(), "id")
    ids, located_count = _ids_and_count(located, start, per_page)
    if filterset.remote_part is None:
        return ids, located_count
    remote = filterset.remote_part.order_by(F("next_meeting_at").asc(nulls_last=True), "name", "id")
    at = max(0, start - located_count)
    remote_ids, remote_count = _ids_and_count(remote, at, start + per_page - located_count - at)
    return ids + remote_ids, located_count + remote_count


def group_for_public_page(*, pk: int) -> Group:
    """A published group with its place, organization and schedules (404s via the view)."""
    return (
        Group.objects.published()
        .select_related("organization", "location")
        .prefetch_related("schedules")
        .get(pk=pk)
    )


def occurrences_upcoming(
    *, group: Group, now: datetime | None = None, limit: int = NEXT_MEETINGS
) -> list[Occurrence]:
    """The next meetings, cancelled and moved ones included so people see the change."""
    now = now or timezone.now()
    return list(
        Occurrence.objects.filter(group=group, ends_at__gte=now)
        .select_related("schedule")
        .order_by("starts_at")[:limit]
    )


def locations_unlocated() -> QuerySet:
    """Meeting places the geocoder could not place, with the groups that meet there."""
    return (
        Location.objects.filter(geocode_status=Location.GeocodeStatus.FAILED)
        .prefetch_related("groups")
        .order_by("-updated_at")
    )
