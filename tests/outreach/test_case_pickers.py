"""Person-pickers offer only people who may see the household: a 신길1동 case cannot go
to staff2 of 대림2동, by page, API or service; the inbox offers its item's dong staff."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse

from households.models import Membership, Role
from households.selectors import household_viewers, visible_households
from outreach.models import Case
from outreach.selectors.cases import case_managers_for
from outreach.services.cases import case_open

pytestmark = pytest.mark.django_db

DEMO_LOGINS = ["admin", "staff1", "staff2", "manager1", "volunteer1", "partner1", "auditor1"]


@pytest.fixture
def staff_of_yeoui_only(dongs):
    user = get_user_model().objects.create(username="staff_yeoui")
    Membership.objects.create(user=user, role=Role.DONG_STAFF, dong=dongs["여의동"])
    return user


def test_who_may_see_a_household_is_exactly_who_visible_households_lets_in(
        demo, singil_household, daerim_household, staff_of_yeoui_only):
    users = get_user_model().objects.filter(username__in=[*DEMO_LOGINS, "staff_yeoui"])
    for household in (singil_household, daerim_household):
        viewers = set(household_viewers(household))
        for user in users:
            sees = visible_households(user).filter(pk=household.pk).exists()
            assert (user in viewers) == sees, (user.username, household.dong.short_name)


def test_an_inactive_user_is_never_offered(singil_household, manager1):
    manager1.is_active = False
    manager1.save()
    assert manager1 not in household_viewers(singil_household)


def test_case_managers_of_a_singil_household_are_its_dong_staff_and_the_case_managers(
        singil_household, staff_of_yeoui_only):
    names = {user.username for user in case_managers_for(singil_household)}
    # staff2 (대림2동) and staff_yeoui cannot see it; admin sees it but manages no cases.
    assert names == {"staff1", "manager1"}


def test_the_household_page_does_not_offer_staff2(client_as, staff1, staff2,
                                                  singil_household):
    response = client_as(staff1).get(reverse("household_work", args=[singil_household.pk]))
    offered = set(response.context["case_form"].fields["manager"].queryset)
    assert staff2 not in offered and staff1 in offered
    html = response.content.decode()
    assert f'<option value="{staff2.pk}"' not in html


def test_the_household_page_refuses_staff2_with_a_clear_message(client_as, staff1, staff2,
                                                                 singil_household):
    response = client_as(staff1).post(
        reverse("household_work", args=[singil_household.pk]),
        {"action": "open_case", "manager": staff2.pk, "summary": "주거 위기"})
    assert response.status_code == 400
    assert "이 가구를 볼 수 있는 구 통합사례관리사나 이 동의 복지담당 중에서 골라 주세요." in (
        response.content.decode())
    # What was typed stays in the form.
    assert "주거 위기" in response.content.decode()
    assert not Case.objects.filter(household=singil_household).exists()


def test_the_api_refuses_staff2_with_a_clear_message(api_as, staff1, staff2,
                                                     singil_household):
    response = api_as(staff1).post("/api/v1/cases/", {
        "household": singil_household.pk, "manager": staff2.pk}, format="json")
    assert response.status_code == 400
    assert "이 가구를 볼 수 있는" in response.json()["manager"][0]
    assert not Case.objects.filter(household=singil_household).exists()


def test_the_api_accepts_a_case_manager_who_can_see_it(api_as, staff1, manager1,
                                                       singil_household):
    response = api_as(staff1).post("/api/v1/cases/", {
        "household": singil_household.pk, "manager": manager1.pk}, format="json")
    assert response.status_code == 201
    assert Case.objects.get(household=singil_household).manager == manager1


def test_the_api_checks_the_default_manager_too(api_as, admin_user, singil_household):
    """With no manager given the caller manages it — but a district admin manages no case."""
    response = api_as(admin_user).post("/api/v1/cases/", {"household": singil_household.pk},
                                       format="json")
    assert response.status_code == 400
    assert "admin" in response.content.decode()


def test_the_service_refuses_a_manager_who_cannot_see_the_household(staff1, staff2,
                                                                     singil_household):
    with pytest.raises(ValidationError) as error:
        case_open(household=singil_household, manager=staff2, user=staff1)
    assert "staff2는 이 가구의 사례관리자가 될 수 없습니다." in " ".join(error.value.messages)


def test_the_inbox_panel_offers_only_staff_of_the_items_dong(client_as, staff1,
                                                             staff_of_yeoui_only,
                                                             make_referral):
    referral = make_referral(dong="신길1동")
    response = client_as(staff1).get(reverse("inbox_item", args=["referral", referral.pk]))
    offered = {user.username for user in response.context["staff_choices"]}
    assert offered == {"staff1"}
    # The inbox's bulk bar still lists every dong's staff (it checks each item's dong).
    page = client_as(staff1).get(reverse("inbox"))
    assert "staff_yeoui" in {user.username for user in page.context["staff_choices"]}
