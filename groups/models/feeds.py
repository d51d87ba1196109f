"""Partner feed imports: per-partner state, run reports, staged and known records.

The Partner row itself lives in directory.py; everything the import pipeline
needs to remember between runs lives here, so the directory models stay small.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from groups.models.directory import Group, Partner

# The Group fields a partner feed can fill. A partner "owns" a subset of them:
# an update from the feed overwrites only owned fields, so an organizer's local
# edits to the others survive the next import.
FEED_FIELDS = (
    "name",
    "description",
    "what_to_expect",
    "format",
    "facilitation",
    "registration_required",
    "audience",
    "topics",
    "languages",
    "languages_other",
    "cost",
    "cost_amount",
    "cost_detail",
    "accessibility",
    "accessibility_detail",
    "online_url",
    "contact_email",
    "contact_phone",
    "website",
    "location",
    "schedules",
)


def default_owned_fields() -> list[str]:
    return list(FEED_FIELDS)


def partner_upload_path(instance, filename: str) -> str:
    return f"partner-feeds/{instance.partner_id}/{filename}"


class PartnerFeedState(models.Model):
    """What the pipeline remembers about one partner, and its run lock."""

    partner = models.OneToOneField(Partner, on_delete=models.CASCADE, related_name="feed_state")
    owned_fields = models.JSONField(
        _("fields the partner owns"),
        default=default_owned_fields,
        blank=True,
        help_text=_("Fields not listed here may be changed by the organizer and are kept."),
    )
    upload = models.FileField(
        _("uploaded feed file"), upload_to=partner_upload_path, blank=True, max_length=300
    )
    # The run lock: claimed with a conditional UPDATE (see groups/feeds/lock.py).
    running_since = models.DateTimeField(null=True, blank=True)
    last_hash = models.CharField(max_length=64, blank=True)
    last_record_count = models.PositiveIntegerField(default=0)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"feed state of {self.partner}"


class ImportRun(models.Model):
    """The report one import leaves: counts, and each rejected record with its reason."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Imported")
        UNCHANGED = "unchanged", _("Feed unchanged: nothing to do")
        REJECTED = "rejected", _("Rejected: nothing changed")
        FAILED = "failed", _("Failed: nothing changed")
        SKIPPED = "skipped", _("Skipped: another import was running")
        DRY_RUN = "dry_run", _("Dry run: nothing changed")

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", _("Scheduled")
        MANUAL = "manual", _("Run by a moderator")
        COMMAND = "command", _("Command line")
        UPLOAD = "upload", _("Uploaded file")

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="import_runs")
    trigger = models.CharField(max_length=10, choices=Trigger.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    source = models.CharField(max_length=1000, blank=True)
    format = models.CharField(max_length=20, choices=Partner.Format.choices)
    feed_hash = models.CharField(max_length=64, blank=True)
    feed_bytes = models.PositiveBigIntegerField(default=0)
    message = models.TextField(blank=True)
    records_seen = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    archived = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    # {"language": {"Klingon": 3}, ...}: values kept as text because no code fits.
    unmapped = models.JSONField(default=dict, blank=True)
    warnings = models.JSONField(default=dict, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["partner", "-started_at"], name="importrun_partner_recent")]

    def __str__(self) -> str:
        return f"{self.partner} {self.started_at:%Y-%m-%d %H:%M} {self.status}"

    @property
    def changed_nothing(self) -> bool:
        return self.status in (
            self.Status.REJECTED,
            self.Status.FAILED,
            self.Status.SKIPPED,
            self.Status.DRY_RUN,
            self.Status.UNCHANGED,
        )


class RejectedRecord(models.Model):
    """One record a run refused, with the reason in plain words."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="rejected_records")
    position = models.PositiveIntegerField()
    external_id = models.CharField(max_length=255, blank=True)
    reason = models.TextField()

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return f"#{self.position} {self.external_id}: {self.reason[:60]}"


class StagedRecord(models.Model):
    """A valid, mapped record waiting for the apply step of its run."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="staged_records")
    external_id = models.CharField(max_length=255)
    record_hash = models.CharField(max_length=64)
    # JSON text, not a JSONField: written once and read once by the pipeline, and bulk
    # inserts of text were several times faster than jsonb in the benchmark.
    payload = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "external_id"], name="staged_unique_per_run")
        ]

    def __str__(self) -> str:
        return self.external_id


class FeedRecord(models.Model):
    """The last applied version of one partner record: how a re-import skips the unchanged."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="feed_records")
    external_id = models.CharField(max_length=255)
    # The partner's service id: one service at several locations makes several listings.
    service_id = models.CharField(max_length=255)
    group = models.OneToOneField(
        Group, on_delete=models.CASCADE, related_name="feed_record", null=True, blank=True
    )
    record_hash = models.CharField(max_length=64, blank=True)
    # Values from the feed no Kindred vocabulary holds, kept as text for moderators.
    unmapped_text = models.TextField(blank=True)
    applied_run = models.ForeignKey(
        ImportRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "external_id"], name="feedrecord_partner_external_id"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner_id}:{self.external_id}"
