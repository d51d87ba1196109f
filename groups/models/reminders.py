"""Meeting reminders: who asked (subscriptions) and each message due to them (reminders).

A subscription holds an email address and/or phone number only while it lives:
unsubscribing, or letting an unconfirmed request expire, deletes the row, and
its reminder rows go with it. Reminder rows hold no personal data; they are the
work queue that the beat job claims and the workers send (see groups/reminders/).
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def new_token() -> str:
    """A random, unguessable capability for the confirm, manage and unsubscribe links."""
    return secrets.token_urlsafe(32)


class SubscriptionQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(confirmed_at__isnull=False)


class ReminderSubscription(models.Model):
    class Meetings(models.TextChoices):
        ALL = "all", _("Every meeting")
        NEXT = "next", _("The next meeting only")

    class Timing(models.TextChoices):
        DAY_BEFORE = "day_before", _("The day before")
        TWO_HOURS = "two_hours", _("Two hours before")
        BOTH = "both", _("Both")

    group = models.ForeignKey(
        "groups.Group", on_delete=models.CASCADE, related_name="reminder_subscriptions"
    )
    email = models.EmailField(_("email address"), blank=True)
    phone = models.CharField(_("mobile number"), max_length=20, blank=True)
    # Keyed HMAC of the normalized address: finds an earlier request by the same
    # person (rate limit, replacing an old subscription) without reading addresses.
    address_key = models.CharField(max_length=64, db_index=True)
    meetings = models.CharField(max_length=10, choices=Meetings.choices, default=Meetings.ALL)
    timing = models.CharField(max_length=12, choices=Timing.choices, default=Timing.DAY_BEFORE)
    language = models.CharField(max_length=10, default=settings.LANGUAGE_CODE)
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    # For "next meeting only": the meeting chosen when the reminders were switched on.
    occurrence = models.ForeignKey(
        "groups.Occurrence",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The case worker who set this up for a consenting client."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # An unconfirmed request is purged at this time; a confirmed one never expires.
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(email="") | ~Q(phone=""), name="reminder_subscription_has_address"
            ),
        ]

    def __str__(self) -> str:
        return f"reminder subscription {self.pk}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    def offsets(self) -> list[str]:
        """The reminder kinds this subscription wants before each meeting."""
        if self.timing == self.Timing.BOTH:
            return [Reminder.Kind.DAY_BEFORE, Reminder.Kind.TWO_HOURS]
        return [self.timing]


class Reminder(models.Model):
    """One message due to one subscriber: a confirmation, a reminder or a notice.

    The beat job claims due rows (state pending -> claimed, with a claim token and
    a lease); a worker sends and marks the row sent in the transaction that
    records the provider's acceptance. A lease that runs out puts the row back.
    """

    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", _("Confirmation request")
        DAY_BEFORE = "day_before", _("The day before")
        TWO_HOURS = "two_hours", _("Two hours before")
        CANCELLED = "cancelled", _("Meeting cancelled")
        MOVED = "moved", _("Meeting moved")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting")
        CLAIMED = "claimed", _("Being sent")
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Not needed any more")
        FAILED = "failed", _("Failed")

    # No index of its own: the unique constraint below starts with it. Fewer indexes
    # mean less work on the one UPDATE per sent message.
    subscription = models.ForeignKey(
        ReminderSubscription, on_delete=models.CASCADE, related_name="reminders", db_index=False
    )
    occurrence = models.ForeignKey(
        "groups.Occurrence",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminders",
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    due_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    claim_token = models.CharField(max_length=32, blank=True, default="")
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    # Per channel, so a retry after the email went out sends only the text message.
    email_sent_at = models.DateTimeField(null=True, blank=True)
    sms_sent_at = models.DateTimeField(null=True, blank=True)
    sms_message_id = models.CharField(max_length=100, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # An exception class name and a short reason; never an address or message body.
    last_error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "occurrence", "kind"], name="reminder_unique_per_meeting"
            ),
            # NULLs are distinct in a unique index: one confirmation per subscription.
            models.UniqueConstraint(
                fields=["subscription", "kind"],
                condition=Q(occurrence__isnull=True),
                name="reminder_unique_without_meeting",
            ),
            models.CheckConstraint(
                condition=Q(kind="confirmation") | Q(occurrence__isnull=False),
                name="reminder_meeting_unless_confirmation",
            ),
        ]
        # Partial indexes: a row marked sent leaves both, so they stay small and
        # the UPDATE that marks it sent does not write entries into them.
        indexes = [
            models.Index(fields=["due_at"], condition=Q(state="pending"), name="reminder_due"),
            models.Index(
                fields=["lease_expires_at"], condition=Q(state="claimed"), name="reminder_lease"
            ),
        ]

    def __str__(self) -> str:
        return f"reminder {self.pk} ({self.kind}, {self.state})"
