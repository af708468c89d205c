"""Every door to a person's record writes to the access log: API lists (one row per record
shown), the inbox's htmx panel (alerts and referrals), a signal batch's page and the
dashboard's people table."""

from datetime import timedelta

import pytest
from django.utils import timezone

from households.models import AccessLog
from tests.factories import (
    CaseFactory,
    CheckInFactory,
    PairingFactory,
    ReferralFactory,
    ServiceLinkFactory,
    VisitFactory,
)


def _new_rows(before_id, **filters):
    return AccessLog.objects.filter(id__gt=before_id, **filters)


def _last_id():
    return AccessLog.objects.order_by("-id").values_list("id", flat=True).first() or 0


@pytest.fixture
def yeouido_records(yeouido_household, staff1, volunteer1, catalogue, food_bank):
    pairing = PairingFactory(household=yeouido_household, volunteer=volunteer1,
                             created_by=staff1)
    return {
        "visit": VisitFactory(household=yeouido_household, staff=staff1),
        "case": CaseFactory(household=yeouido_household, manager=staff1),
        "check_in": CheckInFactory(pairing=pairing, by=volunteer1),
        "service_link": ServiceLinkFactory(household=yeouido_household, requested_by=staff1),
        "referral": ReferralFactory(dong=yeouido_household.dong, household=yeouido_household),
    }


@pytest.mark.parametrize("path, object_type", [
    ("/api/v1/visits/", "visit_list"),
    ("/api/v1/cases/", "case_list"),
    ("/api/v1/check-ins/", "check_in_list"),
    ("/api/v1/service-links/", "service_link_list"),
    ("/api/v1/referrals/", "referral_list"),
    ("/api/v1/households/", "household_list"),
])
def test_an_api_list_logs_each_record_it_shows(api_as, staff1, yeouido_household,
                                               yeouido_records, path, object_type):
    before = _last_id()
    response = api_as(staff1).get(path)
    assert response.status_code == 200
    shown = response.json()
    results = shown["results"] if isinstance(shown, dict) else shown
    rows = _new_rows(before, object_type=object_type)
    assert len(results) >= 1
    assert rows.count() == len(results)
    assert set(rows.values_list("object_id", flat=True)) == {str(r["id"]) for r in results}
    assert yeouido_household.pk in set(rows.values_list("household_id", flat=True))
    assert rows.filter(user=staff1, action="view").count() == rows.count()


def test_the_inbox_api_logs_each_item_it_shows(api_as, staff1, yeouido_household, open_alert):
    alert = open_alert(yeouido_household)
    before = _last_id()
    response = api_as(staff1).get("/api/v1/inbox/")
    assert response.status_code == 200
    row = _new_rows(before, object_type="inbox_list").get()
    assert row.household_id == yeouido_household.pk and str(alert.pk) in row.object_id


def test_the_inbox_panel_logs_a_view_of_its_item(client_as, staff1, yeouido_household,
                                                 open_alert):
    alert = open_alert(yeouido_household)
    before = _last_id()
    response = client_as(staff1).get(f"/inbox/alert/{alert.pk}/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    row = _new_rows(before, action="view").get()
    assert (row.object_type, row.object_id, row.household_id) == (
        "alert", str(alert.pk), yeouido_household.pk)


def test_the_overdue_people_table_logs_each_household_it_names(
        api_as, staff1, yeouido_household, open_alert):
    open_alert(yeouido_household, due_on=timezone.localdate() - timedelta(days=2))
    before = _last_id()
    response = api_as(staff1).get("/api/v1/dashboard/overdue_alerts/")
    assert response.status_code == 200
    rows = _new_rows(before, object_type="dashboard_overdue_alerts")
    assert list(rows.values_list("household_id", flat=True)) == [yeouido_household.pk]


@pytest.mark.django_db(transaction=True)  # the import's tasks run at commit
def test_a_signal_batch_page_logs_a_view_of_the_batch(client_as, admin_user, story_file,
                                                      import_signals, media_and_eager):
    summary = import_signals(story_file("cp949"))
    before = _last_id()
    response = client_as(admin_user).get(f"/signals/{summary['batch_id']}/")
    assert response.status_code == 200
    row = _new_rows(before, action="view").get()
    assert (row.user, row.object_type, row.object_id) == (
        admin_user, "signal_batch", str(summary["batch_id"]))


def test_the_inbox_panel_of_a_referral_logs_a_view_of_it(client_as, staff1, make_referral):
    referral = make_referral(dong="여의동")
    before = _last_id()
    response = client_as(staff1).get(f"/inbox/referral/{referral.pk}/",
                                     HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    row = _new_rows(before, action="view").get()
    assert (row.object_type, row.object_id) == ("referral", str(referral.pk))
