"""An admin who changes someone's account in the Django admin, a new password above all
(which would let them sign in as that person), is in the access log under their own name."""

from households.models import AccessLog


def test_setting_another_users_password_is_logged_as_the_admin(client_as, admin_user, staff1):
    client = client_as(admin_user)
    url = f"/admin/auth/user/{staff1.pk}/password/"
    response = client.post(url, {"password1": "Another-demo-pass-42",
                                 "password2": "Another-demo-pass-42",
                                 "usable_password": "true"})
    assert response.status_code == 302
    row = AccessLog.objects.get(object_type="user_account")
    assert (row.username, row.action, row.object_id) == ("admin", "update", str(staff1.pk))
