"""A chunk of an agency file as staging rows, fast: the byte range decoded at once, split
by the csv module (C), and each row checked against the shapes that are certainly valid.

signal_files.read_chunk and signal_files.validate stay the definition: whatever the fast
path cannot vouch for — broken bytes, an over-long line, a quoted newline, a csv error in
the chunk; an unusual date, number, RRN spelling or kind in a row — goes to them, and a
row they accept is staged by the same function (``stage_of``). The fast path only skips
work for the rows they would certainly accept unchanged (tests/outreach/
test_signal_stream.py checks both give the same rows).

A staging row carries the keyed subject hash, never the RRN; the key stays here.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache

from django.conf import settings

from households.addresses import address_key_and_hint
from households.rrn import keyed_sha256, rrn_mask
from households.rrn_known import SLOT_BYTES, PrefixFilter
from outreach import signal_files
from outreach.signal_files import ChunkRange, RawRow, RowErrors, SignalRow

# The columns of a staging row, in order (outreach.services.signal_staging creates the
# table with these).
STAGE_COLUMNS = ("line", "kind", "subject", "has_rrn", "observed_on", "months_overdue",
                 "amount", "name", "name_key", "birth_date", "address", "address_detail",
                 "address_key", "dong_id", "rrn_masked", "phone")

_RRN_FRONT = frozenset("12345678")
_OUTSIDER = ("outsider",)  # Stager._fast's answer for a row only counted
_HANGUL_NAME = re.compile("[\uac00-\ud7a3]+").fullmatch
_CANONICAL = ("rrn", "name", "birth_date", "address", "address_detail", "dong_code",
              "signal_kind", "observed_on", "months_overdue", "amount", "phone")


def name_key_of(name: str) -> str:
    """signal_files.name_key_of, at once for a name of Hangul syllables only (most): NFKC
    leaves them as they are, and they have no case, spaces or dots to drop."""
    return name if _HANGUL_NAME(name) else signal_files.name_key_of(name)


def subject_of(key: bytes, rrn_digits: str, name_key: str, birth: date | None,
               addr_key: str) -> str:
    """The keyed hash a signal is about: of the RRN, or of name + birth date + address
    (keyed too, so neither can be read back from the table)."""
    text = rrn_digits or f"nba|{name_key}|{_ymd(birth)}|{addr_key}"
    return keyed_sha256(key)(text.encode())


@lru_cache(maxsize=65536)
def _ymd(day: date) -> str:
    """YYYYMMDD. strftime was a subject's dearest step (more than its HMAC), and a file's
    birth dates recur."""
    return f"{day:%Y%m%d}"


@dataclass
class Places:
    """Where an unmatched row lives, by 행정동 code or the dong its address names."""

    by_code: dict[str, int]
    by_name: dict[str, int]

    def dong_of(self, address: str, dong_code: str, hint: str | None) -> int | None:
        """``hint``: the address's dong_hint (address_key_and_hint gives it)."""
        if not address:
            return None
        dong_id = self.by_code.get(dong_code) if dong_code else None
        if dong_id is None and hint:
            dong_id = self.by_name.get(hint)
        return dong_id


def key_and_hint(address: str, detail: str) -> tuple[str, str | None]:
    """(address key, dong hint) of a row's address; none without one."""
    return address_key_and_hint(address, detail) if address else ("", None)


def bare_row(line: int, kind: str, subject: str, observed_on: date, months: int | None,
             amount: int | None) -> tuple:
    """The staging row of a row with an RRN and neither an address nor a unit: the database
    keeps nothing of it but the signal — matched by the RRN, the signal is stored without a
    name; matched by nobody, the row is only counted (nothing to place it by) — so its
    name, birth date, masked RRN and phone are not sent."""
    return (line, kind, subject, True, observed_on, months, amount, "", "", None, "", "", "",
            None, "", "")


