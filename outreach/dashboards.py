"""Dashboards: every figure the district and dong pages show, as small tables.

A panel is one function ``panel_<name>(scope, period) -> Table`` plus one line in
``PANELS``. Each panel runs a fixed number of set-based queries (GROUP BY in the
database, never a loop over rows), so a page costs the same number of queries for
36 households as for 200,000.

Most panels read per (dong, month) rollups (outreach.models.DongMonth*, rebuilt by
outreach.rollups.dashboard_rollup_refresh nightly and after the writes that change
them) instead of alerts and visits. The median time to first contact stays exact: the
rollup keeps each dong-month's contact delays as a sorted list (one number per
contacted alert, read without a join). Still read from the rows themselves: the few
alerts of the last days and of the top-10% cut-off score, the overdue backlog,
referrals and check-ins by volunteer group, and the panels of referrals, service
links and cases.

Panels whose data belongs to other parts of Doorstep (referrals, service links,
cases, check-ins) declare the model fields they read in ``requires``; they appear
on the pages and in the API by themselves once those models exist.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from statistics import median

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from households.models import Dong, Membership, Person, Role, mask_name
from households.selectors import scope_of, visible_households
from outreach.models import (
    CrisisLevel,
    DiscoveryAlert,
    DiscoveryTarget,
    DongMonthAge,
    DongMonthCompanion,
    DongMonthFactor,
    DongMonthReach,
    DongMonthScore,
    DongMonthStat,
)
from referrals.models import CloseReason

# 발굴 목표: without a target set for the year, last year's actual raised by 10% (영등포구).
TARGET_DEFAULT_GROWTH_PERCENT = 10

# Close reasons that mean the household did need help (or got it): the numerator of the
# risk model's hit rate. Everything else that is closed (지원 불요, 비대상, 중복, 이사 …)
# counts as a miss. Codes follow the triage inbox's close reasons ([3/5]).
NEEDED_HELP_REASONS = frozenset({
    CloseReason.SUPPORTED,      # 지원 연계 후 종결
    CloseReason.CASE_OPENED,    # 통합사례관리 연계
    CloseReason.OTHER_AGENCY,   # 타 기관 처리 중: help was needed, another agency gives it
})

# Alerts at these levels are emergencies: first contact within 3 days (송산3동 rule).
EMERGENCY_LEVELS = (CrisisLevel.HIGH, CrisisLevel.CRITICAL)

SCORE_BANDS = ((0, 19), (20, 39), (40, 59), (60, 79), (80, 100))

# Age of the household head on the last day of the period.
AGE_BANDS = (("u40", 0, 39), ("40_64", 40, 64), ("65_74", 65, 74), ("75", 75, 200))

# How many named (masked) rows a people panel shows on the page; exports have them all.
PEOPLE_PAGE_LIMIT = 20


# --- the period ---------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    """Whole months from ``start`` to ``end`` (both the first day of their month)."""

    start: date
    end: date

    @property
    def last_day(self) -> date:
        return _add_months(self.end, 1) - timedelta(days=1)

    @property
    def start_dt(self) -> datetime:
        return datetime.combine(self.start, time.min, timezone.get_current_timezone())

    @property
    def end_dt(self) -> datetime:
        """Exclusive: midnight of the first day after the period (Asia/Seoul)."""
        return datetime.combine(_add_months(self.end, 1), time.min,
                                timezone.get_current_timezone())

    @property
    def months(self) -> list[date]:
        months, month = [], self.start
        while month <= self.end:
            months.append(month)
            month = _add_months(month, 1)
        return months

    @property
    def label(self) -> str:
        if self.start == self.end:
            return _("%(y)d년 %(m)d월") % {"y": self.start.year, "m": self.start.month}
        return _("%(y1)d년 %(m1)d월 ~ %(y2)d년 %(m2)d월") % {
            "y1": self.start.year, "m1": self.start.month,
            "y2": self.end.year, "m2": self.end.month,
        }

    def as_query(self) -> dict[str, str]:
        return {"start": f"{self.start:%Y-%m}", "end": f"{self.end:%Y-%m}"}

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(date(year, 1, 1), date(year, 12, 1))

    @classmethod
    def default(cls, today: date | None = None) -> Period:
        """This year so far: January to the current month."""
        today = today or timezone.localdate()
        return cls(date(today.year, 1, 1), today.replace(day=1))


def _add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


def month_label(month: date) -> str:
    return _("%(y)d년 %(m)d월") % {"y": month.year, "m": month.month}


# --- who sees what --------------------------------------------------------------------

@dataclass(frozen=True)
class DashboardScope:
    user: object
    dongs: tuple  # the Dong objects covered, ordered by code
    one_dong: Dong | None = None
    # Every dong the user may pick (the picker's choices).
    allowed: tuple = ()
    # The scope is every dong there is: filtering by dong would keep every row, so the
    # queries skip that join (a 200,000-household scan) and stay proportional to the
    # alerts and visits they count.
    everywhere: bool = False
    # Figures several panels share within one page (the risk model's top 10%).
    memo: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    def in_dongs(self, path: str) -> Q:
        """Rows of the scope's dongs, ``path`` leading to a dong id."""
        return Q() if self.everywhere else Q(**{f"{path}__in": self.dong_ids})

    @property
    def dong_ids(self) -> list[int]:
        return [d.pk for d in self.dongs]

    def dong_label(self, dong_id) -> str:
        for dong in self.dongs:
            if dong.pk == dong_id:
                return str(dong)
        return str(dong_id)


DASHBOARD_ROLES = (Role.DISTRICT_ADMIN, Role.DONG_STAFF, Role.CASE_MANAGER)


def dashboard_scope(user, *, dong_id=None, district: bool = False) -> DashboardScope:
    """The dongs a dashboard covers: an admin's whole district, a worker's own dongs,
    or one of them. Another dong's id is a 404, like any record outside the scope."""
    scope = scope_of(user)
    if district and not scope.has(Role.DISTRICT_ADMIN):
        raise PermissionDenied(_("구 현황은 구 관리자만 볼 수 있습니다."))
    if not scope.has(*DASHBOARD_ROLES):
        raise PermissionDenied(_("현황을 볼 권한이 없습니다."))
    dongs = tuple(Dong.objects.filter(id__in=scope.dong_ids).select_related("district")
                  .order_by("code"))
    if dong_id in (None, ""):
        everywhere = len(dongs) == Dong.objects.count()
        return DashboardScope(user=user, dongs=dongs, allowed=dongs, everywhere=everywhere)
    try:
        wanted = int(dong_id)
    except (TypeError, ValueError):
        raise Http404(_("행정동을 찾을 수 없습니다.")) from None
    for dong in dongs:
        if dong.pk == wanted:
            return DashboardScope(user=user, dongs=(dong,), one_dong=dong, allowed=dongs)
    raise Http404(_("선택한 행정동은 볼 수 있는 범위 밖입니다."))


