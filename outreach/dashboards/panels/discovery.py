"""Panels of discovery (발굴) against target and of first contact against the 3-day rule."""

from __future__ import annotations

from array import array
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from itertools import chain

from django.conf import settings
from django.db.models import (
    Count,
    Q,
    Sum,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from households.models import mask_name
from households.selectors import household_head, scope_of, visible_households
from outreach.dashboards.base import (
    EMERGENCY_LEVELS,
    PEOPLE_PAGE_LIMIT,
    Chart,
    Column,
    DashboardScope,
    Period,
    Table,
    alerts_in_scope,
    found_in_month_ranges,
    month_label,
    rate,
    rollup_rows,
    targets_for,
    within_period,
)
from outreach.models import (
    CrisisLevel,
    DiscoveryAlert,
    DongDayUncontacted,
    DongMonthReach,
    DongMonthStat,
    DongOpenAlerts,
)
from outreach.models.rollups import contact_seconds_unpack

# --- panels: discovery ------------------------------------------------------------------


def panel_discovery_targets(scope: DashboardScope, period: Period) -> Table:
    """Households discovered this year (to the period's last month) against the target."""
    year = period.end.year
    counts = found_in_month_ranges(
        scope, [(date(year, 1, 1), period.end), (date(year - 1, 1, 1), date(year - 1, 12, 1))]
    )
    found = {dong_id: n[0] for dong_id, n in counts.items()}
    last_year = {dong_id: n[1] for dong_id, n in counts.items()}
    targets = targets_for(scope.dong_ids, year, scope.everywhere, last_year=last_year)
    rows = []
    for dong in scope.dongs:
        target, is_default = targets[dong.pk]
        n = found.get(dong.pk, 0)
        rows.append(
            [str(dong), target, _("기본값") if is_default else _("설정"), n, rate(n, target)]
        )
    total_target = sum(r[1] for r in rows)
    total_found = sum(r[3] for r in rows)
    return Table(
        name="discovery_targets",
        title=_("%(year)d년 발굴 목표 대비 실적 (1월~%(month)d월 누계)")
        % {"year": year, "month": period.end.month},
        columns=[
            Column("dong", _("행정동"), "text"),
            Column("target", _("목표(가구)"), measure=False),
            Column("basis", _("목표 기준"), "text"),
            Column("found", _("발굴(가구)")),
            Column("achieved", _("달성률"), "pct"),
        ],
        rows=rows,
        total=[_("합계"), total_target, "", total_found, rate(total_found, total_target)],
        chart=Chart("bar", "dong", ("target", "found")),
        note=_(
            "발굴: 경보 후 가정방문에서 만난 가구(임시 정의). 기본값 목표 = 전년 실적 × 1.1 (올림)."
        ),
    )


def panel_alerts_monthly(scope: DashboardScope, period: Period) -> Table:
    per = {
        r["month"]: r
        for r in rollup_rows(DongMonthStat, scope, period)
        .values("month")
        .order_by()
        .annotate(opened=Sum("alerts_opened"), closed=Sum("alerts_closed"))
    }
    # Within one month every household's row counts (its "since" is an earlier month).
    found = dict(
        rollup_rows(DongMonthReach, scope, period)
        .filter(kind="found")
        .values("month")
        .order_by()
        .annotate(n=Sum("n"))
        .values_list("month", "n")
    )
    rows = [
        [
            month_label(m),
            per.get(m, {}).get("opened", 0),
            per.get(m, {}).get("closed", 0),
            found.get(m, 0),
        ]
        for m in period.months
    ]
    return Table(
        name="alerts_monthly",
        title=_("월별 발굴 경보와 발굴 가구"),
        columns=[
            Column("month", _("월"), "text"),
            Column("opened", _("경보 발생")),
            Column("closed", _("경보 종결")),
            Column("found", _("발굴 가구")),
        ],
        rows=rows,
        total=[
            _("합계"),
            sum(r[1] for r in rows),
            sum(r[2] for r in rows),
            sum(r[3] for r in rows),
        ],
        chart=Chart("line", "month", ("opened", "closed", "found")),
    )


# --- panels: first contact ---------------------------------------------------------------


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, timezone.get_current_timezone())


