"""A second pair of eyes (maker-checker): a worker submits a case plan or a closure, an
admin saves a risk-model version; a team lead (cases) or a second district admin (risk
model) approves or returns it. Decisions are insert-only; nobody decides their own."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from config.celery import enqueue_on_commit
from households.messages import message
from households.rrn import redact
from households.services import timeline_add
from outreach.models import Approval, ApprovalDecision, Case
from outreach.selectors.approvals import approval_open_for, approvals_to_decide
from outreach.services.cases import case_advance, case_close, case_close_check

K = Approval.Kind
D = ApprovalDecision.Decision


def _submitted(case: Case, kind: str, user, payload=None) -> Approval:
    if approval_open_for(case, kind) is not None:
        raise ValidationError(_("이미 팀장 결재를 기다리고 있습니다."))
    approval = Approval.objects.create(kind=kind, case=case, dong_id=case.household.dong_id,
                                       requested_by=user, payload=payload or {})
    timeline_add(household_id=case.household_id, kind="case", actor=user, obj=case,
                 summary=message("approval_requested", what=approval.kind))
    return approval


@transaction.atomic
def case_plan_submit(*, case: Case, user) -> Approval:
    """The plan (its goals) goes to the dong's team lead; approved, the case moves on to
    서비스 제공."""
    case = Case.objects.select_for_update().select_related("household").get(pk=case.pk)
    if case.stage != Case.Stage.PLAN:
        raise ValidationError(_("계획 단계에서만 계획 결재를 요청할 수 있습니다."))
    if not case.goals.exists():
        raise ValidationError(_("결재 전에 계획 목표를 하나 이상 세워 주세요."))
    return _submitted(case, K.CASE_PLAN, user)


@transaction.atomic
def case_closure_submit(*, case: Case, user, reason: str, note: str = "",
                        follow_up_on: date | None = None) -> Approval:
    """종결 goes to the dong's team lead with its reason; approved, the case closes."""
    case = Case.objects.select_for_update().select_related("household").get(pk=case.pk)
    case_close_check(case=case, reason=reason, follow_up_on=follow_up_on)
    return _submitted(case, K.CASE_CLOSURE, user, payload={
        "reason": reason, "note": redact((note or "").strip())[:2000],
        "follow_up_on": follow_up_on.isoformat() if follow_up_on else None})


@transaction.atomic
def approval_decide(*, approval: Approval, user, decision: str, note: str = "") -> ApprovalDecision:
    """승인 or 반려, once. A returned item goes back to its maker with the note."""
    # Lock only the request row (its case and risk model are nullable outer joins).
    approval = Approval.objects.select_for_update(of=("self",)).select_related(
        "case__household", "risk_model").get(pk=approval.pk)
    note = redact((note or "").strip())[:500]
    if ApprovalDecision.objects.filter(approval=approval).exists():
        raise ValidationError(_("이미 결정된 요청입니다."))
    if approval.requested_by_id == user.pk:
        raise ValidationError(_("자신이 올린 것은 결재할 수 없습니다. 다른 사람이 결재합니다."))
    if not approvals_to_decide(user).filter(pk=approval.pk).exists():
        raise ValidationError(_("이 요청을 결재할 권한이 없습니다."))
    if decision not in D.values:
        raise ValidationError({"decision": _("승인 또는 반려를 골라 주세요.")})
    if decision == D.RETURNED and not note:
        raise ValidationError({"note": _("반려할 때는 무엇을 고칠지 적어 주세요.")})
    outcome = ApprovalDecision.objects.create(approval=approval, decision=decision,
                                              decided_by=user, note=note)
    if approval.case_id:
        case = approval.case
        timeline_add(household_id=case.household_id, kind="case", actor=user, obj=case,
                     summary=message("approval_decided_note", what=approval.kind,
                                     decision=outcome.decision, note=note) if note else
                     message("approval_decided", what=approval.kind, decision=outcome.decision))
    if decision == D.APPROVED:
        _carry_out(approval, user)
    return outcome


def _carry_out(approval: Approval, user) -> None:
    if approval.kind == K.CASE_PLAN:
        case_advance(case=approval.case, user=user, to_stage=Case.Stage.SERVICE,
                     note=_("계획 승인"), approved=True)
    elif approval.kind == K.CASE_CLOSURE:
        payload = approval.payload
        follow_up = payload.get("follow_up_on")
        case_close(case=approval.case, user=approval.requested_by, reason=payload["reason"],
                   note=payload.get("note", ""),
                   follow_up_on=date.fromisoformat(follow_up) if follow_up else None)
    elif approval.kind == K.RISK_MODEL:
        # Now in effect: rescore every household with signals under it, in the background.
        enqueue_on_commit("outreach.tasks.risk_model_rescore", approval.risk_model.version)
