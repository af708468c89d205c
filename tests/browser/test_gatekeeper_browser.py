"""A pharmacy's memo pad: staff1 prints it, a shopkeeper follows its QR link on a phone and
reports a neighbour, staff1 sees the report as coming from the pharmacy in the inbox, and
the dong dashboard counts it under 약국."""

import pytest
from playwright.sync_api import expect

from referrals.models import Referral
from tests.browser.steps import sign_in
from tests.factories import GatekeeperPlaceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_report_through_a_pharmacys_qr_link_reaches_staff1_as_from_that_pharmacy(
        live_server, dongs, staff1, browser, screenshot):
    place = GatekeeperPlaceFactory(dong=dongs["신길1동"], name="신길온누리약국",
                                   road_address="신길로 60", registered_by=staff1)
    base = live_server.url

    # --- staff1 prints the memo pad ------------------------------------------------
    desk = browser.new_context(viewport={"width": 1280, "height": 900})
    staff = desk.new_page()
    sign_in(staff, base, "staff1")
    staff.get_by_role("link", name="게이트키퍼").click()
    row = staff.locator(f"#place-{place.pk}")
    expect(row).to_contain_text("신길온누리약국")
    expect(row.locator("[data-last-report]")).to_have_text("—")
    screenshot(staff, "gatekeeper-places-1280")
    row.get_by_role("link", name="메모지(A6)").click()
    expect(staff.get_by_role("heading", name="이웃이 걱정되시나요?")).to_be_visible()
    expect(staff.locator("svg.qr")).to_be_visible()
    link = staff.locator(".report-url").inner_text().strip()
    assert link == f"{base}/report/?place={place.code}"
    screenshot(staff, "gatekeeper-memo-a6-1280")
    staff.emulate_media(media="print")
    expect(staff.locator(".print-tools")).to_be_hidden()
    staff.emulate_media(media="screen")
    staff.get_by_role("link", name="포스터(A4)").click()
    expect(staff.locator("[data-paper=A4] svg.qr")).to_be_visible()
    screenshot(staff, "gatekeeper-poster-a4-1280")

    # --- a shopkeeper follows the QR link on a phone, no account -------------------------
    phone_context = browser.new_context(viewport={"width": 360, "height": 740})
    phone = phone_context.new_page()
    phone.goto(link)
    expect(phone.locator("[data-gatekeeper-place]")).to_contain_text("신길온누리약국")
    expect(phone.get_by_label("어느 동인가요?")).to_have_value(str(dongs["신길1동"].pk))
    phone.get_by_label("어디인가요? (주소 또는 건물 이름)").fill("신길로 41")
    phone.get_by_label("끼니 거름").check()
    phone.get_by_label("무슨 일인지 적어 주세요").fill("단골 할아버지가 며칠째 약을 못 사 가세요")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "gatekeeper-report-form-360")
    phone.get_by_role("button", name="제보하기").click()
    expect(phone.get_by_role("heading", name="제보해 주셔서 고맙습니다")).to_be_visible()
    screenshot(phone, "gatekeeper-report-done-360")
    referral = Referral.objects.get()
    assert referral.gatekeeper_place_id == place.pk and referral.referred_by is None
    phone_context.close()

    # --- staff1 sees where it came from, and the dashboard counts it under 약국 -----------
    staff.goto(f"{base}/inbox/")
    row = staff.locator(f"#item-referral-{referral.pk}")
    expect(row).to_contain_text("약국 신길온누리약국 통해")
    screenshot(staff, "gatekeeper-inbox-1280")
    staff.goto(f"{base}/dashboard/dong/")
    kinds = staff.locator("#table-gatekeepers_by_kind")
    expect(kinds.locator("tbody tr", has_text="약국").first.locator("td").first).to_have_text("1")
    expect(staff.locator("#table-gatekeeper_places tbody tr", has_text="신길온누리약국")
           .locator("td").nth(3)).to_have_text("1")
    staff.locator("#panel-gatekeepers_by_kind").scroll_into_view_if_needed()
    screenshot(staff, "gatekeeper-dashboard-1280")

    # The places page and the memo pad on a 360 px phone.
    staff.set_viewport_size({"width": 360, "height": 740})
    staff.goto(f"{base}/gatekeepers/")
    expect(staff.locator(f"#place-{place.pk} [data-last-report]")).not_to_have_text("—")
    assert staff.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(staff, "gatekeeper-places-360")
    staff.goto(f"{base}/gatekeepers/{place.pk}/print/memo/")
    assert staff.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(staff, "gatekeeper-memo-360")
    desk.close()
