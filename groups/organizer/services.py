"""Writes for organizers: listings, schedules, single meetings, confirmation, reminders.

Keyword-only, typed, named <entity>_<action>. Every change to a listing writes a
`ListingChange` history row in the same transaction; work for a worker (refreshing
meetings, telling subscribers, emailing) is queued with `transaction.on_commit`.
"""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.models import Organization, User
from groups import notifications
from groups import tasks as group_tasks
from groups.models import (
    Group,
    ListingChange,
    ListingRevision,
    Location,
    Occurrence,
    Schedule,
    VerificationReminder,
)
from groups.organizer.listing import (
    ADDRESS_FIELDS,
    IMMEDIATE_FIELDS,
    MODERATED_FIELDS,
    apply_values,
    changed_fields,
    listing_snapshot,
    values_from_form,
)
from groups.schedule import zone
from groups.services import location_geocode_later

ACTION = ListingChange.Action


def history_record(
    *, group: Group, actor: User | None, action: str, changes: dict | None = None, note: str = ""
) -> ListingChange:
    return ListingChange.objects.create(
        group=group, actor=actor, action=action, changes=changes or {}, note=note[:500]
    )


def _queue_refresh(group_id: int) -> None:
    transaction.on_commit(lambda: group_tasks.refresh_occurrences.delay(group_id))


def location_save(*, group: Group, values: dict | None) -> None:
    """Create, update or detach the group's place from the form's location values.

    A place shared with other groups is never edited under them: this group gets its
    own copy. A changed address drops the old coordinates and waits for the geocoder.
    """
    if not values:
        group.location = None
        return
    location = group.location
    if location is not None and location.groups.exclude(pk=group.pk).exists():
        location = None
    if location is None:
        location = Location(geocode_status=Location.GeocodeStatus.PENDING)
    address_changed = any(
        (getattr(location, name) or "") != (values.get(name) or "") for name in ADDRESS_FIELDS
    )
    for name, value in values.items():
        setattr(location, name, value or "")
    if address_changed:
        location.latitude = location.longitude = None
        location.geocode_status = Location.GeocodeStatus.PENDING
    location.save()
    if address_changed:
        location_geocode_later(location_id=location.pk)
    group.location = location


def group_create(
    *,
    organization: Organization,
    kind: str,
    cleaned_data: dict,
    actor: User,
    when: dict | None = None,
) -> Group:
    """A new draft listing (and, for a one-off event, its single meeting)."""
    with transaction.atomic():
        group = Group(organization=organization, kind=kind, status=Group.Status.DRAFT)
        apply_values(group, values_from_form(cleaned_data, MODERATED_FIELDS + IMMEDIATE_FIELDS))
        location_save(group=group, values=cleaned_data.get("location"))
        group.save()
        if when is not None:
            Schedule.objects.create(
                group=group,
                rrule="",
                start_date=when["date"],
                start_time=when["start_time"],
                duration_minutes=when["duration_minutes"],
                time_zone=when["time_zone"],
            )
        history_record(
            group=group,
            actor=actor,
            action=ACTION.CREATED,
            changes=changed_fields({}, listing_snapshot(group)),
        )
        _queue_refresh(group.pk)
    return group


def listing_update(*, group: Group, cleaned_data: dict, actor: User) -> ListingRevision | None:
    """Save an organizer's edit.

    A listing nobody sees yet (draft, waiting, archived) changes at once. A published
    listing's public fields go into a pending revision and the public keeps seeing the
    published version until a moderator approves; operational fields (accepting new
    members, places) change at once either way. Returns the pending revision, if any.
    """
    with transaction.atomic():
        group = (
            Group.objects.select_for_update(of=("self",))
            .select_related("location")
            .get(pk=group.pk)
        )
        immediate = values_from_form(cleaned_data, IMMEDIATE_FIELDS, with_location=False)
        immediate_changes = changed_fields(
            {name: getattr(group, name) for name in IMMEDIATE_FIELDS}, immediate
        )
        apply_values(group, immediate)
        proposed = values_from_form(cleaned_data)
        current = listing_snapshot(group)
        revision = None
        if group.status != Group.Status.PUBLISHED:
            changes = {**immediate_changes, **changed_fields(current, proposed)}
            apply_values(group, proposed)
            if changed_fields(current, proposed):
                location_save(group=group, values=proposed["location"])
            group.save()
            if changes:
                history_record(group=group, actor=actor, action=ACTION.EDITED, changes=changes)
            revision = group.revisions.filter(status=ListingRevision.Status.PENDING).first()
            if revision is not None:
                revision.proposed = listing_snapshot(group)
                revision.save(update_fields=["proposed"])
        else:
            group.save(update_fields=[*IMMEDIATE_FIELDS, "updated_at"])
            if immediate_changes:
                history_record(
                    group=group, actor=actor, action=ACTION.EDITED, changes=immediate_changes
                )
            revision = _revision_propose(group=group, proposed=proposed, actor=actor)
        _queue_refresh(group.pk)
    return revision


