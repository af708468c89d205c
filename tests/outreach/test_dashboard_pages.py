"""The dashboard pages: who may open them, the period picker, empty periods, queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from outreach.dashboards.rollups import dashboard_rollup_refresh
from tests.fixtures.dashboard import kst, make_alert, make_visit

PERIOD = {"start": "2026-01", "end": "2026-03"}


def test_admin_sees_every_panel_with_chart_and_table(client_as, admin_user, district):
    response = client_as(admin_user).get(reverse("dashboard_district"), PERIOD)
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("discovery_targets", "first_contact", "model_hit_rate", "model_by_age",
                 "model_by_dong", "visits_monthly", "overdue_alerts"):
        assert f'id="table-{name}"' in html
    # Real charts: SVG bars and lines, each pointing at its table.
    assert 'aria-describedby="table-first_contact"' in html
    assert "<polyline" in html and "<rect" in html
    assert "2026년 1월 ~ 2026년 3월" in html
    assert "자료가 없습니다. 모든 수치가 0" not in html


def test_figures_on_the_page_are_formatted_the_korean_way(client_as, admin_user, district):
    html = client_as(admin_user).get(reverse("dashboard_district"), PERIOD).content.decode()
    assert "66.7%" in html  # emergencies contacted within 3 days: 2 of 3
    assert "5.5일" in html  # 여의동's median days to first contact
    assert "2.00배" in html  # lift of the top 10%


def test_a_period_with_no_data_shows_zeros_and_says_so(client_as, admin_user, district):
    response = client_as(admin_user).get(reverse("dashboard_district"),
                                         {"start": "2020-01", "end": "2020-02"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "선택한 기간에는 자료가 없습니다" in html
    assert "2020년 1월" in html


@pytest.mark.parametrize("query, message", [
    ({"start": "2026-13", "end": "2026-12"}, "월은 1에서 12 사이"),
    ({"start": "2026-03", "end": "2026-01"}, "종료 월(2026-01)이 시작 월(2026-03)보다 앞섭니다"),
    ({"start": "March", "end": "2026-04"}, "올바른 월이 아닙니다"),
    ({"start": "1850-01", "end": "1850-02"}, "연도는 2000년에서 2100년 사이"),
    ({"start": "2010-01", "end": "2026-01"}, "최대 60개월"),
    ({"year": "abc"}, "연도는 숫자로"),
])
def test_an_impossible_period_is_a_400_with_a_korean_message(client_as, admin_user, district,
                                                             query, message):
    response = client_as(admin_user).get(reverse("dashboard_district"), query)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    # What was typed stays in the form.
    for value in query.values():
        assert f'value="{value}"' in html


def test_a_whole_year(client_as, admin_user, district):
    response = client_as(admin_user).get(reverse("dashboard_district"), {"year": "2025"})
    assert response.status_code == 200
    assert response.context["period"].label == "2025년 1월 ~ 2025년 12월"


def test_dong_staff_cannot_open_the_district_dashboard(client_as, staff1, district):
    response = client_as(staff1).get(reverse("dashboard_district"))
    assert response.status_code == 403
    assert "구 관리자만" in response.content.decode()


def test_dong_staff_see_their_own_dongs(client_as, staff1, district):
    response = client_as(staff1).get(reverse("dashboard_dong"), PERIOD)
    assert response.status_code == 200
    names = [str(d) for d in response.context["dash_scope"].dongs]
    assert names == ["여의동", "신길1동"]
    assert "대림2동" not in response.content.decode()


def test_a_dong_outside_the_scope_is_a_404(client_as, staff1, district, dongs):
    response = client_as(staff1).get(reverse("dashboard_dong"),
                                     {**PERIOD, "dong": dongs["대림2동"].pk})
    assert response.status_code == 404
    assert "범위 밖" in response.content.decode()


def test_volunteers_have_no_dashboard(client_as, volunteer1, district):
    assert client_as(volunteer1).get(reverse("dashboard_dong")).status_code == 403


def test_printable_monthly_report_has_no_names(client_as, admin_user, district):
    response = client_as(admin_user).get(reverse("dashboard_report"),
                                         {"start": "2026-03", "end": "2026-03"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "2026년 3월" in html and "data-print" in html
    assert 'id="table-overdue_alerts"' not in html
    assert 'id="table-first_contact"' in html


def test_the_monthly_report_defaults_to_last_month(client_as, admin_user, district):
    response = client_as(admin_user).get(reverse("dashboard_report"))
    assert response.context["period"].label == "2026년 3월"


def _add_a_month_of_work(district, n):
    """n more households' alerts and visits in January, in every dong of the fixture."""
    staff = district["alerts"][1].household.visits.first().staff
    households = list(district["households"].values())
    for i in range(n):
        household = households[i % len(households)]
        make_alert(household, opened=kst(2026, 1, 2) + timedelta(hours=i), level="high",
                   score=40 + i % 60, version=1 + i % 3, factors=[f"단전 {i % 4}개월"],
                   first_contact=kst(2026, 1, 4), closed=kst(2026, 1, 20),
                   reason="supported" if i % 2 else "no_need")
        make_visit(household, staff, when=kst(2026, 1, 5), outcome="met")
    dashboard_rollup_refresh()


def test_the_district_dashboard_query_count_does_not_grow_with_data(
        client_as, admin_user, district, django_assert_max_num_queries):
    client = client_as(admin_user)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("dashboard_district"), PERIOD).status_code == 200
    _add_a_month_of_work(district, 60)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("dashboard_district"), PERIOD)
    assert response.context["sections"][0][1][1].table.rows[0][1] == 62  # January grew


def test_admin_sets_the_years_targets(client_as, admin_user, district, dongs):
    from outreach.models import DiscoveryTarget

    client = client_as(admin_user)
    page = client.get(reverse("dashboard_targets"), {"year": 2026})
    assert page.status_code == 200
    yeoui, singil = dongs["여의동"].pk, dongs["신길1동"].pk
    data = {"year": 2026, f"dong-{yeoui}-target": "12", f"dong-{singil}-target": ""}
    response = client.post(reverse("dashboard_targets"), data)
    assert response.status_code == 302
    assert DiscoveryTarget.objects.get(dong_id=yeoui, year=2026).target == 12
    # Blank puts 신길1동 back on the default (last year's actual 0 × 1.1 = 0).
    assert not DiscoveryTarget.objects.filter(dong_id=singil, year=2026).exists()


def test_a_negative_target_is_refused_and_kept(client_as, admin_user, district, dongs):
    from outreach.models import DiscoveryTarget

    yeoui = dongs["여의동"].pk
    response = client_as(admin_user).post(reverse("dashboard_targets"),
                                          {"year": 2026, f"dong-{yeoui}-target": "-3"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "목표는 0 이상" in html and 'value="-3"' in html
    assert DiscoveryTarget.objects.filter(dong_id=yeoui).count() == 0


def test_only_admins_set_targets(client_as, staff1, district):
    assert client_as(staff1).get(reverse("dashboard_targets")).status_code == 403


def test_dashboard_home_sends_each_role_to_its_page(client_as, admin_user, staff1, district):
    assert client_as(admin_user).get("/dashboard/").url == reverse("dashboard_district")
    assert client_as(staff1).get("/dashboard/").url == reverse("dashboard_dong")
