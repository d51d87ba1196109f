"""Reads for the HSDS API: published groups only, filtered by whitelisted parameters."""

import math

import zipcodes
from django import forms
from django.db.models import Q, QuerySet

from accounts.models import Organization
from groups import geo
from groups.hsds import ids
from groups.models import Group

MAX_PER_PAGE = 100


class ListParams(forms.Form):
    search = forms.CharField(required=False, max_length=200)
    page = forms.IntegerField(required=False, min_value=1, max_value=1_000_000)
    per_page = forms.IntegerField(required=False, min_value=1, max_value=MAX_PER_PAGE)
    modified_after = forms.DateTimeField(required=False)
    organization_id = forms.CharField(required=False, max_length=64)
    taxonomy_term_id = forms.CharField(required=False, max_length=64)
    postcode = forms.CharField(required=False, max_length=20)
    proximity = forms.FloatField(required=False, min_value=0, max_value=1_000_000)

    def clean_search(self):
        return self.cleaned_data["search"].replace("\x00", "").strip()


def groups_for_api(*, params: dict) -> QuerySet:
    groups = (
        Group.objects.published()
        .select_related("organization", "location")
        .prefetch_related("schedules")
        .order_by("pk")
    )
    if params.get("search"):
        text = params["search"]
        groups = groups.filter(Q(name__icontains=text) | Q(description__icontains=text))
    if params.get("modified_after"):
        groups = groups.filter(updated_at__gte=params["modified_after"])
    if params.get("organization_id"):
        groups = groups.filter(
            organization_id=ids.parse("organization", params["organization_id"]) or 0
        )
    if params.get("taxonomy_term_id"):
        groups = _by_term(groups, params["taxonomy_term_id"])
    return groups


def _by_term(groups: QuerySet, term_id: str) -> QuerySet:
    from groups.hsds.serializers import TAXONOMIES

    number = ids.parse("taxonomy_term", term_id)
    if number is None:
        return groups.none()
    vocab_number, index = divmod(number, 1000)
    for n, vocabulary in TAXONOMIES:
        if n == vocab_number and index < len(vocabulary.codes):
            code = vocabulary.codes[index]
            if vocabulary.name == "facilitation":
                return groups.filter(facilitation=code)
            return groups.filter(**{f"{vocabulary.name}__has_any": [code]})
    return groups.none()


def service_at_locations_for_api(*, params: dict) -> QuerySet | list:
    groups = groups_for_api(params=params).filter(
        Q(format__in=("in_person", "hybrid"), location__isnull=False)
        | Q(format__in=("online", "phone"))
    )
    postcode = (params.get("postcode") or "").strip()
    if not postcode:
        return groups
    proximity = params.get("proximity")
    if proximity is None:
        return groups.filter(location__postcode=postcode)
    centre = _postcode_centre(postcode)
    if centre is None:
        return groups.none()
    return _within(groups, centre, proximity / 1000)


def _postcode_centre(postcode: str) -> tuple[float, float] | None:
    try:
        found = zipcodes.matching(postcode[:5])
    except (TypeError, ValueError):
        return None
    if not found:
        return None
    return float(found[0]["lat"]), float(found[0]["long"])


def _within(groups: QuerySet, centre: tuple[float, float], km: float) -> list:
    lat, lng = centre
    dlat = km / 111.0
    dlng = km / max(111.0 * math.cos(math.radians(lat)), 0.01)
    near = groups.filter(
        location__latitude__gte=lat - dlat,
        location__latitude__lte=lat + dlat,
        location__longitude__gte=lng - dlng,
        location__longitude__lte=lng + dlng,
    )
    return [
        g
        for g in near
        if geo.haversine_km(lat, lng, g.location.latitude, g.location.longitude) <= km
    ]


def organizations_for_api(*, params: dict) -> QuerySet:
    orgs = Organization.objects.filter(groups__status=Group.Status.PUBLISHED).distinct()
    if params.get("search"):
        orgs = orgs.filter(name__icontains=params["search"])
    if params.get("modified_after"):
        orgs = orgs.filter(updated_at__gte=params["modified_after"])
    return orgs.order_by("pk")
