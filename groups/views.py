from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from config.pagination import query_without_page
from groups import calendar, selectors
from groups.forms import PageForm
from groups.models import Group, Occurrence
from referrals.selectors import user_agency_ids

# The filters under "More choices". On a phone they are a few screens of checkboxes, so
# they open only when one of them is chosen or wrong: a search by place alone shows its
# results straight after the place.
MORE_CHOICES = (
    "cost",
    "accessibility",
    "transport",
    "language",
    "format",
    "facilitation",
    "audience",
    "topic",
    "day",
    "time_of_day",
    "starts_within_days",
    "accepting_new_members",
)


@require_GET
def search(request):
    page = PageForm(request.GET).page_number()
    results = selectors.group_search(params=request.GET, page=page)
    form = results.filterset.form
    return render(
        request,
        "groups/group_search.html",
        {
            "results": results,
            "form": form,
            "searched": bool(request.GET),
            "more_choices_open": _more_choices_open(form),
            "query_without_page": query_without_page(request),
            "can_refer": _can_refer(request),
        },
        status=200,
    )


def _more_choices_open(form) -> bool:
    """Whether a filter under "More choices" is chosen (what the browser sends for a
    field left alone, such as "unknown" or "", is not a choice) or has an error."""
    cleaned = getattr(form, "cleaned_data", {})
    return any(
        name in form.errors or cleaned.get(name) not in (None, "", [], ()) for name in MORE_CHOICES
    )


def _can_refer(request) -> bool:
    """A case worker (or agency admin) sees "Refer a client"; residents pay no query for it."""
    return request.user.is_authenticated and bool(user_agency_ids(user=request.user))


def _public_group(pk: int) -> Group:
    try:
        return selectors.group_for_public_page(pk=pk)
    except Group.DoesNotExist:
        raise Http404 from None


@require_GET
def group_detail(request, pk: int):
    group = _public_group(pk)
    stale_days = settings.KINDRED_NOT_RECENTLY_CONFIRMED_AFTER_DAYS
    context = {
        "group": group,
        "meetings": selectors.occurrences_upcoming(group=group),
        "stale": (timezone.now() - group.last_verified_at).days > stale_days,
        "stale_days": stale_days,
        "can_refer": _can_refer(request),
    }
    return render(request, "groups/group_detail.html", context)


def _ics_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def ics_occurrence(request, pk: int, occurrence_pk: int):
    group = _public_group(pk)
    occurrence = get_object_or_404(
        Occurrence.objects.select_related("schedule"), pk=occurrence_pk, group=group
    )
    body = calendar.occurrence_ics(group=group, occurrence=occurrence)
    return _ics_response(body, f"meeting-{occurrence.pk}.ics")


@require_GET
def ics_series(request, pk: int):
    group = _public_group(pk)
    return _ics_response(calendar.series_ics(group=group), f"group-{group.pk}.ics")


def moderator_required(view):
    """Signed-out people go to the login page; signed-in non-moderators get a 403, as on
    every other moderators' page (a missing permission is 403; 404 is for another
    organization's object)."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_moderator:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@moderator_required
def unlocated(request):
    return render(
        request,
        "groups/location_unlocated.html",
        {"locations": selectors.locations_unlocated()},
    )
