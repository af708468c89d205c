"""The PostgreSQL pipeline's fast reading (outreach.signal_stream) gives the same rows as the
definition: signal_files.read_chunk + validate, staged by stage_of."""

import csv
import io
from datetime import date
from unittest import mock

from django.test import override_settings
from hypothesis import given, settings
from hypothesis import strategies as st

from households.rrn_known import PrefixFilter, prefix
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


@settings(max_examples=150, deadline=None)
@given(lines=st.lists(st.tuples(rows, st.integers(-2, 1)), min_size=1, max_size=25),
       order=st.permutations(range(11)), careful=st.sets(st.integers(0, 24)))
def test_a_chunk_staged_at_once_is_its_rows_staged_one_by_one(lines, order, careful):
    """Rows of every shape mixed in one chunk (short and long ones, RawRows and plain
    records), with what their cells mean remembered across the chunk and across stagers:
    each staged, rejected or counted as it would be alone, in order; only valid rows about
    somebody unknown, with no address, are counted."""
    columns = map_header([HEADER[i] for i in order])
    raws = []
    for n, (cells, stretch) in enumerate(lines):
        cells = [cells[i] for i in order]
        cells = cells[:len(cells) + stretch] if stretch < 0 else cells + [""] * stretch
        raws.append(RawRow(n + 2, cells))
    records = [raw if n in careful else (raw.line, raw.cells) for n, raw in enumerate(raws)]
    key = signal_stream.Stager(columns, TODAY, PLACES).key
    known = PrefixFilter([prefix(signal_stream.subject_of(key, "9001011234567", "", None, ""))])
    staged = signal_stream.Stager(columns, TODAY, PLACES, known).stage(records)

    expected, problems, outsiders = [], [], 0
    for raw in raws:
        one = reference(raw, columns, key)
        alone = signal_stream.Stager(columns, TODAY, PLACES, known).stage([raw])
        if alone.outsiders:
            # Only a valid row about somebody unknown, with no address, is only counted.
            assert one[0] != "rejected" and one[3] and not one[10] and not one[11]
            assert prefix(one[2]) not in known
            outsiders += 1
        elif one[0] == "rejected":
            problems.append(one[1:])
        else:
            expected.append(one)
    assert staged.rows == expected
    assert [(p.line, p.errors) for p in staged.problems] == problems
    assert staged.outsiders == outsiders


def test_a_date_remembered_today_is_not_valid_for_a_stager_of_the_day_before():
    """What a date means is remembered per day: a date up to today is valid, one after it
    is not (validate says why)."""
    columns = map_header(HEADER)
    today = signal_stream.Stager(columns, TODAY, PLACES)
    assert today._date("20261203") == TODAY
    assert signal_stream.Stager(columns, TODAY, PLACES).dates is today.dates  # shared
    yesterday = signal_stream.Stager(columns, date(2026, 12, 2), PLACES)
    assert yesterday._date("20261203") is None
    assert signal_stream.Stager(columns, TODAY, PLACES)._date("20261203") == TODAY


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


pieces = st.sampled_from(["1,a", '2,"x,y"', '3,"x', 'y",z', "", "  ", "\r", '4,""""',
                          "5," + "w" * 30, '7,"' + "w" * 30, "6,김"])


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(pieces, max_size=40), end=st.sampled_from(["", "\n", "\r\n"]),
       rows=st.integers(1, 6), block=st.integers(1, 64))
def test_splitting_a_block_at_a_time_gives_the_line_by_lines_ranges(
        tmp_path_factory, lines, end, rows, block):
    """Files of every shape — quoted newlines, blank and whitespace lines, over-long
    lines, CRLF, no newline at the end — in blocks of every size: the same ranges as
    signal_files.split, whichever way they were found."""
    path = tmp_path_factory.mktemp("s") / "f.csv"
    path.write_bytes(("h,i\n" + "\n".join(lines) + (end if lines else "")).encode())
    with override_settings(SIGNAL_MAX_LINE_BYTES=24), mock.patch.object(
            signal_stream, "_BLOCK", block):
        assert signal_stream.split(str(path), rows) == list(signal_files.split(str(path), rows))


def test_a_plain_file_is_split_a_block_at_a_time(tmp_path, monkeypatch):
    monkeypatch.setattr(signal_stream, "_BLOCK", 100)
    path = _file(tmp_path, [["900101-1234567", "", "", "", "", "", "단전", "20261201", "", "",
                             '1,000']] * 50)
    plain = signal_stream._split_plain(path, 7)
    assert plain == list(signal_files.split(path, 7))
    assert [r.first_line for r in plain] == [2, 9, 16, 23, 30, 37, 44, 51]


