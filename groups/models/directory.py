"""The directory: groups, where they meet, when they meet."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from groups import geo
from groups.fields import VocabularySetField
from groups.vocabularies import COST, FACILITATION, FORMAT


class Partner(models.Model):
    """A partner organization whose feed Kindred imports (see groups/feeds/)."""

    class Format(models.TextChoices):
        HSDS_JSON = "hsds-json", _("HSDS 3.0 JSON")
        HSDS_DATAPACKAGE = "hsds-datapackage", _("HSDS tabular data package")
        ICAL = "ical", _("iCalendar")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=80, unique=True)
    organization = models.ForeignKey(
        "accounts.Organization",
        on_delete=models.PROTECT,
        related_name="partners",
        help_text=_("The provider organization the imported groups belong to."),
    )
    feed_url = models.URLField(_("feed URL"), max_length=1000, blank=True)
    format = models.CharField(_("format"), max_length=20, choices=Format.choices)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default=settings.KINDRED_DEFAULT_TIME_ZONE,
        help_text=_("Feeds give numeric UTC offsets; meetings are placed in this zone."),
    )
    refresh_minutes = models.PositiveIntegerField(_("refresh every (minutes)"), default=24 * 60)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Location(models.Model):
    """A place where groups meet. Several groups may share one."""

    class GeocodeStatus(models.TextChoices):
        PENDING = "pending", _("Not yet located")
        OK = "ok", _("Located")
        FAILED = "failed", _("Could not be located")
        MANUAL = "manual", _("Placed by hand")

    name = models.CharField(_("place name"), max_length=200, blank=True)
    address_1 = models.CharField(_("street address"), max_length=200, blank=True)
    address_2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    city = models.CharField(_("city or town"), max_length=100, blank=True)
    region = models.CharField(_("state"), max_length=100, blank=True)
    postcode = models.CharField(_("ZIP code"), max_length=20, blank=True)
    country = models.CharField(_("country"), max_length=2, default="US")
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    geocode_status = models.CharField(
        max_length=10, choices=GeocodeStatus.choices, default=GeocodeStatus.PENDING
    )
    directions = models.TextField(
        _("how to get there"),
        blank=True,
        help_text=_("Bus routes, parking, which door to use, what floor."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="location_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="location_longitude_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.one_line()

    def one_line(self) -> str:
        parts = [self.address_1, self.address_2, self.city, self.region, self.postcode]
        return ", ".join(p for p in parts if p)

    @property
    def has_coordinates(self) -> bool:
        return geo.valid_coordinates(self.latitude, self.longitude)


# The columns the search filters on, in the search indexes after the columns each one
# seeks and orders by, so that a filtered search is answered from the index alone.
SEARCH_FILTER_COLUMNS = (
    "cost",
    "accessibility",
    "transport",
    "languages",
    "facilitation",
    "audience",
    "topics",
    "accepting_new_members",
)


class GroupQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Group.Status.PUBLISHED)

    def for_organization(self, organization):
        return self.filter(organization=organization)

    def for_public_display(self):
        """Published listings, less those unconfirmed for longer than the deployment allows.

        KINDRED_HIDE_UNCONFIRMED_AFTER_DAYS empty (the default) hides none of them.
        """
        from datetime import timedelta

        days = settings.KINDRED_HIDE_UNCONFIRMED_AFTER_DAYS
        listings = self.published()
        if days:
            cutoff = timezone.now() - timedelta(days=days)
            listings = listings.filter(last_verified_at__gte=cutoff)
        return listings

    def visible_in_search(self):
        return self.for_public_display()


class Group(models.Model):
    class Kind(models.TextChoices):
        GROUP = "group", _("Support group")
        EVENT = "event", _("One-off event")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING = "pending", _("Waiting for review")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    class Source(models.TextChoices):
        MANUAL = "manual", _("Entered by the organizer")
        FEED = "feed", _("Imported from a partner feed")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.GROUP)
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="groups"
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(
        _("about the group"), help_text=_("In plain words: who it is for and what it does.")
    )
    what_to_expect = models.TextField(
        _("what to expect at a first visit"),
        blank=True,
        help_text=_("Who greets people, whether they must speak, how long it lasts."),
    )
    format = models.CharField(_("format"), max_length=20, choices=FORMAT.choices)
    facilitation = models.CharField(
        _("who leads it"), max_length=20, choices=FACILITATION.choices, default="peer"
    )
    registration_required = models.BooleanField(
        _("registration needed"),
        default=False,
        help_text=_("Leave unticked if people can just drop in."),
    )
    accepting_new_members = models.BooleanField(_("accepting new members"), default=True)
    capacity = models.PositiveIntegerField(_("places available"), null=True, blank=True)

    audience = VocabularySetField(_("who it is for"), vocabulary="audience")
    topics = VocabularySetField(_("topics"), vocabulary="topics")
    languages = VocabularySetField(_("languages spoken"), vocabulary="languages")
    languages_other = models.CharField(
        _("other languages"), max_length=200, blank=True, help_text=_("Any not in the list.")
    )
    cost = models.CharField(_("cost"), max_length=20, choices=COST.choices, default="free")
    cost_amount = models.DecimalField(
        _("amount (US$)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    cost_detail = models.CharField(
        _("about the cost"),
        max_length=300,
        blank=True,
        help_text=_("For example: “$10 suggested, nobody turned away”."),
    )
    accessibility = VocabularySetField(_("accessibility"), vocabulary="accessibility")
    accessibility_detail = models.TextField(_("more about access"), blank=True)
    transport = VocabularySetField(_("getting there"), vocabulary="transport")

    location = models.ForeignKey(
        Location, on_delete=models.SET_NULL, null=True, blank=True, related_name="groups"
    )
    online_url = models.URLField(_("link to join online"), max_length=500, blank=True)
    online_url_public = models.BooleanField(
        _("show the joining link publicly"),
        default=False,
        help_text=_("If unticked, people ask you for the link."),
    )

    contact_name = models.CharField(_("contact name"), max_length=150, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    website = models.URLField(_("website"), max_length=500, blank=True)

    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MANUAL)
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, null=True, blank=True, related_name="groups"
    )
    external_id = models.CharField(max_length=255, blank=True)
    last_verified_at = models.DateTimeField(_("last confirmed current"), default=timezone.now)

    # Search columns, derived from the location and schedules by groups.services.
    latitude = models.FloatField(null=True, blank=True, editable=False)
    longitude = models.FloatField(null=True, blank=True, editable=False)
    grid_cell = models.IntegerField(null=True, blank=True, editable=False)
    meeting_days = VocabularySetField(vocabulary="days", editable=False)
    times_of_day = VocabularySetField(vocabulary="time_of_day", editable=False)
    next_meeting_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The IANA zone of that meeting's schedule, so a result list shows the local time
    # without reading the schedules ("" when there is no next meeting).
    next_meeting_time_zone = models.CharField(max_length=64, blank=True, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = GroupQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "external_id"],
                condition=Q(partner__isnull=False),
                name="group_partner_external_id_unique",
            ),
        ]
        indexes = [
            # The search prefilter (DESIGN.md, measured): grid cells, then the
            # distance and the filter columns straight from the index.
            models.Index(
                fields=[
                    "status",
                    "grid_cell",
                    "latitude",
                    "longitude",
                    "format",
                    *SEARCH_FILTER_COLUMNS,
                    # Last, so PostgreSQL answers from the index alone (an INCLUDE
                    # column would do, but SQLite warns about those).
                    "id",
                ],
                name="group_search_grid",
            ),
            # Online and phone groups (no location), ordered by their next meeting.
            models.Index(
                fields=[
                    "status",
                    "format",
                    "next_meeting_at",
                    *SEARCH_FILTER_COLUMNS,
                    "id",
                ],
                name="group_search_remote",
            ),
            # Searches with no place (the front page, "only online"), by next meeting or
            # by name: read in order, stopping at the page. Without them PostgreSQL
            # sorted a million groups for the front page (1.2 s).
            # The filter columns follow, so filtered searches are answered from the index.
            models.Index(
                fields=[
                    "status",
                    "next_meeting_at",
                    "name",
                    "id",
                    "format",
                    *SEARCH_FILTER_COLUMNS,
                ],
                name="group_search_next",
            ),
            models.Index(fields=["status", "name", "id"], name="group_search_name"),
            models.Index(fields=["organization", "status"], name="group_org_status"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_online(self) -> bool:
        return self.format in ("online", "phone")

    @property
    def meets_in_person(self) -> bool:
        return self.format in ("in_person", "hybrid")


class ScheduleManager(models.Manager):
    """Schedules in use: a removed one is kept only while a cancelled meeting of it,
    which someone had a reminder for, is still to come (see `removed_at`)."""

    def get_queryset(self):
        return super().get_queryset().filter(removed_at__isnull=True)


class Schedule(models.Model):
    """When a group meets: an RFC 5545 rule in an IANA time zone.

    An empty rule is a single meeting on start_date (a one-off event).
    """

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="schedules")
    rrule = models.CharField(_("repeat rule"), max_length=500, blank=True)
    start_date = models.DateField(_("first meeting"))
    start_time = models.TimeField(_("starts at"))
    duration_minutes = models.PositiveIntegerField(_("length (minutes)"), default=90)
    time_zone = models.CharField(_("time zone"), max_length=64)
    end_date = models.DateField(_("last meeting"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Removed by the organizer while someone had a reminder for one of its next
    # meetings: it makes no meetings and is hidden everywhere (`objects`), and its
    # meetings people were reminded of stay, cancelled, until they pass; then the
    # daily refresh deletes it. Without such reminders a schedule is deleted at once.
    removed_at = models.DateTimeField(null=True, blank=True, editable=False)

    all_objects = models.Manager()
    objects = ScheduleManager()

    class Meta:
        base_manager_name = "all_objects"
        default_manager_name = "objects"
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gt=0, duration_minutes__lte=24 * 60),
                name="schedule_duration_range",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="schedule_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.describe()

    def describe(self) -> str:
        from groups.schedule import describe

        return describe(
            rule=self.rrule,
            start_date=self.start_date,
            start_time=self.start_time,
            duration_minutes=self.duration_minutes,
        )


class Occurrence(models.Model):
    """One meeting, materialized from a schedule for the weeks ahead."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")
        MOVED = "moved", _("Moved")

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="occurrences")
    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="occurrences")
    # The slot the rule produced: the meeting's identity even if it is moved.
    original_starts_at = models.DateTimeField()
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    note = models.CharField(_("reason"), max_length=300, blank=True)
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "original_starts_at"], name="occurrence_unique_slot"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="occurrence_ends_after_start"
            ),
        ]
        indexes = [
            models.Index(fields=["group", "starts_at"], name="occurrence_group_start"),
            models.Index(fields=["starts_at", "status"], name="occurrence_start_status"),
        ]

    def __str__(self) -> str:
        return f"{self.group} @ {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    def local_start(self):
        from groups.schedule import zone

        return self.starts_at.astimezone(zone(self.schedule.time_zone))
