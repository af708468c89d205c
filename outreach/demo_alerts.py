"""The demo district's past, the finding part: a national signal file every two months,
scored by the risk model as of its day, and each alert's life — first contact on a
home visit (만남 / 부재 / 거부 …), help or not, closed with a reason."""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings

from households.dates import add_months
from outreach.demo_clock import History, at, office_time, season, working_day
from outreach.demo_help import case_follow_up_enter, plan_case, plan_links
from outreach.models import (
    CrisisLevel,
    DiscoveryAlert,
    RiskAssessment,
    RiskSignal,
    SignalBatch,
    Visit,
    VisitNeed,
)
from outreach.scoring import Params, score_household
from outreach.services.visits import visit_retry_at
from outreach.signal_kinds import KINDS_BY_CODE
from referrals.models import CloseReason, NeedDomain

# Share of households in a national file, before the winter factor (the real files name
# a few percent of a district's households every two months).
SIGNALLED_SHARE = 0.045
# (kind, weight) in summer and in winter: cutoffs and heating arrears peak in winter.
KINDS = {
    "summer": [("power_arrears", 8), ("water_arrears", 4), ("health_insurance_arrears", 12),
               ("maintenance_arrears", 7), ("telecom_arrears", 8), ("loan_delinquency", 7),
               ("job_loss", 6), ("power_cutoff", 6), ("water_cutoff", 4), ("gas_cutoff", 3),
               ("public_rent_arrears", 4), ("high_medical_cost", 4), ("eviction", 2),
               ("business_closure", 3), ("care_need", 3), ("mental_health_crisis", 1),
               ("suicide_risk", 1)],
    "winter": [("power_arrears", 10), ("gas_arrears", 8), ("health_insurance_arrears", 10),
               ("maintenance_arrears", 7), ("telecom_arrears", 6), ("loan_delinquency", 5),
               ("job_loss", 5), ("power_cutoff", 10), ("water_cutoff", 4), ("gas_cutoff", 9),
               ("public_rent_arrears", 4), ("high_medical_cost", 4), ("eviction", 2),
               ("care_need", 3), ("mental_health_crisis", 1), ("suicide_risk", 1)],
}
FAMILY = {kind.code: kind.family for kind in KINDS_BY_CODE.values()}
EMERGENCY = (CrisisLevel.HIGH, CrisisLevel.CRITICAL)
CSV_HEADER = ["주민등록번호", "성명", "생년월일", "주소", "상세주소", "행정동코드", "위기정보",
              "기준일", "체납개월", "금액", "연락처"]


@dataclass
class Life:
    """One alert's rows, kept aside until we know it does not overlap another alert."""

    alert: DiscoveryAlert
    closed: datetime | None = None
    visits: list = field(default_factory=list)  # (attempt, Visit)
    needs: list = field(default_factory=list)
    links: list = field(default_factory=list)
    follow_up: object = None  # the case whose follow-up this alert is


def batch_days(h: History) -> list[date]:
    """The 10th (or the next working day) of every other month, up to yesterday."""
    days, month = [], h.start
    while month <= h.today:
        day = working_day(month.replace(day=10))
        if day < h.today:
            days.append(day)
        month = add_months(month, 2)
    return days


def _signal(h: History, day: date, hh, batch, line: int) -> RiskSignal:
    rng = h.rng
    kinds = KINDS["winter" if season(day) > 1.1 else "summer"]
    kind = rng.choices([k for k, _w in kinds], weights=[w for _k, w in kinds])[0]
    months = rng.randint(1, 8) if "arrears" in kind else None
    amount = rng.randint(3, 250) * 10_000 if months else None
    return RiskSignal(source_id=batch.source_id, kind=kind, subject=hh.subject,
                      observed_on=day - timedelta(days=rng.randint(3, 55)),
                      months_overdue=months, amount=amount, batch=batch, chunk_no=0, line=line,
                      household_id=hh.id, person_id=hh.head_id, match=RiskSignal.Match.NAME,
                      created_at=batch.created_at)


def _csv_row(hh, signal: RiskSignal, dong_code: str) -> list[str]:
    return ["", hh.head_name, f"{hh.birth_date:%Y%m%d}" if hh.birth_date else "",
            hh.road_address, hh.address_detail, dong_code,
            str(KINDS_BY_CODE[signal.kind].label), signal.observed_on.isoformat(),
            str(signal.months_overdue or ""), f"{signal.amount:,}" if signal.amount else "", ""]


