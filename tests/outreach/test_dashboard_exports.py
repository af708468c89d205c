"""Exports: CSV with BOM and XLSX, a reason and an access-log row, formula injection
neutralised, people scoped like pages."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from households.exports import csv_bytes, neutralise, xlsx_bytes
from households.models import AccessLog, Household
from outreach.dashboards.rollups import dashboard_rollup_refresh

PERIOD = {"start": "2026-01", "end": "2026-03"}


def export(client, name, **data):
    return client.post(reverse("dashboard_export", args=[name]), {**PERIOD, **data})


@pytest.mark.parametrize("text", ["=1+2", "+82-10", "-5+3", "@SUM(A1)", "\tTAB", "\rCR",
                                  "=HYPERLINK(\"http://evil\",\"클릭\")"])
def test_cells_that_could_run_as_formulas_are_quoted(text):
    assert neutralise(text) == "'" + text
    assert csv_bytes(["h"], [[text]]).decode("utf-8-sig").splitlines()[1].strip('"') \
        .startswith("'")
    sheet = load_workbook(io.BytesIO(xlsx_bytes(["h"], [[text]]))).active
    # (XML turns a carriage return into a line feed on the way back.)
    assert sheet["A2"].value == "'" + text.replace("\r", "\n")
    assert sheet["A2"].data_type == "s"


def test_numbers_and_plain_text_are_left_alone():
    assert neutralise(-5) == -5
    assert neutralise("홍*동") == "홍*동"
    sheet = load_workbook(io.BytesIO(xlsx_bytes(["h"], [[-5]]))).active
    assert sheet["A2"].value == -5


def test_csv_is_utf8_with_bom_and_korean_intact(client_as, admin_user, district):
    response = export(client_as(admin_user), "first_contact", format="csv",
                      reason="3월 구 복지정책회의 보고")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("행정동,경보,접촉 완료,중앙값(일)")
    assert "여의동,2,2,5.5,1,100.0,1,100.0,1" in lines
    assert lines[-1].startswith("합계,6,5,1.0,3,66.7,3,66.7,3")


def test_xlsx_export_writes_one_access_log_row_with_the_reason(client_as, admin_user,
                                                               district):
    response = export(client_as(admin_user), "model_by_age", format="xlsx",
                      reason="위험 모델 가중치 검토")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]][:4] == ["연령대", "종결", "지원 필요", "적중률(%)"]
    assert [c.value for c in sheet[6]][:4] == ["미상", 1, 1, 100.0]
    rows = list(AccessLog.objects.all())
    assert [(r.username, r.action, r.object_type, r.object_id, r.reason) for r in rows] == [
        ("admin", "export", "dashboard", "model_by_age", "위험 모델 가중치 검토")]


def test_a_factor_written_as_a_formula_is_neutralised_in_the_export(client_as, admin_user,
                                                                    district):
    assessment = district["alerts"][2].assessment
    assessment.factors = ['=HYPERLINK("http://evil.example","클릭")']
    assessment.save()
    dashboard_rollup_refresh()
    response = export(client_as(admin_user), "model_by_signal", format="xlsx", reason="점검")
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert "'=HYPERLINK(\"http://evil.example\",\"클릭\")" in cells
    assert all(not str(c).startswith("=") for c in cells)


def test_an_export_without_a_reason_is_a_400_and_the_form_again(client_as, admin_user,
                                                                district):
    response = export(client_as(admin_user), "first_contact", format="csv", reason="  ")
    assert response.status_code == 400
    html = response.content.decode()
    assert "내보내는 사유를 적어 주세요" in html
    assert 'value="csv" selected' in html  # the chosen format is kept
    assert AccessLog.objects.count() == 0


def test_the_export_page_asks_for_a_reason(client_as, admin_user, district):
    response = client_as(admin_user).get(reverse("dashboard_export", args=["first_contact"]),
                                         PERIOD)
    assert response.status_code == 200
    assert "내보내는 사유" in response.content.decode()
    assert AccessLog.objects.count() == 0


def test_an_impossible_period_cannot_be_exported(client_as, admin_user, district):
    response = export(client_as(admin_user), "first_contact", format="csv", reason="점검",
                      start="2026-05", end="2026-01")
    assert response.status_code == 400
    assert AccessLog.objects.count() == 0


def test_overdue_people_export_is_scoped_to_the_users_dongs(client_as, staff1, district):
    response = export(client_as(staff1), "overdue_alerts", format="csv", reason="방문 계획")
    assert response.status_code == 200
    lines = response.content.decode("utf-8-sig").splitlines()[1:]
    households = district["households"]
    exported = {int(line.split(",")[0]) for line in lines}
    # staff1 covers 여의동 and 신길1동: b2 and a2 are overdue there; c2 (대림2동) is not theirs.
    assert exported == {households["b2"].pk, households["a2"].pk}
    dong_of = dict(Household.objects.values_list("id", "dong__short_name"))
    assert all(dong_of[pk] in ("여의동", "신길1동") for pk in exported)
    # Names are masked in the file too.
    assert all("*" in line.split(",")[2] for line in lines)


def test_staff1_cannot_export_daerim2dong(client_as, staff1, district, dongs):
    response = export(client_as(staff1), "overdue_alerts", format="xlsx", reason="방문 계획",
                      dong=dongs["대림2동"].pk)
    assert response.status_code == 404
    assert AccessLog.objects.count() == 0


def test_staff2_exports_daerim2dong_only(client_as, staff2, district):
    response = export(client_as(staff2), "overdue_alerts", format="csv", reason="방문 계획")
    lines = response.content.decode("utf-8-sig").splitlines()[1:]
    assert [int(line.split(",")[0]) for line in lines] == [district["households"]["c2"].pk]


def test_an_unknown_table_is_a_404(client_as, admin_user, district):
    assert export(client_as(admin_user), "no_such_table", format="csv",
                  reason="점검").status_code == 404
