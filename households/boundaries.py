"""Boundary files of a district's dongs: a GeoJSON FeatureCollection read and checked,
each feature matched to a 행정동 by its 10-digit code or by name (신길제1동 = 신길1동)."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

# Where the dong's name or 10-digit code sits in a feature's properties, most usual first
# (southkorea/seoul-maps: name; vuski/admdongkor: adm_nm "서울특별시 영등포구 신길1동", adm_cd2).
NAME_KEYS = ("name", "adm_nm", "행정동명", "dong", "name_kor")
CODE_KEYS = ("adm_cd2", "code", "행정동코드", "adm_cd")
MAX_ERRORS_LISTED = 10
COORD_DIGITS = 6  # about 10 cm: plenty for a dashboard map


class BoundaryFileError(ValueError):
    """The file cannot be loaded; ``problems`` lists what to fix, one line each."""

    def __init__(self, message: str, problems: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.problems = problems or []

    def __str__(self):
        lines = [self.message, *(f"  - {p}" for p in self.problems)]
        return "\n".join(lines)


@dataclass(frozen=True)
class Feature:
    label: str  # the name as the file writes it
    code: str  # a 10-digit 행정동 code when the file has one, else ""
    geometry: dict  # {"type": "Polygon" | "MultiPolygon", "coordinates": …}, cleaned


@dataclass
class BoundaryMatch:
    matched: dict = field(default_factory=dict)  # {dong: geometry}
    unmatched: list = field(default_factory=list)  # labels of features no dong answers to
    missing: list = field(default_factory=list)  # dongs of the district with no feature


def dong_name_key(name: str) -> str:
    """신길제1동, 신길1동 and '서울특별시 영등포구 신길1동' all give 신길1동."""
    name = (name or "").strip()
    if " " in name:
        name = name.split()[-1]
    return re.sub(r"제(?=\d)", "", name)


def _position(value, where: str) -> list[float]:
    if (not isinstance(value, list) or len(value) < 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value[:2])):
        raise BoundaryFileError(_("%(where)s: 좌표는 [경도, 위도] 숫자 쌍이어야 합니다.")
                                % {"where": where})
    lon, lat = float(value[0]), float(value[1])
    if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180
            and -90 <= lat <= 90):
        raise BoundaryFileError(_("%(where)s: 경도·위도(WGS84) 범위를 벗어난 좌표 %(value)s")
                                % {"where": where, "value": value[:2]})
    return [round(lon, COORD_DIGITS), round(lat, COORD_DIGITS)]


def _polygon(rings, where: str) -> list:
    if not isinstance(rings, list) or not rings:
        raise BoundaryFileError(_("%(where)s: 다각형에 고리(ring)가 없습니다.") % {"where": where})
    cleaned = []
    for ring in rings:
        if not isinstance(ring, list) or len(ring) < 4:
            raise BoundaryFileError(_("%(where)s: 고리마다 점이 4개 이상이어야 합니다.")
                                    % {"where": where})
        cleaned.append([_position(p, where) for p in ring])
    return cleaned


def geometry_clean(geometry, where: str) -> dict:
    """A Polygon or MultiPolygon with only [lon, lat] numbers, or BoundaryFileError."""
    if not isinstance(geometry, dict):
        raise BoundaryFileError(_("%(where)s: geometry가 없습니다.") % {"where": where})
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    if kind == "Polygon":
        return {"type": kind, "coordinates": _polygon(coordinates, where)}
    if kind == "MultiPolygon":
        if not isinstance(coordinates, list) or not coordinates:
            raise BoundaryFileError(_("%(where)s: 다각형이 없습니다.") % {"where": where})
        return {"type": kind, "coordinates": [_polygon(p, where) for p in coordinates]}
    raise BoundaryFileError(
        _("%(where)s: 도형 종류 '%(kind)s'은(는) 쓸 수 없습니다 (Polygon 또는 MultiPolygon).")
        % {"where": where, "kind": kind}
    )


def features_read(raw: bytes | str) -> list[Feature]:
    """Every feature of a GeoJSON FeatureCollection, checked; the problems all at once."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise BoundaryFileError(
                _("파일이 UTF-8이 아닙니다 (%(pos)d바이트째). GeoJSON은 UTF-8로 저장해 주세요.")
                % {"pos": exc.start + 1}
            ) from None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise BoundaryFileError(
            _("JSON 형식 오류 (%(line)d행 %(col)d열): %(msg)s")
            % {"line": exc.lineno, "col": exc.colno, "msg": exc.msg}
        ) from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise BoundaryFileError(_("GeoJSON FeatureCollection이 아닙니다 (\"type\": "
                                  "\"FeatureCollection\"이 있어야 합니다)."))
    items = data.get("features")
    if not isinstance(items, list) or not items:
        raise BoundaryFileError(_("features가 비어 있습니다: 행정동 경계가 하나도 없습니다."))
    features, problems = [], []
    for number, item in enumerate(items, start=1):
        properties = (item or {}).get("properties") if isinstance(item, dict) else None
        properties = properties if isinstance(properties, dict) else {}
        label = next((str(properties[k]).strip() for k in NAME_KEYS
                      if str(properties.get(k) or "").strip()), "")
        code = next((str(properties[k]).strip() for k in CODE_KEYS
                     if re.fullmatch(r"\d{10}", str(properties.get(k) or "").strip())), "")
        where = _("%(n)d번째 지형(%(label)s)") % {"n": number, "label": label or "?"}
        if not label and not code:
            problems.append(_("%(where)s: 이름(name)도 10자리 행정동 코드도 없습니다.")
                            % {"where": where})
            continue
        try:
            geometry = geometry_clean(item.get("geometry") if isinstance(item, dict) else None,
                                      where)
        except BoundaryFileError as exc:
            problems.append(exc.message)
            continue
        features.append(Feature(label=label or code, code=code, geometry=geometry))
    if problems:
        shown = problems[:MAX_ERRORS_LISTED]
        if len(problems) > len(shown):
            shown.append(_("… 그 밖에 %(n)d건") % {"n": len(problems) - len(shown)})
        raise BoundaryFileError(_("경계 파일에 고칠 곳이 %(n)d군데 있습니다.")
                                % {"n": len(problems)}, shown)
    return features


def boundaries_match(features: list[Feature], dongs) -> BoundaryMatch:
    """Each feature to the dong with its code, else its name in either form."""
    by_code = {d.code: d for d in dongs}
    by_name = {}
    for dong in dongs:
        for name in (dong.name, dong.short_name):
            if name:
                by_name.setdefault(dong_name_key(name), dong)
    result = BoundaryMatch()
    for feature in features:
        dong = by_code.get(feature.code) or by_name.get(dong_name_key(feature.label))
        if dong is None:
            result.unmatched.append(feature.label)
            continue
        if dong in result.matched:
            result.unmatched.append(_("%(label)s (%(dong)s와 중복)")
                                    % {"label": feature.label, "dong": dong})
            continue
        result.matched[dong] = feature.geometry
    result.missing = [d for d in dongs if d not in result.matched]
    return result
