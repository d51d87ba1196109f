from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import second_factor, selectors, services
from accounts.forms import EnrolForm, InvitationAcceptForm, InvitationForm, SecondFactorForm
from accounts.models import Membership


@login_required
def home(request):
    """Where a signed-in person lands: their organizations and what they can do there."""
    memberships = request.user.active_memberships()
    return render(request, "accounts/home.html", {"memberships": memberships})


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True

    def get_success_url(self):
        url = super().get_success_url()
        if second_factor.user_needs_second_factor(self.request.user):
            target = (
                "accounts:second_factor_verify"
                if second_factor.user_has_authenticator(self.request.user)
                else "accounts:second_factor_setup"
            )
            return f"{reverse(target)}?{urlencode({'next': url})}"
        return url


class PasswordChangeView(auth_views.PasswordChangeView):
    success_url = reverse_lazy("accounts:password_change_done")

    def form_valid(self, form):
        form.save()
        services.password_change_done(request=self.request, user=form.user)
        return redirect(self.get_success_url())


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        services.password_reset_done(request=self.request, user=form.user)
        return response


def _next_url(request, default="accounts:home") -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(default)


@login_required
@require_http_methods(["GET", "POST"])
def second_factor_setup(request):
    """First sign-in: add Kindred to an authenticator app, confirm with one code."""
    if second_factor.user_has_authenticator(request.user):
        return redirect(_next_url(request))
    device = second_factor.totp_device_pending(user=request.user)
    form = EnrolForm(request.POST or None)
    if form.is_valid():
        if second_factor.totp_enrol_confirm(
            request=request, device=device, token=form.cleaned_data["token"]
        ):
            codes = second_factor.recovery_codes_replace(user=request.user)
            return render(
                request,
                "accounts/recovery_codes.html",
                {"codes": codes, "next": _next_url(request), "first_time": True},
            )
        form.add_error("token", _("That code did not work. Check the app and type the new code."))
    context = {
        "form": form,
        "qr_svg": second_factor.totp_qr_svg(device),
        "secret": second_factor.totp_secret_text(device),
        "next": _next_url(request),
    }
    return render(request, "accounts/second_factor_setup.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def second_factor_verify(request):
    """Every sign-in: a code from the app, or a recovery code."""
    if not second_factor.user_has_authenticator(request.user):
        return redirect(f"{reverse('accounts:second_factor_setup')}?{request.GET.urlencode()}")
    if request.user.is_verified():
        return redirect(_next_url(request))
    form = SecondFactorForm(request.POST or None)
    if form.is_valid():
        if second_factor.second_factor_verify(request=request, token=form.cleaned_data["token"]):
            return redirect(_next_url(request))
        form.add_error("token", _("That code did not work. Wait for a new code and try again."))
    return render(
        request, "accounts/second_factor_verify.html", {"form": form, "next": _next_url(request)}
    )


@login_required
@require_http_methods(["GET", "POST"])
def recovery_codes(request):
    """See how many recovery codes are left; make a new set (shown once)."""
    if request.method == "POST":
        codes = second_factor.recovery_codes_replace(user=request.user)
        return render(request, "accounts/recovery_codes.html", {"codes": codes})
    remaining = second_factor.recovery_codes_remaining(user=request.user)
    return render(request, "accounts/recovery_codes.html", {"remaining": remaining})


@login_required
@require_http_methods(["GET", "POST"])
def members(request, slug):
    """An organization admin's page: who is a member, invite someone, take access away."""
    organization = selectors.organization_for_member_admin(user=request.user, slug=slug)
    form = InvitationForm(request.POST or None)
    if form.is_valid():
        services.invitation_create(
            organization=organization,
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
            invited_by=request.user,
            language=get_language(),
        )
        messages.success(request, _("Invitation sent. The link works for a week."))
        return redirect("accounts:members", slug=slug)
    context = {
        "organization": organization,
        "memberships": selectors.memberships_of_organization(organization=organization),
        "invitations": selectors.pending_invitations(organization=organization),
        "form": form,
    }
    return render(request, "accounts/membership_list.html", context)


@login_required
@require_POST
def member_deactivate(request, slug, membership_pk):
    organization = selectors.organization_for_member_admin(user=request.user, slug=slug)
    membership = get_object_or_404(Membership, pk=membership_pk, organization=organization)
    if membership.user_id == request.user.pk:
        messages.error(request, _("You cannot take away your own access."))
    elif membership.is_active:
        services.membership_deactivate(membership=membership, by=request.user)
        messages.success(request, _("Access removed. They have been signed out everywhere."))
    return redirect("accounts:members", slug=slug)


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token):
    """The invited person sets their name and password, then enrols their second factor."""
    invitation = services.invitation_for_token(token)
    if invitation is None:
        return render(request, "accounts/invitation_invalid.html", status=404)
    form = InvitationAcceptForm(request.POST or None, email=invitation.email)
    if form.is_valid():
        user = services.invitation_accept(
            invitation=invitation,
            full_name=form.cleaned_data["full_name"],
            password=form.cleaned_data["password1"],
        )
        auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("accounts:second_factor_setup")
    context = {"form": form, "invitation": invitation}
    return render(request, "accounts/invitation_accept.html", context)
