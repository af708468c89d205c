"""Every write of outreach work, one function per use case."""

import calendar
import functools
import hashlib
import hmac
import json
import operator
import os
import tempfile
from collections import defaultdict
from datetime import date, datetime, timedelta
from functools import lru_cache
from types import SimpleNamespace

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from households.addresses import address_key, dong_hint
from households.models import (
    AccessLog,
    Dong,
    Household,
    Membership,
    Organization,
    Person,
    Role,
    mask_name,
)
from households.rrn import rrn_mask
from households.services import access_log_write, timeline_add, timeline_add_many
from outreach import signal_files
from outreach.models import (
    Case,
    CaseConference,
    CaseGoal,
    CaseNote,
    CaseStageChange,
    CheckIn,
    CrisisLevel,
    DiscoveryAlert,
    Pairing,
    RiskAssessment,
    RiskModel,
    RiskSignal,
    SignalBatch,
    SignalChunk,
    SignalRejection,
    Visit,
    VisitNeed,
)
from outreach.rollups import dashboard_rollup_mark, dashboard_rollup_mark_all
from outreach.scoring import DEFAULT_PARAMS, Params, score_household
from outreach.selectors import PARSE_COUNTERS, SCORE_COUNTERS, chunk_totals
from outreach.signal_files import FileRejected

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


def concern_raise(*, household, raised_by, note: str = ""):
    """"걱정돼요" on a check-in: the neighbour's worry becomes a volunteer referral in the
    dong's inbox (due within days), tied to the paired household."""
    from referrals.models import Referral
    from referrals.services import referral_submit

    referral, _created = referral_submit(
        channel=Referral.Channel.VOLUNTEER, dong=household.dong, household=household,
        road_address=household.road_address, address_detail=household.address_detail,
        urgency=Referral.Urgency.SOON, categories=["other"],
        note=_("안부 확인 중 걱정: %(note)s") % {"note": note} if note else _("안부 확인 중 걱정"),
        referred_by=raised_by,
    )
    return referral


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
    # An opened case makes the household "discovered" on the dashboards.
    dashboard_rollup_mark(household.dong_id)
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
# --- the triage inbox ------------------------------------------------------------------
# Alerts are changed here; referrals through referrals.services. Every inbox action writes
# one line on the household's timeline and one access-log row per item.

def _alert_timeline(alert, actor, summary: str) -> None:
    timeline_add(household_id=alert.household_id, kind="alert", actor=actor, obj=alert,
                 summary=summary)


@transaction.atomic
def alert_assign(*, alert, assignee, actor):
    alert.assigned_to = assignee
    alert.save(update_fields=["assigned_to", "updated_at"])
    _alert_timeline(alert, actor, _("발굴 A-%(id)s 담당자 지정: %(who)s") % {
        "id": alert.pk, "who": assignee.get_username()})
    return alert


@transaction.atomic
def alert_close(*, alert, reason: str, note: str = "", actor, status=None):
    from referrals.models import CloseReason

    if reason not in CloseReason.values:
        raise ValidationError(_("종결 사유를 목록에서 골라 주세요."))
    if reason == CloseReason.OTHER and not (note or "").strip():
        raise ValidationError(_("'기타' 사유는 메모에 내용을 적어 주세요."))
    alert.status = status or DiscoveryAlert.Status.CLOSED
    alert.closed_at = timezone.now()
    alert.close_reason = reason
    alert.close_note = (note or "").strip()
    alert.save()
    _alert_timeline(alert, actor, _("발굴 A-%(id)s 종결: %(reason)s") % {
        "id": alert.pk, "reason": CloseReason(reason).label})
    dashboard_rollup_mark(alert.household.dong_id)
    return alert


@transaction.atomic
def alert_merge(*, alert, target, actor):
    """Merge an alert into another inbox item (alert or referral); both histories stay."""
    from referrals.models import CloseReason
    from referrals.services import referral_take_over

    alert_close(alert=alert, reason=CloseReason.DUPLICATE, actor=actor,
                status=DiscoveryAlert.Status.MERGED,
                note=_("%(target)s로 병합") % {"target": target.label})
    if target.is_referral:
        from outreach.selectors import alert_urgency

        referral_take_over(referral=target.obj, household_id=alert.household_id,
                           urgency=alert_urgency(alert), due_on=alert.due_on)
    elif alert.due_on < target.obj.due_on:
        target.obj.due_on = alert.due_on
        target.obj.save(update_fields=["due_on", "updated_at"])
    return alert


def _log(request, item, action=None):
    access_log_write(request=request, action=action or AccessLog.Action.UPDATE,
                     object_type=item.kind, object_id=item.obj.pk,
                     household_id=item.household_id)


@transaction.atomic
def inbox_item_assign(*, item, assignee, actor, request=None):
    from referrals.services import referral_assign

    if item.is_referral:
        referral_assign(referral=item.obj, assignee=assignee, actor=actor)
    else:
        alert_assign(alert=item.obj, assignee=assignee, actor=actor)
    _log(request, item)
    return item


@transaction.atomic
def inbox_items_assign(*, items, assignee, actor, request=None) -> int:
    """Bulk assign: the same as assigning each one (timeline and access log per item)."""
    for item in items:
        inbox_item_assign(item=item, assignee=assignee, actor=actor, request=request)
    return len(items)


