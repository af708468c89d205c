"""Integrated case management (통합사례관리): open, advance, close, conferences, goals,
notes, and the follow-ups that come due after closure."""

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from households.dates import add_months
from households.hooks import dong_figures_changed_send
from households.messages import message
from households.particles import particles_fix
from households.services import timeline_add
from outreach.models import (
    Case,
    CaseConference,
    CaseGoal,
    CaseNote,
    CaseStageChange,
)
from outreach.selectors.approvals import case_plan_approved
from outreach.selectors.cases import CASE_MANAGER_HINT, case_managers_for
from outreach.services.alerts import alert_household_supported, alert_open
from referrals.services.lifecycle import referrals_household_supported

# --- 통합사례관리 --------------------------------------------------------------




def _stage_due(case: Case, stage: str, today: date) -> date | None:
    days = settings.CASE_STAGE_DAYS.get(stage)
    if stage in (Case.Stage.ASSESSMENT, Case.Stage.PLAN):
        # 통합사례관리: the plan is due within CASE_PLAN_DAYS of intake, whatever else.
        return min(case.plan_due_on, today + timedelta(days=days)) if days else case.plan_due_on
    if stage == Case.Stage.CLOSED:
        return case.follow_up_on
    return today + timedelta(days=days) if days else None


def _enter_stage(case: Case, stage: str, *, user, note: str = "",
                 summary: dict | None = None) -> None:
    today = timezone.localdate()
    case.stage = stage
    case.stage_due_on = _stage_due(case, stage, today)
    case.save()
    CaseStageChange.objects.create(case=case, stage=stage, by=user, due_on=case.stage_due_on,
                                   note=note[:300])
    timeline_add(
        household_id=case.household_id, kind="case", actor=user, obj=case,
        summary=summary or (message("case_stage_note", stage=stage, note=note) if note
                            else message("case_stage", stage=stage)),
    )


@transaction.atomic
def case_open(*, household, manager, user, summary: str = "") -> Case:
    # The manager works the case, so must be someone who can open the household's record.
    if not case_managers_for(household).filter(pk=manager.pk).exists():
        raise ValidationError({"manager": particles_fix(_(
            "%(who)s은(는) 이 가구의 사례관리자가 될 수 없습니다. %(hint)s") % {
            "who": manager.get_username(), "hint": CASE_MANAGER_HINT})})
    if Case.objects.filter(household=household, closed_at__isnull=True).exists():
        raise ValidationError(_("이 가구에는 이미 진행 중인 통합사례가 있습니다."))
    today = timezone.localdate()
    case = Case(household=household, manager=manager, summary=summary,
                plan_due_on=today + timedelta(days=settings.CASE_PLAN_DAYS))
    _enter_stage(case, Case.Stage.INTAKE, user=user)
    what = message("case_opened", id=case.pk)
    alert_household_supported(household_id=household.pk, actor=user, what=what)
    referrals_household_supported(household_id=household.pk, actor=user, what=what)
    # An opened case makes the household "discovered" on the dashboards.
    dong_figures_changed_send([household.dong_id])
    return case


def case_skip_message(case: Case) -> str:
    """What a worker is told when the stage asked for is not the next one."""
    return _("'%(now)s' 다음 단계는 '%(next)s'입니다. 단계를 건너뛸 수 없습니다.") % {
        "now": case.get_stage_display(),
        "next": Case.Stage(case.next_stage).label if case.next_stage else "—"}


