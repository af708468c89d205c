"""The district map's figures per dong and their colour classes: read from the panels'
tables and the rollups (open alerts and households per dong among them): a few GROUP BY
queries over rollup rows, whatever the number of households."""

from __future__ import annotations

import math
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Exists, OuterRef, Sum
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from households.models import Dong, Membership, Role
from outreach.dashboards.base import (
    DashboardScope,
    Period,
    Table,
    rate,
    rollup_rows,
    within_period,
)
from outreach.dashboards.map_svg import MapShape, map_svg
from outreach.dashboards.panels.discovery import panel_discovery_targets, panel_first_contact
from outreach.models import (
    CheckIn,
    DongHouseholds,
    DongMonthCompanion,
    DongMonthReferral,
    DongOpenAlerts,
)

# ColorBrewer YlGnBu, 5 classes: sequential, colour-blind safe, and in order in greyscale.
PALETTE = ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494")
NO_DATA = "#d9d9d9"
OUT_OF_SCOPE = "#f4f4f4"


@dataclass(frozen=True)
class MapFigure:
    key: str
    label: str
    kind: str  # pct | num | int (as the dashboard tables)
    note: str


FIGURES = (
    MapFigure("discovery", gettext_lazy("발굴 목표 달성률"), "pct",
              gettext_lazy("올해 1월부터 기간의 마지막 달까지 발굴한 가구 ÷ 올해 목표")),
    MapFigure("open_alerts", gettext_lazy("진행 중 경보 (1,000가구당)"), "num",
              gettext_lazy("지금 열려 있는 발굴 경보 ÷ 등록 가구 × 1,000")),
    MapFigure("overdue", gettext_lazy("첫 접촉 기한 경과"), "int",
              gettext_lazy("오늘 기준, 첫 접촉 기한이 지난 진행 중 경보")),
    MapFigure("volunteers", gettext_lazy("활동 자원봉사자"), "int",
              gettext_lazy("기간 중 동행 방문·제보·안부 확인을 한 자원봉사자 (중복 없이)")),
)
DEFAULT_FIGURE = "discovery"


def figure_get(key: str | None) -> MapFigure:
    """The figure asked for; an unknown key is the default (a plain GET select)."""
    return next((f for f in FIGURES if f.key == key),
                next(f for f in FIGURES if f.key == DEFAULT_FIGURE))


@dataclass
class DongFigures:
    dong: object
    number: int  # the dong's number on the map and in the table
    values: dict  # {figure key: value or None}
    details: dict  # {figure key: "발굴 12 / 목표 20가구"}


def _table(tables: dict, name: str, build, scope, period) -> Table:
    return tables[name] if name in tables else build(scope, period)


def _open_alerts(scope: DashboardScope) -> tuple[dict, dict]:
    """Open alerts and households per dong, from their rollups (DongOpenAlerts,
    DongHouseholds): a few hundred rows, whatever the number of households."""
    alerts = dict(
        DongOpenAlerts.objects.filter(scope.in_dongs("dong_id"))
        .values("dong_id").order_by().annotate(n=Sum("n")).values_list("dong_id", "n")
    )
    households = dict(DongHouseholds.objects.filter(scope.in_dongs("dong_id"))
                      .values_list("dong_id", "n"))
    return alerts, households


def _volunteers(scope: DashboardScope, period: Period) -> dict[int, int]:
    """Distinct volunteers per dong who joined a visit (the rollup), referred someone or
    logged a check-in there in the period."""
    def volunteer(field: str) -> Exists:
        return Exists(Membership.objects.filter(user_id=OuterRef(field), role=Role.VOLUNTEER))

    pairs = set(
        DongMonthCompanion.objects.filter(scope.in_dongs("dong_id"), month__gte=period.start,
                                          month__lte=period.end)
        .values_list("dong_id", "companion_id").distinct()
    )
    pairs |= set(
        rollup_rows(DongMonthReferral, scope, period).filter(volunteer("referred_by_id"))
        .values_list("dong_id", "referred_by_id").distinct()
    )
    pairs |= set(
        CheckIn.objects.filter(scope.in_dongs("pairing__household__dong_id"),
                               within_period(period, "at"), volunteer("by_id"))
        .values_list("pairing__household__dong_id", "by_id").distinct()
    )
    counts: dict[int, int] = {}
    for dong_id, _user in pairs:
        counts[dong_id] = counts.get(dong_id, 0) + 1
    return counts


