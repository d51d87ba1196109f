"""Referrals: a case worker sends a client to a group, with the client's consent.

A referral holds the least the work needs. Client fields are encrypted at rest
(`EncryptedTextField`), every view, change, share and export writes an
`AuditEvent` (append-only), and a scheduled job erases the personal fields of
referrals closed longer than the retention period, keeping the outcome.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from referrals.fields import EncryptedTextField


class Status(models.TextChoices):
    SENT = "sent", _("Sent to the client")
    CLIENT_CONFIRMED = "client_confirmed", _("Client would like to go")
    ACCEPTED = "accepted", _("Accepted by the group")
    WAITLISTED = "waitlisted", _("On the waiting list")
    DECLINED = "declined", _("Declined by the group")
    ATTENDED = "attended", _("Attended")
    DID_NOT_ATTEND = "did_not_attend", _("Did not attend")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# Statuses that say how a referral ended; kept after the personal fields are erased.
OUTCOME_STATUSES = (Status.ATTENDED, Status.DID_NOT_ATTEND, Status.DECLINED, Status.WITHDRAWN)
OPEN_STATUSES = (Status.SENT, Status.CLIENT_CONFIRMED, Status.ACCEPTED, Status.WAITLISTED)


class ContactMethod(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("Text message")


class ReferralQuerySet(models.QuerySet):
    def for_agencies(self, agency_ids):
        return self.filter(agency_id__in=agency_ids)

    def for_providers(self, organization_ids):
        return self.filter(group__organization_id__in=organization_ids)


class Referral(models.Model):
    agency = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="referrals_made"
    )
    group = models.ForeignKey("groups.Group", on_delete=models.PROTECT, related_name="referrals")
    case_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referrals_made"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SENT)
    outcome = models.CharField(max_length=20, choices=Status.choices, blank=True)

    # Client fields: encrypted, erased at the end of the retention period.
    client_name = EncryptedTextField(_("client's name or initials"), blank=True)
    contact_method = models.CharField(max_length=10, choices=ContactMethod.choices)
    contact_value = EncryptedTextField(_("email address or phone number"), blank=True)
    preferred_language = models.CharField(_("preferred language"), max_length=8, blank=True)
    notes = EncryptedTextField(_("notes for the organizer"), blank=True)

    # The client's private link: only a hash of the token is kept.
    link_token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    link_expires_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(default=timezone.now)
    # Any status change or response; the follow-up job measures quiet from here.
    last_activity_at = models.DateTimeField(default=timezone.now)
    # The quiet period a follow-up was sent for (its last_activity_at): one per period.
    followup_sent_for = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    purged_at = models.DateTimeField(null=True, blank=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_at__isnull=False) | ~Q(status="closed"),
                name="referral_closed_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "status"], name="referral_agency_status"),
            models.Index(fields=["status", "last_activity_at"], name="referral_status_activity"),
            models.Index(fields=["status", "closed_at"], name="referral_status_closed"),
        ]

    def __str__(self) -> str:
        # Never the client's name: this string reaches logs and admin titles.
        return f"Referral #{self.pk}"

    @property
    def is_purged(self) -> bool:
        return self.purged_at is not None


class Consent(models.Model):
    """The client's consent, recorded before anything is shared."""

    class Method(models.TextChoices):
        SIGNED_ON_SCREEN = "signed_on_screen", _("Signed on screen")
        VERBAL_WITNESSED = "verbal_witnessed", _("Said out loud, witnessed by me")
        WRITTEN = "written", _("On a signed paper form")

    referral = models.OneToOneField(Referral, on_delete=models.PROTECT, related_name="consent")
    # Who shares and with whom: fixed at the time consent is given.
    shared_by = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+"
    )
    shared_with = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+"
    )
    purpose = models.TextField()
    how_to_revoke = models.TextField()
    share_name = models.BooleanField(default=False)
    share_contact = models.BooleanField(default=False)
    share_language = models.BooleanField(default=False)
    share_notes = models.BooleanField(default=False)
    valid_until = models.DateField()
    method = models.CharField(max_length=20, choices=Method.choices)
    given_at = models.DateTimeField()
    witnessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    signature = EncryptedTextField(blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"Consent for referral #{self.referral_id}"

    def is_valid(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.revoked_at is None and self.valid_until >= today

    def shared_fields(self) -> list[str]:
        flags = {
            "name": self.share_name,
            "contact": self.share_contact,
            "language": self.share_language,
            "notes": self.share_notes,
        }
        return [name for name, on in flags.items() if on]


class StatusChange(models.Model):
    """One step in a referral's life: when, from what, to what, and who did it."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    at = models.DateTimeField(default=timezone.now)
    by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # "client" when the client answered through their link, "system" for jobs.
    by_label = models.CharField(max_length=20, blank=True)
    reason = EncryptedTextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"#{self.referral_id}: {self.from_status} → {self.to_status}"


class Outbox(models.Model):
    """A message waiting to go out. The web tier writes a row; a worker sends it."""

    class Kind(models.TextChoices):
        CLIENT_LINK = "client_link", _("Link to the client")
        FOLLOWUP = "followup", _("Follow-up to the case worker")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Could not be sent")
        CANCELLED = "cancelled", _("Not sent")

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="outbox")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    # An exception class name only: provider errors can echo addresses back.
    last_error = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["state", "created_at"], name="outbox_state_created")]

    def __str__(self) -> str:
        return f"Outbox #{self.pk} ({self.kind}, {self.state})"


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("Audit rows cannot be changed.")

    def delete(self):
        raise PermissionError("Audit rows cannot be deleted.")


class AuditEvent(models.Model):
    """Who did what to which referral, when, and from where. Append-only.

    The model refuses updates and deletes; on PostgreSQL a trigger refuses them too.
    """

    class Action(models.TextChoices):
        VIEW = "view", _("Viewed")
        CREATE = "create", _("Created")
        CHANGE = "change", _("Changed")
        SHARE = "share", _("Shared")
        EXPORT = "export", _("Exported")
        REVOKE = "revoke", _("Consent withdrawn")
        PURGE = "purge", _("Personal details erased")

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # "client" (private link), "system" (scheduled job) when there is no user.
    actor_label = models.CharField(max_length=20, blank=True)
    action = models.CharField(max_length=10, choices=Action.choices)
    referral = models.ForeignKey(
        Referral, on_delete=models.PROTECT, null=True, blank=True, related_name="audit_events"
    )
    # What, in words with no client data: "status sent → accepted", "report CSV".
    detail = models.CharField(max_length=200, blank=True)
    # Where from: the IP address with its last part zeroed (IPv4 /24, IPv6 /48).
    ip_prefix = models.CharField(max_length=45, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} #{self.referral_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise PermissionError("Audit rows cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit rows cannot be deleted.")
