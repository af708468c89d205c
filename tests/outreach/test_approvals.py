"""A second pair of eyes (maker-checker): the dong team lead approves or returns case plans
and closures; a risk-model version takes effect only after a second district admin
approves it; decisions are insert-only; nobody approves their own work."""

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.urls import reverse

from outreach.models import Approval, ApprovalDecision, Case
from outreach.selectors.assessments import risk_model_current
from outreach.services.approvals import approval_decide, case_plan_submit
from outreach.services.assessments import risk_model_save
from outreach.services.cases import case_advance, case_goal_add, case_open
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead1(demo, django_user_model):
    return django_user_model.objects.get(username="lead1")


@pytest.fixture
def admin2(demo, django_user_model):
    return django_user_model.objects.get(username="admin2")


@pytest.fixture
def case_at_plan(staff1, yeouido_household):
    case = case_open(household=yeouido_household, manager=staff1, user=staff1)
    for stage in ("assessment", "plan"):
        case = case_advance(case=case, user=staff1, to_stage=stage)
    case_goal_add(case=case, user=staff1, description="식생활 안정")
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def case_at_monitoring(case_at_plan, staff1, lead1):
    approval_decide(approval=case_plan_submit(case=case_at_plan, user=staff1), user=lead1,
                    decision="approved")
    return case_advance(case=case_at_plan, user=staff1, to_stage="monitoring")


def _decide(client, approval, decision, note=""):
    return client.post(reverse("approval_inbox"), {
        "approval": approval.pk, "decision": decision, "note": note})


def test_a_plan_goes_to_service_only_after_the_team_lead_approves(
        client_as, staff1, lead1, case_at_plan):
    with pytest.raises(ValidationError, match="승인"):
        case_advance(case=case_at_plan, user=staff1, to_stage="service")
    assert client_as(staff1).post(reverse("case_detail", args=[case_at_plan.pk]), {
        "action": "submit_plan"}).status_code == 302
    approval = Approval.objects.get(kind="case_plan", case=case_at_plan)
    page = client_as(lead1).get(reverse("approval_inbox"))
    assert approval in page.context["to_decide"] and "식생활 안정" in page.content.decode()
    assert _decide(client_as(lead1), approval, "approved").status_code == 302
    case_at_plan.refresh_from_db()
    assert case_at_plan.stage == "service"
    assert approval.decision.decided_by == lead1


def test_a_returned_closure_goes_back_to_its_maker_with_the_note(
        client_as, staff1, lead1, case_at_monitoring):
    staff = client_as(staff1)
    assert staff.post(reverse("case_detail", args=[case_at_monitoring.pk]), {
        "action": "close", "reason": "goals_met", "note": "목표 달성"}).status_code == 302
    case_at_monitoring.refresh_from_db()
    assert case_at_monitoring.closed_at is None
    closure = Approval.objects.get(kind="case_closure")
    assert _decide(client_as(lead1), closure, "returned", "점검 기록을 하나 더").status_code == 302
    case_at_monitoring.refresh_from_db()
    assert case_at_monitoring.closed_at is None
    mine = client_as(staff1).get(reverse("approval_inbox"))
    assert "점검 기록을 하나 더" in mine.content.decode()
    assert "점검 기록을 하나 더" in client_as(staff1).get(
        reverse("case_detail", args=[case_at_monitoring.pk])).content.decode()
    # Resubmitted, then approved: now it closes, in the maker's name.
    staff.post(reverse("case_detail", args=[case_at_monitoring.pk]), {
        "action": "close", "reason": "goals_met", "note": "다시 요청"})
    again = Approval.objects.filter(kind="case_closure", decision__isnull=True).get()
    assert _decide(client_as(lead1), again, "approved").status_code == 302
    case_at_monitoring.refresh_from_db()
    assert case_at_monitoring.stage == "closed" and case_at_monitoring.closed_at is not None
    assert case_at_monitoring.stage_changes.last().by == staff1


def test_returning_without_a_note_is_refused(client_as, staff1, lead1, case_at_plan):
    approval = case_plan_submit(case=case_at_plan, user=staff1)
    response = _decide(client_as(lead1), approval, "returned", "")
    assert response.status_code == 400
    assert "무엇을 고칠지" in response.content.decode()
    assert not ApprovalDecision.objects.exists()


def test_nobody_approves_their_own_plan(client_as, lead1, case_at_plan):
    approval = case_plan_submit(case=case_at_plan, user=lead1)
    assert approval not in client_as(lead1).get(reverse("approval_inbox")).context["to_decide"]
    assert _decide(client_as(lead1), approval, "approved").status_code == 404
    with pytest.raises(ValidationError, match="자신이 올린 것은"):
        approval_decide(approval=approval, user=lead1, decision="approved")
    assert not ApprovalDecision.objects.exists()


@pytest.mark.parametrize("username", ["staff1", "staff2", "manager1", "admin"])
def test_only_the_dongs_team_lead_decides_a_case(client, django_user_model, staff1,
                                                 case_at_plan, username):
    approval = case_plan_submit(case=case_at_plan, user=staff1)
    client.force_login(django_user_model.objects.get(username=username))
    assert _decide(client, approval, "approved").status_code == 404
    assert not ApprovalDecision.objects.exists()