def map_figures(scope: DashboardScope, period: Period,
                tables: dict | None = None) -> list[DongFigures]:
    """Every figure of every dong in the scope, in the scope's order (by code).

    ``tables``: the page's panel tables by name, so the panels are not run twice."""
    tables = tables or {}
    targets = _table(tables, "discovery_targets", panel_discovery_targets, scope, period)
    contact = _table(tables, "first_contact", panel_first_contact, scope, period)
    # Panel rows come in the scope's dong order, one per dong.
    target_rows = targets.as_dicts()
    overdue = contact.column("overdue")
    alerts, households = _open_alerts(scope)
    volunteers = _volunteers(scope, period)
    result = []
    for i, dong in enumerate(scope.dongs):
        t = target_rows[i]
        n_alerts, n_households = alerts.get(dong.pk, 0), households.get(dong.pk, 0)
        per_1000 = rate(n_alerts * 1000, n_households)
        result.append(DongFigures(
            dong=dong, number=i + 1,
            values={"discovery": t["achieved"], "open_alerts": per_1000,
                    "overdue": overdue[i], "volunteers": volunteers.get(dong.pk, 0)},
            details={
                "discovery": _("발굴 %(found)s / 목표 %(target)s가구")
                % {"found": f"{t['found']:,}", "target": f"{t['target']:,}"},
                "open_alerts": _("경보 %(alerts)s건 / %(households)s가구")
                % {"alerts": f"{n_alerts:,}", "households": f"{n_households:,}"},
                "overdue": "",
                "volunteers": "",
            },
        ))
    return result


# --- colour classes -------------------------------------------------------------------

def figure_text(value, kind: str) -> str:
    if value is None:
        return _("자료 없음")
    if kind == "pct":
        return f"{value * 100:.1f}%"
    if kind == "num":
        return f"{value:,.1f}"
    return f"{int(value):,}"


@dataclass(frozen=True)
class ColourScale:
    """Equal intervals from the lowest to the highest value: the lowest dong gets the
    first colour, the highest the last. Whole numbers over a short range get one class
    per number; every dong alike (all zero) is one class, the first colour."""

    low: float
    high: float
    classes: int
    kind: str

    @classmethod
    def of(cls, values, kind: str) -> ColourScale:
        present = [v for v in values if v is not None]
        if not present:
            return cls(0, 0, 0, kind)
        low, high = min(present), max(present)
        if high == low:
            return cls(low, high, 1, kind)
        if kind == "int" and high - low < len(PALETTE):
            return cls(low, high, int(high - low) + 1, kind)
        return cls(low, high, len(PALETTE), kind)

    def class_of(self, value) -> int | None:
        if value is None or self.classes == 0:
            return None
        if self.classes == 1:
            return 0
        if self.kind == "int" and self.classes <= len(PALETTE) and \
                self.high - self.low < len(PALETTE):
            return int(value - self.low)
        k = int((value - self.low) / (self.high - self.low) * self.classes)
        return min(max(k, 0), self.classes - 1)

    def colour_of_class(self, k: int | None) -> str:
        if k is None:
            return NO_DATA
        if self.classes <= 1:
            return PALETTE[0]
        return PALETTE[round(k * (len(PALETTE) - 1) / (self.classes - 1))]

    def colour(self, value) -> str:
        return self.colour_of_class(self.class_of(value))

    def legend(self) -> list[tuple[str, str]]:
        """[(colour, "12.0% – 24.0%")] from the lowest class up."""
        if self.classes == 0:
            return []
        if self.classes == 1:
            return [(PALETTE[0], figure_text(self.low, self.kind))]
        if self.kind == "int" and self.high - self.low < len(PALETTE):
            return [(self.colour_of_class(k), figure_text(self.low + k, self.kind))
                    for k in range(self.classes)]
        step = (self.high - self.low) / self.classes
        entries = []
        for k in range(self.classes):
            lo, hi = self.low + k * step, self.low + (k + 1) * step
            if self.kind == "int":
                first = math.ceil(lo)
                last = math.ceil(hi) - 1 if k < self.classes - 1 else int(self.high)
                text = f"{first:,} – {last:,}"
            else:
                text = f"{figure_text(lo, self.kind)} – {figure_text(hi, self.kind)}"
            entries.append((self.colour_of_class(k), text))
        return entries


