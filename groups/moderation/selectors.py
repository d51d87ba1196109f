"""Reads for moderators: the queue and the side-by-side view of a revision."""

from django.db.models import QuerySet

from groups.models import ListingRevision
from groups.organizer.listing import FieldRow, field_rows, listing_snapshot


def revision_queue() -> QuerySet[ListingRevision]:
    """Pending revisions, oldest first, with what the queue shows."""
    return (
        ListingRevision.objects.filter(status=ListingRevision.Status.PENDING)
        .select_related("group__organization", "submitted_by")
        .order_by("submitted_at", "pk")
    )


def revision_rows(*, revision: ListingRevision) -> list[FieldRow]:
    """Published vs proposed, every field, labels in words; a new listing has no "before"."""
    if revision.kind == ListingRevision.Kind.NEW:
        return field_rows({}, revision.proposed)
    # Compare with what is live now, in case something else was approved in between.
    return field_rows(listing_snapshot(revision.group), revision.proposed)
