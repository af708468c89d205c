"""Every figure on the dashboard against the hand-worked district in conftest.py."""

from datetime import date

import pytest

from outreach.dashboards.base import Period, dashboard_scope, target_default
from outreach.dashboards.panels.discovery import (
    panel_alerts_monthly,
    panel_discovery_targets,
    panel_first_contact,
    panel_overdue_alerts,
)
from outreach.dashboards.panels.feedback import (
    factor_kind,
    panel_model_by_age,
    panel_model_by_band,
    panel_model_by_dong,
    panel_model_by_signal,
    panel_model_by_version,
    panel_model_hit_rate,
)
from outreach.dashboards.panels.work import (
    panel_referrals_by_category,
    panel_referrals_by_channel,
    panel_visits_monthly,
    panel_volunteer_activity,
)
from outreach.dashboards.rollups import dashboard_rollup_refresh


@pytest.fixture
def admin_scope(admin_user, district):
    return dashboard_scope(admin_user)


def row(table, label):
    return next(r for r in table.rows if r[0] == label)


def test_default_target_is_last_years_actual_plus_ten_percent_rounded_up():
    assert [target_default(n) for n in (0, 1, 9, 10, 11, 20)] == [0, 2, 10, 11, 13, 22]


def test_discovery_against_target(admin_scope, period):
    table = panel_discovery_targets(admin_scope, period)
    # 여의동: 2025 found a1 (alert 6 + met visit) → default ceil(1 × 1.1) = 2; 2026 found a1.
    assert row(table, "여의동") == ["여의동", 2, "기본값", 1, 0.5]
    # 신길1동: saved target 5; found b1 (alert 3, met 02-10).
    assert row(table, "신길1동") == ["신길1동", 5, "설정", 1, 0.2]
    # 대림2동: c1 refused, c2 never visited → nothing found, no target.
    assert row(table, "대림2동") == ["대림2동", 0, "기본값", 0, None]
    assert table.total == ["합계", 7, "", 2, 2 / 7]


def test_alerts_and_households_found_by_month(admin_scope, period):
    table = panel_alerts_monthly(admin_scope, period)
    assert table.rows == [
        ["2026년 1월", 2, 0, 1],  # opened 1, 2; found a1
        ["2026년 2월", 1, 2, 1],  # opened 3; closed 1, 2; found b1
        ["2026년 3월", 3, 3, 0],  # opened 4, 5, 9; closed 3, 5, 9
    ]
    assert table.total == ["합계", 6, 5, 2]


def test_time_to_first_contact(admin_scope, period):
    table = panel_first_contact(admin_scope, period)
    # 여의동: alert 1 critical, 1 day; alert 2 medium, 10 days; overdue now: alert 7.
    assert row(table, "여의동") == ["여의동", 2, 2, 5.5, 1, 1.0, 1, 1.0, 1]
    # 신길1동: alert 3 high, 5 days (> 3: late); alert 4 low, never contacted and its
    # 14 days are over (0 of 1); overdue now: alert 4.
    assert row(table, "신길1동") == ["신길1동", 2, 1, 5.0, 1, 0.0, 1, 0.0, 1]
    # 대림2동: alert 5 critical 4 h, alert 9 (no score = normal) 5 h → median 4.5 h;
    # overdue now: alert 8.
    assert row(table, "대림2동") == ["대림2동", 2, 2, 4.5 / 24, 1, 1.0, 1, 1.0, 1]
    # All: delays 1, 10, 5, 1/6, 5/24 days → median 1; emergencies 2 of 3 on time.
    assert table.total == ["합계", 6, 5, 1.0, 3, 2 / 3, 3, 2 / 3, 3]


def test_a_fresh_uncontacted_emergency_is_not_yet_late(admin_scope, district):
    from outreach.models import DiscoveryAlert
    from tests.fixtures.dashboard import kst

    DiscoveryAlert.objects.filter(pk=district["alerts"][8].pk).update(
        opened_at=kst(2026, 4, 14))
    dashboard_rollup_refresh()  # written past the services
    april = Period(date(2026, 4, 1), date(2026, 4, 1))
    table = panel_first_contact(admin_scope, april)
    # Alert 8 (high) opened yesterday: not counted; alert 7 (normal, 13 days) not either.
    assert row(table, "대림2동")[4:8] == [0, None, 0, None]


