# The pairing whose check-in raised a referral ("걱정돼요"), by id: referrals never import outreach.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('referrals', '0005_service_capacity'),
    ]

    operations = [
        migrations.AddField(
            model_name='referral',
            name='pairing_id',
            field=models.BigIntegerField(blank=True, null=True, verbose_name='결연'),
        ),
    ]