def _revision_propose(*, group: Group, proposed: dict, actor: User) -> ListingRevision | None:
    """Store (or replace) the pending change to a published listing."""
    published = listing_snapshot(group)
    pending = group.revisions.select_for_update().filter(status=ListingRevision.Status.PENDING)
    revision = pending.first()
    changes = changed_fields(published, proposed)
    if not changes:
        if revision is not None:  # edited back to what is published: nothing to review
            revision.status = ListingRevision.Status.WITHDRAWN
            revision.decided_at = timezone.now()
            revision.save(update_fields=["status", "decided_at"])
        return None
    if revision is None:
        revision = ListingRevision(group=group, kind=ListingRevision.Kind.CHANGE)
    revision.proposed = proposed
    revision.published = published
    revision.submitted_by = actor
    revision.submitted_at = timezone.now()
    revision.save()
    history_record(group=group, actor=actor, action=ACTION.PROPOSED, changes=changes)
    return revision


def listing_submit(*, group: Group, actor: User) -> ListingRevision:
    """Send a draft for review: it waits for a moderator before anyone can find it."""
    with transaction.atomic():
        group = (
            Group.objects.select_for_update(of=("self",))
            .select_related("location")
            .get(pk=group.pk)
        )
        if group.status != Group.Status.DRAFT:
            raise ValueError("Only a draft can be sent for review.")
        group.status = Group.Status.PENDING
        group.save(update_fields=["status", "updated_at"])
        revision = ListingRevision.objects.create(
            group=group,
            kind=ListingRevision.Kind.NEW,
            proposed=listing_snapshot(group),
            published={},
            submitted_by=actor,
            submitted_at=timezone.now(),
        )
        history_record(group=group, actor=actor, action=ACTION.SUBMITTED)
    return revision


def listing_confirm(*, group: Group, actor: User, now: datetime | None = None) -> None:
    """The organizer says the listing is still right: restart the 90-day clock."""
    now = now or timezone.now()
    with transaction.atomic():
        Group.objects.filter(pk=group.pk).update(last_verified_at=now, updated_at=now)
        group.last_verified_at = now
        history_record(group=group, actor=actor, action=ACTION.CONFIRMED)


# --- Schedules ------------------------------------------------------------------------------

SCHEDULE_FIELDS = ("rrule", "start_date", "start_time", "duration_minutes", "time_zone", "end_date")


def _schedule_values(schedule: Schedule) -> dict:
    return {
        "schedule": schedule.describe(),
        "time_zone": schedule.time_zone,
        "start_date": schedule.start_date.isoformat(),
        "end_date": schedule.end_date.isoformat() if schedule.end_date else None,
    }


def schedule_create(*, group: Group, cleaned_data: dict, actor: User) -> Schedule:
    with transaction.atomic():
        schedule = Schedule.objects.create(
            group=group, **{name: cleaned_data[name] for name in SCHEDULE_FIELDS}
        )
        history_record(
            group=group,
            actor=actor,
            action=ACTION.SCHEDULE_ADDED,
            changes={"schedule": [None, schedule.describe()]},
        )
        _queue_refresh(group.pk)
    return schedule


def schedule_update(*, schedule: Schedule, cleaned_data: dict, actor: User) -> Schedule:
    """Change a series. Meetings already cancelled or moved keep their state."""
    with transaction.atomic():
        before = schedule.describe()
        for name in SCHEDULE_FIELDS:
            setattr(schedule, name, cleaned_data[name])
        schedule.save()
        history_record(
            group=schedule.group,
            actor=actor,
            action=ACTION.SCHEDULE_CHANGED,
            changes={"schedule": [before, schedule.describe()]},
        )
        _queue_refresh(schedule.group_id)
    return schedule


def schedule_delete(*, schedule: Schedule, actor: User) -> None:
    """Remove a series. When someone has a reminder for one of its next meetings the
    schedule is only marked removed: the refresh then cancels those meetings and tells
    them (deleting it would delete the meetings and the reminders unannounced)."""
    from groups.reminders.selectors import occurrences_awaited

    with transaction.atomic():
        group = schedule.group
        history_record(
            group=group,
            actor=actor,
            action=ACTION.SCHEDULE_REMOVED,
            changes={"schedule": [schedule.describe(), None]},
        )
        to_come = Occurrence.objects.filter(schedule=schedule, starts_at__gt=timezone.now())
        if occurrences_awaited(occurrences=to_come):
            schedule.removed_at = timezone.now()
            schedule.save(update_fields=["removed_at", "updated_at"])
        else:
            schedule.delete()
        _queue_refresh(group.pk)


