"""Staff log phone, walk-in and field referrals; partners and police refer by page."""

import pytest
from django.urls import reverse

from households.models import Organization
from referrals.models import Referral
from tests.factories import PartnerUserFactory

pytestmark = pytest.mark.django_db


def intake(dongs, **overrides):
    data = {
        "idempotency_key": "intake-0000-0001",
        "staff_method": "walk_in",
        "referrer_name": "이웃 주민",
        "referrer_contact": "010-0000-0000",
        "categories": ["rent"],
        "urgency": "2",
        "dong": dongs["여의동"].pk,
        "road_address": "여의대방로 43",
        "consent": "agreed",
    }
    data.update(overrides)
    return data


def test_staff_logs_a_walk_in_referral(client_as, staff1, dongs):
    response = client_as(staff1).post(reverse("referral_new"), intake(dongs))
    assert response.status_code == 302
    assert response["Location"] == reverse("inbox")
    referral = Referral.objects.get()
    assert (referral.channel, referral.staff_method, referral.referrer_name) == (
        "staff", "walk_in", "이웃 주민")


def test_staff_cannot_log_into_another_dong(client_as, staff1, dongs):
    response = client_as(staff1).post(reverse("referral_new"),
                                      intake(dongs, dong=dongs["대림2동"].pk))
    assert response.status_code == 400
    assert "dong" in response.context["form"].errors


def test_partner_refers_by_page(client_as, partner1, dongs):
    data = intake(dongs)
    data.pop("staff_method")
    response = client_as(partner1).post(reverse("referral_new"), data)
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert referral.channel == Referral.Channel.PARTNER
    assert referral.referrer_organization.code == "ydp-foodbank"


def test_police_referral_is_recorded_as_police(client, dongs):
    police_officer = PartnerUserFactory(
        username="officer1", membership__organization=Organization.objects.get(code="ydp-police"))
    client.force_login(police_officer)
    data = intake(dongs)
    data.pop("staff_method")
    client.post(reverse("referral_new"), data)
    assert Referral.objects.get().channel == Referral.Channel.POLICE


def test_auditor_cannot_refer(client_as, auditor1):
    assert client_as(auditor1).get(reverse("referral_new")).status_code == 403


def test_staff_moves_a_referral_along_and_the_volunteer_sees_it(client_as, staff1,
                                                                volunteer1, make_referral):
    referral = make_referral(referred_by=volunteer1)
    client_as(staff1).post(reverse("referral_detail", args=[referral.pk]), {"status": "linked"})
    referral.refresh_from_db()
    assert referral.status == Referral.Status.LINKED
    html = client_as(volunteer1).get(reverse("my_referrals")).content.decode()
    assert "지원 연계" in html


def test_status_page_cannot_close_without_a_reason(client_as, staff1, make_referral):
    referral = make_referral()
    client_as(staff1).post(reverse("referral_detail", args=[referral.pk]), {"status": "closed"})
    referral.refresh_from_db()
    assert referral.is_open