@pytest.mark.parametrize(("opened", "judged"), [
    ((2026, 4, 12, 12, 1), 0),  # 3 days less a minute ago: not late yet
    ((2026, 4, 12, 11, 59), 1),  # 3 days and a minute ago: late, and counted
])
def test_the_three_day_limit_is_judged_to_the_minute(admin_scope, district, opened, judged):
    """Now is 04-15 12:00: the limit falls on 04-12 at noon, the one day read live."""
    from outreach.models import DiscoveryAlert
    from tests.fixtures.dashboard import kst

    DiscoveryAlert.objects.filter(pk=district["alerts"][8].pk).update(opened_at=kst(*opened))
    dashboard_rollup_refresh()  # written past the services
    april = Period(date(2026, 4, 1), date(2026, 4, 1))
    assert row(panel_first_contact(admin_scope, april), "대림2동")[4:6] == [
        judged, 0.0 if judged else None]


def test_overdue_alerts_oldest_first_with_masked_names(admin_scope, district, period):
    households = district["households"]
    table = panel_overdue_alerts(admin_scope, period)
    assert [r[0] for r in table.rows] == [households["b2"].pk, households["c2"].pk,
                                          households["a2"].pk]
    assert [r[5] for r in table.rows] == [31, 11, 10]
    assert all("*" in r[2] for r in table.rows)


def test_model_hit_rate_and_lift(admin_scope, period):
    table = panel_model_hit_rate(admin_scope, period)
    # Closed model alerts: 1 (90, hit), 2 (50), 3 (75), 5 (95, hit); alert 9 is not the
    # model's. Top 10% of 4 = 1 alert: 5, a hit → 100% ÷ 50% = lift 2.
    assert table.rows == [["전체", 4, 2, 0.5, 77.5, 1, 1.0, 2.0]]


def test_hit_rate_by_model_version(admin_scope, period):
    table = panel_model_by_version(admin_scope, period)
    assert table.rows == [["버전 1", 2, 1, 0.5, 70.0, 0, None, None],
                          ["버전 2", 2, 1, 0.5, 85.0, 1, 1.0, 2.0]]


def test_hit_rate_by_score_band(admin_scope, period):
    table = panel_model_by_band(admin_scope, period)
    assert table.rows == [
        ["0–19", 0, 0, None, None, 0, None, None],
        ["20–39", 0, 0, None, None, 0, None, None],
        ["40–59", 1, 0, 0.0, 50.0, 0, None, None],
        ["60–79", 1, 0, 0.0, 75.0, 0, None, None],
        ["80–100", 2, 2, 1.0, 92.5, 1, 1.0, 1.0],
    ]
    assert table.total == ["전체", 4, 2, 0.5, 77.5, 1, 1.0, 2.0]


def test_hit_rate_by_signal_kind(admin_scope, period):
    table = panel_model_by_signal(admin_scope, period)
    # 단전 on alerts 1 (hit), 3, 5 (hit); 1인 가구 on 1; 건강보험료 체납 on 2.
    assert table.rows == [["단전", 3, 2, 2 / 3], ["1인 가구", 1, 1, 1.0],
                          ["건강보험료 체납", 1, 0, 0.0]]


def test_hit_rate_by_age_of_the_head(admin_scope, period):
    table = panel_model_by_age(admin_scope, period)
    # On 2026-03-31: a1's head 75 (alert 1), a2's 65 (alert 2), b1's 39 — 40 only on
    # 04-01 (alert 3), c1's unknown (alert 5).
    assert table.rows == [
        ["40세 미만", 1, 0, 0.0, 75.0, 0, None, None],
        ["40–64세", 0, 0, None, None, 0, None, None],
        ["65–74세", 1, 0, 0.0, 50.0, 0, None, None],
        ["75세 이상", 1, 1, 1.0, 90.0, 0, None, None],
        ["미상", 1, 1, 1.0, 95.0, 1, 1.0, 1.0],
    ]


def test_hit_rate_by_dong(admin_scope, period):
    table = panel_model_by_dong(admin_scope, period)
    assert row(table, "여의동") == ["여의동", 2, 1, 0.5, 70.0, 0, None, None]
    assert row(table, "신길1동") == ["신길1동", 1, 0, 0.0, 75.0, 0, None, None]
    assert row(table, "대림2동") == ["대림2동", 1, 1, 1.0, 95.0, 1, 1.0, 1.0]
    assert row(table, "문래동") == ["문래동", 0, 0, None, None, 0, None, None]


def test_visits_by_month(admin_scope, period):
    table = panel_visits_monthly(admin_scope, period)
    # Jan: a1 met, a2 not home (paired); Feb: b1 met (paired); Mar: c1 refused (paired),
    # c1's 03-25 visit not done yet.
    assert table.rows == [["2026년 1월", 2, 1, 0.5, 1], ["2026년 2월", 1, 1, 1.0, 1],
                          ["2026년 3월", 1, 0, 0.0, 1]]
    assert table.total == ["합계", 4, 2, 0.5, 3]


