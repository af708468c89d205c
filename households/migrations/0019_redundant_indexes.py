"""Three indexes that others already serve, dropped: every registry write paid for them
(a candidate household and its person by a signal round, each registration by staff).
households_household.dong_id: household_dong_id (dong_id, id) and household_dong_addr
lead with it. households_person.household_id: person_household_head (household_id,
is_head) leads with it. households_person.name_key, and its pattern-ops twin: only ever
compared whole, and person_name_birth_cover (name_key, birth_date) leads with it.

Only the indexes go: Django's own AlterField would drop and re-add both foreign keys,
checking every row of the registry again under lock."""

import django.db.models.deletion
from django.db import migrations, models

_INDEXES = (
    ("households_household_dong_id_fa68c04a", "households_household", "dong_id"),
    ("households_person_household_id_c0781c3f", "households_person", "household_id"),
    ("households_person_name_key_dbb9b37f", "households_person", "name_key"),
)
_PATTERN_OPS = ("households_person_name_key_dbb9b37f_like", "households_person",
                "name_key varchar_pattern_ops")


def _drop(apps, schema_editor):
    for name, _table, _column in (*_INDEXES, _PATTERN_OPS):
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


def _create(apps, schema_editor):
    indexes = _INDEXES
    if schema_editor.connection.vendor == "postgresql":
        indexes = (*indexes, _PATTERN_OPS)
    for name, table, column in indexes:
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ({column})')


class Migration(migrations.Migration):

    dependencies = [
        ('households', '0018_name_match_covering'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(_drop, _create)],
            state_operations=[
                migrations.AlterField(
                    model_name='household',
                    name='dong',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='households', to='households.dong'),
                ),
                migrations.AlterField(
                    model_name='person',
                    name='household',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='members', to='households.household'),
                ),
                migrations.AlterField(
                    model_name='person',
                    name='name_key',
                    field=models.CharField(editable=False, max_length=50),
                ),
            ],
        ),
    ]
