"""Give every existing alert the stage its history shows: assigned if someone holds it,
contacted once first contact is stamped, in support when the household got a service
link or a case after the alert opened (or has a case still open)."""

from datetime import timedelta

from django.conf import settings
from django.db import migrations
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

BATCH = 2000


def stages_forward(apps, schema_editor):
    DiscoveryAlert = apps.get_model("outreach", "DiscoveryAlert")
    ServiceLink = apps.get_model("referrals", "ServiceLink")
    Case = apps.get_model("outreach", "Case")
    alerts = DiscoveryAlert.objects.all()
    alerts.filter(assigned_to__isnull=False).update(stage="assigned")
    alerts.filter(first_contact_at__isnull=False).update(stage="contacted")
    linked = ServiceLink.objects.filter(
        household_id=OuterRef("household_id"), requested_at__gte=OuterRef("opened_at"),
    ).exclude(status__in=["declined", "cancelled"])
    cased = Case.objects.filter(household_id=OuterRef("household_id")).filter(
        Q(opened_at__gte=OuterRef("opened_at")) | Q(closed_at__isnull=True))
    alerts.filter(Q(Exists(linked)) | Q(Exists(cased))).update(stage="supporting")
    # The decision clock of open, contacted alerts starts at their first contact.
    days = getattr(settings, "ALERT_DECIDE_DAYS", 14)
    contacted = alerts.filter(status="open", stage="contacted", decide_by__isnull=True)
    batch = []
    for alert in contacted.only("pk", "first_contact_at").iterator(chunk_size=BATCH):
        alert.decide_by = timezone.localtime(alert.first_contact_at).date() + timedelta(days=days)
        batch.append(alert)
        if len(batch) >= BATCH:
            DiscoveryAlert.objects.bulk_update(batch, ["decide_by"])
            batch = []
    if batch:
        DiscoveryAlert.objects.bulk_update(batch, ["decide_by"])


class Migration(migrations.Migration):

    dependencies = [
        ("outreach", "0007_alert_stage"),
        ("referrals", "0001_service_catalogue"),
    ]

    # Backwards the columns go away with 0007, so there is nothing to undo here.
    operations = [
        migrations.RunPython(stages_forward, migrations.RunPython.noop, elidable=True),
    ]
