""""걱정돼요" on a check-in raises a referral that carries what worries the volunteer and the
pairing it came from, not a bare 기타."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from outreach.models import CheckIn, Pairing
from outreach.services.pairings import check_in_log, pairing_create
from referrals.models import Referral

pytestmark = pytest.mark.django_db


@pytest.fixture
def pairing(staff1, volunteer1, singil_household):
    return pairing_create(volunteer=volunteer1, household=singil_household,
                          cadence=Pairing.Cadence.WEEKLY, created_by=staff1)


def test_the_referral_carries_the_worry_and_the_pairing(pairing, volunteer1):
    check_in_log(pairing=pairing, by=volunteer1, kind="met", wellbeing=2, concern=True,
                 concern_category="meals", note="냉장고가 비어 있음")
    referral = Referral.objects.get(household=pairing.household)
    assert referral.category_list == ["meals"]
    assert referral.pairing_id == pairing.pk
    assert CheckIn.objects.get().concern_category == "meals"


def test_a_worry_with_no_category_named_is_other(pairing, volunteer1):
    check_in_log(pairing=pairing, by=volunteer1, kind="phone", wellbeing=3, concern=True)
    assert Referral.objects.get().category_list == ["other"]


def test_naming_a_worry_is_worrying(pairing, volunteer1):
    check_in_log(pairing=pairing, by=volunteer1, kind="met", wellbeing=3,
                 concern_category="utilities")
    assert CheckIn.objects.get().concern is True
    assert Referral.objects.get().category_list == ["utilities"]


def test_no_worry_no_referral(pairing, volunteer1):
    check_in_log(pairing=pairing, by=volunteer1, kind="met", wellbeing=5)
    assert CheckIn.objects.get().concern_category == ""
    assert not Referral.objects.exists()


def test_the_phone_page_sends_the_worry(client_as, pairing, volunteer1, staff1):
    page = client_as(volunteer1).get(reverse("check_ins")).content.decode()
    assert 'name="concern_category"' in page
    client_as(volunteer1).post(reverse("check_ins"), {
        "pairing": pairing.pk, "kind": "met", "wellbeing": "2", "concern": "on",
        "concern_category": "illness", "note": ""})
    referral = Referral.objects.get()
    assert (referral.category_list, referral.pairing_id) == (["illness"], pairing.pk)
    detail = client_as(staff1).get(reverse("referral_detail", args=[referral.pk]))
    assert f"결연 #{pairing.pk}" in detail.content.decode()


def test_the_api_sends_the_worry_and_refuses_one_not_in_the_list(api_as, pairing, volunteer1):
    bad = api_as(volunteer1).post("/api/v1/check-ins/", {
        "pairing": pairing.pk, "kind": "met", "wellbeing": 2, "concern": True,
        "concern_category": "boredom"}, format="json")
    assert bad.status_code == 400 and not CheckIn.objects.exists()
    good = api_as(volunteer1).post("/api/v1/check-ins/", {
        "pairing": pairing.pk, "kind": "met", "wellbeing": 2, "concern": True,
        "concern_category": "rent"}, format="json")
    assert good.status_code == 201 and good.json()["concern_category"] == "rent"
    assert Referral.objects.get().category_list == ["rent"]


def test_the_migration_files_earlier_worries_as_other(pairing, volunteer1):
    check_in_log(pairing=pairing, by=volunteer1, kind="met", wellbeing=2, concern=True,
                 concern_category="meals")
    CheckIn.objects.update(concern_category="")
    migration = importlib.import_module("outreach.migrations.0014_check_in_concern_category")
    migration.concerns_were_other(django_apps, None)
    assert CheckIn.objects.get().concern_category == "other"
