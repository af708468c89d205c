"""What every dashboard panel is built from: the period, who sees what (the scope), the
table a panel returns, the base querysets, the rollup reads and the discovery targets."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import connection
from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from households.dates import add_months
from households.models import Dong, Role
from households.selectors import scope_of
from outreach.models import Case as CaseRecord
from outreach.models import (
    CrisisLevel,
    DiscoveryAlert,
    DiscoveryTarget,
    DongMonthReach,
)
from referrals.models import CloseReason, ServiceLink

# 발굴 목표: without a target set for the year, last year's actual raised by 10% (영등포구).
TARGET_DEFAULT_GROWTH_PERCENT = 10

# Close reasons that mean the household did need help (or got it): the numerator of the
# risk model's hit rate. Everything else that is closed (지원 불요, 비대상, 중복, 이사 …)
# counts as a miss. Codes are the triage inbox's close reasons.
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
        return add_months(self.end, 1) - timedelta(days=1)

    @property
    def start_dt(self) -> datetime:
        return datetime.combine(self.start, time.min, timezone.get_current_timezone())

    @property
    def end_dt(self) -> datetime:
        """Exclusive: midnight of the first day after the period (Asia/Seoul)."""
        return datetime.combine(add_months(self.end, 1), time.min,
                                timezone.get_current_timezone())

    @property
    def months(self) -> list[date]:
        months, month = [], self.start
        while month <= self.end:
            months.append(month)
            month = add_months(month, 1)
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

def alerts_in_scope(scope: DashboardScope) -> QuerySet[DiscoveryAlert]:
    return DiscoveryAlert.objects.filter(scope.in_dongs("household__dong_id"))


def within_period(period: Period, field_name: str) -> Q:
    return Q(**{f"{field_name}__gte": period.start_dt, f"{field_name}__lt": period.end_dt})


def discovered_alerts(alerts: QuerySet[DiscoveryAlert]) -> QuerySet[DiscoveryAlert]:
    """A household is discovered when its alert led to help: a service link requested or
    an integrated case opened for the household after the alert was opened."""

    links = ServiceLink.objects.filter(household_id=OuterRef("household_id"),
                                       requested_at__gte=OuterRef("opened_at"))
    cases = CaseRecord.objects.filter(household_id=OuterRef("household_id"),
                                opened_at__gte=OuterRef("opened_at"))
    return alerts.filter(Exists(links) | Exists(cases))


# --- the rollups (outreach.rollups rebuilds them) ---------------------------------------

def rollup_rows(model, scope: DashboardScope, period: Period) -> QuerySet:
    """The scope's rollup rows for the period's months."""
    return model.objects.filter(scope.in_dongs("dong_id"), month__gte=period.start,
                                month__lte=period.end)


def _score_band_sql(column: str) -> str:
    """The SCORE_BANDS index of a score column (-1: outside every band), in SQL."""
    cases = " ".join(f"WHEN {column} BETWEEN {int(lo)} AND {int(hi)} THEN {i}"
                     for i, (lo, hi) in enumerate(SCORE_BANDS))
    return f"CASE {cases} ELSE -1 END"


def to_date_rows(model, scope: DashboardScope, period: Period, *by: str,
                 score_band: bool = False, cut: int | None = None) -> list[tuple]:
    """(*by, closed, hits) of the alerts closed in the period's months, from a running-total
    rollup (DongScoreToDate, DongAgeToDate): per key, the row of the period's last month
    less the row of the month before it starts. Each dong's rows run to the month of its
    last refresh, so a later month reads that one; a key that starts later reads 0.

    ``score_band`` adds the score's SCORE_BANDS index to the keys; ``cut`` adds three
    sums: the scores (for a mean) and the alerts and hits scored above ``cut``.

    One statement: per dong, the two months to read (an index probe each), then at most
    two rows per key, summed per ``by`` — as many rows for 200,000 households as for
    20,000, and for a five-year period as for one month. Plain SQL: the ORM cannot join a
    rollup to the months picked per dong without a subquery per rollup row."""
    dong_ids = scope.dong_ids
    if not dong_ids:
        return []
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    keys = [f"t.{qn(model._meta.get_field(name).column)}" for name in by]
    if score_band:
        keys.append(_score_band_sql("t.score"))
    sums = ["SUM(t.closed * p.sign)", "SUM(t.hits * p.sign)"]
    params: list = []
    if cut is not None:
        sums += ["SUM(t.score * t.closed * p.sign)",
                 "SUM(CASE WHEN t.score > %s THEN t.closed * p.sign ELSE 0 END)",
                 "SUM(CASE WHEN t.score > %s THEN t.hits * p.sign ELSE 0 END)"]
        params = [cut, cut]
    latest = (f"(SELECT m.month FROM {table} m WHERE m.dong_id = d.id AND m.month <= %s "
              "ORDER BY m.month DESC LIMIT 1)")
    # The months per dong are worked out first (MATERIALIZED: not once per rollup row),
    # then each dong's rows of a month are an index probe, never a table scan: PostgreSQL
    # would hash the whole table for a plain join (OFFSET 0 keeps LATERAL from becoming
    # one); SQLite has no LATERAL and probes the index for a join.
    if connection.vendor == "postgresql":
        rows = (f"CROSS JOIN LATERAL (SELECT * FROM {table} r WHERE r.dong_id = p.dong_id "
                "AND r.month = p.month OFFSET 0) t")
    else:
        rows = f"JOIN {table} t ON t.dong_id = p.dong_id AND t.month = p.month"
    positions = ", ".join(str(i + 1) for i in range(len(keys)))
    sql = f"""
        WITH marks AS MATERIALIZED (
            SELECT d.id AS dong_id, {latest} AS last, {latest} AS before
            FROM {qn(Dong._meta.db_table)} d WHERE d.id IN ({", ".join(["%s"] * len(dong_ids))})
        ), picked AS (
            SELECT dong_id, last AS month, 1 AS sign FROM marks
            WHERE last IS NOT NULL AND (before IS NULL OR before <> last)
            UNION ALL
            SELECT dong_id, before, -1 FROM marks WHERE before IS NOT NULL AND before <> last
        )
        SELECT {", ".join(keys + sums)}
        FROM picked p {rows}
        GROUP BY {positions}
        HAVING SUM(t.closed * p.sign) <> 0"""
    with connection.cursor() as cursor:
        cursor.execute(sql, [period.end, add_months(period.start, -1), *dong_ids, *params])
        return [tuple(row) for row in cursor.fetchall()]


def reach_within(start: date, end: date) -> Q:
    """DongMonthReach rows that count a household once for the months [start, end]."""
    return Q(month__gte=start, month__lte=end) & (Q(since__isnull=True) | Q(since__lt=start))


def found_in_month_ranges(scope: DashboardScope, ranges) -> dict[int, list[int]]:
    """{dong_id: [households discovered in each (first month, last month) range]}."""
    sums = {f"n{i}": Sum("n", filter=reach_within(start, end))
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


def year_range(year: int) -> tuple[datetime, datetime]:
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
        last_year = discovered_by_dong(dong_ids, *year_range(year - 1), everywhere=everywhere)
    return {
        dong_id: ((saved[dong_id], False) if dong_id in saved
                  else (target_default(last_year.get(dong_id, 0)), True))
        for dong_id in dong_ids
    }


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