@transaction.atomic
def case_advance(*, case: Case, user, to_stage: str, note: str = "",
                 approved: bool = False) -> Case:
    """Move to the next stage; a skipped stage is refused. 서비스 제공 follows only a plan
    the team lead approved (outreach.services.approvals)."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if to_stage != case.next_stage:
        raise ValidationError(case_skip_message(case))
    if to_stage == Case.Stage.CLOSED:
        raise ValidationError(_("종결은 종결 사유와 함께 기록해 주세요."))
    if to_stage not in case.advance_stages:
        raise ValidationError(_("사후관리는 예정일이 되면 저절로 시작됩니다."))
    if to_stage == Case.Stage.SERVICE and not case.goals.exists():
        raise ValidationError(_("서비스 제공 전에 계획 목표를 하나 이상 세워 주세요."))
    if to_stage == Case.Stage.SERVICE and not (approved or case_plan_approved(case)):
        raise ValidationError(_("계획은 동 복지팀장의 승인을 받은 뒤 서비스 제공 단계로 "
                                "넘어갑니다. '계획 결재 요청'을 눌러 주세요."))
    _enter_stage(case, to_stage, user=user, note=note)
    return case


def case_close_check(*, case: Case, reason: str, follow_up_on: date | None = None) -> None:
    """The rules a closure must meet, whether asked for or carried out after approval."""
    if case.closed_at:
        raise ValidationError(_("이미 종결된 사례입니다."))
    if reason not in Case.ClosureReason.values:
        raise ValidationError({"reason": _("종결 사유를 골라 주세요.")})
    if reason not in case.closure_reasons:
        raise ValidationError(
            particles_fix(_("'%(reason)s'(으)로 종결하려면 먼저 점검 단계를 거쳐야 합니다.")
                          % {"reason": Case.ClosureReason(reason).label})
        )
    if follow_up_on is not None and follow_up_on <= timezone.localdate():
        raise ValidationError({"follow_up_on": _("사후관리 예정일은 종결일 이후여야 합니다.")})


@transaction.atomic
def case_close(*, case: Case, user, reason: str, note: str = "",
               follow_up_on: date | None = None) -> Case:
    """종결. A case closes after 점검 when its goals are met; a death, a move, a refusal
    or a transfer may end it at any stage. Follow-up comes CASE_FOLLOW_UP_MONTHS later."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    case_close_check(case=case, reason=reason, follow_up_on=follow_up_on)
    today = timezone.localdate()
    case.closed_at = timezone.now()
    case.closure_reason, case.closure_note = reason, note
    if reason not in (Case.ClosureReason.DECEASED, Case.ClosureReason.MOVED):
        case.follow_up_on = follow_up_on or add_months(today, settings.CASE_FOLLOW_UP_MONTHS)
    _enter_stage(case, Case.Stage.CLOSED, user=user, note=case.get_closure_reason_display(),
                 summary=message("case_closed", stage=Case.Stage.CLOSED, reason=reason))
    return case


@transaction.atomic
def case_conference_add(*, case: Case, user, held_on: date, decisions: str,
                        organizations=()) -> CaseConference:
    conference = CaseConference.objects.create(case=case, held_on=held_on, decisions=decisions,
                                               created_by=user)
    conference.organizations.set(organizations)
    timeline_add(household_id=case.household_id, kind="case", actor=user, obj=conference,
                 summary=message("case_conference", date=f"{held_on:%Y-%m-%d}"))
    return conference


@transaction.atomic
def case_goal_add(*, case: Case, user, description: str, domain: str = "",
                  service_links=()) -> CaseGoal:
    links = list(service_links)
    if any(link.household_id != case.household_id for link in links):
        raise ValidationError(_("다른 가구의 서비스 연계는 목표에 연결할 수 없습니다."))
    goal = CaseGoal.objects.create(case=case, description=description, domain=domain)
    goal.service_links.set(links)
    timeline_add(household_id=case.household_id, kind="case", actor=user, obj=goal,
                 summary=message("case_goal", goal=description[:200]))
    return goal


@transaction.atomic
def case_note_add(*, case: Case, user, text: str) -> CaseNote:
    note = CaseNote.objects.create(case=case, author=user, text=text)
    timeline_add(household_id=case.household_id, kind="case", actor=user, obj=note,
                 summary=message("case_note", text=text[:100]))
    return note


def case_follow_ups_due(today: date | None = None) -> int:
    """Closed cases whose follow-up date has come back into the queue as alerts."""
    today = today or timezone.localdate()
    due_ids = list(
        Case.objects.filter(stage=Case.Stage.CLOSED, follow_up_on__lte=today,
                            follow_up_alert__isnull=True).values_list("pk", flat=True)
    )
    raised = 0
    for case_id in due_ids:
        with transaction.atomic():
            case = Case.objects.select_for_update().select_related("household").get(pk=case_id)
            if case.follow_up_alert_id or case.stage != Case.Stage.CLOSED:
                continue
            case.follow_up_alert = alert_open(
                household=case.household, origin="follow_up",
                summary=message("case_follow_up_due", id=case.pk),
            )
            _enter_stage(case, Case.Stage.FOLLOW_UP, user=None)
        raised += 1
    return raised
