"""Signing in: the demo logins reach their home page; wrong passwords lock out."""

from django.urls import reverse


def test_sign_in_and_home(client, demo):
    response = client.post(reverse("login"), {"username": "staff1", "password": "doorstep-demo"},
                           follow=True)
    assert response.status_code == 200
    assert "동 복지담당" in response.content.decode()


def test_wrong_password_says_so_in_korean(client, demo):
    response = client.post(reverse("login"), {"username": "staff1", "password": "nope"})
    assert response.status_code == 200
    assert "비밀번호" in response.content.decode()


def test_wrong_password_in_english_when_en(client, demo):
    client.cookies["django_language"] = "en"
    response = client.post(reverse("login"), {"username": "staff1", "password": "nope"})
    assert "password" in response.content.decode().lower()
    assert "올바른" not in response.content.decode()


def test_five_failures_lock_the_account(client, demo):
    for _ in range(5):
        client.post(reverse("login"), {"username": "staff1", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "staff1", "password": "doorstep-demo"})
    assert response.status_code == 429
    assert "잠겼습니다" in response.content.decode()


def test_idle_session_expires(client, demo, settings):
    import time_machine

    with time_machine.travel("2026-11-23 09:00 +0900", tick=False) as clock:
        client.post(reverse("login"), {"username": "staff1", "password": "doorstep-demo"})
        assert client.get(reverse("household_list")).status_code == 200
        clock.shift(29 * 60)
        assert client.get(reverse("household_list")).status_code == 200
        clock.shift(31 * 60)
        assert client.get(reverse("household_list")).status_code == 302


def test_healthz(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_healthz_answers_503_when_the_broker_is_down(client, db, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"].startswith("error")


def test_password_change_applies_the_validators(client_as, staff1):
    client = client_as(staff1)
    response = client.post("/password/", {"old_password": "doorstep-demo",
                                          "new_password1": "12345678", "new_password2": "12345678"})
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]


def test_openapi_schema_lists_the_household_endpoints(client, demo):
    response = client.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/households/" in paths and "/api/v1/households/{id}/" in paths


def test_token_auth(staff1, client):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=staff1)
    response = client.get("/api/v1/households/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200 and response.json()["count"] == 4
