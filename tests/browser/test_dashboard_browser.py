"""admin opens the district dashboard at 1280 px and 360 px, changes the period, and
exports a table to Excel with a reason."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from households.models import AccessLog, Household
from outreach.dashboards.rollups import dashboard_rollup_refresh
from tests.fixtures.dashboard import make_alert, make_visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def some_work(demo, dongs, admin_user, staff1):
    now = timezone.now()
    for i, household in enumerate(Household.objects.order_by("id")[:12]):
        opened = now - timedelta(days=2 + i)
        make_alert(household, opened=opened, level="critical" if i % 3 == 0 else "medium",
                   score=40 + 5 * i, version=1 + i % 2, factors=["단전 2개월"],
                   first_contact=opened + timedelta(days=1 + i % 5),
                   closed=opened + timedelta(days=1) if i % 2 else None,
                   reason="supported" if i % 4 == 1 else "no_need")
        if i % 2 == 0:
            make_visit(household, staff1, when=opened + timedelta(days=1), outcome="met")
    dashboard_rollup_refresh()  # written through the ORM, past the services


def sign_in(page, live_server):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("아이디").fill("admin")
    page.get_by_label("비밀번호").fill("doorstep-demo")
    page.get_by_label("비밀번호").press("Enter")
    expect(page.get_by_role("heading", name="구 관리자")).to_be_visible()


def test_admin_reads_changes_period_and_exports_to_excel(live_server, some_work, page,
                                                         screenshot):
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server)
    page.get_by_role("link", name="구 현황").click()
    expect(page.get_by_role("heading", name="구 복지 현황")).to_be_visible()
    expect(page.locator("#table-first_contact")).to_be_visible()
    expect(page.locator("svg.chart").first).to_be_visible()
    screenshot(page, "dashboard-district-1280")

    # Change the period: last year only, which has no data at all.
    last_year = timezone.localdate().year - 1
    page.get_by_label("시작 월").fill(f"{last_year}-01")
    page.get_by_label("종료 월").fill(f"{last_year}-12")
    page.get_by_role("button", name="조회").click()
    expect(page.get_by_text(f"{last_year}년 1월 ~ {last_year}년 12월").first).to_be_visible()
    expect(page.get_by_text("선택한 기간에는 자료가 없습니다")).to_be_visible()

    # Back to this year, on a phone.
    this_year = timezone.localdate().year
    page.set_viewport_size({"width": 360, "height": 780})
    page.get_by_label("시작 월").fill(f"{this_year}-01")
    page.get_by_label("종료 월").fill(f"{timezone.localdate():%Y-%m}")
    page.get_by_role("button", name="조회").click()
    expect(page.get_by_text("선택한 기간에는 자료가 없습니다")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "dashboard-district-360")

    # Export the first-contact table to Excel, with a reason.
    panel = page.locator("#panel-first_contact")
    panel.locator("summary").click()
    panel.get_by_label("파일 형식").select_option("xlsx")
    panel.get_by_label("내보내는 사유").fill("구 복지정책회의 보고")
    with page.expect_download() as download_info:
        panel.get_by_role("button", name="내려받기").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    with open(download.path(), "rb") as f:
        sheet = load_workbook(io.BytesIO(f.read())).active
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["행정동", "경보", "접촉 완료"]
    first_column = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert "여의동" in first_column and first_column[-1] == "합계"
    assert sum(row[1].value for row in sheet.iter_rows(min_row=2, max_row=19)) == 12

    row = AccessLog.objects.get(action="export")
    assert (row.username, row.object_id, row.reason) == ("admin", "first_contact",
                                                         "구 복지정책회의 보고")


def test_the_monthly_report_prints_on_a4(live_server, some_work, page, screenshot):
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/dashboard/report/")
    expect(page.get_by_role("heading", name="복지사각지대 발굴 현황 보고서")).to_be_visible()
    page.emulate_media(media="print")
    # Nothing but the report: no navigation, no forms.
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator("form.no-print")).to_be_hidden()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    screenshot(page, "dashboard-report-print")


def test_staff1_reads_the_dong_dashboard_on_a_phone(live_server, some_work, page, screenshot):
    page.set_viewport_size({"width": 360, "height": 780})
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("아이디").fill("staff1")
    page.get_by_label("비밀번호").fill("doorstep-demo")
    page.get_by_label("비밀번호").press("Enter")
    page.get_by_role("link", name="동 현황").click()
    expect(page.get_by_role("heading", name="동 복지 현황")).to_be_visible()
    page.get_by_label("행정동", exact=True).select_option(label="신길1동")
    page.get_by_role("button", name="조회").click()
    expect(page.locator("#table-first_contact tbody th")).to_have_text(["신길1동"])
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "dashboard-dong-360")
