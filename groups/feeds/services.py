"""Writes for partner management. Keyword-only, typed, <entity>_<action>."""

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.text import get_valid_filename

from groups.models import FEED_FIELDS, ImportRun, Partner, PartnerFeedState


def partner_save(*, partner: Partner, owned_fields: list[str]) -> Partner:
    with transaction.atomic():
        partner.save()
        state, _created = PartnerFeedState.objects.get_or_create(partner=partner)
        state.owned_fields = [f for f in FEED_FIELDS if f in set(owned_fields)]
        state.save(update_fields=["owned_fields"])
    return partner


def partner_upload_store(*, partner: Partner, upload: UploadedFile) -> None:
    state, _created = PartnerFeedState.objects.get_or_create(partner=partner)
    if state.upload:
        state.upload.delete(save=False)
    state.upload.save(get_valid_filename(upload.name)[-100:] or "feed", upload, save=True)


def partner_import_queue(*, partner: Partner, trigger: str = ImportRun.Trigger.MANUAL) -> None:
    """Queue an import after the current transaction commits (ids only)."""
    from groups.feeds.tasks import import_partner

    transaction.on_commit(lambda: import_partner.delay(partner.pk, trigger))
