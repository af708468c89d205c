"""Every write of outreach work, one function per use case."""

import calendar
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from households.models import Membership, Role
from households.services import timeline_add
from outreach.models import (
    Case,
    CaseConference,
    CaseGoal,
    CaseNote,
    CaseStageChange,
    CheckIn,
    DiscoveryAlert,
    Pairing,
    Visit,
    VisitNeed,
)
from outreach.rollups import dashboard_rollup_mark

# ---------------------------------------------------------------------------
# [4/5] Visits, cases, pairings and check-ins
# ---------------------------------------------------------------------------


def _alert_raise(*, household, origin: str, actor=None, due_days: int | None = None,
                 summary: str = "") -> DiscoveryAlert:
    """Open a DiscoveryAlert for the household, or return the one already open
    (never two open alerts for a household)."""
    due_days = settings.NORMAL_FIRST_CONTACT_DAYS if due_days is None else due_days
    existing = DiscoveryAlert.objects.filter(
        household=household, status=DiscoveryAlert.Status.OPEN
    ).first()
    if existing is not None:
        if summary:
            timeline_add(household_id=household.pk, kind="alert", actor=actor, obj=existing,
                         summary=summary)
        return existing
    try:
        with transaction.atomic():
            alert = DiscoveryAlert.objects.create(
                household=household, origin=origin,
                due_on=timezone.localdate() + timedelta(days=due_days),
            )
    except IntegrityError:
        # Another worker opened one a moment ago: that one is the alert.
        return DiscoveryAlert.objects.get(household=household, status=DiscoveryAlert.Status.OPEN)
    timeline_add(household_id=household.pk, kind="alert", actor=actor, obj=alert,
                 summary=summary or _("발굴 대상 등록 (%(origin)s)") % {"origin": origin})
    dashboard_rollup_mark(household.dong_id)
    return alert


def concern_raise(*, household, raised_by, note: str = "", origin: str = "check_in"):
    """"걱정돼요": a neighbour's worry reaches the dong's queue.

    For now it opens a DiscoveryAlert; once referrals.Referral exists this is the one
    place to rewire so that it submits a referral instead.
    """
    return _alert_raise(
        household=household, origin=origin, actor=raised_by,
        due_days=settings.EMERGENCY_FIRST_CONTACT_DAYS,
        summary=_("이웃이 걱정된다고 알림%(note)s")
        % {"note": f": {note}" if note else ""},
    )


def _check_visit_time(when: datetime, *, field: str) -> None:
    limit = timezone.now() - timedelta(days=settings.VISIT_PAST_LIMIT_DAYS)
    if when < limit:
        raise ValidationError(
            {field: _("%(days)s일보다 더 지난 날짜는 입력할 수 없습니다.")
             % {"days": settings.VISIT_PAST_LIMIT_DAYS}}
        )


@transaction.atomic
def visit_schedule(*, household, staff, scheduled_for, companion=None, alert=None,
                   previous_attempt=None) -> Visit:
    _check_visit_time(scheduled_for, field="scheduled_for")
    if previous_attempt is not None and scheduled_for <= (
        previous_attempt.visited_at or previous_attempt.scheduled_for
    ):
        raise ValidationError(
            {"scheduled_for": _("다음 방문은 이전 방문보다 뒤여야 합니다.")}
        )
    visit = Visit.objects.create(
        household=household, staff=staff, companion=companion, scheduled_for=scheduled_for,
        alert=alert, previous_attempt=previous_attempt,
        attempt_no=(previous_attempt.attempt_no + 1) if previous_attempt else 1,
    )
    when = timezone.localtime(scheduled_for)
    timeline_add(
        household_id=household.pk, kind="visit", actor=staff, obj=visit,
        summary=_("가정방문 예정 %(when)s") % {"when": f"{when:%Y-%m-%d %H:%M}"}
        + (_(" (%(n)s차)") % {"n": visit.attempt_no} if visit.attempt_no > 1 else ""),
    )
    return visit


UNREACHABLE_NEXT_STEP = "복지등기 우편 발송, 이웃·통반장 탐문, 관리사무소·임대인 확인"


