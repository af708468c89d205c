"""Resident registration numbers (주민등록번호): parse, hash, mask, redact.

Doorstep never keeps the number itself: only a keyed HMAC-SHA256 for
matching and a masked form such as ``900101-1******`` for display.
"""

import hashlib
import logging
import re
from functools import lru_cache

from django.conf import settings
from django.utils.translation import gettext as _
from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

# Digits as people type them: ASCII or full-width (an IME in Korean mode gives ９００１０１).
_DIGIT = "[0-9\uff10-\uff19]"
# Any dash a keyboard, a word processor or an IME produces: - ‐ ‑ ‒ – — ― − ﹣ －.
_DASH = "[-\u2010-\u2015\u2212\ufe63\uff0d]"
# 13 digits, one dash or space (or '+', a space in a query string) optional. The check
# digit is not verified: numbers issued since October 2020 have a random last digit.
RRN_RE = re.compile(
    rf"(?<![0-9\uff10-\uff19])({_DIGIT}{{6}})[\s\u3000+]*(?:{_DASH}[\s\u3000]*)?"
    rf"([1-8\uff11-\uff18])({_DIGIT}{{6}})(?![0-9\uff10-\uff19])"
)
_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


class InvalidRRN(ValueError):
    """``code`` names the problem for stored messages (rrn_length, rrn_gender_digit)."""

    def __init__(self, message: str, code: str = ""):
        super().__init__(message)
        self.code = code


def parse_rrn(value: str) -> str:
    """Return the 13 digits of an RRN, or raise InvalidRRN (message without the number)."""
    digits = re.sub(rf"[\s\u3000]|{_DASH}", "", (value or "").translate(_FULL_WIDTH_DIGITS))
    if not re.fullmatch(r"[0-9]{13}", digits):
        raise InvalidRRN(_("주민등록번호는 13자리 숫자여야 합니다 (예: 900101-1234567)."),
                         code="rrn_length")
    if digits[6] not in "12345678":
        raise InvalidRRN(_("주민등록번호 뒷자리 첫 숫자는 1~8이어야 합니다."),
                         code="rrn_gender_digit")
    return digits


_IPAD = bytes(x ^ 0x36 for x in range(256))
_OPAD = bytes(x ^ 0x5C for x in range(256))


@lru_cache(maxsize=4)
def keyed_sha256(key: bytes, *, raw: bool = False):
    """HMAC-SHA256 under ``key`` as a function of the value, hex out: the same digests as
    ``hmac.new(key, value, sha256).hexdigest()`` (with ``raw``: the 32 bytes, as
    ``.digest()``). The key's inner and outer blocks are hashed once and copied per value
    (RFC 2104, as the stdlib's hmac does without OpenSSL): a third of the time of keying
    OpenSSL's HMAC anew for every row."""
    if len(key) > 64:
        key = hashlib.sha256(key).digest()
    key = key.ljust(64, b"\0")
    inner, outer = (hashlib.sha256(key.translate(pad)).copy for pad in (_IPAD, _OPAD))

    hashed = type(hashlib.sha256())
    finish = hashed.digest if raw else hashed.hexdigest

    def digest(value: bytes) -> str | bytes:
        first = inner()
        first.update(value)
        second = outer()
        second.update(first.digest())
        return finish(second)

    return digest


def rrn_hash(digits: str) -> str:
    return keyed_sha256(settings.RRN_HASH_KEY.encode())(digits.encode())


def rrn_mask(digits: str) -> str:
    return f"{digits[:6]}-{digits[6]}******"


def rrn_protect(value: str) -> tuple[str, str]:
    """(hash, masked) for a typed number; raises InvalidRRN."""
    digits = parse_rrn(value)
    return rrn_hash(digits), rrn_mask(digits)


def rrn_redact_text(text: str) -> tuple[str, int]:
    """(text with every RRN in any spelling replaced by its masked form, how many).

    The one redaction of Doorstep: log lines, error pages, access-log paths and the
    free text people type all go through it.
    """
    if not text:
        return text, 0

    def masked(match: re.Match) -> str:
        front = (match.group(1) + match.group(2)).translate(_FULL_WIDTH_DIGITS)
        return f"{front[:6]}-{front[6]}******"

    return RRN_RE.subn(masked, text)


def redact(text: str) -> str:
    return rrn_redact_text(text)[0]


def rrn_redact_path(path: str) -> str:
    """A request path with its query string, safe to store.

    The query string may carry the number percent-encoded (``%2D``, ``%EF%BC%8D``) or
    with ``+`` for the space, so it is decoded before looking; the raw path is kept
    when there is nothing to mask.
    """
    from urllib.parse import unquote_plus

    decoded = unquote_plus(path or "")
    cleaned, count = rrn_redact_text(decoded)
    if count:
        return cleaned
    return redact(path or "")


class RedactRRNFilter(logging.Filter):
    """Logging filter: no resident registration number leaves in a log line."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_info[1] is not None:
            # Tracebacks are formatted later; render and redact them now.
            formatted = logging.Formatter().formatException(record.exc_info)
            record.exc_text = redact(formatted)
            record.exc_info = None
            record.msg = f"{record.msg}\n{record.exc_text}"
            record.exc_text = None
        return True


class RRNSafeExceptionReporterFilter(SafeExceptionReporterFilter):
    """Error pages and error mails show no RRN, in DEBUG or not."""

    def get_post_parameters(self, request):
        params = super().get_post_parameters(request)
        if not params:
            return params
        cleaned = params.copy()
        for key in cleaned:
            values = cleaned.getlist(key) if hasattr(cleaned, "getlist") else [cleaned[key]]
            redacted = [redact(v) if isinstance(v, str) else v for v in values]
            if hasattr(cleaned, "setlist"):
                cleaned.setlist(key, redacted)
            else:
                cleaned[key] = redacted[0]
        return cleaned

    def get_traceback_frame_variables(self, request, tb_frame):
        return [
            (name, self._redact_value(value))
            for name, value in super().get_traceback_frame_variables(request, tb_frame)
        ]

    def _redact_value(self, value):
        if isinstance(value, str):
            return redact(value)
        text = repr(value)
        cleaned = redact(text)
        return cleaned if cleaned != text else value


class RRNSafeExceptionReporter(ExceptionReporter):
    """The rendered error page and mail, whatever part the number hid in, are redacted."""

    def get_traceback_html(self):
        return redact(str(super().get_traceback_html()))

    def get_traceback_text(self):
        return redact(str(super().get_traceback_text()))
