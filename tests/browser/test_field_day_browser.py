"""신길1동's joint visit day in a real browser: staff1 plans it on a 360 px phone with the
keyboard, prints the A4 route sheet (print preview), and opens the day's list on the phone."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from outreach.models import FieldDayStop
from tests.browser.steps import sign_in
from tests.factories import DiscoveryAlertFactory, HeadOfHouseholdFactory, HouseholdFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def alerts_due_in_singil(dongs):
    homes = []
    for address, tong, name in [("서울 영등포구 신길로 41", 3, "김영희"),
                                ("서울 영등포구 신길로 5", 3, "박철수"),
                                ("서울 영등포구 가마산로 12", 1, "이순자")]:
        home = HouseholdFactory(dong=dongs["신길1동"], road_address=address, tong=tong, ban=2)
        HeadOfHouseholdFactory(household=home, name=name)
        DiscoveryAlertFactory(household=home, due_on=timezone.localdate())
        homes.append(home)
    return homes


def test_staff_plan_print_and_carry_the_day(live_server, dongs, page, browser, screenshot):
    alerts_due_in_singil(dongs)
    base = live_server.url
    day = timezone.localdate().isoformat()
    page.set_viewport_size({"width": 360, "height": 780})
    sign_in(page, base, "staff1")

    page.goto(f"{base}/field-days/{dongs['신길1동'].pk}/{day}/")
    labels = page.locator("[data-proposal] .checkbox label").all_inner_texts()
    assert [text.split("·")[1].strip() for text in labels[:3]] == [
        "서울 영등포구 가마산로 12", "서울 영등포구 신길로 5", "서울 영등포구 신길로 41"]
    # By keyboard: tick the first two, pick volunteer1 for the first, send.
    first = page.locator("[data-proposal]").nth(0)
    first.get_by_role("checkbox").focus()
    page.keyboard.press("Space")
    first.get_by_label("동행 자원봉사자").select_option(label="volunteer1")
    page.locator("[data-proposal]").nth(1).get_by_role("checkbox").focus()
    page.keyboard.press("Space")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "field-day-plan-360")
    page.get_by_role("button", name="고른 가구를 일정에 넣기").press("Enter")
    expect(page.get_by_text("방문지를 일정에 넣었습니다.")).to_be_visible()
    assert FieldDayStop.objects.count() == 2

    # At a desk (1280 px), the planned route.
    page.set_viewport_size({"width": 1280, "height": 900})
    expect(page.locator("ol.route li")).to_have_count(2)
    screenshot(page, "field-day-plan-1280")
    page.set_viewport_size({"width": 360, "height": 780})

    # The A4 route sheet, as the printer sees it.
    sheet = browser.new_context(viewport={"width": 794, "height": 1123})
    paper = sheet.new_page()
    sign_in(paper, base, "staff1")
    paper.goto(f"{base}/field-days/{dongs['신길1동'].pk}/{day}/sheet/")
    paper.emulate_media(media="print")
    expect(paper.locator(".site-header")).to_be_hidden()
    expect(paper.get_by_role("button", name="인쇄")).to_be_hidden()
    expect(paper.locator("table.sheet tbody tr")).to_have_count(2)
    expect(paper.locator(".route-sheet")).not_to_contain_text("이순자")
    expect(paper.locator(".route-sheet")).to_contain_text("이*자")
    screenshot(paper, "field-day-route-sheet-print")
    sheet.close()

    # The day's list on the phone.
    page.goto(f"{base}/visits/day/")
    expect(page.locator("[data-stop]")).to_have_count(2)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "field-day-day-list-360")
