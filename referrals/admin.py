"""Admin: the audit log, read-only, and referrals without any client field.

Moderators are staff; they read the audit log but never a client's details.
"""

from django.contrib import admin

from referrals.models import AuditEvent, Referral


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor", "actor_label", "action", "referral_id", "detail", "ip_prefix")
    list_filter = ("action",)
    fields = list_display
    date_hierarchy = "at"


@admin.register(Referral)
class ReferralAdmin(ReadOnlyAdmin):
    # Only what the report shows: never the encrypted client fields.
    list_display = ("id", "agency", "group", "status", "outcome", "created_at", "closed_at")
    list_filter = ("status", "outcome")
    fields = ("agency", "group", "status", "outcome", "created_at", "closed_at", "purged_at")