# --- tables ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    key: str
    label: str
    # text | int | num | pct (a fraction 0–1) | days | ratio | krw
    kind: str = "int"
    # False for figures that are settings, not data (a target): they do not make a
    # period "have data".
    measure: bool = True

    @property
    def numeric(self) -> bool:
        return self.kind != "text"


@dataclass(frozen=True)
class Chart:
    kind: str  # "bar" (horizontal bars) or "line"
    x: str  # the column whose values label the bars / points
    y: tuple[str, ...]  # the columns drawn


@dataclass
class Table:
    name: str
    title: str
    columns: list[Column]
    rows: list[list]
    chart: Chart | None = None
    note: str = ""
    total: list | None = None
    # Rows name people (masked): exports are scoped and logged like any people list.
    people: bool = False
    # People panels: how many rows exist in all (the page shows the first few).
    row_count: int | None = None
    # False for tables of the present moment (overdue now), whatever the period.
    period_bound: bool = True

    @property
    def is_empty(self) -> bool:
        """No non-zero figure anywhere: the page says so instead of showing a blank."""
        numeric = [i for i, c in enumerate(self.columns) if c.numeric and c.measure]
        return not any(row[i] for row in self.rows for i in numeric)

    def column(self, key: str) -> list:
        index = [c.key for c in self.columns].index(key)
        return [row[index] for row in self.rows]

    def as_dicts(self) -> list[dict]:
        keys = [c.key for c in self.columns]
        return [dict(zip(keys, row, strict=True)) for row in self.rows]


def rate(part, whole):
    return (part / whole) if whole else None


# --- the base querysets -----------------------------------------------------------------

def _alerts(scope: DashboardScope) -> QuerySet[DiscoveryAlert]:
    return DiscoveryAlert.objects.filter(scope.in_dongs("household__dong_id"))


def _in(period: Period, field_name: str) -> Q:
    return Q(**{f"{field_name}__gte": period.start_dt, f"{field_name}__lt": period.end_dt})


def discovered_alerts(alerts: QuerySet[DiscoveryAlert]) -> QuerySet[DiscoveryAlert]:
    """A household is discovered when its alert led to help: a service link requested or
    an integrated case opened for the household after the alert was opened."""
    from outreach.models import Case as CaseRecord  # not django.db.models.Case
    from referrals.models import ServiceLink

    links = ServiceLink.objects.filter(household_id=OuterRef("household_id"),
                                       requested_at__gte=OuterRef("opened_at"))
    cases = CaseRecord.objects.filter(household_id=OuterRef("household_id"),
                                opened_at__gte=OuterRef("opened_at"))
    return alerts.filter(Exists(links) | Exists(cases))


# --- the rollups (outreach.rollups rebuilds them) ---------------------------------------

def _rollup(model, scope: DashboardScope, period: Period) -> QuerySet:
    """The scope's rollup rows for the period's months."""
    return model.objects.filter(scope.in_dongs("dong_id"), month__gte=period.start,
                                month__lte=period.end)


def _reach_in(start: date, end: date) -> Q:
    """DongMonthReach rows that count a household once for the months [start, end]."""
    return Q(month__gte=start, month__lte=end) & (Q(since__isnull=True) | Q(since__lt=start))


def found_in_month_ranges(scope: DashboardScope, ranges) -> dict[int, list[int]]:
    """{dong_id: [households discovered in each (first month, last month) range]}."""
    sums = {f"n{i}": Sum("n", filter=_reach_in(start, end))
            for i, (start, end) in enumerate(ranges)}
    rows = (DongMonthReach.objects.filter(scope.in_dongs("dong_id"), kind="found",
                                          month__gte=min(r[0] for r in ranges),
                                          month__lte=max(r[1] for r in ranges))
            .values("dong_id").order_by().annotate(**sums))
    return {r["dong_id"]: [r[f"n{i}"] or 0 for i in range(len(ranges))] for r in rows}


def target_default(last_year_actual: int) -> int:
    """Last year's actual × 1.1, rounded up, in integers (11 × 1.1 is not 12.1000…01)."""
    growth = 100 + TARGET_DEFAULT_GROWTH_PERCENT
    return (last_year_actual * growth + 99) // 100


def _year_range(year: int) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return (datetime.combine(date(year, 1, 1), time.min, tz),
            datetime.combine(date(year + 1, 1, 1), time.min, tz))


def discovered_by_dong(dong_ids, start: datetime, end: datetime,
                       everywhere: bool = False) -> dict[int, int]:
    """Distinct households discovered per dong with the alert opened in [start, end)."""
    return {k: v[0] for k, v in
            discovered_in_ranges(dong_ids, [(start, end)], everywhere).items()}


def discovered_in_ranges(dong_ids, ranges, everywhere: bool = False) -> dict[int, list[int]]:
    """{dong_id: [households discovered in each (start, end) range]}, in one query."""
    alerts = DiscoveryAlert.objects.filter(opened_at__gte=min(r[0] for r in ranges),
                                           opened_at__lt=max(r[1] for r in ranges))
    if not everywhere:
        alerts = alerts.filter(household__dong_id__in=dong_ids)
    counts = {f"n{i}": Count("household_id", distinct=True,
                             filter=Q(opened_at__gte=start, opened_at__lt=end))
              for i, (start, end) in enumerate(ranges)}
    rows = discovered_alerts(alerts).values("household__dong_id").annotate(**counts).order_by()
    return {r["household__dong_id"]: [r[f"n{i}"] for i in range(len(ranges))] for r in rows}


def targets_for(dong_ids, year: int, everywhere: bool = False,
                last_year: dict | None = None) -> dict[int, tuple[int, bool]]:
    """{dong_id: (target, is_default)} for a year: the admin's figure, else the default."""
    saved = dict(DiscoveryTarget.objects.filter(dong_id__in=dong_ids, year=year)
                 .values_list("dong_id", "target"))
    if last_year is None:
        last_year = discovered_by_dong(dong_ids, *_year_range(year - 1), everywhere=everywhere)
    return {
        dong_id: ((saved[dong_id], False) if dong_id in saved
                  else (target_default(last_year.get(dong_id, 0)), True))
        for dong_id in dong_ids
    }


