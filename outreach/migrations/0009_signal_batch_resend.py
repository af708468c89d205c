# The same bytes from the same source are one batch unless it failed (an agency resends).

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('households', '0003_timelineevent'),
        ('outreach', '0008_alert_stage_backfill'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='signalbatch',
            name='sha256',
            field=models.CharField(max_length=64),
        ),
        migrations.AddConstraint(
            model_name='signalbatch',
            constraint=models.UniqueConstraint(condition=models.Q(('status', 'failed'), _negated=True), fields=('source', 'sha256'), name='batch_source_sha256_unless_failed'),
        ),
    ]
