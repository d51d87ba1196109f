"""Geocode meeting places in bulk (offline gazetteer first, then the online geocoder if set)."""

from django.core.management.base import BaseCommand

from groups.models import Location
from groups.services import location_geocode


class Command(BaseCommand):
    help = "Locate meeting places that are not yet located (or, with --all, every one)."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="Redo places already located.")
        parser.add_argument(
            "--retry-failed", action="store_true", help="Also retry places that failed before."
        )

    def handle(self, *args, all=False, retry_failed=False, **options):
        locations = Location.objects.exclude(geocode_status=Location.GeocodeStatus.MANUAL)
        if not all:
            statuses = [Location.GeocodeStatus.PENDING]
            if retry_failed:
                statuses.append(Location.GeocodeStatus.FAILED)
            locations = locations.filter(geocode_status__in=statuses)
        counts = {Location.GeocodeStatus.OK: 0, Location.GeocodeStatus.FAILED: 0}
        for location_id in locations.values_list("pk", flat=True).iterator(chunk_size=500):
            status = location_geocode(location_id=location_id)
            counts[status] = counts.get(status, 0) + 1
        self.stdout.write(
            f"Located {counts[Location.GeocodeStatus.OK]} place(s); "
            f"{counts[Location.GeocodeStatus.FAILED]} could not be located "
            "(listed at /moderation/unlocated/)."
        )
