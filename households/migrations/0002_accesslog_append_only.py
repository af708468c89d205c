"""On PostgreSQL the access log is append-only: a trigger refuses UPDATE, and DELETE
of any row younger than the two-year retention (개인정보의 안전성 확보조치 기준 제8조)."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION households_accesslog_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION 'households_accesslog is append-only: UPDATE refused';
    END IF;
    IF OLD.at > now() - interval '730 days' THEN
        RAISE EXCEPTION 'households_accesslog rows are kept two years: DELETE refused';
    END IF;
    RETURN OLD;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER households_accesslog_append_only
    BEFORE UPDATE OR DELETE ON households_accesslog
    FOR EACH ROW EXECUTE FUNCTION households_accesslog_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS households_accesslog_append_only ON households_accesslog;
DROP FUNCTION IF EXISTS households_accesslog_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("households", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
