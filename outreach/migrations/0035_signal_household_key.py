"""Signals keyed by (household_key, observation): one b-tree instead of two (the primary
key on the observation and the index by household), and one row per observation per
household (RiskSignal.pk says why). Existing rows get household_key from household_id;
they were unique on the observation, so they are on the pair.

Django does not migrate a table to or from a composite primary key by itself (its
AlterField on SQLite rebuilt the table with both keys): _primary_key_of does, both ways."""

from django.db import migrations, models


def _household_key_fill(apps, schema_editor):
    signals = apps.get_model("outreach", "RiskSignal").objects
    signals.filter(household__isnull=False).update(household_key=models.F("household_id"))


def _primary_key_of(apps, schema_editor):
    """The table given the primary key of the model as ``apps`` has it: SQLite rebuilds the
    table (as Django does to alter a column there); PostgreSQL swaps the constraint."""
    model = apps.get_model("outreach", "RiskSignal")
    if schema_editor.connection.vendor != "postgresql":
        schema_editor._remake_table(model)
        return
    table = model._meta.db_table
    with schema_editor.connection.cursor() as cursor:
        constraints = schema_editor.connection.introspection.get_constraints(cursor, table)
    for name, constraint in constraints.items():
        if constraint["primary_key"]:
            schema_editor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
    columns = ", ".join(field.column for field in model._meta.pk_fields)
    schema_editor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {table}_pkey "
                          f"PRIMARY KEY ({columns})")


class Migration(migrations.Migration):

    dependencies = [
        ('outreach', '0034_assessment_batch_block_range'),
    ]

    operations = [
        migrations.AddField(
            model_name='risksignal',
            name='household_key',
            field=models.BigIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(_household_key_fill, migrations.RunPython.noop),
        # Backwards, here the model has its old key again.
        migrations.RunPython(migrations.RunPython.noop, _primary_key_of),
        migrations.AddField(
            model_name='risksignal',
            name='pk',
            field=models.CompositePrimaryKey('household_key', 'observation', blank=True,
                                             editable=False, primary_key=True,
                                             serialize=False),
        ),
        migrations.SeparateDatabaseAndState(state_operations=[
            migrations.AlterField(
                model_name='risksignal',
                name='observation',
                field=models.UUIDField(editable=False),
            ),
        ]),
        # Forwards, here the model has its new key.
        migrations.RunPython(_primary_key_of, migrations.RunPython.noop),
        migrations.RemoveIndex(
            model_name='risksignal',
            name='signal_household_on',
        ),
    ]