def stage_of(row: SignalRow, key: bytes, places: Places) -> tuple:
    """A validated row as a staging row (STAGE_COLUMNS)."""
    if row.rrn_digits and not row.address and not row.address_detail:
        return bare_row(row.line, row.kind, subject_of(key, row.rrn_digits, "", None, ""),
                        row.observed_on, row.months_overdue, row.amount)
    addr_key, hint = key_and_hint(row.address, row.address_detail)
    return (
        row.line, row.kind,
        subject_of(key, row.rrn_digits, row.name_key, row.birth_date, addr_key),
        bool(row.rrn_digits), row.observed_on, row.months_overdue, row.amount,
        row.name, row.name_key, row.birth_date, row.address, row.address_detail, addr_key,
        places.dong_of(row.address, row.dong_code, hint),
        rrn_mask(row.rrn_digits) if row.rrn_digits else "", row.phone,
    )


def split(path: str, rows_per_chunk: int) -> list[ChunkRange]:
    """signal_files.split's ranges, found a block at a time when every line of the file is
    a record — no quote left open at a line's end, no blank line (a usual agency file) —
    else signal_files.split's way, line by line (tests/outreach/test_signal_stream.py
    checks both give the same ranges). A round's first step, which every chunk waits
    for: a third of the time of reading line by line."""
    plain = _split_plain(path, rows_per_chunk)
    return plain if plain is not None else list(signal_files.split(path, rows_per_chunk))


_BLOCK = 1 << 22
# Every byte but a quote and a newline (to drop them): what is left of a line is its
# quotes, and a line with an odd number of them keeps one after their pairs are dropped.
_NOT_QUOTES = bytes(set(range(256)) - set(b'"\n'))
# A blank (or whitespace-only) line between two newlines: not a record.
_BLANK = re.compile(rb"\n[ \t\r\x0b\x0c]*\n")


def plain_lines(block: bytes) -> bool:
    """Whether every line of ``block`` is a record of its own: no blank (or whitespace-
    only) line, no quote left open at a line's end."""
    return not (_BLANK.search(b"\n" + block + (b"" if block.endswith(b"\n") else b"\n"))
                # (Most agency files quote nothing: then nothing is left open.)
                or b'"' in block
                and b'"' in block.translate(None, _NOT_QUOTES).replace(b'""', b""))


def _split_plain(path: str, rows_per_chunk: int) -> list[ChunkRange] | None:
    limit = settings.SIGNAL_MAX_LINE_BYTES
    ranges: list[ChunkRange] = []
    with open(path, "rb") as f:
        header = f.readline(limit + 1)
        if not header.endswith(b"\n"):
            return None  # an over-long header, or nothing after it
        offset, line = len(header), 2  # the next line's offset and number
        chunk_start, chunk_line, rows = offset, line, 0
        pending = b""
        while True:
            data = f.read(_BLOCK)
            if data:
                data = pending + data
                cut = data.rfind(b"\n") + 1
                if not cut:
                    if len(data) > limit:
                        return None
                    pending = data
                    continue
                block, pending = data[:cut], data[cut:]
            elif pending:
                block, pending = pending, b""
            else:
                break
            # An over-long line is one record either way: the chunk reader rejects it.
            lines = line_count(block)
            if not plain_lines(block):
                return None
            taken, at = 0, 0  # the block's lines already in a chunk, and where they end
            while lines - taken >= rows_per_chunk - rows:
                at = after_lines(block, at, rows_per_chunk - rows)
                taken += rows_per_chunk - rows
                ranges.append(ChunkRange(len(ranges), chunk_start, offset + at, chunk_line))
                chunk_start, chunk_line, rows = offset + at, line + taken, 0
            rows += lines - taken
            offset, line = offset + len(block), line + lines
        if rows:
            ranges.append(ChunkRange(len(ranges), chunk_start, offset, chunk_line))
    return ranges


