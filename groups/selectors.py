"""Reads for the directory. Keyword-only, typed, named <entity>_<action>."""

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, F, QuerySet, Window
from django.utils import timezone

from groups import geo
from groups.geocoding import Place
from groups.models import Group, Location, Occurrence
from groups.schedule import ScheduleError, zone
from groups.search.filters import GroupSearchFilter

PER_PAGE = 20
NEXT_MEETINGS = 6


@dataclass(slots=True)
class GroupListing:
    """A group as a list of results shows it (the page's cards and the API's results).

    Read with one `values_list()` query: building 20 Group, Organization and Location
    instances cost more than the search query itself.
    """

    id: int
    name: str
    format: str
    facilitation: str
    registration_required: bool
    accepting_new_members: bool
    cost: str
    cost_amount: Decimal | None
    cost_detail: str
    languages: tuple[str, ...]
    accessibility: tuple[str, ...]
    transport: tuple[str, ...]
    topics: tuple[str, ...]
    audience: tuple[str, ...]
    latitude: float | None
    longitude: float | None
    next_meeting_at: datetime | None
    next_meeting_time_zone: str
    organization_name: str
    city: str | None  # None: no meeting place
    region: str | None
    # Set by _decorate for the reader: distance from the place searched, local time.
    distance_km: float | None = None
    distance: float | None = None
    next_meeting_local: datetime | None = None

    is_online = Group.is_online
    meets_in_person = Group.meets_in_person

    @property
    def pk(self) -> int:
        return self.id

    @classmethod
    def of(cls, group: Group) -> "GroupListing":
        """The listing of a group already loaded (the API's one-group answer)."""
        location = group.location
        return cls(
            *(getattr(group, name) for name in _OWN_COLUMNS),
            organization_name=group.organization.name,
            city=location.city if location is not None else None,
            region=location.region if location is not None else None,
        )


# The group's own columns come first in GroupListing, then the joined ones.
_LISTING_FIELDS = [f.name for f in fields(GroupListing)]
_OWN_COLUMNS = tuple(_LISTING_FIELDS[: _LISTING_FIELDS.index("organization_name")])
LIST_COLUMNS = (*_OWN_COLUMNS, "organization__name", "location__city", "location__region")


@dataclass
class SearchResults:
    filterset: GroupSearchFilter
    groups: list[GroupListing] = field(default_factory=list)
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


def _with_display_data(ids: list[int]) -> list[GroupListing]:
    """The rows shown, in the order given, with what the page and the API print (one query)."""
    if not ids:
        return []
    rows = Group.objects.filter(pk__in=ids).values_list(*LIST_COLUMNS)
    by_id = {row[0]: GroupListing(*row) for row in rows}
    return [by_id[pk] for pk in ids if pk in by_id]


def _decorate(groups: list[GroupListing] | list[Group], place: Place | None) -> None:
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
            tz = zone(group.next_meeting_time_zone or settings.KINDRED_DEFAULT_TIME_ZONE)
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
