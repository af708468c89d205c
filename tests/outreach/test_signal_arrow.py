"""A chunk staged column by column (outreach.signal_arrow) gives what signal_stream gives
the same bytes: the same staging rows in the same order, the same rejections, the same
count of rows only counted — or it declines the chunk (None), which is then read
signal_stream's way."""

import csv
import io
import itertools
from datetime import date

import pytest
from django.test import override_settings
from hypothesis import given, settings
from hypothesis import strategies as st

from households.rrn_known import PrefixFilter, prefix
from outreach import signal_arrow, signal_files, signal_stream
from outreach.signal_files import map_header
from tests.outreach.test_signal_stream import HEADER, PLACES, TODAY, rows

# The usual national-feed shape, valid as written; or with one cell that makes it
# unusable as written: a space Python strips at either end (an ideographic space, an
# information separator, a no-break space), a second dash, a foreign digit, a number out
# of range, a date after today, an address.
_VALID = (["900101-1234567", "9001011234567", "850505-2345678", "770707-5999999"],
          ["", "김철수", "Lee Ann"], ["", "19800101"], [""], [""], ["", "1156051000"],
          ["전기요금 체납", "단전"], ["2026.11.30", "20261203"], ["", "3"], ["", "1,200,000"],
          ["", "010-1234-5678"])
_UNUSUAL = (["9001011234567 ", "\u3000900101-1234567", "900101--1234567", "900101-1２34567",
             "900101-9234567", ""],
            ["\u3000김철수", "김철수\x1c", "이\xa0수", "홍 길동 "],
            [" 19800101", "19801301", "20261204"], [" ", "영등포로 1", "여의대로 24 "],
            ["2층", " ", " 2층"],
            ["115605100", " 1156051000"], ["무엇", " 단수"], ["20261204", "어제", " 20261201"],
            ["601", "１", " 2"], ["30,000원", "-5"], [" 010-1234-5678", "010\u2003"])


def _changed(cells: tuple, change) -> list[str]:
    cells = list(cells)
    if change is not None:
        cells[change[0]] = change[1]
    return cells


usual = st.builds(
    _changed, st.tuples(*map(st.sampled_from, _VALID)),
    st.one_of(st.none(), st.none(), st.integers(0, 10).flatmap(
        lambda n: st.tuples(st.just(n), st.sampled_from(_UNUSUAL[n])))))
# Lines written by hand: stray and doubled quotes, a lone carriage return, a blank line,
# a short row.
odd_lines = st.sampled_from([
    '900101-1234567,"김""철수",,,,,단전,20261201,,,', '900101-1234567,김"철수,,,,,단전,20261201,,,',
    '"900101-1234567"x,,,,,,단전,20261201,,,', '900101-1234567,,,,,,단전,20261201,,,"1,2"',
    '900101-1234567,,,,,,단전\r,20261201,,,', "", " ", "900101-1234567,,,단전",
    '900101-1234567,"김철수,,,,,단전,20261201,,,', '"",,,,,,단전,20261201,,,'])


def _write(tmp_path, header, lines, encoding, newline, quoting) -> str:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator=newline, quoting=quoting)
    writer.writerow(header)
    for line in lines:
        if isinstance(line, str):
            text.write(line + newline)
        else:
            writer.writerow(line)
    path = tmp_path / "f.csv"
    path.write_bytes(text.getvalue().encode(encoding, errors="replace"))
    return str(path)


def _both(path, chunk, columns, encoding, known):
    """(staged by columns or None, staged by rows) for one chunk; fresh stagers, so what
    one way remembers of a cell cannot hide what the other gets wrong."""
    signal_stream._MEMOS.clear()
    with open(path, "rb") as f:
        f.seek(chunk.start)
        blob = f.read(chunk.end - chunk.start)
    by_columns = signal_arrow.stage_chunk(
        blob, signal_stream.Stager(columns, TODAY, PLACES, known),
        first_line=chunk.first_line, encoding=encoding, delimiter=",")
    signal_stream._MEMOS.clear()
    by_rows = signal_stream.Stager(columns, TODAY, PLACES, known).stage(
        signal_stream.read_records(path, start=chunk.start, end=chunk.end,
                                   first_line=chunk.first_line, encoding=encoding,
                                   delimiter=","))
    return by_columns, by_rows


