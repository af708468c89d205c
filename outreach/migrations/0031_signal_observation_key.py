"""RiskSignal.observation: signals unique on one 128-bit key instead of (source, kind,
subject, observed_on) — outreach.models.signal_batches.observation_key. Existing rows get
their key here, then the new unique constraint replaces the old one."""

import hashlib
import uuid
from datetime import date

from django.db import migrations, models

# observation_key and OBSERVATION_SQL written out: a migration does not import the app's
# code, which may change later.
_SQL = """
UPDATE outreach_risksignal SET observation = md5(
    source_id::text || '|' || (observed_on - date '2000-01-01')::text || '|' ||
    length(kind)::text || '|' || kind || '|' || subject)::uuid"""


def fill(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_SQL)
        return
    signals = apps.get_model("outreach", "RiskSignal")
    rows = signals.objects.only("id", "source_id", "kind", "subject", "observed_on")
    changed = []
    for signal in rows.iterator(chunk_size=2000):
        text = (f"{signal.source_id}|{(signal.observed_on - date(2000, 1, 1)).days}|"
                f"{len(signal.kind)}|{signal.kind}|{signal.subject}")
        signal.observation = uuid.UUID(
            hashlib.md5(text.encode(), usedforsecurity=False).hexdigest())
        changed.append(signal)
        if len(changed) >= 2000:
            signals.objects.bulk_update(changed, ["observation"])
            changed = []
    signals.objects.bulk_update(changed, ["observation"])


class Migration(migrations.Migration):

    dependencies = [
        ("outreach", "0030_contact_seconds_packed"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="risksignal", name="signal_unique_observation"),
        migrations.AddField(
            model_name="risksignal",
            name="observation",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="risksignal",
            name="observation",
            field=models.UUIDField(editable=False),
        ),
        migrations.AddConstraint(
            model_name="risksignal",
            constraint=models.UniqueConstraint(fields=("observation",),
                                               name="signal_unique_observation"),
        ),
    ]
