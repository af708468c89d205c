"""A chunk of an agency file staged column by column (Apache Arrow): the chunk parsed by
Arrow's CSV reader (C++), what each distinct cell means worked out once (the Stager's
own memos, in Python), the checks across a row's cells as array kernels. Python then
touches each row of the usual national-feed shape — an RRN, no address — only to hash
its RRN and build its staging row.

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

from households.rrn import rrn_mask
from outreach.signal_stream import Staged, Stager, name_key_of, plain_lines

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
_DONG_CODE = r"^[0-9]{10}$"


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
    try:
        text = blob.decode("utf-8" if encoding == "utf-8-sig" else encoding)
    except UnicodeDecodeError:
        return None
    names = [f"c{n}" for n in range(width)]
    try:
        table = arrow_csv.read_csv(
            io.BytesIO(text.encode()),
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
        self.empty = pa.array([""] * table.num_rows, pa.string())

    def column(self, position: int) -> pa.Array:
        """The cells at a Stager position (one past the file's columns reads empty)."""
        if position >= self.table.num_columns:
            return self.empty
        return self.table.column(position).combine_chunks()

    def meaning(self, position: int, meaning) -> tuple[list, pa.Array]:
        """(value of each row's cell, whether it is valid) by ``meaning``(cell) → (valid,
        value), asked once per distinct cell."""
        encoded = self.column(position).dictionary_encode()
        answers = [meaning(cell) for cell in encoded.dictionary.to_pylist()]
        indices = encoded.indices.to_pylist()
        valid = pa.array([ok for ok, _value in answers]).take(encoded.indices)
        values = [value for _ok, value in answers]
        return [values[index] for index in indices], valid

    def stage(self) -> Staged:
        stager = self.stager
        (p_rrn, p_name, p_birth, p_address, p_detail, p_dong, p_kind, p_observed, p_months,
         p_amount, p_phone) = stager.positions
        kinds, kind_ok = self.meaning(p_kind, lambda text: _known(stager._kind(text)))
        observed, observed_ok = self.meaning(
            p_observed, lambda text: _known(stager._date(text.strip())))
        months, months_ok = self.meaning(p_months, lambda text: _count(stager, text, 600))
        amounts, amount_ok = self.meaning(p_amount, lambda text: _count(stager, text, None))
        births, birth_ok = self.meaning(p_birth, lambda text: _birth(stager, text))
        _dongs, dong_ok = self.meaning(p_dong, _dong_code)
        rrn, name, phone = self.column(p_rrn), self.column(p_name), self.column(p_phone)
        # The usual national-feed shape: an RRN as written, no address, every cell valid
        # and none to strip (the Stager would take it the same way, _fast's RRN case).
        usual = pc.and_(pc.and_(pc.and_(kind_ok, observed_ok), pc.and_(months_ok, amount_ok)),
                        pc.and_(birth_ok, dong_ok))
        usual = pc.and_(usual, pc.match_substring_regex(rrn, _RRN))
        for column in (self.column(p_address), self.column(p_detail)):
            usual = pc.and_(usual, pc.equal(column, ""))
        for column in (name, phone):
            usual = pc.and_(usual, pc.invert(pc.match_substring_regex(column, _EDGE_SPACE)))
        out = Staged()
        indices = pc.indices_nonzero(usual).to_pylist()
        if indices:
            self._stage_usual(out, indices, rrn, name, phone, kinds, observed, months,
                              amounts, births)
        other = pc.indices_nonzero(pc.invert(usual))
        if len(other):
            rest = self.table.take(other)
            lines = [self.first_line + index for index in other.to_pylist()]
            cells = [list(row) for row in zip(*(rest.column(n).to_pylist()
                                                for n in range(rest.num_columns)),
                                              strict=True)]
            alone = stager.stage(list(zip(lines, cells, strict=True)))
            out.rows.extend(alone.rows)
            out.rows.sort(key=itemgetter(0))
            out.problems, out.outsiders = alone.problems, out.outsiders + alone.outsiders
        return out

    def _stage_usual(self, out: Staged, indices: list[int], rrn, name, phone, kinds,
                     observed, months, amounts, births) -> None:
        """The rows of the usual shape: each RRN hashed; a row about somebody the registry
        does not hold counted (Stager._fast's outsider), the others staged."""
        stager, first = self.stager, self.first_line
        taken = pa.array(indices, pa.int64())
        # The digits as bytes, the dash dropped (the pattern allows one, after the sixth).
        digits = pc.replace_substring(rrn.take(taken), "-", "").cast(pa.binary()).to_pylist()
        subjects = list(map(stager.digest, digits))
        known = stager.known
        if known is None:
            kept = range(len(indices))
        else:
            from_bytes = int.from_bytes
            kept = [n for n, subject in enumerate(subjects) if from_bytes(subject[:8]) in known]
            out.outsiders += len(indices) - len(kept)
        if not kept:
            return
        names = name.take(taken).to_pylist()
        phones = phone.take(taken).to_pylist()
        out.rows.extend(
            (first + index, kinds[index], subjects[n].hex(), True, observed[index],
             months[index], amounts[index], names[n], name_key_of(names[n]), births[index],
             "", "", "", None, rrn_mask(digits[n].decode()), phones[n])
            for n, index in ((n, indices[n]) for n in kept))


def _known(value) -> tuple[bool, object]:
    return value is not None, value


def _count(stager: Stager, text: str, most: int | None) -> tuple[bool, int | None]:
    """An amount or a number of months: empty, or a whole number (up to ``most``)."""
    if not text:
        return True, None
    number = stager._number(text)
    return number is not None and (most is None or number <= most), number


def _birth(stager: Stager, text: str) -> tuple[bool, object]:
    text = text.strip()
    if not text:
        return True, None
    return _known(stager._date(text))


def _dong_code(text: str) -> tuple[bool, None]:
    text = text.strip()
    return not text or (len(text) == 10 and text.isascii() and text.isdigit()), None
