"""Approval requests and decisions are insert-only: a trigger refuses UPDATE on both
backends (a decision, once taken, is never rewritten; a new request is a new row)."""

from django.db import migrations

TABLES = ["outreach_approval", "outreach_approvaldecision"]

POSTGRES_CREATE = """
CREATE OR REPLACE FUNCTION outreach_approval_insert_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is insert-only: UPDATE refused', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
""" + "".join(f"""
CREATE TRIGGER {table}_insert_only BEFORE UPDATE ON {table}
    FOR EACH ROW EXECUTE FUNCTION outreach_approval_insert_only();
""" for table in TABLES)

POSTGRES_DROP = "".join(f"DROP TRIGGER IF EXISTS {table}_insert_only ON {table};\n"
                        for table in TABLES) + \
    "DROP FUNCTION IF EXISTS outreach_approval_insert_only();"

SQLITE_CREATE = [f"""CREATE TRIGGER {table}_insert_only BEFORE UPDATE ON {table}
    BEGIN SELECT RAISE(ABORT, '{table} is insert-only: UPDATE refused'); END"""
                 for table in TABLES]
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {table}_insert_only" for table in TABLES]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        # params=None: the function body's '%' is PL/pgSQL's, not a query placeholder.
        schema_editor.execute(POSTGRES_CREATE, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_CREATE:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_DROP, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("outreach", "0019_approvals")]
    operations = [migrations.RunPython(forwards, backwards)]
