"""Closed-loop service links: catalogue, provider answers, partner scoping, the SLA reminder."""

from datetime import date, datetime

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from households.models import TimelineEvent
from referrals import services
from referrals.models import Service, ServiceLink
from referrals.tasks import service_links_remind_unanswered

pytestmark = pytest.mark.django_db


@pytest.fixture
def food_link(staff1, catalogue, food_bank, yeouido_household, consent_for):
    consent_for(yeouido_household, staff1)
    return services.service_link_request(
        household=yeouido_household, service=catalogue["푸드뱅크·푸드마켓"],
        provider=food_bank, requested_by=staff1, note="쌀, 라면")


def test_catalogue_holds_real_public_and_private_programmes(catalogue):
    for name in ["기초생활보장 생계급여", "긴급복지지원 생계지원", "차상위 본인부담경감",
                 "에너지바우처", "노인맞춤돌봄서비스", "국민취업지원제도", "장애인활동지원",
                 "정신건강복지센터 사례관리", "자살예방센터 위기상담", "푸드뱅크·푸드마켓",
                 "주거환경개선", "후원 결연", "무료 법률상담"]:
        assert catalogue[name].providers.exists(), name
    assert {s.sector for s in catalogue.values()} == {"public", "private"}


def test_seeding_the_catalogue_twice_adds_nothing(catalogue, demo):
    assert services.service_catalogue_seed(demo["district"]) == 0
    assert Service.objects.count() == len(catalogue)


def test_a_provider_that_does_not_offer_the_service_is_refused(staff1, catalogue, food_bank,
                                                               yeouido_household):
    with pytest.raises(ValidationError) as error:
        services.service_link_request(household=yeouido_household,
                                      service=catalogue["에너지바우처"], provider=food_bank,
                                      requested_by=staff1)
    assert "제공하지 않습니다" in str(error.value)
    assert not ServiceLink.objects.exists()


def test_page_refuses_a_provider_that_does_not_offer_it(client_as, staff1, catalogue,
                                                        food_bank, yeouido_household):
    response = client_as(staff1).post(f"/households/{yeouido_household.pk}/work/", {
        "action": "request_link", "service": catalogue["에너지바우처"].pk,
        "provider": food_bank.pk, "note": "겨울 난방"})
    assert response.status_code == 400
    assert "제공하지 않습니다" in response.content.decode()
    assert "겨울 난방" in response.content.decode()


def test_every_change_reaches_the_household_timeline(partner1, food_link):
    services.service_link_accept(link=food_link, user=partner1)
    services.service_link_complete(link=food_link, user=partner1, actual_value=120000)
    summaries = [event.text for event in TimelineEvent.objects.filter(
        household=food_link.household, kind="service_link")]
    assert any("요청" in s for s in summaries)
    assert any("수락" in s for s in summaries)
    assert any("120,000원" in s for s in summaries)


def test_completing_a_request_not_yet_accepted_is_refused(partner1, food_link):
    with pytest.raises(ValidationError):
        services.service_link_complete(link=food_link, user=partner1, actual_value=1000)
    food_link.refresh_from_db()
    assert food_link.status == "requested"


def test_partner_sees_only_their_links_masked_until_accepted(
        client_as, staff1, partner1, food_link, catalogue, welfare_centre, singil_household,
        consent_for):
    consent_for(singil_household, staff1)
    services.service_link_request(household=singil_household,
                                  service=catalogue["주거환경개선"], provider=welfare_centre,
                                  requested_by=staff1)
    client = client_as(partner1)
    listing = client.get("/partner/links/").content.decode()
    assert "푸드뱅크·푸드마켓" in listing and "주거환경개선" not in listing
    head = food_link.household.members.order_by("-is_head", "id").first()
    detail = client.get(f"/partner/links/{food_link.pk}/").content.decode()
    assert head.name not in detail and food_link.household.road_address not in detail
    assert client.post(f"/partner/links/{food_link.pk}/", {"answer": "accept"}).status_code \
        == 302
    detail = client.get(f"/partner/links/{food_link.pk}/").content.decode()
    assert food_link.household.road_address in detail
    assert head.name not in detail


def test_partner_gets_404_for_a_link_addressed_to_another_org(
        client_as, api_as, staff1, partner1, catalogue, welfare_centre, singil_household,
        consent_for):
    consent_for(singil_household, staff1)
    other = services.service_link_request(household=singil_household,
                                          service=catalogue["주거환경개선"],
                                          provider=welfare_centre, requested_by=staff1)
    assert client_as(partner1).get(f"/partner/links/{other.pk}/").status_code == 404
    assert client_as(partner1).post(f"/partner/links/{other.pk}/",
                                    {"answer": "accept"}).status_code == 404
    assert api_as(partner1).post(f"/api/v1/service-links/{other.pk}/accept/").status_code \
        == 404
    other.refresh_from_db()
    assert other.status == "requested"


def test_partner_answers_by_api_with_the_minimum(api_as, partner1, food_link):
    api = api_as(partner1)
    rows = api.get("/api/v1/service-links/").json()["results"]
    assert [r["id"] for r in rows] == [food_link.pk]
    assert rows[0]["address"] is None and rows[0]["phone"] is None
    assert "household" not in rows[0]
    accepted = api.post(f"/api/v1/service-links/{food_link.pk}/accept/")
    assert accepted.status_code == 200
    assert accepted.json()["address"].startswith("서울특별시")
    done = api.post(f"/api/v1/service-links/{food_link.pk}/complete/",
                    {"actual_value": 95000}, format="json")
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["actual_value"]) == ("completed", 95000)