# --- panels: discovery ------------------------------------------------------------------

def panel_discovery_targets(scope: DashboardScope, period: Period) -> Table:
    """Households discovered this year (to the period's last month) against the target."""
    year = period.end.year
    counts = found_in_month_ranges(
        scope, [(date(year, 1, 1), period.end), (date(year - 1, 1, 1), date(year - 1, 12, 1))])
    found = {dong_id: n[0] for dong_id, n in counts.items()}
    last_year = {dong_id: n[1] for dong_id, n in counts.items()}
    targets = targets_for(scope.dong_ids, year, scope.everywhere, last_year=last_year)
    rows = []
    for dong in scope.dongs:
        target, is_default = targets[dong.pk]
        n = found.get(dong.pk, 0)
        rows.append([str(dong), target, _("기본값") if is_default else _("설정"), n,
                     rate(n, target)])
    total_target = sum(r[1] for r in rows)
    total_found = sum(r[3] for r in rows)
    return Table(
        name="discovery_targets",
        title=_("%(year)d년 발굴 목표 대비 실적 (1월~%(month)d월 누계)")
        % {"year": year, "month": period.end.month},
        columns=[Column("dong", _("행정동"), "text"),
                 Column("target", _("목표(가구)"), measure=False),
                 Column("basis", _("목표 기준"), "text"), Column("found", _("발굴(가구)")),
                 Column("achieved", _("달성률"), "pct")],
        rows=rows,
        total=[_("합계"), total_target, "", total_found, rate(total_found, total_target)],
        chart=Chart("bar", "dong", ("target", "found")),
        note=_("발굴: 경보 후 가정방문에서 만난 가구(임시 정의). 기본값 목표 = 전년 실적 × 1.1 "
               "(올림)."),
    )


def panel_alerts_monthly(scope: DashboardScope, period: Period) -> Table:
    per = {r["month"]: r for r in _rollup(DongMonthStat, scope, period).values("month")
           .order_by().annotate(opened=Sum("alerts_opened"), closed=Sum("alerts_closed"))}
    # Within one month every household's row counts (its "since" is an earlier month).
    found = dict(_rollup(DongMonthReach, scope, period).filter(kind="found").values("month")
                 .order_by().annotate(n=Sum("n")).values_list("month", "n"))
    rows = [[month_label(m), per.get(m, {}).get("opened", 0), per.get(m, {}).get("closed", 0),
             found.get(m, 0)] for m in period.months]
    return Table(
        name="alerts_monthly",
        title=_("월별 발굴 경보와 발굴 가구"),
        columns=[Column("month", _("월"), "text"), Column("opened", _("경보 발생")),
                 Column("closed", _("경보 종결")), Column("found", _("발굴 가구"))],
        rows=rows,
        total=[_("합계"), sum(r[1] for r in rows), sum(r[2] for r in rows),
               sum(r[3] for r in rows)],
        chart=Chart("line", "month", ("opened", "closed", "found")),
    )


# --- panels: first contact ---------------------------------------------------------------

def _judgeable(days: int, now: datetime) -> Q:
    """Alerts whose deadline has come, or that were already contacted."""
    return Q(first_contact_at__isnull=False) | Q(opened_at__lt=now - timedelta(days=days))


def panel_first_contact(scope: DashboardScope, period: Period) -> Table:
    now = timezone.now()
    today = timezone.localdate()
    emergency_days = settings.EMERGENCY_FIRST_CONTACT_DAYS
    normal_days = settings.NORMAL_FIRST_CONTACT_DAYS
    emergency = Q(assessment__level__in=EMERGENCY_LEVELS)
    alerts = _alerts(scope).filter(_in(period, "opened_at"))
    fields = ("alerts_opened", "contacted", "em_contacted", "em_ok", "em_uncontacted",
              "normal_contacted", "normal_ok", "normal_uncontacted")
    stats: dict[int, dict] = defaultdict(lambda: dict.fromkeys(fields, 0))
    delays: dict[int, list] = defaultdict(list)
    for r in _rollup(DongMonthStat, scope, period).values("dong_id", "contact_seconds",
                                                          *fields):
        for f in fields:
            stats[r["dong_id"]][f] += r[f]
        delays[r["dong_id"]].extend(r["contact_seconds"] or ())
    medians = {dong_id: median(v) / 86400 for dong_id, v in delays.items() if v}
    everyone = [v for values in delays.values() for v in values]
    overall_median = median(everyone) / 86400 if everyone else None
    # Not contacted and still within the limit: not late yet, so not judged. Only the
    # alerts of the last few days can be, so this reads a few rows by opened_at.
    recent = {
        r["household__dong_id"]: r
        for r in alerts.filter(first_contact_at__isnull=True,
                               opened_at__gte=now - timedelta(days=max(emergency_days,
                                                                       normal_days)))
        .values("household__dong_id").order_by().annotate(
            em=Count("id", filter=emergency & ~_judgeable(emergency_days, now)),
            normal=Count("id", filter=~emergency & ~_judgeable(normal_days, now)))
    }
    per_dong = {}
    for dong_id, r in stats.items():
        late = recent.get(dong_id, {"em": 0, "normal": 0})
        per_dong[dong_id] = {
            "opened": r["alerts_opened"] or 0, "contacted": r["contacted"] or 0,
            "em": (r["em_contacted"] or 0) + (r["em_uncontacted"] or 0) - late["em"],
            "em_ok": r["em_ok"] or 0,
            "normal": ((r["normal_contacted"] or 0) + (r["normal_uncontacted"] or 0)
                       - late["normal"]),
            "normal_ok": r["normal_ok"] or 0,
        }
    overdue = dict(
        _alerts(scope).filter(status=DiscoveryAlert.Status.OPEN, first_contact_at__isnull=True,
                              due_on__lt=today)
        .values("household__dong_id").order_by().annotate(n=Count("id"))
        .values_list("household__dong_id", "n")
    )
    rows = []
    totals = defaultdict(int)
    for dong in scope.dongs:
        r = per_dong.get(dong.pk, {})
        figures = {k: r.get(k, 0) for k in ("opened", "contacted", "em", "em_ok", "normal",
                                           "normal_ok")}
        figures["overdue"] = overdue.get(dong.pk, 0)
        for k, v in figures.items():
            totals[k] += v
        rows.append([str(dong), figures["opened"], figures["contacted"], medians.get(dong.pk),
                     figures["em"], rate(figures["em_ok"], figures["em"]),
                     figures["normal"], rate(figures["normal_ok"], figures["normal"]),
                     figures["overdue"]])
    return Table(
        name="first_contact",
        title=_("첫 접촉까지 걸린 시간"),
        columns=[
            Column("dong", _("행정동"), "text"), Column("opened", _("경보")),
            Column("contacted", _("접촉 완료")), Column("median_days", _("중앙값"), "days"),
            Column("emergency", _("긴급(위기·긴급)")),
            Column("emergency_ok", _("%(d)d일 내 접촉") % {"d": emergency_days}, "pct"),
            Column("normal", _("일반")),
            Column("normal_ok", _("%(d)d일 내 접촉") % {"d": normal_days}, "pct"),
            Column("overdue", _("현재 기한 경과"), measure=False),
        ],
        rows=rows,
        total=[_("합계"), totals["opened"], totals["contacted"], overall_median, totals["em"],
               rate(totals["em_ok"], totals["em"]), totals["normal"],
               rate(totals["normal_ok"], totals["normal"]), totals["overdue"]],
        chart=Chart("bar", "dong", ("emergency_ok", "normal_ok")),
        note=_("기간 중 발생한 경보 기준. 긴급지원: %(e)d일 내 첫 접촉(송산3동 기준), 그 밖은 "
               "%(n)d일. 기한이 아직 남은 미접촉 경보는 비율에서 뺍니다. '현재 기한 경과'는 "
               "기간과 관계없이 오늘 기준입니다.") % {"e": emergency_days, "n": normal_days},
    )


