"""The risk-model panels read running totals (DongScoreToDate, DongAgeToDate): a period's
figures are the row at its end less the row before its start. Checked here against the
alerts themselves, counted one by one, over periods of every shape — starting before
the first closing, after it, in the future, one month or five years long — and for a
dong whose rollups were last written months ago."""

import random
from datetime import date, timedelta

import pytest
import time_machine

from households.dates import add_months
from households.models import Household, Person
from outreach.dashboards.base import NEEDED_HELP_REASONS, Period, dashboard_scope
from outreach.dashboards.panels.feedback import age_band_on, score_feedback
from outreach.dashboards.rollups import dashboard_rollup_refresh
from outreach.models import DiscoveryAlert, DongScoreToDate
from tests.fixtures.dashboard import KST, kst, make_alert, set_head_birth

REASONS = ["supported", "no_need", "case_opened", "duplicate", "other_agency"]
GROUPS = (None, "version", "band", "dong_id", "age")


def expected(alerts, period: Period, group, dong_ids) -> dict:
    """score_feedback worked out from the alerts one by one."""
    end = add_months(period.end, 1)
    chosen = [a for a in alerts
              if a["dong"] in dong_ids and period.start <= a["closed_on"] < end]
    ranked = sorted(chosen, key=lambda a: (-a["score"], a["id"]))
    top = {a["id"] for a in ranked[:(len(chosen) + 9) // 10]}
    out: dict = {}
    for a in chosen:
        key = {None: 1, "version": a["version"], "dong_id": a["dong"],
               "band": a["score_band"],
               "age": age_band_on(a["birth"], period.last_day)}[group]
        f = out.setdefault(key, {"closed": 0, "hits": 0, "score_sum": 0, "top": 0,
                                 "top_hits": 0})
        f["closed"] += 1
        f["hits"] += a["hit"]
        f["score_sum"] += a["score"]
        f["top"] += a["id"] in top
        f["top_hits"] += a["id"] in top and a["hit"]
    return out


def figures(scope, period, group) -> dict:
    return {k: {name: f[name] for name in ("closed", "hits", "score_sum", "top", "top_hits")}
            for k, f in score_feedback(scope, period, group).items()}


def score_band(score: int) -> int:
    from outreach.dashboards.base import SCORE_BANDS

    return next(i for i, (lo, hi) in enumerate(SCORE_BANDS) if lo <= score <= hi)


@pytest.fixture
def history(demo, dongs, frozen_now):
    """70 closed risk-model alerts over five years in four dongs, heads born near the
    age-band edges (so some change band within a period's reach) or unknown."""
    rng = random.Random(20261205)
    picked = [dongs[name] for name in ("여의동", "신길1동", "대림2동", "문래동")]
    households = list(Household.objects.filter(dong__in=picked).order_by("id"))
    for hh in households:
        set_head_birth(hh, rng.choice([None, date(1986, 7, 15), date(1961, 11, 2),
                                       date(1951, 2, 28), date(1944, 12, 31),
                                       date(1980 - rng.randrange(40), rng.randrange(1, 13), 1)]))
    births = dict(Person.objects.filter(household__in=households, is_head=True)
                  .values_list("household_id", "birth_date"))
    alerts = []
    for _ in range(70):
        hh = rng.choice(households)
        closed = kst(2021, 6, 1) + timedelta(days=rng.randrange(0, 1780), hours=rng.randrange(24))
        closed = min(closed, kst(2026, 4, 15, 9))
        score = rng.choice([rng.randrange(0, 101), 88, 88, 88])  # ties at a likely cut-off
        version = rng.choice([1, 2, 3])
        reason = rng.choice(REASONS)
        alert = make_alert(hh, opened=closed - timedelta(days=10), level="high", score=score,
                           version=version, first_contact=closed - timedelta(days=9),
                           closed=closed, reason=reason)
        alerts.append({"id": alert.pk, "dong": hh.dong_id, "score": score, "version": version,
                       "score_band": score_band(score), "hit": reason in NEEDED_HELP_REASONS,
                       "closed_on": closed.astimezone(KST).date(),
                       "birth": births[hh.pk]})
    dashboard_rollup_refresh()
    return alerts


def test_every_period_reads_the_alerts_closed_in_it(history, admin_user, dongs):
    rng = random.Random(7)
    periods = [Period(date(2021, 1, 1), date(2021, 12, 1)),  # before and into the first
               Period(date(2021, 6, 1), date(2026, 4, 1)),  # all of it
               Period(date(2026, 4, 1), date(2026, 4, 1)),  # the current month alone
               Period(date(2026, 3, 1), date(2027, 2, 1)),  # into the future
               Period(date(2027, 1, 1), date(2027, 6, 1)),  # wholly in the future
               Period(date(2019, 1, 1), date(2020, 12, 1))]  # before anything closed
    for _ in range(24):
        start = add_months(date(2021, 1, 1), rng.randrange(66))
        periods.append(Period(start, add_months(start, rng.randrange(60))))
    scopes = [(dashboard_scope(admin_user), {d.pk for d in dongs.values()}),
              (dashboard_scope(admin_user, dong_id=dongs["대림2동"].pk),
               {dongs["대림2동"].pk})]
    for period in periods:
        for scope, dong_ids in scopes:
            scope.memo.clear()
            for group in GROUPS:
                assert figures(scope, period, group) == expected(
                    history, period, group, dong_ids), (period, group, sorted(dong_ids))


def test_a_five_year_period_costs_the_queries_of_one_month(history, admin_user,
                                                           django_assert_num_queries):
    """Two statements over the score running totals (per score for the cut-off, then the
    figures around it), one over the age ones, the alerts at the cut-off score, and the
    age rows that depend on the period's end."""
    for period in (Period(date(2026, 4, 1), date(2026, 4, 1)),
                   Period(date(2021, 5, 1), date(2026, 4, 1))):
        scope = dashboard_scope(admin_user)
        with django_assert_num_queries(5):
            for group in GROUPS:
                score_feedback(scope, period, group)


def test_a_dong_not_written_since_an_earlier_month_reads_that_month(demo, dongs, admin_user):
    """Rows run to the month of the dong's last refresh; a later period end reads it."""
    a = Household.objects.filter(dong=dongs["여의동"]).first()
    b = Household.objects.filter(dong=dongs["신길1동"]).first()
    with time_machine.travel(kst(2026, 1, 20), tick=False):
        make_alert(a, opened=kst(2026, 1, 2), level="high", score=80, closed=kst(2026, 1, 10),
                   reason="supported", first_contact=kst(2026, 1, 3))
        dashboard_rollup_refresh()
    with time_machine.travel(kst(2026, 4, 20), tick=False):
        make_alert(b, opened=kst(2026, 4, 2), level="high", score=60, closed=kst(2026, 4, 10),
                   reason="no_need", first_contact=kst(2026, 4, 3))
        dashboard_rollup_refresh([b.dong_id])  # 여의동's rows still end in January
        assert DongScoreToDate.objects.filter(dong=a.dong).values_list(
            "month", flat=True).get() == date(2026, 1, 1)
        scope = dashboard_scope(admin_user)
        whole = score_feedback(scope, Period(date(2026, 1, 1), date(2026, 6, 1)), "dong_id")
        assert {k: f["closed"] for k, f in whole.items()} == {a.dong_id: 1, b.dong_id: 1}
        scope.memo.clear()
        later = score_feedback(scope, Period(date(2026, 2, 1), date(2026, 6, 1)), "dong_id")
        assert {k: f["closed"] for k, f in later.items()} == {b.dong_id: 1}
    assert DiscoveryAlert.objects.filter(status="closed").count() == 2


def test_migrate_fills_a_running_total_rollup_it_finds_empty(history, admin_user):
    """An upgrade creates the table empty; the dashboard is right from the first page."""
    from django.core.management import call_command

    period = Period(date(2021, 6, 1), date(2026, 4, 1))
    DongScoreToDate.objects.all().delete()
    assert score_feedback(dashboard_scope(admin_user), period, None) == {}
    call_command("migrate", verbosity=0)
    assert figures(dashboard_scope(admin_user), period, None)[1]["closed"] == len(history)
