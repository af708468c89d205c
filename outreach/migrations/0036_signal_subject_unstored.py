"""Signals no longer store their subject (RiskSignal.subject says why): the keyed hash
each one held of the person's RRN, or of name + birth date + address, is dropped; the
observation key made of it stays.

Backwards only while no signal is stored: the subjects cannot be made again (the column
would come back empty, and migration 0031's unique subjects would then collide)."""

from django.db import migrations


def _no_signals(apps, schema_editor):
    if apps.get_model("outreach", "RiskSignal").objects.exists():
        raise RuntimeError("the signals' subjects were dropped by migration 0036 and cannot "
                           "be restored: migrate back only with no signal stored")


class Migration(migrations.Migration):

    dependencies = [
        ('outreach', '0035_signal_household_key'),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, _no_signals),
        migrations.RemoveField(
            model_name='risksignal',
            name='subject',
        ),
    ]
