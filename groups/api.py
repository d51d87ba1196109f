"""The JSON search API: the same FilterSet as the page, plain JsonResponse views."""

from django.conf import settings
from django.http import Http404, JsonResponse
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from config.ratelimit import rate_limit
from groups import openapi as openapi_document
from groups import selectors
from groups.forms import PageForm
from groups.models import Group
from groups.vocabularies import ALL


def _absolute(request, path: str) -> str:
    return request.build_absolute_uri(path)


def _iso(value) -> str | None:
    return value.isoformat() if value else None


_LABELS: dict[str, dict[str, dict[str, str]]] = {}


def _labels() -> dict[str, dict[str, str]]:
    """Every vocabulary's labels in the active language, translated once per process.

    Looked up once per response, not per group and vocabulary: the 160 lookups of the
    active language for a page of 20 results cost about a tenth of the API's time.
    """
    language = get_language() or ""
    if language not in _LABELS:
        _LABELS[language] = {
            name: {code: str(text) for code, text in vocabulary.terms}
            for name, vocabulary in ALL.items()
        }
    return _LABELS[language]


def _codes(labels: dict[str, str], codes) -> list[dict]:
    return [{"code": code, "label": labels[code]} for code in codes]


def group_summary(request, group: selectors.GroupListing, labels=None) -> dict:
    """A group as the API lists it; `labels`: _labels(), when the caller has them."""
    labels = labels or _labels()
    # One reverse() per request, not two per group: the pk goes into a template URL.
    if not hasattr(request, "_kindred_url_templates"):
        request._kindred_url_templates = (
            _absolute(request, reverse("groups:detail", args=[999999999])),
            _absolute(request, reverse("groups:api_detail", args=[999999999])),
        )
    page_url, api_url = request._kindred_url_templates
    return {
        "id": group.pk,
        "name": group.name,
        "url": page_url.replace("999999999", str(group.pk)),
        "api_url": api_url.replace("999999999", str(group.pk)),
        "organization": group.organization_name,
        "format": {"code": group.format, "label": labels["format"][group.format]},
        "facilitation": {
            "code": group.facilitation,
            "label": labels["facilitation"][group.facilitation],
        },
        "registration_required": group.registration_required,
        "accepting_new_members": group.accepting_new_members,
        "distance_km": round(group.distance_km, 2) if group.distance_km is not None else None,
        "next_meeting": _iso(group.next_meeting_local),
        "cost": {
            "code": group.cost,
            "label": labels["cost"][group.cost],
            "amount": str(group.cost_amount) if group.cost_amount is not None else None,
            "detail": group.cost_detail,
        },
        "accessibility": _codes(labels["accessibility"], group.accessibility),
        "transport": _codes(labels["transport"], group.transport),
        "languages": _codes(labels["languages"], group.languages),
        "topics": _codes(labels["topics"], group.topics),
        "audience": _codes(labels["audience"], group.audience),
        "city": group.city if group.meets_in_person else None,
        "region": group.region if group.meets_in_person else None,
    }


def _page_url(request, page: int) -> str:
    query = request.GET.copy()
    query["page"] = str(page)
    return _absolute(request, f"{request.path}?{query.urlencode()}")


# Generous for a person or an app paging through results; a scraper hammering it waits.
_api_rate_limit = rate_limit(scope="search-api", rate="120/m", json=True)


@_api_rate_limit
@require_GET
def search(request):
    page_form = PageForm(request.GET)
    if not page_form.is_valid():
        return JsonResponse({"errors": page_form.errors.get_json_data()}, status=400)
    results = selectors.group_search(params=request.GET, page=page_form.page_number())
    if not results.is_valid:
        return JsonResponse({"errors": results.errors.get_json_data()}, status=400)
    place = results.place
    labels = _labels()
    return JsonResponse(
        {
            "count": results.count,
            "count_exact": results.count_exact,
            "next": _page_url(request, results.page + 1) if results.has_next else None,
            "previous": _page_url(request, results.page - 1) if results.has_previous else None,
            "place": (
                {"label": place.label, "latitude": place.latitude, "longitude": place.longitude}
                if place
                else None
            ),
            "distance_unit": settings.KINDRED_DISTANCE_UNIT,
            "results": [group_summary(request, group, labels) for group in results.groups],
        }
    )


@_api_rate_limit
@require_GET
def detail(request, pk: int):
    try:
        group = selectors.group_for_public_page(pk=pk)
    except Group.DoesNotExist:
        raise Http404 from None
    listing = selectors.GroupListing.of(group)
    selectors._decorate([listing], None)
    data = group_summary(request, listing)
    data.update(
        {
            "description": group.description,
            "what_to_expect": group.what_to_expect,
            "schedules": [schedule.describe() for schedule in group.schedules.all()],
            "next_meetings": [
                {
                    "starts_at": _iso(o.local_start()),
                    "ends_at": _iso(o.ends_at.astimezone(o.local_start().tzinfo)),
                    "status": o.status,
                    "note": o.note,
                }
                for o in selectors.occurrences_upcoming(group=group)
            ],
            "online_url": group.online_url if group.online_url_public else None,
            "website": group.website or None,
            "contact": {
                "name": group.contact_name or None,
                "email": group.contact_email or None,
                "phone": group.contact_phone or None,
            },
            "directions": group.location.directions if group.location_id else "",
            "last_verified_at": _iso(group.last_verified_at),
            "calendar_url": _absolute(request, reverse("groups:ics_series", args=[group.pk])),
        }
    )
    return JsonResponse(data)


@require_GET
def openapi(request):
    return JsonResponse(openapi_document.document(), json_dumps_params={"indent": 2})
