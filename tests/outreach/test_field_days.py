"""Joint visit days (합동 방문의 날): 신길1동's Wednesday proposes the right households in
walking order, only to the people who may see them; planned stops become visits with a
volunteer companion who is told; the route sheet prints with names masked or not."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from households.models import AccessLog, Household
from households.selectors import household_viewers
from outreach.models import FieldDaySetting, FieldDayStop, StopReason, Visit
from outreach.selectors.field_days import field_day_proposals
from outreach.services.field_days import field_day_plan
from referrals.models import Referral
from tests.factories import (
    CaseFactory,
    DiscoveryAlertFactory,
    HeadOfHouseholdFactory,
    HouseholdFactory,
    PairingFactory,
    ReferralFactory,
    VisitFactory,
)

pytestmark = pytest.mark.django_db


def next_wednesday():
    today = timezone.localdate()
    return today + timedelta(days=(2 - today.weekday()) % 7 or 7)


def household(dong, address, tong, name):
    home = HouseholdFactory(dong=dong, road_address=address, tong=tong, ban=1)
    HeadOfHouseholdFactory(household=home, name=name)
    return home


@pytest.fixture
def singil_wednesday(dongs, staff1, volunteer1):
    """신길1동 before its Wednesday: one household for each reason to go, and two without."""
    dong = dongs["신길1동"]
    day = next_wednesday()
    homes = {
        "referred": household(dong, "서울 영등포구 신길로 41", 3, "김영희"),
        "alert_due": household(dong, "서울 영등포구 신길로 5", 3, "박철수"),
        "retry": household(dong, "서울 영등포구 신길로 100", 1, "이순자"),
        "monitoring": household(dong, "서울 영등포구 신길로 7", 7, "최민호"),
        "missed": household(dong, "서울 영등포구 신길로 9", 1, "정말순"),
        "quiet": household(dong, "서울 영등포구 신길로 2", 2, "한가람"),
        "visited": household(dong, "서울 영등포구 신길로 60", 2, "윤보람"),
    }
    referral = ReferralFactory(dong=dong, road_address="신길로 41", referred_by=volunteer1)
    Referral.objects.filter(pk=referral.pk).update(household=homes["referred"])
    old = ReferralFactory(dong=dong, road_address="신길로 60", referred_by=volunteer1)
    Referral.objects.filter(pk=old.pk).update(household=homes["visited"])
    VisitFactory(household=homes["visited"], staff=staff1, outcome=Visit.Outcome.MET,
                 visited_at=timezone.now())
    DiscoveryAlertFactory(household=homes["alert_due"], due_on=day + timedelta(days=1))
    # An alert due in a month is not the field day's business yet.
    DiscoveryAlertFactory(household=homes["quiet"], due_on=day + timedelta(days=30))
    first = VisitFactory(household=homes["retry"], staff=staff1, outcome=Visit.Outcome.NOT_HOME,
                         visited_at=timezone.now() - timedelta(days=3),
                         scheduled_for=timezone.now() - timedelta(days=3))
    VisitFactory(household=homes["retry"], staff=staff1, attempt_no=2, previous_attempt=first,
                 scheduled_for=timezone.now() - timedelta(hours=1))
    CaseFactory(household=homes["monitoring"], stage="monitoring",
                stage_due_on=day - timedelta(days=1))
    PairingFactory(household=homes["missed"],
                   started_on=timezone.localdate() - timedelta(days=30))
    # Work in staff2's 대림2동 that 신길1동's day must never show.
    DiscoveryAlertFactory(household=household(dongs["대림2동"], "서울 영등포구 대림로 1", 1,
                                              "오정희"), due_on=day)
    return dong, day, homes


def test_a_field_day_proposes_the_right_households_by_tong_and_address(singil_wednesday,
                                                                        staff1):
    dong, day, homes = singil_wednesday

    proposals = field_day_proposals(staff1, dong=dong, day=day)

    assert [p.household for p in proposals] == [
        homes["missed"], homes["retry"],          # 1통: 신길로 9, 신길로 100
        homes["alert_due"], homes["referred"],    # 3통: 신길로 5, 신길로 41
        homes["monitoring"],                      # 7통
    ]
    assert [p.reasons for p in proposals] == [
        [StopReason.MISSED_CHECK_IN], [StopReason.RETRY], [StopReason.ALERT_DUE],
        [StopReason.REFERRAL], [StopReason.MONITORING],
    ]


def test_each_proposed_stop_is_visible_only_to_those_who_may_see_it(singil_wednesday, staff1,
                                                                    staff2, volunteer1,
                                                                    client_as):
    dong, day, homes = singil_wednesday
    proposals = field_day_proposals(staff1, dong=dong, day=day)
    for proposal in proposals:
        viewers = set(household_viewers(proposal.household))
        assert staff1 in viewers and staff2 not in viewers
    assert field_day_proposals(staff2, dong=dong, day=day) == []

    page = client_as(staff1).get(f"/field-days/{dong.pk}/{day.isoformat()}/")
    assert page.status_code == 200
    assert "김*희" in page.content.decode() and "오*희" not in page.content.decode()
    assert "김영희" not in page.content.decode()

    for outsider in (staff2, volunteer1):
        client = client_as(outsider)
        assert client.get(f"/field-days/{dong.pk}/{day.isoformat()}/").status_code == 404
        assert client.get(f"/field-days/{dong.pk}/{day.isoformat()}/sheet/").status_code == 404
        assert client.post(f"/field-days/{dong.pk}/{day.isoformat()}/",
                           {f"stop_{homes['referred'].pk}": "on"}).status_code == 404
    assert not FieldDayStop.objects.exists()


def test_a_forged_date_or_dong_is_a_404(singil_wednesday, staff1, client_as):
    dong, day, _homes = singil_wednesday
    client = client_as(staff1)
    assert client.get(f"/field-days/{dong.pk}/2026-13-45/").status_code == 404
    assert client.get(f"/field-days/999999/{day.isoformat()}/").status_code == 404


def test_planned_stops_become_visits_with_a_companion_who_is_told(singil_wednesday, staff1,
                                                                 volunteer1, client_as,
                                                                 django_capture_on_commit_callbacks):
    dong, day, homes = singil_wednesday
    volunteer1.email = "volunteer1@example.org"
    volunteer1.save()
    client = client_as(staff1)
    url = f"/field-days/{dong.pk}/{day.isoformat()}/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {
            f"stop_{homes['referred'].pk}": "on", f"companion_{homes['referred'].pk}":
                volunteer1.pk,
            f"stop_{homes['retry'].pk}": "on", f"companion_{homes['retry'].pk}": volunteer1.pk,
            f"stop_{homes['alert_due'].pk}": "on",
        })
    assert response.status_code == 302

    stops = FieldDayStop.objects.select_related("visit").order_by("position")
    assert {s.visit.household for s in stops} == {homes["referred"], homes["retry"],
                                                  homes["alert_due"]}
    for stop in stops:
        assert timezone.localtime(stop.visit.scheduled_for).date() == day
        assert timezone.localtime(stop.visit.scheduled_for).hour == 14   # 수요일 오후
    # The "부재" retry already booked moved to the field day: no second pending visit.
    assert Visit.objects.filter(household=homes["retry"], outcome="").count() == 1
    assert stops.get(visit__household=homes["retry"]).visit.attempt_no == 2
    # The alert's visit carries the alert, so meeting them stamps the first contact.
    assert stops.get(visit__household=homes["alert_due"]).visit.alert_id is not None

    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["volunteer1@example.org"]
    assert "2곳" in mail.outbox[0].body and "김영희" not in mail.outbox[0].body

    # Planned households leave the proposals; planning again adds nothing twice.
    left = [p.household for p in field_day_proposals(staff1, dong=dong, day=day)]
    assert homes["referred"] not in left and homes["monitoring"] in left
    field_day_plan(dong=dong, day=day, actor=staff1,
                   stops=[{"household": homes["referred"], "companion": None}])
    assert FieldDayStop.objects.count() == 3

    own_page = client_as(volunteer1).get("/visits/week/")
    assert "합동 방문 동행" in own_page.content.decode()


def test_only_the_dongs_own_volunteers_can_go_along(singil_wednesday, staff1, client_as,
                                                   dongs):
    from tests.factories import VolunteerFactory

    dong, day, homes = singil_wednesday
    stranger = VolunteerFactory(membership__dong=dongs["대림2동"])
    response = client_as(staff1).post(f"/field-days/{dong.pk}/{day.isoformat()}/", {
        f"stop_{homes['referred'].pk}": "on", f"companion_{homes['referred'].pk}": stranger.pk})
    assert response.status_code == 400
    assert "올바르게 선택해 주세요" in response.content.decode()
    assert not FieldDayStop.objects.exists()


def test_the_route_sheet_masks_names_when_paper_may_be_lost(singil_wednesday, staff1,
                                                           client_as):
    dong, day, homes = singil_wednesday
    field_day_plan(dong=dong, day=day, actor=staff1,
                   stops=[{"household": homes["referred"], "reasons": ["referral"]}])
    client = client_as(staff1)
    sheet = client.get(f"/field-days/{dong.pk}/{day.isoformat()}/sheet/")
    assert sheet.status_code == 200 and sheet["Cache-Control"].count("no-store") == 1
    assert "김*희" in sheet.content.decode() and "신길로 41" in sheet.content.decode()
    assert AccessLog.objects.filter(action="print", household_id=homes["referred"].pk).exists()

    client.post(f"/field-days/{dong.pk}/setting/", {
        f"d{dong.pk}-weekday": "2", f"d{dong.pk}-part": "afternoon"})
    assert FieldDaySetting.objects.get(dong=dong).mask_names_on_paper is False
    sheet = client.get(f"/field-days/{dong.pk}/{day.isoformat()}/sheet/")
    assert "김영희" in sheet.content.decode()


def test_only_the_dongs_staff_change_its_field_day(singil_wednesday, staff2, client_as):
    dong, _day, _homes = singil_wednesday
    response = client_as(staff2).post(f"/field-days/{dong.pk}/setting/", {
        f"d{dong.pk}-weekday": "0", f"d{dong.pk}-part": "morning"})
    assert response.status_code == 404
    assert not FieldDaySetting.objects.filter(dong=dong).exists()


def test_the_days_list_shows_a_volunteer_only_the_masked_name_of_stops_they_join(
        singil_wednesday, staff1, volunteer1, client_as):
    dong, _day, homes = singil_wednesday
    today = timezone.localdate()
    field_day_plan(dong=dong, day=today, actor=staff1,
                   stops=[{"household": homes["referred"], "companion": volunteer1},
                          {"household": homes["missed"], "companion": None}])
    page = client_as(volunteer1).get("/visits/day/")
    body = page.content.decode()
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    assert "김*희" in body and "신길로 41" in body
    assert "신길로 9" not in body and "김영희" not in body
    staff_page = client_as(staff1).get("/visits/day/").content.decode()
    assert "김*희" in staff_page and "정*순" in staff_page
    assert Household.objects.filter(pk=homes["referred"].pk).exists()


def test_the_field_day_pages_read_in_english(singil_wednesday, staff1, volunteer1, client_as):
    dong, day, homes = singil_wednesday
    field_day_plan(dong=dong, day=timezone.localdate(), actor=staff1,
                   stops=[{"household": homes["referred"], "companion": volunteer1,
                           "reasons": ["referral"]}])
    client = client_as(staff1)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    plan = client.get(f"/field-days/{dong.pk}/{day.isoformat()}/").content.decode()
    assert "Proposed households" in plan and "Tong 1" in plan and "방문 제안" not in plan
    listing = client.get("/visits/day/").content.decode()
    assert "Today's visits" in listing and "Volunteer referral not yet visited" in listing
    sheet = client.get(f"/field-days/{dong.pk}/{timezone.localdate().isoformat()}/sheet/")
    assert "Joint visit route sheet" in sheet.content.decode()


@pytest.mark.parametrize("page", ["plan", "sheet", "day"])
def test_field_day_pages_do_not_grow_in_queries_with_their_stops(
        page, dongs, staff1, volunteer1, client_as, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    dong, today = dongs["신길1동"], timezone.localdate()
    urls = {"plan": f"/field-days/{dong.pk}/{today.isoformat()}/",
            "sheet": f"/field-days/{dong.pk}/{today.isoformat()}/sheet/",
            "day": "/visits/day/"}
    client = client_as(staff1)

    def plan(n, start):
        homes = [household(dong, f"서울 영등포구 신길로 {start + i}", i % 3 + 1, "김영희")
                 for i in range(n)]
        for home in homes:
            DiscoveryAlertFactory(household=home, due_on=today)
        field_day_plan(dong=dong, day=today, actor=staff1,
                       stops=[{"household": h, "companion": volunteer1} for h in homes[:-1]])

    plan(2, 1)
    client.get(urls[page])
    with CaptureQueriesContext(connection) as few:
        client.get(urls[page])
    plan(8, 100)
    with django_assert_max_num_queries(len(few)):
        response = client.get(urls[page])
    assert response.status_code == 200
