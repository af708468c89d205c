"""The plain resident registration number never reaches the database, a log line or
an error page."""

import hashlib
import hmac
import logging

import pytest
from django.db import connection
from django.test import override_settings
from hypothesis import given, settings
from hypothesis import strategies as st

from households.rrn import InvalidRRN, keyed_sha256, parse_rrn, redact, rrn_protect
from households.services import person_create

PLAIN = "850315-2234567"
DIGITS = "8503152234567"


@pytest.mark.parametrize("typed", ["850315-2234567", "8503152234567", " 850315 - 2234567 "])
def test_accepted_with_or_without_hyphen(typed):
    assert parse_rrn(typed) == DIGITS


def test_no_check_digit_rejection_for_post_2020_numbers():
    # A number whose last digit fails the old checksum is still a valid number.
    assert parse_rrn("2101014123450") == "2101014123450"


@pytest.mark.parametrize("typed", ["850315-223456", "85031522345678", "850315-9234567",
                                   "abcdef-1234567", ""])
def test_wrong_forms_are_rejected_without_echoing_the_number(typed):
    with pytest.raises(InvalidRRN) as error:
        parse_rrn(typed)
    assert typed.strip() == "" or typed not in str(error.value)


def test_masked_and_hashed():
    digest, masked = rrn_protect(PLAIN)
    assert masked == "850315-2******"
    assert len(digest) == 64 and DIGITS not in digest


@override_settings(RRN_HASH_KEY="another-installation")
def test_the_hash_is_keyed():
    other, _ = rrn_protect(PLAIN)
    with override_settings(RRN_HASH_KEY="embedded-only-rrn-key"):
        mine, _ = rrn_protect(PLAIN)
    assert other != mine


def test_never_stored_in_plain(dongs):
    from households.models import Household

    household = Household.objects.filter(dong=dongs["여의동"]).first()
    person = person_create(household=household, name="가나다", rrn=PLAIN)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM households_person WHERE id = %s", [person.pk])
        row = " ".join(str(v) for v in cursor.fetchone())
    assert DIGITS not in row and "2234567" not in row
    assert "850315-2******" in row


def test_log_lines_are_redacted():
    """The handler settings.LOGGING configures carries the filter: write through it."""
    import io

    from households.rrn import RedactRRNFilter

    handler = next(h for h in logging.getLogger().handlers
                   if any(isinstance(f, RedactRRNFilter) for f in h.filters))
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        logging.getLogger("doorstep.test").warning("matching %s failed", PLAIN)
        try:
            raise ValueError(f"bad row {DIGITS}")
        except ValueError:
            logging.getLogger("doorstep.test").exception("import crashed")
    finally:
        handler.setStream(previous)
    written = buffer.getvalue()
    assert "matching" in written and "import crashed" in written and "ValueError" in written
    assert DIGITS not in written and "2234567" not in written


def test_redact_finds_both_forms():
    assert DIGITS not in redact(f"a {DIGITS} b") and "2234567" not in redact(f"{PLAIN}")


@pytest.mark.urls("tests.households.urls_boom")
@override_settings(DEBUG=True)
def test_debug_error_page_shows_no_number(client, db):
    client.raise_request_exception = False
    response = client.post("/boom/", {"rrn": PLAIN, "note": f"주민번호 {DIGITS}"})
    assert response.status_code == 500
    body = response.content.decode()
    assert "RuntimeError" in body
    assert DIGITS not in body and "2234567" not in body


@settings(max_examples=300, deadline=None)
@given(key=st.binary(max_size=64) | st.binary(min_size=65, max_size=200),
       values=st.lists(st.binary(max_size=300), max_size=5))
def test_the_keyed_hash_is_hmac_sha256(key, values):
    """Keys shorter and longer than SHA-256's block (longer ones are hashed first), any
    value; the digest function is reused across values."""
    digest, raw = keyed_sha256(key), keyed_sha256(key, raw=True)
    for value in values:
        assert digest(value) == hmac.new(key, value, hashlib.sha256).hexdigest()
        assert raw(value) == hmac.new(key, value, hashlib.sha256).digest()
