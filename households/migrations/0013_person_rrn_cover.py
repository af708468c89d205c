"""PostgreSQL: a covering index for matching agency rows by the keyed RRN hash — the
person and household ids come from the index alone (an index-only scan), not from a
visit to the table per row (outreach.services.signal_staging)."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS person_rrn_cover ON households_person (rrn_hash) "
            "INCLUDE (id, household_id) WHERE rrn_hash IS NOT NULL")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS person_rrn_cover")


class Migration(migrations.Migration):
    dependencies = [("households", "0012_retention")]
    operations = [migrations.RunPython(create, drop)]
