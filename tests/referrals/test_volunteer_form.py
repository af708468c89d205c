"""The volunteer's mobile form: one referral per idempotency key, nothing typed is lost."""

import pytest
from django.urls import reverse

from households.models import AccessLog
from referrals.models import Referral

pytestmark = pytest.mark.django_db


def form_data(dongs, **overrides):
    data = {
        "idempotency_key": "c0ffee00-1111-2222-3333-444455556666",
        "categories": ["meals", "elderly_alone"],
        "urgency": "2",
        "dong": dongs["신길1동"].pk,
        "road_address": "신길로 41",
        "address_detail": "2층",
        "tong": "3",
        "ban": "2",
        "subject_name": "",
        "subject_age_band": "80",
        "subject_sex": "F",
        "subject_lives_alone": "yes",
        "consent": "knows",
        "note": "우편물이 쌓여 있어요",
    }
    data.update(overrides)
    return data


def test_form_defaults_to_the_volunteers_dong(client_as, volunteer1, dongs):
    response = client_as(volunteer1).get(reverse("volunteer_refer"))
    assert response.status_code == 200
    assert response.context["form"].initial["dong"] == dongs["신길1동"].pk
    assert response.context["form"].initial["idempotency_key"]


def test_volunteer_submits_a_referral(client_as, volunteer1, dongs):
    response = client_as(volunteer1).post(reverse("volunteer_refer"), form_data(dongs))
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.channel == Referral.Channel.VOLUNTEER
    assert referral.referred_by == volunteer1
    assert referral.category_list == ["meals", "elderly_alone"]
    assert (referral.tong, referral.ban, referral.subject_lives_alone) == (3, 2, True)
    assert referral.status == Referral.Status.RECEIVED


def test_double_submit_with_the_same_key_makes_one_referral(client_as, volunteer1, dongs):
    client = client_as(volunteer1)
    first = client.post(reverse("volunteer_refer"), form_data(dongs),
                        HTTP_ACCEPT="application/json")
    second = client.post(reverse("volunteer_refer"), form_data(dongs),
                         HTTP_ACCEPT="application/json")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert Referral.objects.count() == 1


def test_half_filled_form_keeps_what_was_typed_and_names_missing_fields(client_as, volunteer1,
                                                                        dongs):
    data = form_data(dongs, categories=[], road_address="")
    response = client_as(volunteer1).post(reverse("volunteer_refer"), data)
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {"categories", "road_address"}
    html = response.content.decode()
    assert "우편물이 쌓여 있어요" in html
    assert "걱정되는 점을 하나 이상 골라 주세요." in html
    assert Referral.objects.count() == 0


@pytest.mark.parametrize("field,value", [
    ("categories", ["no-such-category"]),
    ("dong", "999999"),
    ("road_address", "서울 마포구 양화로 45"),
    ("urgency", "9"),
])
def test_bad_values_are_400_with_a_message(client_as, volunteer1, dongs, field, value):
    response = client_as(volunteer1).post(reverse("volunteer_refer"),
                                          form_data(dongs, **{field: value}))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert Referral.objects.count() == 0


def test_json_errors_for_the_offline_script(client_as, volunteer1, dongs):
    response = client_as(volunteer1).post(reverse("volunteer_refer"),
                                          form_data(dongs, road_address=""),
                                          HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert "road_address" in response.json()["errors"]


def test_only_volunteers_use_the_volunteer_form(client_as, staff1, partner1):
    for user in (staff1, partner1):
        assert client_as(user).get(reverse("volunteer_refer")).status_code == 403


def test_my_referrals_shows_status_only(client_as, volunteer1, dongs):
    client = client_as(volunteer1)
    client.post(reverse("volunteer_refer"), form_data(dongs, subject_name="홍길동"))
    html = client.get(reverse("my_referrals")).content.decode()
    assert "접수" in html
    for detail in ("홍길동", "신길로 41", "우편물이 쌓여 있어요", "끼니 거름"):
        assert detail not in html


def test_referral_matches_a_household_at_the_address(client_as, volunteer1, dongs):
    from households.models import Household

    household = Household.objects.filter(dong=dongs["신길1동"]).first()
    data = form_data(dongs, road_address=household.road_address,
                     address_detail=household.address_detail)
    client_as(volunteer1).post(reverse("volunteer_refer"), data)
    referral = Referral.objects.get()
    assert referral.household == household
    assert household.timeline.filter(kind="referral").count() == 1
    assert AccessLog.objects.filter(action="create", object_type="referral").count() == 1