def plan_batches(h: History, households: list, model, source, dong_codes: dict,
                 services: dict) -> None:
    """A national file every two months: its signals, every touched household scored as
    of that day (outreach.scoring, the same arithmetic as the live pipeline) and an
    alert for each household over the threshold that has none open."""
    rng, params = h.rng, Params.of(model)
    seen: dict[int, list] = {}
    for day in batch_days(h):
        received = at(day, 9, rng.randint(0, 40))
        batch = SignalBatch(source=source, channel=SignalBatch.Channel.API,
                            uploaded_by=h.cast.feed, original_name=f"demo-history-{day:%Y%m}.csv",
                            file_format="csv", encoding="cp949", delimiter=",",
                            status=SignalBatch.Status.DONE, model_version=model.version,
                            created_at=received, finished_at=received + timedelta(minutes=4))
        wanted = round(len(households) * SIGNALLED_SHARE * season(day))
        picked = rng.sample(households, min(len(households), wanted))
        rows, keys = [], set()
        for hh in picked:
            for _n in range(rng.choices((1, 2, 3), weights=(60, 30, 10))[0]):
                signal = _signal(h, day, hh, batch, line=len(rows) + 2)
                key = (signal.kind, signal.subject, signal.observed_on)
                if key in keys:
                    continue
                keys.add(key)
                h.signals.append(signal)
                seen.setdefault(hh.id, []).append(
                    (signal.kind, signal.observed_on, signal.months_overdue, signal.amount))
                rows.append(_csv_row(hh, signal, dong_codes[hh.dong_id]))
        opened_at = received + timedelta(minutes=5)
        alerts = 0
        for hh in picked:
            result = score_household(lives_alone=hh.lives_alone, elderly=hh.elderly,
                                     signals=seen[hh.id], params=params, today=day)
            assessment = RiskAssessment(household_id=hh.id, model_version=model.version,
                                        score=result.score, level=result.level,
                                        factors=result.factors, batch=batch,
                                        assessed_at=opened_at)
            h.assessments.append(assessment)
            if result.score >= params.threshold and h.free(hh.id, opened_at, opened_at):
                families = sorted({FAMILY[k] for k, *_rest in seen[hh.id]
                                   if k in FAMILY})
                alerts += alert_life(h, services, hh, opened=opened_at, origin="risk_model",
                                     assessment=assessment, families=families)
        batch.rows = batch.accepted = batch.matched_people = len(rows)
        batch.households_scored, batch.alerts_opened = len(picked), alerts
        h.batches.append(batch)
        h.batch_files.append((batch, _csv_bytes(rows)))


