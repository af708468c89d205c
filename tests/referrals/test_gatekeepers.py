"""Gatekeeper places: a dong registers a pharmacy, prints its memo pad, and a shopkeeper's
report through the QR code arrives attributed to the place (the reporter stays anonymous)."""

import pytest
import segno
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from households.models import AccessLog
from referrals.models import GatekeeperPlace, Referral
from tests.factories import GatekeeperPlaceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pharmacy_in_singil1(dongs, staff1):
    return GatekeeperPlaceFactory(dong=dongs["신길1동"], name="신길온누리약국",
                                  registered_by=staff1)


def report(dongs, place_code="", **overrides):
    data = {
        "idempotency_key": "gatekeeper-0001",
        "dong": dongs["신길1동"].pk,
        "road_address": "신길로 41",
        "categories": ["meals"],
        "note": "단골 할아버지가 요즘 약을 못 사 가세요",
        "place": place_code,
        "website": "",
    }
    data.update(overrides)
    return data


# --- registering and revoking --------------------------------------------------------------

def test_staff_registers_a_place_in_their_dong_with_a_random_code(client_as, staff1, dongs):
    response = client_as(staff1).post(reverse("gatekeeper_places"), {
        "kind": "pharmacy", "name": "영등포약국", "road_address": "신길로 12",
        "dong": dongs["신길1동"].pk,
    })
    assert response.status_code == 302
    place = GatekeeperPlace.objects.get()
    assert (place.kind, place.dong, place.registered_by) == ("pharmacy", dongs["신길1동"], staff1)
    assert len(place.code) == 12 and place.code.isalnum() and not place.revoked


def test_codes_differ_from_place_to_place(dongs):
    codes = {GatekeeperPlaceFactory(dong=dongs["여의동"]).code for _ in range(20)}
    assert len(codes) == 20


def test_staff_cannot_register_a_place_in_another_dong(client_as, staff1, dongs):
    response = client_as(staff1).post(reverse("gatekeeper_places"), {
        "kind": "pharmacy", "name": "대림약국", "road_address": "대림로 1",
        "dong": dongs["대림2동"].pk,
    })
    assert response.status_code == 400
    assert "고를 수 있는 동이 아닙니다" in response.content.decode()
    assert not GatekeeperPlace.objects.exists()


@pytest.mark.parametrize("who", ["volunteer1", "partner1", "manager1", "auditor1"])
def test_only_district_admins_and_dong_staff_keep_places(client_as, who, demo):
    user = get_user_model().objects.get(username=who)
    assert client_as(user).get(reverse("gatekeeper_places")).status_code == 403


def test_the_list_shows_each_place_with_its_last_report_date(client_as, staff1, dongs,
                                                             pharmacy_in_singil1):
    page = client_as(staff1).get(reverse("gatekeeper_places")).content.decode()
    assert "신길온누리약국" in page and "—" in page
    Client().post(reverse("public_report"), report(dongs, pharmacy_in_singil1.code))
    sent = Referral.objects.get().created_at
    page = client_as(staff1).get(reverse("gatekeeper_places")).content.decode()
    assert f"{timezone.localtime(sent):%Y.%m.%d}" in page


def test_admin_keeps_places_of_every_dong(client_as, admin_user, pharmacy_in_singil1, dongs):
    daerim = GatekeeperPlaceFactory(dong=dongs["대림2동"], name="대림편의점",
                                    kind=GatekeeperPlace.Kind.CONVENIENCE_STORE)
    page = client_as(admin_user).get(reverse("gatekeeper_places")).content.decode()
    assert "신길온누리약국" in page and "대림편의점" in page
    client_as(admin_user).post(reverse("gatekeeper_place_revoke", args=[daerim.pk]))
    daerim.refresh_from_db()
    assert daerim.revoked and daerim.revoked_by == admin_user


def test_staff2_can_neither_see_print_nor_revoke_a_singil1_place(client_as, staff2,
                                                                 pharmacy_in_singil1):
    client = client_as(staff2)
    assert "신길온누리약국" not in client.get(reverse("gatekeeper_places")).content.decode()
    for size in ("memo", "poster"):
        url = reverse("gatekeeper_place_print", args=[pharmacy_in_singil1.pk, size])
        assert client.get(url).status_code == 404
    response = client.post(reverse("gatekeeper_place_revoke", args=[pharmacy_in_singil1.pk]))
    assert response.status_code == 404
    pharmacy_in_singil1.refresh_from_db()
    assert not pharmacy_in_singil1.revoked


def test_revoking_twice_keeps_the_first_date(client_as, staff1, pharmacy_in_singil1):
    client = client_as(staff1)
    client.post(reverse("gatekeeper_place_revoke", args=[pharmacy_in_singil1.pk]))
    first = GatekeeperPlace.objects.get().revoked_at
    client.post(reverse("gatekeeper_place_revoke", args=[pharmacy_in_singil1.pk]))
    assert GatekeeperPlace.objects.get().revoked_at == first


# --- the printed memo pad and poster ---------------------------------------------------------

