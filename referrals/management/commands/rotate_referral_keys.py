"""Re-encrypt every client field with the newest key in KINDRED_FIELD_ENCRYPTION_KEYS.

Rotation: put the new key first in the setting (keep the old ones after it),
deploy, run this command, then remove the old keys. Safe to run twice.
"""

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from referrals.fields import EncryptedTextField, rotate_token
from referrals.models import Consent, Referral, StatusChange

MODELS = (Referral, Consent, StatusChange)
BATCH = 500


def rotate_model(model) -> int:
    """Rotate each encrypted column of `model` in place, reading raw tokens; returns rows."""
    columns = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
    table = model._meta.db_table
    names = ", ".join(f.column for f in columns)
    done = 0
    last_pk = 0
    quote = connection.ops.quote_name
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, {names} FROM {quote(table)} WHERE id > %s ORDER BY id LIMIT %s",  # noqa: S608
                [last_pk, BATCH],
            )
            rows = cursor.fetchall()
            for pk, *tokens in rows:
                fresh = [rotate_token(t) if t else t for t in tokens]
                sets = ", ".join(f"{quote(f.column)} = %s" for f in columns)
                cursor.execute(
                    f"UPDATE {quote(table)} SET {sets} WHERE id = %s",  # noqa: S608
                    [*fresh, pk],
                )
                last_pk = pk
        done += len(rows)
        if len(rows) < BATCH:
            return done


class Command(BaseCommand):
    help = "Re-encrypt referral client fields with the newest encryption key."

    def handle(self, *args, **options):
        for model in MODELS:
            count = rotate_model(model)
            self.stdout.write(f"{model._meta.label}: {count} rows re-encrypted")
