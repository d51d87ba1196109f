"""The import pipeline: fetch → hash → parse (stream) → validate → stage → apply → archive.

`feed_import` is the only entry point (the command, the Celery task and the partner
page call it). Whatever happens, it returns the run's report and leaves the directory
either fully updated or exactly as it was.
"""

import hashlib
import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Value
from django.utils import timezone
from django.utils.translation import gettext as _

from groups.feeds import apply, parse_datapackage, parse_hsds_json, parse_ical
from groups.feeds.fetch import FetchedFeed, FetchError, fetch_url, local_source
from groups.feeds.lock import partner_claim, partner_release
from groups.feeds.mapping import MappingError, Notes, services_to_listings
from groups.feeds.records import FeedParseError, RawRecord
from groups.feeds.validate import SchemasMissing, record_errors
from groups.models import FeedRecord, ImportRun, Partner, PartnerFeedState, StagedRecord
from groups.schedule import ScheduleError

logger = logging.getLogger("kindred.feeds")

MAPPING_VERSION = "1"
STAGE_BATCH = 1000
MAX_REJECTED_KEPT = 1000  # rows kept per run; the count is always exact
MAX_UNMAPPED_VALUES = 50  # distinct values kept per category in the report


@dataclass
class _Tally:
    seen_listings: set = field(default_factory=set)
    seen_services: set = field(default_factory=set)
    unmapped: dict = field(default_factory=dict)
    warnings: dict = field(default_factory=dict)
    rejected_rows: list = field(default_factory=list)


def feed_import(
    *,
    partner_id: int,
    trigger: str,
    source: str = "",
    format: str = "",
    dry_run: bool = False,
    force: bool = False,
    refresh_occurrences: bool = True,
    progress: Callable[[int], None] | None = None,
) -> ImportRun:
    """Import one partner's feed. `source` is a URL or a path; empty means the partner's."""
    partner = Partner.objects.get(pk=partner_id)
    state, _created = PartnerFeedState.objects.get_or_create(partner=partner)
    upload = state.upload.path if state.upload else ""
    if trigger == ImportRun.Trigger.UPLOAD:
        source = source or upload
    source = source or partner.feed_url or upload
    run = ImportRun.objects.create(
        partner=partner,
        trigger=trigger,
        format=format or partner.format,
        source=_describe_source(source),
    )
    if not partner_claim(partner_id=partner.pk):
        return _finish(
            run, ImportRun.Status.SKIPPED, _("Another import of this partner is running.")
        )
    feeds: list[FetchedFeed] = []
    try:
        _run(run, partner, state, source, feeds, dry_run, force, refresh_occurrences, progress)
    except (FetchError, FeedParseError, SchemasMissing) as exc:
        _finish(run, ImportRun.Status.FAILED, str(exc))
    except Exception as exc:  # a crash must still leave a report and change nothing
        logger.exception("feed import %s of partner %s crashed", run.pk, partner.pk)
        _finish(
            run,
            ImportRun.Status.FAILED,
            _("An unexpected error stopped the import (%(kind)s). Nothing was changed.")
            % {"kind": exc.__class__.__name__},
        )
    finally:
        StagedRecord.objects.filter(run=run).delete()
        for feed in feeds:
            feed.cleanup()
        partner_release(partner_id=partner.pk)
    return run


def _run(run, partner, state, source, feeds, dry_run, force, refresh_occurrences, progress):
    if not source:
        raise FetchError(_("The partner has no feed address and no uploaded file."))
    records = _obtain(run, partner, source, feeds)
    if run.feed_hash == state.last_hash and not force and not dry_run:
        run.unchanged = run.records_seen = state.last_record_count
        _finish(run, ImportRun.Status.UNCHANGED, _("The feed is the same as last time."))
        return
    tally = _Tally()
    _stage(run, partner, state, records, tally, progress)
    _save_report(run, tally)
    reason = _threshold_breach(run, state)
    if reason:
        _finish(run, ImportRun.Status.REJECTED, reason)
        return
    if dry_run:
        apply.preview(run=run, partner=partner, seen=tally.seen_listings)
        _finish(run, ImportRun.Status.DRY_RUN, _("Dry run: nothing was changed."))
        return
    changed = apply.apply_run(run=run, partner=partner, state=state, seen=tally.seen_listings)
    PartnerFeedState.objects.filter(pk=state.pk).update(
        last_hash=run.feed_hash,
        last_record_count=run.records_seen,
        last_success_at=timezone.now(),
    )
    _finish(run, ImportRun.Status.SUCCEEDED, "")
    if refresh_occurrences and changed:
        from groups.feeds import tasks

        transaction.on_commit(lambda: tasks.refresh_run_occurrences.delay(run.pk))