def not_late_yet(scope: DashboardScope, period: Period, now: datetime) -> dict[int, dict]:
    """{dong_id: {"em": n, "normal": n}}: the period's alerts not contacted and still
    within their first-contact limit (opened less than the limit's days before ``now``),
    so not judged yet. The days after the one the limit falls in are whole days of the
    rollup (DongDayUncontacted); only that one day's alerts are read live, to the second.
    """
    emergency = Q(assessment__level__in=EMERGENCY_LEVELS)
    limits = {"em": settings.EMERGENCY_FIRST_CONTACT_DAYS,
              "normal": settings.NORMAL_FIRST_CONTACT_DAYS}
    since = {k: now - timedelta(days=d) for k, d in limits.items()}
    edge = {k: timezone.localtime(t).date() for k, t in since.items()}
    fields = {"em": "emergency", "normal": "normal"}
    counts: dict[int, dict] = defaultdict(lambda: {"em": 0, "normal": 0})
    whole_days = (
        DongDayUncontacted.objects.filter(scope.in_dongs("dong_id"),
                                          opened_on__gt=min(edge.values()),
                                          opened_on__gte=period.start,
                                          opened_on__lte=period.last_day)
        .values("dong_id").order_by()
        .annotate(**{k: Sum(fields[k], filter=Q(opened_on__gt=edge[k])) for k in limits})
    )
    for r in whole_days:
        for k in limits:
            counts[r["dong_id"]][k] += r[k] or 0
    # The day the limit falls in: opened at or after the limit's moment that day.
    windows = {k: Q(opened_at__gte=since[k],
                    opened_at__lt=_day_start(edge[k] + timedelta(days=1))) for k in limits}
    kinds = {"em": emergency, "normal": ~emergency}
    edge_day = (
        alerts_in_scope(scope).filter(within_period(period, "opened_at"),
                                      first_contact_at__isnull=True)
        .filter(windows["em"] | windows["normal"])
        .values("household__dong_id").order_by()
        .annotate(**{k: Count("id", filter=kinds[k] & windows[k]) for k in limits})
    )
    for r in edge_day:
        for k in limits:
            counts[r["household__dong_id"]][k] += r[k]
    return counts


def overdue_by_dong(scope: DashboardScope, today: date) -> dict[int, int]:
    """Open alerts never contacted whose first-contact date is before ``today``, per dong
    (the DongOpenAlerts rollup: a row per dong and due date)."""
    return dict(
        DongOpenAlerts.objects.filter(scope.in_dongs("dong_id"), due_on__lt=today)
        .values("dong_id").order_by().annotate(n=Sum("awaiting"))
        .values_list("dong_id", "n")
    )


