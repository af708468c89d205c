"""Tables out to CSV and Excel, for every app: safe cells, a reason, one access-log row.

CSV is UTF-8 with a BOM so Excel on a Korean Windows PC opens 한글 correctly.
A text cell that begins with =, +, -, @, tab or carriage return would run as a
formula in a spreadsheet (CSV/formula injection), so it gets a leading single quote.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from urllib.parse import quote

from django import forms
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from households.models import AccessLog
from households.services import access_log_write

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value):
    """A cell as it may safely be written: text that could start a formula is quoted."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return gettext("예") if value else gettext("아니오")
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return neutralise(str(value))


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([_cell(h) for h in header])
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence]) -> HttpResponse:
    """A CSV download (UTF-8 with BOM, so Excel opens Korean) through the one writer with
    the formula guard. Logging the download is the caller's: it knows what was shown."""
    response = HttpResponse(csv_bytes(header, rows), content_type=CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_bytes(header: Sequence[str], rows: Iterable[Sequence], sheet_title: str = "") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    # Sheet names: at most 31 characters, none of []:*?/\
    title = "".join(ch for ch in (sheet_title or "표") if ch not in "[]:*?/\\")[:31]
    sheet.title = title or "표"
    sheet.append([_cell(h) for h in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        values = [_cell(v) for v in row]
        sheet.append(values)
        # openpyxl reads any string starting with "=" as a formula; ours never are.
        for cell, value in zip(sheet[sheet.max_row], values, strict=True):
            if isinstance(value, str):
                cell.data_type = "s"
    for column in sheet.columns:
        width = max(len(str(c.value or "")) for c in column)
        sheet.column_dimensions[column[0].column_letter].width = min(max(8, width * 1.8), 50)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


FORMATS = (("xlsx", _("Excel (XLSX)")), ("csv", _("CSV (UTF-8)")))


class ExportForm(forms.Form):
    """Exporting personal or official figures needs a stated purpose (접속기록 사유)."""

    format = forms.ChoiceField(label=_("파일 형식"), choices=FORMATS, initial="xlsx")
    reason = forms.CharField(
        label=_("내보내는 사유"), max_length=300, min_length=2,
        error_messages={"required": _("내보내는 사유를 적어 주세요."),
                        "min_length": _("사유를 두 글자 이상 적어 주세요.")},
        help_text=_("예: 3월 구 복지정책회의 보고 자료"),
    )

    def clean_reason(self):
        reason = " ".join(self.cleaned_data["reason"].split())
        if len(reason) < 2:
            raise forms.ValidationError(_("내보내는 사유를 적어 주세요."))
        return reason


def export_response(
    *,
    request,
    fmt: str,
    filename: str,
    header: Sequence[str],
    rows: Iterable[Sequence],
    reason: str,
    object_type: str,
    object_id: str = "",
    sheet_title: str = "",
) -> HttpResponse:
    """The file as a download, with one access-log row (action export, the reason)."""
    if fmt == "csv":
        body, content_type, extension = csv_bytes(header, rows), CSV_TYPE, "csv"
    else:
        body, content_type, extension = xlsx_bytes(header, rows, sheet_title), XLSX_TYPE, "xlsx"
    access_log_write(request=request, action=AccessLog.Action.EXPORT, object_type=object_type,
                     object_id=object_id, reason=reason)
    response = HttpResponse(body, content_type=content_type)
    stamp = timezone.localdate().strftime("%Y%m%d")
    ascii_name = f"doorstep-{object_id or object_type}-{stamp}.{extension}"
    utf8_name = quote(f"{filename}-{stamp}.{extension}")
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{utf8_name}"
    )
    return response
