"""What organizers propose, what moderators decide, and what happened to a listing.

A published listing never changes under the public's eyes: an organizer's change
to its public fields is stored as a pending `ListingRevision` (the proposed values
as JSON, location and vocabulary codes included) and applied only on approval.
`ListingChange` is the history of every change (who, when, which fields old→new).
`VerificationReminder` records each "is this still current?" email, one per group
and confirmation, so the weekly job can run any number of times and email once.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from groups.models.directory import Group


class ListingRevision(models.Model):
    class Kind(models.TextChoices):
        NEW = "new", _("New listing")
        CHANGE = "change", _("Change to a published listing")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        APPROVED = "approved", _("Approved")
        SENT_BACK = "sent_back", _("Sent back")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="revisions")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # The listing's public fields as they would be after approval (see listing_snapshot).
    proposed = models.JSONField()
    # The published values the proposal was made against, for the side-by-side diff.
    published = models.JSONField(default=dict, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    submitted_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(_("note to the organizer"), blank=True)

    class Meta:
        ordering = ["submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["group"],
                condition=Q(status="pending"),
                name="revision_one_pending_per_group",
            ),
        ]
        indexes = [models.Index(fields=["status", "submitted_at"], name="revision_queue")]

    def __str__(self) -> str:
        return f"{self.group} ({self.get_kind_display()}, {self.get_status_display()})"


class ListingChange(models.Model):
    """One entry in a listing's history."""

    class Action(models.TextChoices):
        CREATED = "created", _("Created")
        EDITED = "edited", _("Edited")
        PROPOSED = "proposed", _("Change sent for review")
        SUBMITTED = "submitted", _("Sent for review")
        APPROVED = "approved", _("Approved")
        SENT_BACK = "sent_back", _("Sent back")
        ARCHIVED = "archived", _("Archived")
        CONFIRMED = "confirmed", _("Confirmed still current")
        SCHEDULE_ADDED = "schedule_added", _("Schedule added")
        SCHEDULE_CHANGED = "schedule_changed", _("Schedule changed")
        SCHEDULE_REMOVED = "schedule_removed", _("Schedule removed")
        MEETING_CANCELLED = "meeting_cancelled", _("Meeting cancelled")
        MEETING_MOVED = "meeting_moved", _("Meeting moved")

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="changes")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    # {field: [old, new]}; values as stored in a snapshot (codes, not labels).
    changes = models.JSONField(default=dict, blank=True)
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["group", "created_at"], name="listingchange_group")]

    def __str__(self) -> str:
        return f"{self.group}: {self.get_action_display()}"


class VerificationReminder(models.Model):
    """One "is this still current?" email, for one group and one confirmation date."""

    group = models.ForeignKey(
        Group, on_delete=models.CASCADE, related_name="verification_reminders"
    )
    # The group's last_verified_at when the reminder was due: a new confirmation
    # starts a new cycle, and the same cycle can never be reminded twice.
    verified_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["group", "verified_at"], name="verification_reminder_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group} @ {self.verified_at:%Y-%m-%d}"
