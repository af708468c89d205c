"""The inbox tells the truth, in a real browser: staff1 records 만남 on an emergency alert;
the row says 연락함 and what is due next (the decision on support), never 기한 지남 for
first contact — also once the clock has moved past the 3-day deadline."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from outreach.models import DiscoveryAlert, RiskAssessment, Visit
from tests.browser.steps import sign_in
from tests.browser.test_visits_browser import LOCAL
from tests.fixtures.work import singil_household  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_met_household_shows_contacted_and_is_never_overdue_for_first_contact(
        live_server, demo, page, screenshot, singil_household, settings):  # noqa: F811
    settings.ALERT_DECIDE_DAYS = 14
    base = live_server.url
    assessment = RiskAssessment.objects.create(household=singil_household, score=93,
                                               level="critical", factors=["단전 2개월"])
    alert = DiscoveryAlert.objects.create(
        household=singil_household, assessment=assessment,
        due_on=timezone.localdate() + timedelta(days=settings.EMERGENCY_FIRST_CONTACT_DAYS))
    page.set_viewport_size({"width": 1280, "height": 900})

    sign_in(page, base, "staff1")
    page.goto(f"{base}/inbox/")
    row = page.locator(f"#item-alert-{alert.pk}")
    expect(row.locator("[data-status]")).to_have_text("접수")
    expect(row.locator("[data-due]")).to_contain_text("첫 접촉")

    # A visit from the row, then 만남 recorded on the visit page.
    row.locator("[data-actions]").click()
    earlier = timezone.localtime() - timedelta(hours=3)
    row.get_by_label("방문 일시").fill(earlier.strftime(LOCAL))
    row.get_by_role("button", name="방문 예정").click()
    expect(page.get_by_text("가정방문 예정")).to_be_visible()
    visit = Visit.objects.get(alert=alert)
    page.goto(f"{base}/visits/{visit.pk}/")
    page.get_by_role("radio", name="만남").check()
    page.get_by_label("방문일시").fill((earlier + timedelta(minutes=20)).strftime(LOCAL))
    page.get_by_role("button", name="기록 저장").click()
    expect(page.get_by_text("방문 결과를 기록했습니다.")).to_be_visible()

    alert.refresh_from_db()
    assert alert.stage == DiscoveryAlert.Stage.CONTACTED
    decide_by = f"{alert.decide_by:%m.%d}까지"
    page.goto(f"{base}/inbox/")
    row = page.locator(f"#item-alert-{alert.pk}")
    expect(row.locator("[data-status]")).to_have_text("연락함")
    expect(row.locator("[data-due]")).to_contain_text("지원 결정")
    expect(row.locator("[data-due]")).to_contain_text(decide_by)
    expect(row.locator("[data-overdue]")).to_have_count(0)

    # Five days on, past the 3-day first-contact deadline: still 연락함, nothing overdue.
    with time_machine.travel(timezone.now() + timedelta(days=5), tick=True):
        sign_in(page, base, "staff1")
        page.goto(f"{base}/inbox/")
        row = page.locator(f"#item-alert-{alert.pk}")
        expect(row.locator("[data-status]")).to_have_text("연락함")
        expect(row.locator("[data-due]")).to_contain_text(decide_by)
        expect(row).not_to_contain_text("기한 지남")
        expect(row).not_to_have_class("overdue emergency")
        screenshot(page, "inbox-contacted-after-deadline-1280")
