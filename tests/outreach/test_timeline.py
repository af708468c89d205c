"""The household timeline: one page, one access-log row, queries that do not grow."""

from datetime import timedelta

import pytest
from django.utils import timezone

from households.models import AccessLog, TimelineEvent
from outreach.services.cases import case_open
from outreach.services.visits import visit_schedule

pytestmark = pytest.mark.django_db


def _fill(household, actor, n):
    now = timezone.now()
    TimelineEvent.objects.bulk_create([
        TimelineEvent(household=household, at=now - timedelta(hours=i), kind="signal",
                      actor=actor, summary=f"위기정보 {i}")
        for i in range(n)
    ])


def test_hundreds_of_events_render_in_a_fixed_number_of_queries(
        client_as, staff1, yeouido_household, django_assert_max_num_queries):
    visit_schedule(household=yeouido_household, staff=staff1,
                            scheduled_for=timezone.now())
    case_open(household=yeouido_household, manager=staff1, user=staff1)
    _fill(yeouido_household, staff1, 298)
    client = client_as(staff1)
    with django_assert_max_num_queries(12):
        response = client.get(f"/households/{yeouido_household.pk}/timeline/")
    assert response.status_code == 200
    assert response.content.decode().count("<li class=\"timeline-") == 300


def test_the_timeline_is_newest_first_and_links_the_records(client_as, staff1,
                                                            yeouido_household):
    visit = visit_schedule(household=yeouido_household, staff=staff1,
                                    scheduled_for=timezone.now())
    case = case_open(household=yeouido_household, manager=staff1, user=staff1)
    page = client_as(staff1).get(f"/households/{yeouido_household.pk}/timeline/")
    html = page.content.decode()
    assert html.index(f"/cases/{case.pk}/") < html.index(f"/visits/{visit.pk}/")


def test_viewing_the_timeline_writes_one_access_log_row(client_as, staff1, yeouido_household):
    _fill(yeouido_household, staff1, 5)
    client_as(staff1).get(f"/households/{yeouido_household.pk}/timeline/")
    rows = AccessLog.objects.filter(object_type="household_timeline")
    assert rows.count() == 1
    assert rows.get().household_id == yeouido_household.pk


def test_staff_of_another_dong_gets_404(client_as, staff2, yeouido_household):
    response = client_as(staff2).get(f"/households/{yeouido_household.pk}/timeline/")
    assert response.status_code == 404
    assert not AccessLog.objects.filter(object_type="household_timeline").exists()
