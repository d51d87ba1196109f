"""One import per partner at a time: a claim taken with a conditional UPDATE.

The UPDATE changes the row only if nobody holds it (or the holder has been gone longer
than KINDRED_FEED_LOCK_MINUTES), so of two workers exactly one sees "1 row changed".
It works the same on PostgreSQL and SQLite and needs no cache.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from groups.models import PartnerFeedState


def partner_claim(*, partner_id: int) -> bool:
    PartnerFeedState.objects.get_or_create(partner_id=partner_id)
    now = timezone.now()
    stale = now - timedelta(minutes=settings.KINDRED_FEED_LOCK_MINUTES)
    claimed = (
        PartnerFeedState.objects.filter(partner_id=partner_id)
        .filter(Q(running_since__isnull=True) | Q(running_since__lt=stale))
        .update(running_since=now)
    )
    return claimed == 1


def partner_release(*, partner_id: int) -> None:
    PartnerFeedState.objects.filter(partner_id=partner_id).update(running_since=None)