# --- Single meetings ------------------------------------------------------------------------


def _notify_changed(occurrence_id: int) -> None:
    # Looked up at call time, so the reminders capability (or a test) supplies it.
    notifications.occurrence_changed(occurrence_id=occurrence_id)


def occurrence_cancel(*, occurrence: Occurrence, reason: str, actor: User) -> Occurrence:
    """Cancel one meeting; the series and the other meetings stay as they are."""
    with transaction.atomic():
        occurrence = Occurrence.objects.select_for_update().get(pk=occurrence.pk)
        occurrence.status = Occurrence.Status.CANCELLED
        occurrence.note = reason
        occurrence.changed_at = timezone.now()
        occurrence.save(update_fields=["status", "note", "changed_at"])
        history_record(
            group=occurrence.group,
            actor=actor,
            action=ACTION.MEETING_CANCELLED,
            changes={"meeting": [occurrence.starts_at.isoformat(), None]},
            note=reason,
        )
        transaction.on_commit(lambda: _notify_changed(occurrence.pk))
        _queue_refresh(occurrence.group_id)
    return occurrence


def occurrence_move(
    *, occurrence: Occurrence, new_date: date, new_time: time, reason: str, actor: User
) -> Occurrence:
    """Move one meeting to another date or time, in its schedule's zone; same length."""
    with transaction.atomic():
        occurrence = (
            Occurrence.objects.select_for_update(of=("self",))
            .select_related("schedule")
            .get(pk=occurrence.pk)
        )
        length = occurrence.ends_at - occurrence.starts_at
        old_start = occurrence.starts_at
        starts = datetime.combine(new_date, new_time).replace(
            tzinfo=zone(occurrence.schedule.time_zone)
        )
        occurrence.starts_at = starts
        occurrence.ends_at = starts + length
        occurrence.status = Occurrence.Status.MOVED
        occurrence.note = reason
        occurrence.changed_at = timezone.now()
        occurrence.save(update_fields=["starts_at", "ends_at", "status", "note", "changed_at"])
        history_record(
            group=occurrence.group,
            actor=actor,
            action=ACTION.MEETING_MOVED,
            changes={"meeting": [old_start.isoformat(), starts.isoformat()]},
            note=reason,
        )
        transaction.on_commit(lambda: _notify_changed(occurrence.pk))
        _queue_refresh(occurrence.group_id)
    return occurrence


# --- Verification reminders -------------------------------------------------------------------


def verification_reminders_queue(*, now: datetime | None = None) -> int:
    """Record a reminder for each listing past the confirmation age, and queue its email.

    Idempotent: a (group, last confirmation) pair is reminded once, whatever the number
    of runs (a unique constraint says so). Returns how many new reminders it queued.
    """
    from groups.organizer import tasks

    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.KINDRED_VERIFY_REMIND_AFTER_DAYS)
    due = (
        Group.objects.filter(
            status__in=[Group.Status.PUBLISHED, Group.Status.PENDING],
            last_verified_at__lt=cutoff,
        )
        .exclude(
            Exists(
                VerificationReminder.objects.filter(
                    group=OuterRef("pk"), verified_at=OuterRef("last_verified_at")
                )
            )
        )
        .values_list("pk", "last_verified_at")
    )
    queued = 0
    for group_id, verified_at in due.iterator(chunk_size=500):
        try:
            with transaction.atomic():
                reminder = VerificationReminder.objects.create(
                    group_id=group_id, verified_at=verified_at
                )
        except IntegrityError:
            continue  # another run got there first
        transaction.on_commit(lambda pk=reminder.pk: tasks.send_verification_reminder.delay(pk))
        queued += 1
    return queued


def verification_reminder_send(*, reminder_id: int) -> bool:
    """Email the group's organizers once; True if this call sent it.

    The conditional update claims the row, so two workers never both send.
    """
    from config.emails import send_email
    from groups.organizer.selectors import organization_contacts

    with transaction.atomic():
        claimed = VerificationReminder.objects.filter(pk=reminder_id, sent_at__isnull=True).update(
            sent_at=timezone.now()
        )
        if claimed != 1:
            return False
        reminder = VerificationReminder.objects.select_related("group").get(pk=reminder_id)
        group = reminder.group
        for email in organization_contacts(organization_id=group.organization_id):
            send_email(
                to=[email],
                template="organizer/email/verification_reminder",
                context={"group": group, "days": settings.KINDRED_VERIFY_REMIND_AFTER_DAYS},
            )
    return True
