"""A careless or hostile agency file loses nothing that was valid: an oversized cell or
line, a damaged XLSX sheet, too many rows or a zip bomb become rejected lines (or a clear
refusal), the rest is imported and scored, and the batch always ends."""

import json
import os
import re
import stat
import zipfile
from unittest import mock

import pytest

from households.models import Organization
from outreach import signal_stream
from outreach.models import RiskAssessment, RiskSignal, SignalBatch, SignalRejection
from outreach.services.signal_batches import signal_batch_receive
from outreach.signal_files import FileRejected
from tests.fixtures.signals import days_ago, story_rows, write_story

pytestmark = pytest.mark.django_db(transaction=True)

RRN_SPELLINGS = ["900101-1234567", "9001011234567", "900101 1234567"]
THIRTEEN_DIGITS = re.compile(r"\d{6}\D{0,3}\d{7}")


def _good_row(dongs, n=0):
    return ["", f"이{n}수", "19700101", f"서울 영등포구 여의나루로 {900 + n}", "",
            dongs["여의동"].code, "단전", days_ago(5).isoformat(), "", "", ""]


def _batch(summary):
    return SignalBatch.objects.get(pk=summary["batch_id"])


def test_an_rrn_in_the_wrong_column_is_never_echoed_in_a_rejection(
        tmp_path, dongs, people, import_signals, client_as, admin_user):
    d = days_ago(3).isoformat()
    rows = []
    for rrn in RRN_SPELLINGS:
        rows += [
            ["", "홍길동", rrn, "영등포로 1", "", "", "단전", d, "", "", ""],  # birth date
            ["450101-2345678", "김영희", "", "", "", "", "단전", rrn, "", "", ""],  # date
            ["450101-2345678", "김영희", "", "", "", "", rrn, d, "", "", ""],  # kind
            ["450101-2345678", "김영희", "", "", "", "", "단전", d, rrn, "", ""],  # months
        ]
    summary = import_signals(write_story(tmp_path / "rrn.csv", rows, "cp949"))
    assert summary["rejected"] == len(rows)
    stored = [f"{r.reason} {r.text} {json.dumps(r.message)}"
              for r in SignalRejection.objects.all()]
    assert all(r.message for r in SignalRejection.objects.all())
    reasons = " ".join(stored)
    assert not THIRTEEN_DIGITS.search(reasons), reasons
    client = client_as(admin_user)
    page = client.get(f"/signals/{summary['batch_id']}/").content.decode()
    report = client.get(f"/signals/{summary['batch_id']}/errors.csv").content.decode("utf-8")
    for text in (page, report):
        assert not any(rrn in text for rrn in RRN_SPELLINGS)


@pytest.mark.parametrize("fmt", ["cp949", "xlsx"])
def test_a_300000_character_cell_rejects_its_line_and_the_rest_is_imported(
        tmp_path, dongs, people, import_signals, fmt):
    rows = story_rows(dongs)
    huge = _good_row(dongs, 1)
    huge[3] = "가" * 300_000
    rows.insert(2, huge)  # line 4
    summary = import_signals(write_story(tmp_path / f"huge.{fmt}", rows, fmt))
    batch = _batch(summary)
    assert batch.status == "done"
    assert summary["accepted"] == 6  # the story's six good signals, all kept
    assert summary["households_scored"] == 3
    assert SignalRejection.objects.filter(batch=batch, line=4).exists()


def test_a_line_over_the_limit_is_rejected_without_reading_it_whole(
        tmp_path, dongs, people, import_signals, settings):
    settings.SIGNAL_MAX_LINE_BYTES = 4096
    rows = [_good_row(dongs, 1), _good_row(dongs, 2), _good_row(dongs, 3)]
    path = write_story(tmp_path / "long.csv", rows, "utf-8")
    lines = path.read_bytes().split(b"\n")
    lines.insert(2, b"x" * 100_000)  # line 3, no quotes, no commas
    lines.insert(4, b'"' + b"y" * 50_000)  # line 5: an open quote that never closes soon
    path.write_bytes(b"\n".join(lines))
    summary = import_signals(path)
    batch = _batch(summary)
    assert batch.status == "done"
    rejected = {r.line: r.text for r in SignalRejection.objects.filter(batch=batch)}
    assert "줄이 너무 깁니다" in rejected[3]
    assert RiskSignal.objects.filter(batch=batch).count() >= 2


def test_an_oversized_header_line_is_refused_with_a_message(tmp_path, people, settings):
    settings.SIGNAL_MAX_LINE_BYTES = 4096
    path = tmp_path / "header.csv"
    path.write_bytes(("주민등록번호," + "가" * 200_000 + "\n").encode("utf-8"))
    with open(path, "rb") as f, pytest.raises(FileRejected) as refused:
        signal_batch_receive(source=Organization.objects.get(code="ssis"), fileobj=f,
                             filename="header.csv", channel="upload")
    assert "머리글" in refused.value.message
    assert not SignalBatch.objects.exists()


def test_an_xlsx_that_unzips_past_the_limit_is_refused_before_parsing(
        tmp_path, dongs, people, settings):
    settings.SIGNAL_XLSX_MAX_UNZIPPED_BYTES = 20_000
    rows = [_good_row(dongs, n) for n in range(300)]
    path = write_story(tmp_path / "bomb.xlsx", rows, "xlsx")
    with open(path, "rb") as f, pytest.raises(FileRejected) as refused:
        signal_batch_receive(source=Organization.objects.get(code="ssis"), fileobj=f,
                             filename="bomb.xlsx", channel="upload")
    assert refused.value.status == 413
    assert "압축" in refused.value.message


