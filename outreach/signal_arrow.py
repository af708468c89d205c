"""A chunk of an agency file staged column by column (Apache Arrow): the chunk parsed by
Arrow's CSV reader (C++), what each distinct cell means worked out once (the Stager's
own memos, in Python), the checks across a row's cells as array kernels. Python then
touches a row of the two usual shapes only to hash it and build its staging row: an RRN
and no address (a national feed's row), or a name, birth date and address without an
RRN (a local source's), whose name and address are keyed too.

signal_stream stays the definition. A chunk Arrow cannot vouch for — broken bytes, a
long line, a blank line, a quote left open, a stray carriage return, a row of another
width, a parse error — is read signal_stream's way (``stage_chunk`` returns None). In a
chunk it reads, a row of any other shape, or with a cell this path would have to strip,
goes through Stager.stage as it would alone. tests/outreach/test_signal_arrow.py checks
that both ways give the same staging rows, rejections and counts.
"""

from __future__ import annotations

import io
import sys
from operator import itemgetter

import pyarrow as pa
import pyarrow.compute as pc
from django.conf import settings
from pyarrow import csv as arrow_csv

from households.rrn_known import SLOT_BYTES
from outreach.signal_files import chunk_codec
from outreach.signal_stream import (
    Staged,
    Stager,
    bare_row,
    key_and_hint,
    name_key_of,
    plain_lines,
    subject_of,
)

# Arrow's buffers from malloc, which gives them back: its own allocator (mimalloc) kept
# what a chunk had used, 278 MB against 260 MB at the high-water mark of 25 chunks.
pa.set_memory_pool(pa.system_memory_pool())

# Every character Python's str.strip() removes, as an RE2 class: a cell that starts or
# ends with one is not used as it is written (the Stager strips it), so its row is
# staged the Stager's way.
_SPACES = "".join(f"\\x{{{code:x}}}" for code in range(sys.maxunicode + 1)
                  if chr(code).isspace())
_EDGE_SPACE = f"^[{_SPACES}]|[{_SPACES}]$"
_RRN = r"^[0-9]{6}-?[1-8][0-9]{6}$"


def stage_chunk(blob: bytes, stager: Stager, *, first_line: int, encoding: str,
                delimiter: str) -> Staged | None:
    """The chunk's bytes ``blob`` staged as Stager.stage(signal_stream.read_records(…))
    would; None when Arrow cannot read it as the csv module would."""
    table = _read(blob, len(stager.columns), encoding=encoding, delimiter=delimiter)
    if table is None:
        return None
    return _Columns(stager, table, first_line).stage()


def _read(blob: bytes, width: int, *, encoding: str, delimiter: str) -> pa.Table | None:
    pieces = blob.split(b"\n")
    lines = len(pieces) - (not pieces[-1])
    longest = max(map(len, pieces))
    del pieces
    # A carriage return only before a newline (csv.reader fails on another); no blank
    # line and no quote left open (one record a line).
    if (not lines or longest >= settings.SIGNAL_MAX_LINE_BYTES
            or blob.count(b"\r") != blob.count(b"\r\n") or not plain_lines(blob)):
        return None
    codec = chunk_codec(encoding)
    try:
        text = blob.decode(codec)
    except UnicodeDecodeError:
        return None
    # Arrow reads UTF-8: the bytes as they are when they are that already (decoded above
    # only to be sure they are), else the text encoded.
    data = blob if codec == "utf-8" else text.encode()
    del text
    names = [f"c{n}" for n in range(width)]
    try:
        table = arrow_csv.read_csv(
            io.BytesIO(data),
            read_options=arrow_csv.ReadOptions(column_names=names, use_threads=False,
                                               block_size=max(1 << 20, 2 * len(blob))),
            parse_options=arrow_csv.ParseOptions(delimiter=delimiter, ignore_empty_lines=False,
                                                 newlines_in_values=False),
            convert_options=arrow_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False,
                quoted_strings_can_be_null=False))
    except pa.ArrowInvalid:
        return None  # a row of another width, mostly
    limit = settings.SIGNAL_MAX_CELL_CHARS
    if table.num_rows != lines or longest > limit and any(
            pc.max(pc.utf8_length(column)).as_py() > limit for column in table.columns):
        return None
    return table