@transaction.atomic
def inbox_item_schedule_visit(*, item, scheduled_for, actor, companion=None, request=None):
    from referrals.models import Referral
    from referrals.services import (
        referral_assign,
        referral_household_register,
        referral_status_set,
    )

    if item.is_referral:
        referral = item.obj
        if not referral.household_id:
            # A visit needs a household: the referred address becomes one.
            referral_household_register(referral=referral, actor=actor)
        if not referral.assigned_to_id:
            referral_assign(referral=referral, assignee=actor, actor=actor)
        visit = visit_schedule(household=referral.household, staff=actor,
                               scheduled_for=scheduled_for, companion=companion)
        referral_status_set(referral=referral, status=Referral.Status.VISITING, actor=actor)
    else:
        alert = item.obj
        if not alert.assigned_to_id:
            alert_assign(alert=alert, assignee=actor, actor=actor)
        visit = visit_schedule(household=alert.household, staff=actor,
                               scheduled_for=scheduled_for, companion=companion, alert=alert)
    _log(request, item)
    return visit


@transaction.atomic
def inbox_item_close(*, item, reason: str, note: str = "", actor, request=None):
    from referrals.services import referral_close

    if item.is_referral:
        referral_close(referral=item.obj, reason=reason, note=note, actor=actor)
    else:
        alert_close(alert=item.obj, reason=reason, note=note, actor=actor)
    _log(request, item)
    return item


@transaction.atomic
def inbox_item_merge(*, item, target, actor, request=None):
    """Merge ``item`` into ``target`` (same dong); the target stays open in the queue."""
    from referrals.services import referral_close, referral_merge

    if item.key == target.key or item.dong_id != target.dong_id:
        raise ValidationError(_("같은 동의 다른 항목으로만 병합할 수 있습니다."))
    if item.is_referral and target.is_referral:
        referral_merge(source=item.obj, target=target.obj, actor=actor)
    elif item.is_referral:
        from referrals.models import CloseReason

        referral_close(referral=item.obj, reason=CloseReason.DUPLICATE, actor=actor,
                       note=_("%(target)s로 병합") % {"target": target.label},
                       merged_into_alert_id=target.obj.pk)
        _alert_timeline(target.obj, actor, _("%(source)s를 %(target)s에 병합") % {
            "source": item.label, "target": target.label})
    else:
        alert_merge(alert=item.obj, target=target, actor=actor)
        if target.household_id:
            timeline_add(household_id=target.household_id, kind="alert", actor=actor,
                         obj=target.obj, summary=_("%(source)s를 %(target)s에 병합") % {
                             "source": item.label, "target": target.label})
    _log(request, item)
    _log(request, target)
    return target
# =====================================================================================
# Risk signals: receive an agency file, parse it in chunks, match, score, open alerts.
# Tasks in outreach/tasks.py call these with ids; every step can run twice safely.
# =====================================================================================

SCORE_CHUNK_HOUSEHOLDS = 2000
# PostgreSQL advisory lock key: unregistered-household candidates are created one chunk
# at a time, so two chunks never create the same dwelling twice.
CANDIDATE_LOCK_KEY = 0x5167_4E41

# 법정동 (as written in lot addresses) → 행정동 of 영등포구. 신길동 and 대림동 span several
# 행정동, so they place nobody without a 행정동 code.
LEGAL_TO_ADMIN_DONG = {
    "여의도동": "여의동",
    "영등포동": "영등포동",
    **{f"영등포동{n}가": "영등포본동" for n in (1, 2, 3, 4)},
    **{f"영등포동{n}가": "영등포동" for n in (5, 6, 7, 8)},
    **{f"당산동{n}가": "당산1동" for n in (1, 2, 3, 4, 5)},
    "당산동6가": "당산2동",
    "당산동": "당산2동",
    **{f"양평동{n}가": "양평1동" for n in (1, 2, 3, 4)},
    **{f"양평동{n}가": "양평2동" for n in (5, 6)},
    "양화동": "양평2동",
    **{f"문래동{n}가": "문래동" for n in range(1, 7)},
    "문래동": "문래동",
    "도림동": "도림동",
}


# --- the risk model ------------------------------------------------------------------

def risk_model_current() -> RiskModel:
    """The newest version; v1 with the default weights is created the first time."""
    model = RiskModel.objects.order_by("-version").first()
    if model is None:
        model, _created = RiskModel.objects.get_or_create(
            version=1, defaults={"weights": dict(DEFAULT_PARAMS.weights),
                                 "note": _("기본 모델")},
        )
    return model


@transaction.atomic
def risk_model_save(*, user, data: dict, note: str = "") -> RiskModel:
    """Save an edited model as a new version (never edits one) and rescore in the background."""
    current = risk_model_current()
    latest = RiskModel.objects.select_for_update().order_by("-version").first()
    model = RiskModel.objects.create(
        version=(latest or current).version + 1, created_by=user, note=note[:200], **data
    )
    from outreach import tasks

    tasks.risk_model_rescore.delay_on_commit(model.version)
    return model


# --- receiving a file ----------------------------------------------------------------