def panel_overdue_alerts(scope: DashboardScope, period: Period,
                         limit: int | None = PEOPLE_PAGE_LIMIT) -> Table:
    """Open alerts past their first-contact date, oldest first, names masked."""
    today = timezone.localdate()
    head = Person.objects.filter(household_id=OuterRef("household_id"),
                                 is_head=True).order_by("id")
    households = visible_households(scope.user).filter(dong_id__in=scope.dong_ids)
    alerts = (DiscoveryAlert.objects
              .filter(household__in=households, status=DiscoveryAlert.Status.OPEN,
                      first_contact_at__isnull=True, due_on__lt=today)
              .annotate(head_name=Subquery(head.values("name")[:1]))
              .values_list("household_id", "household__dong_id", "head_name",
                           "assessment__level", "due_on")
              .order_by("due_on", "id"))
    count = alerts.count() if limit is not None else None
    picked = list(alerts[:limit] if limit is not None else alerts)
    levels = dict(CrisisLevel.choices)
    rows = [[household_id, scope.dong_label(dong_id), mask_name(name or ""),
             str(levels.get(level, "")) if level else "—", due_on.isoformat(),
             (today - due_on).days]
            for household_id, dong_id, name, level, due_on in picked]
    return Table(
        name="overdue_alerts",
        title=_("첫 접촉 기한이 지난 경보 (현재)"),
        columns=[Column("household", _("가구 번호"), "text"), Column("dong", _("행정동"), "text"),
                 Column("head", _("세대주"), "text"), Column("level", _("위기 수준"), "text"),
                 Column("due_on", _("첫 접촉 기한"), "text"),
                 Column("days_over", _("경과 일수"))],
        rows=rows,
        people=True,
        period_bound=False,
        row_count=count if count is not None else len(rows),
        note=_("이름은 가려서 보입니다. 기간과 관계없이 오늘 기준입니다."),
    )


# --- panels: risk-model feedback ----------------------------------------------------------

def _closed_model_alerts(scope: DashboardScope, period: Period) -> QuerySet[DiscoveryAlert]:
    """Alerts the risk model raised that were closed in the period, with their score."""
    return _alerts(scope).filter(
        _in(period, "closed_at"), status=DiscoveryAlert.Status.CLOSED,
        origin="risk_model", assessment__isnull=False,
    )


def _hit():
    return Case(When(close_reason__in=NEEDED_HELP_REASONS, then=Value(1)), default=Value(0),
                output_field=IntegerField())


def _score_histogram(scope: DashboardScope, period: Period):
    """(rows by dong, version and score; the cut-off score; how many alerts of that
    score are in the top 10%; the alerts of that score, lowest id first). Read once
    per page: every risk-model panel shares them."""
    key = ("score_histogram", period)
    if key in scope.memo:
        return scope.memo[key]
    rows = list(_rollup(DongMonthScore, scope, period).values("dong_id", "version", "score")
                .order_by().annotate(closed=Sum("closed"), hits=Sum("hits")))
    per_score: dict[int, int] = defaultdict(int)
    for r in rows:
        per_score[r["score"]] += r["closed"]
    want = (sum(per_score.values()) + 9) // 10  # ceil(n / 10)
    cut, take, above = -1, 0, 0
    for score in sorted(per_score, reverse=True):
        if above + per_score[score] >= want:
            cut, take = score, want - above
            break
        above += per_score[score]
    at_cut = list(_closed_model_alerts(scope, period).filter(assessment__score=cut)
                  .annotate(birth=_head_birth()).order_by("id")
                  .values("household__dong_id", "assessment__model_version",
                          "assessment__score", "birth", hit=_hit())[:max(take, 1)])
    scope.memo[key] = (rows, cut, take, at_cut)
    return scope.memo[key]


def score_feedback(scope: DashboardScope, period: Period, group: str | None) -> dict:
    """The risk model's feedback from the rollups (DongMonthScore, DongMonthAge): per
    group (None: everything, "version", "band", "dong_id" or "age") closed, hits, mean
    score, and how many of — and which hits among — the top-scored 10% of *all* the
    scope's alerts closed in the period fall in the group.

    The top 10% is ceil(n / 10) alerts by score, ties broken by alert id: every alert
    scored above the cut-off score plus, at the cut-off, the lowest alert ids — one
    small query for the alerts of that one score.
    """
    rows, cut, take, at_cut = _score_histogram(scope, period)
    if group == "age":
        end = period.end
        rows = list(_rollup(DongMonthAge, scope, period).filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=end),
            Q(valid_to__isnull=True) | Q(valid_to__gte=end))
            .values("band", "score").order_by()
            .annotate(closed=Sum("closed"), hits=Sum("hits")))

    def key(r):
        if group is None:
            return 1
        if group == "age":
            return r["band"] if "band" in r else age_band_on(r["birth"], period.last_day)
        if group == "band":
            return next((i for i, (lo, hi) in enumerate(SCORE_BANDS) if lo <= r["score"] <= hi),
                        -1)
        return r[group]

    per: dict = defaultdict(lambda: {"closed": 0, "hits": 0, "score_sum": 0, "top": 0,
                                     "top_hits": 0})
    for r in rows:
        f = per[key(r)]
        f["closed"] += r["closed"]
        f["hits"] += r["hits"]
        f["score_sum"] += r["score"] * r["closed"]
        if r["score"] > cut:
            f["top"] += r["closed"]
            f["top_hits"] += r["hits"]
    for a in at_cut[:take]:
        f = per[key({"score": a["assessment__score"], "version": a["assessment__model_version"],
                     "dong_id": a["household__dong_id"], "birth": a["birth"]})]
        f["top"] += 1
        f["top_hits"] += a["hit"]
    return {k: {**f, "mean_score": f["score_sum"] / f["closed"]}
            for k, f in per.items() if f["closed"]}


