"""partner1 marks the food bank full on a phone; staff1, sending a household to it at a
desk, is warned and confirms before the request goes."""

import pytest
from playwright.sync_api import expect

from referrals.models import ServiceLink
from tests.browser.steps import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_full_service_is_marked_by_its_provider_and_confirmed_by_the_worker(
        live_server, catalogue, food_bank, yeouido_household, browser, screenshot, staff1,
        consent_for):
    consent_for(yeouido_household, staff1)  # 정보 제공 동의, which a link needs
    base = live_server.url
    food = catalogue["푸드뱅크·푸드마켓"]

    phone_context = browser.new_context(viewport={"width": 360, "height": 740})
    phone = phone_context.new_page()
    sign_in(phone, base, "partner1")
    phone.goto(f"{base}/partner/links/")
    card = phone.locator(f"[data-capacity='{food.pk}']")
    card.get_by_label("여력").select_option(label="정원 마감")
    card.get_by_label("대기 인원").fill("12")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    card.get_by_role("button", name="여력 저장").click()
    card = phone.locator(f"[data-capacity='{food.pk}']")
    expect(card.locator("[data-capacity-now]")).to_contain_text("정원 마감 · 대기 12명")
    screenshot(phone, "capacity-partner-360")
    phone_context.close()

    desk = browser.new_context(viewport={"width": 1280, "height": 900})
    staff = desk.new_page()
    sign_in(staff, base, "staff1")
    staff.goto(f"{base}/households/{yeouido_household.pk}/work/")
    expect(staff.locator("[data-capacity-notes]")).to_contain_text("정원 마감 · 대기 12명")
    staff.locator("select[name=service]").select_option(str(food.pk))
    staff.locator("select[name=provider]").select_option(str(food_bank.pk))
    staff.locator("textarea[name=note]").fill("쌀, 라면")
    staff.get_by_role("button", name="연계 요청").click()
    expect(staff.locator("[data-confirm-full]")).to_be_visible()
    expect(staff.get_by_role("alert").or_(staff.locator(".errorlist")).first).to_contain_text(
        "정원 마감 · 대기 12명")
    assert not ServiceLink.objects.exists()
    screenshot(staff, "capacity-warning-1280")
    staff.get_by_label("정원이 찬 줄 알고 보냅니다").check()
    staff.get_by_role("button", name="연계 요청").click()
    expect(staff.get_by_text("서비스 연계를 요청했습니다.")).to_be_visible()
    assert ServiceLink.objects.get().provider == food_bank
    desk.close()
