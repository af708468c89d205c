"""Reading agency files: encodings, headers, dates, row checks."""

import json
from datetime import date

import pytest

from households.messages import message_text
from outreach import signal_files
from outreach.messages import column_label
from outreach.signal_files import FileRejected, RawRow, detect_encoding, map_header, parse_date

TODAY = date(2026, 3, 1)
HEADER = ["주민등록번호", "성명", "생년월일", "주소", "위기정보", "기준일", "체납개월", "금액",
          "행정동코드"]
COLUMNS = map_header(HEADER)


def row(**values):
    cells = dict.fromkeys(HEADER, "")
    cells.update({"위기정보": "단전", "기준일": "20260201", "주민등록번호": "900101-1234567"})
    cells.update(values)
    return signal_files.validate(RawRow(5, [cells[h] for h in HEADER]), COLUMNS, TODAY)


@pytest.mark.parametrize("text,encoding", [
    ("성명,위기정보\n김영희,단전\n" * 50, "cp949"),
    ("성명,위기정보\n김영희,단전\n" * 50, "utf-8"),
])
def test_the_encoding_is_detected_from_a_sample(text, encoding):
    assert detect_encoding(text.encode(encoding)) == encoding


def test_a_bom_means_utf8_sig():
    assert detect_encoding("\ufeff성명".encode()) == "utf-8-sig"


def test_english_headers_are_accepted():
    assert map_header(["rrn", "signal_kind", "observed_on"]) == ["rrn", "signal_kind",
                                                                 "observed_on"]


def test_an_unknown_column_lists_the_accepted_names():
    with pytest.raises(FileRejected) as caught:
        map_header(["주민등록번호", "위기정보", "기준일", "비고"])
    assert "비고" in caught.value.message
    assert "주민등록번호/rrn" in caught.value.message
    assert "기준일/observed_on" in caught.value.message


def test_missing_required_columns_are_named():
    with pytest.raises(FileRejected) as caught:
        map_header(["성명", "위기정보"])
    assert "기준일" in caught.value.message
    assert "주민등록번호 또는 성명·생년월일·주소" in caught.value.message


@pytest.mark.parametrize("text,expected", [
    ("20250102", date(2025, 1, 2)), ("2025-01-02", date(2025, 1, 2)),
    ("2025.1.2", date(2025, 1, 2)), ("2025.01.02.", date(2025, 1, 2)),
    ("19991340", None), ("2025-02-30", None), ("250102", None), ("어제", None),
])
def test_dates_in_korean_formats(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("values,column", [
    ({"기준일": "2026/13/01"}, "기준일"),
    ({"기준일": "20270101"}, "기준일"),
    ({"위기정보": "행운"}, "위기정보"),
    ({"금액": "-3000"}, "금액"),
    ({"금액": "만원"}, "금액"),
    ({"체납개월": "-1"}, "체납개월"),
    ({"주민등록번호": "900101-12345"}, "주민등록번호"),
    ({"주민등록번호": "", "성명": "김영희", "생년월일": "19900101"}, "주민등록번호"),
    ({"행정동코드": "11560"}, "행정동코드"),
])
def test_a_bad_value_rejects_the_row_naming_its_column(values, column):
    result = row(**values)
    assert isinstance(result, signal_files.RowErrors)
    assert result.line == 5
    assert [column_label(c) for c, _reason in result.errors] == [column]


def test_a_rejection_never_echoes_the_resident_number():
    result = row(**{"주민등록번호": "851231-12345"})
    stored = result.errors[0][1]
    assert "851231" not in json.dumps(stored) and "851231" not in message_text(stored)
    assert message_text(stored).startswith("주민등록번호는 13자리")


def test_amounts_may_carry_commas_and_labels_may_be_written_loosely():
    result = row(**{"금액": "1,200,000", "위기정보": "건강 보험료체납", "체납개월": "3"})
    assert (result.kind, result.amount, result.months_overdue) == (
        "health_insurance_arrears", 1200000, 3)


def test_a_file_is_split_on_record_boundaries_not_inside_quotes(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(b'a,b\n1,"x\ny"\n2,z\n\n3,w\n')
    chunks = list(signal_files.split(str(path), rows_per_chunk=2))
    assert [(c.number, c.first_line) for c in chunks] == [(0, 2), (1, 6)]
    lines = [r.line for c in chunks for r in signal_files.read_chunk(
        str(path), start=c.start, end=c.end, first_line=c.first_line, encoding="utf-8",
        delimiter=",")]
    assert lines == [2, 4, 6]


def test_an_empty_file_is_refused(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(FileRejected):
        signal_files.sniff(str(path), size=0, max_bytes=100)


def test_a_binary_file_is_refused(tmp_path):
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(FileRejected) as caught:
        signal_files.sniff(str(path), size=16, max_bytes=100)
    assert caught.value.status == 400


def test_a_file_over_the_limit_is_413(tmp_path):
    path = tmp_path / "big.csv"
    path.write_bytes(b"x" * 200)
    with pytest.raises(FileRejected) as caught:
        signal_files.sniff(str(path), size=200, max_bytes=100)
    assert caught.value.status == 413
