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

from households.migrations._postgresql import on_postgresql

# (index, table, column): Django's names for the indexes db_index=True made.
_PLAIN = (
    ("households_household_dong_id_fa68c04a", "households_household", "dong_id"),
    ("households_person_household_id_c0781c3f", "households_person", "household_id"),
    ("households_person_name_key_dbb9b37f", "households_person", "name_key"),
)
# PostgreSQL's second index for a CharField with db_index=True.
_LIKE = "households_person_name_key_dbb9b37f_like"


class Migration(migrations.Migration):

    dependencies = [
        ('households', '0018_name_match_covering'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    [f'DROP INDEX IF EXISTS "{name}"' for name, _table, _column in _PLAIN],
                    reverse_sql=[f'CREATE INDEX "{name}" ON "{table}" ("{column}")'
                                 for name, table, column in _PLAIN]),
                migrations.RunPython(
                    on_postgresql(f'DROP INDEX IF EXISTS "{_LIKE}"'),
                    on_postgresql(f'CREATE INDEX "{_LIKE}" ON "households_person" '
                                  f'("name_key" varchar_pattern_ops)')),
            ],
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