FEEDBACK_COLUMNS = (
    ("closed", gettext_lazy("종결"), "int"),
    ("hits", gettext_lazy("지원 필요"), "int"),
    ("hit_rate", gettext_lazy("적중률"), "pct"),
    ("mean_score", gettext_lazy("평균 점수"), "num"),
    ("top", gettext_lazy("상위 10% 건수"), "int"),
    ("top_hit_rate", gettext_lazy("상위 10% 적중률"), "pct"),
    ("lift", gettext_lazy("향상도"), "ratio"),
)


def _feedback_columns(first: Column) -> list[Column]:
    return [first] + [Column(key, str(label), kind) for key, label, kind in FEEDBACK_COLUMNS]


def _feedback_row(label, f: dict | None) -> list:
    f = f or {"closed": 0, "hits": 0, "mean_score": None, "top": 0, "top_hits": 0}
    hit_rate = rate(f["hits"], f["closed"])
    top_rate = rate(f["top_hits"], f["top"])
    lift = (top_rate / hit_rate) if (top_rate is not None and hit_rate) else None
    mean_score = round(f["mean_score"], 1) if f["closed"] else None
    return [label, f["closed"], f["hits"], hit_rate, mean_score, f["top"], top_rate, lift]


def _merged(groups: list[dict]) -> dict:
    total = {"closed": 0, "hits": 0, "top": 0, "top_hits": 0, "score_sum": 0.0}
    for f in groups:
        total["closed"] += f["closed"]
        total["hits"] += f["hits"]
        total["top"] += f["top"]
        total["top_hits"] += f["top_hits"]
        total["score_sum"] += f["mean_score"] * f["closed"]
    total["mean_score"] = total["score_sum"] / total["closed"] if total["closed"] else 0
    return total


FEEDBACK_NOTE = gettext_lazy(
    "기간 중 종결된 위험 모델 경보 기준. 적중률 = 지원이 필요했던 것으로 종결 ÷ 전체 종결. "
    "상위 10%는 점수가 가장 높은 10%(전체 순위), 향상도 = 상위 10% 적중률 ÷ 같은 행의 "
    "적중률."
)


def panel_model_hit_rate(scope: DashboardScope, period: Period) -> Table:
    """Overall hit rate and the lift of the top-scored 10% over the average."""
    f = score_feedback(scope, period, None).get(1)
    overall = _feedback_row(_("전체"), f)
    return Table(
        name="model_hit_rate",
        title=_("위험 모델 적중률과 상위 10% 향상도"),
        columns=_feedback_columns(Column("group", _("구분"), "text")),
        rows=[overall],
        note=str(FEEDBACK_NOTE),
    )


def panel_model_by_version(scope: DashboardScope, period: Period) -> Table:
    per = score_feedback(scope, period, "version")
    rows = [_feedback_row(_("버전 %(v)s") % {"v": v}, per[v]) for v in sorted(per)]
    return Table(
        name="model_by_version", title=_("모델 버전별 적중률"),
        columns=_feedback_columns(Column("version", _("모델 버전"), "text")),
        rows=rows, total=_feedback_row(_("전체"), _merged(list(per.values()))),
        chart=Chart("bar", "version", ("hit_rate",)), note=str(FEEDBACK_NOTE),
    )


def panel_model_by_band(scope: DashboardScope, period: Period) -> Table:
    per = score_feedback(scope, period, "band")
    rows = [_feedback_row(f"{lo}–{hi}", per.get(i)) for i, (lo, hi) in enumerate(SCORE_BANDS)]
    return Table(
        name="model_by_band", title=_("점수 구간별 적중률"),
        columns=_feedback_columns(Column("band", _("점수 구간"), "text")),
        rows=rows, total=_feedback_row(_("전체"), _merged(list(per.values()))),
        chart=Chart("bar", "band", ("hit_rate",)), note=str(FEEDBACK_NOTE),
    )


def _head_birth():
    return Subquery(Person.objects.filter(household_id=OuterRef("household_id"), is_head=True)
                    .order_by("id").values("birth_date")[:1])


def age_band_on(birth: date | None, reference: date) -> int:
    """The AGE_BANDS index of a head born on ``birth`` on ``reference`` (-1: unknown);
    age ≥ lo ⇔ born on or before reference − lo years; age ≤ hi ⇔ born after
    reference − (hi + 1) years."""
    if birth is None:
        return -1
    for i, (_code, lo, hi) in enumerate(AGE_BANDS):
        if _years_before(reference, hi + 1) < birth <= _years_before(reference, lo):
            return i
    return -1


def age_band_spans(birth: date | None) -> list[tuple[int, date | None, date | None]]:
    """[(band, first month, last month)] of the head's band on the last day of each
    month (None: open-ended). The band can only change in the month of a birthday that
    crosses a band edge, or the month after (29 February)."""
    if birth is None:
        return [(-1, None, None)]
    edges = sorted({_add_months(date(birth.year + years, 1, 1), birth.month - 1 + extra)
                    for years in [0] + [b[1] for b in AGE_BANDS] + [AGE_BANDS[-1][2] + 1]
                    for extra in (0, 1)})

    def band_in(month: date) -> int:
        return age_band_on(birth, _add_months(month, 1) - timedelta(days=1))

    spans = [[band_in(_add_months(edges[0], -1)), None, _add_months(edges[0], -1)]]
    for i, month in enumerate(edges):
        band = band_in(month)
        last = _add_months(edges[i + 1], -1) if i + 1 < len(edges) else None
        if band == spans[-1][0]:
            spans[-1][2] = last
        else:
            spans.append([band, month, last])
    return [tuple(s) for s in spans]


