"""The name + birth date index in id order: matching a signal row takes the first
registered person of that name and birth date (ORDER BY id LIMIT 1), which the old
index (name_key, birth_date) INCLUDE (id, household) answered by sorting each row's
people apart. With id in the key, the first entry read is that person: no sort node per
row of a chunk, a few per cent of the chunk statement's time."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('households', '0019_redundant_indexes'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='person',
            index=models.Index(fields=['name_key', 'birth_date', 'id'], include=('household',),
                               name='person_name_birth_id'),
        ),
        migrations.RemoveIndex(
            model_name='person',
            name='person_name_birth_cover',
        ),
    ]