def _spool(fileobj, max_bytes: int) -> tuple[str, str, int]:
    """Copy to a temporary file while hashing; refuse (413) past max_bytes."""
    digest, size = hashlib.sha256(), 0
    handle, path = tempfile.mkstemp(prefix="signals-", dir=_spool_dir())
    try:
        with os.fdopen(handle, "wb") as out:
            if hasattr(fileobj, "chunks"):
                pieces = fileobj.chunks(1024 * 1024)
            else:
                pieces = iter(lambda: fileobj.read(1024 * 1024), b"")
            for piece in pieces:
                size += len(piece)
                if size > max_bytes:
                    raise FileRejected(
                        _("파일이 너무 큽니다 (최대 %(mb)s MB).")
                        % {"mb": max_bytes // (1024 * 1024)}, status=413,
                    )
                digest.update(piece)
                out.write(piece)
    except BaseException:
        os.unlink(path)
        raise
    return path, digest.hexdigest(), size


def _spool_dir() -> str:
    path = os.path.join(settings.MEDIA_ROOT, "signal_batches", "incoming")
    os.makedirs(path, exist_ok=True)
    return path


def signal_batch_receive(*, source: Organization, fileobj, filename: str, channel: str,
                         user=None, encoding: str = "auto") -> tuple[SignalBatch, bool]:
    """Keep the raw file and queue it; the same bytes again return the existing batch.

    Raises FileRejected (nothing stored) for a file that is not a usable CSV/XLSX.
    """
    max_bytes = settings.SIGNAL_UPLOAD_MAX_BYTES
    path, sha256, size = _spool(fileobj, max_bytes)
    try:
        existing = SignalBatch.objects.filter(sha256=sha256).first()
        if existing is not None:
            return existing, False
        info = signal_files.sniff(path, size=size, max_bytes=max_bytes, encoding=encoding)
        batch = SignalBatch(
            source=source, channel=channel, uploaded_by=user if getattr(
                user, "is_authenticated", False) else None,
            original_name=os.path.basename(filename or "signals.csv")[:255], sha256=sha256,
            size_bytes=size, file_format=info.file_format, encoding=info.encoding,
            delimiter=info.delimiter, columns=info.columns,
        )
        suffix = ".xlsx" if info.file_format == "xlsx" else ".csv"
        try:
            with transaction.atomic():
                with open(path, "rb") as f:
                    batch.file.save(f"{sha256[:16]}{suffix}", File(f), save=False)
                batch.save()
                from outreach import tasks

                tasks.signal_batch_start.delay_on_commit(batch.pk)
        except IntegrityError:
            # The same file arrived twice at once: the other request stored it.
            if batch.file:
                batch.file.delete(save=False)
            return SignalBatch.objects.get(sha256=sha256), False
        return batch, True
    finally:
        if os.path.exists(path):
            os.unlink(path)


def _data_path(batch: SignalBatch) -> str:
    """The CSV the chunk tasks read: the raw file, or the XLSX's first sheet as CSV."""
    return batch.file.path + ".csv" if batch.file_format == "xlsx" else batch.file.path


def _data_encoding(batch: SignalBatch) -> str:
    return "utf-8" if batch.file_format == "xlsx" else batch.encoding


def signal_batch_start(batch_id: int) -> None:
    """received → parsing: find the chunk boundaries (one streaming pass), queue the chunks."""
    from outreach import tasks

    batch = SignalBatch.objects.filter(pk=batch_id).first()
    if batch is None or batch.finished:
        return
    if batch.status == SignalBatch.Status.RECEIVED:
        if batch.file_format == "xlsx" and not os.path.exists(_data_path(batch)):
            partial = f"{_data_path(batch)}.{os.getpid()}.part"
            signal_files.xlsx_to_csv(batch.file.path, partial)
            os.replace(partial, _data_path(batch))
        ranges = signal_files.split(_data_path(batch), settings.SIGNAL_CHUNK_ROWS)
        with transaction.atomic():
            locked = SignalBatch.objects.select_for_update().get(pk=batch_id)
            if locked.status != SignalBatch.Status.RECEIVED:
                return
            chunks = [
                SignalChunk(batch_id=batch_id, phase=SignalChunk.Phase.PARSE, number=r.number,
                            start=r.start, end=r.end, first_line=r.first_line)
                for r in ranges
            ]
            SignalChunk.objects.bulk_create(chunks, ignore_conflicts=True, batch_size=1000)
            SignalBatch.objects.filter(pk=batch_id).update(
                status=SignalBatch.Status.PARSING, chunks_total=len(chunks)
            )
    pending = list(SignalChunk.objects.filter(
        batch_id=batch_id, phase=SignalChunk.Phase.PARSE, status=SignalChunk.Status.PENDING
    ).values_list("number", flat=True))
    for number in pending:
        tasks.signal_chunk_parse.delay_on_commit(batch_id, number)
    if not pending:
        _batch_after_parse(batch_id)


def signal_batch_fail(batch_id: int, reason: str) -> None:
    SignalBatch.objects.filter(pk=batch_id).exclude(status=SignalBatch.Status.DONE).update(
        status=SignalBatch.Status.FAILED, failure_reason=reason[:2000],
        finished_at=timezone.now(),
    )


def signal_chunk_fail(batch_id: int, phase: str, number: int, error: str) -> None:
    """A chunk gave up after its retries: the batch fails with the reason; other chunks'
    rows stay."""
    chunk = SignalChunk.objects.filter(batch_id=batch_id, phase=phase, number=number).first()
    if chunk is None or chunk.status == SignalChunk.Status.DONE:
        return
    SignalChunk.objects.filter(pk=chunk.pk).update(status=SignalChunk.Status.FAILED,
                                                   error=error[:2000])
    if phase == SignalChunk.Phase.PARSE:
        where = _("%(line)s행부터의 묶음 #%(n)s") % {"line": chunk.first_line, "n": number + 1}
    else:
        where = _("점수 계산 묶음 #%(n)s") % {"n": number + 1}
    signal_batch_fail(batch_id, _("%(where)s 처리 실패 (재시도 후): %(error)s")
                      % {"where": where, "error": error[:500]})


# --- parsing one chunk ---------------------------------------------------------------

def _keyed_hmac():
    """The RRN-hash HMAC with its key already absorbed: ``.copy()`` per value is cheaper
    than keying a new one (same digests as households.rrn.rrn_hash)."""
    return hmac.new(settings.RRN_HASH_KEY.encode(), digestmod=hashlib.sha256)


def _subject(row, keyed=None) -> str:
    if row.rrn_digits:
        text = row.rrn_digits
    else:
        # Keyed too, so a name and birth date cannot be recovered from the table.
        text = f"nba|{row.name_key}|{row.birth_date:%Y%m%d}|{_address_key(row)}"
    digest = (keyed or _keyed_hmac()).copy()
    digest.update(text.encode())
    return digest.hexdigest()


# The same address (and dong hint) recurs across many rows: normalise each once.
_cached_address_key = lru_cache(maxsize=65536)(address_key)
_cached_dong_hint = lru_cache(maxsize=65536)(dong_hint)


def _address_key(row) -> str:
    if not hasattr(row, "_address_key"):
        row._address_key = (_cached_address_key(row.address, row.address_detail)
                            if row.address else "")
    return row._address_key


def _fetch(sql: str, params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _signals_insert(values: list[dict]) -> dict:
    """Store new signals, skip ones already known; returns {match: rows inserted}."""
    if connection.vendor == "postgresql":
        # Plain namespaces, not model instances: 5,000 RiskSignal() calls cost more than
        # the insert itself.
        rows = [SimpleNamespace(**v) for v in values]
        returned = _pg_bulk_insert(RiskSignal, rows, "ON CONFLICT DO NOTHING RETURNING match")
        kept = defaultdict(int)
        for (match,) in returned:
            kept[match] += 1
        return dict(kept)
    signals = [RiskSignal(**v) for v in values]
    RiskSignal.objects.bulk_create(signals, ignore_conflicts=True, batch_size=2000)
    batch_id, chunk_no = signals[0].batch_id, signals[0].chunk_no
    return dict(RiskSignal.objects.filter(batch_id=batch_id, chunk_no=chunk_no)
                .values_list("match").annotate(n=Count("id")).order_by())


def _dong_lookup() -> tuple[dict, dict]:
    by_code, by_name = {}, {}
    for dong_id, code, name, short in Dong.objects.values_list("id", "code", "name", "short_name"):
        by_code[code] = dong_id
        by_name[name] = dong_id
        if short:
            by_name[short] = dong_id
    for legal, admin in LEGAL_TO_ADMIN_DONG.items():
        if admin in by_name:
            by_name.setdefault(legal, by_name[admin])
    return by_code, by_name


def _match(rows: list) -> None:
    """Set person_id / household_id / match on each row: RRN hash, then name+birth+address."""
    keyed = _keyed_hmac()
    for row in rows:
        row.person_id = row.household_id = None
        row.match = RiskSignal.Match.UNMATCHED
        if getattr(row, "subject", None) is None:  # a row matched again keeps its subject
            row.subject = _subject(row, keyed)
    by_rrn = [row for row in rows if row.rrn_digits]
    if by_rrn:
        hashes = list({row.subject for row in by_rrn})
        if connection.vendor == "postgresql":
            # One text parameter instead of thousands of IN placeholders (hex digests hold
            # no commas; one string is sent as is, an array is formatted value by value).
            found = {h: (pid, hid) for h, pid, hid in _fetch(
                "SELECT rrn_hash, id, household_id FROM households_person "
                "WHERE rrn_hash = ANY(string_to_array(%s, ','))", [",".join(hashes)])}
        else:
            found = {
                h: (pid, hid) for h, pid, hid in Person.objects.filter(
                    rrn_hash__in=hashes).values_list("rrn_hash", "id", "household_id")
            }
        for row in by_rrn:
            if row.subject in found:
                row.person_id, row.household_id = found[row.subject]
                row.match = RiskSignal.Match.RRN
    by_name = [row for row in rows if row.person_id is None and row.name_key and row.birth_date
               and row.address]
    if by_name:
        pairs = list({(row.name_key, row.birth_date) for row in by_name})
        if connection.vendor == "postgresql":
            people = _fetch(
                "SELECT p.name_key, p.birth_date, h.address_key, p.id, p.household_id "
                "FROM households_person p JOIN households_household h ON h.id = p.household_id "
                "WHERE (p.name_key, p.birth_date) IN "
                "(SELECT * FROM unnest(%s::varchar[], %s::date[]))",
                [[n for n, _b in pairs], [b for _n, b in pairs]])
        else:
            people = Person.objects.filter(
                name_key__in={n for n, _b in pairs}, birth_date__in={b for _n, b in pairs},
            ).values_list("name_key", "birth_date", "household__address_key", "id",
                          "household_id")
        found = {(n, b, a): (pid, hid) for n, b, a, pid, hid in people}
        for row in by_name:
            hit = found.get((row.name_key, row.birth_date, _address_key(row)))
            if hit:
                row.person_id, row.household_id = hit
                row.match = RiskSignal.Match.NAME


def _place(rows: list) -> dict:
    """Dong id for unmatched rows with an address: 행정동 code, the dong named in the
    address, or the dong of a household already at that exact address."""
    by_code, by_name = _dong_lookup()
    places = {}
    unplaced = []
    for row in rows:
        if row.person_id is not None or not row.address:
            continue
        dong_id = by_code.get(row.dong_code) if row.dong_code else None
        if dong_id is None:
            hint = _cached_dong_hint(row.address)
            dong_id = by_name.get(hint) if hint else None
        if dong_id is None:
            unplaced.append(row)
        places[row.line] = dong_id
    keys = {_address_key(row) for row in unplaced if _address_key(row)}
    if keys:
        known = dict(Household.objects.filter(address_key__in=keys).values_list(
            "address_key", "dong_id"))
        for row in unplaced:
            places[row.line] = known.get(_address_key(row))
    return {line: dong_id for line, dong_id in places.items() if dong_id}


def _create_candidates(rows: list, places: dict, source: Organization) -> None:
    """People found at an address in the district but registered nowhere here become
    members of an unregistered-household candidate (Household.registered_here=False)."""
    placed = [row for row in rows if row.line in places and row.person_id is None]
    if not placed:
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CANDIDATE_LOCK_KEY])
        # Another chunk may have created them since we matched: look again under the lock.
        _match(placed)
        placed = [row for row in placed if row.person_id is None]
        if not placed:
            return
        wanted = {(places[row.line], _address_key(row)): row for row in placed}
        existing = {
            (d, k): hid for hid, d, k in Household.objects.filter(
                registered_here=False, address_key__in={k for _d, k in wanted}
            ).values_list("id", "dong_id", "address_key")
        }
        new = [
            Household(dong_id=d, road_address=row.address[:200],
                      address_detail=row.address_detail[:100], address_key=k,
                      registered_here=False)
            for (d, k), row in wanted.items() if (d, k) not in existing
        ]
        Household.objects.bulk_create(new)
        for household in new:
            existing[(household.dong_id, household.address_key)] = household.pk
        if new:
            timeline_add_many([
                dict(household_id=h.pk, kind="signal",
                     summary=_("위기정보로 발견된 미등록 거주 후보 (%(source)s)")
                     % {"source": source.name})
                for h in new if h.pk
            ])
        # One person per subject (the same person may appear with several kinds).
        people = {}
        for row in placed:
            household_id = existing[(places[row.line], _address_key(row))]
            row.household_id = household_id
            if row.subject not in people:
                person = Person(household_id=household_id, name=row.name[:50] or "?",
                                name_key=row.name_key, birth_date=row.birth_date,
                                phone=row.phone[:30])
                if row.rrn_digits:
                    person.rrn_hash, person.rrn_masked = row.subject, rrn_mask(row.rrn_digits)
                people[row.subject] = person
        Person.objects.bulk_create(list(people.values()), ignore_conflicts=True)
        _match(placed)
        for row in placed:
            row.match = RiskSignal.Match.CANDIDATE


