"""The IDOR matrix: every role × every record type × page and API.

A record outside the user's scope is simply not there: 404, never 403 with a
hint that it exists, never 500.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse, reverse_lazy

from households.models import Household, Person
from tests.factories import HeadOfHouseholdFactory

# (login, sees 여의동, sees 대림2동): staff1 covers 여의동 and 신길1동 only.
ROLES = [
    ("admin", True, True),
    ("manager1", True, True),
    ("staff1", True, False),
    ("lead1", True, False),
    ("admin2", True, True),
    ("staff2", False, True),
    ("volunteer1", False, False),
    ("partner1", False, False),
    ("auditor1", False, False),
]


def household_in(dong):
    return Household.objects.filter(dong=dong).order_by("id").first()


def person_in(dong):
    return Person.objects.filter(household__dong=dong).order_by("id").first()


RECORDS = {
    "household page": lambda h, p: reverse("household_detail", args=[h.pk]),
    "household api": lambda h, p: f"/api/v1/households/{h.pk}/",
    "household history page": lambda h, p: reverse("household_history", args=[h.pk]),
    "person api": lambda h, p: f"/api/v1/people/{p.pk}/",
}


@pytest.mark.parametrize("username,sees_yeoui,sees_daerim2", ROLES)
@pytest.mark.parametrize("record", RECORDS)
def test_idor_matrix(client, dongs, django_user_model, username, sees_yeoui, sees_daerim2,
                     record):
    client.force_login(django_user_model.objects.get(username=username))
    for dong_name, expected_visible in (("여의동", sees_yeoui), ("대림2동", sees_daerim2)):
        dong = dongs[dong_name]
        url = RECORDS[record](household_in(dong), person_in(dong))
        response = client.get(url)
        assert response.status_code == (200 if expected_visible else 404), (url, username)


@pytest.mark.parametrize("username,sees_yeoui,sees_daerim2", ROLES)
def test_api_list_holds_only_the_users_dongs(api_as, dongs, django_user_model, username,
                                             sees_yeoui, sees_daerim2):
    api = api_as(django_user_model.objects.get(username=username))
    response = api.get("/api/v1/households/", {"page_size": 100})
    assert response.status_code == 200
    codes = {row["dong_code"] for row in response.json()["results"]}
    assert (dongs["여의동"].code in codes) == sees_yeoui
    assert (dongs["대림2동"].code in codes) == sees_daerim2


def test_staff_list_page_shows_only_their_dongs(client_as, staff1, dongs):
    response = client_as(staff1).get(reverse("household_list"))
    assert response.status_code == 200
    shown = {h.dong_id for h in response.context["page"]}
    assert shown == {dongs["여의동"].pk, dongs["신길1동"].pk}


def test_filtering_by_another_dongs_id_is_refused_not_leaked(client_as, staff1, dongs):
    response = client_as(staff1).get(
        reverse("household_list"), {"dong": dongs["대림2동"].pk}
    )
    assert response.status_code == 200
    assert response.context["filter"].form.errors
    assert all(h.dong_id != dongs["대림2동"].pk for h in response.context["page"])


def test_roles_without_records_get_403_on_the_list(client_as, volunteer1, partner1, auditor1):
    for user in (volunteer1, partner1, auditor1):
        assert client_as(user).get(reverse("household_list")).status_code == 403


def test_list_masks_names(client_as, staff1, dongs):
    head = person_in(dongs["여의동"])
    head.name = "홍길동"
    head.save()
    html = client_as(staff1).get(reverse("household_list")).content.decode()
    assert "홍*동" in html
    assert "홍길동" not in html


def test_anonymous_is_sent_to_sign_in(client, demo):
    response = client.get(reverse("household_list"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]
    # Session authentication comes first and sends no WWW-Authenticate challenge: 403, not 401.
    assert client.get("/api/v1/households/").status_code == 403


def test_forged_and_malformed_ids_are_404(client_as, staff1):
    client = client_as(staff1)
    assert client.get("/households/999999999/").status_code == 404
    assert client.get("/households/abc/").status_code == 404
    assert client.get("/api/v1/households/999999999/").status_code == 404


LISTS = {
    "page": (reverse_lazy("household_list"), lambda response: len(response.context["page"])),
    "api": ("/api/v1/households/", lambda response: len(response.json()["results"])),
}


@pytest.mark.parametrize("listing", LISTS)
def test_list_query_count_does_not_grow_with_rows(client_as, admin_user, dongs, listing):
    url, rows_shown = LISTS[listing]
    client = client_as(admin_user)

    def list_once():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        return rows_shown(response), len(queries)

    rows_before, queries_before = list_once()  # the demo's 36 households
    for _ in range(12):
        HeadOfHouseholdFactory(household__dong=dongs["신길1동"])
    rows_after, queries_after = list_once()
    assert (rows_before, rows_after) == (36, 48)
    assert queries_after == queries_before <= 12


def test_address_search_accepts_other_spellings(client_as, admin_user, dongs):
    household = Household.objects.filter(dong=dongs["여의동"]).order_by("id").first()
    road, number = household.road_address.split()[-2:]
    typed = f"서울시 {road}{number}"  # no space, short city name
    page = client_as(admin_user).get(reverse("household_list"), {"q": typed}).context["page"]
    assert household.pk in {h.pk for h in page}
    assert len(page) < 36