# --- Fetch and parse ---------------------------------------------------------------------


def _obtain(run, partner, source, feeds) -> Iterator[RawRecord]:
    """Fetch every page, hash it all, and return the record stream."""
    fmt = run.format
    if source.startswith(("http://", "https://")) or "://" in source[:12]:
        first = fetch_url(source, budget=[settings.KINDRED_FEED_MAX_BYTES])
        feeds.append(first)
        budget = [settings.KINDRED_FEED_MAX_BYTES - first.size]
        if fmt == Partner.Format.HSDS_JSON:
            _follow_pages(source, first, feeds, budget)
        if fmt == Partner.Format.HSDS_DATAPACKAGE:
            first.path = _as_zip(first.path)
    else:
        feeds.append(local_source(Path(source)))
    digest = hashlib.sha256()
    for feed in feeds:
        digest.update(feed.sha256.encode())
    run.feed_hash = digest.hexdigest() if len(feeds) > 1 else feeds[0].sha256
    run.feed_bytes = sum(f.size for f in feeds)
    run.save(update_fields=["feed_hash", "feed_bytes"])
    return _records(fmt, [f.path for f in feeds], partner)


def _as_zip(path: Path) -> Path:
    target = path.with_suffix(".zip")
    path.rename(target)
    return target


def _follow_pages(url: str, first: FetchedFeed, feeds: list, budget: list) -> None:
    info = parse_hsds_json.page_info(first.path)
    if info is None:
        return
    page, last = info.page_number, min(info.total_pages, settings.KINDRED_FEED_MAX_PAGES)
    while page < last:
        page += 1
        feed = fetch_url(_with_page(url, page), budget=budget)
        feeds.append(feed)
        info = parse_hsds_json.page_info(feed.path)
        if info is None or info.page_number != page:
            raise FeedParseError(
                _("Page %(page)d of the feed is not a page of the same listing.") % {"page": page}
            )


def _with_page(url: str, page: int) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "page"] + [("page", str(page))]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _records(fmt: str, paths: list[Path], partner: Partner) -> Iterator[RawRecord]:
    if fmt == Partner.Format.HSDS_JSON:
        position = 0
        for path in paths:
            for record in parse_hsds_json.iter_records(path, start=position):
                position = record.position
                yield record
    elif fmt == Partner.Format.HSDS_DATAPACKAGE:
        yield from parse_datapackage.iter_records(paths[0])
    elif fmt == Partner.Format.ICAL:
        yield from parse_ical.iter_records(paths[0], default_zone=partner.time_zone)
    else:
        raise FeedParseError(_("Unknown feed format %(format)s.") % {"format": fmt})


# --- Validate, map, stage -----------------------------------------------------------------


def _record_hash(record: RawRecord, salt: str) -> str:
    text = json.dumps(
        [record.data, record.extras, salt], sort_keys=True, separators=(",", ":"), default=str
    )
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _stage(run, partner, state, records, tally: _Tally, progress) -> None:
    # service id -> (record hash, or "" if its listings disagree; its listings' external ids).
    # Compact tuples, read with a server-side cursor: this is the only per-record state
    # kept across the stream, and it is what keeps a re-import's memory small.
    known: dict[str, tuple[str, tuple[str, ...]]] = {}
    rows = FeedRecord.objects.filter(partner=partner).values_list(
        "service_id", "external_id", "record_hash"
    )
    for service_id, external_id, record_hash in rows.iterator(chunk_size=5000):
        previous = known.get(service_id)
        if previous is None:
            known[service_id] = (record_hash, (external_id,))
        else:
            same = previous[0] if previous[0] == record_hash else ""
            known[service_id] = (same, (*previous[1], external_id))
    salt = f"{MAPPING_VERSION}|{partner.time_zone}|{sorted(state.owned_fields)}"
    batch: list[StagedRecord] = []
    for record in records:
        run.records_seen += 1
        if progress and run.records_seen % 1000 == 0:
            progress(run.records_seen)
        service_id = _service_id(record.data)
        previous = known.get(service_id)
        if record.error:
            _reject(run, tally, record, service_id, record.error, previous)
            continue
        if service_id and service_id in tally.seen_services:
            reason = _("the id %(id)s appears more than once in the feed; the first was kept")
            _reject(run, tally, record, service_id, reason % {"id": service_id[:80]}, None)
            continue
        tally.seen_services.add(service_id)
        try:
            record_hash = _record_hash(record, salt)
        except (RecursionError, ValueError):
            _reject(run, tally, record, service_id, _("the record is nested too deeply"), previous)
            continue
        if previous and previous[0] and previous[0] == record_hash:
            run.unchanged += len(previous[1])
            tally.seen_listings.update(previous[1])
            continue
        errors = record_errors(record.data)
        if errors:
            _reject(run, tally, record, service_id, "; ".join(errors), previous)
            continue
        try:
            listings, notes = services_to_listings(
                record.data, time_zone=partner.time_zone, extras=record.extras
            )
        except (MappingError, ScheduleError) as exc:
            _reject(run, tally, record, service_id, str(exc), previous)
            continue
        _merge_notes(tally, notes)
        for external_id, payload in listings:
            if external_id in tally.seen_listings:
                continue
            tally.seen_listings.add(external_id)
            payload["service_id"] = service_id
            batch.append(
                StagedRecord(
                    run=run,
                    external_id=external_id,
                    # An expression here makes Django's PostgreSQL bulk insert use VALUES
                    # rather than UNNEST arrays, whose escaping of long JSON text was ~3x
                    # slower (measured in bench/import_feed.py).
                    record_hash=Value(record_hash),
                    payload=json.dumps(payload, separators=(",", ":")),
                )
            )
        if len(batch) >= STAGE_BATCH:
            StagedRecord.objects.bulk_create(batch)
            batch = []
    StagedRecord.objects.bulk_create(batch)