@transaction.atomic
def visit_record(*, visit: Visit, user, outcome: str, visited_at: datetime | None = None,
                 observations: str = "", crisis_level: str = "", needs: dict | None = None,
                 next_attempt_at: datetime | None = None) -> Visit:
    """Record what happened. "부재" books the next attempt (VISIT_RETRY_DAYS later);
    after VISIT_MAX_ATTEMPTS failures the household is flagged 연락 두절."""
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    if visit.outcome:
        raise ValidationError(_("이미 결과가 기록된 방문입니다."))
    if outcome not in Visit.Outcome.values:
        raise ValidationError({"outcome": _("방문 결과를 골라 주세요.")})
    now = timezone.now()
    visited_at = visited_at or now
    if visited_at > now + timedelta(minutes=10):
        raise ValidationError({"visited_at": _("방문일시가 미래입니다.")})
    _check_visit_time(visited_at, field="visited_at")
    previous = visit.previous_attempt
    if previous is not None and previous.visited_at and visited_at <= previous.visited_at:
        raise ValidationError(
            {"visited_at": _("방문일시가 이전 방문(%(when)s)보다 앞섭니다.")
             % {"when": f"{timezone.localtime(previous.visited_at):%Y-%m-%d %H:%M}"}}
        )
    visit.outcome, visit.visited_at, visit.recorded_by = outcome, visited_at, user
    visit.observations, visit.crisis_level = observations, crisis_level
    if needs and outcome == Visit.Outcome.MET:
        VisitNeed.objects.bulk_create([
            VisitNeed(visit=visit, domain=domain, level=value["level"],
                      note=value.get("note", ""))
            for domain, value in needs.items()
            if value.get("level") and (value["level"] != "none" or value.get("note"))
        ])
    summary = _("가정방문 %(n)s차: %(outcome)s") % {
        "n": visit.attempt_no, "outcome": visit.get_outcome_display()}
    if outcome == Visit.Outcome.NOT_HOME:
        if visit.attempt_no >= settings.VISIT_MAX_ATTEMPTS:
            # 연락 두절: the household cannot be reached at the door; try another way.
            visit.unreachable = True
            visit.suggested_next_step = UNREACHABLE_NEXT_STEP
            summary += " — " + _("연락 두절 (%(n)s회 부재). 권고: %(step)s") % {
                "n": visit.attempt_no, "step": UNREACHABLE_NEXT_STEP}
    elif visit.alert_id and outcome == Visit.Outcome.MET:
        DiscoveryAlert.objects.filter(pk=visit.alert_id, first_contact_at__isnull=True).update(
            first_contact_at=visited_at
        )
    visit.save()
    timeline_add(household_id=visit.household_id, kind="visit", actor=user, obj=visit,
                 summary=summary)
    if outcome == Visit.Outcome.NOT_HOME and not visit.unreachable:
        next_at = next_attempt_at or (
            max(visited_at, now) + timedelta(days=settings.VISIT_RETRY_DAYS)
        )
        visit_schedule(household=visit.household, staff=visit.staff, companion=visit.companion,
                       alert=visit.alert, scheduled_for=next_at, previous_attempt=visit)
    dashboard_rollup_mark(visit.household.dong_id)
    return visit


# --- 통합사례관리 --------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _stage_due(case: Case, stage: str, today: date) -> date | None:
    days = settings.CASE_STAGE_DAYS.get(stage)
    if stage in (Case.Stage.ASSESSMENT, Case.Stage.PLAN):
        # 통합사례관리: the plan is due within CASE_PLAN_DAYS of intake, whatever else.
        return min(case.plan_due_on, today + timedelta(days=days)) if days else case.plan_due_on
    if stage == Case.Stage.CLOSED:
        return case.follow_up_on
    return today + timedelta(days=days) if days else None


def _enter_stage(case: Case, stage: str, *, user, note: str = "") -> None:
    today = timezone.localdate()
    case.stage = stage
    case.stage_due_on = _stage_due(case, stage, today)
    case.save()
    CaseStageChange.objects.create(case=case, stage=stage, by=user, due_on=case.stage_due_on,
                                   note=note[:300])
    timeline_add(
        household_id=case.household_id, kind="case", actor=user, obj=case,
        summary=_("통합사례 %(stage)s 단계%(note)s")
        % {"stage": case.get_stage_display(), "note": f": {note}" if note else ""},
    )


@transaction.atomic
def case_open(*, household, manager, user, summary: str = "") -> Case:
    if Case.objects.filter(household=household, closed_at__isnull=True).exists():
        raise ValidationError(_("이 가구에는 이미 진행 중인 통합사례가 있습니다."))
    today = timezone.localdate()
    case = Case(household=household, manager=manager, summary=summary,
                plan_due_on=today + timedelta(days=settings.CASE_PLAN_DAYS))
    _enter_stage(case, Case.Stage.INTAKE, user=user)
    return case


