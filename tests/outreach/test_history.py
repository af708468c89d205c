"""Field-level history (변경 이력): before and after of every changed field, who and when,
on the record's history page and in the auditor's CSV; on SQLite and PostgreSQL."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from households.models import AccessLog
from outreach.models import Case, DiscoveryAlert, Visit
from referrals.models import Referral, ServiceLink
from tests.factories import (
    CaseFactory,
    DiscoveryAlertFactory,
    ReferralFactory,
    ServiceLinkFactory,
    VisitFactory,
)


def _changes(entries, object_type, label):
    return [(c.before, c.after, e.username) for e in entries if e.object_type == object_type
            for c in e.changes if c.label == label]


def test_a_link_answered_by_the_partner_shows_status_before_and_after_and_who(
        client_as, staff1, partner1, yeouido_household, catalogue, food_bank, consent_for):
    consent_for(yeouido_household, staff1)
    service = catalogue["푸드뱅크·푸드마켓"]
    staff = client_as(staff1)
    staff.post(reverse("household_work", args=[yeouido_household.pk]), {
        "action": "request_link", "service": service.pk, "provider": food_bank.pk,
        "note": "쌀과 반찬"})
    link = ServiceLink.objects.get(household=yeouido_household)
    client_as(partner1).post(reverse("partner_link_detail", args=[link.pk]),
                             {"answer": "accept"})

    response = client_as(staff1).get(reverse("household_history",
                                             args=[yeouido_household.pk]))
    assert response.status_code == 200
    entries = list(response.context["page"])
    assert ("요청", "수락", "partner1") in _changes(entries, "servicelink", "상태")
    created = [e for e in entries if e.object_type == "servicelink" and e.kind == "+"]
    assert created[0].username == "staff1"
    html = response.content.decode()
    assert "수락" in html and "partner1" in html


def _household_change(household):
    household.address_detail = "302호"
    household.save()
    return "상세주소", "302호"


def _person_change(household):
    person = household.members.order_by("id").first()
    person.phone = "010-5555-0000"
    person.save()
    return "연락처", "010-5555-0000"


def _alert_change(household):
    alert = DiscoveryAlertFactory(household=household)
    alert.close_note = "이사 확인"
    alert.save()
    return "종결 메모", "이사 확인"


def _visit_change(household):
    visit = VisitFactory(household=household)
    visit.outcome = Visit.Outcome.NOT_HOME
    visit.save()
    return "결과", "부재"


def _link_change(household):
    link = ServiceLinkFactory(household=household)
    link.request_note = "주 1회"
    link.save()
    return "요청 내용", "주 1회"


def _case_change(household):
    case = CaseFactory(household=household)
    case.stage = Case.Stage.ASSESSMENT
    case.save()
    return "단계", "욕구 사정"


TRACKED = {
    "household": _household_change, "person": _person_change, "discoveryalert": _alert_change,
    "visit": _visit_change, "servicelink": _link_change, "case": _case_change,
}


@pytest.mark.parametrize("model", TRACKED)
def test_every_tracked_record_of_a_household_keeps_before_and_after(
        client_as, staff1, yeouido_household, model):
    label, after = TRACKED[model](yeouido_household)
    entries = client_as(staff1).get(
        reverse("household_history", args=[yeouido_household.pk])).context["page"]
    changed = [(c.before, c.after) for e in entries if e.object_type == model
               for c in e.changes if c.label == label and e.kind == "~"]
    assert changed and changed[0][1] == after
    assert changed[0][0] != after


def test_a_referral_keeps_its_history_on_its_own_page(client_as, staff1, make_referral):
    referral = make_referral(dong="여의동")
    client_as(staff1).post(reverse("referral_detail", args=[referral.pk]),
                           {"status": Referral.Status.CHECKING})
    response = client_as(staff1).get(reverse("referral_history", args=[referral.pk]))
    assert ("접수", "확인 중", "staff1") in _changes(response.context["page"], "referral",
                                                     "상태")


def test_a_case_keeps_its_history_on_its_own_page(client_as, staff1, yeouido_household):
    case = CaseFactory(household=yeouido_household, manager=staff1)
    client_as(staff1).post(reverse("case_detail", args=[case.pk]), {
        "action": "advance", "to_stage": "assessment", "note": ""})
    response = client_as(staff1).get(reverse("case_history", args=[case.pk]))
    assert ("접수", "욕구 사정", "staff1") in _changes(response.context["page"], "case", "단계")


def test_reading_history_is_in_the_access_log_and_not_cached(client_as, staff1,
                                                            yeouido_household):
    response = client_as(staff1).get(reverse("household_history", args=[yeouido_household.pk]))
    assert "no-store" in response["Cache-Control"]
    row = AccessLog.objects.get(object_type="household_history")
    assert (row.username, row.household_id) == ("staff1", yeouido_household.pk)


def test_history_holds_the_masked_number_never_the_typed_one(client_as, staff1, dongs):
    referral = ReferralFactory(dong=dongs["여의동"], note="할머니 450101-2345678")
    referral.status = Referral.Status.CHECKING
    referral.save()
    notes = set(Referral.history.filter(id=referral.pk).values_list("note", flat=True))
    assert notes and all("2345678" not in note for note in notes)


# --- the auditor's export ----------------------------------------------------------------

def _export(client, **data):
    today = timezone.localdate().isoformat()
    return client.post(reverse("audit_history_export"),
                       {"date_from": today, "date_to": today, "reason": "정기 점검", **data})


def test_the_auditor_exports_the_changes_as_csv_with_a_reason_logged(
        client_as, auditor1, yeouido_household):
    yeouido_household.address_detail = "=HYPERLINK(\"x\")"
    yeouido_household.save()
    response = _export(client_as(auditor1))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["일시", "사용자", "구분"]
    detail = [row for row in rows if row[6] == "상세주소"]
    # The formula guard: a cell that would run in a spreadsheet starts with a quote.
    assert detail and detail[0][8].startswith("'=")
    log = AccessLog.objects.get(action=AccessLog.Action.EXPORT, object_type="export:history")
    assert (log.username, log.reason) == ("auditor1", "정기 점검")


def test_the_export_without_a_reason_is_refused(client_as, auditor1):
    response = _export(client_as(auditor1), reason="")
    assert response.status_code == 400
    assert "내보내는 사유를 적어 주세요." in response.content.decode()
    assert not AccessLog.objects.filter(action=AccessLog.Action.EXPORT).exists()


@pytest.mark.parametrize("username", ["admin", "manager1", "staff1", "volunteer1", "partner1"])
def test_only_the_auditor_exports_history(client, django_user_model, demo, username):
    client.force_login(django_user_model.objects.get(username=username))
    assert client.get(reverse("audit_history_export")).status_code == 403
    assert _export(client).status_code == 403


# --- the IDOR matrix of the history pages ------------------------------------------------

ROLES = [  # (login, sees 여의동, sees 대림2동)
    ("admin", True, True), ("manager1", True, True), ("staff1", True, False),
    ("staff2", False, True), ("volunteer1", False, False), ("partner1", False, False),
    ("auditor1", False, False),
]

PAGES = {
    "household history": lambda h, dong: reverse("household_history", args=[h.pk]),
    "case history": lambda h, dong: reverse("case_history", args=[CaseFactory(household=h).pk]),
    "referral history": lambda h, dong: reverse(
        "referral_history", args=[ReferralFactory(dong=dong, road_address=h.road_address).pk]),
}


@pytest.mark.parametrize("username,sees_yeoui,sees_daerim2", ROLES)
@pytest.mark.parametrize("page", PAGES)
def test_history_pages_are_scoped_like_their_records(
        client, dongs, django_user_model, username, sees_yeoui, sees_daerim2, page):
    client.force_login(django_user_model.objects.get(username=username))
    for dong_name, visible in (("여의동", sees_yeoui), ("대림2동", sees_daerim2)):
        household = dongs[dong_name].households.order_by("id").first()
        response = client.get(PAGES[page](household, dongs[dong_name]))
        assert response.status_code in ((200,) if visible else (403, 404)), (page, username)
        if not visible and username not in ("volunteer1", "partner1", "auditor1"):
            assert response.status_code == 404


def test_alert_and_visit_models_are_tracked():
    assert DiscoveryAlert.history.model._meta.db_table.endswith("historicaldiscoveryalert")
    assert Visit.history.model._meta.db_table.endswith("historicalvisit")


def test_history_reads_codes_and_system_sentences_in_the_readers_language(
        staff1, yeouido_household):
    """An alert's origin is a code and a merge's note a sentence the system wrote in the
    merger's language: an English reader reads both in English, a Korean one in Korean;
    a relation is named by what it points to, never by its attribute ("household")."""
    from django.utils import translation

    from households.history import history_entries
    from households.models import Household
    from outreach.selectors.inbox import inbox_item
    from outreach.services.alerts import alert_merge, alert_open

    first = alert_open(household=yeouido_household, origin="risk_model")
    neighbour = Household.objects.filter(dong=yeouido_household.dong).exclude(
        pk=yeouido_household.pk).first()
    second = alert_open(household=neighbour, origin="referral")
    with translation.override("ko"):
        alert_merge(alert=first, target=inbox_item(staff1, "alert", second.pk), actor=staff1)

    def read(language):
        with translation.override(language):
            entries = history_entries([DiscoveryAlert.history.filter(id=first.pk)])
            return {c.label: c.after for e in entries for c in e.changes}

    english, korean = read("en"), read("ko")
    assert "Risk signal discovery" in english.values()
    assert f"Merged into A-{second.pk}" in english.values()
    assert "Duplicate" in english.values() and "중복" in korean.values()  # words, not the code
    assert {f"A-{second.pk}로 병합", f"A-{second.pk}으로 병합"} & set(korean.values())
    assert "위기정보 발굴" in korean.values()
    assert "household" not in english and "household" not in korean
