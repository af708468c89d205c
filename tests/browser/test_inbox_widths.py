"""The inbox at a phone's, a tablet's and a desktop's width: cards below 900 px, a table
above, and nothing ever scrolls sideways. Screenshots go to test-artifacts/."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.steps import sign_in
from tests.factories import DiscoveryAlertFactory, ReferralFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [360, 820, 1280])
def test_the_inbox_fits_the_screen_at_every_width(live_server, demo, dongs, page, screenshot,
                                                  width):
    household = dongs["신길1동"].households.first()
    DiscoveryAlertFactory(household=household, scored=True, assessment__score=88,
                          assessment__level="critical",
                          due_on=timezone.localdate() + timedelta(days=2))
    ReferralFactory(dong=dongs["여의동"],
                    road_address="서울특별시 영등포구 여의나루로 123-45 "
                                 "가나다라마바사아파트 101동 1004호")
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server.url, "staff1")
    page.goto(f"{live_server.url}/inbox/")
    expect(page.locator("table.inbox tbody tr").first).to_be_visible()
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{overflow}px of sideways scroll at {width}px"
    # Every row's action button is on screen and on one line.
    button = page.locator("[data-actions]").first
    box = button.bounding_box()
    assert box and box["x"] + box["width"] <= width
    assert box["height"] < 60
    header_shown = page.locator("table.inbox thead").is_visible()
    assert header_shown == (width > 900)
    screenshot(page, f"inbox-{width}")
