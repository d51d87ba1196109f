"""manage.py import_feed SOURCE --partner SLUG [--format ...] [--dry-run]"""

import sys
import time

from django.core.management.base import BaseCommand, CommandError

from groups.feeds.pipeline import feed_import
from groups.models import ImportRun, Partner


class Command(BaseCommand):
    help = "Import a partner's feed (a URL on the allow-list, a file, a folder or a zip)."

    def add_arguments(self, parser):
        parser.add_argument("source", help="URL, file, data package folder or zip")
        parser.add_argument("--partner", required=True, help="the partner's short name (slug)")
        parser.add_argument("--format", choices=[c for c, _label in Partner.Format.choices])
        parser.add_argument("--dry-run", action="store_true", help="report only; change nothing")
        parser.add_argument("--force", action="store_true", help="import even if unchanged")

    def handle(self, *args, source, partner, format, dry_run, force, **options):
        try:
            found = Partner.objects.get(slug=partner)
        except Partner.DoesNotExist:
            raise CommandError(f"No partner with the short name {partner!r}.") from None
        started = time.monotonic()

        def progress(count: int) -> None:
            rate = count / max(time.monotonic() - started, 0.001)
            sys.stderr.write(f"\r  {count:>9,} records read  ({rate:,.0f}/s)")
            sys.stderr.flush()

        run = feed_import(
            partner_id=found.pk,
            trigger=ImportRun.Trigger.COMMAND,
            source=source,
            format=format or "",
            dry_run=dry_run,
            force=force,
            progress=progress if options["verbosity"] >= 1 else None,
        )
        sys.stderr.write("\n")
        self._summary(run, time.monotonic() - started)
        if run.status in (ImportRun.Status.FAILED, ImportRun.Status.REJECTED):
            raise CommandError(run.message)

    def _summary(self, run: ImportRun, seconds: float) -> None:
        out = self.stdout
        out.write(f"{run.get_status_display()} in {seconds:.1f} s")
        if run.message:
            out.write(f"  {run.message}")
        out.write(
            f"  records {run.records_seen}, created {run.created}, updated {run.updated}, "
            f"unchanged {run.unchanged}, archived {run.archived}, rejected {run.rejected}"
        )
        for rejected in run.rejected_records.all()[:20]:
            out.write(f"  rejected #{rejected.position} {rejected.external_id}: {rejected.reason}")
        for category, values in (run.unmapped or {}).items():
            out.write(f"  kept as text ({category}): {sum(values.values())}")
