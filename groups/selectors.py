"""Reads for the directory. Keyword-only, typed, named <entity>_<action>."""

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from groups import geo
from groups.geocoding import Place
from groups.models import Group, Location, Occurrence
from groups.schedule import ScheduleError, zone
from groups.search.filters import GroupSearchFilter
from groups.search.statements import ListingRows, NearbySearch, listing_rows

PER_PAGE = 20
NEXT_MEETINGS = 6
# Counting stops here ("More than 200 groups found"): near a big city a directory of a
# million groups has tens of thousands in the circle, and counting them all cost more
# than everything else on the page. Past ten pages a few more choices serve people
# better than more pages, and the page says so.
COUNT_LIMIT = 200
# The first circle of a search near a place is sized as if the circle held this many
# times COUNT_LIMIT. Near a city it holds tens of times more, unevenly: at 8 the first
# circle held the 20 nearest in 29 % of the benchmark's searches and a second statement
# was needed in the rest; at 4, in about half, for 14-21 % less SQL time at p50 on
# both databases (docs/search.md, fifth round).
FIRST_CIRCLE_DENSITY = 4


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
    count_exact: bool = True  # False: there are more than `count` (see COUNT_LIMIT)
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


def _listings(queryset: QuerySet) -> list[GroupListing]:
    """The groups of an ordered, sliced queryset as the list shows them, in one query."""
    return [GroupListing(*row) for row in queryset.values_list(*LIST_COLUMNS)]


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
    distance) come first, then the online and phone ones; each part is counted up to
    COUNT_LIMIT and its ids come from the search indexes (groups.search.statements).
    Otherwise the FilterSet's queryset gives the page's rows and a count.
    """
    filterset = GroupSearchFilter(params, queryset=_public_groups())
    results = SearchResults(filterset=filterset, per_page=per_page)
    if not filterset.is_valid():
        return results
    queryset = filterset.search_queryset()
    page = max(page, 1)
    start = (page - 1) * per_page
    if queryset is None:
        groups, counts = _two_part_page(filterset, start, per_page)
    else:
        groups, count = _page_and_count(queryset, start, per_page)
        counts = [count]
    results.count = sum(min(count, COUNT_LIMIT) for count in counts)
    results.count_exact = all(count <= COUNT_LIMIT for count in counts)
    results.num_pages = max(1, math.ceil(results.count / per_page))
    results.page = page
    results.groups = groups
    _decorate(results.groups, filterset.place)
    return results


def _count_upto_limit(queryset: QuerySet) -> int:
    """The number of rows, counting no further than COUNT_LIMIT + 1."""
    return queryset.order_by().values("pk")[: COUNT_LIMIT + 1].count()


def _page_and_count(queryset: QuerySet, start: int, limit: int) -> tuple[list[GroupListing], int]:
    """A slice of the rows, and the total counted up to COUNT_LIMIT + 1 (no count query
    when the first page holds them all)."""
    rows = _listings(queryset[start : start + limit]) if limit > 0 else []
    if start == 0 and len(rows) < limit:
        return rows, len(rows)
    return rows, _count_upto_limit(queryset)


def _two_part_page(filterset: GroupSearchFilter, start: int, per_page: int):
    """Groups in the circle by distance, then online ones by next meeting: rows and counts.

    When the circle holds more than COUNT_LIMIT groups the online ones would come after
    the last page, so they are neither counted nor read (people who want them choose
    "Only online and phone groups").
    """
    search = _nearby_search(filterset)
    listing = listing_rows(search.db, LIST_COLUMNS)
    rows, located_count = _nearest_rows(search, listing, start, per_page)
    counts = [located_count]
    if filterset.include_remote and located_count <= COUNT_LIMIT:
        at = max(0, start - located_count)
        remote, remote_count = search.remote_rows_counted(
            at, start + per_page - located_count - at, listing, COUNT_LIMIT + 1
        )
        if remote_count is None:  # no online row on this page: count them on their own
            remote_count = search.count_remote(COUNT_LIMIT + 1)
        rows += remote
        counts.append(remote_count)
    return [GroupListing(*row) for row in rows], counts


# The filters' compiled WHERE clause near a place, per database and the codes chosen
# (GroupSearchFilter.where_key): building the filtered queryset and compiling it cost
# half a millisecond on every search, for a clause that only the codes change. Keys
# hold vocabulary codes and yes/no answers, never words typed or a place. Past
# WHERE_CLAUSES_KEPT clauses all are forgotten; so they are when a setting changes.
WHERE_CLAUSES_KEPT = 512
_WHERE_CLAUSES: dict[tuple, tuple[str | None, tuple]] = {}


def _nearby_search(filterset: GroupSearchFilter) -> NearbySearch:
    key = filterset.where_key()
    if key is not None and settings.KINDRED_HIDE_UNCONFIRMED_AFTER_DAYS:
        key = None  # then the published groups' own clause moves with the clock
    where = _WHERE_CLAUSES.get(key) if key is not None else None
    if where is not None:
        return NearbySearch(None, filterset.circle, where=where, db=key[0])
    search = NearbySearch(filterset.near_filtered, filterset.circle)
    if key is not None:
        if len(_WHERE_CLAUSES) >= WHERE_CLAUSES_KEPT:
            _WHERE_CLAUSES.clear()
        _WHERE_CLAUSES[key] = search.where_clause()
    return search


def forget_where_clauses() -> None:
    _WHERE_CLAUSES.clear()


def _nearest_rows(
    search: NearbySearch, listing: ListingRows, start: int, limit: int
) -> tuple[list[list], int]:
    """The rows start..start+limit of the circle, nearest first, and how many the circle
    holds (counted up to COUNT_LIMIT + 1).

    The nearest come from a smaller circle first, sized for the rows needed as if the
    groups were spread evenly, and doubled until it holds them: sorting every group
    within 25 km of a big city by distance was most of a search's time. Most searches
    are near a city, where the count stops at COUNT_LIMIT and the place is tens of times
    denser than even, so the first circle assumes FIRST_CIRCLE_DENSITY times as many
    and is read in the statement that counts. Elsewhere the next circle is sized from the count.
    """
    radius = search.circle.radius_km
    needed = min(start + limit, COUNT_LIMIT)
    guess = radius * math.sqrt(needed / ((COUNT_LIMIT + 1) * FIRST_CIRCLE_DENSITY))
    if guess < radius * 0.7 and start < needed:
        nearest, located_count = search.nearest_rows_counted(
            guess, needed, listing, COUNT_LIMIT + 1
        )
        if located_count is None:
            located_count = search.count_near(COUNT_LIMIT + 1)
    else:
        nearest, located_count = [], search.count_near(COUNT_LIMIT + 1)
    needed = min(needed, located_count)  # no more than are counted
    if start >= needed:
        return [], located_count
    if len(nearest) >= needed:
        return nearest[start:needed], located_count
    density = located_count * 8 if located_count > COUNT_LIMIT else located_count / 1.5
    guess = max(guess * 2, radius * math.sqrt(needed / max(density, 1)))
    while guess < radius * 0.7:
        nearest = search.nearest_rows(guess, needed, listing)
        if len(nearest) >= needed:
            return nearest[start:], located_count
        guess *= 2
    return search.nearest_rows(radius, needed, listing)[start:], located_count


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