# --- the map on the page ------------------------------------------------------------------

@dataclass
class DistrictMap:
    figure: MapFigure
    figures: tuple  # FIGURES, the table's columns
    svg: str
    legend: list  # [(colour, range text)], plus (NO_DATA, "자료 없음") when a dong has none
    rows: list  # [(DongFigures, href, [(text, chosen)])]
    attribution: str
    without_boundary: list  # dongs of the scope the map cannot draw


def _dong_href(dong, period: Period) -> str:
    return f"{reverse('dashboard_dong')}?{urlencode({'dong': dong.pk, **period.as_query()})}"


def district_map(scope: DashboardScope, period: Period, figure_key: str | None,
                 tables: dict | None = None) -> DistrictMap | None:
    """The scope's dongs coloured by one figure, the district's other dongs grey for
    context; None when no dong of the scope has a boundary (nothing to draw)."""
    if not any(d.boundary for d in scope.dongs):
        return None
    figure = figure_get(figure_key)
    per_dong = map_figures(scope, period, tables)
    scale = ColourScale.of([f.values[figure.key] for f in per_dong], figure.kind)
    shapes = []
    for f in per_dong:
        if not f.dong.boundary:
            continue
        value = f.values[figure.key]
        detail = f.details[figure.key]
        label = _("%(n)d. %(dong)s — %(figure)s %(value)s") % {
            "n": f.number, "dong": f.dong, "figure": figure.label,
            "value": figure_text(value, figure.kind)}
        if detail:
            label += f" ({detail})"
        shapes.append(MapShape(key=str(f.dong.pk), geometry=f.dong.boundary,
                               fill=scale.colour(value), number=f.number,
                               href=_dong_href(f.dong, period), label=label))
    districts = {d.district_id for d in scope.dongs}
    others = [] if scope.everywhere else (
        Dong.objects.filter(district_id__in=districts, boundary__isnull=False)
        .exclude(id__in=scope.dong_ids).order_by("code").only("id", "boundary"))
    shapes += [MapShape(key=str(d.pk), geometry=d.boundary, fill=OUT_OF_SCOPE) for d in others]
    legend = scale.legend()
    if any(f.values[figure.key] is None for f in per_dong):
        legend.append((NO_DATA, _("자료 없음")))
    rows = [
        (f, _dong_href(f.dong, period),
         [(figure_text(f.values[fig.key], fig.kind), fig.key == figure.key) for fig in FIGURES])
        for f in per_dong
    ]
    attribution = next((d.district.boundary_attribution for d in scope.dongs
                        if d.district.boundary_attribution), "")
    # The demo's attribution is in the catalogue; another district's shows as it was given.
    attribution = _(attribution) if attribution else ""
    title = _("%(where)s 행정동 지도: %(figure)s") % {
        "where": scope.dongs[0].district, "figure": figure.label}
    return DistrictMap(
        figure=figure, figures=FIGURES, svg=map_svg(shapes, title=title), legend=legend,
        rows=rows, attribution=attribution,
        without_boundary=[f.dong for f in per_dong if not f.dong.boundary],
    )
