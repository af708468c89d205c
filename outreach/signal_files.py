"""Agency risk-signal files: sniff, check the header, split into chunks, read a chunk.

Pure parsing, no database: services.py decides what to store. Files are streamed,
never held whole: the header check reads a sample, splitting scans the bytes once
to find row boundaries, and a chunk task reads only its own byte range.

CSV records are split on raw bytes: in CP949/EUC-KR and UTF-8 the bytes of ``"``
and ``\\n`` never occur inside a multi-byte character, so a newline outside quotes
always ends a record, whatever the encoding. Each record is then decoded on its own,
so one line with broken bytes is rejected while the rest go on.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

from charset_normalizer import from_bytes
from django.conf import settings
from django.utils.translation import gettext as _

from households.addresses import normalize_name
from households.particles import particles_fix
from households.rrn import InvalidRRN, parse_rrn, redact
from outreach.signal_kinds import kind_code

# canonical name → the header names accepted for it (Korean first).
COLUMNS = {
    "rrn": ("주민등록번호", "rrn"),
    "name": ("성명", "name"),
    "birth_date": ("생년월일", "birth_date"),
    "address": ("주소", "address"),
    "address_detail": ("상세주소", "address_detail"),
    "dong_code": ("행정동코드", "dong_code"),
    "signal_kind": ("위기정보", "signal_kind"),
    "observed_on": ("기준일", "observed_on"),
    "months_overdue": ("체납개월", "months_overdue"),
    "amount": ("금액", "amount"),
    "phone": ("연락처", "phone"),
}
KOREAN = {canonical: names[0] for canonical, names in COLUMNS.items()}
_HEADER_LOOKUP = {
    re.sub(r"\s+", "", name).lower(): canonical
    for canonical, names in COLUMNS.items()
    for name in names
}
ENCODINGS = {"auto", "cp949", "euc-kr", "utf-8", "utf-8-sig"}
SAMPLE_BYTES = 256 * 1024
XLSX_MAGIC = b"PK\x03\x04"


class FileRejected(ValueError):
    """The whole file is refused (nothing is stored); ``status`` is the HTTP answer."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


def accepted_names() -> str:
    return ", ".join(f"{names[0]}/{names[1]}" for names in COLUMNS.values())


# --- receiving: format, encoding, header ---------------------------------------------

@dataclass
class FileInfo:
    file_format: str  # csv | xlsx
    encoding: str
    delimiter: str
    columns: list[str | None]


def _normalise_encoding(name: str) -> str:
    name = codecs.lookup(name).name
    if name in ("euc_kr", "cp949", "johab", "iso2022_kr", "euc-kr"):
        return "cp949"  # CP949 is a superset of EUC-KR
    if name == "utf-8":
        return "utf-8"
    return name


