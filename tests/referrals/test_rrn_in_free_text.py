"""A resident registration number typed into any note is masked before it is stored,
and the writer is told (PRODUCT §4: no plain RRN in any free-text note)."""

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.urls import reverse

from referrals import services
from referrals.models import Referral, ServiceLink
from tests.referrals.test_api import payload
from tests.referrals.test_public_report import report
from tests.referrals.test_staff_partner_intake import intake
from tests.referrals.test_volunteer_form import form_data

pytestmark = pytest.mark.django_db

TYPED = "할머니 주민번호 ４５０３１２－２１２３４５６ 이래요"
MASKED = "450312-2******"
NOTE = "주민등록번호로 보이는 숫자를 가려서 저장했습니다."


def no_plain_number_anywhere(table):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 — a fixed table name
        text = " ".join(str(v) for row in cursor.fetchall() for v in row)
    return "2123456" not in text and "２１２３４５６" not in text


def told(response):
    return NOTE in [str(m) for m in get_messages(response.wsgi_request)]


def test_volunteer_note_is_masked_and_the_volunteer_told(client_as, volunteer1, dongs):
    response = client_as(volunteer1).post(reverse("volunteer_refer"),
                                          form_data(dongs, note=TYPED))
    assert response.status_code == 302
    assert Referral.objects.get().note == f"할머니 주민번호 {MASKED} 이래요"
    assert told(response)
    assert no_plain_number_anywhere("referrals_referral")


def test_a_note_without_a_number_brings_no_note(client_as, volunteer1, dongs):
    response = client_as(volunteer1).post(reverse("volunteer_refer"), form_data(dongs))
    assert response.status_code == 302 and not told(response)


def test_public_report_is_masked_and_the_page_says_so(client, dongs):
    response = client.post(reverse("public_report"),
                           report(dongs, note=TYPED, contact="9001011234567"))
    assert response.status_code == 200
    referral = Referral.objects.get()
    assert MASKED in referral.note and referral.referrer_contact == "900101-1******"
    assert NOTE in response.content.decode()
    assert no_plain_number_anywhere("referrals_referral")


def test_staff_intake_masks_every_text_field(client_as, staff1, dongs):
    response = client_as(staff1).post(reverse("referral_new"), intake(
        dongs, note=TYPED, referrer_name="김 900101-1234567", subject_name="900101 1234567"))
    assert response.status_code == 302 and told(response)
    assert no_plain_number_anywhere("referrals_referral")


def test_api_referral_is_masked_and_the_header_counts(api_as, partner1, dongs):
    response = api_as(partner1).post("/api/v1/referrals/", payload(
        dongs, note=TYPED, referrer_contact="900101-1234567"), format="json")
    assert response.status_code == 201
    assert response["X-RRN-Masked"] == "2"
    assert MASKED in Referral.objects.get().note
    assert no_plain_number_anywhere("referrals_referral")


def test_service_link_request_note_by_api(api_as, staff1, catalogue, food_bank,
                                          yeouido_household, consent_for):
    consent_for(yeouido_household, staff1)
    response = api_as(staff1).post("/api/v1/service-links/", {
        "household": yeouido_household.pk, "service": catalogue["푸드뱅크·푸드마켓"].pk,
        "provider": food_bank.pk, "note": TYPED}, format="json")
    assert response.status_code == 201 and response["X-RRN-Masked"] == "1"
    assert MASKED in ServiceLink.objects.get().request_note
    assert no_plain_number_anywhere("referrals_servicelink")


def test_partner_decline_reason_by_page(client_as, staff1, partner1, catalogue, food_bank,
                                        singil_household, consent_for):
    consent_for(singil_household, staff1)
    link = services.service_link_request(household=singil_household,
                                         service=catalogue["푸드뱅크·푸드마켓"],
                                         provider=food_bank, requested_by=staff1)
    response = client_as(partner1).post(f"/partner/links/{link.pk}/", {
        "answer": "decline", "reason": "대상자 900101-1234567 은 이미 이용 중"})
    assert response.status_code == 302 and told(response)
    link.refresh_from_db()
    assert link.decline_reason == "대상자 900101-1****** 은 이미 이용 중"
    assert no_plain_number_anywhere("referrals_servicelink")
    assert no_plain_number_anywhere("households_timelineevent")


def test_services_mask_whatever_caller_skipped_the_form(staff1, make_referral):
    """Higher apps (the inbox closes referrals) call the service directly."""
    referral = make_referral()
    services.referral_close(referral=referral, reason="other", note=TYPED, actor=staff1)
    referral.refresh_from_db()
    assert referral.close_note == f"할머니 주민번호 {MASKED} 이래요"
