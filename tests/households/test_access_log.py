"""The access log: one row per view, none for a refused one, and it cannot be rewritten."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from households.models import AccessLog, Household


@pytest.fixture
def household_of_yeoui(dongs):
    return Household.objects.filter(dong=dongs["여의동"]).first()


def test_one_row_per_page_view(client_as, staff1, household_of_yeoui):
    client = client_as(staff1)
    client.get(reverse("household_detail", args=[household_of_yeoui.pk]))
    rows = list(AccessLog.objects.all())
    assert len(rows) == 1
    row = rows[0]
    assert (row.username, row.action, row.object_type, row.household_id) == (
        "staff1", "view", "household", household_of_yeoui.pk)
    assert row.ip == "127.0.0.1"
    client.get(reverse("household_detail", args=[household_of_yeoui.pk]))
    assert AccessLog.objects.count() == 2


def test_one_row_per_api_view(api_as, staff1, household_of_yeoui):
    api_as(staff1).get(f"/api/v1/households/{household_of_yeoui.pk}/")
    assert AccessLog.objects.filter(household_id=household_of_yeoui.pk, action="view").count() == 1


def test_a_refused_view_writes_nothing(client_as, staff2, household_of_yeoui):
    client_as(staff2).get(reverse("household_detail", args=[household_of_yeoui.pk]))
    assert AccessLog.objects.count() == 0


def test_auditor_filters_by_user_subject_and_date(client_as, staff1, auditor1, manager1,
                                                  household_of_yeoui):
    client_as(staff1).get(reverse("household_detail", args=[household_of_yeoui.pk]))
    # manager1 is outside their own work there: a reason first (break the glass), then the view.
    client_as(manager1).post(reverse("household_detail", args=[household_of_yeoui.pk]),
                             {"action": "break_glass", "reason": "supervision"})
    client_as(manager1).get(reverse("household_detail", args=[household_of_yeoui.pk]))
    client = client_as(auditor1)
    page = client.get(reverse("access_log"), {"username": "staff1"}).context["page"]
    assert [e.username for e in page] == ["staff1"]
    page = client.get(reverse("access_log"), {"household": household_of_yeoui.pk}).context["page"]
    assert len(page) == 3
    page = client.get(reverse("access_log"), {"date_from": "2000-01-01",
                                              "date_to": "2000-01-02"}).context["page"]
    assert len(page) == 0
    bad = client.get(reverse("access_log"), {"date_from": "2020-02-02", "date_to": "2020-01-01"})
    assert bad.status_code == 200 and bad.context["form"].errors


def test_staff_cannot_read_the_access_log(client_as, staff1):
    assert client_as(staff1).get(reverse("access_log")).status_code == 403


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_postgres_refuses_update_and_delete(staff1, household_of_yeoui):
    row = AccessLog.objects.create(username="staff1", action="view", object_type="household",
                                   household_id=household_of_yeoui.pk)
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessLog.objects.filter(pk=row.pk).update(reason="tampered")
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessLog.objects.filter(pk=row.pk).delete()
    assert AccessLog.objects.get(pk=row.pk).reason == ""


def test_purge_never_goes_below_two_years(db):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError):
        call_command("purge_access_log", "--older-than-days", "365")
