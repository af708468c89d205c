"""admin opens the district dashboard at 1280 px and 360 px: the map draws all 18 dongs,
Tab walks through every dong (the caption says its value) and Enter opens its page."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from households.models import Dong, Household
from outreach.dashboards.rollups import dashboard_rollup_refresh
from tests.fixtures.dashboard import make_alert

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def open_alerts(demo, admin_user):
    """Open alerts in a few dongs, some past their first-contact date."""
    now = timezone.now()
    for i, household in enumerate(Household.objects.order_by("id")[:14:2]):
        make_alert(household, opened=now - timedelta(days=20 + i),
                   due_on=(now - timedelta(days=i)).date())
    dashboard_rollup_refresh()


def sign_in(page, live_server, username="admin", role="구 관리자"):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("아이디").fill(username)
    page.get_by_label("비밀번호").fill("doorstep-demo")
    page.get_by_label("비밀번호").press("Enter")
    expect(page.get_by_role("heading", name=role)).to_be_visible()


def shoot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#map").screenshot(path=str(ARTIFACTS / f"{name}.png"))


@pytest.mark.parametrize("width", [1280, 360])
def test_tab_reaches_every_dong_and_enter_opens_its_dashboard(live_server, open_alerts,
                                                              page, width):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/dashboard/district/")
    dongs = list(Dong.objects.order_by("code"))
    shapes = page.locator("svg.dong-map a.map-dong")
    expect(shapes).to_have_count(18)
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    # Colour the map by open alerts per 1,000 households with the plain form.
    page.get_by_label("지도에 칠할 수치").select_option("open_alerts")
    with page.expect_navigation():
        page.get_by_role("button", name="지도 보기").click()
    page.wait_for_load_state("load")
    assert "map=open_alerts" in page.url
    expect(page.get_by_label("지도에 칠할 수치")).to_have_value("open_alerts")
    expect(shapes).to_have_count(18)

    # From the form's button, Tab goes through the 18 dongs in the order of their codes.
    page.get_by_role("button", name="지도 보기").focus()
    caption = page.locator("#map-caption")
    for number, dong in enumerate(dongs, start=1):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "document.activeElement.id || document.activeElement.outerHTML.slice(0, 200)")
        assert focused == f"map-dong-{dong.pk}", (number, dong.short_name)
        expect(caption).to_contain_text(f"{number}. {dong}")
        if number == 3:
            expect(caption).to_contain_text("진행 중 경보 (1,000가구당)")
            shoot(page, f"dashboard-map-{width}")

    # Back to the third dong (여의동) and Enter: its own dashboard opens.
    third = dongs[2]
    page.locator(f"#map-dong-{third.pk}").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="동 복지 현황")).to_be_visible()
    assert f"dong={third.pk}" in page.url
    expect(page.locator("#id_dong")).to_have_value(str(third.pk))


def test_a_click_on_a_dong_opens_its_dashboard(live_server, open_alerts, page):
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/dashboard/district/?map=overdue")
    dong = Dong.objects.get(short_name="대림2동")
    page.locator(f"#map-dong-{dong.pk}").click()
    expect(page.get_by_role("heading", name="동 복지 현황")).to_be_visible()
    assert f"dong={dong.pk}" in page.url


def test_staff_see_their_two_dongs_on_the_district_outline(live_server, open_alerts, page,
                                                           staff1):
    page.set_viewport_size({"width": 360, "height": 780})
    sign_in(page, live_server, "staff1", "동 복지담당")
    page.goto(f"{live_server.url}/dashboard/dong/?map=overdue")
    expect(page.locator("svg.dong-map a.map-dong")).to_have_count(2)
    expect(page.locator("svg.dong-map g.map-outside")).to_have_count(16)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shoot(page, "dashboard-map-staff1-360")
