# A check-in's "걱정돼요" says what worries (existing ones were all raised as 기타).

from django.db import migrations, models


def concerns_were_other(apps, schema_editor):
    CheckIn = apps.get_model("outreach", "CheckIn")
    CheckIn.objects.filter(concern=True, concern_category="").update(concern_category="other")


class Migration(migrations.Migration):

    dependencies = [
        ('outreach', '0013_referral_states_backfill'),
    ]

    operations = [
        migrations.AddField(
            model_name='checkin',
            name='concern_category',
            field=models.CharField(blank=True, choices=[('meals', '끼니 거름'), ('utilities', '공과금 미납·단전'), ('rent', '월세 체납'), ('illness', '질병·장애'), ('elderly_alone', '홀로 사는 어르신'), ('abuse', '학대·폭력 의심'), ('hoarding', '저장강박·위생'), ('mail', '우편물·고지서 쌓임'), ('no_contact', '연락 두절'), ('jobless', '실직·폐업'), ('suicide', '자살 위험 언급'), ('other', '기타')], max_length=20, verbose_name='걱정되는 점'),
        ),
        migrations.RunPython(concerns_were_other, migrations.RunPython.noop, elidable=True),
    ]
