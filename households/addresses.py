"""Matching keys for Korean (영등포구, Seoul) addresses and person names.

Pure functions, stdlib only (no Django import): referrals and agency risk-signal
rows are matched to households by ``address_key`` (+ ``normalize_name``).

Key format: ``name|number|unit``

* name   - road name incl. branch road (``여의대방로43번길``) or lot/동 name
           (``당산동3가``), prefixed by any district other than 영등포구 (``마포구양화로``)
* number - building or lot number, ``43``, ``43-1``, ``산23``, ``지하2``
* unit   - ``101-1203`` (building 동 - 호), ``1203`` (호 only), ``2F``/``B1``/``RF``
           (floor, only when there is no 호), ``101동`` (동 only), or empty

Unparseable input falls back to the compacted text (``compact`` or ``compact||unit``),
which never collides with a parsed key because parsed keys always have a number.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["address_key", "address_key_and_hint", "dong_hint", "normalize_name"]

# Every dash-like character seen in hand-typed and exported addresses; '~' too ("23~4").
_DASH_RE = re.compile(
    "[\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043\ufe58\ufe63\uff0d~\u301c\u223c\uff5e]"
)
# Zero-width characters survive NFKC and would silently split otherwise equal keys.
_INVISIBLE_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
# Middle dots used in names (홍·길동); U+318D becomes U+119E under NFKC, so both are listed.
_MIDDLE_DOT_RE = re.compile("[\u00b7\u0387\u2027\u2219\u22c5\u30fb\uff65\u318d\u119e]")

_PAREN_RE = re.compile(r"[(\[【〔]([^()\[\]【】〔〕]*)[)\]】〕]")
_STRAY_PAREN_RE = re.compile(r"[()\[\]【】〔〕]")
# Parenthesised text is only kept when it carries unit information, e.g. "(101동 1203호)".
_UNIT_HINT_RE = re.compile(r"\d\s*(?:호|층)|(?<![가-힣\d])\d+\s*동|지하|옥탑|(?<![A-Z])B\s*\d")

# Leading tokens that carry no information for a 영등포구 caseload; stripped repeatedly.
_PREFIX_RE = re.compile(
    r"^(?:"
    r"\d{5}(?=\s)"  # postal code
    r"|대한민국"
    r"|서울(?:\s*특별\s*시|\s*시)?(?=\s|$|[가-힣]{1,4}구)"  # not "서울로" (a road)
    r"|영등포\s*구(?!청)"
    r"|영등포(?=\s)"
    r")\s*"
)

_ROAD_RE = re.compile(
    r"(?P<name>[가-힣]+?(?:로|길))"
    r"(?:\s*(?P<bnum>\d+)\s*(?P<bbeon>번)?\s*(?P<blet>[가나다라마바사아자차카타파하])?\s*길)?"
    r"\s*(?P<under>지하\s*)?"
    r"(?P<main>\d+)(?:\s*(?:-|의)\s*(?P<sub>\d+))?"
    # not a 동 name like 을지로3가, and not a unit number such as "여의대방로 1203호"
    r"(?!\d)(?!\s*(?:동|호|층|가(?:\s|\d|$)))"
)

_LOT_RE = re.compile(
    # 법정동 (여의도동, 당산동 3가) or 행정동 (당산1동); digits before 동 limited to one.
    r"(?P<name>[가-힣]+\d?동(?:\s*\d+\s*가)?|[가-힣]+\d+\s*가)"
    r"\s*(?P<san>산\s*)?"
    r"(?P<main>\d+)(?P<beonji>\s*번지)?"
    r"(?:\s*(?:-|의)\s*(?P<sub>\d+)(?:\s*번지)?)?"
    r"(?!\d)(?!\s*(?:동|호|층))"
)
# Old-style lot notation "23번지 4호" means lot 23-4, not unit 4호.
_BEONJI_HO_RE = re.compile(r"^\s*(\d+)\s*호")

_METRO_RE = re.compile(r"(부산|대구|인천|광주|대전|울산|세종)(?:광역시|특별자치시|시)?")
_SEOUL_TOKEN_RE = re.compile(r"서울.*|특별시|영등포구")
_DISTRICT_TOKEN_RE = re.compile(r"[가-힣]+(?:시|군|구)")

_JE_RE = re.compile(r"제\s*(?=\d)")
_BLDG_DONG_RE = re.compile(
    # "101동"; after Hangul only 2+ digits, so 행정동 like "당산1동" is not a building.
    r"(?<!\d)(?:(?<![가-힣])(?P<n>\d+)|(?P<n2>\d{2,}))\s*동"
    r"|(?<![A-Z\d])(?P<l>[A-Z])\s*동"
    r"|(?:^|(?<=\s))(?P<k>[가나다라마바사아자차카타파하])\s*동(?![가-힣])"
)
_DASH_UNIT_RE = re.compile(
    r"(?<![\d-])(?P<d>\d+|(?<![A-Z])[A-Z])\s*-\s*(?P<b>B)?0*(?P<h>\d+)(?:\s*호)?(?![\d-])"
)
# "B01호" and "지하 1호" are basement units; leading zeros are formatting only.
_HO_RE = re.compile(r"(?:(?P<b>(?<![A-Z])B|지하)\s*)?(?<!\d)0*(?P<h>\d+)\s*호")
_SEMI_BASEMENT_RE = re.compile(r"반\s*지하")
_BASEMENT_RE = re.compile(r"(?:지하|(?<![A-Z])B)\s*0*(?P<f>\d+)\s*(?:층|F(?![A-Z]))?")
_BASEMENT_BARE_RE = re.compile(r"지하\s*층?")
_FLOOR_RE = re.compile(r"(?<![\dA-Z])0*(?P<f>\d+)\s*(?:층|F(?![A-Z]))")
_ROOFTOP_RE = re.compile(r"옥탑")

_HINT_RE = re.compile(
    r"(?<![가-힣\d])([가-힣]+\d?동(?:\s*\d+\s*가)?|[가-힣]+\d+\s*가)(?![가-힣\d])"
)


def _basic(text: str | None) -> str:
    """NFKC, invisible chars out, dashes unified, Latin upper-cased; parens kept."""
    text = unicodedata.normalize("NFKC", text or "")
    text = _INVISIBLE_RE.sub("", text)
    text = _DASH_RE.sub("-", text)
    return text.upper()


def _drop_refs(match: re.Match[str]) -> str:
    content = match.group(1)
    # 참고항목 like "(당산동3가)" / "(여의도동, 한양아파트)" is optional in 도로명 addresses.
    return f" {content} " if _UNIT_HINT_RE.search(content) else " "


def _clean(text: str | None) -> str:
    text = _PAREN_RE.sub(_drop_refs, _basic(text))
    text = _STRAY_PAREN_RE.sub(" ", text)
    # Commas, dots and semicolons are only separators in Korean addresses.
    text = re.sub(r"[,.;、]", " ", text)
    return " ".join(text.split())


def _strip_prefix(text: str) -> str:
    # The whole caseload is in 서울 영등포구, so its presence or absence must not matter.
    while True:
        match = _PREFIX_RE.match(text)
        if not match or not match.end():
            return text
        text = text[match.end() :]


def _region(before: str) -> str:
    # Keep only 시/군/구 tokens so "마포구 X로 1" never equals "X로 1" (implied 영등포구).
    parts = []
    for token in before.split():
        metro = _METRO_RE.fullmatch(token)
        if metro:
            parts.append(metro.group(1))
        elif not _SEOUL_TOKEN_RE.fullmatch(token) and _DISTRICT_TOKEN_RE.fullmatch(token):
            parts.append(token)
    return "".join(parts)


def _parse(text: str) -> tuple[str, str, str, str, str] | None:
    """Return (kind, region, name, number, rest) for a cleaned, prefix-stripped address."""
    road = _ROAD_RE.search(text)
    lot = _LOT_RE.search(text)
    if road and (not lot or road.start() <= lot.start()):
        name = road["name"]
        if road["bnum"]:
            # 여의대방로 43번길 == 여의대방로43번길: the branch is part of the road name.
            name += f"{int(road['bnum'])}{road['bbeon'] or ''}{road['blet'] or ''}길"
        number = ("지하" if road["under"] else "") + str(int(road["main"]))
        sub, rest, kind, match = road["sub"], text[road.end() :], "road", road
    elif lot:
        name = re.sub(r"\s+", "", lot["name"])
        number = ("산" if lot["san"] else "") + str(int(lot["main"]))
        sub, rest, kind, match = lot["sub"], text[lot.end() :], "lot", lot
        if sub is None and lot["beonji"]:
            old_style = _BEONJI_HO_RE.match(rest)
            if old_style:
                sub, rest = old_style.group(1), rest[old_style.end() :]
    else:
        return None
    if sub is not None and int(sub):
        number += f"-{int(sub)}"
    return kind, _region(text[: match.start()]), name, number, rest


def _take(pattern: re.Pattern[str], text: str) -> tuple[re.Match[str] | None, str]:
    match = pattern.search(text)
    if not match:
        return None, text
    return match, f"{text[: match.start()]} {text[match.end() :]}"


def _unit(text: str, detail: str) -> tuple[str, str]:
    """Extract the unit from ``text`` (+ bare numbers in ``detail``); return (unit, leftover)."""
    text = _JE_RE.sub("", text)  # "제101동 제1203호" is the formal spelling of "101동 1203호"
    dong = ho = floor = ""

    match, text = _take(_BLDG_DONG_RE, text)
    if match:
        number = match["n"] or match["n2"]
        dong = str(int(number)) if number else (match["l"] or match["k"])
    else:
        # "101-1203" is the usual short form of "101동 1203호".
        match, text = _take(_DASH_UNIT_RE, text)
        if match:
            dong = str(int(match["d"])) if match["d"].isdigit() else match["d"]
            ho = ("B" if match["b"] else "") + str(int(match["h"]))

    if not ho:
        match, text = _take(_HO_RE, text)
        if match:
            ho = ("B" if match["b"] else "") + str(int(match["h"]))

    # Floors are read (and consumed from the leftover) even when a 호 wins over them.
    for pattern, fixed in (
        (_SEMI_BASEMENT_RE, "B1"),  # residents call the B1 unit 반지하
        (_BASEMENT_RE, None),
        (_BASEMENT_BARE_RE, "B1"),
        (_FLOOR_RE, None),
        (_ROOFTOP_RE, "RF"),
    ):
        match, text = _take(pattern, text)
        if match and not floor:
            if fixed:
                floor = fixed
            else:
                prefix = "B" if pattern is _BASEMENT_RE else ""
                floor = f"{prefix}{int(match['f'])}" + ("" if prefix else "F")

    if not ho and not floor:
        # A bare "1203" in the detail field is a 호; "101 1203" is 동 and 호.
        numbers = [token for token in _clean(detail).split() if token.isdigit()]
        if len(numbers) == 1:
            ho = str(int(numbers[0]))
        elif len(numbers) == 2 and not dong:
            dong, ho = str(int(numbers[0])), str(int(numbers[1]))

    if ho:
        unit = f"{dong}-{ho}" if dong else ho
    elif floor:
        unit = f"{dong}-{floor}" if dong else floor
    else:
        unit = f"{dong}동" if dong else ""
    return unit, text


def address_key(address: str, detail: str = "") -> str:
    """Stable matching key ``name|number|unit`` for a Korean address (see module doc)."""
    text = _strip_prefix(_clean(address))
    return _key(text, _parse(text), detail)


def _key(text: str, parsed, detail: str) -> str:
    """address_key of a cleaned, prefix-stripped address and its _parse."""
    if not text:
        # Without an address a bare "101호" would match unrelated households.
        return ""
    if parsed:
        _kind, region, name, number, rest = parsed
        # Building names (한양아파트, APT, 빌라) are dropped: numbers identify the dwelling.
        return f"{region}{name}|{number}|{_unit_of(rest, detail)}"
    detail_text = _clean(detail)
    unit, leftover = _unit(f"{text} {detail_text}", detail_text)
    compact = re.sub(r"\s+", "", leftover)
    if not compact:
        return ""
    return f"{compact}||{unit}" if unit else compact


def normalize_name(name: str) -> str:
    """NFKC, no whitespace or middle dots, Latin upper-cased: '홍 길동' == '홍길동'."""
    text = _MIDDLE_DOT_RE.sub("", unicodedata.normalize("NFKC", name or ""))
    text = _MIDDLE_DOT_RE.sub("", _INVISIBLE_RE.sub("", text))
    return re.sub(r"\s+", "", text).upper()


def dong_hint(address: str) -> str | None:
    """The 법정동/행정동 of a lot address, or of a road address's (참고항목); else None."""
    return _hint(address, _parse(_strip_prefix(_clean(address))))


