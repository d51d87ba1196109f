"""Erase the personal fields of referrals closed longer than the retention period.

The same job the scheduler runs nightly; safe to run by hand, and twice.
"""

from django.core.management.base import BaseCommand

from referrals.retention import referrals_purge_expired


class Command(BaseCommand):
    help = "Erase client details from referrals closed longer than KINDRED_REFERRAL_RETENTION_DAYS."

    def handle(self, *args, **options):
        count = referrals_purge_expired()
        self.stdout.write(f"{count} referrals erased")