def _service_id(data) -> str:
    if isinstance(data, dict) and isinstance(data.get("id"), (str, int)):
        return str(data["id"]).strip()[:255]
    return ""


def _reject(run, tally: _Tally, record, service_id, reason, previous) -> None:
    run.rejected += 1
    if previous:
        # An invalid record keeps its listings as they are: it is still in the feed.
        tally.seen_listings.update(previous[1])
    if len(tally.rejected_rows) < MAX_REJECTED_KEPT:
        tally.rejected_rows.append((record.position, service_id, str(reason)[:1000]))


def _merge_notes(tally: _Tally, notes: Notes) -> None:
    for (category, value), count in notes.unmapped.items():
        values = tally.unmapped.setdefault(category, {})
        if value in values or len(values) < MAX_UNMAPPED_VALUES:
            values[value] = values.get(value, 0) + count
        else:
            values["(others)"] = values.get("(others)", 0) + count
    for message, count in notes.warnings.items():
        tally.warnings[message] = tally.warnings.get(message, 0) + count


def _save_report(run, tally: _Tally) -> None:
    from groups.models import RejectedRecord

    RejectedRecord.objects.bulk_create(
        RejectedRecord(run=run, position=p, external_id=i, reason=r)
        for p, i, r in tally.rejected_rows
    )
    run.unmapped = tally.unmapped
    run.warnings = tally.warnings
    run.save()


def _threshold_breach(run: ImportRun, state: PartnerFeedState) -> str:
    if run.records_seen == 0:
        return _("The feed holds no records.")
    share = run.rejected / run.records_seen
    if share > settings.KINDRED_FEED_MAX_INVALID_SHARE:
        return _(
            "%(pct)d%% of the records are invalid (the limit is %(limit)d%%): the whole feed "
            "was rejected and nothing changed."
        ) % {
            "pct": round(share * 100),
            "limit": round(settings.KINDRED_FEED_MAX_INVALID_SHARE * 100),
        }
    floor = state.last_record_count * settings.KINDRED_FEED_MIN_KEPT_SHARE
    if state.last_record_count and run.records_seen < floor:
        return _(
            "The feed has %(now)d records, fewer than half of the %(before)d it had last time: "
            "the whole feed was rejected and nothing changed."
        ) % {"now": run.records_seen, "before": state.last_record_count}
    return ""


def _finish(run: ImportRun, status: str, message: str) -> ImportRun:
    run.status = status
    run.message = message
    run.finished_at = timezone.now()
    if status != ImportRun.Status.SUCCEEDED and status != ImportRun.Status.DRY_RUN:
        run.created = run.updated = run.archived = 0
    run.save()
    PartnerFeedState.objects.filter(partner_id=run.partner_id).update(last_run_at=run.finished_at)
    return run


def _describe_source(source: str) -> str:
    """Where the feed came from, for the report: no query strings (they may hold keys)."""
    if "://" in source[:12]:
        parts = urlsplit(source)
        return urlunsplit(parts._replace(query="", fragment="", netloc=parts.hostname or ""))[:1000]
    return Path(source).name[:1000] if source else ""
