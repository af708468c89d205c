"""seed_demo gives the demo district three years of past, so every dashboard, the monthly
report, the targets page and the risk model's feedback show trends from the start."""

import io
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from households.dates import add_months
from households.models import Household, TimelineEvent
from outreach.dashboards.base import Period, dashboard_scope
from outreach.dashboards.panels.discovery import panel_alerts_monthly, panel_discovery_targets
from outreach.dashboards.panels.feedback import panel_model_by_band, panel_model_hit_rate
from outreach.models import (
    CheckIn,
    DiscoveryAlert,
    DiscoveryTarget,
    RiskAssessment,
    RiskSignal,
    SignalBatch,
    Visit,
)
from referrals.models import Referral, ServiceLink

pytestmark = pytest.mark.django_db


def seed(households=540):
    out = io.StringIO()
    call_command("seed_demo", households=households, signals=0, quiet_logins=True, stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded():
    return seed()


@pytest.fixture
def admin(seeded):
    return get_user_model().objects.get(username="admin")


def last_36_months() -> Period:
    this_month = timezone.localdate().replace(day=1)
    return Period(add_months(this_month, -35), this_month)


def test_the_monthly_panel_has_figures_in_at_least_24_of_the_last_36_months(admin):
    table = panel_alerts_monthly(dashboard_scope(admin, district=True), last_36_months())
    months_with_figures = [row for row in table.rows if any(row[1:])]
    assert len(table.rows) == 36
    assert len(months_with_figures) >= 24


def test_the_district_page_shows_three_years(client_as, admin):
    period = last_36_months()
    response = client_as(admin).get(reverse("dashboard_district"), period.as_query())
    assert response.status_code == 200
    assert "자료가 없습니다. 모든 수치가 0" not in response.content.decode()


def test_every_dong_has_an_achievement_rate_this_year(admin):
    this_month = timezone.localdate().replace(day=1)
    table = panel_discovery_targets(dashboard_scope(admin, district=True),
                                    Period(this_month.replace(month=1), this_month))
    assert len(table.rows) == 18
    for dong, target, _basis, _found, achieved in table.rows:
        assert target > 0, dong
        assert achieved is not None, dong


def test_targets_are_last_years_actual_plus_ten_percent_set_for_every_dong(admin):
    year = timezone.localdate().year
    saved = DiscoveryTarget.objects.filter(year=year)
    assert saved.count() == 18
    assert all(t.target >= 1 and t.set_by == admin for t in saved)


def test_the_targets_page_shows_the_targets(client_as, admin):
    response = client_as(admin).get(reverse("dashboard_targets"))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert len(rows) == 18
    for dong, _form, target, is_default, _last_year in rows:
        assert not is_default, dong
        assert target > 0, dong


def test_the_monthly_report_for_last_month_is_not_all_zeros(client_as, admin):
    response = client_as(admin).get(reverse("dashboard_report"))  # defaults to last month
    assert response.status_code == 200
    tables = [panel.table for _title, panels in response.context["sections"]
              for panel in panels if panel.table.period_bound]
    assert [t.name for t in tables if not t.is_empty]
    assert not all(t.is_empty for t in tables)


def test_the_risk_model_feedback_has_hit_rates(admin):
    scope, period = dashboard_scope(admin, district=True), last_36_months()
    overall = panel_model_hit_rate(scope, period).as_dicts()[0]
    assert overall["closed"] > 0 and overall["hit_rate"] is not None
    bands = panel_model_by_band(scope, period).as_dicts()
    rates = [b["hit_rate"] for b in bands if b["hit_rate"] is not None]
    # Scores mean something: the highest band needed help more often than the lowest.
    assert len(rates) >= 2 and rates[-1] > rates[0]


def test_the_past_ends_today_and_looks_like_a_district(seeded):
    now = timezone.now()
    opened = DiscoveryAlert.objects.values_list("opened_at", flat=True)
    assert max(opened) <= now
    assert min(opened) <= now - timedelta(days=700)
    assert max(opened) >= now - timedelta(days=62)
    assert SignalBatch.objects.filter(original_name__startswith="demo-history-").count() == 18
    assert RiskAssessment.objects.exclude(factors=[]).exists()
    assert Visit.objects.filter(outcome=Visit.Outcome.NOT_HOME).exists()
    assert Visit.objects.filter(outcome=Visit.Outcome.REFUSED).exists()
    assert ServiceLink.objects.filter(status=ServiceLink.Status.COMPLETED,
                                      actual_value__gt=0).exists()
    assert CheckIn.objects.exists()
    # Each household's timeline tells the same past.
    assert TimelineEvent.objects.filter(at__lt=now - timedelta(days=365), kind="visit").exists()
    assert set(Referral.objects.values_list("channel", flat=True)) >= {"volunteer", "public"}
    # Nothing the app would not write itself: one open alert per household at most.
    open_ = DiscoveryAlert.objects.filter(status=DiscoveryAlert.Status.OPEN)
    assert open_.count() == open_.values("household_id").distinct().count()


def test_seeding_twice_adds_nothing(seeded):
    def counts():
        return [m.objects.count() for m in (DiscoveryAlert, Visit, ServiceLink, CheckIn,
                                            Referral, DiscoveryTarget, SignalBatch)]

    before = counts()
    output = seed()
    assert counts() == before
    assert "history already there" in output


def test_seeding_prints_how_long_it_took(seeded):
    assert "seed_demo: seeding took" in seeded
    assert "history of 3 years" in seeded


def test_with_many_households_the_past_happens_to_the_first_few():
    call_command("seed_demo", households=540, signals=0, quiet_logins=True,
                 history_households=90, stdout=io.StringIO())
    first = set(Household.objects.order_by("id").values_list("id", flat=True)[:90])
    signalled = set(RiskSignal.objects.values_list("household_id", flat=True))
    assert signalled and signalled <= first


def test_without_history_there_is_no_past():
    call_command("seed_demo", households=90, signals=0, quiet_logins=True, no_history=True,
                 stdout=io.StringIO())
    assert not DiscoveryAlert.objects.exists()
    assert not DiscoveryTarget.objects.exists()