def _same(by_columns, by_rows):
    assert by_columns.rows == by_rows.rows
    assert ([(p.line, p.errors) for p in by_columns.problems]
            == [(p.line, p.errors) for p in by_rows.problems])
    assert by_columns.outsiders == by_rows.outsiders


def _known(columns):
    key = signal_stream.Stager(columns, TODAY, PLACES).key
    return PrefixFilter(prefix(signal_stream.subject_of(key, digits, "", None, ""))
                        for digits in ("9001011234567", "8505052345678"))


@settings(max_examples=250, deadline=None)
@given(lines=st.lists(st.one_of(rows.map(list), usual, usual, usual, odd_lines), min_size=4,
                      max_size=30),
       order=st.permutations(range(11)), drop=st.sets(st.integers(0, 10), max_size=2),
       encoding=st.sampled_from(["cp949", "utf-8"]), newline=st.sampled_from(["\r\n", "\n"]),
       quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
       with_known=st.booleans(), size=st.integers(1, 12))
def test_a_chunk_staged_by_columns_is_the_chunk_staged_by_rows(
        tmp_path_factory, lines, order, drop, encoding, newline, quoting, with_known, size):
    """Files of every shape, in chunks of every size: where the column-wise way takes a
    chunk, it stages exactly what the row-wise way does."""
    keep = [i for i in order if i not in drop]
    try:
        columns = map_header([HEADER[i] for i in keep])
    except signal_files.FileRejected:
        return
    lines = [line if isinstance(line, str) else [line[i] for i in keep] for line in lines]
    path = _write(tmp_path_factory.mktemp("a"), [HEADER[i] for i in keep], lines, encoding,
                  newline, quoting)
    known = _known(columns) if with_known else None
    for chunk in signal_stream.split(path, size):
        by_columns, by_rows = _both(path, chunk, columns, encoding, known)
        if by_columns is not None:
            _same(by_columns, by_rows)


@pytest.mark.parametrize("with_known", [True, False])
def test_every_unusual_cell_is_staged_as_the_rows_way_stages_it(tmp_path, with_known):
    """Each cell that makes a usual row unusable as written, in each column, beside usual
    rows: the same staging rows, rejections and counts both ways."""
    columns = map_header(HEADER)
    known = _known(columns) if with_known else None
    by_rrn = [cells[0] for cells in _VALID]
    by_name = ["", "김철수", "19800101", "서울특별시 영등포구 여의대로 24", "2층", "", "단전",
               "20261203", "", "", ""]
    for (column, spellings), base in itertools.product(enumerate(_UNUSUAL), (by_rrn, by_name)):
        for spelling in (*spellings, "\u3000"):
            lines = [base, _changed(base, (column, spelling)),
                     _changed(base, (0, "770707-5999999")), by_name]
            path = _write(tmp_path, HEADER, lines, "utf-8", "\n", csv.QUOTE_MINIMAL)
            by_columns, by_rows = _both(path, signal_stream.split(path, 10)[0], columns,
                                        "utf-8", known)
            assert by_columns is not None
            _same(by_columns, by_rows)


def test_a_usual_chunk_is_staged_by_columns(tmp_path):
    """The usual national feed — RRN rows, some about people registered here, and a few of
    other shapes among them — takes the column-wise way, and each kind of row is there."""
    lines = [["900101-1234567", "김철수", "", "", "", "", "전기요금 체납", "2026.11.30", "3",
              "1,200,000", "010-1234-5678"],
             ["8505052345678", "", "", "", "", "", "단전", "20261201", "", "", ""],
             ["770707-1999999", "", "", "", "", "", "단수", "20261201", "", "", ""],
             ["", "홍길동", "19800101", "서울특별시 영등포구 여의대로 24", "2층", "1156051000",
              "단전", "2026-12-01", "", "", ""],
             ["", "홍길동", "19991340", "영등포로 1", "", "", "단전", "2026-12-01", "", "", ""]]
    path = _write(tmp_path, HEADER, lines * 20, "cp949", "\r\n", csv.QUOTE_MINIMAL)
    columns = map_header(HEADER)
    chunk = signal_stream.split(path, 1000)[0]
    by_columns, by_rows = _both(path, chunk, columns, "cp949", _known(columns))
    assert by_columns is not None
    _same(by_columns, by_rows)
    assert len(by_columns.rows) == 60 and by_columns.outsiders == 20
    assert len(by_columns.problems) == 20
    assert [row[0] for row in by_columns.rows[:3]] == [2, 3, 5]