def test_an_answer_the_links_status_does_not_allow_is_a_409_conflict(api_as, partner1,
                                                                    food_link):
    api = api_as(partner1)
    started = api.post(f"/api/v1/service-links/{food_link.pk}/start/")
    assert started.status_code == 409
    assert "바꿀 수 없습니다" in started.json()["detail"]
    assert api.post(f"/api/v1/service-links/{food_link.pk}/accept/").status_code == 200
    assert api.post(f"/api/v1/service-links/{food_link.pk}/accept/").status_code == 409
    food_link.refresh_from_db()
    assert food_link.status == "accepted"


def test_partner_decline_needs_a_reason(api_as, partner1, food_link):
    response = api_as(partner1).post(f"/api/v1/service-links/{food_link.pk}/decline/", {},
                                     format="json")
    assert response.status_code == 400
    response = api_as(partner1).post(f"/api/v1/service-links/{food_link.pk}/decline/",
                                     {"reason": "재고 소진"}, format="json")
    assert response.json()["decline_reason"] == "재고 소진"


def test_staff_of_another_dong_and_volunteers_do_not_see_the_link(api_as, staff2, volunteer1,
                                                                  food_link):
    assert api_as(staff2).get(f"/api/v1/service-links/{food_link.pk}/").status_code == 404
    assert api_as(volunteer1).get("/api/v1/service-links/").json()["count"] == 0


def test_worker_requests_a_link_by_api(api_as, staff1, catalogue, food_bank,
                                       yeouido_household, consent_for):
    consent_for(yeouido_household, staff1)
    response = api_as(staff1).post("/api/v1/service-links/", {
        "household": yeouido_household.pk, "service": catalogue["푸드뱅크·푸드마켓"].pk,
        "provider": food_bank.pk}, format="json")
    assert response.status_code == 201
    refused = api_as(staff1).post("/api/v1/service-links/", {
        "household": yeouido_household.pk, "service": catalogue["에너지바우처"].pk,
        "provider": food_bank.pk}, format="json")
    assert refused.status_code == 400
    assert "제공하지 않습니다" in refused.content.decode()


def test_working_days_skip_the_weekend():
    friday = date(2026, 11, 27)
    assert services.working_days_after(friday, 5) == date(2026, 12, 4)
    assert services.working_days_after(friday, 1) == date(2026, 11, 30)


def _at(day: date, hour=10):
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def test_unanswered_for_five_working_days_reminds_the_provider_and_flags_it(
        client_as, staff1, catalogue, food_bank, yeouido_household, consent_for):
    consent_for(yeouido_household, staff1)
    with time_machine.travel(_at(date(2026, 11, 27)), tick=False):  # a Friday
        link = services.service_link_request(
            household=yeouido_household, service=catalogue["푸드뱅크·푸드마켓"],
            provider=food_bank, requested_by=staff1)
    with time_machine.travel(_at(date(2026, 12, 3), 9), tick=False):  # 4 working days
        assert service_links_remind_unanswered.apply().get() == 0
    assert mail.outbox == []
    with time_machine.travel(_at(date(2026, 12, 4), 9), tick=False):  # 5 working days
        assert service_links_remind_unanswered.apply().get() == 1
        assert service_links_remind_unanswered.apply().get() == 0  # once only
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["foodbank@example.org"]
    assert "푸드뱅크·푸드마켓" in mail.outbox[0].subject
    link.refresh_from_db()
    assert link.overdue
    page = client_as(staff1).get(f"/households/{yeouido_household.pk}/work/").content.decode()
    assert "미응답 독촉" in page
    assert "답을 받지 못한 서비스 연계" in client_as(staff1).get("/visits/week/").content.decode()


def test_an_answered_link_is_not_reminded(partner1, food_link):
    services.service_link_accept(link=food_link, user=partner1)
    with time_machine.travel(timezone.now() + timezone.timedelta(days=30), tick=False):
        assert service_links_remind_unanswered.apply().get() == 0
    assert mail.outbox == []


def test_partner_list_api_query_count_does_not_grow(api_as, partner1, staff1, catalogue,
                                                   food_bank, yeouido_household,
                                                   django_assert_max_num_queries, consent_for):
    consent_for(yeouido_household, staff1)
    for _ in range(30):
        services.service_link_request(household=yeouido_household,
                                      service=catalogue["푸드뱅크·푸드마켓"],
                                      provider=food_bank, requested_by=staff1)
    api = api_as(partner1)
    with django_assert_max_num_queries(6):
        assert api.get("/api/v1/service-links/").json()["count"] == 30



def test_partner_sees_no_household_records_by_page_or_api(client_as, api_as, partner1,
                                                          food_link):
    household_id = food_link.household_id
    client = client_as(partner1)
    assert client.get(f"/households/{household_id}/work/").status_code == 403
    assert client.get(f"/households/{household_id}/timeline/").status_code == 403
    assert client.get("/cases/").status_code == 403
    assert api_as(partner1).get("/api/v1/visits/").json()["count"] == 0
    assert api_as(partner1).get("/api/v1/cases/").json()["count"] == 0


def test_workers_cannot_answer_for_the_provider(api_as, staff1, food_link):
    response = api_as(staff1).post(f"/api/v1/service-links/{food_link.pk}/accept/")
    assert response.status_code == 403
    food_link.refresh_from_db()
    assert food_link.status == "requested"
