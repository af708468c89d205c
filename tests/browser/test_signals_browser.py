"""admin uploads an agency file at 1280 px and watches it; staff1 then sees the alerts."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _tasks_in_process(settings, tmp_path):
    """The embedded mode: the upload's tasks run in the server's process."""
    from config.celery import app

    settings.MEDIA_ROOT = str(tmp_path / "media")
    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("아이디").fill(username)
    page.get_by_label("비밀번호").fill("doorstep-demo")
    page.get_by_role("button", name="로그인").click()


def test_admin_uploads_and_staff1_sees_the_new_alerts(live_server, demo, story_file,
                                                      people, page, screenshot):
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, live_server, "admin")
    page.get_by_role("link", name="위기정보", exact=True).click()
    expect(page.get_by_role("heading", name="위기정보 파일", exact=True)).to_be_visible()
    page.get_by_label("제공 기관").select_option("ssis")
    page.get_by_label("파일 (CSV 또는 XLSX)").set_input_files(str(story_file("cp949")))
    screenshot(page, "signals-upload-1280")
    page.get_by_role("button", name="올리기").click()

    progress = page.locator(".batch-progress")
    expect(progress.locator("[data-status]")).to_have_text("완료")
    expect(progress.locator('[data-count="accepted"]')).to_have_text("6")
    expect(progress.locator('[data-count="rejected"]')).to_have_text("5")
    expect(progress.locator('[data-count="alerts_opened"]')).to_have_text("2")
    rejected = page.locator("table.list tbody tr")
    expect(rejected).to_have_count(5)
    expect(rejected.nth(1)).to_contain_text("알 수 없는 위기정보 '외계인 침공'")
    expect(page.get_by_role("link", name="오류 보고서 내려받기 (CSV)")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    screenshot(page, "signals-batch-1280")
    page.set_viewport_size({"width": 360, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "signals-batch-360")
    page.set_viewport_size({"width": 1280, "height": 900})

    # What if the threshold were 20? The preview counts, nothing is saved.
    page.get_by_role("link", name="‹ 위기정보 파일 목록").click()
    page.get_by_role("link", name="위험도 모델 가중치 조정").click()
    page.get_by_label("발굴 기준 점수").fill("20")
    page.get_by_role("button", name="미리보기").click()
    expect(page.locator('[data-preview="now-alerts"]')).to_have_text("2")
    expect(page.locator('[data-preview="edited-alerts"]')).to_have_text("3")
    expect(page.get_by_label("발굴 기준 점수")).to_have_value("20")
    screenshot(page, "signals-risk-model-1280")

    page.get_by_role("button", name="로그아웃").click()
    sign_in(page, live_server, "staff1")
    page.get_by_role("link", name="발굴 대상", exact=True).click()
    rows = page.locator("tr.alert-row")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("김*희")
    expect(rows.first.locator(".factors")).to_contain_text("단전 2개월 · 단수")
    expect(page.get_by_text("미등록 거주", exact=True)).to_be_visible()
    screenshot(page, "signals-alerts-1280")
    page.set_viewport_size({"width": 360, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "signals-alerts-360")
