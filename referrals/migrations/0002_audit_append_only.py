"""Audit rows are append-only, enforced by the database on PostgreSQL.

A trigger refuses every UPDATE and DELETE on referrals_auditevent, whoever
runs it (the application, the shell, an admin action). TRUNCATE is left to
the database owner (test teardown uses it).
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION referrals_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'referral audit rows are append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER referrals_auditevent_append_only
    BEFORE UPDATE OR DELETE ON referrals_auditevent
    FOR EACH ROW EXECUTE FUNCTION referrals_auditevent_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS referrals_auditevent_append_only ON referrals_auditevent;
DROP FUNCTION IF EXISTS referrals_auditevent_append_only();
"""


class PostgresRunSQL(migrations.RunSQL):
    """RunSQL that runs only on PostgreSQL (SQLite relies on the model's guards)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [("referrals", "0001_referrals")]

    operations = [PostgresRunSQL(sql=CREATE, reverse_sql=DROP)]