@pytest.mark.parametrize(("size", "paper"), [("memo", "A6"), ("poster", "A4")])
def test_print_sheet_carries_a_qr_code_of_the_report_link(client_as, staff1, size, paper,
                                                          pharmacy_in_singil1):
    response = client_as(staff1).get(
        reverse("gatekeeper_place_print", args=[pharmacy_in_singil1.pk, size]))
    html = response.content.decode()
    url = f"http://testserver/report/?place={pharmacy_in_singil1.code}"
    expected_qr = segno.make(url, error="m").svg_inline(
        scale=4, omitsize=True, svgclass="qr", lineclass="qr-line")
    assert response.status_code == 200
    assert expected_qr in html and url in html
    assert f'data-paper="{paper}"' in html
    assert "css/gatekeeper-print.css" in html and "<style" not in html


def test_a_revoked_place_has_no_sheet_to_print(client_as, staff1, pharmacy_in_singil1):
    client = client_as(staff1)
    client.post(reverse("gatekeeper_place_revoke", args=[pharmacy_in_singil1.pk]))
    url = reverse("gatekeeper_place_print", args=[pharmacy_in_singil1.pk, "memo"])
    assert client.get(url).status_code == 404


def test_an_unknown_paper_size_is_404(client_as, staff1, pharmacy_in_singil1):
    url = reverse("gatekeeper_place_print", args=[pharmacy_in_singil1.pk, "banner"])
    assert client_as(staff1).get(url).status_code == 404


# --- reports through the QR code ---------------------------------------------------------------

def test_qr_link_opens_the_form_for_that_place(client, dongs, pharmacy_in_singil1):
    response = client.get(reverse("public_report"), {"place": pharmacy_in_singil1.code})
    html = response.content.decode()
    assert "신길온누리약국에 놓인 메모지" in html
    assert f'value="{pharmacy_in_singil1.code}"' in html
    assert f'<option value="{dongs["신길1동"].pk}" selected>' in html


def test_report_through_the_qr_code_is_attributed_to_the_place(client, dongs,
                                                               pharmacy_in_singil1):
    response = client.post(reverse("public_report"), report(dongs, pharmacy_in_singil1.code))
    assert response.status_code == 200
    referral = Referral.objects.get()
    assert referral.gatekeeper_place == pharmacy_in_singil1
    assert referral.channel == Referral.Channel.PUBLIC and referral.receipt_code
    assert referral.referred_by is None and referral.referrer_name == ""
    assert referral.gatekeeper_label == "약국 신길온누리약국 통해"


def test_a_code_in_lower_case_still_counts(client, dongs, pharmacy_in_singil1):
    client.post(reverse("public_report"), report(dongs, pharmacy_in_singil1.code.lower()))
    assert Referral.objects.get().gatekeeper_place == pharmacy_in_singil1


@pytest.mark.parametrize("code", ["ZZZZZZZZZZZZ", "'; DROP TABLE x", "가나다", "A" * 40])
def test_an_unknown_code_lets_the_report_through_as_an_ordinary_one(client, dongs, demo, code):
    page = client.get(reverse("public_report"), {"place": code})
    assert page.status_code == 200 and "data-gatekeeper-place" not in page.content.decode()
    response = client.post(reverse("public_report"), report(dongs, code))
    assert response.status_code == 200
    referral = Referral.objects.get()
    assert referral.gatekeeper_place is None and referral.receipt_code


def test_a_revoked_code_lets_the_report_through_as_an_ordinary_one(client, dongs,
                                                                   pharmacy_in_singil1):
    pharmacy_in_singil1.revoked_at = pharmacy_in_singil1.registered_at
    pharmacy_in_singil1.save()
    page = client.get(reverse("public_report"), {"place": pharmacy_in_singil1.code})
    assert "data-gatekeeper-place" not in page.content.decode()
    response = client.post(reverse("public_report"), report(dongs, pharmacy_in_singil1.code))
    assert response.status_code == 200
    assert Referral.objects.get().gatekeeper_place is None


def test_staff_see_where_the_report_came_from(client, client_as, staff1, dongs,
                                              pharmacy_in_singil1):
    client.post(reverse("public_report"), report(dongs, pharmacy_in_singil1.code))
    referral = Referral.objects.get()
    staff = client_as(staff1)
    assert "약국 신길온누리약국 통해" in staff.get(reverse("inbox")).content.decode()
    detail = staff.get(reverse("referral_detail", args=[referral.pk])).content.decode()
    assert "약국 신길온누리약국 통해" in detail
    assert AccessLog.objects.filter(object_type="referral", object_id=str(referral.pk),
                                    user=staff1).exists()


def test_demo_seeds_a_few_places_per_dong_once(dongs):
    from referrals.services.gatekeepers import gatekeeper_places_seed

    assert gatekeeper_places_seed(dongs.values()) == 3 * 18
    assert gatekeeper_places_seed(dongs.values()) == 0
    assert GatekeeperPlace.objects.filter(dong=dongs["여의동"]).count() == 3


def test_the_places_page_costs_the_same_for_3_places_as_for_30(client_as, staff1, dongs,
                                                               django_assert_max_num_queries):
    client = client_as(staff1)
    for i in range(3):
        GatekeeperPlaceFactory(dong=dongs["여의동"], name=f"약국 {i}")
    client.get(reverse("gatekeeper_places"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("gatekeeper_places"))
    for i in range(27):
        GatekeeperPlaceFactory(dong=dongs["신길1동"], name=f"편의점 {i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("gatekeeper_places"))
    assert page.content.decode().count('id="place-') == 30
