"""The triage inbox: one queue of alerts and referrals, actions on each item."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from households.models import AccessLog, Household
from outreach.models import DiscoveryAlert, Visit
from referrals.models import Referral

pytestmark = pytest.mark.django_db


def household_in(dongs, name, n=0):
    return Household.objects.filter(dong=dongs[name]).order_by("id")[n]


def test_queue_is_ordered_by_urgency_score_and_due_date(client_as, staff1, dongs,
                                                        make_referral, open_alert):
    routine = make_referral(dong="여의동", road_address="여의대방로 1", urgency=3)
    soon_alert = open_alert(household_in(dongs, "여의동"), level="high", score=70)
    soon_alert_higher = open_alert(household_in(dongs, "신길1동"), level="high", score=85)
    emergency = make_referral(dong="신길1동", road_address="신길로 5", urgency=1)
    other_dong = make_referral(dong="대림2동", road_address="대림로 3", urgency=1)
    response = client_as(staff1).get(reverse("inbox"))
    assert response.status_code == 200
    labels = [item.label for item in response.context["page"].items]
    assert labels == [f"R-{emergency.pk}", f"A-{soon_alert_higher.pk}", f"A-{soon_alert.pk}",
                      f"R-{routine.pk}"]
    assert f"R-{other_dong.pk}" not in labels


def test_overdue_items_stand_out(client_as, staff1, make_referral):
    referral = make_referral(urgency=1)
    Referral.objects.filter(pk=referral.pk).update(
        due_on=timezone.localdate() - timedelta(days=1))
    html = client_as(staff1).get(reverse("inbox")).content.decode()
    assert 'class="overdue emergency"' in html
    assert "기한 지남" in html


def test_due_dates_follow_the_3_and_14_day_rules(make_referral):
    today = timezone.localdate()
    assert make_referral(urgency=1).due_on == today + timedelta(days=3)
    assert make_referral(urgency=3, road_address="신길로 77").due_on == today + timedelta(
        days=14)


@pytest.mark.parametrize("params,expected", [
    ({"source": "alert"}, {"alert"}),
    ({"source": "volunteer"}, {"referral"}),
    ({"category": "rent"}, {"referral"}),
])
def test_filters_by_source_and_category(client_as, staff1, dongs, make_referral, open_alert,
                                        params, expected):
    make_referral(categories=["rent"])
    open_alert(household_in(dongs, "여의동"))
    page = client_as(staff1).get(reverse("inbox"), params).context["page"]
    assert {item.kind for item in page.items} == expected


def test_filter_by_dong_and_mine(client_as, staff1, dongs, make_referral):
    mine = make_referral(dong="여의동", road_address="여의대방로 3")
    make_referral(dong="신길1동")
    client = client_as(staff1)
    page = client.get(reverse("inbox"), {"dong": dongs["여의동"].pk}).context["page"]
    assert [i.obj.pk for i in page.items] == [mine.pk]
    client.post(reverse("inbox_action", args=["referral", mine.pk, "assign"]),
                {"assignee": staff1.pk})
    page = client.get(reverse("inbox"), {"mine": "on"}).context["page"]
    assert [i.obj.pk for i in page.items] == [mine.pk]


def test_filter_by_another_dong_is_an_error_not_a_leak(client_as, staff1, dongs,
                                                       make_referral):
    make_referral(dong="대림2동", road_address="대림로 3")
    response = client_as(staff1).get(reverse("inbox"), {"dong": dongs["대림2동"].pk})
    assert response.status_code == 400
    assert all(item.dong_id != dongs["대림2동"].pk for item in response.context["page"].items)


def test_assign_by_plain_post_writes_timeline_and_access_log(client_as, staff1, dongs,
                                                             make_referral):
    household = household_in(dongs, "신길1동")
    referral = make_referral(road_address=household.road_address,
                             address_detail=household.address_detail)
    response = client_as(staff1).post(
        reverse("inbox_action", args=["referral", referral.pk, "assign"]),
        {"assignee": staff1.pk, "next": "/inbox/?status=received"})
    assert response.status_code == 302
    assert response["Location"] == "/inbox/?status=received"
    referral.refresh_from_db()
    assert referral.assigned_to == staff1
    assert referral.status == Referral.Status.CHECKING
    assert [e for e in household.timeline.all() if "담당자 지정" in e.text] != []
    assert household.timeline.filter(message__code="referral_assigned").count() == 1
    assert AccessLog.objects.filter(action="update", object_type="referral",
                                    object_id=str(referral.pk)).count() == 1


def test_assign_by_htmx_returns_the_updated_row(client_as, staff1, dongs, open_alert):
    alert = open_alert(household_in(dongs, "여의동"))
    response = client_as(staff1).post(
        reverse("inbox_action", args=["alert", alert.pk, "assign"]), {"assignee": staff1.pk},
        HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.strip().startswith(f'<tr id="item-alert-{alert.pk}"')
    assert "staff1" in html
    alert.refresh_from_db()
    assert alert.assigned_to == staff1
    assert alert.household.timeline.filter(kind="alert").count() == 1


def test_cannot_assign_staff_of_another_dong(client_as, staff1, staff2, make_referral):
    referral = make_referral()
    response = client_as(staff1).post(
        reverse("inbox_action", args=["referral", referral.pk, "assign"]),
        {"assignee": staff2.pk})
    assert response.status_code == 400
    referral.refresh_from_db()
    assert referral.assigned_to is None


def test_schedule_a_visit_registers_the_household_when_needed(client_as, staff1,
                                                              make_referral):
    referral = make_referral(road_address="신길로 200", address_detail="반지하")
    assert referral.household is None
    when = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT10:00")
    response = client_as(staff1).post(
        reverse("inbox_action", args=["referral", referral.pk, "visit"]),
        {"scheduled_for": when})
    assert response.status_code == 302
    referral.refresh_from_db()
    # Booked, not yet visited: the referral is being checked (방문 once the visit is recorded).
    assert referral.status == Referral.Status.CHECKING
    visit = Visit.objects.get()
    assert visit.household == referral.household
    assert visit.staff == staff1
    assert referral.household.timeline.filter(kind="visit").count() == 1


def test_close_alert_with_a_reason(client_as, staff1, dongs, open_alert):
    alert = open_alert(household_in(dongs, "여의동"))
    response = client_as(staff1).post(
        reverse("inbox_action", args=["alert", alert.pk, "close"]),
        {"reason": "other_agency", "note": "복지관 사례관리 중"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "종결" in response.content.decode()
    alert.refresh_from_db()
    assert (alert.status, alert.close_reason, alert.close_note) == (
        DiscoveryAlert.Status.CLOSED, "other_agency", "복지관 사례관리 중")
    assert alert.closed_at is not None
    assert AccessLog.objects.filter(object_type="alert", object_id=str(alert.pk)).count() == 1


def test_close_needs_a_known_reason_and_a_note_for_other(client_as, staff1, make_referral):
    referral = make_referral()
    client = client_as(staff1)
    url = reverse("inbox_action", args=["referral", referral.pk, "close"])
    assert client.post(url, {"reason": "bogus"}).status_code == 400
    response = client.post(url, {"reason": "other", "note": ""})
    assert response.status_code == 400
    assert "메모" in response.content.decode()
    referral.refresh_from_db()
    assert referral.is_open


def test_bulk_assign(client_as, staff1, dongs, make_referral, open_alert):
    referral = make_referral()
    alert = open_alert(household_in(dongs, "여의동"))
    response = client_as(staff1).post(reverse("inbox_bulk_assign"), {
        "items": [f"referral:{referral.pk}", f"alert:{alert.pk}"], "assignee": staff1.pk})
    assert response.status_code == 302
    referral.refresh_from_db()
    alert.refresh_from_db()
    assert referral.assigned_to == alert.assigned_to == staff1
    assert AccessLog.objects.filter(action="update").count() == 2


def test_bulk_assign_with_another_dongs_item_is_404(client_as, staff1, make_referral):
    theirs = make_referral(dong="대림2동", road_address="대림로 3")
    response = client_as(staff1).post(reverse("inbox_bulk_assign"), {
        "items": [f"referral:{theirs.pk}"], "assignee": staff1.pk})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.assigned_to is None


def test_htmx_filter_returns_only_the_list(client_as, staff1, make_referral):
    make_referral()
    response = client_as(staff1).get(reverse("inbox"), {"source": "volunteer"},
                                     HTTP_HX_REQUEST="true", HTTP_HX_TARGET="inbox-list")
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="bulk-form"' in html


def test_inbox_query_count_does_not_grow_with_items(client_as, staff1, dongs, make_referral,
                                                    open_alert, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_as(staff1)
    make_referral()
    open_alert(household_in(dongs, "여의동"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("inbox"))
    for n in range(12):
        make_referral(road_address=f"신길로 {100 + n}", urgency=1 + n % 3)
    open_alert(household_in(dongs, "여의동", 1))
    open_alert(household_in(dongs, "신길1동"))
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(reverse("inbox"))
    assert len(response.context["page"].items) == 16


def test_api_inbox_query_count_does_not_grow(api_as, staff1, dongs, make_referral, open_alert,
                                             django_assert_max_num_queries):
    api = api_as(staff1)
    for n in range(10):
        make_referral(road_address=f"신길로 {100 + n}")
    open_alert(household_in(dongs, "여의동"))
    with django_assert_max_num_queries(10):
        response = api.get("/api/v1/inbox/")
    assert response.json()["count"] == 11


def test_alert_takes_its_households_dong(dongs, open_alert):
    alert = open_alert(household_in(dongs, "대림2동"))
    assert alert.dong == dongs["대림2동"]


def test_action_panel_works_without_javascript(client_as, staff1, make_referral):
    referral = make_referral()
    response = client_as(staff1).get(reverse("inbox_item", args=["referral", referral.pk]),
                                     {"next": "/inbox/?source=volunteer"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html and 'name="reason"' in html
    assert 'value="/inbox/?source=volunteer"' in html


def test_action_panel_by_htmx_is_a_fragment(client_as, staff1, make_referral):
    referral = make_referral()
    response = client_as(staff1).get(reverse("inbox_item", args=["referral", referral.pk]),
                                     HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html and 'name="assignee"' in html


def test_offsite_next_is_ignored(client_as, staff1, make_referral):
    referral = make_referral()
    response = client_as(staff1).post(
        reverse("inbox_action", args=["referral", referral.pk, "assign"]),
        {"assignee": staff1.pk, "next": "https://evil.example/"})
    assert response["Location"] == reverse("inbox")


def test_api_gives_the_factors_as_codes_with_values_and_words(api_as, staff1, dongs,
                                                              make_referral, open_alert):
    make_referral()
    open_alert(household_in(dongs, "여의동"))
    items = {item["kind"]: item for item in api_as(staff1).get("/api/v1/inbox/").json()["results"]}
    assert items["alert"]["what_codes"] == [
        {"code": "power_cutoff", "values": {"months": 2}, "text": "단전 2개월"}]
    assert items["alert"]["what"] == ["단전 2개월"]
    assert items["referral"]["what_codes"][0]["code"] == "meals"
    english = api_as(staff1).get("/api/v1/inbox/", HTTP_ACCEPT_LANGUAGE="en").json()
    alert = next(item for item in english["results"] if item["kind"] == "alert")
    assert alert["what"] == ["Electricity cutoff 2 mo"]
