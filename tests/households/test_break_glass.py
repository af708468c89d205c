"""Break the glass: opening the full record of a household outside one's current work asks
for a reason first; without one it is refused; with one it is logged with it, and the
auditor sees those views first."""

import pytest
from django.urls import reverse

from households.models import AccessLog
from outreach.services.cases import case_open
from tests.factories import DiscoveryAlertFactory

pytestmark = pytest.mark.django_db

PAGES = ["household_detail", "household_work", "household_timeline", "household_history"]


def _reason(client, url, reason="supervision", detail=""):
    return client.post(url, {"action": "break_glass", "reason": reason, "detail": detail})


@pytest.mark.parametrize("page", PAGES)
def test_a_manager_browsing_is_asked_why_and_sees_nothing_yet(client_as, manager1,
                                                             yeouido_household, page):
    response = client_as(manager1).get(reverse(page, args=[yeouido_household.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "담당 업무 밖의 가구 기록입니다" in html
    assert yeouido_household.road_address not in html
    assert not AccessLog.objects.filter(household_id=yeouido_household.pk).exists()


def test_without_a_reason_it_is_refused(client_as, admin_user, yeouido_household):
    url = reverse("household_detail", args=[yeouido_household.pk])
    response = client_as(admin_user).post(url, {"action": "break_glass", "reason": ""})
    assert response.status_code == 400
    assert "여는 사유를 골라 주세요." in response.content.decode()
    other = _reason(client_as(admin_user), url, reason="other", detail="")
    assert other.status_code == 400
    assert not AccessLog.objects.filter(household_id=yeouido_household.pk).exists()
    assert yeouido_household.road_address not in client_as(admin_user).get(
        url).content.decode()


def test_with_a_reason_the_record_opens_and_every_row_carries_it(client_as, admin_user,
                                                                 yeouido_household):
    client = client_as(admin_user)
    url = reverse("household_detail", args=[yeouido_household.pk])
    response = _reason(client, url, reason="other", detail="구청장 민원 회신 준비")
    assert response.status_code == 302
    glass = AccessLog.objects.get(object_type="break_glass")
    assert (glass.username, glass.household_id) == ("admin", yeouido_household.pk)
    assert "구청장 민원 회신 준비" in glass.reason
    page = client.get(url)
    assert yeouido_household.road_address in page.content.decode()
    view = AccessLog.objects.get(object_type="household")
    assert view.reason == glass.reason
    # The same household's other pages hold the reason for this session too.
    assert yeouido_household.road_address in client.get(
        reverse("household_work", args=[yeouido_household.pk])).content.decode()


def test_own_dong_and_assigned_work_need_no_reason(client_as, staff1, manager1, admin_user,
                                                   yeouido_household, singil_household):
    assert yeouido_household.road_address in client_as(staff1).get(
        reverse("household_detail", args=[yeouido_household.pk])).content.decode()
    case_open(household=yeouido_household, manager=manager1, user=staff1)
    assert yeouido_household.road_address in client_as(manager1).get(
        reverse("household_detail", args=[yeouido_household.pk])).content.decode()
    DiscoveryAlertFactory(household=singil_household, assigned_to=admin_user)
    assert singil_household.road_address in client_as(admin_user).get(
        reverse("household_detail", args=[singil_household.pk])).content.decode()
    assert not AccessLog.objects.filter(object_type="break_glass").exists()


def test_the_auditor_sees_break_the_glass_views_first(client_as, admin_user, auditor1,
                                                      staff1, yeouido_household):
    client_as(staff1).get(reverse("household_detail", args=[yeouido_household.pk]))
    _reason(client_as(admin_user), reverse("household_detail", args=[yeouido_household.pk]),
            reason="emergency")
    response = client_as(auditor1).get(reverse("access_log"))
    assert [e.object_type for e in response.context["break_glass"]] == ["break_glass"]
    html = response.content.decode()
    assert html.index("긴급 상황 대응") < html.index("staff1")
