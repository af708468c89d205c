"""Providers' capacity: the food bank marks a service full, the worker is warned before
sending to it (a confirm step, on the page and in the service), and declines for lack of
capacity are counted per provider and service."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from outreach.dashboards.base import Period, dashboard_scope
from outreach.dashboards.panels.capacity import panel_declines_no_capacity
from outreach.dashboards.rollups import dashboard_rollup_refresh
from referrals import services
from referrals.models import DeclineReason, ServiceCapacity, ServiceLink
from referrals.services.capacity import service_capacity_set

pytestmark = pytest.mark.django_db
FOOD = "푸드뱅크·푸드마켓"


@pytest.fixture
def food_service(catalogue):
    return catalogue[FOOD]


@pytest.fixture(autouse=True)
def households_agreed(consent_for, staff1, yeouido_household, singil_household):
    """Both households agreed to share their details (정보 제공 동의), as a link needs."""
    consent_for(yeouido_household, staff1)
    consent_for(singil_household, staff1)


def capacity_url(service, provider):
    return f"/partner/capacity/{service.pk}/{provider.pk}/"


def full(service, provider, waiting=12):
    return service_capacity_set(service=service, provider=provider, status="full",
                                open_slots=0, waiting_list=waiting, user=None)


# --- the provider keeps it ------------------------------------------------------------------

def test_partner_marks_their_service_full_with_a_waiting_list(client_as, partner1, food_bank,
                                                             food_service):
    client = client_as(partner1)
    page = client.get("/partner/links/").content.decode()
    assert "우리 기관 서비스 여력" in page and FOOD in page
    response = client.post(capacity_url(food_service, food_bank), {
        f"c{food_service.pk}-{food_bank.pk}-status": "full",
        f"c{food_service.pk}-{food_bank.pk}-open_slots": "0",
        f"c{food_service.pk}-{food_bank.pk}-waiting_list": "12"})
    assert response.status_code == 302
    capacity = ServiceCapacity.objects.get(service=food_service, provider=food_bank)
    assert (capacity.status, capacity.open_slots, capacity.waiting_list) == ("full", 0, 12)
    assert capacity.updated_by == partner1
    assert "정원 마감 · 대기 12명" in client.get("/partner/links/").content.decode()


def test_a_negative_waiting_list_is_refused_with_a_message(client_as, partner1, food_bank,
                                                           food_service):
    prefix = f"c{food_service.pk}-{food_bank.pk}"
    response = client_as(partner1).post(capacity_url(food_service, food_bank), {
        f"{prefix}-status": "full", f"{prefix}-waiting_list": "-3"}, follow=True)
    assert "여력을 저장하지 못했습니다" in response.content.decode()
    assert not ServiceCapacity.objects.exists()


def test_partner_cannot_set_another_providers_capacity(client_as, partner1, catalogue,
                                                       welfare_centre):
    care = catalogue["노인맞춤돌봄서비스"]
    response = client_as(partner1).post(capacity_url(care, welfare_centre), {
        f"c{care.pk}-{welfare_centre.pk}-status": "full"})
    assert response.status_code == 404
    assert not ServiceCapacity.objects.exists()


def test_staff_do_not_keep_a_providers_capacity(client_as, staff1, food_bank, food_service):
    response = client_as(staff1).post(capacity_url(food_service, food_bank),
                                      {f"c{food_service.pk}-{food_bank.pk}-status": "full"})
    assert response.status_code == 403


# --- the worker is warned ----------------------------------------------------------------

def test_work_page_shows_the_capacity_and_asks_before_sending_to_a_full_service(
        client_as, staff1, food_bank, food_service, yeouido_household):
    full(food_service, food_bank)
    client = client_as(staff1)
    url = f"/households/{yeouido_household.pk}/work/"
    assert "정원 마감 · 대기 12명" in client.get(url).content.decode()
    request = {"action": "request_link", "service": food_service.pk, "provider": food_bank.pk,
               "note": "쌀, 라면"}
    warned = client.post(url, request)
    html = warned.content.decode()
    assert warned.status_code == 400
    assert "정원이 찬 줄 알고 보냅니다" in html and "data-confirm-full" in html
    assert "쌀, 라면" in html
    assert not ServiceLink.objects.exists()
    sent = client.post(url, {**request, "confirm_full": "on"})
    assert sent.status_code == 302
    assert ServiceLink.objects.get().provider == food_bank


def test_an_open_service_is_sent_without_a_confirm_step(client_as, staff1, food_bank,
                                                        food_service, yeouido_household):
    service_capacity_set(service=food_service, provider=food_bank, status="open",
                         open_slots=3, user=None)
    response = client_as(staff1).post(f"/households/{yeouido_household.pk}/work/", {
        "action": "request_link", "service": food_service.pk, "provider": food_bank.pk})
    assert response.status_code == 302 and ServiceLink.objects.count() == 1


@pytest.mark.parametrize("status", ["full", "paused"])
def test_the_service_itself_refuses_an_unconfirmed_request(staff1, food_bank, food_service,
                                                           yeouido_household, status):
    service_capacity_set(service=food_service, provider=food_bank, status=status, user=None)
    with pytest.raises(ValidationError) as error:
        services.service_link_request(household=yeouido_household, service=food_service,
                                      provider=food_bank, requested_by=staff1)
    assert error.value.code == "capacity_full"
    link = services.service_link_request(household=yeouido_household, service=food_service,
                                         provider=food_bank, requested_by=staff1,
                                         capacity_confirmed=True)
    assert link.status == "requested"


def test_the_api_says_the_service_is_full_and_sends_once_confirmed(api_as, staff1, food_bank,
                                                                   food_service,
                                                                   yeouido_household):
    full(food_service, food_bank)
    body = {"household": yeouido_household.pk, "service": food_service.pk,
            "provider": food_bank.pk}
    refused = api_as(staff1).post("/api/v1/service-links/", body, format="json")
    assert refused.status_code == 400 and "정원 마감" in refused.content.decode()
    sent = api_as(staff1).post("/api/v1/service-links/", {**body, "confirm_full": True},
                               format="json")
    assert sent.status_code == 201


# --- declines for lack of capacity -----------------------------------------------------------

def request(staff1, household, service, provider):
    return services.service_link_request(household=household, service=service,
                                         provider=provider, requested_by=staff1)


def test_partner_declines_for_no_capacity_without_writing_more(client_as, partner1, staff1,
                                                               food_bank, food_service,
                                                               yeouido_household):
    link = request(staff1, yeouido_household, food_service, food_bank)
    response = client_as(partner1).post(f"/partner/links/{link.pk}/", {
        "answer": "decline", "reason_code": "no_capacity", "reason": ""})
    assert response.status_code == 302
    link.refresh_from_db()
    assert (link.status, link.decline_code, link.decline_reason) == (
        "declined", "no_capacity", "")


def test_other_still_needs_a_written_reason(partner1, staff1, food_bank, food_service,
                                            yeouido_household):
    link = request(staff1, yeouido_household, food_service, food_bank)
    with pytest.raises(ValidationError):
        services.service_link_decline(link=link, user=partner1, reason_code="other")


def test_the_api_declines_with_a_reason_code(api_as, partner1, staff1, food_bank, food_service,
                                             yeouido_household):
    link = request(staff1, yeouido_household, food_service, food_bank)
    response = api_as(partner1).post(f"/api/v1/service-links/{link.pk}/decline/",
                                     {"reason_code": "no_capacity"}, format="json")
    assert response.status_code == 200, response.content
    link.refresh_from_db()
    assert link.decline_code == DeclineReason.NO_CAPACITY


def test_declines_for_no_capacity_are_counted_per_provider_and_service(
        admin_user, partner1, staff1, catalogue, food_bank, welfare_centre, food_service,
        yeouido_household, singil_household):
    """By hand: the food bank's 푸드뱅크·푸드마켓 gets 3 requests (one declined for no
    capacity, one declined as not eligible, one open); 복지관's 밑반찬 배달 gets 2, both
    declined for no capacity. The food bank now says: full, 12 waiting."""
    side_dish = catalogue["밑반찬 배달"]
    first = request(staff1, yeouido_household, food_service, food_bank)
    services.service_link_decline(link=first, user=partner1, reason_code="no_capacity")
    second = request(staff1, singil_household, food_service, food_bank)
    services.service_link_decline(link=second, user=partner1, reason_code="not_eligible")
    request(staff1, yeouido_household, food_service, food_bank)
    for household in (yeouido_household, singil_household):
        link = request(staff1, household, side_dish, welfare_centre)
        services.service_link_decline(link=link, user=None, reason_code="no_capacity")
    full(food_service, food_bank)
    # The services refresh the rollups after commit; this test's transaction never commits.
    dashboard_rollup_refresh()
    today = timezone.localdate().replace(day=1)
    table = panel_declines_no_capacity(dashboard_scope(admin_user), Period(today, today))
    assert table.rows == [
        [welfare_centre.name, "밑반찬 배달", 2, 2, 2, 1.0, "접수 중"],
        [food_bank.name, FOOD, 3, 2, 1, 1 / 3, "정원 마감 · 대기 12명"],
    ]
    assert table.total == ["합계", "", 5, 4, 3, 3 / 5, ""]
