"""Moderators' writes: approve or send back a revision, archive a listing.

Decisions are emailed to the organizer by a task queued after commit.
"""

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from groups import tasks as group_tasks
from groups.models import Group, ListingChange, ListingRevision
from groups.organizer.listing import apply_values, changed_fields, listing_snapshot
from groups.organizer.services import history_record, location_save

ACTION = ListingChange.Action


class DecisionError(ValueError):
    """The revision was already decided (another moderator, or a second click)."""


def _claim(revision_id: int) -> ListingRevision:
    revision = (
        ListingRevision.objects.select_for_update(of=("self",))
        .select_related("group__location")
        .get(pk=revision_id)
    )
    if revision.status != ListingRevision.Status.PENDING:
        raise DecisionError("This revision has already been decided.")
    return revision


def _queue_decision_email(revision_id: int) -> None:
    from groups.moderation import tasks

    transaction.on_commit(lambda: tasks.send_decision_email.delay(revision_id))


def revision_approve(*, revision: ListingRevision, moderator: User, note: str = "") -> Group:
    """Publish a new listing, or apply a change to a published one, as proposed."""
    with transaction.atomic():
        revision = _claim(revision.pk)
        group = (
            Group.objects.select_for_update(of=("self",))
            .select_related("location")
            .get(pk=revision.group_id)
        )
        before = listing_snapshot(group)
        apply_values(group, revision.proposed)
        if changed_fields(before, revision.proposed):
            location_save(group=group, values=revision.proposed.get("location"))
        now = timezone.now()
        if revision.kind == ListingRevision.Kind.NEW:
            group.status = Group.Status.PUBLISHED
            group.last_verified_at = now
        group.save()
        revision.status = ListingRevision.Status.APPROVED
        revision.decided_by, revision.decided_at, revision.note = moderator, now, note
        revision.save(update_fields=["status", "decided_by", "decided_at", "note"])
        history_record(
            group=group,
            actor=moderator,
            action=ACTION.APPROVED,
            changes=changed_fields(before, revision.proposed),
            note=note,
        )
        transaction.on_commit(lambda: group_tasks.refresh_occurrences.delay(group.pk))
        _queue_decision_email(revision.pk)
    return group


def revision_send_back(*, revision: ListingRevision, moderator: User, note: str) -> None:
    """Return the proposal to the organizer with a note; the public listing is unchanged."""
    with transaction.atomic():
        revision = _claim(revision.pk)
        group = revision.group
        if revision.kind == ListingRevision.Kind.NEW:
            Group.objects.filter(pk=group.pk, status=Group.Status.PENDING).update(
                status=Group.Status.DRAFT, updated_at=timezone.now()
            )
        revision.status = ListingRevision.Status.SENT_BACK
        revision.decided_by, revision.decided_at, revision.note = moderator, timezone.now(), note
        revision.save(update_fields=["status", "decided_by", "decided_at", "note"])
        history_record(group=group, actor=moderator, action=ACTION.SENT_BACK, note=note)
        _queue_decision_email(revision.pk)


def listing_archive(*, group: Group, moderator: User, note: str) -> None:
    """Take a listing out of the directory. Nothing is deleted; pending reviews close."""
    with transaction.atomic():
        group = Group.objects.select_for_update().get(pk=group.pk)
        old_status = group.status
        group.status = Group.Status.ARCHIVED
        group.save(update_fields=["status", "updated_at"])
        group.revisions.filter(status=ListingRevision.Status.PENDING).update(
            status=ListingRevision.Status.WITHDRAWN, decided_by=moderator, decided_at=timezone.now()
        )
        history_record(
            group=group,
            actor=moderator,
            action=ACTION.ARCHIVED,
            changes={"status": [old_status, Group.Status.ARCHIVED]},
            note=note,
        )


def decision_email_send(*, revision_id: int) -> None:
    """Tell whoever proposed the listing (or, failing that, the organization) the outcome."""
    from config.emails import send_email
    from groups.organizer.selectors import organization_contacts

    revision = ListingRevision.objects.select_related("group", "submitted_by").get(pk=revision_id)
    approved = revision.status == ListingRevision.Status.APPROVED
    submitter = revision.submitted_by
    if submitter is not None and submitter.is_active:
        recipients = [submitter.email]
    else:
        recipients = organization_contacts(organization_id=revision.group.organization_id)
    template = (
        "moderation/email/listing_approved" if approved else "moderation/email/listing_sent_back"
    )
    for email in recipients:
        send_email(
            to=[email], template=template, context={"revision": revision, "group": revision.group}
        )
