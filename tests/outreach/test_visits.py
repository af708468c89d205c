"""Home visits: scheduling, the 3-attempt rule, needs by domain, bad dates, scoping."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from households.models import AccessLog, TimelineEvent
from outreach.models import Visit
from outreach.services.visits import (
    UNREACHABLE_NEXT_STEP,
    visit_record,
    visit_retry_at,
    visit_schedule,
)
from tests.factories import DiscoveryAlertFactory

pytestmark = pytest.mark.django_db


def _not_home(visit, user, at):
    return visit_record(visit=visit, user=user, outcome=Visit.Outcome.NOT_HOME,
                                 visited_at=at)


def test_not_home_books_the_next_attempt_in_office_hours(staff1, yeouido_household):
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        visit = visit_schedule(household=yeouido_household, staff=staff1,
                                        scheduled_for=now)
        _not_home(visit, staff1, now)
    second = Visit.objects.get(previous_attempt=visit)
    assert second.attempt_no == 2
    # When exactly: tests/outreach/test_visit_retries.py.
    assert second.scheduled_for == visit_retry_at(missed_at=now, now=now)
    assert second.companion == visit.companion and second.staff == staff1
    assert not visit.unreachable


def test_three_failed_attempts_flag_the_household_unreachable(staff1, yeouido_household):
    start = timezone.now().replace(hour=10, minute=0, second=0, microsecond=0)
    visit = visit_schedule(household=yeouido_household, staff=staff1,
                                    scheduled_for=start)
    with time_machine.travel(start, tick=False):
        _not_home(visit, staff1, start)
    with time_machine.travel(start + timedelta(days=2), tick=False):
        second = Visit.objects.get(previous_attempt=visit)
        _not_home(second, staff1, timezone.now())
    with time_machine.travel(start + timedelta(days=4), tick=False):
        third = Visit.objects.get(previous_attempt=second)
        third = _not_home(third, staff1, timezone.now())
    assert third.attempt_no == 3
    assert third.unreachable
    assert "복지등기" in third.suggested_next_step and "이웃" in third.suggested_next_step
    # No fourth knock at the door: the worker takes another way.
    assert not Visit.objects.filter(previous_attempt=third).exists()
    assert Visit.objects.filter(household=yeouido_household).count() == 3
    assert any("연락 두절" in event.text
               for event in TimelineEvent.objects.filter(household=yeouido_household))


def test_a_meeting_records_needs_by_domain_and_the_first_contact(staff1, yeouido_household):
    alert = DiscoveryAlertFactory(household=yeouido_household)
    visit = visit_schedule(household=yeouido_household, staff=staff1,
                                    scheduled_for=timezone.now(), alert=alert)
    visit_record(
        visit=visit, user=staff1, outcome=Visit.Outcome.MET, crisis_level="high",
        needs={"food": {"level": "high", "note": "냉장고가 비어 있음"},
               "income": {"level": "medium", "note": ""},
               "housing": {"level": "none", "note": ""}},
    )
    needs = {n.domain: (n.level, n.note) for n in visit.needs.all()}
    assert needs == {"food": ("high", "냉장고가 비어 있음"), "income": ("medium", "")}
    alert.refresh_from_db()
    assert alert.first_contact_at is not None


def test_a_visit_far_in_the_past_is_refused_with_a_korean_message(staff1, yeouido_household):
    with pytest.raises(ValidationError) as error:
        visit_schedule(household=yeouido_household, staff=staff1,
                                scheduled_for=timezone.now() - timedelta(days=60))
    assert "지난 날짜" in str(error.value)


def test_a_retry_recorded_before_the_previous_attempt_is_refused(staff1, yeouido_household):
    visit = visit_schedule(household=yeouido_household, staff=staff1,
                                    scheduled_for=timezone.now() - timedelta(days=1))
    _not_home(visit, staff1, timezone.now() - timedelta(hours=5))
    second = Visit.objects.get(previous_attempt=visit)
    with pytest.raises(ValidationError) as error:
        _not_home(second, staff1, timezone.now() - timedelta(hours=6))
    assert "이전 방문" in str(error.value)
    second.refresh_from_db()
    assert second.outcome == ""


def test_page_schedules_a_visit_with_a_companion(client_as, staff1, volunteer1,
                                                 yeouido_household, tomorrow_10am):
    client = client_as(staff1)
    response = client.post(f"/households/{yeouido_household.pk}/work/", {
        "action": "schedule_visit", "scheduled_for": tomorrow_10am.strftime("%Y-%m-%dT%H:%M"),
        "companion": volunteer1.pk,
    })
    assert response.status_code == 302
    visit = Visit.objects.get(household=yeouido_household)
    assert visit.companion == volunteer1 and visit.staff == staff1


def test_page_keeps_what_was_typed_when_the_date_is_bad(client_as, staff1, yeouido_household):
    client = client_as(staff1)
    response = client.post(f"/households/{yeouido_household.pk}/work/", {
        "action": "schedule_visit", "scheduled_for": "2001-01-01T09:00",
    })
    assert response.status_code == 400
    assert "지난 날짜" in response.content.decode()
    assert 'value="2001-01-01T09:00"' in response.content.decode()
    assert not Visit.objects.exists()


def test_staff_of_another_dong_gets_404_for_the_work_page_and_visit(
        client_as, staff1, staff2, yeouido_household):
    visit = visit_schedule(household=yeouido_household, staff=staff1,
                                    scheduled_for=timezone.now())
    client = client_as(staff2)
    assert client.get(f"/households/{yeouido_household.pk}/work/").status_code == 404
    assert client.get(f"/visits/{visit.pk}/").status_code == 404


def test_the_visit_page_records_needs_and_logs_one_access(client_as, staff1, yeouido_household):
    visit = visit_schedule(household=yeouido_household, staff=staff1,
                                    scheduled_for=timezone.now())
    client = client_as(staff1)
    before = AccessLog.objects.count()
    assert client.get(f"/visits/{visit.pk}/").status_code == 200
    assert AccessLog.objects.count() == before + 1
    response = client.post(f"/visits/{visit.pk}/", {
        "outcome": "met", "visited_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "crisis_level": "medium", "need_food_level": "high", "need_food_note": "끼니 거름",
    })
    assert response.status_code == 302
    assert visit.needs.get().note == "끼니 거름"


def test_my_visits_this_week_lists_only_this_weeks_visits(client_as, staff1, yeouido_household):
    wednesday = timezone.make_aware(timezone.datetime(2026, 11, 25, 10, 0))
    with time_machine.travel(wednesday, tick=False):
        visit_schedule(household=yeouido_household, staff=staff1,
                                scheduled_for=wednesday + timedelta(days=1))
        visit_schedule(household=yeouido_household, staff=staff1,
                                scheduled_for=wednesday + timedelta(days=7))
        response = client_as(staff1).get("/visits/week/")
    page = response.content.decode()
    assert "11-26" in page and "12-02" not in page


def test_api_schedules_and_records_a_visit(api_as, staff1, yeouido_household, tomorrow_10am):
    api = api_as(staff1)
    created = api.post("/api/v1/visits/", {"household": yeouido_household.pk,
                                           "scheduled_for": tomorrow_10am.isoformat()},
                       format="json")
    assert created.status_code == 201, created.content
    with time_machine.travel(tomorrow_10am, tick=False):
        recorded = api.post(f"/api/v1/visits/{created.json()['id']}/record/", {
            "outcome": "met", "needs": [{"domain": "isolation", "level": "high"}]},
            format="json")
    assert recorded.status_code == 200, recorded.content
    assert recorded.json()["needs"] == [{"domain": "isolation", "level": "high", "note": ""}]


def test_api_refuses_a_household_of_another_dong(api_as, staff2, yeouido_household,
                                                 tomorrow_10am):
    response = api_as(staff2).post("/api/v1/visits/", {
        "household": yeouido_household.pk, "scheduled_for": tomorrow_10am.isoformat()},
        format="json")
    assert response.status_code == 404
    assert not Visit.objects.exists()


def test_a_companion_volunteer_sees_only_dong_and_initial_by_api(
        api_as, staff1, volunteer1, singil_household):
    visit_schedule(household=singil_household, staff=staff1, companion=volunteer1,
                            scheduled_for=timezone.now() + timedelta(days=1))
    rows = api_as(volunteer1).get("/api/v1/visits/").json()["results"]
    assert len(rows) == 1
    assert set(rows[0]) == {"id", "dong_name", "head_name_masked", "scheduled_for", "attempt_no",
                            "outcome"}
    assert "*" in rows[0]["head_name_masked"] and "○" not in rows[0]["head_name_masked"]
    assert api_as(volunteer1).get(f"/api/v1/visits/{rows[0]['id']}/").status_code == 403


def test_an_alert_leads_to_its_households_visit_form(client_as, staff1, staff2,
                                                     yeouido_household):
    alert = DiscoveryAlertFactory(household=yeouido_household)
    response = client_as(staff1).get(f"/alerts/{alert.pk}/visit/", follow=True)
    assert response.redirect_chain[-1][0].endswith(f"?alert={alert.pk}#h-visit")
    assert f'<option value="{alert.pk}" selected>' in response.content.decode()
    assert client_as(staff2).get(f"/alerts/{alert.pk}/visit/").status_code == 404


def test_unreachable_households_are_listed_on_the_workers_week_page(client_as, staff1,
                                                                    yeouido_household):
    visit = visit_schedule(household=yeouido_household, staff=staff1,
                                    scheduled_for=timezone.now())
    Visit.objects.filter(pk=visit.pk).update(outcome="not_home", unreachable=True,
                                             attempt_no=3,
                                             suggested_next_step=UNREACHABLE_NEXT_STEP)
    page = client_as(staff1).get("/visits/week/").content.decode()
    assert "연락 두절" in page and "복지등기" in page
