"""Record pages and API answers carry Cache-Control: no-store; static files do not."""

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from households.models import Household


@pytest.fixture
def household_of_yeoui(dongs):
    return Household.objects.filter(dong=dongs["여의동"]).first()


def no_store(response):
    return "no-store" in response.get("Cache-Control", "")


def test_record_pages_are_not_stored(client_as, staff1, household_of_yeoui):
    client = client_as(staff1)
    for path in ["/households/", f"/households/{household_of_yeoui.pk}/", "/inbox/",
                 "/inbox/export/?format=csv", "/referrals/new/"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert no_store(response), path


def test_api_answers_are_not_stored_session_or_token(client_as, staff1, client,
                                                     household_of_yeoui):
    session = client_as(staff1).get(f"/api/v1/households/{household_of_yeoui.pk}/")
    assert session.status_code == 200 and no_store(session)
    token = Token.objects.create(user=staff1)
    by_token = Client().get("/api/v1/inbox/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert by_token.status_code == 200 and no_store(by_token)


def test_static_files_stay_cacheable(rf, staff1, settings):
    """WhiteNoise answers static files before Django in production; in DEBUG they reach
    the middleware, which leaves them alone."""
    from django.http import HttpResponse

    from households.middleware import NoStoreMiddleware

    request = rf.get(f"{settings.STATIC_URL}css/doorstep.css")
    request.user = staff1
    response = NoStoreMiddleware(lambda r: HttpResponse("body {}"))(request)
    assert not no_store(response)


def test_anonymous_public_pages_are_left_alone(client, demo):
    assert not no_store(client.get("/report/"))
