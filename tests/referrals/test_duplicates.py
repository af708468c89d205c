"""Matching on submit: a second open referral or an alert at the same place is flagged."""

import pytest
import time_machine
from django.urls import reverse

from households.models import Household
from referrals.models import CloseReason, Referral

pytestmark = pytest.mark.django_db


def test_second_referral_at_the_same_address_is_a_likely_duplicate(make_referral):
    first = make_referral(road_address="서울특별시 영등포구 신길로 41, 2층")
    second = make_referral(road_address="신길로41 2F", channel=Referral.Channel.PUBLIC)
    assert not first.likely_duplicate
    assert second.likely_duplicate
    assert second.duplicate_of == first


def test_same_address_in_another_dong_is_not_a_duplicate(make_referral):
    make_referral(dong="신길1동", road_address="신길로 41")
    other = make_referral(dong="여의동", road_address="신길로 41")
    assert not other.likely_duplicate


def test_older_than_30_days_is_not_a_duplicate(make_referral):
    with time_machine.travel("2026-01-01 10:00 +0900"):
        make_referral(road_address="신길로 41")
    with time_machine.travel("2026-02-05 10:00 +0900"):
        later = make_referral(road_address="신길로 41")
    assert not later.likely_duplicate


def test_referral_at_an_open_alerts_household_is_flagged(make_referral, open_alert, dongs):
    household = Household.objects.filter(dong=dongs["여의동"]).first()
    alert = open_alert(household)
    referral = make_referral(dong="여의동", road_address=household.road_address,
                             address_detail=household.address_detail)
    assert referral.household == household
    assert referral.likely_duplicate
    assert referral.duplicate_alert_id == alert.pk


def test_staff_merge_keeps_both_histories(client_as, staff1, make_referral, dongs):
    household = Household.objects.filter(dong=dongs["신길1동"]).first()
    first = make_referral(road_address=household.road_address,
                          address_detail=household.address_detail, categories=["meals"])
    second = make_referral(road_address=household.road_address,
                           address_detail=household.address_detail, categories=["rent"],
                           urgency=Referral.Urgency.EMERGENCY)
    response = client_as(staff1).post(
        reverse("inbox_merge", args=["referral", second.pk]), {"target": f"R-{first.pk}"})
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.status == Referral.Status.CLOSED
    assert second.close_reason == CloseReason.DUPLICATE
    assert second.merged_into == first
    assert first.is_open
    assert set(first.category_list) == {"meals", "rent"}
    assert first.urgency == Referral.Urgency.EMERGENCY
    summaries = [event.text for event in household.timeline.all()]
    assert sum(f"R-{first.pk}" in s for s in summaries) >= 2
    assert any(f"R-{second.pk}" in s and "병합" in s for s in summaries)
    # The referrer of the merged one follows the survivor's status.
    assert second.public_status == first.get_status_display()


def test_merge_page_lists_likely_duplicates(client_as, staff1, make_referral):
    first = make_referral(road_address="신길로 41")
    second = make_referral(road_address="신길로 41")
    response = client_as(staff1).get(reverse("inbox_merge", args=["referral", second.pk]))
    assert response.status_code == 200
    assert [c.label for c in response.context["candidates"]] == [f"R-{first.pk}"]


def test_merge_into_another_dongs_item_is_refused(client_as, staff1, make_referral):
    mine = make_referral(dong="신길1동", road_address="신길로 41")
    theirs = make_referral(dong="대림2동", road_address="대림로 10")
    response = client_as(staff1).post(
        reverse("inbox_merge", args=["referral", mine.pk]), {"target": f"R-{theirs.pk}"})
    assert response.status_code == 400
    mine.refresh_from_db()
    assert mine.is_open


def test_alert_merged_into_a_referral(client_as, staff1, make_referral, open_alert, dongs):
    household = Household.objects.filter(dong=dongs["여의동"]).first()
    referral = make_referral(dong="여의동", road_address="여의대방로 1")
    alert = open_alert(household, level="critical", score=91)
    response = client_as(staff1).post(reverse("inbox_merge", args=["alert", alert.pk]),
                                      {"target": f"R-{referral.pk}"})
    assert response.status_code == 302
    alert.refresh_from_db()
    referral.refresh_from_db()
    assert alert.status == "merged"
    assert alert.close_reason == CloseReason.DUPLICATE
    assert referral.household == household
    assert referral.urgency == Referral.Urgency.EMERGENCY
