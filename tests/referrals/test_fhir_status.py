"""Service-link states as HL7 FHIR Task statuses in the API, with the mapping in the schema."""

import pytest

from referrals import services
from referrals.models import ServiceLink

pytestmark = pytest.mark.django_db

FHIR_TASK_STATUSES = {"draft", "requested", "received", "accepted", "rejected", "ready",
                      "cancelled", "in-progress", "on-hold", "failed", "completed",
                      "entered-in-error"}


def test_every_state_has_a_fhir_task_status():
    assert set(ServiceLink.FHIR_TASK_STATUS) == set(ServiceLink.Status.values)
    assert set(ServiceLink.FHIR_TASK_STATUS.values()) <= FHIR_TASK_STATUSES
    assert ServiceLink.FHIR_TASK_STATUS["declined"] == "rejected"
    assert ServiceLink.FHIR_TASK_STATUS["in_service"] == "in-progress"


def test_a_link_reads_as_fhir_through_its_life(api_as, staff1, partner1, catalogue,
                                                food_bank, yeouido_household, consent_for):
    consent_for(yeouido_household, staff1)
    link = services.service_link_request(household=yeouido_household,
                                         service=catalogue["푸드뱅크·푸드마켓"],
                                         provider=food_bank, requested_by=staff1)
    worker, partner = api_as(staff1), api_as(partner1)
    url = f"/api/v1/service-links/{link.pk}/"
    assert worker.get(url).json()["fhir_status"] == "requested"
    assert partner.post(f"{url}accept/").json()["fhir_status"] == "accepted"
    assert partner.post(f"{url}start/").json()["fhir_status"] == "in-progress"
    done = partner.post(f"{url}complete/", {"actual_value": 100000}, format="json")
    assert done.json()["fhir_status"] == "completed"
    assert worker.get(url).json()["fhir_status"] == "completed"


def test_declined_and_cancelled_links(api_as, staff1, partner1, catalogue, food_bank,
                                      yeouido_household, consent_for):
    consent_for(yeouido_household, staff1)
    def new_link():
        return services.service_link_request(household=yeouido_household,
                                             service=catalogue["푸드뱅크·푸드마켓"],
                                             provider=food_bank, requested_by=staff1)

    declined, cancelled = new_link(), new_link()
    body = api_as(partner1).post(f"/api/v1/service-links/{declined.pk}/decline/",
                                 {"reason_code": "no_capacity"}, format="json").json()
    assert body["fhir_status"] == "rejected" and body["decline_code"] == "no_capacity"
    body = api_as(staff1).post(f"/api/v1/service-links/{cancelled.pk}/cancel/", {},
                               format="json").json()
    assert body["fhir_status"] == "cancelled"


def test_the_mapping_is_described_in_the_openapi_schema(api_as, staff1):
    schema = api_as(staff1).get("/api/v1/schema/?format=json").json()
    for name in ("ServiceLink", "PartnerServiceLink"):
        field = schema["components"]["schemas"][name]["properties"]["fhir_status"]
        text = field.get("description", "")
        assert "declined → rejected" in text and "in_service → in-progress" in text, name
    assert "/api/v1/services/hsds/" in schema["paths"]