def signal_chunk_parse(batch_id: int, number: int) -> None:
    """Validate, match and store one chunk's rows exactly once."""
    chunk = SignalChunk.objects.select_related("batch", "batch__source").filter(
        batch_id=batch_id, phase=SignalChunk.Phase.PARSE, number=number).first()
    if chunk is None:
        return
    if chunk.status != SignalChunk.Status.PENDING:
        _batch_after_parse(batch_id)
        return
    batch = chunk.batch
    SignalChunk.objects.filter(pk=chunk.pk).update(attempts=chunk.attempts + 1)
    today = timezone.localdate()
    good, bad = [], []
    for raw in signal_files.read_chunk(
        _data_path(batch), start=chunk.start, end=chunk.end, first_line=chunk.first_line,
        encoding=_data_encoding(batch), delimiter=batch.delimiter or ",",
    ):
        result = signal_files.validate(raw, batch.columns, today)
        (good if isinstance(result, signal_files.SignalRow) else bad).append(result)
    _match(good)
    places = _place(good)
    _create_candidates(good, places, batch.source)

    signals = sorted(
        (
            dict(
                source_id=batch.source_id, kind=row.kind, subject=row.subject,
                observed_on=row.observed_on, months_overdue=row.months_overdue,
                amount=row.amount, batch_id=batch_id, chunk_no=number, line=row.line,
                household_id=row.household_id, person_id=row.person_id, match=row.match,
                name_masked=mask_name(row.name)[:50] if row.match == "unmatched" else "",
                address=(f"{row.address} {row.address_detail}".strip()[:250]
                         if row.match == "unmatched" else ""),
            )
            for row in good
        ),
        # One order for every chunk: concurrent inserts of shared keys cannot deadlock.
        key=lambda s: (s["kind"], s["subject"], s["observed_on"]),
    )
    rejections = [
        SignalRejection(batch_id=batch_id, line=problem.line, column=column, reason=reason[:300])
        for problem in bad for column, reason in problem.errors
    ]
    with transaction.atomic():
        locked = SignalChunk.objects.select_for_update().get(pk=chunk.pk)
        if locked.status != SignalChunk.Status.PENDING:
            return
        SignalRejection.objects.bulk_create(rejections, ignore_conflicts=True, batch_size=2000)
        kept = _signals_insert(signals) if signals else {}
        accepted = sum(kept.values())
        locked.stats = {
            "rows": len(good) + len(bad), "accepted": accepted, "rejected": len(bad),
            "duplicates": len(good) - accepted,
            "matched_people": kept.get("rrn", 0) + kept.get("name", 0),
            "unregistered_candidates": kept.get("candidate", 0),
            "unmatched": kept.get("unmatched", 0),
        }
        locked.status = SignalChunk.Status.DONE
        locked.finished_at = timezone.now()
        locked.error = ""
        locked.save(update_fields=["stats", "status", "finished_at", "error"])
    _batch_after_parse(batch_id)


