"""Moderation pages: staff only (anonymous people sign in; others get 403)."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from groups.models import Group, ListingRevision
from groups.moderation import forms, selectors, services


def moderator_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_moderator:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _revision(revision_pk: int) -> ListingRevision:
    return get_object_or_404(
        ListingRevision.objects.select_related("group__organization", "group__location"),
        pk=revision_pk,
    )


def _group(group_pk: int) -> Group:
    return get_object_or_404(Group.objects.select_related("organization"), pk=group_pk)


@moderator_required
def queue(request):
    return render(
        request, "moderation/revision_queue.html", {"revisions": selectors.revision_queue()}
    )


@moderator_required
def revision_review(request, revision_pk: int):
    return _render_review(request, _revision(revision_pk))


def _render_review(request, revision, *, approve_form=None, send_back_form=None, status=200):
    context = {
        "revision": revision,
        "group": revision.group,
        "rows": selectors.revision_rows(revision=revision),
        "approve_form": approve_form or forms.ApproveForm(),
        "send_back_form": send_back_form or forms.SendBackForm(),
    }
    return render(request, "moderation/revision_review.html", context, status=status)


def _decide(request, revision_pk: int, *, form_class, decide, form_key: str, done: str):
    """Approve or send back: validate the note, record the decision, back to the queue."""
    revision = _revision(revision_pk)
    form = form_class(request.POST)
    if not form.is_valid():
        return _render_review(request, revision, status=400, **{form_key: form})
    try:
        decide(revision=revision, moderator=request.user, note=form.cleaned_data["note"])
    except services.DecisionError:
        messages.error(request, _("Someone has already decided on this."))
    else:
        messages.success(request, done)
    return redirect("moderation:queue")


@require_POST
@moderator_required
def revision_approve(request, revision_pk: int):
    return _decide(
        request,
        revision_pk,
        form_class=forms.ApproveForm,
        decide=services.revision_approve,
        form_key="approve_form",
        done=_("Approved. The organizer is told by email."),
    )


@require_POST
@moderator_required
def revision_send_back(request, revision_pk: int):
    return _decide(
        request,
        revision_pk,
        form_class=forms.SendBackForm,
        decide=services.revision_send_back,
        form_key="send_back_form",
        done=_("Sent back. The organizer is told by email."),
    )


@moderator_required
def group_archive(request, group_pk: int):
    group = _group(group_pk)
    form = forms.ArchiveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.listing_archive(
            group=group, moderator=request.user, note=form.cleaned_data["note"]
        )
        messages.success(request, _("“%(name)s” is archived.") % {"name": group.name})
        return redirect("moderation:queue")
    return render(request, "moderation/group_archive.html", {"group": group, "form": form})