def detect_encoding(sample: bytes) -> str:
    """utf-8-sig for a BOM, utf-8 when the sample decodes as such, else charset-normalizer's
    best guess among the Korean encodings (CP949 when it cannot tell)."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        # A sample may end in the middle of a character: the incremental decoder allows it.
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(sample, cp_isolation=["cp949", "euc_kr", "utf_8"]).best()
    return _normalise_encoding(best.encoding) if best else "cp949"


def map_header(cells: list[str]) -> list[str | None]:
    """Header cells → canonical names; unknown or missing required columns refuse the file."""
    mapped, unknown = [], []
    for cell in cells:
        key = re.sub(r"\s+", "", (cell or "").replace("\ufeff", "")).lower()
        if not key:
            mapped.append(None)
            continue
        canonical = _HEADER_LOOKUP.get(key)
        if canonical is None:
            unknown.append(cell.strip())
        mapped.append(canonical)
    if unknown:
        raise FileRejected(
            _("알 수 없는 열: %(unknown)s. 사용할 수 있는 열 이름: %(names)s")
            % {"unknown": ", ".join(unknown), "names": accepted_names()}
        )
    present = set(mapped)
    missing = [KOREAN[c] for c in ("signal_kind", "observed_on") if c not in present]
    if "rrn" not in present and not {"name", "birth_date", "address"} <= present:
        missing.append(_("주민등록번호 또는 성명·생년월일·주소"))
    if missing:
        raise FileRejected(
            _("필수 열이 없습니다: %(missing)s. 사용할 수 있는 열 이름: %(names)s")
            % {"missing": ", ".join(missing), "names": accepted_names()}
        )
    return mapped


def sniff(path: str, *, size: int, max_bytes: int, encoding: str = "auto") -> FileInfo:
    """Check a received file without reading it whole; raise FileRejected when unusable."""
    if size == 0:
        raise FileRejected(
            _("빈 파일입니다. 머리글과 자료가 있는 CSV 또는 XLSX 파일을 올려 주세요.")
        )
    if size > max_bytes:
        raise FileRejected(
            _("파일이 너무 큽니다 (최대 %(mb)s MB).") % {"mb": max_bytes // (1024 * 1024)},
            status=413,
        )
    with open(path, "rb") as f:
        sample = f.read(SAMPLE_BYTES)
    if sample.startswith(XLSX_MAGIC):
        return _sniff_xlsx(path)
    if b"\x00" in sample[:4096]:
        raise FileRejected(_("CSV 또는 XLSX 파일이 아닙니다."))
    if encoding and encoding != "auto":
        if encoding not in ENCODINGS:
            raise FileRejected(_("지원하지 않는 인코딩입니다: %(enc)s") % {"enc": encoding})
        encoding = _normalise_encoding(encoding) if encoding != "utf-8-sig" else encoding
        if encoding == "utf-8" and sample.startswith(codecs.BOM_UTF8):
            encoding = "utf-8-sig"
    else:
        encoding = detect_encoding(sample)
    first, newline, _rest = sample.partition(b"\n")
    if not newline and size > len(sample) or len(first) > settings.SIGNAL_MAX_LINE_BYTES:
        raise FileRejected(
            _("첫 줄(머리글)이 너무 깁니다 (최대 %(kb)s KB). 머리글 줄이 맞는지 확인해 주세요.")
            % {"kb": settings.SIGNAL_MAX_LINE_BYTES // 1024})
    first = first.rstrip(b"\r")
    try:
        header_text = first.decode(encoding)
    except UnicodeDecodeError as exc:
        raise FileRejected(
            particles_fix(_("머리글을 %(enc)s(으)로 읽을 수 없습니다. 인코딩을 지정해 주세요.")
            % {"enc": encoding})
        ) from exc
    header_text = header_text.lstrip("\ufeff")
    if not header_text.strip():
        raise FileRejected(_("첫 줄에 머리글이 없습니다. 사용할 수 있는 열 이름: %(names)s")
                           % {"names": accepted_names()})
    delimiter = "\t" if header_text.count("\t") > header_text.count(",") else ","
    try:
        cells = next(csv.reader([header_text], delimiter=delimiter))
    except csv.Error as exc:
        raise FileRejected(_("머리글 줄을 CSV로 읽을 수 없습니다.")) from exc
    return FileInfo("csv", encoding, delimiter, map_header(cells))


def _xlsx_size_check(path: str) -> None:
    """Refuse an XLSX whose parts expand past the limits, before any XML is parsed: a few
    hundred kilobytes can unzip to gigabytes (a zip bomb), and openpyxl holds the shared
    strings table in memory whole."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise FileRejected(_("XLSX 파일을 열 수 없습니다. 손상되었거나 다른 형식입니다.")) from exc
    total = sum(part.file_size for part in parts)
    strings = sum(part.file_size for part in parts if part.filename.endswith("sharedStrings.xml"))
    limit = settings.SIGNAL_XLSX_MAX_UNZIPPED_BYTES
    if total > limit or strings > limit // 4:
        raise FileRejected(
            _("XLSX 파일의 압축을 풀면 너무 큽니다 (최대 %(mb)s MB). CSV로 저장해 보내 주세요.")
            % {"mb": limit // (1024 * 1024)}, status=413)


def _sniff_xlsx(path: str) -> FileInfo:
    from openpyxl import load_workbook

    _xlsx_size_check(path)
    try:
        # A file object: openpyxl judges a path by its extension, and spooled files have none.
        workbook = load_workbook(open(path, "rb"), read_only=True, data_only=True)  # noqa: SIM115
    # A damaged part fails in zlib or the XML parser too, whose errors share no base class.
    except Exception as exc:  # noqa: BLE001
        raise FileRejected(_("XLSX 파일을 열 수 없습니다. 손상되었거나 다른 형식입니다.")) from exc
    try:
        sheet = workbook.worksheets[0]
        header = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), None)
    finally:
        workbook.close()
    if not header or not any(cell not in (None, "") for cell in header):
        raise FileRejected(_("첫 시트의 첫 줄에 머리글이 없습니다. "
                             "사용할 수 있는 열 이름: %(names)s")
                           % {"names": accepted_names()})
    return FileInfo("xlsx", "utf-8", ",", map_header(["" if c is None else str(c) for c in header]))