def _batch_after_parse(batch_id: int) -> None:
    """When every parse chunk is done, parsing → scoring (exactly one caller wins)."""
    from outreach import tasks

    open_chunks = SignalChunk.objects.filter(
        batch_id=batch_id, phase=SignalChunk.Phase.PARSE
    ).exclude(status=SignalChunk.Status.DONE)
    if open_chunks.exists():
        return
    with transaction.atomic():
        won = SignalBatch.objects.filter(
            pk=batch_id, status=SignalBatch.Status.PARSING
        ).update(status=SignalBatch.Status.SCORING,
                 **chunk_totals(batch_id, SignalChunk.Phase.PARSE, PARSE_COUNTERS))
        # Also when an earlier run switched to scoring but died before it could queue the
        # scoring task (its message comes back): signal_batch_score is idempotent.
        stranded = not won and SignalBatch.objects.filter(
            pk=batch_id, status=SignalBatch.Status.SCORING, score_chunks_total=0).exists()
        if won or stranded:
            tasks.signal_batch_score.delay_on_commit(batch_id)


# --- scoring -------------------------------------------------------------------------

def signal_batch_score(batch_id: int) -> None:
    """scoring: split the households this batch touched into chunks and queue them."""
    from outreach import tasks

    batch = SignalBatch.objects.filter(pk=batch_id).first()
    if batch is None or batch.status != SignalBatch.Status.SCORING:
        return
    if not batch.score_chunks_total and not SignalChunk.objects.filter(
            batch_id=batch_id, phase=SignalChunk.Phase.SCORE).exists():
        ids = (RiskSignal.objects.filter(batch_id=batch_id, household__isnull=False)
               .values_list("household_id", flat=True).distinct().order_by("household_id"))
        chunks, current = [], []
        for household_id in ids.iterator(chunk_size=10000):
            current.append(household_id)
            if len(current) >= SCORE_CHUNK_HOUSEHOLDS:
                chunks.append((current[0], current[-1]))
                current = []
        if current:
            chunks.append((current[0], current[-1]))
        model = risk_model_current()
        with transaction.atomic():
            locked = SignalBatch.objects.select_for_update().get(pk=batch_id)
            if locked.score_chunks_total or locked.status != SignalBatch.Status.SCORING:
                return
            SignalChunk.objects.bulk_create([
                SignalChunk(batch_id=batch_id, phase=SignalChunk.Phase.SCORE, number=n,
                            start=first, end=last)
                for n, (first, last) in enumerate(chunks)
            ], ignore_conflicts=True)
            SignalBatch.objects.filter(pk=batch_id).update(
                score_chunks_total=len(chunks), model_version=model.version)
    pending = list(SignalChunk.objects.filter(
        batch_id=batch_id, phase=SignalChunk.Phase.SCORE, status=SignalChunk.Status.PENDING
    ).values_list("number", flat=True))
    for number in pending:
        tasks.signal_chunk_score.delay_on_commit(batch_id, number)
    if not pending:
        _batch_after_score(batch_id)


