"""The access log can be neither emptied nor rewritten (개인정보의 안전성 확보조치 기준 제8조).

PostgreSQL: 0002's row trigger refuses UPDATE and young DELETE; TRUNCATE fires no row
trigger, so a statement trigger refuses it. SQLite (the embedded mode) gets the same
rules as RAISE(ABORT) triggers: DELETE only of rows past the two-year retention, which
purge_access_log removes.
"""

from django.db import migrations

POSTGRES_CREATE = """
CREATE OR REPLACE FUNCTION households_accesslog_no_truncate() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'households_accesslog is append-only: TRUNCATE refused';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER households_accesslog_no_truncate
    BEFORE TRUNCATE ON households_accesslog
    FOR EACH STATEMENT EXECUTE FUNCTION households_accesslog_no_truncate();
"""
POSTGRES_DROP = """
DROP TRIGGER IF EXISTS households_accesslog_no_truncate ON households_accesslog;
DROP FUNCTION IF EXISTS households_accesslog_no_truncate();
"""

# Django keeps SQLite datetimes as UTC text 'YYYY-MM-DD HH:MM:SS[.ffffff]', which
# compares in order with datetime('now').
SQLITE_CREATE = [
    """CREATE TRIGGER households_accesslog_no_update
       BEFORE UPDATE ON households_accesslog
       BEGIN SELECT RAISE(ABORT, 'households_accesslog is append-only: UPDATE refused'); END""",
    """CREATE TRIGGER households_accesslog_no_young_delete
       BEFORE DELETE ON households_accesslog
       WHEN OLD.at > datetime('now', '-730 days')
       BEGIN SELECT RAISE(ABORT, 'households_accesslog rows are kept two years: DELETE refused');
       END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS households_accesslog_no_update",
    "DROP TRIGGER IF EXISTS households_accesslog_no_young_delete",
]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_CREATE)
    elif vendor == "sqlite":
        for statement in SQLITE_CREATE:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_DROP)
    elif vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("households", "0004_api_token_admin")]
    operations = [migrations.RunPython(forwards, backwards)]