@transaction.atomic
def case_advance(*, case: Case, user, to_stage: str, note: str = "") -> Case:
    """Move to the next stage; a skipped stage is refused."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if to_stage != case.next_stage:
        raise ValidationError(
            _("'%(now)s' 다음 단계는 '%(next)s'입니다. 단계를 건너뛸 수 없습니다.")
            % {"now": case.get_stage_display(),
               "next": Case.Stage(case.next_stage).label if case.next_stage else "—"}
        )
    if to_stage == Case.Stage.CLOSED:
        raise ValidationError(_("종결은 종결 사유와 함께 기록해 주세요."))
    if to_stage == Case.Stage.SERVICE and not case.goals.exists():
        raise ValidationError(_("서비스 제공 전에 계획 목표를 하나 이상 세워 주세요."))
    _enter_stage(case, to_stage, user=user, note=note)
    return case


@transaction.atomic
def case_close(*, case: Case, user, reason: str, note: str = "",
               follow_up_on: date | None = None) -> Case:
    """종결. A case closes after 점검 when its goals are met; a death, a move, a refusal
    or a transfer may end it at any stage. Follow-up comes CASE_FOLLOW_UP_MONTHS later."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.closed_at:
        raise ValidationError(_("이미 종결된 사례입니다."))
    if reason not in Case.ClosureReason.values:
        raise ValidationError({"reason": _("종결 사유를 골라 주세요.")})
    if reason in (Case.ClosureReason.GOALS_MET, Case.ClosureReason.OTHER) and \
            case.stage != Case.Stage.MONITORING:
        raise ValidationError(
            _("'%(reason)s'(으)로 종결하려면 먼저 점검 단계를 거쳐야 합니다.")
            % {"reason": Case.ClosureReason(reason).label}
        )
    today = timezone.localdate()
    if follow_up_on is not None and follow_up_on <= today:
        raise ValidationError({"follow_up_on": _("사후관리 예정일은 종결일 이후여야 합니다.")})
    case.closed_at = timezone.now()
    case.closure_reason, case.closure_note = reason, note
    if reason not in (Case.ClosureReason.DECEASED, Case.ClosureReason.MOVED):
        case.follow_up_on = follow_up_on or add_months(today, settings.CASE_FOLLOW_UP_MONTHS)
    _enter_stage(case, Case.Stage.CLOSED, user=user, note=case.get_closure_reason_display())
    return case


@transaction.atomic
def case_conference_add(*, case: Case, user, held_on: date, decisions: str,
                        organizations=()) -> CaseConference:
    conference = CaseConference.objects.create(case=case, held_on=held_on, decisions=decisions,
                                               created_by=user)
    conference.organizations.set(organizations)
    timeline_add(household_id=case.household_id, kind="case", actor=user, obj=conference,
                 summary=_("사례회의 %(date)s") % {"date": f"{held_on:%Y-%m-%d}"})
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
                 summary=_("사례 목표: %(goal)s") % {"goal": description})
    return goal


@transaction.atomic
def case_note_add(*, case: Case, user, text: str) -> CaseNote:
    note = CaseNote.objects.create(case=case, author=user, text=text)
    timeline_add(household_id=case.household_id, kind="case", actor=user, obj=note,
                 summary=_("점검 기록: %(text)s") % {"text": text[:100]})
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
            case.follow_up_alert = _alert_raise(
                household=case.household, origin="follow_up",
                summary=_("사후관리 예정일 도래 (통합사례 %(id)s)") % {"id": case.pk},
            )
            _enter_stage(case, Case.Stage.FOLLOW_UP, user=None)
        raised += 1
    return raised


# --- 결연과 안부 확인 -----------------------------------------------------------


@transaction.atomic
def pairing_create(*, volunteer, household, cadence: str, created_by,
                   grace_days: int | None = None, started_on: date | None = None) -> Pairing:
    if not Membership.objects.filter(user=volunteer, role=Role.VOLUNTEER,
                                     dong_id=household.dong_id).exists():
        raise ValidationError(_("이 가구가 있는 동의 자원봉사자만 결연할 수 있습니다."))
    if Pairing.objects.filter(volunteer=volunteer, household=household,
                              ended_on__isnull=True).exists():
        raise ValidationError(_("이미 결연된 자원봉사자입니다."))
    pairing = Pairing.objects.create(
        volunteer=volunteer, household=household, cadence=cadence, created_by=created_by,
        grace_days=settings.CHECK_IN_GRACE_DAYS if grace_days is None else grace_days,
        started_on=started_on or timezone.localdate(),
    )
    timeline_add(household_id=household.pk, kind="check_in", actor=created_by, obj=pairing,
                 summary=_("결연 시작: %(cadence)s 안부 확인")
                 % {"cadence": pairing.get_cadence_display()})
    return pairing


