from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Organization, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["organization"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_staff", "is_active"]
    search_fields = ["email", "full_name"]
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["full_name"]}),
        (_("Access"), {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]}),
    ]
    filter_horizontal = ["groups"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "time_zone"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


def _admin_login(request, extra_context=None):
    """One sign-in page for everyone: the admin's own form would skip the rate limit and
    the second factor's first step. The 2FA middleware guards every admin page."""
    from django.contrib.auth.views import redirect_to_login
    from django.urls import reverse

    return redirect_to_login(request.GET.get("next") or reverse("admin:index"), "accounts:login")


admin.site.login = _admin_login


def _admin_password_change(request, extra_context=None):
    """Our password change page also ends the person's other sessions."""
    from django.shortcuts import redirect

    return redirect("accounts:password_change")


admin.site.password_change = _admin_password_change


class AuthenticatorAdmin(admin.ModelAdmin):
    """Moderators can see who has an authenticator and delete one (a lost phone: the person
    enrols again at next sign-in). The secret key and its QR code are never shown."""

    list_display = ["user", "name", "confirmed", "last_used_at"]
    list_filter = ["confirmed"]
    search_fields = ["user__email"]
    fields = ["user", "name", "confirmed", "last_used_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def replace_otp_admin() -> None:
    """Called from AccountsConfig.ready(), after django-otp registered its own admin, whose
    pages show every person's TOTP secret to anyone with the change permission."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if admin.site.is_registered(TOTPDevice):
        admin.site.unregister(TOTPDevice)
    admin.site.register(TOTPDevice, AuthenticatorAdmin)