class _Columns:
    """One chunk's table, staged."""

    def __init__(self, stager: Stager, table: pa.Table, first_line: int):
        self.stager, self.table, self.first_line = stager, table, first_line

    def column(self, position: int) -> pa.Array:
        """The cells at a Stager position (one past the file's columns reads empty)."""
        if position >= self.table.num_columns:
            return pa.repeat("", self.table.num_rows)
        return self.table.column(position).combine_chunks()

    def meaning(self, position: int, meaning) -> tuple[list, pa.Array, pa.Array]:
        """(each row's value, whether it is valid, whether it has one) by ``meaning``(cell)
        → (valid, value or None), asked once per distinct cell."""
        encoded = self.column(position).dictionary_encode()
        answers = [meaning(cell) for cell in encoded.dictionary.to_pylist()]
        values = [value for _ok, value in answers]
        return ([values[index] for index in encoded.indices.to_pylist()],
                pa.array([ok for ok, _value in answers]).take(encoded.indices),
                pa.array([value is not None for value in values]).take(encoded.indices))

    def stage(self) -> Staged:
        stager = self.stager
        (p_rrn, p_name, p_birth, p_address, p_detail, p_dong, p_kind, p_observed, p_months,
         p_amount, p_phone) = stager.positions
        self.kinds, valid, _ = self.meaning(p_kind, lambda text: _known(stager._kind(text)))
        self.observed, ok, _ = self.meaning(
            p_observed, lambda text: _known(stager._date(text.strip())))
        valid = pc.and_(valid, ok)
        self.months, ok, _ = self.meaning(p_months, lambda text: stager.count(text, 600))
        valid = pc.and_(valid, ok)
        self.amounts, ok, _ = self.meaning(p_amount, stager.count)
        valid = pc.and_(valid, ok)
        self.births, ok, born = self.meaning(p_birth, stager.birth)
        valid = pc.and_(valid, ok)
        self.dongs, ok, _ = self.meaning(p_dong, stager.dong_code)
        valid = pc.and_(valid, ok)
        rrn, name, phone = self.column(p_rrn), self.column(p_name), self.column(p_phone)
        address, detail = self.column(p_address), self.column(p_detail)
        # The two usual shapes, which the Stager would take the same way, every cell valid:
        # an RRN and no address (national feeds; staged bare, its name and phone unread),
        # and a name, birth date and address without an RRN, whose cells are staged as
        # written, so none may have anything to strip.
        by_rrn = pc.and_(pc.and_(valid, pc.match_substring_regex(rrn, _RRN)),
                         pc.and_(pc.equal(address, ""), pc.equal(detail, "")))
        by_name = pc.and_(pc.and_(valid, pc.equal(rrn, "")),
                          pc.and_(born, pc.and_(pc.not_equal(name, ""),
                                                pc.not_equal(address, ""))))
        for column in (name, phone, address, detail):
            by_name = pc.and_(by_name,
                              pc.invert(pc.match_substring_regex(column, _EDGE_SPACE)))
        out = Staged()
        self._stage_by_rrn(out, pc.indices_nonzero(by_rrn), rrn)
        self._stage_by_name(out, pc.indices_nonzero(by_name), name, address, detail, phone)
        other = pc.indices_nonzero(pc.invert(pc.or_(by_rrn, by_name)))
        if len(other):
            rest = self.table.take(other)
            lines = [self.first_line + index for index in other.to_pylist()]
            cells = [list(row) for row in zip(*(rest.column(n).to_pylist()
                                                for n in range(rest.num_columns)),
                                              strict=True)]
            alone = stager.stage(list(zip(lines, cells, strict=True)))
            out.rows.extend(alone.rows)
            out.problems, out.outsiders = alone.problems, out.outsiders + alone.outsiders
        out.rows.sort(key=itemgetter(0))
        return out

    def _stage_by_rrn(self, out: Staged, taken: pa.Array, rrn) -> None:
        """Each RRN hashed; a row about somebody the registry does not hold counted
        (Stager._fast's outsider), the others staged bare (signal_stream.bare_row)."""
        if not len(taken):
            return
        stager, first, indices = self.stager, self.first_line, taken.to_pylist()
        # The digits as bytes, the dash dropped (the pattern allows one, after the sixth).
        digits = pc.replace_substring(rrn.take(taken), "-", "").cast(pa.binary()).to_pylist()
        subjects = list(map(stager.digest, digits))
        known = stager.known
        if known is None:
            kept = range(len(indices))
        else:
            from_bytes, slots = int.from_bytes, known.slots
            kept = [n for n, subject in enumerate(subjects)
                    if slots[from_bytes(subject[:SLOT_BYTES])]]
            out.outsiders += len(indices) - len(kept)
        if not kept:
            return
        kinds, observed, months, amounts = self.kinds, self.observed, self.months, self.amounts
        out.rows.extend(
            bare_row(first + index, kinds[index], subjects[n].hex(), observed[index],
                     months[index], amounts[index])
            for n, index in ((n, indices[n]) for n in kept))

    def _stage_by_name(self, out: Staged, taken: pa.Array, name, address, detail,
                       phone) -> None:
        """Each row's name key, address key and subject (the hash of the three)."""
        if not len(taken):
            return
        stager, first, places = self.stager, self.first_line, self.stager.places
        kinds, observed, months, amounts, births, dongs = (
            self.kinds, self.observed, self.months, self.amounts, self.births, self.dongs)
        rows = out.rows
        for index, who, written, unit, phone_ in zip(
                taken.to_pylist(), name.take(taken).to_pylist(),
                address.take(taken).to_pylist(), detail.take(taken).to_pylist(),
                phone.take(taken).to_pylist(), strict=True):
            key = name_key_of(who)
            birth = births[index]
            addr_key, hint = key_and_hint(written, unit)
            rows.append((first + index, kinds[index],
                         subject_of(stager.key, "", key, birth, addr_key),
                         False, observed[index], months[index], amounts[index], who, key,
                         birth, written, unit, addr_key,
                         places.dong_of(written, dongs[index], hint), "", phone_))


def _known(value) -> tuple[bool, object]:
    return value is not None, value
