"""The household's work page, its timeline and the case page at a phone's, a tablet's and a
desktop's width: cards below 900 px, a table and a two-column grid above, nothing scrolls
sideways and the need tags stay on screen at 360 px. Screenshots go to test-artifacts/."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from outreach.models import RiskAssessment, Visit
from outreach.services.cases import (
    case_conference_add,
    case_goal_add,
    case_note_add,
    case_open,
)
from outreach.services.visits import visit_record, visit_schedule
from referrals.models import NeedDomain, Service
from referrals.services import service_catalogue_seed, service_link_request
from tests.browser.steps import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIDEWAYS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture
def busy_household(demo, dongs, staff1, manager1, consent_for):
    """A 신길1동 household with a lot on its page: a missed try, a meeting with a high need
    in every domain, three service links and a case with goals, a conference and notes."""
    service_catalogue_seed(demo["district"])
    household = dongs["신길1동"].households.first()
    now = timezone.now()
    first = visit_schedule(household=household, staff=staff1, scheduled_for=now - timedelta(
        days=2))
    visit_record(visit=first, user=staff1, outcome=Visit.Outcome.NOT_HOME,
                 visited_at=now - timedelta(days=2), next_attempt_at=now - timedelta(days=1))
    second = Visit.objects.get(previous_attempt=first)
    visit_record(visit=second, user=staff1, outcome=Visit.Outcome.MET,
                 visited_at=now - timedelta(hours=20),
                 needs={d: {"level": "high", "note": "긴급"} for d in NeedDomain.values})
    consent_for(household, staff1)  # 정보 제공 동의, which a link needs
    links = [service_link_request(household=household, service=s, provider=s.providers.first(),
                                  requested_by=staff1, note="요청합니다")
             for s in Service.objects.filter(providers__isnull=False).distinct()[:3]]
    case = case_open(household=household, manager=manager1, user=staff1,
                     summary="생계·주거·건강 복합 위기: 통합사례관리 필요")
    case_goal_add(case=case, user=staff1, description="3개월 안에 월세 체납 해소",
                  domain="housing", service_links=links[:2])
    case_conference_add(case=case, user=staff1, held_on=timezone.localdate(),
                        decisions="주거급여 신청, 푸드뱅크 연계, 정신건강복지센터 상담 연계")
    case_note_add(case=case, user=staff1, text="전화로 안부 확인, 식사 지원 받고 있음")
    return household, case


def _no_sideways_scroll(page, width):
    overflow = page.evaluate(SIDEWAYS)
    assert overflow <= 0, f"{overflow}px of sideways scroll at {width}px"


def _everything_within(page, selector, width):
    """The right edge of every element matching ``selector`` is on screen."""
    edges = page.evaluate(
        "s => Array.from(document.querySelectorAll(s)).map(e => e.getBoundingClientRect().right)",
        selector)
    assert edges, f"nothing matched {selector}"
    assert max(edges) <= width, f"{selector} reaches {max(edges)}px at {width}px"


@pytest.mark.parametrize("width", [360, 820, 1280])
def test_the_work_page_fits_the_screen_at_every_width(live_server, page, screenshot,
                                                      busy_household, width):
    household, _case = busy_household
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server.url, "staff1")
    page.goto(f"{live_server.url}/households/{household.pk}/work/")
    expect(page.locator("#h-visit")).to_be_visible()
    _no_sideways_scroll(page, width)
    _everything_within(page, "main .tag", width)
    _everything_within(page, "main table td", width)
    # A table (with its header row) above 900 px; labelled cards below.
    assert page.locator("section[aria-labelledby=h-visit] thead").is_visible() == (width > 900)
    # Above 900 px the cases and the pairings sit side by side.
    cases = page.locator("section[aria-labelledby=h-cases]").bounding_box()
    pairing = page.locator("section[aria-labelledby=h-pairing]").bounding_box()
    assert (abs(cases["y"] - pairing["y"]) < 1) == (width > 900)
    shot = screenshot(page, f"household-work-{width}")
    # The visits with their need tags, close up.
    page.locator("section[aria-labelledby=h-visit]").screenshot(
        path=str(shot.with_name(f"household-work-{width}-visits.png")))


@pytest.mark.parametrize("width", [360, 820, 1280])
def test_the_case_page_fits_the_screen_at_every_width(live_server, page, screenshot,
                                                      busy_household, width):
    _household, case = busy_household
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server.url, "staff1")
    page.goto(f"{live_server.url}/cases/{case.pk}/")
    expect(page.locator("#h-plan")).to_be_visible()
    _no_sideways_scroll(page, width)
    _everything_within(page, "main .tag, main .stages li", width)
    plan = page.locator("section[aria-labelledby=h-plan]").bounding_box()
    conference = page.locator("section[aria-labelledby=h-conference]").bounding_box()
    assert (abs(plan["y"] - conference["y"]) < 1) == (width > 900)
    shot = screenshot(page, f"case-{width}")
    # The first screenful, as the worker sees it on opening the case.
    page.screenshot(path=str(shot.with_name(f"case-{width}-top.png")))


@pytest.mark.parametrize("width", [360, 1280])
def test_the_timeline_reads_assessments_into_its_lines_at_every_width(
        live_server, page, screenshot, busy_household, width):
    """A round writes a line only for an alert; the household's other assessments show in
    their place among its visits, links and case, and every line's link is reachable by
    keyboard."""
    household, _case = busy_household
    quiet = RiskAssessment.objects.create(
        household=household, score=23, level="low",
        factors=[{"code": "health_insurance_arrears", "months": 6, "amount": 480000}])
    RiskAssessment.objects.filter(pk=quiet.pk).update(
        assessed_at=timezone.now() - timedelta(days=3))
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server.url, "staff1")
    page.goto(f"{live_server.url}/households/{household.pk}/timeline/")
    line = page.locator("li.timeline-assessment")
    expect(line).to_have_count(1)
    expect(line).to_contain_text("위기도 23점 (관심) · 건강보험료 체납 6개월 (48만 원)")
    _no_sideways_scroll(page, width)
    _everything_within(page, "main .timeline li", width)
    # Newest first: the assessment of three days ago is the last line.
    assert page.locator("ol.timeline li").last.get_attribute("class") == "timeline-assessment"
    page.keyboard.press("Tab")
    for _ in range(40):
        focused = page.evaluate("document.activeElement.closest('ol.timeline') !== null")
        if focused:
            break
        page.keyboard.press("Tab")
    assert focused, "no line of the timeline is reachable by keyboard"
    screenshot(page, f"timeline-{width}")