AGE_BAND_LABELS = {"u40": gettext_lazy("40세 미만"), "40_64": gettext_lazy("40–64세"),
                   "65_74": gettext_lazy("65–74세"), "75": gettext_lazy("75세 이상")}


def panel_model_by_age(scope: DashboardScope, period: Period) -> Table:
    per = score_feedback(scope, period, "age")
    rows = [_feedback_row(str(AGE_BAND_LABELS[code]), per.get(i))
            for i, (code, _lo, _hi) in enumerate(AGE_BANDS)]
    rows.append(_feedback_row(_("미상"), per.get(-1)))
    return Table(
        name="model_by_age", title=_("세대주 연령대별 적중률"),
        columns=_feedback_columns(Column("age", _("연령대"), "text")),
        rows=rows, total=_feedback_row(_("전체"), _merged(list(per.values()))),
        chart=Chart("bar", "age", ("hit_rate", "top_hit_rate")),
        note=f"{FEEDBACK_NOTE} {_('연령은 기간 마지막 날 기준 세대주 나이.')}",
    )


def panel_model_by_dong(scope: DashboardScope, period: Period) -> Table:
    per = score_feedback(scope, period, "dong_id")
    rows = [_feedback_row(str(d), per.get(d.pk)) for d in scope.dongs]
    return Table(
        name="model_by_dong", title=_("행정동별 적중률"),
        columns=_feedback_columns(Column("dong", _("행정동"), "text")),
        rows=rows, total=_feedback_row(_("전체"), _merged(list(per.values()))),
        chart=Chart("bar", "dong", ("hit_rate",)), note=str(FEEDBACK_NOTE),
    )


_QUANTITY = re.compile(r"\s*\d[\d,.]*\s*(개월|회|건|만원|원|일|년|%)?\s*$")


def factor_kind(factor: str) -> str:
    """The signal kind a plain-words factor names: "단전 2개월" → "단전".

    Until [2/5]'s RiskSignal is merged the factors on the assessment are the only
    record of which signals drove a score; switch to RiskSignal.kind here after.
    """
    text = str(factor or "").strip()
    return _QUANTITY.sub("", text) or text


def panel_model_by_signal(scope: DashboardScope, period: Period) -> Table:
    per: dict[str, dict] = defaultdict(lambda: {"closed": 0, "hits": 0})
    for factor, n, hits in (_rollup(DongMonthFactor, scope, period).values("factor")
                            .order_by().annotate(n=Sum("closed"), h=Sum("hits"))
                            .values_list("factor", "n", "h")):
        kind = factor_kind(factor)
        per[kind]["closed"] += n
        per[kind]["hits"] += hits
    ordered = sorted(per.items(), key=lambda kv: (-kv[1]["closed"], kv[0]))
    rows = [[kind, f["closed"], f["hits"], rate(f["hits"], f["closed"])] for kind, f in ordered]
    return Table(
        name="model_by_signal", title=_("위기정보 종류별 적중률"),
        columns=[Column("kind", _("위기정보(요인)"), "text"), Column("closed", _("종결")),
                 Column("hits", _("지원 필요")), Column("hit_rate", _("적중률"), "pct")],
        rows=rows, chart=Chart("bar", "kind", ("hit_rate",)),
        note=_("한 경보에 요인이 여럿이면 각 요인에 한 번씩 셉니다. 요인은 위기도 평가의 "
               "주요 요인에서 읽습니다."),
    )


# --- panels: visits and volunteers ----------------------------------------------------------

def panel_visits_monthly(scope: DashboardScope, period: Period) -> Table:
    per = {
        r["month"]: r for r in _rollup(DongMonthStat, scope, period).values("month").order_by()
        .annotate(done=Sum("visits_done"), met=Sum("visits_met"), paired=Sum("visits_paired"))
    }
    rows = []
    for m in period.months:
        r = per.get(m, {"done": 0, "met": 0, "paired": 0})
        rows.append([month_label(m), r["done"], r["met"], rate(r["met"], r["done"]),
                     r["paired"]])
    done, met = sum(r[1] for r in rows), sum(r[2] for r in rows)
    return Table(
        name="visits_monthly", title=_("월별 가정방문"),
        columns=[Column("month", _("월"), "text"), Column("done", _("방문")),
                 Column("met", _("만남")), Column("met_rate", _("만남 비율"), "pct"),
                 Column("paired", _("2인 1조"))],
        rows=rows, total=[_("합계"), done, met, rate(met, done), sum(r[4] for r in rows)],
        chart=Chart("line", "month", ("done", "met", "paired")),
    )


def _volunteer_group():
    return Subquery(Membership.objects.filter(user_id=OuterRef("companion_id"),
                                              role=Role.VOLUNTEER)
                    .order_by("id").values("group")[:1])


def volunteer_extra_activity(scope: DashboardScope, period: Period) -> dict[str, dict]:
    """Referrals and check-ins by volunteer group, once [3/5] and [4/5] are merged."""
    extra: dict[str, dict] = defaultdict(lambda: {"referrals": 0, "check_ins": 0})
    group_of = Subquery(Membership.objects.filter(user_id=OuterRef("by_user"),
                                                  role=Role.VOLUNTEER)
                        .order_by("id").values("group")[:1])
    if model_has("referrals.Referral", "dong", "submitted_by", "created_at"):
        Referral = apps.get_model("referrals", "Referral")
        rows = (Referral.objects.filter(scope.in_dongs("dong_id"), submitted_by__isnull=False)
                .filter(_in(period, "created_at")).annotate(by_user=F("submitted_by_id"))
                .annotate(g=group_of).filter(g__isnull=False).values("g").order_by()
                .annotate(n=Count("id")))
        for r in rows:
            extra[r["g"]]["referrals"] = r["n"]
    if model_has("outreach.CheckIn", "pairing", "at", "by"):
        CheckIn = apps.get_model("outreach", "CheckIn")
        rows = (CheckIn.objects.filter(scope.in_dongs("pairing__household__dong_id"))
                .filter(_in(period, "at")).annotate(by_user=F("by_id"))
                .annotate(g=group_of).filter(g__isnull=False).values("g").order_by()
                .annotate(n=Count("id")))
        for r in rows:
            extra[r["g"]]["check_ins"] = r["n"]
    return dict(extra)


