"""A record id that is not a number is a 404 like any id one may not see, never a 500."""

import pytest


@pytest.mark.parametrize("path", [
    "/api/v1/people/abc/",
    "/api/v1/households/abc/",
    "/api/v1/households/1.5/",
    "/api/v1/referrals/abc/",
    "/api/v1/services/abc/",
    "/api/v1/service-links/abc/",
    "/api/v1/service-links/abc/accept/",
])
def test_a_non_numeric_id_is_404(api_as, staff1, path):
    api = api_as(staff1)
    api.raise_request_exception = False
    method = api.post if path.endswith("accept/") else api.get
    assert method(path).status_code == 404


def test_a_path_outside_the_api_routes_answers_json_not_a_page(api_as, staff1):
    response = api_as(staff1).get("/api/v1/dashboard/요청/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"]
