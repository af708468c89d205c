"""POST /api/v1/referrals/ by partners and staff; list filters; the OpenAPI schema."""

import pytest

from households.models import Household
from referrals.models import Referral

pytestmark = pytest.mark.django_db


def payload(dongs, **overrides):
    data = {
        "dong_code": dongs["신길1동"].code,
        "road_address": "신길로 41",
        "categories": ["meals", "utilities"],
        "urgency": 1,
        "note": "푸드뱅크 이용자, 단전 예고장",
    }
    data.update(overrides)
    return data


def test_partner_refers_through_the_api(api_as, partner1, dongs):
    response = api_as(partner1).post("/api/v1/referrals/", payload(dongs), format="json")
    assert response.status_code == 201
    referral = Referral.objects.get()
    assert referral.channel == Referral.Channel.PARTNER
    assert referral.referrer_organization.code == "ydp-foodbank"
    assert response.json()["status"] == "received"


def test_partner_sees_the_status_of_its_referrals(api_as, partner1, dongs):
    api = api_as(partner1)
    api.post("/api/v1/referrals/", payload(dongs), format="json")
    Referral.objects.update(status=Referral.Status.LINKED)
    rows = api.get("/api/v1/referrals/").json()["results"]
    assert [r["status"] for r in rows] == ["linked"]


def test_api_resend_with_the_same_key_returns_the_same_referral(api_as, partner1, dongs):
    api = api_as(partner1)
    first = api.post("/api/v1/referrals/", payload(dongs), format="json",
                     HTTP_IDEMPOTENCY_KEY="partner-req-000123")
    second = api.post("/api/v1/referrals/", payload(dongs), format="json",
                      HTTP_IDEMPOTENCY_KEY="partner-req-000123")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert Referral.objects.count() == 1


def test_someone_elses_key_is_refused(api_as, partner1, staff1, dongs):
    api_as(partner1).post("/api/v1/referrals/", payload(dongs, idempotency_key="shared-key-01"),
                          format="json")
    response = api_as(staff1).post("/api/v1/referrals/",
                                   payload(dongs, idempotency_key="shared-key-01"),
                                   format="json")
    assert response.status_code == 400
    assert Referral.objects.count() == 1


@pytest.mark.parametrize("overrides,field", [
    ({"dong_code": "9999999999"}, "dong_code"),
    ({"categories": ["nonsense"]}, "categories"),
    ({"categories": []}, "categories"),
    ({"road_address": "부산광역시 해운대구 중동 1"}, "road_address"),
    ({"urgency": 7}, "urgency"),
])
def test_bad_input_is_400_naming_the_field(api_as, partner1, dongs, overrides, field):
    response = api_as(partner1).post("/api/v1/referrals/", payload(dongs, **overrides),
                                     format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert Referral.objects.count() == 0


def test_staff_cannot_refer_a_forged_household_or_another_dongs(api_as, staff1, dongs):
    theirs = Household.objects.filter(dong=dongs["대림2동"]).first()
    response = api_as(staff1).post("/api/v1/referrals/",
                                   payload(dongs, household=theirs.pk), format="json")
    assert response.status_code == 400
    assert "household" in response.json()
    response = api_as(staff1).post("/api/v1/referrals/",
                                   payload(dongs, dong_code=dongs["대림2동"].code),
                                   format="json")
    assert response.status_code == 400


def test_staff_logs_a_phone_referral(api_as, staff1, dongs):
    household = Household.objects.filter(dong=dongs["신길1동"]).first()
    response = api_as(staff1).post("/api/v1/referrals/", payload(
        dongs, household=household.pk, staff_method="phone"), format="json")
    assert response.status_code == 201
    referral = Referral.objects.get()
    assert (referral.channel, referral.staff_method, referral.household) == (
        "staff", "phone", household)


def test_auditor_cannot_refer(api_as, auditor1, dongs):
    assert api_as(auditor1).post("/api/v1/referrals/", payload(dongs),
                                 format="json").status_code == 403


def test_list_filters_and_masks(api_as, staff1, make_referral):
    make_referral(categories=["rent"], subject_name="홍길동", urgency=1)
    make_referral(categories=["meals"], road_address="신길로 90")
    api = api_as(staff1)
    rows = api.get("/api/v1/referrals/", {"category": "rent"}).json()["results"]
    assert len(rows) == 1
    assert rows[0]["subject_name_masked"] == "홍*동"
    assert len(api.get("/api/v1/referrals/", {"urgency": 1}).json()["results"]) == 1
    assert api.get("/api/v1/referrals/", {"category": "nope"}).status_code == 400


def test_referral_list_query_count_does_not_grow(api_as, staff1, make_referral,
                                                 django_assert_max_num_queries):
    for n in range(15):
        make_referral(road_address=f"신길로 {n + 1}")
    with django_assert_max_num_queries(6):
        response = api_as(staff1).get("/api/v1/referrals/")
    assert response.json()["count"] == 15


def test_openapi_schema_has_referrals_and_inbox_without_warnings(client, demo, capsys):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert "/api/v1/referrals/" in schema["paths"]
    assert "/api/v1/inbox/" in schema["paths"]
    assert "post" in schema["paths"]["/api/v1/referrals/"]
    captured = capsys.readouterr()
    assert "Warning" not in captured.err and "Error" not in captured.err
