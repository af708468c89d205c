"""Resident registration numbers typed everywhere a person can type, and sent in every
column of an agency file, end up nowhere in plain text: not in any table (a dump of the
whole database) and not in the log output. Runs on SQLite and on PostgreSQL."""

import io
import re
import unicodedata

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from config.celery import app as celery_app
from households.models import Organization
from outreach.services.signal_batches import signal_batch_receive
from tests.factories import CaseFactory, DiscoveryAlertFactory, PairingFactory, VisitFactory
from tests.fixtures.signals import days_ago, write_story
from tests.referrals.test_public_report import report
from tests.referrals.test_volunteer_form import form_data

pytestmark = pytest.mark.django_db(transaction=True)

# One number per door, each in another spelling; none of them may survive anywhere.
TYPED = {
    "file_rrn": "800101-1111118",
    "file_name": "8002021222227",
    "file_birth": "800303 1333336",
    "file_address": "８００４０４－１４４４４４５",
    "file_kind": "800505‐1555554",
    "file_date": "800606-1666663",
    "file_amount": "8007071777772",
    "public_note": "810101-2111117",
    "volunteer_note": "810202 2222226",
    "visit_page": "810303-2333335",
    "case_note_page": "８１０４０４２４４４４４４",
    "check_in_page": "810505-2555553",
    "inbox_close": "810606-2666662",
    "visit_api": "810707-2777771",
    "case_close_api": "810808-2888880",
}


def _pattern(number: str) -> re.Pattern:
    digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", number))
    return re.compile(digits[:6] + r"[\s\-‐–—－]*" + digits[6:])


def _leaks(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text)
    return [door for door, number in TYPED.items() if _pattern(number).search(text)]


@pytest.fixture
def eager():
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


def test_typed_and_sent_numbers_are_nowhere_in_the_database_or_the_logs(
        tmp_path, settings, eager, capfd, dongs, client, client_as, api_as, staff1,
        volunteer1, yeouido_household):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    d = days_ago(3).isoformat()
    t = TYPED
    rows = [
        [t["file_rrn"], t["file_name"], t["file_birth"], t["file_address"], "", "",
         t["file_kind"], t["file_date"], "", t["file_amount"], ""],
        [t["file_rrn"], "김영희", "", "", "", "", "단전", d, t["file_amount"], "", ""],
    ]
    path = write_story(tmp_path / "everywhere.csv", rows, "utf-8")
    with open(path, "rb") as f:
        signal_batch_receive(source=Organization.objects.get(code="ssis"), fileobj=f,
                             filename="everywhere.csv", channel="upload")

    assert client.post(reverse("public_report"),
                       report(dongs, note=f"주민번호 {t['public_note']}")).status_code == 200
    volunteer = client_as(volunteer1)
    assert volunteer.post(reverse("volunteer_refer"), form_data(
        dongs, note=f"할머니 {t['volunteer_note']}")).status_code == 302

    visit = VisitFactory(household=yeouido_household, staff=staff1)
    staff = client_as(staff1)
    response = staff.post(reverse("visit_detail", args=[visit.pk]), {
        "outcome": "met", "visited_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "observations": f"우편함 {t['visit_page']}"})
    assert response.status_code in (200, 302)
    case = CaseFactory(household=yeouido_household, manager=staff1)
    assert staff.post(reverse("case_detail", args=[case.pk]), {
        "action": "note", "text": f"점검 {t['case_note_page']}"}).status_code == 302

    pairing = PairingFactory(household=yeouido_household, volunteer=volunteer1,
                             created_by=staff1)
    assert client_as(volunteer1).post(reverse("check_ins"), {
        "pairing": pairing.pk, "kind": "phone", "wellbeing": "3",
        "note": f"통화 {t['check_in_page']}"}).status_code == 302

    alert = DiscoveryAlertFactory(household=yeouido_household)
    staff = client_as(staff1)
    assert staff.post(f"/inbox/alert/{alert.pk}/close/", {
        "reason": "other", "note": f"메모 {t['inbox_close']}"}).status_code in (200, 302)

    api = api_as(staff1)
    other_visit = VisitFactory(household=yeouido_household, staff=staff1)
    assert api.post(f"/api/v1/visits/{other_visit.pk}/record/", {
        "outcome": "met", "observations": f"API {t['visit_api']}"},
        format="json").status_code in (200, 201)
    other_case = CaseFactory(household=yeouido_household, manager=staff1, stage="monitoring")
    closed = api.post(f"/api/v1/cases/{other_case.pk}/close/", {
        "reason": "other", "note": f"종결 {t['case_close_api']}"}, format="json")
    # 종결 goes to the team lead: the request (with its note) is what is stored now.
    assert closed.status_code == 202, closed.content

    dump = io.StringIO()
    call_command("dumpdata", "--natural-foreign", stdout=dump)
    out, err = capfd.readouterr()
    assert not _leaks(dump.getvalue()), _leaks(dump.getvalue())
    assert not _leaks(out + err), _leaks(out + err)
    # And each typed note was kept, masked: the test reached every door it names.
    text = unicodedata.normalize("NFKC", dump.getvalue())
    typed_doors = [door for door in TYPED if not door.startswith("file_")]
    kept = [door for door in typed_doors if _masked(TYPED[door]) in text]
    assert kept == typed_doors


def _masked(number: str) -> str:
    digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", number))
    return f"{digits[:6]}-{digits[6]}******"