def test_a_quoted_newline_or_an_overlong_cell_is_read_the_careful_way(tmp_path):
    with override_settings(SIGNAL_MAX_CELL_CHARS=20):
        for cell in ("둘째 줄이\n있는 주소", "가" * 21):
            path = _file(tmp_path, [["900101-1234567", "", "", cell, "", "", "단전", "20261201",
                                     "", "", ""], ["", "김철수", "19800101", "여의대로 24", "",
                                                   "", "단수", "20261201", "", "", ""]])
            chunk = next(signal_files.split(path, 100))
            args = dict(start=chunk.start, end=chunk.end, first_line=chunk.first_line,
                        encoding="cp949", delimiter=",")
            assert signal_stream._read_fast(path, **args) is None
            records = signal_stream.read_records(path, **args)
            assert [_plain(r) for r in records] == [
                _plain(r) for r in signal_files.read_chunk(path, **args)]


@settings(max_examples=200, deadline=None)
@given(lines=st.lists(st.sampled_from(["a", "", "bb,c", "w" * 40]), max_size=60),
       end=st.sampled_from(["", "\n"]), at=st.integers(0, 80), count=st.integers(1, 70),
       piece=st.sampled_from([1, 3, 64, 1 << 16]))
def test_after_lines_finds_where_the_nth_line_ends(lines, end, at, count, piece):
    """Slice by slice (of every size) as splitting into lines would find it."""
    block = ("\n".join(lines) + (end if lines else "")).encode()
    at = min(at, len(block))
    at = block.rfind(b"\n", 0, at) + 1  # a line's start, as callers give it
    rest = block[at:].split(b"\n")
    expected = (at + sum(map(len, rest[:count])) + count
                if block[at:].count(b"\n") >= count else len(block))
    with mock.patch.object(signal_stream, "_SLICE", piece):
        assert signal_stream.after_lines(block, at, count) == expected


def _records(path, ranges) -> list:
    return [_plain(record) for r in ranges for record in signal_files.read_chunk(
        path, start=r.start, end=r.end, first_line=r.first_line, encoding="cp949",
        delimiter=",")]


@settings(max_examples=200, deadline=None)
@given(lines=st.lists(pieces, max_size=40), end=st.sampled_from(["", "\n", "\r\n"]),
       rows=st.integers(1, 8), half=st.integers(1, 3))
def test_halving_the_tail_reads_the_same_records(tmp_path_factory, lines, end, rows, half):
    """Files of every shape: the tail's halves read the records the whole chunks read,
    at the same lines; a chunk whose lines are not each a record stays whole."""
    path = tmp_path_factory.mktemp("t") / "f.csv"
    path.write_bytes(("h,i\n" + "\n".join(lines) + (end if lines else "")).encode())
    with override_settings(SIGNAL_MAX_LINE_BYTES=24), mock.patch.object(
            signal_stream, "TAIL_HALF_ROWS", half):
        ranges = signal_stream.split(str(path), rows)
        halved = signal_stream.tail_halved(str(path), ranges)
        assert [r.number for r in halved] == list(range(len(halved)))
        assert len(ranges) <= len(halved) <= len(ranges) + 2
        # Each chunk whole, or in two halves that meet.
        assert {(r.start, r.end) for r in ranges} <= {(r.start, r.end) for r in halved} | {
            (a.start, b.end) for a, b in zip(halved, halved[1:], strict=False)
            if a.end == b.start}
        assert _records(str(path), halved) == _records(str(path), ranges)


def test_the_last_chunks_are_halved_and_read_the_same_rows(tmp_path, monkeypatch):
    """Workers finish together: the tail's chunks in halves, every row read once, at its
    own line number, the chunks numbered in order."""
    monkeypatch.setattr(signal_stream, "TAIL_HALF_ROWS", 3)
    path = _file(tmp_path, [["900101-1234567", "", "", "", "", "", "단전", f"202612{d:02}",
                             "", "1,000", ""] for d in range(1, 29)])
    ranges = signal_stream.split(path, 10)  # 10, 10, 8 rows
    halved = signal_stream.tail_halved(path, ranges)
    assert [(r.number, r.first_line) for r in halved] == [
        (0, 2), (1, 12), (2, 17), (3, 22), (4, 26)]
    assert halved[0] == ranges[0] and halved[-1].end == ranges[-1].end
    assert all(a.end == b.start for a, b in zip(halved, halved[1:], strict=False))
    assert _records(path, halved) == _records(path, ranges)


def test_a_tail_chunk_too_small_or_not_plain_stays_whole(tmp_path, monkeypatch):
    monkeypatch.setattr(signal_stream, "TAIL_HALF_ROWS", 3)
    row = ["900101-1234567", "", "", "", "", "", "단전", "20261201", "", "", ""]
    # A quoted newline in the last chunk: its lines are not each a record.
    path = _file(tmp_path, [row] * 12 + [[*row[:3], "여의대로\n24", *row[4:]]] + [row] * 5)
    ranges = signal_stream.split(path, 10)  # 10 rows, then 8 of 9 lines
    assert signal_stream.tail_halved(path, ranges, halved=1) == ranges
    # The 10-row chunk in halves of 5; the 5-row one, short of two halves of 3, whole.
    path = _file(tmp_path, [row] * 15)
    ranges = signal_stream.split(path, 10)
    halved = signal_stream.tail_halved(path, ranges)
    assert [r.first_line for r in halved] == [2, 7, 12]
    assert (halved[2].start, halved[2].end) == (ranges[1].start, ranges[1].end)
