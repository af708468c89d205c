"""The demo district's past, the help part: service links answered by providers (with
their 환가액) and integrated cases worked through their stages."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings

from households.dates import add_months
from outreach.demo_clock import History, office_time
from outreach.models import Case, CaseConference, CaseStageChange
from referrals.models import Service, ServiceLink

# Which services a worker reaches for, by the family of the signals that raised the alert.
SERVICES_FOR = {
    "cutoff": ["에너지바우처", "긴급복지지원 생계지원", "푸드뱅크·푸드마켓"],
    "arrears": ["기초생활보장 생계급여", "후원 결연", "긴급복지지원 생계지원"],
    "income": ["국민취업지원제도", "기초생활보장 생계급여", "무료 법률상담"],
    "health": ["긴급복지지원 의료지원", "차상위 본인부담경감", "정신건강복지센터 사례관리"],
    "housing": ["긴급복지지원 주거지원", "주거환경개선", "기초생활보장 주거급여"],
    "safety": ["자살예방센터 위기상담", "정신건강복지센터 사례관리"],
}
ELDERLY_SERVICES = ["노인맞춤돌봄서비스", "밑반찬 배달"]
DECLINE_REASONS = ["소득·재산 기준 초과", "이번 달 제공 인원 마감", "이미 같은 지원을 받는 중"]
CASE_SUMMARIES = ["체납 누적과 건강 악화가 겹친 1인 가구", "실직 후 주거 위기, 부채 상담 필요",
                  "돌봄 공백과 고립, 정신건강 위기", "단전 반복, 생계 곤란"]


def catalogue() -> dict:
    """{service name: (service, [providers])}, read once."""
    return {s.name: (s, list(s.providers.all()))
            for s in Service.objects.filter(active=True).prefetch_related("providers")}


def _service_names(h: History, families: list[str], elderly: bool, n: int) -> list[str]:
    pool = [name for family in families for name in SERVICES_FOR.get(family, ())]
    if elderly:
        pool += ELDERLY_SERVICES
    pool = pool or SERVICES_FOR["arrears"]
    names: list[str] = []
    while pool and len(names) < n:
        name = h.rng.choice(pool)
        pool = [p for p in pool if p != name]
        names.append(name)
    return names


def plan_links(h: History, services: dict, household, *, after, families: list[str],
               elderly: bool, count: int) -> list[ServiceLink]:
    """Links requested after ``after``, answered, started and completed as far as the
    clock has come (the recent ones are still waiting for the provider)."""
    rng, staff = h.rng, h.cast.staff[household.dong_id]
    links = []
    for name in _service_names(h, families, elderly, count):
        if name not in services or not services[name][1]:
            continue
        service, providers = services[name]
        requested = office_time(rng, after, rng.uniform(0.5, 4))
        if not h.happened(requested):
            break
        provider = rng.choice(providers)
        link = ServiceLink(household_id=household.id, service=service, provider=provider,
                           requested_by=staff, requested_at=requested, updated_at=requested,
                           status=ServiceLink.Status.REQUESTED)
        answered = office_time(rng, requested, rng.uniform(0.5, 6))
        if not h.happened(answered):
            if h.now - requested > timedelta(days=8):
                link.overdue_reminded_at = requested + timedelta(days=7)
            links.append(link)
            continue
        link.answered_at = link.updated_at = answered
        link.answered_by = h.cast.partner if provider.code == "ydp-foodbank" else None
        if rng.random() < 0.1:
            link.status = ServiceLink.Status.DECLINED
            link.decline_reason = rng.choice(DECLINE_REASONS)
            links.append(link)
            continue
        link.status = ServiceLink.Status.ACCEPTED
        started = office_time(rng, answered, rng.uniform(1, 7))
        if h.happened(started):
            link.status, link.started_at, link.updated_at = (
                ServiceLink.Status.IN_SERVICE, started, started)
            completed = office_time(rng, started, rng.uniform(14, 75))
            if h.happened(completed):
                # 환가액 as the provider reports it: around the catalogue's typical value.
                value = round(service.typical_value * rng.uniform(0.6, 1.3), -3)
                link.status, link.completed_at, link.updated_at = (
                    ServiceLink.Status.COMPLETED, completed, completed)
                link.actual_value = int(value)
        links.append(link)
        after = requested
    return links


STAGES = [  # stage, days after the previous one (low, high)
    (Case.Stage.ASSESSMENT, 3, 7),
    (Case.Stage.PLAN, 7, 18),
    (Case.Stage.SERVICE, 3, 10),
    (Case.Stage.MONITORING, 60, 120),
    (Case.Stage.CLOSED, 20, 45),
]


def _stage_due(case: Case, stage: str, when) -> object:
    day = when.date() if hasattr(when, "date") else when
    days = settings.CASE_STAGE_DAYS.get(stage)
    if stage in (Case.Stage.INTAKE, Case.Stage.ASSESSMENT, Case.Stage.PLAN):
        return min(case.plan_due_on, day + timedelta(days=days)) if days else case.plan_due_on
    if stage == Case.Stage.CLOSED:
        return case.follow_up_on
    return day + timedelta(days=days) if days else None


def plan_case(h: History, services: dict, household, *, after, families: list[str],
              elderly: bool) -> tuple[Case, list[ServiceLink]]:
    """A case opened after ``after`` and moved through its stages up to today; its
    plan's service links; a closed one gets its follow-up date (3 months on)."""
    rng = h.rng
    manager = h.cast.manager if rng.random() < 0.7 else h.cast.staff[household.dong_id]
    opened = office_time(rng, after, rng.uniform(2, 7))
    case = Case(household_id=household.id, manager=manager, opened_at=opened,
                updated_at=opened, stage=Case.Stage.INTAKE,
                plan_due_on=(opened + timedelta(days=settings.CASE_PLAN_DAYS)).date(),
                summary=rng.choice(CASE_SUMMARIES))
    entered = [(Case.Stage.INTAKE, opened)]
    when = opened
    for stage, low, high in STAGES:
        when = office_time(rng, when, rng.uniform(low, high))
        if not h.happened(when):
            break
        entered.append((stage, when))
    links: list[ServiceLink] = []
    for stage, when in entered:
        if stage == Case.Stage.PLAN:
            h.conferences.append(CaseConference(
                case=case, held_on=when.date(), decisions="욕구 사정 결과 공유, 서비스 계획 확정",
                created_by=manager, created_at=when))
        if stage == Case.Stage.SERVICE:
            links = plan_links(h, services, household, after=when, families=families,
                               elderly=elderly, count=rng.randint(1, 3))
        if stage == Case.Stage.CLOSED:
            case.closed_at = when
            case.closure_reason = rng.choices(
                [Case.ClosureReason.GOALS_MET, Case.ClosureReason.MOVED,
                 Case.ClosureReason.TRANSFERRED], weights=[85, 8, 7])[0]
            if case.closure_reason != Case.ClosureReason.MOVED:
                case.follow_up_on = add_months(when.date(), settings.CASE_FOLLOW_UP_MONTHS)
    for stage, when in entered:
        h.stage_changes.append(CaseStageChange(case=case, stage=stage, at=when, by=manager,
                                               due_on=_stage_due(case, stage, when)))
    case.stage, last = entered[-1]
    case.stage_due_on = _stage_due(case, case.stage, last)
    case.updated_at = last
    h.cases.append(case)
    return case, links


def case_follow_up_enter(h: History, case: Case, when) -> None:
    """사후관리: the follow-up date came and brought the household back into the queue."""
    case.stage, case.updated_at = Case.Stage.FOLLOW_UP, when
    case.stage_due_on = _stage_due(case, Case.Stage.FOLLOW_UP, when)
    h.stage_changes.append(CaseStageChange(case=case, stage=Case.Stage.FOLLOW_UP, at=when,
                                           by=None, due_on=case.stage_due_on))
