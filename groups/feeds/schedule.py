"""When partners' feeds are imported, and what follows an import."""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from groups.models import FeedRecord, Partner, PartnerFeedState
from groups.services import occurrences_refresh


def partners_dispatch_due(*, now: datetime | None = None) -> int:
    """Queue an import for each active partner whose interval has passed. Returns how many.

    Each partner's slot is claimed with a conditional UPDATE of last_run_at, so two
    dispatchers (or one run twice) queue a partner once.
    """
    now = now or timezone.now()
    queued = 0
    partners = Partner.objects.filter(status=Partner.Status.ACTIVE).values_list(
        "pk", "refresh_minutes", "feed_url"
    )
    for partner_id, minutes, feed_url in partners:
        state, _created = PartnerFeedState.objects.get_or_create(partner_id=partner_id)
        if not feed_url and not state.upload:
            continue
        cutoff = now - timedelta(minutes=max(minutes, 1))
        claimed = (
            PartnerFeedState.objects.filter(pk=state.pk, running_since__isnull=True)
            .filter(Q(last_run_at__isnull=True) | Q(last_run_at__lte=cutoff))
            .update(last_run_at=now)
        )
        if claimed:
            queued += 1
            transaction.on_commit(lambda pid=partner_id: _queue_import(pid))
    return queued


def _queue_import(partner_id: int) -> None:
    from groups.feeds.tasks import import_partner

    import_partner.delay(partner_id)


def run_occurrences_refresh(*, run_id: int) -> int:
    """Materialize meetings for every listing a run created or changed."""
    created = 0
    ids = FeedRecord.objects.filter(applied_run_id=run_id, group__isnull=False).values_list(
        "group_id", flat=True
    )
    for group_id in ids.iterator(chunk_size=500):
        created += occurrences_refresh(group_id=group_id)
    return created
