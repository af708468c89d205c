"""The case page offers only what the case may do next: the next stage (never the current
one, never a skip), and a closure reason that starts blank, must be chosen, and is one the
stage allows (목표 달성 and 기타 only after 점검)."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from outreach.forms import CaseAdvanceForm, CaseCloseForm
from outreach.models import Case
from outreach.services.approvals import approval_decide, case_plan_submit
from outreach.services.cases import case_advance, case_close, case_goal_add, case_open

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(staff1, yeouido_household):
    return case_open(household=yeouido_household, manager=staff1, user=staff1)


def _walk_to(case, stage, user):
    for step in ["assessment", "plan", "service", "monitoring"]:
        if case.stage == stage:
            break
        if step == "service":
            case_goal_add(case=case, user=user, description="식생활 안정")
            # The plan moves on to 서비스 제공 once the team lead approves it.
            lead = get_user_model().objects.get(username="lead1")
            approval_decide(approval=case_plan_submit(case=case, user=user), user=lead,
                            decision="approved")
            case = Case.objects.get(pk=case.pk)
            continue
        case = case_advance(case=case, user=user, to_stage=step)
    return Case.objects.get(pk=case.pk)


def _values(field):
    return [value for value, _label in field.choices]


def test_a_new_case_is_offered_only_its_next_stage(case):
    form = CaseAdvanceForm(case=case)
    assert _values(form.fields["to_stage"]) == ["assessment"]
    assert form.fields["to_stage"].initial == "assessment"


def test_each_stage_offers_the_one_after_it(case, staff1):
    case = _walk_to(case, "plan", staff1)
    assert _values(CaseAdvanceForm(case=case).fields["to_stage"]) == ["service"]


def test_at_monitoring_nothing_is_offered_closure_has_its_own_form(case, staff1):
    case = _walk_to(case, "monitoring", staff1)
    assert case.advance_stages == []
    assert _values(CaseAdvanceForm(case=case).fields["to_stage"]) == []


def test_the_current_stage_or_a_skip_is_refused_with_the_skip_message(case):
    for stage in ["intake", "plan", "closed"]:
        form = CaseAdvanceForm({"to_stage": stage}, case=case)
        assert not form.is_valid()
        assert "'접수' 다음 단계는 '욕구 사정'입니다." in form.errors["to_stage"][0]


def test_follow_up_is_not_a_stage_to_move_to_by_hand(case, staff1):
    case = case_close(case=case, user=staff1, reason=Case.ClosureReason.REFUSED)
    assert case.advance_stages == []
    with pytest.raises(ValidationError, match="사후관리는 예정일이 되면"):
        case_advance(case=case, user=staff1, to_stage="follow_up")


def test_the_closure_reason_starts_blank_and_is_required(case):
    field = CaseCloseForm(case=case).fields["reason"]
    assert field.choices[0][0] == ""
    form = CaseCloseForm({"reason": "", "note": "메모"}, case=case)
    assert not form.is_valid()
    assert form.errors["reason"] == ["종결 사유를 골라 주세요."]


def test_before_monitoring_goals_met_and_other_are_not_offered(case, staff1):
    offered = _values(CaseCloseForm(case=case).fields["reason"])
    assert offered == ["", "refused", "moved", "deceased", "transferred"]
    form = CaseCloseForm({"reason": "goals_met"}, case=case)
    assert not form.is_valid()
    assert "'접수' 단계에서는 고를 수 없는 종결 사유입니다." in form.errors["reason"][0]
    monitoring = _walk_to(case, "monitoring", staff1)
    assert "goals_met" in _values(CaseCloseForm(case=monitoring).fields["reason"])


def test_the_case_page_shows_only_the_next_stage_and_a_blank_reason(client_as, staff1, case):
    html = client_as(staff1).get(f"/cases/{case.pk}/").content.decode()
    advance = html[html.index('name="to_stage"'):]
    advance = advance[:advance.index("</select>")]
    assert 'value="assessment"' in advance
    assert 'value="intake"' not in advance and 'value="plan"' not in advance
    reason = html[html.index('name="reason"'):]
    reason = reason[:reason.index("</select>")]
    assert '<option value="" selected>---------</option>' in reason


def test_posting_close_without_a_reason_keeps_the_note_and_says_why(client_as, staff1, case):
    response = client_as(staff1).post(f"/cases/{case.pk}/", {
        "action": "close", "reason": "", "note": "본인이 거부함"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "종결 사유를 골라 주세요." in body and "본인이 거부함" in body
    case.refresh_from_db()
    assert case.closed_at is None
