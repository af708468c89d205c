"""The whole path, in a real browser: an open alert for a 여의동 household → staff1
schedules a visit with volunteer1 → 부재 → second visit 만남 with needs → two service links →
partner1 accepts and completes one with 환가액 → a case through its stages to closure →
the follow-up comes back as an open alert when due (frozen time)."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from outreach.models import Case, DiscoveryAlert, Visit
from outreach.services.approvals import approval_decide
from outreach.services.pairings import pairing_create
from outreach.tasks import case_follow_ups_due
from referrals.models import ServiceLink
from tests.browser.steps import sign_in
from tests.factories import DiscoveryAlertFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LOCAL = "%Y-%m-%dT%H:%M"


def sign_out(page):
    page.get_by_role("button", name="로그아웃").click()


def test_alert_to_visit_to_links_to_case_to_follow_up(
        live_server, demo, page, screenshot, catalogue, yeouido_household):
    base = live_server.url
    household = yeouido_household
    alert = DiscoveryAlertFactory(household=household)
    page.set_viewport_size({"width": 1024, "height": 900})

    # staff1 finds the alert in the inbox and schedules a visit with volunteer1 from its row.
    sign_in(page, base, "staff1")
    page.goto(f"{base}/inbox/")
    row = page.locator(f"#item-alert-{alert.pk}")
    expect(row).to_be_visible()
    row.locator("[data-actions]").click()
    earlier = timezone.localtime() - timedelta(hours=3)
    row.get_by_label("방문 일시").fill(earlier.strftime(LOCAL))
    row.get_by_label("동행 봉사자").select_option(label="volunteer1")
    row.get_by_role("button", name="방문 예정").click()
    expect(page.get_by_text("가정방문 예정")).to_be_visible()
    first = Visit.objects.get(household=household)
    assert (first.companion.username, first.alert_id) == ("volunteer1", alert.pk)
    page.goto(f"{base}/households/{household.pk}/work/")

    # 부재 → the second attempt is booked.
    page.get_by_role("link", name=timezone.localtime(first.scheduled_for).strftime(
        "%Y-%m-%d %H:%M")).click()
    page.get_by_role("radio", name="부재").check()
    page.get_by_label("방문일시").fill((earlier + timedelta(minutes=30)).strftime(LOCAL))
    page.get_by_role("button", name="기록 저장").click()
    expect(page.get_by_text("다음 방문")).to_be_visible()
    page.locator("p.message a").click()
    expect(page.get_by_role("heading", name="가정방문 2차")).to_be_visible()

    # 만남, with needs by domain, on a tablet.
    page.set_viewport_size({"width": 768, "height": 1024})
    page.get_by_role("radio", name="만남").check()
    page.get_by_label("관찰 내용").fill("냉장고가 비어 있고 난방을 하지 않음")
    page.get_by_label("위기 수준").select_option(label="위기")
    page.get_by_label("식생활 욕구").select_option(label="높음")
    page.get_by_label("식생활 메모").fill("끼니를 자주 거름")
    page.get_by_label("소득 욕구").select_option(label="보통")
    screenshot(page, "visit-record-768")
    page.get_by_role("button", name="기록 저장").click()
    expect(page.get_by_text("방문 결과를 기록했습니다.")).to_be_visible()
    second = Visit.objects.get(previous_attempt=first)
    assert second.outcome == "met"
    assert {n.domain: n.level for n in second.needs.all()} == {"food": "high", "income": "medium"}

    # Two service links.
    page.set_viewport_size({"width": 1024, "height": 900})
    page.get_by_role("link", name="방문·연계·사례").click()
    # The person agrees to share their details with the providers (구두 동의): first.
    page.get_by_label("동의 방법").select_option(label="구두 동의")
    page.get_by_label("동의일").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="동의 기록").click()
    expect(page.get_by_text("정보 제공 동의를 기록했습니다.")).to_be_visible()
    for service, provider in [("푸드뱅크·푸드마켓 (민간)", "영등포구 푸드뱅크"),
                              ("기초생활보장 생계급여 (공공)", "영등포구청 복지정책과")]:
        page.get_by_role("combobox", name="서비스:").select_option(label=service)
        page.get_by_label("제공기관").select_option(label=provider)
        page.get_by_role("button", name="연계 요청").click()
        expect(page.get_by_text("서비스 연계를 요청했습니다.")).to_be_visible()
    assert ServiceLink.objects.filter(household=household).count() == 2
    screenshot(page, "household-work-1024")
    sign_out(page)

    # partner1 accepts and completes the food bank link with its 환가액.
    sign_in(page, base, "partner1")
    page.get_by_role("link", name="서비스 요청").click()
    expect(page.locator("table.list tbody tr")).to_have_count(1)
    page.locator("table.list tbody tr a").first.click()
    expect(page.get_by_text("수락하면 보입니다.")).to_be_visible()
    page.get_by_role("button", name="요청 수락").click()
    expect(page.get_by_text(household.road_address)).to_be_visible()
    page.get_by_label("환가액(원)").fill("95000")
    page.get_by_role("button", name="제공 완료").click()
    expect(page.get_by_text("95,000원")).to_be_visible()
    screenshot(page, "partner-link-1024")
    food = ServiceLink.objects.get(household=household, provider__code="ydp-foodbank")
    assert (food.status, food.actual_value) == ("completed", 95000)
    sign_out(page)

    # A case through its stages to closure.
    sign_in(page, base, "staff1")
    page.goto(f"{base}/households/{household.pk}/work/")
    page.get_by_role("button", name="사례 접수").click()
    page.get_by_role("link", name="사례 #").first.click()
    for stage in ["욕구 사정", "계획"]:
        page.get_by_role("button", name="단계 진행").click()
        expect(page.locator(".stages li.current")).to_have_text(stage)
    page.get_by_label("목표:", exact=True).fill("식생활 안정: 월 1회 식품 지원")
    page.get_by_label("푸드뱅크·푸드마켓 · 영등포구 푸드뱅크 (완료)").check()
    page.get_by_role("button", name="목표 추가").click()
    # The plan goes to the team lead; lead1 approves it (their page has its own test).
    page.get_by_role("button", name="계획 결재 요청").click()
    # The request's page first: a reload while it still loads finds no page to reload.
    expect(page.get_by_text("승인하면 서비스 제공 단계로 넘어갑니다")).to_be_visible()
    case = Case.objects.get(household=household)
    approval_decide(approval=case.approvals.get(), decision="approved",
                    user=get_user_model().objects.get(username="lead1"))
    page.reload()
    expect(page.locator(".stages li.current")).to_have_text("서비스 제공")
    page.get_by_role("button", name="단계 진행").click()
    expect(page.locator(".stages li.current")).to_have_text("점검")
    page.get_by_label("점검 내용").fill("식품 지원 후 끼니를 거르지 않음")
    page.get_by_role("button", name="점검 기록 추가").click()
    page.get_by_label("종결 사유").select_option(label="목표 달성")
    page.get_by_role("button", name="종결 결재 요청").click()
    expect(page.get_by_text("종결 결재를 요청했습니다")).to_be_visible()
    approval_decide(approval=case.approvals.get(kind="case_closure"), decision="approved",
                    user=get_user_model().objects.get(username="lead1"))
    page.reload()
    expect(page.locator(".stages li.current")).to_have_text("종결")
    screenshot(page, "case-closed-1024")
    case = Case.objects.get(household=household)
    assert case.stage == "closed" and case.follow_up_on is not None
    sign_out(page)

    # The first alert was dealt with (the inbox will close it; here the test does).
    DiscoveryAlert.objects.filter(pk=alert.pk).update(status="closed")
    due = timezone.make_aware(timezone.datetime.combine(case.follow_up_on,
                                                        timezone.datetime.min.time()))
    with time_machine.travel(due + timedelta(hours=7), tick=True):
        assert case_follow_ups_due.apply().get() == 1
        sign_in(page, base, "staff1")
        page.goto(f"{base}/households/{household.pk}/work/")
        expect(page.get_by_text("(사후관리)")).to_be_visible()
        screenshot(page, "follow-up-alert-1024")
    follow_up = DiscoveryAlert.objects.get(household=household, status="open")
    assert follow_up.origin == "follow_up"


def test_volunteer_checks_in_from_a_360px_phone(live_server, demo, page, screenshot,
                                                 yeouido_household):
    from django.contrib.auth import get_user_model

    from households.models import Household

    User = get_user_model()
    household = Household.objects.filter(dong__short_name="신길1동").first()
    pairing = pairing_create(volunteer=User.objects.get(username="volunteer1"),
                             household=household, cadence="weekly",
                             created_by=User.objects.get(username="staff1"))
    page.set_viewport_size({"width": 360, "height": 740})
    sign_in(page, live_server.url, "volunteer1")
    page.get_by_role("link", name="안부 확인").click()
    card = page.locator("section.check-in")
    expect(card).to_have_count(1)
    card.get_by_role("radio", name="전화").check()
    card.get_by_role("radio", name="4", exact=True).check()
    screenshot(page, "check-in-360")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    card.get_by_role("button", name="저장").click()
    expect(page.get_by_text("안부 확인을 기록했습니다.")).to_be_visible()
    pairing.refresh_from_db()
    assert pairing.check_ins.get().wellbeing == 4
