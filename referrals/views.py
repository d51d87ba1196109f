"""Referral pages. Every page that shows client data is never cached, every
referral read writes an audit row, and another organization's referral is 404."""

import csv
import datetime as dt
from contextlib import nullcontext

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_POST

from accounts.models import Organization
from config.pagination import page_of, query_without_page
from config.ratelimit import rate_limit
from groups.models import Group
from referrals import selectors, services
from referrals.audit import audit_record, audit_record_many
from referrals.forms import (
    CaseloadForm,
    ClientAnswerForm,
    ReferralForm,
    ReportForm,
    RespondForm,
)
from referrals.messaging import message_language
from referrals.models import AuditEvent, Status

PER_PAGE = 50  # referrals a page of the caseload and of the inbox, newest first
View = AuditEvent.Action.VIEW


def _agencies_or_403(request):
    agency_ids = selectors.user_agency_ids(user=request.user)
    if not agency_ids:
        raise PermissionDenied
    return agency_ids


def _moves(referral, role: str) -> list[str]:
    moves = services.allowed_moves(referral=referral, role=role)
    if set(moves) & set(services.ATTENDANCE) and not selectors.referral_attendance_open(
        referral=referral
    ):
        moves = [m for m in moves if m not in services.ATTENDANCE]
    return moves