def test_an_rrn_row_without_an_address_sends_only_its_signal(tmp_path):
    """The database keeps nothing of an RRN row with no address but its signal (matched, it
    is stored without a name; unmatched, only counted), so neither reader sends it the
    name, birth date, masked RRN or phone; a row with a unit still carries them (unmatched,
    staff see where it said it lives)."""
    lines = [["900101-1234567", "김철수", "19900101", "", "", "", "전기요금 체납",
              "2026.11.30", "3", "1,200,000", "010-1234-5678"],
             ["8505052345678", "이영희", "", "", "2층", "", "단전", "20261201", "", "",
              "010-9999-0000"]]
    path = _write(tmp_path, HEADER, lines, "cp949", "\r\n", csv.QUOTE_MINIMAL)
    columns = map_header(HEADER)
    chunk = signal_stream.split(path, 1000)[0]
    by_columns, by_rows = _both(path, chunk, columns, "cp949", _known(columns))
    _same(by_columns, by_rows)
    bare, with_unit = (dict(zip(signal_stream.STAGE_COLUMNS, row, strict=True))
                       for row in by_columns.rows)
    assert {name: bare[name] for name in ("name", "name_key", "birth_date", "rrn_masked",
                                          "phone", "address", "address_detail")} == {
        "name": "", "name_key": "", "birth_date": None, "rrn_masked": "", "phone": "",
        "address": "", "address_detail": ""}
    assert (bare["kind"], bare["observed_on"], bare["months_overdue"], bare["amount"],
            bare["has_rrn"]) == ("power_arrears", date(2026, 11, 30), 3, 1_200_000, True)
    assert bare["subject"] == signal_stream.subject_of(
        signal_stream.Stager(columns, TODAY, PLACES).key, "9001011234567", "", None, "")
    assert (with_unit["name"], with_unit["rrn_masked"], with_unit["phone"],
            with_unit["address_detail"]) == ("이영희", "850505-2******", "010-9999-0000", "2층")


def test_a_chunk_arrow_cannot_vouch_for_is_declined(tmp_path):
    """Broken bytes, a short row, a quote left open, a blank line, a lone carriage return,
    a line or cell over the limits: None, and the chunk is read the row-wise way."""
    good = "900101-1234567,,,,,,단전,20261201,,,\r\n".encode("cp949")
    stager = signal_stream.Stager(map_header(HEADER), TODAY, PLACES)

    def staged(blob):
        return signal_arrow.stage_chunk(blob, stager, first_line=2, encoding="cp949",
                                        delimiter=",")

    assert staged(good * 3) is not None
    for bad in (b"\xff\xfe,,,,,,\xc0,20261201,,,\r\n", "900101-1234567,,단전\r\n".encode(),
                b'900101-1234567,"a,,,,,,20261201,,,\r\n', b"\r\n", b"  \r\n",
                b"900101-1234567,,,,,,x\ry,20261201,,,\r\n"):
        assert staged(good + bad + good) is None, bad
    with override_settings(SIGNAL_MAX_LINE_BYTES=30):
        assert staged(good) is None
    with override_settings(SIGNAL_MAX_CELL_CHARS=10):
        assert staged(good) is None
        assert staged("900101-1234567,,,,,,단전,20261201,,,\r\n".encode("cp949")) is None
    with override_settings(SIGNAL_MAX_CELL_CHARS=14):
        assert staged(good) is not None


def test_every_space_python_strips_is_a_space_at_the_edge():
    """The column-wise way uses a cell as written only when str.strip() would leave it so."""
    for text in ("\u3000김", "김\x1c", "\x85김", "김\u2029", " 김", "김\t"):
        assert text.strip() != text
        assert signal_arrow.pc.match_substring_regex(
            signal_arrow.pa.array([text]), signal_arrow._EDGE_SPACE)[0].as_py()
    assert not signal_arrow.pc.match_substring_regex(
        signal_arrow.pa.array(["김 철수"]), signal_arrow._EDGE_SPACE)[0].as_py()


def test_a_birth_date_is_valid_up_to_today_and_may_be_empty():
    stager = signal_stream.Stager(map_header(HEADER), TODAY, PLACES)
    assert stager.birth(" 20261204") == (False, None)
    assert stager.birth(" 20261203") == (True, date(2026, 12, 3))
    assert stager.birth(" ") == (True, None)
