"""Pairing and check-ins: the missed check-in beat task, concerns, volunteer scoping."""

from datetime import date, datetime

import pytest
import time_machine
from django.utils import timezone

from households.models import Household, mask_name
from outreach.models import CheckIn, DiscoveryAlert, Pairing
from outreach.selectors.inbox import inbox_items_for
from outreach.services.pairings import check_in_log, pairing_create
from outreach.tasks import check_ins_missed
from tests.factories import PairingFactory

pytestmark = pytest.mark.django_db


def _at(day: date, hour=9):
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


@pytest.fixture
def pairing(staff1, volunteer1, singil_household):
    with time_machine.travel(_at(date(2026, 11, 2)), tick=False):
        return pairing_create(volunteer=volunteer1, household=singil_household,
                                       cadence=Pairing.Cadence.WEEKLY, grace_days=2,
                                       created_by=staff1)


def test_missed_check_in_raises_an_alert_after_cadence_plus_grace(pairing, volunteer1):
    with time_machine.travel(_at(date(2026, 11, 3)), tick=False):
        check_in_log(pairing=pairing, by=volunteer1, kind="met", wellbeing=4)
    # Weekly + 2 days of grace: due 11-10, alert from 11-12.
    with time_machine.travel(_at(date(2026, 11, 11)), tick=False):
        assert check_ins_missed.apply().get() == 0
    with time_machine.travel(_at(date(2026, 11, 12)), tick=False):
        assert check_ins_missed.apply().get() == 1
    alert = DiscoveryAlert.objects.get(household=pairing.household)
    assert (alert.status, alert.origin) == ("open", "missed_check_in")


def test_a_missed_check_in_alerts_once_per_silence(pairing, volunteer1):
    with time_machine.travel(_at(date(2026, 11, 12)), tick=False):
        assert check_ins_missed.apply().get() == 1
    DiscoveryAlert.objects.update(status="closed")
    with time_machine.travel(_at(date(2026, 11, 13)), tick=False):
        assert check_ins_missed.apply().get() == 0
        check_in_log(pairing=pairing, by=volunteer1, kind="phone", wellbeing=3)
    # A new silence after the check-in re-arms it.
    with time_machine.travel(_at(date(2026, 11, 23)), tick=False):
        assert check_ins_missed.apply().get() == 1
    assert DiscoveryAlert.objects.filter(origin="missed_check_in").count() == 2


def test_no_answer_does_not_reset_the_clock(pairing, volunteer1):
    with time_machine.travel(_at(date(2026, 11, 10)), tick=False):
        check_in_log(pairing=pairing, by=volunteer1, kind="no_answer")
    with time_machine.travel(_at(date(2026, 11, 12)), tick=False):
        assert check_ins_missed.apply().get() == 1


def test_worried_opens_a_referral_in_the_dongs_inbox(pairing, volunteer1, staff1):
    from referrals.models import Referral

    check_in_log(pairing=pairing, by=volunteer1, kind="met", wellbeing=2,
                          concern=True, note="식사를 거르심")
    referral = Referral.objects.get(household=pairing.household)
    assert referral.channel == "volunteer" and referral.referred_by == volunteer1
    assert "식사를 거르심" in referral.note
    assert not DiscoveryAlert.objects.filter(household=pairing.household).exists()
    assert any(item.obj == referral for item in inbox_items_for(staff1).items)


def test_volunteer_page_shows_paired_households_with_the_minimum(client_as, pairing,
                                                                 volunteer1):
    head = pairing.household.members.order_by("-is_head", "id").first()
    page = client_as(volunteer1).get("/check-ins/").content.decode()
    assert mask_name(head.name) in page and "○" not in page
    assert head.name not in page
    assert pairing.household.road_address not in page
    assert head.phone not in page


def test_volunteer_logs_a_check_in_from_the_page(client_as, pairing, volunteer1):
    response = client_as(volunteer1).post("/check-ins/", {
        "pairing": pairing.pk, "kind": "met", "wellbeing": "5"})
    assert response.status_code == 302
    pairing.refresh_from_db()
    assert pairing.last_check_in_at is not None
    assert pairing.check_ins.get().wellbeing == 5


def test_page_check_in_without_wellbeing_is_refused_and_kept(client_as, pairing, volunteer1):
    response = client_as(volunteer1).post("/check-ins/", {
        "pairing": pairing.pk, "kind": "met", "note": "문 앞에서 인사"})
    assert response.status_code == 400
    assert "안녕 정도" in response.content.decode()
    assert "문 앞에서 인사" in response.content.decode()
    assert not CheckIn.objects.exists()


def test_volunteer_cannot_check_in_on_a_household_not_paired_by_page(
        client_as, staff1, volunteer1, pairing):
    next_door = Household.objects.filter(dong=pairing.household.dong).exclude(
        pk=pairing.household_id).first()
    staff1s_pairing_next_door = PairingFactory(volunteer=staff1, household=next_door)
    response = client_as(volunteer1).post("/check-ins/", {
        "pairing": staff1s_pairing_next_door.pk, "kind": "met", "wellbeing": "4"})
    assert response.status_code == 404
    assert not CheckIn.objects.exists()


def test_volunteer_cannot_check_in_on_a_household_not_paired_by_api(
        api_as, staff1, volunteer1, pairing):
    next_door = Household.objects.filter(dong=pairing.household.dong).exclude(
        pk=pairing.household_id).first()
    staff1s_pairing_next_door = PairingFactory(volunteer=staff1, household=next_door)
    response = api_as(volunteer1).post("/api/v1/check-ins/", {
        "pairing": staff1s_pairing_next_door.pk, "kind": "met", "wellbeing": 4},
        format="json")
    assert response.status_code == 400
    assert "결연된 가구가 아닙니다" in response.content.decode()
    assert not CheckIn.objects.exists()


def test_volunteer_api_sees_only_own_pairings_minimal(api_as, volunteer1, pairing):
    body = api_as(volunteer1).get("/api/v1/pairings/").json()
    assert body["count"] == 1
    row = body["results"][0]
    assert set(row) == {"id", "dong_name", "head_name_masked", "cadence", "grace_days",
                        "last_check_in_at", "due_at"}
    created = api_as(volunteer1).post("/api/v1/check-ins/", {
        "pairing": pairing.pk, "kind": "phone", "wellbeing": 3}, format="json")
    assert created.status_code == 201


def test_volunteer_sees_no_household_records(client_as, api_as, volunteer1, pairing):
    assert client_as(volunteer1).get(f"/households/{pairing.household_id}/work/").status_code \
        == 403
    assert client_as(volunteer1).get(
        f"/households/{pairing.household_id}/timeline/").status_code == 403
    assert api_as(volunteer1).get("/api/v1/cases/").json()["count"] == 0


def test_pairing_a_volunteer_of_another_dong_is_refused(client_as, staff1, volunteer1,
                                                        yeouido_household):
    response = client_as(staff1).post(f"/households/{yeouido_household.pk}/work/", {
        "action": "pair", "volunteer": volunteer1.pk, "cadence": "weekly", "grace_days": 2})
    assert response.status_code == 400
    assert not Pairing.objects.exists()


def test_staff_ends_a_pairing_and_the_volunteer_loses_the_household(client_as, staff1,
                                                                    volunteer1, pairing):
    response = client_as(staff1).post(f"/households/{pairing.household_id}/work/", {
        "action": "end_pairing", "pairing": pairing.pk})
    assert response.status_code == 302
    pairing.refresh_from_db()
    assert pairing.ended_on is not None
    assert "section class=\"card check-in\"" not in client_as(volunteer1).get(
        "/check-ins/").content.decode()
