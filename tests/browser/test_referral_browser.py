"""volunteer1 refers a neighbour on a 360 px phone through a dropped connection; staff1
triages it at 1280 px by keyboard; volunteer1 sees the new status."""

import pytest
from playwright.sync_api import expect

from households.models import Household
from referrals.models import Referral
from tests.browser.steps import htmx_click, sign_in
from tests.factories import DiscoveryAlertFactory, ReferralFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def other_work_in_staff1s_dongs(dongs):
    household_in_yeoui = Household.objects.filter(dong=dongs["여의동"]).first()
    DiscoveryAlertFactory(household=household_in_yeoui, scored=True, assessment__score=88,
                          assessment__factors=["단전 2개월", "1인 가구"])
    ReferralFactory(channel=Referral.Channel.PUBLIC, dong=dongs["신길1동"],
                    road_address="신길로 150", urgency=Referral.Urgency.ROUTINE,
                    categories=["mail"])


def test_volunteer_refers_offline_then_staff_triages(live_server, dongs, page, browser,
                                                     screenshot):
    other_work_in_staff1s_dongs(dongs)
    base = live_server.url

    # --- volunteer1 on a phone ----------------------------------------------------
    page.set_viewport_size({"width": 360, "height": 740})
    sign_in(page, base, "volunteer1")
    page.goto(f"{base}/volunteer/refer/")
    expect(page.get_by_role("heading", name="이웃 의뢰하기")).to_be_visible()
    expect(page.get_by_label("행정동")).to_have_value(str(dongs["신길1동"].pk))
    page.get_by_label("끼니 거름").check()
    page.get_by_label("홀로 사는 어르신").check()
    page.get_by_label("지금 위험").check()
    page.get_by_label("주소", exact=True).fill("신길로 41")
    page.get_by_label("상세주소 (동·호수)").fill("2층")
    page.get_by_label("통", exact=True).fill("3")
    page.get_by_label("반", exact=True).fill("2")
    page.get_by_label("나이 (대략)").select_option(label="80대")
    page.get_by_label("혼자 사시나요?").select_option(label="예")
    page.get_by_label("본인은 모름").check()
    page.get_by_label("메모").fill("며칠째 불이 꺼져 있고 우편물이 쌓였어요")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "referral-form-360")

    # The connection drops just as the volunteer taps send.
    page.context.set_offline(True)
    page.get_by_role("button", name="의뢰 보내기").click()
    notice = page.locator("[data-offline-notice]")
    expect(notice).to_contain_text("연결되면 자동으로 보냅니다")
    draft = page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('doorstep-draft'))"
                          ".map(k => localStorage.getItem(k))")
    assert len(draft) == 1 and "며칠째 불이 꺼져" in draft[0]
    assert Referral.objects.filter(channel="volunteer").count() == 0
    screenshot(page, "referral-offline-360")

    page.context.set_offline(False)
    expect(page.get_by_role("heading", name="내 의뢰")).to_be_visible(timeout=15000)
    expect(page.locator("[data-status]").first).to_have_text("접수")
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('doorstep-draft'))"
                         ".length") == 0
    page.wait_for_timeout(1500)
    referral = Referral.objects.get(channel="volunteer")
    assert referral.urgency == Referral.Urgency.EMERGENCY
    assert referral.referred_by.username == "volunteer1"
    screenshot(page, "referral-mine-360")

    # --- staff1 at a desk ------------------------------------------------------------
    desk = browser.new_context(viewport={"width": 1280, "height": 900})
    staff = desk.new_page()
    sign_in(staff, base, "staff1")
    expect(staff.locator(".badge")).to_contain_text("1")
    staff.goto(f"{base}/inbox/")
    first_row = staff.locator("table.inbox tbody tr").first
    expect(first_row).to_have_attribute("data-item", f"referral:{referral.pk}")
    expect(first_row).to_contain_text("지금 위험")
    screenshot(staff, "inbox-1280")

    # Assign by keyboard: open the row's actions, the assignee defaults to me, press Enter.
    first_row.locator("[data-actions]").focus()
    staff.keyboard.press("Enter")
    expect(first_row.get_by_label("담당자")).to_be_focused()
    staff.keyboard.press("Tab")
    staff.keyboard.press("Enter")
    row = staff.locator(f"#item-referral-{referral.pk}")
    expect(row.locator("[data-status]")).to_have_text("확인 중")
    expect(row.locator("[data-assignee]")).to_have_text("staff1")

    htmx_click(row.locator("[data-actions]"))
    row.get_by_label("종결 사유").select_option(label="타 기관 처리 중")
    row.get_by_label("종결 메모").fill("정신건강복지센터 사례관리 중")
    row.get_by_role("button", name="종결").click()
    expect(row).to_contain_text("종결")
    screenshot(staff, "inbox-closed-1280")
    referral.refresh_from_db()
    assert (referral.status, referral.close_reason) == ("closed", "other_agency")
    desk.close()

    # --- volunteer1 sees the new status ---------------------------------------------
    page.reload()
    expect(page.locator("[data-status]").first).to_have_text("종결")
    assert Referral.objects.filter(channel="volunteer").count() == 1