def line_count(block: bytes) -> int:
    """The lines of ``block``: its newlines, and the file's last line if it has none."""
    return block.count(b"\n") + (not block.endswith(b"\n"))


_SLICE = 1 << 16  # the bytes after_lines counts newlines in at a time


def after_lines(block: bytes, at: int, lines: int) -> int:
    """Where the ``lines``-th line from ``at`` ends in ``block``, past its newline (the
    block's end when fewer lines end there). Newlines are counted a slice at a time (C),
    and only the last slice's lines are taken apart: splitting a round into lines to
    count them was half of the time of finding its chunks."""
    size = len(block)
    while True:
        stop = min(at + _SLICE, size)
        found = block.count(b"\n", at, stop)
        if found >= lines:
            return at + sum(map(len, block[at:stop].split(b"\n", lines)[:lines])) + lines
        if stop == size:
            return size
        at, lines = stop, lines - found


# The tail's chunks are halved down to this many rows, no fewer (a chunk's fixed work —
# its claim, its transaction, its tables — would cost more than the balance gains).
TAIL_HALF_ROWS = 5000


def tail_halved(path: str, ranges: list[ChunkRange], halved: int = 2) -> list[ChunkRange]:
    """The ranges with each of the last ``halved`` cut in two halves where its lines are
    records (plain_lines) and each half holds TAIL_HALF_ROWS lines or more. Workers take
    chunks in order: with whole chunks to the end, the last was often parsed by one
    worker while the others waited (a 1,000,000-row round on 2 workers: 25 chunks, the
    25th alone for half a second); halves at the end let them finish together."""
    kept, tail = ranges[:-halved], ranges[-halved:]
    for piece in tail:
        # A line takes a byte at least: a range of fewer bytes is not read to be counted.
        blob = (chunk_bytes(path, piece.start, piece.end)
                if piece.end - piece.start >= 2 * TAIL_HALF_ROWS else b"")
        lines = line_count(blob) if blob else 0
        if lines < 2 * TAIL_HALF_ROWS or not plain_lines(blob):
            kept.append(replace(piece, number=len(kept)))
            continue
        middle = piece.start + after_lines(blob, 0, lines // 2)
        kept.append(replace(piece, number=len(kept), end=middle))
        kept.append(replace(piece, number=len(kept), start=middle,
                            first_line=piece.first_line + lines // 2))
    return kept


def chunk_bytes(path: str, start: int, end: int) -> bytes:
    """A chunk's bytes, [start, end) of the file."""
    with open(path, "rb") as f:
        f.seek(start)
        return f.read(end - start)


def read_records(path: str, *, start: int, end: int, first_line: int, encoding: str,
                 delimiter: str, blob: bytes | None = None
                 ) -> list[tuple[int, list[str]] | RawRow]:
    """The chunk's records: at once when every line is plain — as (line, cells), a tuple
    costs a tenth of a RawRow — else read_chunk's way (RawRows, some unreadable).
    ``blob``: the chunk's bytes, when the caller has them already (chunk_bytes)."""
    records = _read_fast(path, start=start, end=end, first_line=first_line,
                         encoding=encoding, delimiter=delimiter, blob=blob)
    if records is None:
        records = list(signal_files.read_chunk(
            path, start=start, end=end, first_line=first_line, encoding=encoding,
            delimiter=delimiter))
    return records


def _read_fast(path, *, start, end, first_line, encoding, delimiter, blob=None
               ) -> list[tuple[int, list[str]]] | None:
    if blob is None:
        blob = chunk_bytes(path, start, end)
    lines = blob.split(b"\n")
    longest = max(map(len, lines), default=0)
    if longest >= settings.SIGNAL_MAX_LINE_BYTES:
        return None
    try:
        text = blob.decode(signal_files.chunk_codec(encoding))
    except UnicodeDecodeError:
        return None
    check_cells = longest > settings.SIGNAL_MAX_CELL_CHARS
    limit = settings.SIGNAL_MAX_CELL_CHARS
    texts = text.split("\n")
    if texts[-1] == "":
        texts.pop()  # after the chunk's last newline
    try:
        rows = list(csv.reader(texts, delimiter=delimiter))
    except csv.Error:
        return None
    # Each line parsed on its own: a quoted newline makes one record of two lines.
    if len(rows) != len(texts):
        return None
    if check_cells and any(len(cell) > limit for cells in rows for cell in cells):
        return None
    tabbed = delimiter.isspace()
    if not tabbed and min(map(len, rows), default=2) >= 2:
        return list(zip(range(first_line, first_line + len(rows)), rows, strict=True))
    # A blank line gives no cells, or one; whitespace-only lines split by a tab more.
    return [(first_line + index, cells) for index, cells in enumerate(rows)
            if not ((len(cells) < 2 or tabbed) and not lines[index].strip())]


@dataclass
class Staged:
    rows: list[tuple] = field(default_factory=list)
    problems: list[RowErrors] = field(default_factory=list)
    # Valid rows about somebody the registry does not hold, with no address: counted as
    # unmatched, not staged (the database would count them so and keep nothing).
    outsiders: int = 0


# What a cell means, by its text: a worker's chunks share them (a round's dates, kinds and
# amounts recur from chunk to chunk; the 6,000 birth dates of a chunk were parsed again for
# every chunk). Dates are valid up to the day they were read on; a memo of more than
# _MEMO_LIMIT cells (a file of all different amounts) starts afresh.
_MEMO_LIMIT = 200_000
_MEMOS: dict[str, tuple[date, dict]] = {}


def _memo(name: str, today: date) -> dict:
    day, memo = _MEMOS.get(name, (None, None))
    if day != today or len(memo) > _MEMO_LIMIT:
        memo = {}
        _MEMOS[name] = (today, memo)
    return memo


class Stager:
    """Validates and stages one chunk's records; what recurs (kinds, dates, amounts) is
    worked out once per worker and day (_memo)."""

    def __init__(self, columns: list[str | None], today: date, places: Places,
                 known: PrefixFilter | None = None):
        """``known``: the registry's RRN hash prefixes (households.rrn_known), to count the rows
        about somebody it does not hold, with no address, here (PostgreSQL)."""
        self.columns, self.today, self.places, self.known = columns, today, places, known
        self.key = settings.RRN_HASH_KEY.encode()
        self.digest = keyed_sha256(self.key, raw=True)
        # The position each canonical column is read from (the last one, as validate
        # does); a column the file lacks reads the empty slot past the end.
        at = {name: n for n, name in enumerate(columns) if name}
        self.width = len(columns)
        self.positions = tuple(at.get(name, self.width) for name in _CANONICAL)
        self.pad = any(name not in at for name in _CANONICAL)
        self.dates: dict[str, date | None] = _memo("dates", today)
        self.numbers: dict[str, int | None] = _memo("numbers", today)
        self.kinds: dict[str, str | None] = _memo("kinds", today)

    def stage(self, records: list[tuple[int, list[str]] | RawRow]) -> Staged:
        out = Staged()
        fast = self._fast
        for record in records:
            if type(record) is tuple:
                line, cells = record
            else:
                line, cells = record.line, record.cells
            staged = fast(line, cells) if cells is not None else None
            if staged is _OUTSIDER:
                out.outsiders += 1
                continue
            if staged is None:
                raw = record if type(record) is RawRow else RawRow(line, cells)
                result = signal_files.validate(raw, self.columns, self.today)
                if isinstance(result, RowErrors):
                    out.problems.append(result)
                    continue
                staged = stage_of(result, self.key, self.places)
            out.rows.append(staged)
        return out

    def _date(self, text: str):
        """A plain valid date up to today, or None: let validate decide (and say why)."""
        try:
            return self.dates[text]
        except KeyError:
            parsed = signal_files.parse_date(text)
            self.dates[text] = parsed if parsed is not None and parsed <= self.today else None
            return self.dates[text]

    def _number(self, text: str) -> int | None:
        try:
            return self.numbers[text]
        except KeyError:
            plain = text.strip().replace(",", "")
            self.numbers[text] = int(plain) if plain.isascii() and plain.isdigit() else None
            return self.numbers[text]

    def _kind(self, text: str) -> str | None:
        try:
            return self.kinds[text]
        except KeyError:
            self.kinds[text] = signal_files.kind_of(text.strip())
            return self.kinds[text]

    # What a cell means, as (whether it is valid, its value or None), for _fast and
    # signal_arrow alike.

    def count(self, text: str, most: int | None = None) -> tuple[bool, int | None]:
        """An amount or a number of months: empty, or a whole number (up to ``most``)."""
        if not text:
            return True, None
        number = self._number(text)
        return number is not None and (most is None or number <= most), number

    def birth(self, text: str) -> tuple[bool, date | None]:
        text = text.strip()
        if not text:
            return True, None
        birth = self._date(text)
        return birth is not None, birth

    @staticmethod
    def dong_code(text: str) -> tuple[bool, str]:
        text = text.strip()
        return not text or (len(text) == 10 and text.isascii() and text.isdigit()), text

    def _fast(self, line: int, cells: list[str]) -> tuple | None:
        """The staging row of a row in a usual shape; None for anything else. Caches are
        keyed by the cell as written (dates, kinds and amounts recur)."""
        width = self.width
        if len(cells) != width or self.pad:
            # Short or long rows, and the empty slot the columns the file lacks read.
            cells = cells[:width] + [""] * (width - min(len(cells), width) + 1)
        (p_rrn, p_name, p_birth, p_address, p_detail, p_dong, p_kind, p_observed, p_months,
         p_amount, p_phone) = self.positions
        kind = self._kind(cells[p_kind])
        observed = self._date(cells[p_observed].strip())
        if kind is None or observed is None:
            return None
        ok, months = self.count(cells[p_months], 600)
        if not ok:
            return None
        ok, amount = self.count(cells[p_amount])
        if not ok:
            return None
        rrn_text = cells[p_rrn].strip()
        if rrn_text:
            if len(rrn_text) == 14 and rrn_text[6] == "-":
                digits = rrn_text[:6] + rrn_text[7:]
            elif len(rrn_text) == 13:
                digits = rrn_text
            else:
                return None
            if not (digits.isascii() and digits.isdigit() and digits[6] in _RRN_FRONT):
                return None
        else:
            digits = ""
        name, address = cells[p_name].strip(), cells[p_address].strip()
        ok, birth = self.birth(cells[p_birth])
        if not ok or not digits and not (name and birth and address):
            return None
        ok, dong_code = self.dong_code(cells[p_dong])
        if not ok:
            return None
        detail = cells[p_detail].strip()
        if digits:
            # subject_of's RRN case, without building its text; a row only counted is not
            # spelled out in hex (households.rrn_known's filter is read at the digest's
            # first SLOT_BYTES bytes).
            subject = self.digest(digits.encode())
            if not address and not detail:
                # The usual national-feed row: the RRN, the kind, the date, the amounts.
                if self.known is not None and not self.known.slots[
                        int.from_bytes(subject[:SLOT_BYTES])]:
                    return _OUTSIDER
                return bare_row(line, kind, subject.hex(), observed, months, amount)
            subject = subject.hex()
            masked = rrn_mask(digits)
        name_key = name_key_of(name)
        addr_key, hint = key_and_hint(address, detail)
        if not digits:
            subject, masked = subject_of(self.key, "", name_key, birth, addr_key), ""
        return (
            line, kind, subject, bool(digits), observed, months, amount, name, name_key,
            birth, address, detail, addr_key, self.places.dong_of(address, dong_code, hint),
            masked, cells[p_phone].strip(),
        )
