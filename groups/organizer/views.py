"""Organizer pages: short functions; ownership checks in one helper per kind of object.

Anonymous people are sent to sign in; a signed-in person without an organizer or
admin role in a provider organization gets 403; another organization's object is
404, so its existence is not revealed.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from groups.models import Group, Occurrence, Schedule
from groups.organizer import forms, rules, selectors, services
from groups.organizer.listing import change_rows


def organizer_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        request.organizations = selectors.organizer_organizations(user=request.user)
        if not request.organizations.exists():
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _group(request, group_pk: int) -> Group:
    return get_object_or_404(
        Group.objects.filter(organization__in=request.organizations).select_related(
            "location", "organization"
        ),
        pk=group_pk,
    )


def _schedule(request, schedule_pk: int) -> Schedule:
    return get_object_or_404(
        Schedule.objects.filter(group__organization__in=request.organizations).select_related(
            "group__organization"
        ),
        pk=schedule_pk,
    )


def _occurrence(request, occurrence_pk: int) -> Occurrence:
    return get_object_or_404(
        Occurrence.objects.filter(group__organization__in=request.organizations).select_related(
            "group", "schedule"
        ),
        pk=occurrence_pk,
    )


@organizer_required
def dashboard(request):
    organizations = request.organizations.order_by("name")
    choice = forms.OrganizationChoiceForm(request.GET or None, organizations=organizations)
    organization = choice.cleaned_data["organization"] if choice.is_valid() else organizations[0]
    context = {
        "organization": organization,
        "choice_form": choice if organizations.count() > 1 else None,
        "groups": selectors.dashboard_groups(organization=organization),
    }
    return render(request, "organizer/group_dashboard.html", context)


@organizer_required
def group_create(request):
    return _listing_create(request, kind=Group.Kind.GROUP)


@organizer_required
def event_create(request):
    return _listing_create(request, kind=Group.Kind.EVENT)


def _listing_create(request, *, kind: str):
    organizations = request.organizations.order_by("name")
    choice = forms.OrganizationChoiceForm(
        request.POST or request.GET or None, organizations=organizations
    )
    organization = choice.cleaned_data["organization"] if choice.is_valid() else organizations[0]
    form = forms.ListingForm(request.POST or None)
    is_event = kind == Group.Kind.EVENT
    when = forms.EventWhenForm(
        request.POST or None, prefix="when", initial={"time_zone": organization.time_zone}
    )
    if request.method == "POST" and form.is_valid() and (not is_event or when.is_valid()):
        group = services.group_create(
            organization=organization,
            kind=kind,
            cleaned_data=form.cleaned_data,
            actor=request.user,
            when=when.cleaned_data if is_event else None,
        )
        messages.success(
            request, _("Saved as a draft. Add when it meets, then send it for review.")
        )
        return redirect("organizer:group_manage", group_pk=group.pk)
    context = {
        "form": form,
        "when_form": when if is_event else None,
        "choice_form": choice if organizations.count() > 1 else None,
        "organization": organization,
        "is_event": is_event,
    }
    return render(request, "organizer/group_form.html", context)


@organizer_required
def group_manage(request, group_pk: int):
    group = _group(request, group_pk)
    context = {
        "group": group,
        "schedules": group.schedules.order_by("start_date", "pk"),
        "meetings": selectors.group_upcoming_meetings(group=group),
        "pending": selectors.group_pending_revision(group=group),
        "sent_back": selectors.group_last_decision(group=group),
        "needs_confirmation": selectors.listing_needs_confirmation(group=group),
    }
    return render(request, "organizer/group_manage.html", context)


@organizer_required
def group_edit(request, group_pk: int):
    group = _group(request, group_pk)
    pending = selectors.group_pending_revision(group=group)
    initial = _initial_from_revision(pending) if pending and pending.kind == "change" else None
    # The form writes cleaned values onto its instance; give it a copy, never the live row.
    form = forms.ListingForm(
        request.POST or None,
        instance=Group.objects.get(pk=group.pk),
        initial=initial,
        location=group.location,
    )
    if request.method == "POST" and form.is_valid():
        revision = services.listing_update(
            group=group, cleaned_data=form.cleaned_data, actor=request.user
        )
        if revision is not None and group.status == Group.Status.PUBLISHED:
            messages.success(
                request,
                _(
                    "Your changes are waiting for review. "
                    "People see the current listing until then."
                ),
            )
        else:
            messages.success(request, _("Saved."))
        return redirect("organizer:group_manage", group_pk=group.pk)
    context = {"form": form, "group": group, "pending": pending, "is_event": group.kind == "event"}
    return render(request, "organizer/group_form.html", context)


def _initial_from_revision(revision) -> dict:
    initial = {k: v for k, v in revision.proposed.items() if k != "location"}
    location = revision.proposed.get("location") or {}
    for form_name, model_name in forms.ListingForm.location_names():
        initial[form_name] = location.get(model_name, "")
    return initial


@require_POST
@organizer_required
def group_submit(request, group_pk: int):
    group = _group(request, group_pk)
    if group.status != Group.Status.DRAFT:
        messages.error(request, _("Only a draft can be sent for review."))
    elif not group.schedules.exists():
        messages.error(request, _("Add when it meets before sending it for review."))
    else:
        services.listing_submit(group=group, actor=request.user)
        messages.success(request, _("Sent for review. We will email you when it is checked."))
    return redirect("organizer:group_manage", group_pk=group.pk)


@require_POST
@organizer_required
def group_confirm(request, group_pk: int):
    group = _group(request, group_pk)
    services.listing_confirm(group=group, actor=request.user)
    messages.success(request, _("Thank you: “%(name)s” is marked as current.") % {"name": group})
    return redirect("organizer:dashboard")


@login_required
def group_history(request, group_pk: int):
    """The listing's history: its organization's organizers and moderators only."""
    if request.user.is_moderator:
        group = get_object_or_404(Group, pk=group_pk)
    else:
        request.organizations = selectors.organizer_organizations(user=request.user)
        if not request.organizations.exists():
            raise PermissionDenied
        group = _group(request, group_pk)
    entries = [
        (entry, change_rows(entry.changes)) for entry in selectors.group_history(group=group)
    ]
    return render(request, "organizer/group_history.html", {"group": group, "entries": entries})


# --- Schedules ------------------------------------------------------------------------------


def _schedule_editor(request, group, schedule=None):
    initial = (
        forms.schedule_form_initial(schedule)
        if schedule
        else {
            "repeat": rules.WEEKLY_KIND,
            "interval": 1,
            "duration_minutes": 90,
            "time_zone": group.organization.time_zone,
            "start_date": timezone.localdate(),
        }
    )
    form = forms.ScheduleForm(request.POST or None, initial=initial)
    preview = None
    if request.method == "POST" and form.is_valid():
        if "preview" not in request.POST:
            if schedule is None:
                services.schedule_create(
                    group=group, cleaned_data=form.cleaned_data, actor=request.user
                )
            else:
                services.schedule_update(
                    schedule=schedule, cleaned_data=form.cleaned_data, actor=request.user
                )
            messages.success(request, _("Schedule saved."))
            return redirect("organizer:group_manage", group_pk=group.pk)
        data = form.cleaned_data
        preview = rules.preview(
            rule=data["rrule"],
            start_date=data["start_date"],
            start_time=data["start_time"],
            duration_minutes=data["duration_minutes"],
            time_zone=data["time_zone"],
            end_date=data["end_date"],
            now=timezone.now(),
        )
    context = {"form": form, "group": group, "schedule": schedule, "preview": preview}
    return render(request, "organizer/schedule_form.html", context)


@organizer_required
def schedule_create(request, group_pk: int):
    return _schedule_editor(request, _group(request, group_pk))


@organizer_required
def schedule_edit(request, schedule_pk: int):
    schedule = _schedule(request, schedule_pk)
    return _schedule_editor(request, schedule.group, schedule)


@organizer_required
def schedule_delete(request, schedule_pk: int):
    schedule = _schedule(request, schedule_pk)
    group = schedule.group
    if request.method == "POST":
        services.schedule_delete(schedule=schedule, actor=request.user)
        messages.success(request, _("Schedule removed."))
        return redirect("organizer:group_manage", group_pk=group.pk)
    return render(request, "organizer/schedule_delete.html", {"schedule": schedule, "group": group})


# --- Single meetings --------------------------------------------------------------------------


@organizer_required
def occurrence_cancel(request, occurrence_pk: int):
    occurrence = _occurrence(request, occurrence_pk)
    form = forms.OccurrenceCancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.occurrence_cancel(
            occurrence=occurrence, reason=form.cleaned_data["reason"], actor=request.user
        )
        messages.success(request, _("That meeting is cancelled. People with reminders are told."))
        return redirect("organizer:group_manage", group_pk=occurrence.group_id)
    context = {"form": form, "occurrence": occurrence, "group": occurrence.group}
    return render(request, "organizer/occurrence_cancel.html", context)


@organizer_required
def occurrence_move(request, occurrence_pk: int):
    occurrence = _occurrence(request, occurrence_pk)
    local = occurrence.local_start()
    form = forms.OccurrenceMoveForm(
        request.POST or None, initial={"date": local.date(), "start_time": local.time()}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.occurrence_move(
            occurrence=occurrence,
            new_date=data["date"],
            new_time=data["start_time"],
            reason=data["reason"],
            actor=request.user,
        )
        messages.success(request, _("That meeting is moved. People with reminders are told."))
        return redirect("organizer:group_manage", group_pk=occurrence.group_id)
    context = {"form": form, "occurrence": occurrence, "group": occurrence.group}
    return render(request, "organizer/occurrence_move.html", context)
