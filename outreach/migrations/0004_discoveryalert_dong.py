import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def copy_dong_from_household(apps, schema_editor):
    DiscoveryAlert = apps.get_model("outreach", "DiscoveryAlert")
    Household = apps.get_model("households", "Household")
    DiscoveryAlert.objects.filter(dong__isnull=True).update(
        dong_id=models.Subquery(
            Household.objects.filter(pk=models.OuterRef("household_id")).values("dong_id")[:1]
        )
    )


class Migration(migrations.Migration):

    dependencies = [
        ("households", "0003_timelineevent"),
        ("outreach", "0003_discoverytarget"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="discoveryalert",
            name="dong",
            field=models.ForeignKey(
                editable=False, null=True, on_delete=django.db.models.deletion.PROTECT,
                related_name="discovery_alerts", to="households.dong",
            ),
        ),
        migrations.RunPython(copy_dong_from_household, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="discoveryalert",
            name="dong",
            field=models.ForeignKey(
                editable=False, on_delete=django.db.models.deletion.PROTECT,
                related_name="discovery_alerts", to="households.dong",
            ),
        ),
        migrations.AddIndex(
            model_name="discoveryalert",
            index=models.Index(fields=["dong", "status", "due_on"], name="alert_dong_status_due"),
        ),
        migrations.AddIndex(
            model_name="discoveryalert",
            index=models.Index(fields=["assigned_to", "status"], name="alert_assignee"),
        ),
    ]