def _due_on(level: str, today):
    # 긴급지원: first contact within EMERGENCY_FIRST_CONTACT_DAYS (3 days, 송산3동 rule).
    days = (settings.EMERGENCY_FIRST_CONTACT_DAYS if level == CrisisLevel.CRITICAL
            else settings.NORMAL_FIRST_CONTACT_DAYS)
    return today + timedelta(days=days)


def _signals_by_household(household_ids) -> dict:
    signals = defaultdict(list)
    rows = RiskSignal.objects.filter(household_id__in=household_ids).values_list(
        "household_id", "kind", "observed_on", "months_overdue", "amount")
    for household_id, *signal in rows:
        signals[household_id].append(signal)
    return signals


def households_assess(household_ids, *, model: RiskModel, batch_id=None, source_name="",
                      actor=None) -> dict:
    """Score households, record an assessment each, open or update their alerts.

    Must run inside a transaction; returns the counts.
    """
    params = Params.of(model)
    today = timezone.localdate()
    households = list(Household.objects.filter(id__in=household_ids).values_list(
        "id", "lives_alone", "elderly"))
    signals = _signals_by_household([h[0] for h in households])
    assessments = []
    texts: dict = {}
    # PostgreSQL stores them with COPY: plain namespaces cost far less than model instances.
    make = SimpleNamespace if connection.vendor == "postgresql" else RiskAssessment
    for household_id, lives_alone, elderly in households:
        result = score_household(lives_alone=lives_alone, elderly=elderly,
                                 signals=signals.get(household_id, ()), params=params,
                                 today=today, texts=texts)
        assessments.append(make(
            household_id=household_id, model_version=model.version, score=result.score,
            level=result.level, factors=result.factors, batch_id=batch_id,
        ))
    alerting = {a.household_id: a for a in assessments if a.score >= params.threshold}
    if connection.vendor == "postgresql":
        opened_ids, updated_ids = _assessments_store_pg(assessments, alerting, today)
    else:
        opened_ids, updated_ids = _assessments_store(assessments, alerting, today)
    levels = {code: str(label) for code, label in CrisisLevel.choices}
    # Translated once per call, not once per household.
    score_text = _("위기도 %(score)s점 (%(level)s)")
    updated_text, opened_text = " — " + _("발굴 대상 갱신"), " — " + _("발굴 대상 등록")
    prefix = (_("위기정보 반영 (%(source)s): ") % {"source": source_name}) if source_name else ""
    lines = []
    for assessment in assessments:
        summary = score_text % {"score": assessment.score, "level": levels[assessment.level]}
        if assessment.factors:
            summary += " · " + " · ".join(assessment.factors)
        if assessment.household_id in alerting:
            if assessment.household_id in updated_ids:
                summary += updated_text
            else:
                summary += opened_text
        if source_name:
            summary = prefix + summary
        lines.append(dict(household_id=assessment.household_id, kind="assessment",
                          summary=summary, actor=actor))
    timeline_add_many(lines)
    return {"households_scored": len(assessments), "alerts_opened": len(opened_ids),
            "alerts_updated": len(updated_ids)}


