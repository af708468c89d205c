"""Timeline lines of risk assessments point at their assessment (object_type
"riskassessment", object_id its id), as new ones do: a round now writes a line only for
an assessment that opens or updates an alert, and the timeline reads the others from the
assessments (outreach.selectors.timeline), skipping those a line already tells. Lines
written before carry no id: each is linked here to its household's assessment nearest in
time (a round writes both in one transaction, within a minute of each other)."""

from collections import defaultdict
from datetime import timedelta

from django.db import migrations

_NEAR = timedelta(minutes=1)
_CHUNK = 2000


def link(apps, schema_editor):
    lines = apps.get_model("households", "TimelineEvent")
    assessments = apps.get_model("outreach", "RiskAssessment")
    legacy = (lines.objects.filter(kind="assessment", object_type="",
                                   message__code="assessment_scored")
              .only("id", "household_id", "at").order_by("id"))
    last = 0
    while True:
        chunk = list(legacy.filter(id__gt=last)[:_CHUNK])
        if not chunk:
            return
        last = chunk[-1].id
        near = defaultdict(list)
        for a in assessments.objects.filter(
                household_id__in={line.household_id for line in chunk}).only(
                "id", "household_id", "assessed_at"):
            near[a.household_id].append(a)
        linked = []
        for line in chunk:
            close = [a for a in near[line.household_id] if abs(a.assessed_at - line.at) < _NEAR]
            if close:
                best = min(close, key=lambda a: abs(a.assessed_at - line.at))
                line.object_type, line.object_id = "riskassessment", str(best.id)
                linked.append(line)
        lines.objects.bulk_update(linked, ["object_type", "object_id"])


class Migration(migrations.Migration):

    dependencies = [
        ("households", "0017_rrn_hash_log"),
        ("outreach", "0031_signal_observation_key"),
    ]

    operations = [migrations.RunPython(link, migrations.RunPython.noop)]
