"""API tokens are not readable in the admin: a key is shown once, when it is made."""

from rest_framework.authtoken.models import Token

TOKENS = "/admin/households/apitoken/"


def test_drfs_own_token_list_is_gone(client_as, admin_user):
    assert client_as(admin_user).get("/admin/authtoken/tokenproxy/").status_code == 404


def test_token_list_shows_no_key(client_as, admin_user, partner1):
    token = Token.objects.create(user=partner1)
    page = client_as(admin_user).get(TOKENS)
    assert page.status_code == 200
    html = page.content.decode()
    assert "partner1" in html and token.key not in html


def test_token_page_and_delete_page_show_no_key(client_as, admin_user, partner1):
    token = Token.objects.create(user=partner1)
    client = client_as(admin_user)
    for path in (f"{TOKENS}{partner1.pk}/change/", f"{TOKENS}{partner1.pk}/delete/"):
        page = client.get(path)
        assert page.status_code == 200
        assert token.key not in page.content.decode()


def test_a_new_key_is_shown_once(client_as, admin_user, partner1):
    client = client_as(admin_user)
    created = client.post(f"{TOKENS}add/", {"user": partner1.pk})
    key = Token.objects.get(user=partner1).key
    assert created.status_code == 200 and key in created.content.decode()
    assert "no-store" in created["Cache-Control"]
    assert key not in client.get(TOKENS).content.decode()


def test_a_token_can_still_be_revoked(client_as, admin_user, partner1):
    Token.objects.create(user=partner1)
    response = client_as(admin_user).post(f"{TOKENS}{partner1.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and not Token.objects.filter(user=partner1).exists()
