"""Demo data for trying Kindred locally. (Expanded by the directory work.)"""

import datetime as dt

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import Organization
from groups.models import Group, Location, Schedule
from groups.services import occurrences_refresh


class Command(BaseCommand):
    help = "Load realistic demo groups, organizations and accounts."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing if groups already exist."
        )

    def handle(self, *args, if_empty=False, **options):
        if if_empty and Group.objects.exists():
            self.stdout.write("Demo data already present; nothing to do.")
            return
        with transaction.atomic():
            org, _ = Organization.objects.get_or_create(
                slug="riverside-peer-network",
                defaults={"name": "Riverside Peer Network", "kind": Organization.Kind.PROVIDER},
            )
            location = Location.objects.create(
                name="Riverside Library",
                address_1="100 W Randolph St",
                city="Chicago",
                region="IL",
                postcode="60601",
                latitude=41.8847,
                longitude=-87.6324,
                geocode_status=Location.GeocodeStatus.OK,
            )
            group = Group.objects.create(
                organization=org,
                name="Tuesday Evening Depression Support",
                description="A peer-led group for adults living with depression.",
                what_to_expect="A volunteer greets you at the door. You never have to speak.",
                format="in_person",
                status=Group.Status.PUBLISHED,
                location=location,
                languages=("en", "es"),
                topics=("depression",),
                accessibility=("step_free", "accessible_toilet"),
                transport=("near_transit",),
            )
            Schedule.objects.create(
                group=group,
                rrule="FREQ=WEEKLY;BYDAY=TU",
                start_date=dt.date(2026, 1, 6),
                start_time=dt.time(18, 0),
                duration_minutes=90,
                time_zone="America/Chicago",
            )
        occurrences_refresh(group_id=group.pk)
        self.stdout.write(self.style.SUCCESS("Loaded demo data."))
