"""Access-log reviews are insert-only: a trigger refuses UPDATE on both backends."""

from django.db import migrations

TABLE = "households_accessreview"
POSTGRES_CREATE = f"""
CREATE OR REPLACE FUNCTION {TABLE}_insert_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{TABLE} is insert-only: UPDATE refused';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER {TABLE}_insert_only BEFORE UPDATE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION {TABLE}_insert_only();
"""
POSTGRES_DROP = f"""
DROP TRIGGER IF EXISTS {TABLE}_insert_only ON {TABLE};
DROP FUNCTION IF EXISTS {TABLE}_insert_only();
"""
SQLITE_CREATE = f"""CREATE TRIGGER {TABLE}_insert_only BEFORE UPDATE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{TABLE} is insert-only: UPDATE refused'); END"""
SQLITE_DROP = f"DROP TRIGGER IF EXISTS {TABLE}_insert_only"


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_CREATE)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_CREATE)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_DROP)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_DROP)


class Migration(migrations.Migration):
    dependencies = [("households", "0010_access_review")]
    operations = [migrations.RunPython(forwards, backwards)]
