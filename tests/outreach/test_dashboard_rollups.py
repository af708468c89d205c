"""The dashboard rollups: kept up to date by the writes that change them, and exact
where the page's figures depend on single alerts (the top 10% cut-off)."""

from datetime import date, timedelta

import pytest

from config.celery import app as celery_app
from households.dates import add_months
from households.services import household_create
from outreach.dashboards.base import Period, dashboard_scope
from outreach.dashboards.maps import map_figures
from outreach.dashboards.panels.capacity import panel_declines_no_capacity
from outreach.dashboards.panels.discovery import panel_alerts_monthly, panel_first_contact
from outreach.dashboards.panels.feedback import (
    age_band_on,
    age_band_spans,
    panel_model_by_version,
    panel_model_hit_rate,
)
from outreach.dashboards.panels.work import (
    panel_referrals_by_category,
    panel_referrals_by_channel,
    panel_service_links,
    panel_visits_monthly,
)
from outreach.dashboards.rollups import QUEUED_KEY, dashboard_rollup_refresh
from outreach.dashboards.tasks import dashboard_rollup_refresh_task
from outreach.models import DongMonthStat
from outreach.services.alerts import alert_close
from outreach.services.visits import visit_record, visit_schedule
from referrals.services import service_link_decline, service_link_request
from tests.fixtures.dashboard import kst, make_alert, make_visit

APRIL = Period(date(2026, 4, 1), date(2026, 4, 1))


def alert_4(district):
    """b2's open alert, as stored (the fixture set its opening time afterwards)."""
    alert = district["alerts"][4]
    alert.refresh_from_db()
    return alert


@pytest.fixture
def tasks_in_process():
    """The refresh task runs here, as a worker would run it (with a broker configured
    the suite has no worker)."""
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = eager


def test_a_tie_at_the_top_ten_percent_goes_to_the_older_alert(admin_user, district, period):
    # A fifth closed model alert, b2's, scored 95 like alert 5 but raised after it:
    # 5 alerts → the top 10% is 1, and of the two 95s alert 5 (the lower id) is in.
    make_alert(district["households"]["b2"], opened=kst(2026, 2, 1), level="critical",
               score=95, version=1, first_contact=kst(2026, 2, 2), closed=kst(2026, 2, 20),
               reason="no_need")
    dashboard_rollup_refresh()
    scope = dashboard_scope(admin_user)
    assert panel_model_hit_rate(scope, period).rows == [
        ["전체", 5, 2, 0.4, 81.0, 1, 1.0, 2.5]]  # (90 + 50 + 75 + 95 + 95) / 5 = 81
    assert panel_model_by_version(scope, period).rows == [
        ["버전 1", 3, 1, 1 / 3, 78.3, 0, None, None],  # alerts 1, 2 and b2's
        ["버전 2", 2, 1, 0.5, 85.0, 1, 1.0, 2.0]]  # alerts 3 and 5


def test_recording_a_visit_updates_its_dongs_figures(admin_user, district, tasks_in_process,
                                                     django_capture_on_commit_callbacks):
    staff1 = district["alerts"][1].household.visits.first().staff
    visit = visit_schedule(household=district["households"]["b2"], staff=staff1,
                                    scheduled_for=kst(2026, 4, 14))
    scope = dashboard_scope(admin_user)
    assert panel_visits_monthly(scope, APRIL).rows == [["2026년 4월", 0, 0, None, 0]]
    with django_capture_on_commit_callbacks(execute=True):
        visit_record(visit=visit, user=staff1, outcome="met",
                              visited_at=kst(2026, 4, 14, 11))
    assert panel_visits_monthly(scope, APRIL).rows == [["2026년 4월", 1, 1, 1.0, 0]]