def test_volunteer_activity_by_group(admin_scope, period):
    table = panel_volunteer_activity(admin_scope, period)
    assert table.rows == [["복지통장", 1, 2, 0, 0], ["좋은이웃들", 1, 1, 0, 0]]


def test_dong_staff_see_only_their_dongs(staff1, district, period):
    scope = dashboard_scope(staff1)
    table = panel_first_contact(scope, period)
    assert [r[0] for r in table.rows] == ["여의동", "신길1동"]
    assert table.total[1] == 4
    assert panel_model_hit_rate(scope, period).rows == [
        ["전체", 3, 1, 1 / 3, 71.7, 1, 1.0, 3.0]]  # 1 (90, hit), 2, 3; top = 1


def test_one_dong_narrows_every_figure(admin_user, district, dongs, period):
    scope = dashboard_scope(admin_user, dong_id=dongs["대림2동"].pk)
    assert panel_model_hit_rate(scope, period).rows == [
        ["전체", 1, 1, 1.0, 95.0, 1, 1.0, 1.0]]
    assert [r[0] for r in panel_first_contact(scope, period).rows] == ["대림2동"]


def test_factor_kind_strips_the_quantity():
    assert factor_kind("단전 2개월") == "단전"
    assert factor_kind("건강보험료 체납 6개월") == "건강보험료 체납"
    assert factor_kind("1인 가구") == "1인 가구"


def test_another_districts_alerts_never_count(admin_user, district, period):
    from tests.factories import DistrictFactory, DongFactory, HouseholdFactory
    from tests.fixtures.dashboard import kst, make_alert

    guro = DistrictFactory(code="11530", name="구로구")
    sindorim = DongFactory(district=guro, code="1153051000", name="신도림동", short_name="")
    household_in_sindorim = HouseholdFactory(dong=sindorim,
                                             road_address="서울특별시 구로구 경인로 1")
    make_alert(household_in_sindorim, opened=kst(2026, 2, 1), level="critical", score=99,
               first_contact=kst(2026, 2, 2), closed=kst(2026, 2, 3), reason="supported")
    scope = dashboard_scope(admin_user)
    assert not scope.everywhere
    assert panel_model_hit_rate(scope, period).rows[0][1:3] == [4, 2]
    assert panel_alerts_monthly(scope, period).total == ["합계", 6, 5, 2]


@pytest.fixture
def referrals_in_period(district, dongs, make_referral):
    """Four referrals, three in January–March: worked out by hand below."""
    from referrals.models import Referral
    from tests.fixtures.dashboard import kst

    plan = [
        ("여의동", Referral.Channel.VOLUNTEER, ["meals", "rent"], kst(2026, 2, 1)),
        ("신길1동", Referral.Channel.PUBLIC, ["meals"], kst(2026, 3, 1)),
        ("대림2동", Referral.Channel.STAFF, ["utilities"], kst(2026, 1, 5)),
        ("여의동", Referral.Channel.VOLUNTEER, ["meals"], kst(2026, 4, 10)),  # after the period
    ]
    for n, (dong, channel, categories, at) in enumerate(plan):
        referral = make_referral(dong=dong, channel=channel, categories=categories,
                                 road_address=f"서울 영등포구 여의대방로 {300 + n}")
        Referral.objects.filter(pk=referral.pk).update(created_at=at)
    dashboard_rollup_refresh()  # written past the services


def test_referrals_by_channel(admin_scope, period, referrals_in_period):
    table = panel_referrals_by_channel(admin_scope, period)
    assert row(table, "자원봉사자")[1] == 1
    assert row(table, "주민 제보")[1] == 1
    assert row(table, "담당 공무원 접수")[1] == 1
    assert row(table, "경찰")[1] == 0
    assert table.total == ["합계", 3]


def test_referrals_by_category_counts_each_concern_once(admin_scope, period,
                                                        referrals_in_period):
    table = panel_referrals_by_category(admin_scope, period)
    assert table.rows[0] == ["끼니 거름", 2]
    assert sorted(table.rows[1:]) == [["공과금 미납·단전", 1], ["월세 체납", 1]]


def test_referral_panels_are_scoped_to_staff_dongs(staff1, period, referrals_in_period):
    scope = dashboard_scope(staff1)
    assert panel_referrals_by_channel(scope, period).total == ["합계", 2]
    assert dict(map(tuple, panel_referrals_by_category(scope, period).rows)) == {
        "끼니 거름": 2, "월세 체납": 1}
