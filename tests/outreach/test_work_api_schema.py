"""endpoints appear in the OpenAPI schema."""

import pytest

pytestmark = pytest.mark.django_db


def test_visits_links_cases_and_check_ins_are_in_the_schema(api_as, staff1):
    schema = api_as(staff1).get("/api/v1/schema/?format=json").json()
    for path in ["/api/v1/visits/", "/api/v1/visits/{id}/record/", "/api/v1/cases/",
                 "/api/v1/cases/{id}/advance/", "/api/v1/check-ins/", "/api/v1/pairings/",
                 "/api/v1/service-links/", "/api/v1/service-links/{id}/accept/",
                 "/api/v1/services/"]:
        assert path in schema["paths"], path