def _hint(address: str, parsed) -> str | None:
    """dong_hint of an address, given the _parse of its cleaned, prefix-stripped text."""
    if parsed and parsed[0] == "lot":
        return parsed[2]
    for content in _PAREN_RE.findall(_basic(address)):
        for part in content.split(","):
            match = _HINT_RE.search(part.strip())
            if match:
                return re.sub(r"\s+", "", match.group(1))
    return None


def address_key_and_hint(address: str, detail: str = "") -> tuple[str, str | None]:
    """(address_key(address, detail), dong_hint(address)) for a stream of agency rows: the
    address cleaned and parsed once for both (parsing is most of their cost), and what
    recurs remembered in two parts — the address as written (its key up to the unit, the
    text after its number, its hint) and the unit (that text with the detail). A file
    repeats a building far more often than a whole address: 200,000 households of the
    demo district live at 62,000 road addresses, in units spelled 1,600 ways."""
    head, rest, hint = _address_part(address)
    if head is None:
        return _key(rest, None, detail), hint
    return (f"{head}{_unit_after(rest, detail)}" if head else ""), hint


@lru_cache(maxsize=65536)
def _address_part(address: str) -> tuple[str | None, str, str | None]:
    """(the key up to its unit: ``name|number|``, or "" for no address, or None when the
    address does not parse; what the unit is read from: the text after the number, or
    the whole text when it does not parse; the dong hint)."""
    text = _strip_prefix(_clean(address))
    parsed = _parse(text)
    hint = _hint(address, parsed)
    if not text:
        return "", "", hint
    if parsed is None:
        return None, text, hint
    _kind, region, name, number, rest = parsed
    return f"{region}{name}|{number}|", rest, hint


def _unit_of(rest: str, detail: str) -> str:
    """The unit of a parsed address, from the text after its number and the detail."""
    detail_text = _clean(detail)
    return _unit(f"{rest} {detail_text}", detail_text)[0]


_unit_after = lru_cache(maxsize=16384)(_unit_of)


# 법정동 (as written in lot addresses) → 행정동 of 영등포구. 신길동 and 대림동 span several
# 행정동, so they place nobody without a 행정동 code.
LEGAL_TO_ADMIN_DONG = {
    "여의도동": "여의동",
    "영등포동": "영등포동",
    **{f"영등포동{n}가": "영등포본동" for n in (1, 2, 3, 4)},
    **{f"영등포동{n}가": "영등포동" for n in (5, 6, 7, 8)},
    **{f"당산동{n}가": "당산1동" for n in (1, 2, 3, 4, 5)},
    "당산동6가": "당산2동",
    "당산동": "당산2동",
    **{f"양평동{n}가": "양평1동" for n in (1, 2, 3, 4)},
    **{f"양평동{n}가": "양평2동" for n in (5, 6)},
    "양화동": "양평2동",
    **{f"문래동{n}가": "문래동" for n in range(1, 7)},
    "문래동": "문래동",
    "도림동": "도림동",
}
