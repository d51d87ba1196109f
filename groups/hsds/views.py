"""The HSDS 3.0 API: read-only JSON, published groups only, the `Page` envelope on lists."""

import math

from django.http import Http404, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from config.ratelimit import rate_limit
from groups.feeds.validate import SchemasMissing
from groups.hsds import ids, openapi, selectors, serializers
from groups.models import Group

DEFAULT_PER_PAGE = 50


def _params(request) -> dict:
    form = selectors.ListParams(request.GET)
    if not form.is_valid():
        raise _BadRequest({k: [str(m) for m in v] for k, v in form.errors.items()})
    return form.cleaned_data


class _BadRequest(Exception):
    def __init__(self, errors):
        self.errors = errors


def _page(request, rows, params: dict, render) -> JsonResponse:
    per_page = params.get("per_page") or DEFAULT_PER_PAGE
    page = params.get("page") or 1
    total = len(rows) if isinstance(rows, list) else rows.count()
    pages = max(1, math.ceil(total / per_page))
    chunk = rows[(page - 1) * per_page : page * per_page]
    contents = [render(row) for row in chunk]
    return JsonResponse(
        {
            "total_items": total,
            "total_pages": pages,
            "page_number": page,
            "size": len(contents),
            "first_page": page == 1,
            "last_page": page >= pages,
            "empty": not contents,
            "contents": contents,
        }
    )


def _api(view):
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except _BadRequest as exc:
            return JsonResponse({"errors": exc.errors}, status=400)
        except SchemasMissing as exc:
            return JsonResponse({"error": str(exc)}, status=503)

    wrapped.__name__ = view.__name__
    return _hsds_rate_limit(require_GET(wrapped))


# Every HSDS endpoint shares one budget per client address.
_hsds_rate_limit = rate_limit(scope="hsds-api", rate="120/m", json=True)


@_api
def root(request):
    return JsonResponse(
        {
            "version": "3.0",
            "profile": "https://docs.openreferral.org/en/latest/hsds/",
            "openapi_url": request.build_absolute_uri(reverse("hsds:openapi")),
        }
    )


@_api
def openapi_document(request):
    server = request.build_absolute_uri(reverse("hsds:root")).rstrip("/")
    return HttpResponse(openapi.document(server), content_type="application/json")


@_api
def services(request):
    params = _params(request)
    rows = selectors.groups_for_api(params=params)
    return _page(request, rows, params, serializers.service_brief)


@_api
def service(request, id: str):
    return JsonResponse(serializers.service_full(_group(ids.parse("service", id))))


def _group(pk: int | None) -> Group:
    group = (
        Group.objects.published()
        .select_related("organization", "location")
        .prefetch_related("schedules")
        .filter(pk=pk or 0)
        .first()
    )
    if group is None:
        raise Http404
    return group


@_api
def organizations(request):
    params = _params(request)
    rows = selectors.organizations_for_api(params=params)
    return _page(request, rows, params, serializers.organization)


@_api
def organization(request, id: str):
    pk = ids.parse("organization", id)
    org = selectors.organizations_for_api(params={}).filter(pk=pk or 0).first()
    if org is None:
        raise Http404
    data = serializers.organization(org)
    groups = selectors.groups_for_api(params={"organization_id": id})[:500]
    data["services"] = [serializers.service_brief(g) for g in groups]
    return JsonResponse(data)


@_api
def service_at_locations(request):
    params = _params(request)
    rows = selectors.service_at_locations_for_api(params=params)
    return _page(request, rows, params, serializers.service_at_location)


@_api
def service_at_location(request, id: str):
    group = _group(ids.parse("service_at_location", id))
    data = serializers.service_at_location(group)
    if data is None:
        raise Http404
    data["schedules"] = [s for s in (serializers.schedule(x) for x in group.schedules.all()) if s]
    return JsonResponse(data)


@_api
def taxonomies(request):
    params = _params(request)
    rows = [serializers.taxonomy(n, v) for n, v in serializers.TAXONOMIES]
    return _page(request, rows, params, lambda row: row)


@_api
def taxonomy(request, id: str):
    for row in (serializers.taxonomy(n, v) for n, v in serializers.TAXONOMIES):
        if row["id"] == id.lower():
            return JsonResponse(row)
    raise Http404


@_api
def taxonomy_terms(request):
    params = _params(request)
    rows = serializers.all_terms()
    if params.get("search"):
        rows = [r for r in rows if params["search"].lower() in r["name"].lower()]
    return _page(request, rows, params, lambda row: row)


@_api
def taxonomy_term(request, id: str):
    for row in serializers.all_terms():
        if row["id"] == id.lower():
            return JsonResponse(row)
    raise Http404