def test_closing_an_alert_updates_its_dongs_figures(admin_user, district, tasks_in_process,
                                                    django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        alert_close(alert=alert_4(district), reason="supported", actor=admin_user)
    table = panel_alerts_monthly(dashboard_scope(admin_user), APRIL)
    assert table.rows == [["2026년 4월", 2, 1, 0]]  # alerts 7, 8 opened; alert 4 closed


def test_the_nightly_task_rebuilds_what_was_written_around_the_services(
        admin_user, district, period):
    staff1 = district["alerts"][1].household.visits.first().staff
    make_visit(district["households"]["c2"], staff1, when=kst(2026, 3, 3), outcome="met")
    scope = dashboard_scope(admin_user)
    assert panel_visits_monthly(scope, period).total == ["합계", 4, 2, 0.5, 3]
    dashboard_rollup_refresh_task()  # what beat sends nightly, with no dongs named
    assert panel_visits_monthly(scope, period).total == ["합계", 5, 3, 0.6, 3]


def test_refreshing_one_dong_leaves_the_others_alone(district, dongs):
    before = DongMonthStat.objects.exclude(dong=dongs["여의동"]).count()
    DongMonthStat.objects.filter(dong=dongs["여의동"]).delete()
    dashboard_rollup_refresh([dongs["여의동"].pk])
    # Alerts opened 2025-05, 01, 04; closed 2025-06, 02 (visits fall in 2025-05 and 01).
    assert DongMonthStat.objects.filter(dong=dongs["여의동"]).count() == 5
    assert DongMonthStat.objects.exclude(dong=dongs["여의동"]).count() == before


def test_a_heads_age_band_spans_agree_with_the_age_on_every_month_end():
    months = [date(1930 + i // 12, i % 12 + 1, 1) for i in range(110 * 12)]
    for birth in (date(1960, 2, 29), date(1986, 4, 1), date(1950, 12, 31), date(2031, 5, 1)):
        spans = age_band_spans(birth)
        for month in months:
            band = next(b for b, start, end in spans
                        if (start is None or start <= month) and (end is None or month <= end))
            last_day = add_months(month, 1) - timedelta(days=1)
            assert band == age_band_on(birth, last_day), (birth, month)


def test_a_dong_already_queued_for_a_refresh_is_not_queued_twice(
        admin_user, district, tasks_in_process, django_capture_on_commit_callbacks):
    from django.core.cache import cache


    b2 = district["households"]["b2"]
    cache.set(QUEUED_KEY.format(b2.dong_id), 1)  # a refresh of 신길1동 waits in the queue
    with django_capture_on_commit_callbacks(execute=True):
        alert_close(alert=alert_4(district), reason="supported", actor=admin_user)
    scope = dashboard_scope(admin_user)
    assert panel_alerts_monthly(scope, APRIL).rows[0][2] == 0  # not yet: no second task
    dashboard_rollup_refresh_task([b2.dong_id])  # the queued one runs
    assert panel_alerts_monthly(scope, APRIL).rows[0][2] == 1
    assert cache.get(QUEUED_KEY.format(b2.dong_id)) is None


def test_a_new_service_link_reaches_the_figures_at_once(
        admin_user, staff1, district, catalogue, food_bank, consent_for, tasks_in_process,
        django_capture_on_commit_callbacks):
    """a2's alert 7 (opened 04-02) has had no help; a food-bank link today discovers a2 in
    April and counts among April's links as soon as the request commits."""
    a2 = district["households"]["a2"]
    scope = dashboard_scope(admin_user)
    assert panel_alerts_monthly(scope, APRIL).rows == [["2026년 4월", 2, 0, 0]]
    assert panel_service_links(scope, APRIL).total == ["합계", "", 0, 0, 0]
    consent_for(a2, staff1)
    with django_capture_on_commit_callbacks(execute=True):
        service_link_request(household=a2, service=catalogue["푸드뱅크·푸드마켓"],
                             provider=food_bank, requested_by=staff1)
    assert panel_alerts_monthly(scope, APRIL).rows == [["2026년 4월", 2, 0, 1]]
    assert panel_service_links(scope, APRIL).total == ["합계", "", 1, 0, 0]


def test_a_declined_link_reaches_the_capacity_panel_at_once(
        admin_user, staff1, district, catalogue, food_bank, consent_for, tasks_in_process,
        django_capture_on_commit_callbacks):
    a2 = district["households"]["a2"]
    consent_for(a2, staff1)
    link = service_link_request(household=a2, service=catalogue["푸드뱅크·푸드마켓"],
                                provider=food_bank, requested_by=staff1)
    with django_capture_on_commit_callbacks(execute=True):
        service_link_decline(link=link, user=staff1, reason_code="no_capacity")
    table = panel_declines_no_capacity(dashboard_scope(admin_user), APRIL)
    assert table.total[2:6] == [1, 1, 1, 1.0]  # 1 link, declined, for lack of capacity


def test_a_referral_reaches_the_figures_at_once(admin_user, district, make_referral,
                                                tasks_in_process,
                                                django_capture_on_commit_callbacks):
    scope = dashboard_scope(admin_user)
    assert panel_referrals_by_channel(scope, APRIL).total == ["합계", 0]
    with django_capture_on_commit_callbacks(execute=True):
        make_referral(dong="여의동", categories=["meals", "rent"])  # referral_submit
    assert panel_referrals_by_channel(scope, APRIL).total == ["합계", 1]
    assert dict(map(tuple, panel_referrals_by_category(scope, APRIL).rows)) == {
        "끼니 거름": 1, "월세 체납": 1}


def test_open_alerts_per_1000_households_come_from_the_rollups_exactly(
        admin_user, district, dongs, tasks_in_process, django_capture_on_commit_callbacks):
    """Open now: alert 4 (b2, 신길1동), 7 (a2, 여의동), 8 (c2, 대림2동); two households in
    each dong. Closing alert 4 takes 신길1동 to none at once."""
    def per_1000():
        figures = map_figures(dashboard_scope(admin_user), APRIL)
        return {f.dong.short_name: f.values["open_alerts"] for f in figures}

    assert {k: v for k, v in per_1000().items() if v} == {
        "여의동": 500.0, "신길1동": 500.0, "대림2동": 500.0}
    assert per_1000()["문래동"] == 0.0
    with django_capture_on_commit_callbacks(execute=True):
        alert_close(alert=alert_4(district), reason="no_need", actor=admin_user)
    assert per_1000()["신길1동"] == 0.0
    # Overdue today (before 04-15): alerts 7 and 8 left, from the same rollup.
    overdue = panel_first_contact(dashboard_scope(admin_user), APRIL).column("overdue")
    assert sum(overdue) == 2


def test_a_new_household_counts_on_the_map_at_once(admin_user, district, dongs,
                                                   tasks_in_process,
                                                   django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        household_create(dong=dongs["여의동"], road_address="서울 영등포구 여의대방로 1")
    figures = map_figures(dashboard_scope(admin_user), APRIL)
    yeoui = next(f for f in figures if f.dong.pk == dongs["여의동"].pk)
    assert yeoui.values["open_alerts"] == 1000 / 3  # alert 7 among three households


def test_contact_seconds_pack_and_unpack_round_trip():
    from outreach.models.rollups import contact_seconds_pack, contact_seconds_unpack

    packed = contact_seconds_pack([-3600.0, 0, 14400.4, 18000.6, 2**31 - 1])
    assert len(packed) == 20  # four bytes a number
    assert list(contact_seconds_unpack(packed)) == [-3600, 0, 14400, 18001, 2**31 - 1]
    # Appended to what is there (a dong's months read one after another).
    into = contact_seconds_unpack(contact_seconds_pack([5]))
    assert list(contact_seconds_unpack(memoryview(packed[:8]), into=into)) == [5, -3600, 0]
    assert list(contact_seconds_unpack(b"")) == []