def panel_volunteer_activity(scope: DashboardScope, period: Period) -> Table:
    # One rollup row per volunteer, dong and month: distinct volunteers stay exact
    # across dongs, and the group is each volunteer's group today.
    visits = (_rollup(DongMonthCompanion, scope, period)
              .annotate(g=_volunteer_group()).values("g").order_by()
              .annotate(visits=Sum("visits"), volunteers=Count("companion_id", distinct=True)))
    per = {(r["g"] or _("소속 없음")): r for r in visits}
    extra = volunteer_extra_activity(scope, period)
    groups = sorted(set(per) | set(extra))
    rows = [[g, per.get(g, {}).get("volunteers", 0), per.get(g, {}).get("visits", 0),
             extra.get(g, {}).get("referrals", 0), extra.get(g, {}).get("check_ins", 0)]
            for g in groups]
    return Table(
        name="volunteer_activity", title=_("자원봉사자 소속별 활동"),
        columns=[Column("group", _("소속"), "text"), Column("volunteers", _("동행 봉사자")),
                 Column("visits", _("동행 방문")), Column("referrals", _("제보")),
                 Column("check_ins", _("안부 확인"))],
        rows=rows,
        total=[_("합계")] + [sum(r[i] for r in rows) for i in range(1, 5)],
        chart=Chart("bar", "group", ("visits", "referrals", "check_ins")),
        note=_("제보와 안부 확인은 해당 기능이 설치되면 집계됩니다."),
    )


# --- pluggable panels: their models arrive with [3/5] and [4/5] ------------------------------

def panel_referrals_by_channel(scope: DashboardScope, period: Period) -> Table:
    Referral = apps.get_model("referrals", "Referral")
    choices = dict(Referral._meta.get_field("channel").choices or [])
    per = dict(Referral.objects.filter(scope.in_dongs("dong_id")).filter(_in(period, "created_at"))
               .values("channel").order_by().annotate(n=Count("id"))
               .values_list("channel", "n"))
    keys = list(choices) + sorted(k for k in per if k not in choices)
    rows = [[str(choices.get(k, k)), per.get(k, 0)] for k in keys]
    return Table(
        name="referrals_by_channel", title=_("경로별 제보·의뢰"),
        columns=[Column("channel", _("경로"), "text"), Column("referrals", _("건수"))],
        rows=rows, total=[_("합계"), sum(per.values())],
        chart=Chart("bar", "channel", ("referrals",)),
    )


def panel_referrals_by_category(scope: DashboardScope, period: Period) -> Table:
    """Concern categories are stored comma-separated on the referral ("meals,rent"): one
    conditional count per category, in one query."""
    from django.db.models import Count, Q, Value
    from django.db.models.functions import Concat

    from referrals.models import Concern, Referral

    referrals = (Referral.objects.filter(scope.in_dongs("dong_id"))
                 .filter(_in(period, "created_at"))
                 .annotate(wrapped=Concat(Value(","), "categories", Value(","))))
    per = referrals.aggregate(**{
        code: Count("id", filter=Q(wrapped__contains=f",{code},")) for code in Concern.values
    })
    labels = dict(Concern.choices)
    rows = [[str(labels[k]), n] for k, n in sorted(per.items(), key=lambda kv: -kv[1]) if n]
    return Table(
        name="referrals_by_category", title=_("걱정 유형별 제보·의뢰"),
        columns=[Column("category", _("유형"), "text"), Column("referrals", _("건수"))],
        rows=rows, chart=Chart("bar", "category", ("referrals",)),
        note=_("한 제보에 유형이 여럿이면 각 유형에 한 번씩 셉니다."),
    )


def _links(scope: DashboardScope, period: Period):
    ServiceLink = apps.get_model("referrals", "ServiceLink")
    return ServiceLink.objects.filter(scope.in_dongs("household__dong_id")).filter(
        _in(period, "requested_at"))


_ACCEPTED = ("accepted", "in_service", "completed")
_ANSWERED = ("accepted", "in_service", "completed", "declined")


def _link_counts():
    return dict(
        links=Count("id"),
        answered=Count("id", filter=Q(status__in=_ANSWERED)),
        accepted=Count("id", filter=Q(status__in=_ACCEPTED)),
        completed=Count("id", filter=Q(status="completed")),
        value=Sum("actual_value", filter=Q(status="completed")),
    )


def panel_service_links(scope: DashboardScope, period: Period) -> Table:
    """Service links by public/private and by service, with their total 환가액."""
    per = list(_links(scope, period).values("service__sector", "service__name").order_by()
               .annotate(**_link_counts()))
    sector = {"public": _("공공"), "private": _("민간")}
    rows = [[str(sector.get(r["service__sector"], r["service__sector"])), r["service__name"],
             r["links"], r["completed"], r["value"] or 0]
            for r in sorted(per, key=lambda r: (r["service__sector"], r["service__name"]))]
    subtotal = defaultdict(lambda: [0, 0, 0])
    for r in per:
        s = subtotal[r["service__sector"]]
        s[0] += r["links"]
        s[1] += r["completed"]
        s[2] += r["value"] or 0
    for key in ("public", "private"):
        s = subtotal.get(key, [0, 0, 0])
        rows.append([str(sector[key]), _("소계"), s[0], s[1], s[2]])
    return Table(
        name="service_links", title=_("서비스 연계와 환가액"),
        columns=[Column("sector", _("구분"), "text"), Column("service", _("서비스"), "text"),
                 Column("links", _("연계")), Column("completed", _("완료")),
                 Column("value", _("환가액"), "krw")],
        rows=rows,
        total=[_("합계"), "", sum(r["links"] for r in per), sum(r["completed"] for r in per),
               sum(r["value"] or 0 for r in per)],
    )


def panel_provider_rates(scope: DashboardScope, period: Period) -> Table:
    per = list(_links(scope, period).values("provider__name").order_by()
               .annotate(**_link_counts()))
    rows = [[r["provider__name"], r["links"], rate(r["accepted"], r["answered"]),
             rate(r["completed"], r["accepted"]), r["value"] or 0]
            for r in sorted(per, key=lambda r: r["provider__name"])]
    return Table(
        name="provider_rates", title=_("제공기관별 수락률·완료율"),
        columns=[Column("provider", _("제공기관"), "text"), Column("links", _("연계 요청")),
                 Column("accept_rate", _("수락률"), "pct"),
                 Column("complete_rate", _("완료율"), "pct"),
                 Column("value", _("환가액"), "krw")],
        rows=rows, chart=Chart("bar", "provider", ("accept_rate", "complete_rate")),
        note=_("수락률 = 수락 ÷ 응답한 요청, 완료율 = 완료 ÷ 수락."),
    )


