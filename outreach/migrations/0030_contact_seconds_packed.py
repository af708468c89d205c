"""DongMonthStat.contact_seconds: a JSON list of seconds becomes packed 32-bit integers
(outreach.models.rollups.contact_seconds_pack), the rows converted in place."""

import sys
from array import array

from django.db import migrations, models


def pack(apps, schema_editor):
    # The packing written out here: a migration does not import the app's code.
    stats = apps.get_model("outreach", "DongMonthStat")
    for stat in stats.objects.only("id", "contact_seconds").iterator(chunk_size=2000):
        packed = array("i", (round(s) for s in stat.contact_seconds or ()))
        if sys.byteorder == "big":
            packed.byteswap()
        stats.objects.filter(pk=stat.pk).update(packed_seconds=packed.tobytes())


class Migration(migrations.Migration):

    dependencies = [
        ("outreach", "0029_rollups_to_date"),
    ]

    operations = [
        migrations.AddField(
            model_name="dongmonthstat",
            name="packed_seconds",
            field=models.BinaryField(default=bytes),
        ),
        migrations.RunPython(pack, migrations.RunPython.noop),
        migrations.RemoveField(model_name="dongmonthstat", name="contact_seconds"),
        migrations.RenameField(model_name="dongmonthstat", old_name="packed_seconds",
                               new_name="contact_seconds"),
    ]
