"""In a real browser: staff1 records a household's consent and sends a service link; the
case's closure goes to the team lead, lead1 returns it with a note, staff1 asks again,
lead1 approves it and the case closes."""

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from outreach.models import Case
from outreach.services.approvals import approval_decide, case_plan_submit
from outreach.services.cases import case_advance, case_goal_add, case_open
from referrals.models import ServiceLink
from tests.browser.steps import sign_in
from tests.browser.test_visits_browser import sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _case_at_monitoring(household):
    users = get_user_model().objects
    staff1, lead1 = users.get(username="staff1"), users.get(username="lead1")
    case = case_open(household=household, manager=staff1, user=staff1)
    for stage in ("assessment", "plan"):
        case = case_advance(case=case, user=staff1, to_stage=stage)
    case_goal_add(case=case, user=staff1, description="식생활 안정")
    approval_decide(approval=case_plan_submit(case=case, user=staff1), user=lead1,
                    decision="approved")
    return case_advance(case=case, user=staff1, to_stage="monitoring")


def _decide(page, base, decision, note=""):
    page.goto(f"{base}/")
    page.get_by_role("link", name="결재함").first.click()
    card = page.locator("section.approval").first
    card.get_by_role("radio", name=decision).check()
    if note:
        card.get_by_label("의견").fill(note)
    card.get_by_role("button", name="결재").click()
    expect(page.get_by_text("결재했습니다.")).to_be_visible()


def test_consent_then_link_and_a_closure_returned_then_approved(
        live_server, demo, page, screenshot, catalogue, yeouido_household):
    base, household = live_server.url, yeouido_household
    case = _case_at_monitoring(household)

    # staff1: no consent yet, so first the person's consent, then the link goes.
    page.set_viewport_size({"width": 360, "height": 800})
    sign_in(page, base, "staff1")
    page.goto(f"{base}/households/{household.pk}/work/")
    expect(page.get_by_text("동의 없음")).to_be_visible()
    page.get_by_label("동의 방법").select_option(label="서면 동의")
    page.get_by_label("동의일").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="동의 기록").click()
    expect(page.get_by_text("정보 제공 동의를 기록했습니다.")).to_be_visible()
    page.locator("#consent").scroll_into_view_if_needed()
    screenshot(page, "consent-recorded-360")
    page.get_by_role("combobox", name="서비스:").select_option(label="푸드뱅크·푸드마켓 (민간)")
    page.get_by_label("제공기관").select_option(label="영등포구 푸드뱅크")
    page.get_by_role("button", name="연계 요청").click()
    expect(page.get_by_text("서비스 연계를 요청했습니다.")).to_be_visible()
    link = ServiceLink.objects.get(household=household)
    assert link.consent is not None and link.consent.method == "written"

    # staff1 asks to close the case: it stays open until the team lead decides.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{base}/cases/{case.pk}/")
    page.get_by_label("종결 사유").select_option(label="목표 달성")
    page.get_by_role("button", name="종결 결재 요청").click()
    expect(page.get_by_text("종결 결재를 요청했습니다")).to_be_visible()
    assert Case.objects.get(pk=case.pk).closed_at is None
    sign_out(page)

    # lead1 returns it with a note.
    sign_in(page, base, "lead1")
    page.goto(f"{base}/approvals/")
    expect(page.get_by_text("종결 사유: 목표 달성")).to_be_visible()
    screenshot(page, "approvals-lead1-1280")
    page.set_viewport_size({"width": 360, "height": 800})
    screenshot(page, "approvals-lead1-360")
    _decide(page, base, "반려", "점검 기록을 하나 더 남겨 주세요")
    assert Case.objects.get(pk=case.pk).closed_at is None
    sign_out(page)

    # staff1 sees the note and asks again.
    sign_in(page, base, "staff1")
    page.goto(f"{base}/approvals/")
    expect(page.get_by_text("점검 기록을 하나 더 남겨 주세요")).to_be_visible()
    page.goto(f"{base}/cases/{case.pk}/")
    page.get_by_label("점검 내용").fill("식품 지원 후 끼니를 거르지 않음")
    page.get_by_role("button", name="점검 기록 추가").click()
    page.get_by_label("종결 사유").select_option(label="목표 달성")
    page.get_by_role("button", name="종결 결재 요청").click()
    expect(page.get_by_text("종결 결재를 요청했습니다")).to_be_visible()
    sign_out(page)

    # lead1 approves: the case closes.
    sign_in(page, base, "lead1")
    _decide(page, base, "승인")
    page.goto(f"{base}/cases/{case.pk}/")
    expect(page.locator(".stages li.current")).to_have_text("종결")
    screenshot(page, "case-closed-after-approval-360")
    assert Case.objects.get(pk=case.pk).closed_at is not None
