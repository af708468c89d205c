"""Panels of risk-model feedback: how many alerts turned out to need help, by version,
score band, age, dong and signal kind."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, timedelta

from django.db.models import (
    Case,
    F,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from households.dates import add_months, years_before
from households.selectors import household_head
from outreach.dashboards.base import (
    AGE_BANDS,
    NEEDED_HELP_REASONS,
    SCORE_BANDS,
    Chart,
    Column,
    DashboardScope,
    Period,
    Table,
    alerts_in_scope,
    rate,
    rollup_rows,
    to_date_rows,
    within_period,
)
from outreach.messages import FACTORS, factor_label
from outreach.models import (
    DiscoveryAlert,
    DongAgeToDate,
    DongMonthAge,
    DongMonthFactor,
    DongScoreToDate,
)

# --- panels: risk-model feedback ----------------------------------------------------------

def _closed_model_alerts(scope: DashboardScope, period: Period) -> QuerySet[DiscoveryAlert]:
    """Alerts the risk model raised that were closed in the period, with their score."""
    return alerts_in_scope(scope).filter(
        within_period(period, "closed_at"), status=DiscoveryAlert.Status.CLOSED,
        origin="risk_model", assessment__isnull=False,
    )


def _hit():
    return Case(When(close_reason__in=NEEDED_HELP_REASONS, then=Value(1)), default=Value(0),
                output_field=IntegerField())


def _band_of(score: int) -> int:
    """The SCORE_BANDS index of a score (-1: outside every band)."""
    return next((i for i, (lo, hi) in enumerate(SCORE_BANDS) if lo <= score <= hi), -1)


# The band of every score a model gives (0–100), looked up once per rollup group.
_BANDS = [_band_of(score) for score in range(101)]


def _score_band(score: int) -> int:
    return _BANDS[score] if 0 <= score < len(_BANDS) else _band_of(score)


FIGURES = ("closed", "hits", "score_sum", "top", "top_hits")


def _score_histogram(scope: DashboardScope, period: Period):
    """(figures by dong, version and score band; the cut-off score; how many alerts of
    that score are in the top 10%; the alerts of that score, lowest id first). Read once
    per page: every risk-model panel shares them. Two passes over the running totals:
    the alerts per score (at most 101 rows) give the cut-off, then the figures per dong,
    version and score band are summed in the database around it."""
    key = ("score_histogram", period)
    if key in scope.memo:
        return scope.memo[key]
    per_score = {score: closed for score, closed, _hits
                 in to_date_rows(DongScoreToDate, scope, period, "score")}
    want = (sum(per_score.values()) + 9) // 10  # ceil(n / 10)
    cut, take, above = -1, 0, 0
    for score in sorted(per_score, reverse=True):
        if above + per_score[score] >= want:
            cut, take = score, want - above
            break
        above += per_score[score]
    rows = [{"dong_id": dong, "version": version, "band": band,
             **dict(zip(FIGURES, sums, strict=True))}
            for dong, version, band, *sums in to_date_rows(
                DongScoreToDate, scope, period, "dong_id", "version", score_band=True, cut=cut)]
    at_cut = list(_closed_model_alerts(scope, period).filter(assessment__score=cut)
                  .annotate(birth=household_head("birth_date")).order_by("id")
                  .values("household__dong_id", "assessment__model_version",
                          "assessment__score", "birth", hit=_hit())[:max(take, 1)])
    scope.memo[key] = (rows, cut, take, at_cut)
    return scope.memo[key]


def _age_figures(scope: DashboardScope, period: Period, cut: int) -> list[dict]:
    """FIGURES per age band of the head on the period's last day, as two rows a band at
    most (score_feedback adds them up): the heads in one band all along (running totals)
    and the few whose band depends on the period's end (the DongMonthAge rows valid at
    that end), both summed in the database."""
    end = period.end
    above = Q(score__gt=cut)
    spanned = (rollup_rows(DongMonthAge, scope, period)
               .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=end),
                       Q(valid_to__isnull=True) | Q(valid_to__gte=end))
               .values("band").order_by()
               .annotate(n=Sum("closed"), h=Sum("hits"), s=Sum(F("score") * F("closed")),
                         t=Sum("closed", filter=above, default=0),
                         th=Sum("hits", filter=above, default=0))
               .values_list("band", "n", "h", "s", "t", "th"))
    return [{"band": band, **dict(zip(FIGURES, sums, strict=True))}
            for band, *sums in [*to_date_rows(DongAgeToDate, scope, period, "band", cut=cut),
                                *spanned]]


def score_feedback(scope: DashboardScope, period: Period, group: str | None) -> dict:
    """The risk model's feedback from the rollups (DongScoreToDate; DongAgeToDate and
    DongMonthAge): per group (None: everything, "version", "band", "dong_id" or "age")
    closed, hits, mean score, and how many of — and which hits among — the top-scored
    10% of *all* the scope's alerts closed in the period fall in the group.

    The top 10% is ceil(n / 10) alerts by score, ties broken by alert id: every alert
    scored above the cut-off score plus, at the cut-off, the lowest alert ids — one
    small query for the alerts of that one score.
    """
    rows, cut, take, at_cut = _score_histogram(scope, period)
    if group == "age":
        rows = _age_figures(scope, period, cut)

    def key(r):
        if group is None:
            return 1
        # "band" is the score band of score rows, the age band of age rows.
        return r["band" if group == "age" else group]

    per: dict = defaultdict(lambda: dict.fromkeys(FIGURES, 0))
    for r in rows:
        f = per[key(r)]
        for name in FIGURES:
            f[name] += r[name] or 0
    for a in at_cut[:take]:
        f = per[key({"version": a["assessment__model_version"],
                     "dong_id": a["household__dong_id"],
                     "band": (age_band_on(a["birth"], period.last_day) if group == "age"
                              else _score_band(a["assessment__score"]))})]
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


def age_band_on(birth: date | None, reference: date) -> int:
    """The AGE_BANDS index of a head born on ``birth`` on ``reference`` (-1: unknown);
    age ≥ lo ⇔ born on or before reference − lo years; age ≤ hi ⇔ born after
    reference − (hi + 1) years."""
    if birth is None:
        return -1
    for i, (_code, lo, hi) in enumerate(AGE_BANDS):
        if years_before(reference, hi + 1) < birth <= years_before(reference, lo):
            return i
    return -1


def age_band_spans(birth: date | None) -> list[tuple[int, date | None, date | None]]:
    """[(band, first month, last month)] of the head's band on the last day of each
    month (None: open-ended). The band can only change in the month of a birthday that
    crosses a band edge, or the month after (29 February)."""
    if birth is None:
        return [(-1, None, None)]
    edges = sorted({add_months(date(birth.year + years, 1, 1), birth.month - 1 + extra)
                    for years in [0] + [b[1] for b in AGE_BANDS] + [AGE_BANDS[-1][2] + 1]
                    for extra in (0, 1)})

    def band_in(month: date) -> int:
        return age_band_on(birth, add_months(month, 1) - timedelta(days=1))

    spans = [[band_in(add_months(edges[0], -1)), None, add_months(edges[0], -1)]]
    for i, month in enumerate(edges):
        band = band_in(month)
        last = add_months(edges[i + 1], -1) if i + 1 < len(edges) else None
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
        # Not inside the f-string: xgettext does not read strings there.
        note=" ".join((str(FEEDBACK_NOTE), _("연령은 기간 마지막 날 기준 세대주 나이."))),
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

    The factors on the assessment are the record of which signals drove a score.
    """
    if factor in FACTORS:
        return factor_label(factor)
    # Rows rolled up before factors were codes hold the Korean sentence.
    text = str(factor or "").strip()
    return _QUANTITY.sub("", text) or text


def panel_model_by_signal(scope: DashboardScope, period: Period) -> Table:
    per: dict[str, dict] = defaultdict(lambda: {"closed": 0, "hits": 0})
    for factor, n, hits in (rollup_rows(DongMonthFactor, scope, period).values("factor")
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