def _middle(ordered) -> float:
    """The median of values already sorted (statistics.median would sort them again)."""
    n = len(ordered)
    return (ordered[(n - 1) // 2] + ordered[n // 2]) / 2


def panel_first_contact(scope: DashboardScope, period: Period) -> Table:
    now = timezone.now()
    today = timezone.localdate()
    emergency_days = settings.EMERGENCY_FIRST_CONTACT_DAYS
    normal_days = settings.NORMAL_FIRST_CONTACT_DAYS
    fields = (
        "alerts_opened",
        "contacted",
        "em_contacted",
        "em_ok",
        "em_uncontacted",
        "normal_contacted",
        "normal_ok",
        "normal_uncontacted",
    )
    stats: dict[int, dict] = defaultdict(lambda: dict.fromkeys(fields, 0))
    delays: dict[int, array] = defaultdict(lambda: array("i"))
    for r in rollup_rows(DongMonthStat, scope, period).values(
        "dong_id", "contact_seconds", *fields
    ):
        for f in fields:
            stats[r["dong_id"]][f] += r[f]
        contact_seconds_unpack(r["contact_seconds"], into=delays[r["dong_id"]])
    # Each dong's months are sorted runs, merged by one sort; so are the dongs after.
    ordered = {dong_id: sorted(v) for dong_id, v in delays.items() if v}
    medians = {dong_id: _middle(v) / 86400 for dong_id, v in ordered.items()}
    everyone = sorted(chain.from_iterable(ordered.values()))
    overall_median = _middle(everyone) / 86400 if everyone else None
    late = not_late_yet(scope, period, now)
    per_dong = {}
    for dong_id, r in stats.items():
        waiting = late.get(dong_id, {"em": 0, "normal": 0})
        per_dong[dong_id] = {
            "opened": r["alerts_opened"] or 0,
            "contacted": r["contacted"] or 0,
            "em": (r["em_contacted"] or 0) + (r["em_uncontacted"] or 0) - waiting["em"],
            "em_ok": r["em_ok"] or 0,
            "normal": (
                (r["normal_contacted"] or 0) + (r["normal_uncontacted"] or 0)
                - waiting["normal"]
            ),
            "normal_ok": r["normal_ok"] or 0,
        }
    overdue = overdue_by_dong(scope, today)
    rows = []
    totals = defaultdict(int)
    for dong in scope.dongs:
        r = per_dong.get(dong.pk, {})
        figures = {
            k: r.get(k, 0) for k in ("opened", "contacted", "em", "em_ok", "normal", "normal_ok")
        }
        figures["overdue"] = overdue.get(dong.pk, 0)
        for k, v in figures.items():
            totals[k] += v
        rows.append(
            [
                str(dong),
                figures["opened"],
                figures["contacted"],
                medians.get(dong.pk),
                figures["em"],
                rate(figures["em_ok"], figures["em"]),
                figures["normal"],
                rate(figures["normal_ok"], figures["normal"]),
                figures["overdue"],
            ]
        )
    return Table(
        name="first_contact",
        title=_("첫 접촉까지 걸린 시간"),
        columns=[
            Column("dong", _("행정동"), "text"),
            Column("opened", _("경보")),
            Column("contacted", _("접촉 완료")),
            Column("median_days", _("중앙값"), "days"),
            Column("emergency", _("긴급(위기·긴급)")),
            Column("emergency_ok", _("%(d)d일 내 접촉") % {"d": emergency_days}, "pct"),
            Column("normal", _("일반")),
            Column("normal_ok", _("%(d)d일 내 접촉") % {"d": normal_days}, "pct"),
            Column("overdue", _("현재 기한 경과"), measure=False),
        ],
        rows=rows,
        total=[
            _("합계"),
            totals["opened"],
            totals["contacted"],
            overall_median,
            totals["em"],
            rate(totals["em_ok"], totals["em"]),
            totals["normal"],
            rate(totals["normal_ok"], totals["normal"]),
            totals["overdue"],
        ],
        chart=Chart("bar", "dong", ("emergency_ok", "normal_ok")),
        note=_(
            "기간 중 발생한 경보 기준. 긴급지원: %(e)d일 내 첫 접촉(송산3동 기준), 그 밖은 "
            "%(n)d일. 기한이 아직 남은 미접촉 경보는 비율에서 뺍니다. '현재 기한 경과'는 "
            "기간과 관계없이 오늘 기준입니다."
        )
        % {"e": emergency_days, "n": normal_days},
    )


def panel_overdue_alerts(
    scope: DashboardScope, period: Period, limit: int | None = PEOPLE_PAGE_LIMIT
) -> Table:
    """Open alerts past their first-contact date, oldest first, names masked."""
    today = timezone.localdate()
    households = visible_households(scope.user).filter(dong_id__in=scope.dong_ids)
    alerts = (
        DiscoveryAlert.objects.filter(
            household__in=households,
            status=DiscoveryAlert.Status.OPEN,
            first_contact_at__isnull=True,
            due_on__lt=today,
        )
        .annotate(head_name=household_head())
        .values_list(
            "household_id", "household__dong_id", "head_name", "assessment__level", "due_on"
        )
        .order_by("due_on", "id")
    )
    # How many in all: the rollup's sum, not a count over the open backlog. The scope's
    # dongs are the user's own, whose households a record-reading role sees in full.
    count = None
    if limit is not None:
        count = (sum(overdue_by_dong(scope, today).values())
                 if scope_of(scope.user).sees_records else 0)
    picked = list(alerts[:limit] if limit is not None else alerts)
    levels = dict(CrisisLevel.choices)
    rows = [
        [
            household_id,
            scope.dong_label(dong_id),
            mask_name(name or ""),
            str(levels.get(level, "")) if level else "—",
            due_on.isoformat(),
            (today - due_on).days,
        ]
        for household_id, dong_id, name, level, due_on in picked
    ]
    return Table(
        name="overdue_alerts",
        title=_("첫 접촉 기한이 지난 경보 (현재)"),
        columns=[
            Column("household", _("가구 번호"), "text"),
            Column("dong", _("행정동"), "text"),
            Column("head", _("세대주"), "text"),
            Column("level", _("위기 수준"), "text"),
            Column("due_on", _("첫 접촉 기한"), "text"),
            Column("days_over", _("경과 일수")),
        ],
        rows=rows,
        people=True,
        period_bound=False,
        row_count=count if count is not None else len(rows),
        note=_("이름은 가려서 보입니다. 기간과 관계없이 오늘 기준입니다."),
    )