def test_a_team_lead_of_another_dong_does_not_see_the_plan(client_as, dongs, staff1,
                                                          case_at_plan):
    other_lead = UserFactory(username="lead_daerim")
    MembershipFactory(user=other_lead, role="team_lead", dong=dongs["대림2동"])
    approval = case_plan_submit(case=case_at_plan, user=staff1)
    client = client_as(other_lead)
    assert approval not in client.get(reverse("approval_inbox")).context["to_decide"]
    assert _decide(client, approval, "approved").status_code == 404


def test_a_decision_is_taken_once_and_never_rewritten(staff1, lead1, case_at_plan):
    approval = case_plan_submit(case=case_at_plan, user=staff1)
    decision = approval_decide(approval=approval, user=lead1, decision="approved")
    with pytest.raises(ValidationError):
        approval_decide(approval=approval, user=lead1, decision="returned", note="취소")
    decision.note = "고침"
    with pytest.raises(ValidationError):
        decision.save()
    # Below the ORM, the database itself refuses (a trigger on SQLite and PostgreSQL).
    with pytest.raises(DatabaseError), transaction.atomic():
        ApprovalDecision.objects.filter(pk=decision.pk).update(decision="returned")
    with pytest.raises(DatabaseError), transaction.atomic():
        Approval.objects.filter(pk=approval.pk).update(requested_by=lead1)
    assert ApprovalDecision.objects.get(pk=decision.pk).decision == "approved"


# --- a new risk-model version needs a second district admin --------------------------

def _edited(current, threshold):
    fields = ["weights", "half_life_days", "month_factor", "amount_factor",
              "bonus_alone_cutoff", "bonus_two_cutoffs", "bonus_elderly", "bonus_many_kinds",
              "level_medium", "level_high", "level_critical"]
    return {**{f: getattr(current, f) for f in fields}, "threshold": threshold}


def test_a_risk_model_version_is_inactive_until_a_second_admin_approves(
        client_as, admin_user, admin2):
    v1 = risk_model_current()
    v2 = risk_model_save(user=admin_user, data=_edited(v1, 40), note="기준 점수 40")
    assert risk_model_current() == v1
    approval = Approval.objects.get(risk_model=v2)
    # The maker cannot approve it …
    assert approval not in client_as(admin_user).get(
        reverse("approval_inbox")).context["to_decide"]
    with pytest.raises(ValidationError):
        approval_decide(approval=approval, user=admin_user, decision="approved")
    assert risk_model_current() == v1
    # … the second admin sees the what-if and approves it.
    page = client_as(admin2).get(reverse("approval_inbox"))
    shown = [a for a in page.context["to_decide"] if a.pk == approval.pk]
    assert shown and "households" in shown[0].preview
    assert "기준 점수 40" in page.content.decode()
    assert _decide(client_as(admin2), approval, "approved").status_code == 302
    assert risk_model_current() == v2


def test_a_returned_version_never_takes_effect(admin_user, admin2):
    v1 = risk_model_current()
    v2 = risk_model_save(user=admin_user, data=_edited(v1, 30))
    approval_decide(approval=Approval.objects.get(risk_model=v2), user=admin2,
                    decision="returned", note="너무 낮음")
    assert risk_model_current() == v1


# --- the API and the matrix ----------------------------------------------------------

def test_closure_and_decision_by_api(api_as, staff1, lead1, case_at_monitoring):
    asked = api_as(staff1).post(f"/api/v1/cases/{case_at_monitoring.pk}/close/",
                                {"reason": "goals_met"}, format="json")
    assert asked.status_code == 202 and asked.json()["kind"] == "case_closure"
    own = api_as(staff1).post(f"/api/v1/approvals/{asked.json()['id']}/decide/",
                              {"decision": "approved"}, format="json")
    assert own.status_code == 404
    listed = api_as(lead1).get("/api/v1/approvals/").json()["results"]
    assert [row["id"] for row in listed] == [asked.json()["id"]]
    done = api_as(lead1).post(f"/api/v1/approvals/{asked.json()['id']}/decide/",
                              {"decision": "approved", "note": "확인"}, format="json")
    assert done.status_code == 200 and done.json()["decision"]["decided_by"] == "lead1"
    assert Case.objects.get(pk=case_at_monitoring.pk).closed_at is not None


APPROVAL_PAGE = [("admin", 200), ("admin2", 200), ("lead1", 200), ("manager1", 200),
                 ("staff1", 200), ("staff2", 200), ("volunteer1", 403), ("partner1", 403),
                 ("auditor1", 403)]


@pytest.mark.parametrize("username,expected", APPROVAL_PAGE)
def test_approvals_page_and_api_for_every_role(client, api_as, django_user_model, staff1,
                                               case_at_plan, username, expected):
    approval = case_plan_submit(case=case_at_plan, user=staff1)
    user = django_user_model.objects.get(username=username)
    client.force_login(user)
    assert client.get(reverse("approval_inbox")).status_code == expected
    api = api_as(user)
    listed = api.get("/api/v1/approvals/")
    assert listed.status_code == expected
    detail = api.get(f"/api/v1/approvals/{approval.pk}/").status_code
    assert detail == (200 if username == "lead1" else 404 if expected == 200 else 403)


def test_the_team_lead_sees_only_the_records_of_their_dongs(client_as, lead1, dongs):
    client = client_as(lead1)
    for dong, status in (("여의동", 200), ("신길1동", 200), ("대림2동", 404)):
        household = dongs[dong].households.order_by("id").first()
        assert client.get(reverse("household_detail", args=[household.pk])
                          ).status_code == status
    assert lead1.has_perm("referrals.override_consent")
