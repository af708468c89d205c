"""A small district whose every dashboard figure is worked out by hand in the tests.

Now is 2026-04-15 12:00 KST; the period is January–March 2026. Households: a1, a2 in
여의동 (A), b1, b2 in 신길1동 (B), c1, c2 in 대림2동 (C).

Alerts (2026 unless a year is given; times 10:00 KST unless given):

 # | hh | opened | level    | score | factors               | contact | closed, reason
 1 | a1 | 01-10  | critical | 90 v1 | 단전 2개월, 1인 가구  | 01-11   | 02-01 supported
 2 | a2 | 01-20  | medium   | 50 v1 | 건강보험료 체납 6개월 | 01-30   | 02-10 no_need
 3 | b1 | 02-05  | high     | 75 v2 | 단전 3개월            | 02-10   | 03-05 duplicate
 4 | b2 | 03-01  | low      | 30 v2 | 통신비 체납 3개월     | —       | open, due 03-15
 5 | c1 | 03-10  | critical | 95 v2 | 단전 1개월            | 14:00   | 03-20 case_opened
 6 | a1 | 2025-05-01 | medium | 60 v1 |                     | 05-02   | 2025-06-01 supported
 7 | a2 | 04-02  | (no score)                               | —       | open, due 04-05
 8 | c2 | 04-01  | high     | 70 v2 |                       | —       | open, due 04-04
 9 | c1 | 03-02  | origin missed_check_in, no score          | 15:00   | 03-03 supported

Visits: a1 met 2025-05-02; a1 met 01-11; a2 not home 01-30 with volunteer1 (복지통장);
b1 met 02-10 with volunteer1; c1 refused 03-12 with volunteer2 (좋은이웃들);
c1 scheduled 03-25, not done.
Heads' birth dates: a1 1950-06-01 (75 on 03-31), a2 1961-03-31 (65), b1 1986-04-01 (39),
c1 unknown. Saved target: 신길1동 2026 = 5.
"""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model

from households.models import Household, Membership, Organization, Person, Role
from outreach.dashboards.base import Period
from outreach.dashboards.rollups import dashboard_rollup_refresh
from outreach.models import DiscoveryAlert, DiscoveryTarget, RiskAssessment, Visit
from tests.referral_fixtures import *  # noqa: F401,F403
from tests.signal_fixtures import *  # noqa: F401,F403
from tests.work_fixtures import *  # noqa: F401,F403

KST = ZoneInfo("Asia/Seoul")
NOW = datetime(2026, 4, 15, 12, 0, tzinfo=KST)


def kst(y, m, d, hh=10, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=KST)


@pytest.fixture
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


def make_alert(household, *, opened, level=None, score=None, version=1, factors=(),
               first_contact=None, closed=None, reason="", due_on=None,
               origin="risk_model"):
    assessment = None
    if score is not None:
        assessment = RiskAssessment.objects.create(
            household=household, model_version=version, score=score, level=level,
            factors=list(factors))
    alert = DiscoveryAlert.objects.create(
        household=household, assessment=assessment, origin=origin,
        due_on=due_on or opened.date(),
        status=DiscoveryAlert.Status.CLOSED if closed else DiscoveryAlert.Status.OPEN,
        first_contact_at=first_contact, closed_at=closed, close_reason=reason)
    # opened_at is auto_now_add: set the real moment afterwards.
    DiscoveryAlert.objects.filter(pk=alert.pk).update(opened_at=opened)
    return alert


def link_service(household, staff, *, at):
    from referrals.models import Service, ServiceLink

    service, _ = Service.objects.get_or_create(
        name="푸드뱅크 식품 지원 (표본)",
        defaults=dict(sector="private", provider_kind="food_bank", domain="food"))
    provider = Organization.objects.get(code="ydp-foodbank")
    link = ServiceLink.objects.create(household=household, service=service, provider=provider,
                                      requested_by=staff)
    ServiceLink.objects.filter(pk=link.pk).update(requested_at=at)
    return link


def open_case(household, staff, *, at):
    from outreach.models import Case

    # Closed since: it counts for discovery, not among open cases.
    case = Case.objects.create(household=household, manager=staff, stage="closed",
                               closed_at=at + timedelta(days=30),
                               plan_due_on=(at + timedelta(days=30)).date())
    Case.objects.filter(pk=case.pk).update(opened_at=at)
    return case


def make_visit(household, staff, *, when, outcome="", companion=None):
    return Visit.objects.create(household=household, staff=staff, companion=companion,
                                scheduled_for=when, visited_at=when if outcome else None,
                                outcome=outcome)