def panel_cases_by_stage(scope: DashboardScope, period: Period) -> Table:
    """Open cases by stage now, with those past their stage's due date."""
    Case_ = apps.get_model("outreach", "Case")
    today = timezone.localdate()
    stages = [(k, v) for k, v in Case_._meta.get_field("stage").choices if k != "closed"]
    per = {r["stage"]: r for r in Case_.objects.filter(scope.in_dongs("household__dong_id"))
           .exclude(stage="closed").values("stage").order_by()
           .annotate(n=Count("id"), overdue=Count("id", filter=Q(stage_due_on__lt=today)))}
    rows = [[str(label), per.get(k, {}).get("n", 0), per.get(k, {}).get("overdue", 0)]
            for k, label in stages]
    return Table(
        name="cases_by_stage", title=_("단계별 진행 중 통합사례 (현재)"),
        columns=[Column("stage", _("단계"), "text"), Column("cases", _("사례")),
                 Column("overdue", _("단계 기한 경과"))],
        rows=rows, total=[_("합계"), sum(r[1] for r in rows), sum(r[2] for r in rows)],
        chart=Chart("bar", "stage", ("cases", "overdue")),
    )


def panel_unreachable(scope: DashboardScope, period: Period) -> Table:
    """연락 두절: households visited in the period that ended unreachable."""
    in_period = _reach_in(period.start, period.end)
    visits = (DongMonthReach.objects.filter(scope.in_dongs("dong_id"),
                                            kind__in=("visited", "unreachable"))
              .filter(in_period).values("dong_id").order_by()
              .annotate(households=Sum("n", filter=Q(kind="visited")),
                        unreachable=Sum("n", filter=Q(kind="unreachable"))))
    per = {r["dong_id"]: {"households": r["households"] or 0,
                          "unreachable": r["unreachable"] or 0} for r in visits}
    rows = []
    for d in scope.dongs:
        r = per.get(d.pk, {"households": 0, "unreachable": 0})
        rows.append([str(d), r["households"], r["unreachable"],
                     rate(r["unreachable"], r["households"])])
    households, unreachable = sum(r[1] for r in rows), sum(r[2] for r in rows)
    return Table(
        name="unreachable", title=_("연락 두절 비율"),
        columns=[Column("dong", _("행정동"), "text"), Column("households", _("방문 가구")),
                 Column("unreachable", _("연락 두절")),
                 Column("share", _("비율"), "pct")],
        rows=rows, total=[_("합계"), households, unreachable, rate(unreachable, households)],
        chart=Chart("bar", "dong", ("share",)),
    )


# --- the registry -------------------------------------------------------------------------

def model_has(label: str, *fields: str) -> bool:
    try:
        model = apps.get_model(label)
    except LookupError:
        return False
    try:
        for name in fields:
            model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True


@dataclass(frozen=True)
class Panel:
    name: str
    function: Callable[[DashboardScope, Period], Table]
    section: str
    # {"app.Model": ("field", …)}: the panel shows only once these exist.
    requires: dict = field(default_factory=dict)

    @property
    def available(self) -> bool:
        return all(model_has(label, *fields) for label, fields in self.requires.items())


SECTIONS = {
    "discovery": gettext_lazy("발굴"),
    "contact": gettext_lazy("첫 접촉"),
    "model": gettext_lazy("위험 모델 점검"),
    "activity": gettext_lazy("방문과 자원봉사"),
    "services": gettext_lazy("서비스 연계"),
    "cases": gettext_lazy("통합사례"),
}

PANELS = [
    Panel("discovery_targets", panel_discovery_targets, "discovery"),
    Panel("alerts_monthly", panel_alerts_monthly, "discovery"),
    Panel("referrals_by_channel", panel_referrals_by_channel, "discovery",
          {"referrals.Referral": ("dong", "channel", "created_at")}),
    Panel("referrals_by_category", panel_referrals_by_category, "discovery",
          {"referrals.Referral": ("dong", "categories", "created_at")}),
    Panel("first_contact", panel_first_contact, "contact"),
    Panel("overdue_alerts", panel_overdue_alerts, "contact"),
    Panel("model_hit_rate", panel_model_hit_rate, "model"),
    Panel("model_by_version", panel_model_by_version, "model"),
    Panel("model_by_band", panel_model_by_band, "model"),
    Panel("model_by_signal", panel_model_by_signal, "model"),
    Panel("model_by_age", panel_model_by_age, "model"),
    Panel("model_by_dong", panel_model_by_dong, "model"),
    Panel("visits_monthly", panel_visits_monthly, "activity"),
    Panel("volunteer_activity", panel_volunteer_activity, "activity"),
    Panel("unreachable", panel_unreachable, "activity",
          {"outreach.Visit": ("unreachable",)}),
    Panel("service_links", panel_service_links, "services",
          {"referrals.ServiceLink": ("service", "provider", "status", "requested_at",
                                     "actual_value")}),
    Panel("provider_rates", panel_provider_rates, "services",
          {"referrals.ServiceLink": ("service", "provider", "status", "requested_at",
                                     "actual_value")}),
    Panel("cases_by_stage", panel_cases_by_stage, "cases",
          {"outreach.Case": ("household", "stage", "stage_due_on")}),
]


def panels_available() -> list[Panel]:
    return [p for p in PANELS if p.available]


def panel_get(name: str) -> Panel:
    for panel in panels_available():
        if panel.name == name:
            return panel
    raise Http404(_("그런 현황표가 없습니다."))


def dashboard_tables(scope: DashboardScope, period: Period,
                     panels: list[Panel] | None = None) -> list[tuple[str, list[Table]]]:
    """Every available panel's table, grouped by section in registry order."""
    sections: dict[str, list[Table]] = {}
    for panel in panels if panels is not None else panels_available():
        sections.setdefault(panel.section, []).append(panel.function(scope, period))
    return [(str(SECTIONS[key]), tables) for key, tables in sections.items()]


def export_table(panel: Panel, scope: DashboardScope, period: Period) -> Table:
    """The panel's table in full (people panels without the page's row limit)."""
    if panel.function is panel_overdue_alerts:
        return panel_overdue_alerts(scope, period, limit=None)
    return panel.function(scope, period)

