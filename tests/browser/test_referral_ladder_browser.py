"""The volunteer reads where each referral stands (접수 → 확인 중 → 방문 → 지원 연계 → 종결) on
a 360 px phone without sideways scrolling. Screenshots go to test-artifacts/."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from outreach.models import Visit
from outreach.services.visits import visit_record, visit_schedule
from tests.browser.steps import sign_in
from tests.factories import ReferralFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [360, 1280])
def test_the_volunteer_sees_the_steps_of_a_visited_referral(live_server, demo, dongs, page,
                                                            screenshot, width):
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    volunteer, staff = users.get(username="volunteer1"), users.get(username="staff1")
    household = dongs["신길1동"].households.first()
    ReferralFactory(dong=dongs["신길1동"], household=household, referred_by=volunteer,
                    road_address=household.road_address)
    ReferralFactory(dong=dongs["신길1동"], referred_by=volunteer,
                    road_address="서울특별시 영등포구 신길로 999 가나다라마바사빌라 지하 1층")
    visit = visit_schedule(household=household, staff=staff, scheduled_for=timezone.now())
    visit_record(visit=visit, user=staff, outcome=Visit.Outcome.MET)
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server.url, "volunteer1")
    page.goto(f"{live_server.url}/referrals/mine/")
    current = page.locator(".ladder [aria-current=step]")
    expect(current.first).to_be_visible()
    assert sorted(current.all_inner_texts()) == ["방문", "접수"]
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{overflow}px of sideways scroll at {width}px"
    screenshot(page, f"my-referrals-{width}")
