"""통합사례관리: stages in order with due dates, closure, follow-up back as an alert."""

from datetime import date, timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone

from outreach.models import Case, DiscoveryAlert
from outreach.services.approvals import approval_decide, case_plan_submit
from outreach.services.cases import case_advance, case_close, case_goal_add, case_open
from outreach.tasks import case_follow_ups_due
from referrals.services import service_link_request

pytestmark = pytest.mark.django_db


def _through_to_monitoring(case, user):
    case_advance(case=case, user=user, to_stage=Case.Stage.ASSESSMENT)
    case_advance(case=case, user=user, to_stage=Case.Stage.PLAN)
    case_goal_add(case=case, user=user, description="식생활 안정")
    # The team lead approves the plan: the case moves on to 서비스 제공.
    lead = get_user_model().objects.get(username="lead1")
    approval_decide(approval=case_plan_submit(case=case, user=user), user=lead,
                    decision="approved")
    case_advance(case=case, user=user, to_stage=Case.Stage.MONITORING)


def test_intake_sets_the_plan_due_within_30_days(staff1, yeouido_household):
    case = case_open(household=yeouido_household, manager=staff1, user=staff1)
    assert case.stage == Case.Stage.INTAKE
    assert case.plan_due_on == timezone.localdate() + timedelta(days=30)
    case_advance(case=case, user=staff1, to_stage=Case.Stage.ASSESSMENT)
    case.refresh_from_db()
    assert case.stage_due_on <= case.plan_due_on


def test_a_skipped_stage_is_refused(staff1, yeouido_household):
    case = case_open(household=yeouido_household, manager=staff1, user=staff1)
    with pytest.raises(ValidationError) as error:
        case_advance(case=case, user=staff1, to_stage=Case.Stage.PLAN)
    assert "건너뛸 수 없습니다" in str(error.value)
    case.refresh_from_db()
    assert case.stage == Case.Stage.INTAKE


def test_service_needs_a_plan_goal_first(staff1, yeouido_household):
    case = case_open(household=yeouido_household, manager=staff1, user=staff1)
    case_advance(case=case, user=staff1, to_stage=Case.Stage.ASSESSMENT)
    case_advance(case=case, user=staff1, to_stage=Case.Stage.PLAN)
    with pytest.raises(ValidationError):
        case_advance(case=case, user=staff1, to_stage=Case.Stage.SERVICE)


def test_goals_met_closure_needs_monitoring_first(staff1, yeouido_household):
    case = case_open(household=yeouido_household, manager=staff1, user=staff1)
    with pytest.raises(ValidationError):
        case_close(case=case, user=staff1, reason=Case.ClosureReason.GOALS_MET)


def test_a_goal_cannot_use_another_households_link(staff1, catalogue, food_bank,
                                                   yeouido_household, singil_household,
                                                   consent_for):
    case = case_open(household=yeouido_household, manager=staff1, user=staff1)
    consent_for(singil_household, staff1)
    other = service_link_request(household=singil_household,
                                 service=catalogue["푸드뱅크·푸드마켓"], provider=food_bank,
                                 requested_by=staff1)
    with pytest.raises(ValidationError):
        case_goal_add(case=case, user=staff1, description="x", service_links=[other])


def test_closure_schedules_follow_up_three_months_later(staff1, yeouido_household):
    with time_machine.travel(date(2026, 11, 30), tick=False):
        case = case_open(household=yeouido_household, manager=staff1, user=staff1)
        _through_to_monitoring(case, staff1)
        case = case_close(case=case, user=staff1, reason=Case.ClosureReason.GOALS_MET)
    assert case.stage == Case.Stage.CLOSED
    assert case.follow_up_on == date(2027, 2, 28)


def test_follow_up_comes_back_as_an_open_alert_when_due(staff1, yeouido_household):
    with time_machine.travel(date(2026, 11, 2), tick=False):
        case = case_open(household=yeouido_household, manager=staff1, user=staff1)
        _through_to_monitoring(case, staff1)
        case_close(case=case, user=staff1, reason=Case.ClosureReason.GOALS_MET)
    with time_machine.travel(date(2027, 2, 1), tick=False):
        assert case_follow_ups_due.apply().get() == 0
    with time_machine.travel(date(2027, 2, 2), tick=False):
        assert case_follow_ups_due.apply().get() == 1
        assert case_follow_ups_due.apply().get() == 0  # the second run does nothing
    alert = DiscoveryAlert.objects.get(household=yeouido_household)
    assert (alert.status, alert.origin) == ("open", "follow_up")
    case.refresh_from_db()
    assert case.stage == Case.Stage.FOLLOW_UP and case.follow_up_alert == alert


def test_case_managers_see_cases_across_dongs_and_staff_only_theirs(
        api_as, staff1, staff2, manager1, yeouido_household):
    case = case_open(household=yeouido_household, manager=staff1, user=staff1)
    assert api_as(manager1).get(f"/api/v1/cases/{case.pk}/").status_code == 200
    assert api_as(staff2).get(f"/api/v1/cases/{case.pk}/").status_code == 404
    assert api_as(staff2).get("/api/v1/cases/").json()["count"] == 0


def test_api_refuses_a_skipped_stage_with_400(api_as, staff1, yeouido_household):
    api = api_as(staff1)
    created = api.post("/api/v1/cases/", {"household": yeouido_household.pk}, format="json")
    assert created.status_code == 201
    response = api.post(f"/api/v1/cases/{created.json()['id']}/advance/",
                        {"to_stage": "service"}, format="json")
    assert response.status_code == 400
    assert "건너뛸 수 없습니다" in response.content.decode()


def test_case_page_walks_a_stage_and_refuses_a_skip(client_as, staff1, yeouido_household):
    case = case_open(household=yeouido_household, manager=staff1, user=staff1)
    client = client_as(staff1)
    skipped = client.post(f"/cases/{case.pk}/", {"action": "advance", "to_stage": "plan",
                                                 "note": "메모 유지"})
    assert skipped.status_code == 400
    assert "건너뛸 수 없습니다" in skipped.content.decode()
    assert "메모 유지" in skipped.content.decode()
    ok = client.post(f"/cases/{case.pk}/", {"action": "advance", "to_stage": "assessment"})
    assert ok.status_code == 302
    case.refresh_from_db()
    assert case.stage == Case.Stage.ASSESSMENT
