"""admin opens the seeded demo district (three years of past) at 1280 px and on a 360 px
phone: the district dashboard and the monthly report show figures and whole labels."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from households.dates import add_months
from tests.browser.test_dashboard_browser import sign_in
from tests.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seeded_district(db):
    call_command("seed_demo", households=540, signals=0, quiet_logins=True,
                 stdout=io.StringIO())


def panel_shot(page, name: str, file: str) -> None:
    """A screenshot of one panel (chart and table) to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    panel = page.locator(f"#panel-{name}")
    panel.scroll_into_view_if_needed()
    panel.screenshot(path=str(ARTIFACTS / f"{file}.png"))


def no_horizontal_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("width", [1280, 360])
def test_the_district_dashboard_shows_the_past(live_server, seeded_district, page, screenshot,
                                               width):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/dashboard/district/")
    expect(page.get_by_role("heading", name="구 복지 현황")).to_be_visible()
    expect(page.get_by_text("선택한 기간에는 자료가 없습니다")).to_have_count(0)
    expect(page.locator("#table-discovery_targets")).to_contain_text("설정")
    panel_shot(page, "discovery_targets", f"demo-dashboard-targets-{width}")
    expect(page.locator("svg[aria-describedby='table-referrals_by_channel']")).to_contain_text(
        "담당 공무원 접수")
    panel_shot(page, "referrals_by_channel", f"demo-dashboard-channels-{width}")
    panel_shot(page, "provider_rates", f"demo-dashboard-providers-{width}")
    no_horizontal_scroll(page)

    # Three years back to this month.
    this_month = timezone.localdate().replace(day=1)
    page.goto(f"{live_server.url}/dashboard/district/?start={add_months(this_month, -35):%Y-%m}"
              f"&end={this_month:%Y-%m}")
    panel_shot(page, "alerts_monthly", f"demo-dashboard-36-months-{width}")
    panel_shot(page, "visits_monthly", f"demo-dashboard-visits-36-months-{width}")
    page.goto(f"{live_server.url}/dashboard/district/")  # this year: Jan to this month
    panel_shot(page, "alerts_monthly", f"demo-dashboard-this-year-{width}")
    screenshot(page, f"demo-dashboard-{width}")


@pytest.mark.parametrize("width", [1280, 360])
def test_the_monthly_report_of_last_month_has_figures(live_server, seeded_district, page,
                                                      screenshot, width):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/dashboard/report/")
    expect(page.locator("#table-alerts_monthly")).to_be_visible()
    expect(page.get_by_text("이 기간에는 자료가 없어 0입니다.")).not_to_have_count(
        page.locator("article.panel").count())
    panel_shot(page, "first_contact", f"demo-report-first-contact-{width}")
    panel_shot(page, "service_links", f"demo-report-links-{width}")
    panel_shot(page, "volunteer_activity", f"demo-report-volunteers-{width}")
    screenshot(page, f"demo-report-{width}")
    no_horizontal_scroll(page)
