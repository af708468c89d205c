"""The panel registry: every panel the dashboards, the exports and the API offer.

A panel is one function ``panel_<name>(scope, period) -> Table`` plus one line in
``PANELS``. Each panel runs a fixed number of set-based queries (GROUP BY in the
database, never a loop over rows), so a page costs the same number of queries for
36 households as for 200,000. Most read the per (dong, month) rollups that
``outreach.dashboards.rollups`` rebuilds."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from outreach.dashboards.base import DashboardScope, Period, Table, model_has
from outreach.dashboards.panels.capacity import panel_declines_no_capacity
from outreach.dashboards.panels.discovery import (
    panel_alerts_monthly,
    panel_discovery_targets,
    panel_first_contact,
    panel_overdue_alerts,
)
from outreach.dashboards.panels.feedback import (
    panel_model_by_age,
    panel_model_by_band,
    panel_model_by_dong,
    panel_model_by_signal,
    panel_model_by_version,
    panel_model_hit_rate,
)
from outreach.dashboards.panels.gatekeepers import (
    panel_gatekeeper_places,
    panel_gatekeepers_by_kind,
)
from outreach.dashboards.panels.work import (
    panel_cases_by_stage,
    panel_provider_rates,
    panel_referrals_by_category,
    panel_referrals_by_channel,
    panel_service_links,
    panel_unreachable,
    panel_visits_monthly,
    panel_volunteer_activity,
)

# --- the registry -------------------------------------------------------------------------

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
    Panel("gatekeepers_by_kind", panel_gatekeepers_by_kind, "discovery",
          {"referrals.Referral": ("gatekeeper_place",)}),
    Panel("gatekeeper_places", panel_gatekeeper_places, "discovery",
          {"referrals.Referral": ("gatekeeper_place",)}),
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
    Panel("declines_no_capacity", panel_declines_no_capacity, "services",
          {"referrals.ServiceLink": ("decline_code",)}),
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
