"""The gatekeeper panels against a hand-worked quarter (2026-01 … 2026-03).

Places: 신길약국 (신길1동), 여의편의점 and 여의약국 (여의동, revoked), 대림 검침원 (대림2동).
Reports through their QR codes:
  r1 신길약국  2026-02-01  household H1 (신길1동); a service link for H1 on 02-05 → found
  r2 신길약국  2026-02-10  no household                                      → not found
  r3 여의편의점 2026-03-01  household H2 (여의동); a case for H2 opened 03-02   → found
  r4 여의편의점 2026-03-05  H2 again; no help after it (H2 is counted once anyway)
  r5 여의약국  2026-01-15  household H3 (여의동); its only link was on 01-10 → not found
  r6 신길약국  2025-12-20  before the quarter                                → not counted
  r7 an ordinary public report in February                                   → not counted
By kind: 약국 3 reports (r1, r2, r5), 1 household found (H1); 편의점 2 (r3, r4), 1 (H2);
검침원 0, 0. Total 5 reports, 2 households.
"""

from datetime import date, datetime

import pytest
from django.utils import timezone

from households.models import Household
from outreach.dashboards.base import Period, dashboard_scope
from outreach.dashboards.panels.gatekeepers import (
    panel_gatekeeper_places,
    panel_gatekeepers_by_kind,
)
from referrals.models import GatekeeperPlace, Referral
from tests.factories import (
    CaseFactory,
    GatekeeperPlaceFactory,
    ReferralFactory,
    ServiceLinkFactory,
)

pytestmark = pytest.mark.django_db

QUARTER = Period(date(2026, 1, 1), date(2026, 3, 1))
Kind = GatekeeperPlace.Kind


def at(y, m, d):
    return timezone.make_aware(datetime(y, m, d, 10, 0))


@pytest.fixture
def quarter(dongs):
    singil, yeoui, daerim = dongs["신길1동"], dongs["여의동"], dongs["대림2동"]
    h1 = Household.objects.filter(dong=singil).order_by("id").first()
    h2, h3 = Household.objects.filter(dong=yeoui).order_by("id")[:2]
    places = {
        "신길약국": GatekeeperPlaceFactory(dong=singil, kind=Kind.PHARMACY, name="신길약국"),
        "여의편의점": GatekeeperPlaceFactory(dong=yeoui, kind=Kind.CONVENIENCE_STORE,
                                          name="여의편의점"),
        "여의약국": GatekeeperPlaceFactory(dong=yeoui, kind=Kind.PHARMACY, name="여의약국"),
        "대림 검침원": GatekeeperPlaceFactory(dong=daerim, kind=Kind.METER_READERS,
                                           name="대림 검침원"),
    }

    count = iter(range(1, 100))

    def sent(place, dong, when, household=None):
        n = next(count)
        referral = ReferralFactory(
            channel=Referral.Channel.PUBLIC, dong=dong, household=household,
            road_address=f"신길로 {n}", gatekeeper_place=places.get(place),
            idempotency_key=f"quarter-{n:04d}")
        Referral.objects.filter(pk=referral.pk).update(created_at=when)

    sent("신길약국", singil, at(2026, 2, 1), h1)
    ServiceLinkFactory(household=h1, requested_at=at(2026, 2, 5))
    sent("신길약국", singil, at(2026, 2, 10))
    sent("여의편의점", yeoui, at(2026, 3, 1), h2)
    CaseFactory(household=h2, opened_at=at(2026, 3, 2))
    sent("여의편의점", yeoui, at(2026, 3, 5), h2)
    ServiceLinkFactory(household=h3, requested_at=at(2026, 1, 10))
    sent("여의약국", yeoui, at(2026, 1, 15), h3)
    sent("신길약국", singil, at(2025, 12, 20))
    sent(None, singil, at(2026, 2, 20))
    places["여의약국"].revoked_at = at(2026, 3, 20)
    places["여의약국"].save()
    return places


def by_label(table):
    return {row[0] if table.name == "gatekeepers_by_kind" else row[2]: row for row in table.rows}


def test_reports_and_households_found_by_gatekeeper_kind(admin_user, quarter):
    table = panel_gatekeepers_by_kind(dashboard_scope(admin_user), QUARTER)
    rows = by_label(table)
    assert rows["약국"] == ["약국", 3, 1]
    assert rows["편의점"] == ["편의점", 2, 1]
    assert rows["검침원"] == ["검침원", 0, 0]
    assert [r[0] for r in table.rows] == [str(label) for _k, label in Kind.choices]
    assert table.total == ["합계", 5, 2]


def test_each_place_with_its_reports_and_last_report_date(admin_user, quarter):
    rows = by_label(panel_gatekeeper_places(dashboard_scope(admin_user), QUARTER))
    assert rows["신길약국"] == ["신길1동", "약국", "신길약국", "사용 중", 2, 1, "2026-02-10"]
    assert rows["여의편의점"] == ["여의동", "편의점", "여의편의점", "사용 중", 2, 1, "2026-03-05"]
    assert rows["여의약국"] == ["여의동", "약국", "여의약국", "회수", 1, 0, "2026-01-15"]
    assert rows["대림 검침원"] == ["대림2동", "검침원", "대림 검침원", "사용 중", 0, 0, "—"]


def test_a_dong_page_lists_only_its_own_places(staff2, quarter):
    scope = dashboard_scope(staff2)
    assert list(by_label(panel_gatekeeper_places(scope, QUARTER))) == ["대림 검침원"]
    assert panel_gatekeepers_by_kind(scope, QUARTER).total == ["합계", 0, 0]


def test_one_dong_of_a_worker_counts_that_dongs_reports(staff1, quarter, dongs):
    scope = dashboard_scope(staff1, dong_id=dongs["신길1동"].pk)
    table = panel_gatekeepers_by_kind(scope, QUARTER)
    assert by_label(table)["약국"] == ["약국", 2, 1]
    assert table.total == ["합계", 2, 1]


def test_dong_dashboard_page_shows_the_places_panel(client_as, staff1, quarter):
    page = client_as(staff1).get("/dashboard/dong/", {"start": "2026-01", "end": "2026-03"})
    html = page.content.decode()
    assert page.status_code == 200
    assert "게이트키퍼 장소별 제보와 최근 제보일" in html and "2026-02-10" in html
    assert "대림 검침원" not in html