def xlsx_to_csv(path: str, out_path: str) -> tuple[int, str]:
    """The first sheet as UTF-8 CSV (read_only, row by row), so one reader serves both.

    Returns (line, reason) when the sheet breaks off part-way (a damaged part of the
    file): the rows before that line are kept and go on; (0, "") when all was read.
    """
    from openpyxl import load_workbook

    _xlsx_size_check(path)
    workbook = load_workbook(open(path, "rb"), read_only=True, data_only=True)  # noqa: SIM115
    line = 0
    try:
        with open(out_path, "w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, lineterminator="\n")
            try:
                for row in workbook.worksheets[0].iter_rows(values_only=True):
                    writer.writerow([_cell_text(value) for value in row])
                    line += 1
            # A damaged sheet fails in zlib or the XML parser, whose errors share no base
            # class; whatever it is, the rows already read stay.
            except Exception:  # noqa: BLE001
                return line + 1, {"code": "sheet_damaged", "line": line + 1}
    finally:
        workbook.close()
    return 0, None


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    # One cell is one CSV line: a newline inside would shift every later line number.
    return str(value).replace("\r", " ").replace("\n", " ")


# --- splitting ----------------------------------------------------------------------

@dataclass
class ChunkRange:
    number: int
    start: int
    end: int
    first_line: int


def physical_lines(f, limit: int) -> Iterator[tuple[bytes, bool]]:
    """(line, too_long) for each line of ``f``, never holding more than ``limit`` bytes:
    a longer line is read through in pieces and given back as its first piece only."""
    while True:
        raw = f.readline(limit + 1)
        if not raw:
            return
        if len(raw) <= limit or raw.endswith(b"\n"):
            yield raw, False
            continue
        size = len(raw)
        while not raw.endswith(b"\n"):
            raw = f.readline(1024 * 1024)
            if not raw:
                break
            size += len(raw)
        yield b"", size


def split(path: str, rows_per_chunk: int) -> Iterator[ChunkRange]:
    """Byte ranges of ``rows_per_chunk`` records each, after the header line."""
    limit = settings.SIGNAL_MAX_LINE_BYTES
    with open(path, "rb") as f:
        header = f.readline(limit + 1)
        offset, line_no = len(header), 1
        while header and not header.endswith(b"\n"):  # an over-long header, read through
            header = f.readline(1024 * 1024)
            offset += len(header)
        # A header with an open quote is nonsense; the chunk reader reports the rows.
        number, chunk_start, chunk_line, rows = 0, offset, 2, 0
        in_quotes = False
        for raw, too_long in physical_lines(f, limit):
            line_no += 1
            if too_long:
                # Rejected whole by the chunk reader, and it ends any open quote.
                if rows == 0:
                    chunk_start, chunk_line = offset, line_no
                offset += too_long
                in_quotes = False
                rows += 1
                if rows >= rows_per_chunk:
                    yield ChunkRange(number, chunk_start, offset, chunk_line)
                    number, rows = number + 1, 0
                continue
            if not in_quotes:
                record_line = line_no
                if rows == 0:
                    chunk_start, chunk_line = offset, record_line
            offset += len(raw)
            if raw.count(b'"') % 2:
                in_quotes = not in_quotes
            if in_quotes:
                continue
            if not raw.strip():
                continue  # blank lines are not rows
            rows += 1
            if rows >= rows_per_chunk:
                yield ChunkRange(number, chunk_start, offset, chunk_line)
                number, rows = number + 1, 0
        if rows:
            yield ChunkRange(number, chunk_start, offset, chunk_line)


# --- reading a chunk ----------------------------------------------------------------

@dataclass
class RawRow:
    line: int
    cells: list[str] | None  # None: bytes that do not decode
    # Why the line could not be read, as a stored message ({"code": …, values…}).
    text_error: dict | None = None


def _too_long(line: int) -> RawRow:
    return RawRow(line, None, {"code": "line_too_long",
                               "kb": settings.SIGNAL_MAX_LINE_BYTES // 1024})


def read_chunk(path: str, *, start: int, end: int, first_line: int, encoding: str,
               delimiter: str) -> Iterator[RawRow]:
    """The records in bytes [start, end), read line by line: a line over
    SIGNAL_MAX_LINE_BYTES, or a quoted record that grows past it, becomes one rejected
    row and is never held in memory whole."""
    limit = settings.SIGNAL_MAX_LINE_BYTES
    line_no = first_line
    record: list[bytes] = []
    record_size = 0
    record_line = line_no
    quotes = 0
    with open(path, "rb") as f:
        f.seek(start)
        position = start
        for raw, too_long in physical_lines(f, limit):
            if position >= end:
                break
            position += too_long or len(raw)
            if too_long:
                if record:
                    yield _too_long(record_line)
                    record, record_size, quotes = [], 0, 0
                yield _too_long(line_no)
                line_no += 1
                continue
            if not record:
                record_line = line_no
            record.append(raw)
            record_size += len(raw)
            quotes += raw.count(b'"')
            line_no += 1
            if quotes % 2 and record_size <= limit:
                continue
            blob = b"".join(record)
            record, record_size, quotes = [], 0, 0
            if len(blob) > limit:
                yield _too_long(record_line)
                continue
            if not blob.strip():
                continue
            yield _decode_record(blob, record_line, encoding, delimiter)
    if record:
        yield _decode_record(b"".join(record), record_line, encoding, delimiter)


def chunk_codec(encoding: str) -> str:
    """The codec a chunk's bytes decode with: a byte-order mark (utf-8-sig) begins the
    file, before its header, never a chunk."""
    return "utf-8" if encoding == "utf-8-sig" else encoding


def _decode_record(blob: bytes, line: int, encoding: str, delimiter: str) -> RawRow:
    try:
        text = blob.decode(chunk_codec(encoding))
    except UnicodeDecodeError:
        return RawRow(line, None, {"code": "undecodable", "enc": encoding})
    try:
        cells = next(csv.reader(io.StringIO(text), delimiter=delimiter), [])
    except csv.Error:
        return RawRow(line, None, {"code": "csv_unreadable"})
    limit = settings.SIGNAL_MAX_CELL_CHARS
    if any(len(cell) > limit for cell in cells):
        return RawRow(line, None, {"code": "cell_too_long", "n": limit})
    return RawRow(line, cells)


# --- validating a row ---------------------------------------------------------------

def _shown(text: str, length: int = 20) -> str:
    """A cell's value as a rejection reason may quote it: a resident registration number
    typed into the wrong column is masked first, then the value is cut short."""
    return redact(text)[:length]


@dataclass
class SignalRow:
    line: int
    kind: str
    observed_on: date
    rrn_digits: str = ""
    name: str = ""
    name_key: str = ""
    birth_date: date | None = None
    address: str = ""
    address_detail: str = ""
    dong_code: str = ""
    months_overdue: int | None = None
    amount: int | None = None
    phone: str = ""


@dataclass
class RowErrors:
    line: int
    # (canonical column, reason as a stored message {"code": …, values…})
    errors: list[tuple[str, dict]] = field(default_factory=list)

    def add(self, column: str, code: str, **values):
        self.errors.append((column, {"code": code, **values}))


_DATE_RE = re.compile(r"^(\d{4})([-./])(\d{1,2})\2(\d{1,2})\.?$")
_DIGITS8_RE = re.compile(r"\d{8}")
_DIGITS_RE = re.compile(r"\d+")
_DONG_CODE_RE = re.compile(r"\d{10}")
_ASCII_DIGITS = frozenset("0123456789")


def _ascii_digits(text: str) -> bool:
    # str.isdigit() also accepts other scripts' digits; the regexes above do not (ASCII \d
    # would, but only with re.ASCII): keep \d's meaning by falling back to it.
    return text.isascii() and text.isdigit()


def parse_date(text: str) -> date | None:
    """YYYYMMDD, YYYY-MM-DD or YYYY.MM.DD (YYYY/MM/DD too); None when it is not a date."""
    text = text.strip().replace(" ", "")
    # Fast paths by slicing for the common shapes; everything else takes the regexes.
    n = len(text)
    if n == 8 and _ascii_digits(text):
        parts = (text[:4], text[4:6], text[6:])
    elif (n == 10 and text[4] == text[7] and text[4] in "-./"
          and _ascii_digits(text[:4]) and _ascii_digits(text[5:7])
          and _ascii_digits(text[8:])):
        parts = (text[:4], text[5:7], text[8:])
    elif _DIGITS8_RE.fullmatch(text):
        parts = (text[:4], text[4:6], text[6:])
    else:
        match = _DATE_RE.match(text)
        if not match:
            return None
        parts = (match[1], match[3], match[4])
    try:
        return date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        return None


def _non_negative_int(text: str) -> int | None:
    text = text.strip().replace(",", "").replace("원", "")
    if not (_ascii_digits(text) or _DIGITS_RE.fullmatch(text)):
        raise ValueError(text)
    return int(text)


@lru_cache(maxsize=4096)
def kind_of(text: str) -> str | None:
    return kind_code(text)


@lru_cache(maxsize=65536)
def name_key_of(name: str) -> str:
    return normalize_name(name)


def validate(raw: RawRow, columns: list[str | None], today: date) -> SignalRow | RowErrors:
    """One row → a SignalRow, or the reasons it is rejected (every bad column at once)."""
    if raw.cells is None:
        problems = RowErrors(raw.line)
        problems.errors.append(("", raw.text_error))
        return problems
    values: dict[str, str] = {}
    for position, canonical in enumerate(columns):
        if canonical and position < len(raw.cells):
            values[canonical] = (raw.cells[position] or "").strip()
    problems = RowErrors(raw.line)
    get = values.get

    kind = None
    kind_text = get("signal_kind", "")
    if not kind_text:
        problems.add("signal_kind", "kind_empty")
    else:
        kind = kind_of(kind_text)
        if kind is None:
            problems.add("signal_kind", "kind_unknown", v=_shown(kind_text, 40))

    observed = None
    observed_text = get("observed_on", "")
    if not observed_text:
        problems.add("observed_on", "observed_empty")
    else:
        observed = parse_date(observed_text)
        if observed is None:
            problems.add("observed_on", "observed_format", v=_shown(observed_text))
        elif observed > today:
            problems.add("observed_on", "observed_future", v=_shown(observed_text))

    digits = ""
    rrn_text = get("rrn", "")
    if rrn_text:
        try:
            digits = parse_rrn(rrn_text)
        except InvalidRRN as exc:
            # The number itself is never echoed back.
            problems.add("rrn", exc.code or "rrn_length")

    birth = None
    birth_text = get("birth_date", "")
    if birth_text:
        birth = parse_date(birth_text)
        if birth is None or birth > today:
            problems.add("birth_date", "birth_format", v=_shown(birth_text))
            birth = None

    name, address = get("name", ""), get("address", "")
    if not rrn_text and not (name and birth_text and address):
        problems.add("rrn", "identity_missing")

    months = amount = None
    for column in ("months_overdue", "amount"):
        text = get(column, "")
        if text:
            try:
                number = _non_negative_int(text)
            except ValueError:
                problems.add(column, "not_a_number", v=_shown(text))
                continue
            if column == "months_overdue":
                if number > 600:
                    problems.add(column, "months_too_big", v=_shown(text))
                    continue
                months = number
            else:
                amount = number

    dong_code = get("dong_code", "").replace("-", "")
    if dong_code and not _DONG_CODE_RE.fullmatch(dong_code):
        problems.add("dong_code", "dong_code_format", v=_shown(dong_code))

    if problems.errors:
        return problems
    detail = get("address_detail", "")
    return SignalRow(
        line=raw.line, kind=kind, observed_on=observed, rrn_digits=digits, name=name,
        name_key=name_key_of(name), birth_date=birth, address=address, address_detail=detail,
        dong_code=dong_code,
        months_overdue=months, amount=amount, phone=get("phone", ""),
    )
