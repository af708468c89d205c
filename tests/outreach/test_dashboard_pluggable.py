"""Panels that need models of their own: hidden while a model or field they need is
missing, checked against hand-worked figures now that all of them exist."""

from datetime import date

import pytest

from households.models import Organization
from outreach.dashboards.base import dashboard_scope
from outreach.dashboards.panels import registry
from outreach.dashboards.panels.discovery import panel_alerts_monthly
from outreach.dashboards.panels.registry import PANELS, Panel, panels_available
from outreach.dashboards.panels.work import (
    panel_cases_by_stage,
    panel_provider_rates,
    panel_service_links,
    panel_unreachable,
    panel_visits_monthly,
    panel_volunteer_activity,
)
from outreach.dashboards.rollups import dashboard_rollup_refresh
from outreach.models import Visit
from tests.factories import (
    CaseFactory,
    CheckInFactory,
    PairingFactory,
    ServiceFactory,
    ServiceLinkFactory,
)
from tests.fixtures.dashboard import kst


def test_a_panel_needing_a_missing_model_is_hidden():
    panel = Panel("ghost", panel_alerts_monthly, "discovery",
                    {"referrals.NoSuchModel": ("id",)})
    assert not panel.available


def test_a_panel_needing_a_missing_field_is_hidden():
    panel = Panel("ghost", panel_alerts_monthly, "discovery",
                    {"outreach.Visit": ("no_such_field",)})
    assert not panel.available


def test_a_panel_whose_fields_exist_is_shown():
    panel = Panel("visits", panel_visits_monthly, "activity",
                    {"outreach.Visit": ("outcome", "visited_at")})
    assert panel.available


def test_every_registered_panel_is_available_now_that_all_models_exist():
    assert [p.name for p in panels_available()] == [p.name for p in PANELS]


def _never_computed(scope, period):
    raise AssertionError("a hidden panel's function must not run")


@pytest.fixture
def registry_with_a_ghost(monkeypatch):
    """The real panels plus one needing a model that does not exist and one needing a
    field that does not exist; a third, needing what exists, shows the patch takes."""
    ghosts = [
        Panel("ghost_model", _never_computed, "discovery", {"referrals.NoSuchModel": ("id",)}),
        Panel("ghost_field", _never_computed, "cases", {"outreach.Case": ("no_such_field",)}),
        Panel("shown_extra", panel_alerts_monthly, "discovery",
              {"outreach.Visit": ("outcome",)}),
    ]
    monkeypatch.setattr(registry, "PANELS", [*PANELS, *ghosts])
    return ghosts


def test_unavailable_panels_are_not_on_the_page_or_in_the_api(client_as, api_as, admin_user,
                                                              registry_with_a_ghost):
    page = client_as(admin_user).get("/dashboard/district/")
    assert page.status_code == 200  # the ghosts' functions were never called
    html = page.content.decode()
    assert 'id="table-alerts_monthly"' in html
    listed = api_as(admin_user).get("/api/v1/dashboard/")
    assert listed.status_code == 200
    names = [p["name"] for p in listed.json()]
    assert "shown_extra" in names
    assert "ghost_model" not in names and "ghost_field" not in names
    for ghost in ("ghost_model", "ghost_field"):
        assert api_as(admin_user).get(f"/api/v1/dashboard/{ghost}/").status_code == 404
        assert client_as(admin_user).get(f"/dashboard/export/{ghost}/").status_code == 404


def test_service_links_and_provider_rates(admin_user, district, period, dongs):
    food = ServiceFactory(name="푸드뱅크 식품 지원", domain="food")
    emergency = ServiceFactory(name="긴급복지 생계지원", sector="public",
                               provider_kind="public", domain="income")
    foodbank = Organization.objects.get(code="ydp-foodbank")
    office = Organization.objects.get(code="ydp-office")
    h = district["households"]
    for household, service, provider, status, value in [
        (h["a1"], food, foodbank, "completed", 150000),
        (h["a1"], emergency, office, "completed", 730000),
        (h["b1"], food, foodbank, "declined", None),
        (h["c1"], food, foodbank, "requested", None),
    ]:
        ServiceLinkFactory(household=household, service=service, provider=provider,
                           status=status, actual_value=value, requested_by=admin_user,
                           requested_at=kst(2026, 2, 1))
    dashboard_rollup_refresh()  # written past the services
    scope = dashboard_scope(admin_user)
    table = panel_service_links(scope, period)
    # The fixture's own link (a1, 01-12, requested) makes five.
    assert table.total == ["합계", "", 5, 2, 880000]
    rates = {r[0]: r for r in panel_provider_rates(scope, period).rows}
    # 푸드뱅크: 4 requests, answered 2 (completed, declined), accepted 1 → 50%; done 1 of 1.
    assert rates["영등포구 푸드뱅크"][1:] == [4, 0.5, 1.0, 150000]


def test_open_cases_by_stage(admin_user, district, period):
    h = district["households"]
    CaseFactory(household=h["a1"], manager=admin_user, stage="intake",
                plan_due_on=date(2026, 5, 1), stage_due_on=date(2026, 4, 1))
    CaseFactory(household=h["b1"], manager=admin_user, stage="intake",
                plan_due_on=date(2026, 5, 1), stage_due_on=date(2026, 5, 1))
    CaseFactory(household=h["c1"], manager=admin_user, stage="closed",
                plan_due_on=date(2026, 5, 1))
    table = panel_cases_by_stage(dashboard_scope(admin_user), period)
    assert table.rows[0][1:] == [2, 1]  # intake: 2 open, 1 past its stage date (04-01)
    assert table.total[1:] == [2, 1]


def test_check_ins_count_for_the_volunteers_group(admin_user, district, period, volunteer1):
    pairing = PairingFactory(volunteer=volunteer1, household=district["households"]["b2"],
                             started_on=date(2026, 1, 1))
    CheckInFactory(pairing=pairing, at=kst(2026, 2, 3), kind="met")
    CheckInFactory(pairing=pairing, at=kst(2026, 4, 3), kind="phone")
    table = panel_volunteer_activity(dashboard_scope(admin_user), period)
    # 복지통장 (volunteer1): 2 visits joined, 1 check-in in the period (April's is after it).
    assert table.rows[0] == ["복지통장", 1, 2, 0, 1]


def test_unreachable_share(admin_user, district, period):
    Visit.objects.filter(household=district["households"]["a2"]).update(unreachable=True)
    dashboard_rollup_refresh()
    table = panel_unreachable(dashboard_scope(admin_user), period)
    row = next(r for r in table.rows if r[0] == "여의동")
    assert row[1:] == [2, 1, 0.5]  # a1 and a2 visited in the period, a2 unreachable