def _csv_bytes(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    writer.writerows(rows)
    return out.getvalue().encode("cp949", errors="replace")


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _visits(h: History, life: Life, hh, first_try: datetime) -> tuple[str, datetime]:
    """Home visits until someone opens the door (or three tries fail): the outcome that
    ended the tries, and when."""
    rng, staff = h.rng, h.cast.staff[hh.dong_id]
    volunteers = h.cast.volunteers.get(hh.dong_id) or [None]
    companion = rng.choice(volunteers) if rng.random() < 0.3 else None
    when, previous = first_try, None
    for attempt in range(1, settings.VISIT_MAX_ATTEMPTS + 1):
        visit = Visit(household_id=hh.id, alert=life.alert, staff=staff, companion=companion,
                      scheduled_for=when, attempt_no=attempt, previous_attempt=previous,
                      created_at=when - timedelta(days=1))
        life.visits.append((attempt, visit))
        if not h.happened(when):
            return "", when
        outcome = rng.choices(["met", "not_home", "refused", "moved", "hospitalised"],
                              weights=[71, 22, 5, 1, 1])[0]
        visit.outcome, visit.visited_at, visit.recorded_by = outcome, when, staff
        if outcome == "met":
            visit.crisis_level = life.alert.level or CrisisLevel.MEDIUM
            for domain in rng.sample(NeedDomain.values, rng.randint(1, 3)):
                life.needs.append(VisitNeed(visit=visit, domain=domain,
                                            level=rng.choice(["low", "medium", "high"])))
        if outcome != "not_home":
            return outcome, when
        if attempt == settings.VISIT_MAX_ATTEMPTS:
            visit.unreachable = True
            visit.suggested_next_step = "복지등기 우편 발송, 이웃·통반장 탐문"
            return "unreachable", when
        previous = visit
        when = visit_retry_at(missed_at=when, now=when)
    return "unreachable", when


def _close(life: Life, when: datetime, reason: str, note: str = "") -> None:
    life.closed = when
    alert = life.alert
    alert.status, alert.closed_at, alert.close_reason, alert.close_note = (
        DiscoveryAlert.Status.CLOSED, when, reason, note)


def alert_life(h: History, services: dict, hh, *, opened: datetime, origin: str,
               assessment=None, families=(), level: str = "", score=None,
               help_rate: float | None = None) -> int:
    """Plan one alert from opening to closing (as far as today); 1 if it was kept."""
    rng = h.rng
    level = assessment.level if assessment else level
    score = assessment.score if assessment else score
    emergency = level in EMERGENCY
    due_days = (settings.EMERGENCY_FIRST_CONTACT_DAYS if level == CrisisLevel.CRITICAL
                else settings.NORMAL_FIRST_CONTACT_DAYS)
    alert = DiscoveryAlert(household_id=hh.id, dong_id=hh.dong_id, origin=origin,
                           assessment=assessment, level=level, score=score,
                           due_on=opened.date() + timedelta(days=due_days),
                           opened_at=opened, updated_at=opened)
    life = Life(alert)
    # A case planned for an alert that is then dropped goes with it.
    planned = (len(h.cases), len(h.stage_changes), len(h.conferences))
    assigned = office_time(rng, opened, rng.uniform(0, 1))
    if h.happened(assigned):
        alert.stage, alert.assigned_to = DiscoveryAlert.Stage.ASSIGNED, h.cast.staff[hh.dong_id]
        # 긴급지원: first contact within 3 days; most dong teams make it, a few do not.
        late = rng.random() < (0.08 if emergency else 0.1)
        delay = (rng.uniform(3.5, 8) if late else rng.uniform(0.2, 2.5)) if emergency else (
            rng.uniform(15, 25) if late else rng.uniform(1, 12))
        outcome, when = _visits(h, life, hh, office_time(rng, opened, delay))
        if outcome == "met":
            _after_contact(h, services, life, hh, when, families, score, help_rate)
        elif outcome == "refused" and h.happened(when + timedelta(days=1)):
            _close(life, when + timedelta(days=1), CloseReason.NO_NEED, "본인이 지원을 원하지 않음")
        elif outcome in ("moved", "hospitalised") and h.happened(when + timedelta(days=2)):
            _close(life, when + timedelta(days=2), outcome)
        elif outcome == "unreachable":
            closing = office_time(rng, when, rng.uniform(7, 20))
            if h.happened(closing):
                _close(life, closing, CloseReason.NO_CONTACT)
    if not h.free(hh.id, opened, life.closed):
        del h.cases[planned[0]:], h.stage_changes[planned[1]:], h.conferences[planned[2]:]
        return 0
    h.busy[hh.id].append((opened, life.closed))
    alert.updated_at = max([opened] + [v.visited_at or v.created_at for _a, v in life.visits]
                           + [life.closed or opened])
    h.alerts.append(alert)
    for attempt, visit in life.visits:
        h.visits[attempt].append(visit)
    h.needs += life.needs
    h.links += life.links
    if life.follow_up is not None:
        _follow_up(h, services, hh, life.follow_up)
    return 1


def _after_contact(h: History, services: dict, life: Life, hh, met: datetime, families,
                   score, help_rate) -> None:
    """First contact stamped; then help (links, a case, another agency) or not."""
    rng, alert = h.rng, life.alert
    alert.stage, alert.first_contact_at = DiscoveryAlert.Stage.CONTACTED, met
    alert.decide_by = met.date() + timedelta(days=settings.ALERT_DECIDE_DAYS)
    # The higher the score, the likelier the household did need help (the model's lift).
    if help_rate is None:
        help_rate = min(0.9, max(0.15, 0.2 + 0.65 * ((score or 50) - 50) / 50))
    if rng.random() >= help_rate:
        closing = office_time(rng, met, rng.uniform(1, 12))
        if h.happened(closing):
            reason = rng.choices([CloseReason.NO_NEED, CloseReason.NOT_ELIGIBLE,
                                  CloseReason.MOVED, CloseReason.HOSPITALISED],
                                 weights=[62, 34, 2, 2])[0]
            _close(life, closing, reason)
        return
    way = rng.random()
    if way < 0.1:
        closing = office_time(rng, met, rng.uniform(2, 10))
        if h.happened(closing):
            _close(life, closing, CloseReason.OTHER_AGENCY, "")
        return
    if way < 0.27:
        case, links = plan_case(h, services, hh, after=met, families=list(families),
                                elderly=hh.elderly)
        life.links += links
        alert.stage = DiscoveryAlert.Stage.SUPPORTING
        closing = case.opened_at + timedelta(hours=rng.randint(1, 48))
        if h.happened(closing):
            _close(life, closing, CloseReason.CASE_OPENED)
        if case.follow_up_on and case.follow_up_on <= h.today:
            life.follow_up = case
        return
    links = plan_links(h, services, hh, after=met, families=list(families),
                       elderly=hh.elderly, count=h.rng.choice((1, 1, 2)))
    life.links += links
    if not links:
        return
    alert.stage = DiscoveryAlert.Stage.SUPPORTING
    closing = office_time(rng, links[-1].requested_at, rng.uniform(3, 20))
    if h.happened(closing):
        _close(life, closing, CloseReason.SUPPORTED)


def _follow_up(h: History, services: dict, hh, case) -> None:
    """사후관리: a closed case's follow-up date opens an alert (06:30 job), like the live
    job case_follow_ups_due does."""
    opened = at(case.follow_up_on, 6, 30)
    before = len(h.alerts)
    alert_life(h, services, hh, opened=opened, origin="follow_up", level=CrisisLevel.MEDIUM,
               help_rate=0.15)
    if len(h.alerts) > before:
        case.follow_up_alert = h.alerts[-1]
        case_follow_up_enter(h, case, opened)
        if case.follow_up_alert.closed_at:
            case.stage_due_on = None  # followed up: nothing more is due
