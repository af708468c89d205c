"""The IDOR matrix for referrals and the inbox: page, API and export.

A referral or inbox item of another dong is not there: 404, never 403, never 500.
"""

import csv
import io

import pytest
from django.urls import reverse

from households.models import AccessLog, Household

pytestmark = pytest.mark.django_db

# (login, sees 여의동, sees 대림2동) — the same people as tests/households/test_scoping.py.
ROLES = [
    ("admin", True, True),
    ("manager1", True, True),
    ("staff1", True, False),
    ("staff2", False, True),
    ("volunteer1", False, False),
    ("partner1", False, False),
    ("auditor1", False, False),
]

RECORDS = {
    "referral page": lambda r: reverse("referral_detail", args=[r.pk]),
    "referral api": lambda r: f"/api/v1/referrals/{r.pk}/",
    "inbox merge page": lambda r: reverse("inbox_merge", args=["referral", r.pk]),
}


@pytest.fixture
def referral_in(make_referral):
    return {
        "여의동": make_referral(dong="여의동", road_address="여의대방로 1", subject_name="홍길동"),
        "대림2동": make_referral(dong="대림2동", road_address="대림로 1", subject_name="김영희"),
    }


@pytest.mark.parametrize("username,sees_yeoui,sees_daerim2", ROLES)
@pytest.mark.parametrize("record", RECORDS)
def test_referral_idor_matrix(client, django_user_model, referral_in, username, sees_yeoui,
                              sees_daerim2, record):
    client.force_login(django_user_model.objects.get(username=username))
    for dong_name, visible in (("여의동", sees_yeoui), ("대림2동", sees_daerim2)):
        url = RECORDS[record](referral_in[dong_name])
        status = client.get(url).status_code
        if record == "inbox merge page" and username in ("volunteer1", "partner1", "auditor1"):
            assert status == 403, (url, username)
        else:
            assert status == (200 if visible else 404), (url, username)


@pytest.mark.parametrize("username,sees_yeoui,sees_daerim2", ROLES)
def test_inbox_actions_on_another_dongs_item_are_404(client, django_user_model, referral_in,
                                                     username, sees_yeoui, sees_daerim2):
    user = django_user_model.objects.get(username=username)
    client.force_login(user)
    referral = referral_in["대림2동"]
    response = client.post(reverse("inbox_action", args=["referral", referral.pk, "close"]),
                           {"reason": "no_need"})
    if username in ("volunteer1", "partner1", "auditor1"):
        assert response.status_code == 403
    else:
        assert response.status_code == (302 if sees_daerim2 else 404)


@pytest.mark.parametrize("username,sees_yeoui,sees_daerim2", ROLES)
def test_referral_api_list_is_scoped(api_as, django_user_model, referral_in, username,
                                     sees_yeoui, sees_daerim2):
    api = api_as(django_user_model.objects.get(username=username))
    response = api.get("/api/v1/referrals/", {"page_size": 100})
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert (referral_in["여의동"].pk in ids) == sees_yeoui
    assert (referral_in["대림2동"].pk in ids) == sees_daerim2


@pytest.mark.parametrize("username,sees_yeoui,sees_daerim2", ROLES)
def test_inbox_page_and_api_are_scoped(client, api_as, django_user_model, referral_in,
                                       username, sees_yeoui, sees_daerim2):
    user = django_user_model.objects.get(username=username)
    client.force_login(user)
    page = client.get(reverse("inbox"))
    api = api_as(user).get("/api/v1/inbox/")
    if not (sees_yeoui or sees_daerim2):
        assert (page.status_code, api.status_code) == (403, 403)
        return
    labels = {item.label for item in page.context["page"].items}
    api_ids = {row["id"] for row in api.json()["results"]}
    for dong_name, visible in (("여의동", sees_yeoui), ("대림2동", sees_daerim2)):
        referral = referral_in[dong_name]
        assert (f"R-{referral.pk}" in labels) == visible
        assert (referral.pk in api_ids) == visible


def test_inbox_export_is_scoped_masked_and_logged(client_as, staff1, referral_in,
                                                  open_alert, dongs):
    open_alert(Household.objects.filter(dong=dongs["대림2동"]).first())
    response = client_as(staff1).post(reverse("inbox_export"),
                                      {"reason": "주간 사례회의 자료"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    labels = [row[0] for row in rows[1:]]
    assert labels == [f"R-{referral_in['여의동'].pk}"]
    assert "홍*동" in rows[1]
    assert "홍길동" not in response.content.decode("utf-8-sig")
    log = AccessLog.objects.get(action="export")
    assert (log.object_type, log.reason, log.username) == (
        "export:inbox", "주간 사례회의 자료", "staff1")


def test_export_needs_a_reason(client_as, staff1, referral_in):
    response = client_as(staff1).post(reverse("inbox_export"), {"reason": ""})
    assert response.status_code == 400
    assert not AccessLog.objects.filter(action="export").exists()


def test_export_refused_to_roles_without_records(client_as, volunteer1, auditor1):
    for user in (volunteer1, auditor1):
        assert client_as(user).post(reverse("inbox_export"),
                                    {"reason": "궁금해서요"}).status_code == 403


def test_volunteer_sees_only_own_referrals_status_by_api(api_as, volunteer1, make_referral):
    own = make_referral(referred_by=volunteer1, subject_name="홍길동")
    make_referral(road_address="신길로 88")
    response = api_as(volunteer1).get("/api/v1/referrals/")
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == [own.pk]
    assert set(rows[0]) == {"id", "dong_name", "channel", "status", "status_display",
                            "created_at", "status_changed_at"}
    assert api_as(volunteer1).get(f"/api/v1/referrals/{own.pk}/").status_code == 404


def test_referral_detail_view_is_logged_once(client_as, staff1, referral_in):
    referral = referral_in["여의동"]
    client_as(staff1).get(reverse("referral_detail", args=[referral.pk]))
    assert AccessLog.objects.filter(action="view", object_type="referral",
                                    object_id=str(referral.pk)).count() == 1
