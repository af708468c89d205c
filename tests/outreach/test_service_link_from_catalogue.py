"""From the service catalogue (/services/) to a household the worker may see: pick the
household, land on its service-link form with the service filled in. Nobody links a
service to a household outside their dongs."""

import pytest
from django.urls import reverse

from households.models import AccessLog, Household
from referrals.models import ServiceLink

pytestmark = pytest.mark.django_db

FOOD_BANK = "푸드뱅크·푸드마켓"


def _pick(service):
    return reverse("service_link_pick", args=[service.pk])


def test_every_service_in_the_catalogue_can_be_linked_to_a_household(client_as, staff1,
                                                                      catalogue):
    html = client_as(staff1).get(reverse("service_catalogue")).content.decode()
    for service in catalogue.values():
        assert _pick(service) in html


def test_the_search_offers_only_the_workers_own_households(client_as, staff1, staff2,
                                                           catalogue, singil_household):
    service = catalogue[FOOD_BANK]
    street = singil_household.road_address.split()[-2]
    mine = client_as(staff1).get(_pick(service), {"q": street})
    offered = [h.pk for h in mine.context["page"]]
    assert singil_household.pk in offered
    assert set(Household.objects.filter(pk__in=offered).values_list(
        "dong__short_name", flat=True)) <= {"여의동", "신길1동"}
    theirs = client_as(staff2).get(_pick(service), {"q": street})
    assert singil_household.pk not in [h.pk for h in theirs.context["page"]]


def test_names_in_the_search_are_masked_and_the_search_is_logged(client_as, staff1, catalogue,
                                                                 singil_household):
    head = singil_household.members.order_by("-is_head", "id").first()
    html = client_as(staff1).get(_pick(catalogue[FOOD_BANK]),
                                 {"dong": singil_household.dong_id}).content.decode()
    assert head.name not in html
    assert AccessLog.objects.filter(user=staff1, object_type="household_search").exists()


def test_picking_a_household_opens_its_link_form_with_the_service_filled_in(
        client_as, staff1, catalogue, singil_household, food_bank, consent_for):
    consent_for(singil_household, staff1)
    service = catalogue[FOOD_BANK]
    response = client_as(staff1).get(_pick(service), {"household": singil_household.pk})
    work = reverse("household_work", args=[singil_household.pk])
    assert response.status_code == 302
    assert response["Location"] == f"{work}?service={service.pk}#link-form"
    page = client_as(staff1).get(f"{work}?service={service.pk}")
    form = page.context["link_form"]
    assert form.initial["service"] == service.pk
    assert f'<option value="{service.pk}" selected>' in page.content.decode()
    # The prefilled form sends the request as it stands.
    client_as(staff1).post(f"{work}?service={service.pk}", {
        "action": "request_link", "service": service.pk,
        "provider": service.providers.first().pk, "note": ""})
    assert ServiceLink.objects.filter(household=singil_household, service=service).exists()


def test_a_service_with_one_provider_fills_in_the_provider_too(client_as, staff1, catalogue,
                                                                 singil_household):
    service = next(s for s in catalogue.values() if s.providers.count() == 1)
    work = reverse("household_work", args=[singil_household.pk])
    form = client_as(staff1).get(f"{work}?service={service.pk}").context["link_form"]
    assert form.initial["provider"] == service.providers.get().pk


def test_staff2_of_daerim2_is_refused_a_singil1_household(client_as, staff2, catalogue,
                                                           singil_household):
    response = client_as(staff2).get(_pick(catalogue[FOOD_BANK]),
                                     {"household": singil_household.pk})
    assert response.status_code == 404
    assert "담당 범위 밖의 가구" in response.content.decode()
    assert not ServiceLink.objects.exists()


def test_a_household_number_that_is_not_a_number_is_a_clear_400(client_as, staff1, catalogue):
    response = client_as(staff1).get(_pick(catalogue[FOOD_BANK]), {"household": "12abc"})
    assert response.status_code == 400
    assert "가구 번호가 올바르지 않습니다" in response.content.decode()


def test_volunteers_cannot_pick_households(client_as, volunteer1, catalogue,
                                           singil_household):
    response = client_as(volunteer1).get(_pick(catalogue[FOOD_BANK]),
                                         {"household": singil_household.pk})
    assert response.status_code == 403
