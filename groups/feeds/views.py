"""Moderators' partner pages: list, create, edit, upload a file, run now, read reports."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from groups.feeds import services
from groups.feeds.forms import PartnerForm, UploadForm
from groups.models import ImportRun, Partner, PartnerFeedState


def moderator_required(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_moderator:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


@moderator_required
def partner_list(request):
    partners = Partner.objects.select_related("organization", "feed_state")
    latest = {}
    for run in ImportRun.objects.filter(partner__in=partners).order_by("partner_id", "-pk"):
        latest.setdefault(run.partner_id, run)
    rows = [(p, latest.get(p.pk)) for p in partners]
    return render(request, "groups/partner_list.html", {"rows": rows})


@moderator_required
def partner_create(request):
    form = PartnerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        partner = services.partner_save(
            partner=form.save(commit=False), owned_fields=form.cleaned_data["owned_fields"]
        )
        messages.success(request, _("Partner saved."))
        return redirect("partners:detail", slug=partner.slug)
    return render(request, "groups/partner_form.html", {"form": form})


@moderator_required
def partner_edit(request, slug: str):
    partner = get_object_or_404(Partner, slug=slug)
    state, _created = PartnerFeedState.objects.get_or_create(partner=partner)
    form = PartnerForm(request.POST or None, instance=partner, owned=state.owned_fields)
    if request.method == "POST" and form.is_valid():
        services.partner_save(
            partner=form.save(commit=False), owned_fields=form.cleaned_data["owned_fields"]
        )
        messages.success(request, _("Partner saved."))
        return redirect("partners:detail", slug=partner.slug)
    return render(request, "groups/partner_form.html", {"form": form, "partner": partner})


@moderator_required
def partner_detail(request, slug: str):
    partner = get_object_or_404(Partner.objects.select_related("organization"), slug=slug)
    state, _created = PartnerFeedState.objects.get_or_create(partner=partner)
    runs = list(partner.import_runs.all()[:20])
    context = {
        "partner": partner,
        "state": state,
        "runs": runs,
        "latest": runs[0] if runs else None,
        "rejected": runs[0].rejected_records.all()[:200] if runs else [],
        "upload_form": UploadForm(),
    }
    return render(request, "groups/partner_detail.html", context)


@moderator_required
def run_report(request, slug: str, run_id: int):
    partner = get_object_or_404(Partner, slug=slug)
    run = get_object_or_404(ImportRun, pk=run_id, partner=partner)
    rejected = run.rejected_records.all()[:1000]
    return render(
        request,
        "groups/importrun_detail.html",
        {"partner": partner, "run": run, "rejected": rejected},
    )


@require_POST
@moderator_required
def partner_run(request, slug: str):
    partner = get_object_or_404(Partner, slug=slug)
    services.partner_import_queue(partner=partner)
    messages.success(request, _("The import has started. Its report appears below when it ends."))
    return redirect("partners:detail", slug=partner.slug)


@require_POST
@moderator_required
def partner_upload(request, slug: str):
    partner = get_object_or_404(Partner, slug=slug)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        state, _created = PartnerFeedState.objects.get_or_create(partner=partner)
        context = {"partner": partner, "state": state, "runs": [], "upload_form": form}
        return render(request, "groups/partner_detail.html", context, status=400)
    services.partner_upload_store(partner=partner, upload=form.cleaned_data["file"])
    services.partner_import_queue(partner=partner, trigger=ImportRun.Trigger.UPLOAD)
    messages.success(request, _("File uploaded; the import has started."))
    return redirect("partners:detail", slug=partner.slug)
