"""Timeline kinds and access-log object types are shown as labels in the reader's language."""

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from households.labels import object_type_label, timeline_kind_label
from households.models import AccessLog, TimelineEvent

pytestmark = pytest.mark.django_db

KINDS = {"service_link": ("서비스 연계", "Service links"), "case": ("사례관리", "Case management"),
         "visit": ("방문", "Visits"), "alert": ("발굴", "Discovery"),
         "assessment": ("위기도 평가", "Risk assessment"), "signal": ("위기정보", "Risk signals")}

OBJECT_TYPES = {
    "export:inbox": ("내보내기: 처리함", "Export: Inbox"),
    "household_list": ("가구 목록", "Households"),
    "visit_list": ("방문 목록", "Visits list"),
    "inbox_list": ("처리함 목록", "Inbox list"),
    "dashboard_overdue_alerts": ("대시보드: 기한 지난 발굴", "Dashboard: overdue alerts"),
    "household_work": ("가구 방문·연계·사례", "Household visits, links and cases"),
    "signal_batch": ("위기정보 파일", "Risk signal file"),
    "referral": ("의뢰", "Referral"),
}


def _tags(html):
    return [part.split("</span>")[0] for part in html.split('<span class="tag">')[1:]]


@pytest.fixture
def timeline(yeouido_household, staff1):
    now = timezone.now()
    TimelineEvent.objects.bulk_create([
        TimelineEvent(household=yeouido_household, at=now, kind=kind, actor=staff1,
                      summary="내용") for kind in [*KINDS, "no_such_kind"]])
    return f"/households/{yeouido_household.pk}/timeline/"


@pytest.fixture
def access_rows():
    AccessLog.objects.bulk_create([AccessLog(username="staff1", action="view", object_type=t)
                                   for t in [*OBJECT_TYPES, "no_such_type"]])


def test_the_korean_timeline_shows_korean_kinds(client_as, staff1, timeline):
    tags = _tags(client_as(staff1).get(timeline).content.decode())
    assert sorted(tags) == sorted([ko for ko, _ in KINDS.values()] + ["no_such_kind"])


def test_the_english_timeline_shows_english_kinds(client_as, staff1, timeline):
    client = client_as(staff1)
    client.cookies["django_language"] = "en"
    tags = _tags(client.get(timeline).content.decode())
    assert sorted(tags) == sorted([en for _, en in KINDS.values()] + ["no_such_kind"])


def _access_log_html(client):
    return client.get(reverse("access_log")).content.decode()


def test_the_korean_access_log_shows_korean_object_types(client_as, auditor1, access_rows):
    html = _access_log_html(client_as(auditor1))
    for code, (ko, _en) in OBJECT_TYPES.items():
        assert f"<td>{ko}</td>" in html, code
        assert f"<td>{code}</td>" not in html
    assert "<td>no_such_type</td>" in html


def test_the_english_access_log_shows_english_object_types(client_as, auditor1, access_rows):
    client = client_as(auditor1)
    client.cookies["django_language"] = "en"
    html = _access_log_html(client)
    for code, (_ko, en) in OBJECT_TYPES.items():
        assert f"<td>{en}</td>" in html, code
        assert f"<td>{code}</td>" not in html


def test_every_code_written_in_the_apps_has_a_label():
    """The codes the apps write today (grep object_type= / kind=) all have a label."""
    from households.labels import ACCESS_LOG_OBJECT_TYPES, TIMELINE_KINDS

    for kind in ["signal", "assessment", "alert", "referral", "visit", "service_link", "case",
                 "check_in"]:
        assert kind in TIMELINE_KINDS
    for code in ["household", "person", "household_list", "household_search", "household_work",
                 "household_timeline", "visit", "visit_list", "case", "case_list", "alert",
                 "referral", "referral_list", "service_link", "service_link_list",
                 "pairing_list", "check_in_list", "inbox_list", "signal_batch",
                 "signal_batch_errors", "dashboard", "dashboard_overdue_alerts"]:
        assert code in ACCESS_LOG_OBJECT_TYPES


def test_unknown_codes_fall_back_to_the_code():
    with translation.override("en"):
        assert timeline_kind_label("brand_new") == "brand_new"
        assert object_type_label("brand_new") == "brand_new"
        assert object_type_label("export:brand_new") == "Export: brand_new"
        assert object_type_label("") == ""