def _dong_ids_of(household_ids) -> dict[int, int]:
    """The inbox reads DiscoveryAlert.dong; bulk writes bypass save(), so set it here."""
    return dict(Household.objects.filter(id__in=list(household_ids)).values_list("id", "dong_id"))


def _assessments_store(assessments, alerting, today) -> tuple[set, set]:
    """Save assessments; open an alert per alerting household or update its open one."""
    RiskAssessment.objects.bulk_create(assessments, batch_size=2000)
    # SQLite does not return the ids of bulk-created rows: the newest per household is ours.
    latest = dict(RiskAssessment.objects.filter(
        household_id__in=[a.household_id for a in assessments],
    ).values_list("household_id").annotate(last=Max("id")).order_by())
    for assessment in assessments:
        assessment.pk = latest.get(assessment.household_id)
    open_alerts = {
        alert.household_id: alert for alert in DiscoveryAlert.objects.select_for_update()
        .filter(household_id__in=list(alerting), status=DiscoveryAlert.Status.OPEN)
    }
    dongs = _dong_ids_of(alerting)
    opened, updated = [], []
    for household_id, assessment in alerting.items():
        due = _due_on(assessment.level, today)
        alert = open_alerts.get(household_id)
        if alert is None:
            opened.append(DiscoveryAlert(
                household_id=household_id, dong_id=dongs[household_id],
                assessment_id=assessment.pk, due_on=due,
                level=assessment.level, score=assessment.score, origin="risk_model",
            ))
        else:
            alert.assessment_id = assessment.pk
            alert.level, alert.score = assessment.level, assessment.score
            # A deadline already given is never pushed back by a rescore.
            alert.due_on = min(alert.due_on, due)
            alert.updated_at = timezone.now()
            updated.append(alert)
    DiscoveryAlert.objects.bulk_create(opened, batch_size=2000)
    DiscoveryAlert.objects.bulk_update(
        updated, ["assessment", "level", "score", "due_on", "updated_at"], batch_size=2000)
    return {a.household_id for a in opened}, {a.household_id for a in updated}


def _constant(value, _obj):
    return value


def _json_of(attname, obj):
    return json.dumps(getattr(obj, attname), ensure_ascii=False)


def _pg_bulk_insert(model, objs: list, tail: str = "") -> list[tuple]:
    """PostgreSQL: COPY the rows into a temporary table, then one INSERT … SELECT from it
    (in the objects' order) with ``tail`` (ON CONFLICT, RETURNING). COPY formats the rows
    in psycopg's C code, where array parameters were formatted value by value in Python.
    Columns come from the model, so a field added later is filled from its default."""
    if not objs:
        return []
    now = timezone.now()
    names, getters = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            getter = functools.partial(_constant, now)
        elif isinstance(field, models.JSONField):
            getter = functools.partial(_json_of, field.attname)
        else:
            getter = operator.attrgetter(field.attname)
        names.append(connection.ops.quote_name(field.column))
        getters.append(getter)
    table = connection.ops.quote_name(model._meta.db_table)
    scratch = f"_bulk_{model._meta.db_table}"
    columns = ", ".join(names)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {scratch} ON COMMIT DROP AS "
                       f"SELECT 0 AS _ord, {columns} FROM {table} WITH NO DATA")
        with cursor.cursor.copy(f"COPY {scratch} (_ord, {columns}) FROM STDIN") as copy:
            for n, obj in enumerate(objs):
                copy.write_row([n, *(get(obj) for get in getters)])
        cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {scratch} "
                       f"ORDER BY _ord {tail}")
        returned = cursor.fetchall() if "RETURNING" in tail else []
        cursor.execute(f"DROP TABLE {scratch}")
    return returned


def _assessments_store_pg(assessments, alerting, today) -> tuple[set, set]:
    """The same as _assessments_store in two statements: the assessments, then one upsert
    of the alerts on the one-open-alert-per-household index."""
    returned = _pg_bulk_insert(RiskAssessment, assessments, "RETURNING id, household_id")
    ids = dict((household_id, pk) for pk, household_id in returned)
    for assessment in assessments:
        assessment.pk = ids[assessment.household_id]
    dongs = _dong_ids_of(alerting)
    alerts = [
        DiscoveryAlert(household_id=household_id, dong_id=dongs[household_id],
                       assessment_id=a.pk, level=a.level,
                       score=a.score, due_on=_due_on(a.level, today), origin="risk_model")
        for household_id, a in sorted(alerting.items())
    ]
    returned = _pg_bulk_insert(DiscoveryAlert, alerts, (
        "ON CONFLICT (household_id) WHERE status = 'open' DO UPDATE SET "
        "assessment_id = EXCLUDED.assessment_id, level = EXCLUDED.level, "
        "score = EXCLUDED.score, updated_at = EXCLUDED.updated_at, "
        # A deadline already given is never pushed back by a rescore.
        "due_on = LEAST(outreach_discoveryalert.due_on, EXCLUDED.due_on) "
        "RETURNING household_id, (xmax = 0)"
    ))
    opened = {household_id for household_id, inserted in returned if inserted}
    return opened, {household_id for household_id, inserted in returned if not inserted}