def test_a_damaged_xlsx_sheet_keeps_the_rows_before_the_damage(
        tmp_path, dongs, people, import_signals):
    rows = [_good_row(dongs, n) for n in range(40)]
    good = write_story(tmp_path / "good.xlsx", rows, "xlsx")
    damaged = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.endswith("sheet1.xml"):
                if b"<dimension" not in data:  # so openpyxl opens it without reading it all
                    data = data.replace(b"<sheetData", b'<dimension ref="A1:K41"/><sheetData', 1)
                cut = data.index(b"<row r=\"30\"")
                data = data[:cut] + b"<row r=\"30\"><c r=\"A30\" t=\"inlineStr\"><is><t>"
            target.writestr(item, data)
    summary = import_signals(damaged)
    batch = _batch(summary)
    assert batch.status == "done"
    assert summary["accepted"] == 28  # lines 2-29 of the sheet
    broken = SignalRejection.objects.get(batch=batch)
    assert broken.line == 30 and "손상" in broken.text


def test_rows_past_the_row_limit_are_not_read_and_their_first_line_says_why(
        tmp_path, dongs, people, import_signals, settings):
    settings.SIGNAL_MAX_ROWS, settings.SIGNAL_CHUNK_ROWS = 3, 2
    rows = [_good_row(dongs, n) for n in range(7)]
    summary = import_signals(write_story(tmp_path / "many.csv", rows, "utf-8"))
    batch = _batch(summary)
    assert batch.status == "done"
    assert summary["rows"] == 4  # two chunks of two
    note = SignalRejection.objects.get(batch=batch)
    assert note.line == 6 and "3행" in note.text


def test_the_last_chunks_are_read_in_halves_and_every_row_once(
        tmp_path, dongs, people, import_signals, settings, monkeypatch):
    """The workers finish together (signal_stream.tail_halved): the last two chunks of
    four rows become four of two, each row stored once at its own line."""
    monkeypatch.setattr(signal_stream, "TAIL_HALF_ROWS", 2)
    settings.SIGNAL_CHUNK_ROWS = 4
    rows = [_good_row(dongs, n) for n in range(12)]
    summary = import_signals(write_story(tmp_path / "tail.csv", rows, "utf-8"))
    batch = _batch(summary)
    assert batch.status == "done" and batch.chunks_total == 5
    assert list(batch.chunks.filter(phase="parse").order_by("number")
                .values_list("first_line", flat=True)) == [2, 6, 8, 10, 12]
    assert summary["accepted"] == 12
    assert sorted(RiskSignal.objects.filter(batch=batch).values_list("line", flat=True)) == list(
        range(2, 14))


def test_a_failed_batch_can_be_resent_and_becomes_a_new_batch(
        story_file, import_signals):
    path = story_file("cp949")
    first = import_signals(path)
    SignalBatch.objects.filter(pk=first["batch_id"]).update(status="failed")
    again = import_signals(path)
    assert again["batch_id"] != first["batch_id"]
    assert _batch(again).status == "done"
    same_again = import_signals(path)
    assert same_again["batch_id"] == again["batch_id"]


def test_the_same_bytes_from_another_source_are_that_sources_own_batch(
        story_file, import_signals):
    path = story_file("cp949")
    from_ssis = import_signals(path, "ssis")
    from_kepco = import_signals(path, "kepco")
    assert from_kepco["batch_id"] != from_ssis["batch_id"]
    batch = _batch(from_kepco)
    assert batch.source.code == "kepco" and batch.status == "done"
    assert RiskAssessment.objects.filter(batch=batch).exists()


def test_an_xlsx_damaged_where_it_cannot_be_opened_is_refused_with_a_message(
        tmp_path, dongs, people):
    good = write_story(tmp_path / "good.xlsx", [_good_row(dongs, n) for n in range(5)], "xlsx")
    damaged = tmp_path / "unreadable.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.endswith("sheet1.xml"):
                data = data[: len(data) // 3]
            target.writestr(item, data)
    with open(damaged, "rb") as f, pytest.raises(FileRejected) as refused:
        signal_batch_receive(source=Organization.objects.get(code="ssis"), fileobj=f,
                             filename="unreadable.xlsx", channel="upload")
    assert refused.value.status == 400 and "손상" in refused.value.message


def test_a_received_file_is_moved_into_storage_not_written_twice(tmp_path, dongs, people,
                                                                settings):
    """The spooled upload becomes the stored file (the same inode: a 700 MB round is not
    copied a second time), readable as uploads are, and nothing is left in the spool."""
    from outreach.services import signal_batches

    path = write_story(tmp_path / "story.csv", story_rows(dongs), "cp949")
    spooled = {}
    spool = signal_batches._spool

    def spool_noting_the_inode(fileobj, max_bytes):
        result = spool(fileobj, max_bytes)
        spooled["path"], spooled["inode"] = result[0], os.stat(result[0]).st_ino
        return result

    with mock.patch.object(signal_batches, "_spool", spool_noting_the_inode), \
            open(path, "rb") as f:
        batch, created = signal_batch_receive(source=Organization.objects.get(code="ssis"),
                                              fileobj=f, filename="story.csv",
                                              channel="upload")
    assert created
    stored = os.stat(batch.file.path)
    assert stored.st_ino == spooled["inode"]
    assert stat.S_IMODE(stored.st_mode) == settings.FILE_UPLOAD_PERMISSIONS
    assert open(batch.file.path, "rb").read() == open(path, "rb").read()
    assert not os.path.exists(spooled["path"])
