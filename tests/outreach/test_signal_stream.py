"""The PostgreSQL pipeline's fast reading (outreach.signal_stream) gives the same rows as the
definition: signal_files.read_chunk + validate, staged by stage_of."""

import csv
import io
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from outreach import signal_files, signal_stream
from outreach.signal_files import RawRow, RowErrors, map_header

TODAY = date(2026, 12, 3)
HEADER = ["주민등록번호", "성명", "생년월일", "주소", "상세주소", "행정동코드", "위기정보",
          "기준일", "체납개월", "금액", "연락처"]
PLACES = signal_stream.Places(by_code={"1156051000": 7}, by_name={"여의동": 7, "당산2동": 9})

rrns = st.sampled_from(["", "900101-1234567", "9001011234567", "900101-9234567", "90010-1234",
                        "９００１０１－１２３４５６７", "900101 1234567", " 900101-2234567 "])
dates = st.sampled_from(["", "20261203", "2026-12-04", "2026.11.30", "2026/1/5", "1999-13-01",
                         "2026.11.30.", "19801231", "어제", " 20260101"])
numbers = st.sampled_from(["", "3", "12", "601", "1,200", "30,000원", "-5", "３", "1.5", "0"])
kinds = st.sampled_from(["단전", "단 수", "전기요금 체납", "power_cutoff", "무엇", "",
                         "통신비체납"])
names = st.sampled_from(["", "김철수", "홍 길동", "Lee Ann", "김·영희"])
addresses = st.sampled_from(["", "서울특별시 영등포구 여의대로 24", "영등포구 당산동 121-3",
                             "서울 영등포구 국회대로 612 (당산동3가)", "어딘가"])
details = st.sampled_from(["", "101동 1203호", "2층", "B01호"])
codes = st.sampled_from(["", "1156051000", "11560-51000", "115605100", "abcdefghij"])
rows = st.tuples(rrns, names, dates, addresses, details, codes, kinds, dates, numbers,
                 numbers, st.sampled_from(["", "010-1234-5678"]))


def reference(raw: RawRow, columns, key):
    result = signal_files.validate(raw, columns, TODAY)
    if isinstance(result, RowErrors):
        return ("rejected", raw.line, result.errors)
    return signal_stream.stage_of(result, key, PLACES)


@settings(max_examples=400, deadline=None)
@given(cells=rows, order=st.permutations(range(11)), drop=st.sets(st.integers(0, 10),
                                                                    max_size=3))
def test_a_row_is_staged_as_validate_and_stage_of_would(cells, order, drop):
    keep = [i for i in order if i not in drop]
    header = [HEADER[i] for i in keep]
    try:
        columns = map_header(header)
    except signal_files.FileRejected:
        return
    raw = RawRow(7, [cells[i] for i in keep])
    stager = signal_stream.Stager(columns, TODAY, PLACES)
    staged = stager.stage([raw])
    got = staged.rows[0] if staged.rows else ("rejected", raw.line, staged.problems[0].errors)
    assert got == reference(raw, columns, stager.key)


def _file(tmp_path, lines: list[list[str]], encoding="cp949", newline="\r\n") -> str:
    text = io.StringIO()
    csv.writer(text, lineterminator=newline).writerows([HEADER, *lines])
    path = tmp_path / "f.csv"
    path.write_bytes(text.getvalue().encode(encoding, errors="replace"))
    return str(path)


@settings(max_examples=60, deadline=None)
@given(lines=st.lists(rows.map(list), min_size=1, max_size=30), blank=st.booleans(),
       newline=st.sampled_from(["\r\n", "\n"]))
def test_reading_a_chunk_at_once_gives_read_chunks_records(tmp_path_factory, lines, blank,
                                                           newline):
    if blank:
        lines = [*lines[:1], [], *lines[1:]]
    path = _file(tmp_path_factory.mktemp("c"), lines, newline=newline)
    for chunk in signal_files.split(path, 7):
        args = dict(start=chunk.start, end=chunk.end, first_line=chunk.first_line,
                    encoding="cp949", delimiter=",")
        fast = signal_stream.read_records(path, **args)
        slow = list(signal_files.read_chunk(path, **args))
        assert [_plain(r) for r in fast] == [_plain(r) for r in slow]


def _plain(record) -> tuple:
    return record if isinstance(record, tuple) else (record.line, record.cells)


def test_a_line_with_broken_bytes_is_read_the_careful_way(tmp_path):
    path = tmp_path / "broken.csv"
    path.write_bytes(",".join(HEADER).encode("cp949") + b"\r\n"
                     + "900101-1234567,김철수,,,,,단전,20261201,,,\r\n".encode("cp949")
                     + b"\xff\xfe,,,,,,\xc0,20261201,,,\r\n")
    chunk = next(signal_files.split(str(path), 100))
    records = signal_stream.read_records(str(path), start=chunk.start, end=chunk.end,
                                         first_line=chunk.first_line, encoding="cp949",
                                         delimiter=",")
    assert [r.line for r in records] == [2, 3]  # the careful way: RawRows
    assert records[1].cells is None and records[1].text_error["code"] == "undecodable"


def test_the_usual_rows_take_the_fast_path():
    """Not only the careful way: the common shapes are staged without validate."""
    stager = signal_stream.Stager(map_header(HEADER), TODAY, PLACES)
    by_rrn = RawRow(2, ["900101-1234567", "", "", "", "", "", "통신비 체납", "2026.11.30", "3",
                        "30,000", ""])
    by_name = RawRow(3, ["", "김철수", "19800101", "서울특별시 영등포구 여의대로 24", "2층",
                         "1156051000", "단전", "2026-12-01", "", "", "010-1234-5678"])
    for raw in (by_rrn, by_name):
        assert stager._fast(raw.line, raw.cells) is not None
        assert stager._fast(raw.line, raw.cells) == reference(raw, stager.columns, stager.key)


def test_reading_at_once_is_taken_for_a_plain_file(tmp_path):
    path = _file(tmp_path, [["900101-1234567", "", "", "", "", "", "단전", "20261201", "", "",
                             ""]] * 3)
    chunk = next(signal_files.split(path, 100))
    assert signal_stream._read_fast(path, start=chunk.start, end=chunk.end,
                                    first_line=chunk.first_line, encoding="cp949",
                                    delimiter=",") is not None