def signal_chunk_score(batch_id: int, number: int) -> None:
    chunk = SignalChunk.objects.select_related("batch", "batch__source").filter(
        batch_id=batch_id, phase=SignalChunk.Phase.SCORE, number=number).first()
    if chunk is None:
        return
    if chunk.status != SignalChunk.Status.PENDING:
        _batch_after_score(batch_id)
        return
    batch = chunk.batch
    SignalChunk.objects.filter(pk=chunk.pk).update(attempts=chunk.attempts + 1)
    model = (RiskModel.objects.filter(version=batch.model_version).first()
             or risk_model_current())
    with transaction.atomic():
        locked = SignalChunk.objects.select_for_update().get(pk=chunk.pk)
        if locked.status != SignalChunk.Status.PENDING:
            return
        household_ids = list(
            RiskSignal.objects.filter(batch_id=batch_id, household_id__gte=chunk.start,
                                      household_id__lte=chunk.end)
            .values_list("household_id", flat=True).distinct()
        )
        locked.stats = households_assess(household_ids, model=model, batch_id=batch_id,
                                         source_name=batch.source.name)
        locked.status = SignalChunk.Status.DONE
        locked.finished_at = timezone.now()
        locked.save(update_fields=["stats", "status", "finished_at"])
    _batch_after_score(batch_id)


def _batch_after_score(batch_id: int) -> None:
    open_chunks = SignalChunk.objects.filter(
        batch_id=batch_id, phase=SignalChunk.Phase.SCORE
    ).exclude(status=SignalChunk.Status.DONE)
    if open_chunks.exists():
        return
    if SignalBatch.objects.filter(pk=batch_id, status=SignalBatch.Status.SCORING).update(
        status=SignalBatch.Status.DONE, finished_at=timezone.now(),
        **chunk_totals(batch_id, SignalChunk.Phase.SCORE, SCORE_COUNTERS),
    ):
        # The batch's alerts and assessments reach the dashboards: one refresh of all.
        dashboard_rollup_mark_all()


def risk_model_rescore(version: int) -> int:
    """Rescore every household with signals under ``version``; households already
    assessed under it are skipped, so a re-run continues where it stopped."""
    model = RiskModel.objects.filter(version=version).first()
    if model is None or model.version != risk_model_current().version:
        return 0
    done = 0
    ids = list(RiskSignal.objects.filter(household__isnull=False)
               .values_list("household_id", flat=True).distinct().order_by("household_id"))
    for start in range(0, len(ids), SCORE_CHUNK_HOUSEHOLDS):
        part = ids[start:start + SCORE_CHUNK_HOUSEHOLDS]
        with transaction.atomic():
            already = set(RiskAssessment.objects.filter(
                household_id__in=part, model_version=version, batch__isnull=True,
            ).values_list("household_id", flat=True))
            todo = [h for h in part if h not in already]
            if todo:
                done += households_assess(todo, model=model,
                                          source_name="")["households_scored"]
    dashboard_rollup_mark_all()
    return done


def risk_model_preview(data: dict) -> dict:
    """What-if: how many households would alert, by level, under an edited (unsaved) model
    vs the current one."""
    params = Params.of(RiskModel(**data))
    current = Params.of(risk_model_current())
    today = timezone.localdate()
    ids = list(RiskSignal.objects.filter(household__isnull=False)
               .values_list("household_id", flat=True).distinct())
    result = {"households": len(ids), "now": defaultdict(int), "edited": defaultdict(int)}
    for start in range(0, len(ids), SCORE_CHUNK_HOUSEHOLDS):
        part = ids[start:start + SCORE_CHUNK_HOUSEHOLDS]
        signals = _signals_by_household(part)
        for household_id, lives_alone, elderly in Household.objects.filter(
                id__in=part).values_list("id", "lives_alone", "elderly"):
            for key, p in (("now", current), ("edited", params)):
                r = score_household(lives_alone=lives_alone, elderly=elderly,
                                    signals=signals.get(household_id, ()), params=p, today=today)
                if r.score >= p.threshold:
                    result[key]["alerts"] += 1
                result[key][r.level] += 1
    result["now"], result["edited"] = dict(result["now"]), dict(result["edited"])
    return result


def signal_batch_summary(batch: SignalBatch) -> dict:
    """The JSON summary of a batch (import_signals --json, the API); counts are live."""
    parse = chunk_totals(batch.pk, SignalChunk.Phase.PARSE, PARSE_COUNTERS)
    score = chunk_totals(batch.pk, SignalChunk.Phase.SCORE, SCORE_COUNTERS)
    errors = [
        {"line": line, "column": column, "reason": reason}
        for line, column, reason in batch.rejections.order_by("line", "id")
        .values_list("line", "column", "reason")[:1000]
    ]
    return {
        "batch_id": batch.pk, "status": batch.status, **{k: parse[k] for k in (
            "rows", "accepted", "rejected", "duplicates", "matched_people",
            "unregistered_candidates")},
        "unmatched": parse["unmatched"], **score, "errors": errors,
        "failure_reason": batch.failure_reason,
    }

