"""The gatekeeper places API: scoped like the pages, in the OpenAPI schema."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from referrals.models import GatekeeperPlace
from tests.factories import GatekeeperPlaceFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/gatekeeper-places/"


@pytest.fixture
def pharmacy_in_singil1(dongs):
    return GatekeeperPlaceFactory(dong=dongs["신길1동"], name="신길온누리약국")


def test_staff_list_only_their_dongs_places(api_as, staff1, staff2, dongs, pharmacy_in_singil1):
    GatekeeperPlaceFactory(dong=dongs["대림2동"], name="대림약국")
    names = [p["name"] for p in api_as(staff1).get(URL).json()["results"]]
    assert names == ["신길온누리약국"]
    body = api_as(staff1).get(f"{URL}{pharmacy_in_singil1.pk}/").json()
    assert body["report_url"].endswith(f"/report/?place={pharmacy_in_singil1.code}")
    assert (body["kind"], body["reports"], body["last_report_at"]) == ("pharmacy", 0, None)


def test_staff2_gets_404_for_a_singil1_place_and_cannot_revoke_it(api_as, staff2,
                                                                  pharmacy_in_singil1):
    api = api_as(staff2)
    assert api.get(f"{URL}{pharmacy_in_singil1.pk}/").status_code == 404
    assert api.post(f"{URL}{pharmacy_in_singil1.pk}/revoke/").status_code == 404
    pharmacy_in_singil1.refresh_from_db()
    assert not pharmacy_in_singil1.revoked


def test_staff_register_and_revoke_through_the_api(api_as, staff1, dongs):
    api = api_as(staff1)
    created = api.post(URL, {"kind": "delivery", "name": "신길 배달대행", "road_address":
                             "신길로 5", "dong_code": dongs["신길1동"].code},
                      format="json")
    assert created.status_code == 201, created.content
    place = GatekeeperPlace.objects.get(pk=created.json()["id"])
    assert place.registered_by == staff1 and place.dong.short_name == "신길1동"
    revoked = api.post(f"{URL}{place.pk}/revoke/")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]


def test_registering_in_another_dong_is_a_400_with_a_message(api_as, staff1, dongs):
    response = api_as(staff1).post(URL, {"kind": "pharmacy", "name": "대림약국",
                                         "road_address": "대림로 1",
                                         "dong_code": dongs["대림2동"].code}, format="json")
    assert response.status_code == 400
    assert "고를 수 있는 동이 아닙니다" in response.content.decode()


def test_volunteers_and_partners_are_refused(api_as, volunteer1, partner1):
    assert api_as(volunteer1).get(URL).status_code == 403
    assert api_as(partner1).post(URL, {}, format="json").status_code == 403


def test_places_and_revoke_are_in_the_schema(api_as, staff1):
    schema = api_as(staff1).get("/api/v1/schema/?format=json").json()
    assert "/api/v1/gatekeeper-places/" in schema["paths"]
    assert "/api/v1/gatekeeper-places/{id}/revoke/" in schema["paths"]
    referral = schema["components"]["schemas"]["Referral"]["properties"]
    assert "gatekeeper_kind" in referral and "gatekeeper_place" in referral


def test_the_list_costs_the_same_for_2_places_as_for_20(api_as, staff1, dongs,
                                                        django_assert_max_num_queries):
    api = api_as(staff1)
    for i in range(2):
        GatekeeperPlaceFactory(dong=dongs["여의동"], name=f"약국 {i}")
    with CaptureQueriesContext(connection) as few:
        api.get(URL)
    for i in range(18):
        GatekeeperPlaceFactory(dong=dongs["신길1동"], name=f"편의점 {i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert api.get(URL).json()["count"] == 20
