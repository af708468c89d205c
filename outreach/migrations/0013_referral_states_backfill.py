"""Give every open referral the state its history shows (접수 → 확인 중 → 방문 → 지원 연계):
확인 중 if someone holds it, 방문 once a visit to its household was recorded after it came
in, 지원 연계 when the household got a service link or a case after it came in. Booking a
visit used to mark a referral 방문; without a recorded visit it goes back to 확인 중. A
referral moved to 지원 연계 by hand stays there. First contact is stamped from the
earliest "만남" visit after the referral when it is missing."""

from django.db import migrations
from django.db.models import Exists, Min, OuterRef, Q, Subquery

OPEN = ["received", "checking", "visiting", "linked"]


def states_forward(apps, schema_editor):
    Referral = apps.get_model("referrals", "Referral")
    ServiceLink = apps.get_model("referrals", "ServiceLink")
    Visit = apps.get_model("outreach", "Visit")
    Case = apps.get_model("outreach", "Case")
    referrals = Referral.objects.filter(status__in=OPEN)
    visited = Visit.objects.filter(
        household_id=OuterRef("household_id"), visited_at__gte=OuterRef("created_at"),
    ).exclude(outcome="")
    linked = ServiceLink.objects.filter(
        household_id=OuterRef("household_id"), requested_at__gte=OuterRef("created_at"),
    ).exclude(status__in=["declined", "cancelled"])
    cased = Case.objects.filter(household_id=OuterRef("household_id")).filter(
        Q(opened_at__gte=OuterRef("created_at")) | Q(closed_at__isnull=True))
    referrals.filter(status="received", assigned_to__isnull=False).update(status="checking")
    # 방문 that was only a booking: back to 확인 중 (or 접수 with nobody holding it).
    booked_only = referrals.filter(status="visiting").exclude(Exists(visited))
    booked_only.filter(assigned_to__isnull=False).update(status="checking")
    booked_only.filter(assigned_to__isnull=True).update(status="received")
    referrals.filter(status__in=["received", "checking"]).filter(Exists(visited)).update(
        status="visiting")
    referrals.exclude(status="linked").filter(Q(Exists(linked)) | Q(Exists(cased))).update(
        status="linked")
    first_met = Visit.objects.filter(
        household_id=OuterRef("household_id"), visited_at__gte=OuterRef("created_at"),
        outcome="met",
    ).values("household_id").annotate(first=Min("visited_at")).values("first")[:1]
    referrals.filter(first_contact_at__isnull=True, household_id__isnull=False).update(
        first_contact_at=Subquery(first_met))


class Migration(migrations.Migration):

    dependencies = [
        ("outreach", "0012_visit_version"),
        ("referrals", "0003_close_reason_supported"),
    ]

    # The old states cannot be told apart afterwards; backwards leaves them as they are.
    operations = [
        migrations.RunPython(states_forward, migrations.RunPython.noop, elidable=True),
    ]
