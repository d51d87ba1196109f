"""Reads for the directory. Keyword-only, typed, named <entity>_<action>."""

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db.models import F, Prefetch, QuerySet
from django.utils import timezone

from groups import geo
from groups.geocoding import Place
from groups.models import Group, Location, Occurrence, Schedule
from groups.schedule import ScheduleError, zone
from groups.search.filters import GroupSearchFilter

PER_PAGE = 20
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
    return Group.objects.published()


def _with_display_data(ids: list[int]) -> list[Group]:
    """The rows shown, in the order given, with what the page and the API print."""
    rows = (
        Group.objects.filter(pk__in=ids)
        .select_related("organization", "location")
        .prefetch_related(
            Prefetch(
                "schedules",
                queryset=Schedule.objects.only("id", "group_id", "time_zone").order_by("id"),
            )
        )
    )
    by_id = {group.pk: group for group in rows}
    return [by_id[pk] for pk in ids if pk in by_id]


def group_time_zone(group: Group) -> str:
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
        group.next_meeting_local = group.next_meeting_at.astimezone(tz) if group.next_meeting_at else None


def group_search(
    *, params: Mapping, page: int = 1, per_page: int = PER_PAGE
) -> SearchResults:
    """One page of published groups matching `params` (the FilterSet's parameters).

    Near a place and ordered by distance, the groups in the circle (ordered by
    distance) come first, then the online and phone ones; each part is an
    index-served query for ids, then one query fetches the rows on the page.
    """
    filterset = GroupSearchFilter(params, queryset=_public_groups())
    results = SearchResults(filterset=filterset, per_page=per_page)
    if not filterset.is_valid():
        return results
    queryset = filterset.qs
    start = (max(page, 1) - 1) * per_page
    if filterset.ordering_used == "distance" and filterset.located_part is not None:
        ids, count = _two_part_page(filterset, start, per_page)
    else:
        ids = list(queryset.values_list("id", flat=True)[start : start + per_page])
        count = start + len(ids) if 0 < len(ids) < per_page or (start == 0 and not ids) else queryset.count()
    results.count = count
    results.num_pages = max(1, math.ceil(count / per_page))
    results.page = max(page, 1)
    results.groups = _with_display_data(ids)
    _decorate(results.groups, filterset.place)
    return results


def _two_part_page(filterset: GroupSearchFilter, start: int, per_page: int):
    located = filterset.located_part.order_by(F("_d2").asc(), "id").values_list("id", flat=True)
    ids = list(located[start : start + per_page])
    if start == 0 and len(ids) < per_page:
        located_count = len(ids)
    else:
        located_count = located.count()
    remote = filterset.remote_part
    if remote is None:
        return ids, located_count
    remote = remote.order_by(F("next_meeting_at").asc(nulls_last=True), "name", "id").values_list(
        "id", flat=True
    )
    end = start + per_page
    if end > located_count:
        at = max(0, start - located_count)
        requested = end - located_count - at
        remote_ids = list(remote[at : at + requested])
        ids += remote_ids
        if len(remote_ids) < requested and (remote_ids or at == 0):
            return ids, located_count + at + len(remote_ids)
    return ids, located_count + remote.count()


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