@never_cache
@sensitive_post_parameters()
@login_required
@sensitive_variables()
def referral_create(request, group_pk: int):
    agencies = Organization.objects.filter(pk__in=_agencies_or_403(request))
    group = get_object_or_404(Group.objects.published().select_related("organization"), pk=group_pk)
    form = ReferralForm(request.POST or None, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        referral = services.referral_create(
            agency=data["agency"],
            group=group,
            case_worker=request.user,
            client=services.ClientDetails(
                name=data["client_name"].strip(),
                contact_method=data["contact_method"],
                contact_value=data["contact_value"],
                preferred_language=data["preferred_language"],
                notes=data["notes"].strip(),
            ),
            consent=services.ConsentRecord(
                shared_fields=frozenset(data["share"]),
                method=data["consent_method"],
                given_at=timezone.make_aware(
                    dt.datetime.combine(data["consent_given_on"], dt.time(12))
                ),
                valid_until=data["valid_until"],
                signature=data["signature"].strip(),
            ),
            request=request,
        )
        messages.success(request, _("Referral sent. The client will get the group's details."))
        return redirect("referrals:detail", pk=referral.pk)
    agency = agencies[0] if len(agencies) == 1 else None
    context = {"form": form, "group": group, "agency": agency}
    return render(request, "referrals/referral_form.html", context)


@never_cache
@login_required
def caseload(request):
    _agencies_or_403(request)
    form = CaseloadForm(request.GET)
    referrals = selectors.referrals_for_case_worker(user=request.user)
    if form.scope_value() == "mine":
        referrals = referrals.filter(case_worker=request.user)
    page = page_of(request, referrals.order_by("-created_at", "-pk"), PER_PAGE)
    referrals = list(page)
    now = timezone.now()
    for referral in referrals:
        referral.attention = selectors.referral_attention(referral=referral, now=now)
    audit_record_many(action=View, referrals=referrals, request=request, detail="caseload")
    context = {
        "referrals": referrals,
        "page": page,
        "query": query_without_page(request),
        "needing": [r for r in referrals if r.attention],
        "form": form,
    }
    return render(request, "referrals/referral_caseload.html", context)


@never_cache
@login_required
@sensitive_variables()
def referral_detail(request, pk: int):
    referral = selectors.referral_get_for_case_worker(user=request.user, pk=pk)
    audit_record(action=View, referral=referral, request=request, detail="case worker page")
    moves = _moves(referral, services.Role.CASE_WORKER)
    context = {
        "referral": referral,
        "consent": referral.consent,
        "history": referral.status_changes.select_related("by_user"),
        "form": RespondForm(moves=moves) if moves else None,
        "can_resend": referral.status in services.OPEN_STATUSES and referral.consent.is_valid(),
        "attention": selectors.referral_attention(referral=referral),
    }
    return render(request, "referrals/referral_detail.html", context)


@never_cache
@sensitive_post_parameters()
@require_POST
@login_required
def referral_update(request, pk: int):
    referral = selectors.referral_get_for_case_worker(user=request.user, pk=pk)
    form = RespondForm(request.POST, moves=_moves(referral, services.Role.CASE_WORKER))
    return _apply_move(request, referral, form, services.Role.CASE_WORKER, "referrals:detail")


@never_cache
@require_POST
@login_required
def consent_revoke(request, pk: int):
    referral = selectors.referral_get_for_case_worker(user=request.user, pk=pk)
    services.consent_revoke(referral_id=referral.pk, actor=request.user, request=request)
    messages.success(request, _("Consent withdrawn. Nothing more will be shared."))
    return redirect("referrals:detail", pk=referral.pk)


@never_cache
@require_POST
@login_required
def referral_resend(request, pk: int):
    referral = selectors.referral_get_for_case_worker(user=request.user, pk=pk)
    try:
        services.referral_resend_link(referral_id=referral.pk, actor=request.user, request=request)
        messages.success(request, _("A new link is on its way to the client."))
    except services.ReferralError as error:
        messages.error(request, str(error))
    return redirect("referrals:detail", pk=referral.pk)


def _apply_move(request, referral, form, role, next_url):
    if form.is_valid():
        try:
            services.referral_change_status(
                referral_id=referral.pk,
                to_status=form.cleaned_data["status"],
                role=role,
                actor=request.user,
                reason=form.cleaned_data["reason"].strip(),
                request=request,
            )
            messages.success(request, _("Saved."))
        except services.ReferralError as error:
            messages.error(request, str(error))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect(next_url, pk=referral.pk)


@never_cache
@login_required
def inbox(request):
    if not selectors.user_provider_ids(user=request.user):
        raise PermissionDenied
    referrals = selectors.referrals_for_organizer(user=request.user).order_by("-created_at", "-pk")
    page = page_of(request, referrals, PER_PAGE)
    referrals = list(page)
    for referral in referrals:
        referral.shown = selectors.referral_organizer_view(referral=referral)
    audit_record_many(action=View, referrals=referrals, request=request, detail="inbox")
    context = {"referrals": referrals, "page": page, "query": query_without_page(request)}
    return render(request, "referrals/referral_inbox.html", context)


@never_cache
@sensitive_post_parameters()
@login_required
@sensitive_variables()
def inbox_detail(request, pk: int):
    referral = selectors.referral_get_for_organizer(user=request.user, pk=pk)
    moves = _moves(referral, services.Role.ORGANIZER)
    if request.method == "POST":
        form = RespondForm(request.POST, moves=moves)
        return _apply_move(
            request, referral, form, services.Role.ORGANIZER, "referrals:inbox_detail"
        )
    audit_record(action=View, referral=referral, request=request, detail="organizer page")
    shown = selectors.referral_organizer_view(referral=referral)
    context = {
        "referral": referral,
        "shown": shown,
        "consent": referral.consent,
        "history": referral.status_changes.all(),
        "form": RespondForm(moves=moves) if moves and not shown.details_hidden else None,
    }
    return render(request, "referrals/referral_inbox_detail.html", context)


def _report_form(request):
    today = timezone.localdate()
    form = ReportForm(request.GET if "start" in request.GET else None)
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["start"], form.cleaned_data["end"]
    if not form.is_bound:
        form = ReportForm(initial={"start": today - dt.timedelta(days=90), "end": today})
    return form, today - dt.timedelta(days=90), today


@never_cache
@login_required
def report(request):
    agency_ids = _agencies_or_403(request)
    form, start, end = _report_form(request)
    data = selectors.referral_report(agency_ids=agency_ids, start=start, end=end)
    audit_record(action=View, request=request, detail=f"report {start}..{end}")
    context = {"form": form, "report": data, "start": start, "end": end}
    return render(request, "referrals/referral_report.html", context)


@never_cache
@login_required
def report_csv(request):
    agency_ids = _agencies_or_403(request)
    _form, start, end = _report_form(request)
    data = selectors.referral_report(agency_ids=agency_ids, start=start, end=end)
    audit_record(
        action=AuditEvent.Action.EXPORT, request=request, detail=f"report CSV {start}..{end}"
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="referrals-{start}-{end}.csv"'
    writer = csv.writer(response)
    statuses = [value for value, _label, _count in data["by_status"]]
    outcomes = data["outcome_codes"]
    writer.writerow(["group", "total", *statuses, *(f"outcome_{o}" for o in outcomes)])
    for group in data["by_group"]:
        counts = [group["statuses"][s] for s in statuses] + [group["outcomes"][o] for o in outcomes]
        writer.writerow([_csv_safe(group["name"]), group["total"], *counts])
    totals = [count for _v, _l, count in data["by_status"]]
    totals += [data["by_outcome"].get(o, 0) for o in outcomes]
    writer.writerow(["all groups", data["total"], *totals])
    return response


def _csv_safe(text: str) -> str:
    """A group name cannot start a spreadsheet formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@never_cache
@login_required
def audit_log(request):
    if not request.user.is_moderator:
        raise PermissionDenied
    events = selectors.audit_events_recent()
    return render(request, "referrals/auditevent_list.html", {"events": events})


@never_cache  # outermost: the 429 answer is not stored either
@rate_limit(scope="referral-link", rate="30/m")  # slows guessing; a client needs a few
@sensitive_variables()
def client_link(request, token: str):
    """The client's private page: no account, the token is the key."""
    referral = selectors.referral_get_by_token(token=token)
    if referral is None:
        return render(request, "referrals/referral_client_gone.html", status=404)
    if request.method == "POST":
        form = ClientAnswerForm(request.POST)
        if form.is_valid():
            going = form.cleaned_data["answer"] == "going"
            services.referral_client_respond(referral_id=referral.pk, going=going, request=request)
        return redirect(request.path)
    audit_record(
        action=View, referral=referral, actor_label="client", request=request, detail="client page"
    )
    language = message_language(referral.preferred_language)
    context = {
        "referral": referral,
        "group": referral.group,
        "meetings": selectors.group_next_meetings(group=referral.group),
        "remind_url": reverse("reminders:signup", args=[referral.group_id]),
        "answered": referral.status != Status.SENT,
    }
    # The page speaks the client's language unless they picked one with the switcher.
    chosen = settings.LANGUAGE_COOKIE_NAME in request.COOKIES
    with nullcontext() if chosen else translation.override(language):
        response = render(request, "referrals/referral_client.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
