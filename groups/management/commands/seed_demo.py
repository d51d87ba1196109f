"""Load realistic demo data: `manage.py seed_demo [--if-empty] [--seed N]`."""

import time

from django.core.management.base import BaseCommand

from groups.demo import DEMO_PASSWORD, demo_seed
from groups.models import Group


class Command(BaseCommand):
    help = (
        "Load about 340 demo groups in 6 US metro areas, 4 rural counties and online, "
        "with demo accounts for an organizer, a case worker and a moderator."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing if groups already exist."
        )
        parser.add_argument(
            "--seed", type=int, default=2026, help="Random seed (same data each run)."
        )

    def handle(self, *args, if_empty=False, seed=2026, **options):
        if if_empty and Group.objects.exists():
            self.stdout.write("Demo data already present; nothing to do.")
            return
        started = time.monotonic()
        self.stdout.write("Loading demo data…")
        counts = demo_seed(seed=seed, say=self.stdout.write)
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {counts['groups']} groups and {counts['organizations']} organizations "
                f"in {time.monotonic() - started:.1f} s."
            )
        )
        self.stdout.write(
            "Demo accounts (password for each: "
            f"{DEMO_PASSWORD}):\n"
            "  organizer@demo.kindred.invalid   organizer, Riverside Peer Network\n"
            "  caseworker@demo.kindred.invalid  case worker, Eastside Family Services\n"
            "  moderator@demo.kindred.invalid   moderator (staff)"
        )