def set_head_birth(household, birth):
    Person.objects.filter(household=household, is_head=True).update(birth_date=birth)


@pytest.fixture
def district(demo, dongs, frozen_now):
    User = get_user_model()
    staff1 = User.objects.get(username="staff1")
    volunteer1 = User.objects.get(username="volunteer1")
    volunteer2 = User.objects.create(username="volunteer2")
    Membership.objects.create(user=volunteer2, role=Role.VOLUNTEER, dong=dongs["대림2동"],
                              group="좋은이웃들")
    a1, a2 = Household.objects.filter(dong=dongs["여의동"]).order_by("id")[:2]
    b1, b2 = Household.objects.filter(dong=dongs["신길1동"]).order_by("id")[:2]
    c1, c2 = Household.objects.filter(dong=dongs["대림2동"]).order_by("id")[:2]
    alerts = {
        1: make_alert(a1, opened=kst(2026, 1, 10), level="critical", score=90, version=1,
                      factors=["단전 2개월", "1인 가구"], first_contact=kst(2026, 1, 11),
                      closed=kst(2026, 2, 1), reason="supported"),
        2: make_alert(a2, opened=kst(2026, 1, 20), level="medium", score=50, version=1,
                      factors=["건강보험료 체납 6개월"], first_contact=kst(2026, 1, 30),
                      closed=kst(2026, 2, 10), reason="no_need"),
        3: make_alert(b1, opened=kst(2026, 2, 5), level="high", score=75, version=2,
                      factors=["단전 3개월"], first_contact=kst(2026, 2, 10),
                      closed=kst(2026, 3, 5), reason="duplicate"),
        4: make_alert(b2, opened=kst(2026, 3, 1), level="low", score=30, version=2,
                      factors=["통신비 체납 3개월"], due_on=date(2026, 3, 15)),
        5: make_alert(c1, opened=kst(2026, 3, 10), level="critical", score=95, version=2,
                      factors=["단전 1개월"], first_contact=kst(2026, 3, 10, 14),
                      closed=kst(2026, 3, 20), reason="case_opened"),
        6: make_alert(a1, opened=kst(2025, 5, 1), level="medium", score=60, version=1,
                      first_contact=kst(2025, 5, 2), closed=kst(2025, 6, 1),
                      reason="supported"),
        7: make_alert(a2, opened=kst(2026, 4, 2), due_on=date(2026, 4, 5)),
        8: make_alert(c2, opened=kst(2026, 4, 1), level="high", score=70, version=2,
                      due_on=date(2026, 4, 4)),
        9: make_alert(c1, opened=kst(2026, 3, 2), closed=kst(2026, 3, 3), reason="supported",
                      first_contact=kst(2026, 3, 2, 15), origin="missed_check_in"),
    }
    make_visit(a1, staff1, when=kst(2025, 5, 2), outcome="met")
    make_visit(a1, staff1, when=kst(2026, 1, 11), outcome="met")
    make_visit(a2, staff1, when=kst(2026, 1, 30), outcome="not_home", companion=volunteer1)
    make_visit(b1, staff1, when=kst(2026, 2, 10), outcome="met", companion=volunteer1)
    make_visit(c1, staff1, when=kst(2026, 3, 12), outcome="refused", companion=volunteer2)
    make_visit(c1, staff1, when=kst(2026, 3, 25))
    set_head_birth(a1, date(1950, 6, 1))
    set_head_birth(a2, date(1961, 3, 31))
    set_head_birth(b1, date(1986, 4, 1))
    set_head_birth(c1, None)
    # Help that followed: a1 got a service link after each of its alerts (2025 and 2026),
    # b1 an integrated case; c1 (refused) and a2 (not home) got nothing.
    link_service(a1, staff1, at=kst(2025, 5, 3))
    link_service(a1, staff1, at=kst(2026, 1, 12))
    open_case(b1, staff1, at=kst(2026, 2, 11))
    DiscoveryTarget.objects.create(dong=dongs["신길1동"], year=2026, target=5)
    # Written through the ORM (not the services), so the rollups are rebuilt here.
    dashboard_rollup_refresh()
    return {"alerts": alerts, "households": {"a1": a1, "a2": a2, "b1": b1, "b2": b2,
                                             "c1": c1, "c2": c2}}


@pytest.fixture
def period():

    return Period(date(2026, 1, 1), date(2026, 3, 1))
