"""The "Remind me" pages: sign up, confirm, manage, unsubscribe; failed sends for moderators.

Every page works without JavaScript. Links carry a random token, never an address.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts.client_ip import client_ip
from groups.models import Group, Reminder
from groups.reminders import ratelimit, selectors, services
from groups.reminders.addresses import address_key
from groups.reminders.forms import ManageForm, SignupForm


def signup(request, pk: int):
    group = get_object_or_404(Group.objects.published(), pk=pk)
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        key = address_key(email=data["email"])
        if not ratelimit.signup_allowed(address_key=key, client_ip=client_ip(request) or ""):
            return _too_many(request, group)
        try:
            services.subscription_create(
                group=group,
                email=data["email"],
                phone=data.get("phone") or None,
                meetings=data["meetings"],
                timing=data["timing"],
                language=get_language(),
            )
        except services.RateLimited:
            return _too_many(request, group)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("reminders:check_email")
    meetings = selectors.upcoming_meetings(group_id=group.pk)
    context = {"group": group, "form": form, "meetings": meetings}
    return render(request, "reminders/subscription_signup.html", context)


def _too_many(request, group):
    context = {"group": group}
    return render(request, "reminders/subscription_rate_limited.html", context, status=429)


def check_email(request):
    return render(request, "reminders/subscription_check_email.html")


def confirm(request, token: str):
    subscription = selectors.subscription_by_token(token=token)
    if subscription is None:
        return _link_gone(request)
    if subscription.is_confirmed:
        return redirect("reminders:manage", token=token)
    if request.method == "POST":
        services.subscription_confirm(subscription=subscription)
        messages.success(request, _("Reminders are on. We will email you before each meeting."))
        return redirect("reminders:manage", token=token)
    return render(request, "reminders/subscription_confirm.html", {"subscription": subscription})


def manage(request, token: str):
    subscription = selectors.subscription_by_token(token=token)
    if subscription is None:
        return _link_gone(request)
    if not subscription.is_confirmed:
        return redirect("reminders:confirm", token=token)
    initial = {"meetings": subscription.meetings, "timing": subscription.timing}
    form = ManageForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.subscription_update(subscription=subscription, **form.cleaned_data)
        messages.success(request, _("Your reminders are changed."))
        return redirect("reminders:manage", token=token)
    context = {
        "subscription": subscription,
        "form": form,
        "meetings": selectors.upcoming_meetings(group_id=subscription.group_id),
    }
    return render(request, "reminders/subscription_manage.html", context)


@csrf_exempt  # RFC 8058: mail clients POST here with no session; the token is the proof
def unsubscribe(request, token: str):
    subscription = selectors.subscription_by_token(token=token)
    if request.method == "POST":
        if subscription is not None:
            services.subscription_delete(subscription=subscription)
        return render(request, "reminders/subscription_unsubscribed.html")
    if subscription is None:
        return _link_gone(request)
    return render(
        request, "reminders/subscription_unsubscribe.html", {"subscription": subscription}
    )


def _link_gone(request):
    return render(request, "reminders/subscription_link_gone.html", status=404)


def _moderator_only(request) -> None:
    if not request.user.is_moderator:
        raise PermissionDenied


@login_required
def failed(request):
    _moderator_only(request)
    reminders = selectors.failed_reminders()[:200]
    return render(request, "reminders/reminder_failed.html", {"reminders": reminders})


@login_required
@require_POST
def retry(request, pk: int):
    _moderator_only(request)
    reminder = get_object_or_404(Reminder, pk=pk, state=Reminder.State.FAILED)
    services.reminder_retry(reminder=reminder)
    messages.success(request, _("The message is queued again."))
    return redirect("reminders:failed")