@transaction.atomic
def pairing_end(*, pairing: Pairing, user) -> Pairing:
    pairing.ended_on = timezone.localdate()
    pairing.save(update_fields=["ended_on"])
    timeline_add(household_id=pairing.household_id, kind="check_in", actor=user, obj=pairing,
                 summary=_("결연 종료"))
    return pairing


@transaction.atomic
def check_in_log(*, pairing: Pairing, by, kind: str, wellbeing: int | None = None,
                 concern: bool = False, note: str = "", at: datetime | None = None) -> CheckIn:
    """The volunteer's check-in. "응답 없음" is logged but does not reset the clock:
    only reaching the person does. "걱정돼요" raises a concern to the dong."""
    if pairing.volunteer_id != by.pk or pairing.ended_on is not None:
        raise PermissionDenied(_("결연된 가구만 안부 확인을 기록할 수 있습니다."))
    if kind not in CheckIn.Kind.values:
        raise ValidationError({"kind": _("만남, 전화, 응답 없음 중에서 골라 주세요.")})
    if kind != CheckIn.Kind.NO_ANSWER and wellbeing is None:
        raise ValidationError({"wellbeing": _("안녕 정도를 1–5 중에서 골라 주세요.")})
    if wellbeing is not None and not 1 <= wellbeing <= 5:
        raise ValidationError({"wellbeing": _("안녕 정도는 1–5 사이입니다.")})
    at = at or timezone.now()
    check_in = CheckIn.objects.create(
        pairing=pairing, by=by, kind=kind, concern=concern, note=note, at=at,
        wellbeing=None if kind == CheckIn.Kind.NO_ANSWER else wellbeing,
    )
    if kind != CheckIn.Kind.NO_ANSWER:
        Pairing.objects.filter(pk=pairing.pk).update(last_check_in_at=at)
        pairing.last_check_in_at = at
    timeline_add(
        household_id=pairing.household_id, kind="check_in", actor=by, obj=check_in,
        summary=_("안부 확인: %(kind)s%(wellbeing)s")
        % {"kind": check_in.get_kind_display(),
           "wellbeing": f" ({check_in.wellbeing}/5)" if check_in.wellbeing else ""},
    )
    if concern:
        concern_raise(household=pairing.household, raised_by=by, note=note)
    return check_in


def check_ins_missed_raise(now: datetime | None = None) -> int:
    """Alert the dong when a paired household went unchecked for its cadence plus grace;
    once per silence (a new check-in re-arms it)."""
    now = now or timezone.now()
    raised = 0
    pairings = Pairing.objects.filter(ended_on__isnull=True).select_related("household")
    for pairing in pairings.iterator(chunk_size=1000):
        overdue_at = pairing.due_at() + timedelta(days=pairing.grace_days)
        if overdue_at > now:
            continue
        if pairing.missed_alerted_at and (
            pairing.last_check_in_at is None or pairing.missed_alerted_at > pairing.last_check_in_at
        ):
            continue
        with transaction.atomic():
            claimed = Pairing.objects.filter(
                pk=pairing.pk, missed_alerted_at=pairing.missed_alerted_at
            ).update(missed_alerted_at=now)
            if not claimed:
                continue
            last = pairing.last_check_in_at
            _alert_raise(
                household=pairing.household, origin="missed_check_in",
                due_days=settings.EMERGENCY_FIRST_CONTACT_DAYS,
                summary=_("안부 확인 누락: 마지막 확인 %(last)s")
                % {"last": f"{timezone.localtime(last):%Y-%m-%d}" if last else _("없음")},
            )
        raised += 1
    return raised


# ---------------------------------------------------------------------------
# end [4/5]
# ---------------------------------------------------------------------------


@transaction.atomic
def discovery_targets_save(*, year: int, targets: dict, by) -> int:
    """Set each dong's discovery target for a year; None puts a dong back on the default
    (last year's actual × 1.1). Returns how many dongs changed."""
    from outreach.models import DiscoveryTarget

    changed = 0
    saved = {t.dong_id: t for t in DiscoveryTarget.objects.select_for_update()
             .filter(year=year, dong_id__in=list(targets))}
    for dong_id, target in targets.items():
        current = saved.get(dong_id)
        if target is None:
            if current is not None:
                current.delete()
                changed += 1
        elif current is None:
            DiscoveryTarget.objects.create(dong_id=dong_id, year=year, target=target, set_by=by)
            changed += 1
        elif current.target != target:
            current.target, current.set_by = target, by
            current.save(update_fields=["target", "set_by", "set_at"])
            changed += 1
    return changed
