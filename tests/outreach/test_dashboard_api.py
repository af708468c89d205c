"""The dashboards' aggregates under /api/v1/dashboard/, in the OpenAPI schema."""

import pytest

PERIOD = {"start": "2026-01", "end": "2026-03"}


def test_the_panel_list_names_every_available_table(api_as, admin_user, district):
    response = api_as(admin_user).get("/api/v1/dashboard/")
    assert response.status_code == 200
    names = [p["name"] for p in response.json()]
    assert {"discovery_targets", "first_contact", "model_hit_rate", "model_by_age"} <= set(names)


def test_a_panel_gives_the_same_figures_as_the_page(api_as, admin_user, district):
    response = api_as(admin_user).get("/api/v1/dashboard/model_by_version/", PERIOD)
    assert response.status_code == 200
    body = response.json()
    assert body["period"] == {"start": "2026-01", "end": "2026-03",
                              "label": "2026년 1월 ~ 2026년 3월"}
    assert [c["key"] for c in body["columns"]][:4] == ["version", "closed", "hits", "hit_rate"]
    assert body["rows"] == [["버전 1", 2, 1, 0.5, 70.0, 0, None, None],
                            ["버전 2", 2, 1, 0.5, 85.0, 1, 1.0, 2.0]]
    assert body["is_empty"] is False


def test_an_impossible_period_is_a_400_with_the_reason(api_as, admin_user, district):
    response = api_as(admin_user).get("/api/v1/dashboard/first_contact/",
                                      {"start": "2026-04", "end": "2026-02"})
    assert response.status_code == 400
    assert "앞섭니다" in response.json()["detail"]


def test_a_dong_outside_the_scope_is_a_404(api_as, staff1, district, dongs):
    response = api_as(staff1).get("/api/v1/dashboard/first_contact/",
                                  {**PERIOD, "dong": dongs["대림2동"].pk})
    assert response.status_code == 404


def test_staff_get_their_own_dongs_only(api_as, staff1, district, dongs):
    body = api_as(staff1).get("/api/v1/dashboard/first_contact/", PERIOD).json()
    assert sorted(body["dong_ids"]) == sorted([dongs["여의동"].pk, dongs["신길1동"].pk])
    assert [r[0] for r in body["rows"]] == ["여의동", "신길1동"]


@pytest.mark.parametrize("who", ["volunteer1", "partner1", "auditor1"])
def test_roles_without_dashboards_are_refused(api_as, district, who):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username=who)
    assert api_as(user).get("/api/v1/dashboard/first_contact/").status_code == 403


def test_the_schema_lists_the_dashboard_endpoints(api_as, admin_user):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert "/api/v1/dashboard/" in schema["paths"]
    assert "/api/v1/dashboard/{name}/" in schema["paths"]
    parameters = {p["name"] for p in schema["paths"]["/api/v1/dashboard/{name}/"]["get"]
                  ["parameters"]}
    assert {"start", "end", "year", "dong"} <= parameters
