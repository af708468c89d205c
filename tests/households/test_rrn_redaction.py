"""One redaction for every spelling of a resident registration number (주민등록번호)."""

import io
import logging

import pytest

from households.models import AccessLog
from households.rrn import RedactRRNFilter, redact, rrn_redact_path, rrn_redact_text

MASKED = "900101-1******"


@pytest.mark.parametrize("spelling", [
    "900101-1234567",
    "900101 1234567",
    "9001011234567",
    "900101 - 1234567",
    "900101‐1234567",   # U+2010 hyphen
    "900101–1234567",   # en dash
    "900101—1234567",   # em dash
    "900101－1234567",  # full-width hyphen-minus
    "900101−1234567",   # minus sign
    "９００１０１－１２３４５６７",
    "９００１０１１２３４５６７",
    "900101\u30001234567",  # ideographic space
])
def test_every_spelling_is_masked(spelling):
    text, count = rrn_redact_text(f"주민번호 {spelling} 입니다")
    assert (text, count) == (f"주민번호 {MASKED} 입니다", 1)


@pytest.mark.parametrize("not_a_number", [
    "010-1234-5678",
    "01012345678",
    "02-123-4567",
    "123456789012",         # 12 digits
    "12345678901234",       # 14 digits
    "900101-9234567",       # no such sex digit
    "계좌 110-123-456789",
    "2024-01-01",
])
def test_other_numbers_are_left_alone(not_a_number):
    assert rrn_redact_text(f"메모 {not_a_number}") == (f"메모 {not_a_number}", 0)


def test_counts_each_number_and_leaves_the_rest():
    typed = "부 900101-1234567, 모 ９２０２０２２３４５６７８ / 010-1234-5678"
    text, count = rrn_redact_text(typed)
    assert count == 2
    assert text == "부 900101-1******, 모 920202-2****** / 010-1234-5678"


def test_redacting_twice_changes_nothing():
    once, _ = rrn_redact_text("900101-1234567")
    assert rrn_redact_text(once) == (once, 0)


def test_redact_is_the_same_function():
    assert redact("9001011234567") == MASKED


@pytest.mark.parametrize("path", [
    "/households/?q=900101+1234567",
    "/households/?q=900101-1234567",
    "/households/?q=900101%2D1234567",
    "/households/?q=%EF%BC%99%EF%BC%90%EF%BC%90%EF%BC%91%EF%BC%90%EF%BC%911234567",
])
def test_query_strings_are_decoded_before_looking(path):
    assert "1234567" not in rrn_redact_path(path)


def test_a_path_without_a_number_is_kept_as_it_came():
    assert rrn_redact_path("/households/?q=%EC%97%AC%EC%9D%98") == (
        "/households/?q=%EC%97%AC%EC%9D%98")


def _console_output(run):
    handler = next(h for h in logging.getLogger().handlers
                   if any(isinstance(f, RedactRRNFilter) for f in h.filters))
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        run()
    finally:
        handler.setStream(previous)
    return buffer.getvalue()


def test_searching_by_number_leaves_it_nowhere(client_as, staff1):
    client = client_as(staff1)

    def search():
        assert client.get("/households/?q=900101+1234567").status_code == 200
        # runserver (make run) logs every request line, query string included.
        logging.getLogger("django.server").info('"GET /households/?q=900101+1234567 HTTP/1.1"'
                                                " 200 1234")

    written = _console_output(search)
    assert "900101" in written and "1234567" not in written
    paths = list(AccessLog.objects.values_list("path", flat=True))
    assert paths and all("1234567" not in p for p in paths)
    assert any(MASKED in p for p in paths)


def test_a_search_is_written_to_the_access_log(client_as, staff1):
    client_as(staff1).get("/households/", {"q": "여의"})
    row = AccessLog.objects.get()
    assert (row.username, row.object_type) == ("staff1", "household_search")
