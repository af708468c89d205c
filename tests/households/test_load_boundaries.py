"""A district loads its dongs' boundary file (GeoJSON) for the dashboard map."""

import json
import re

import pytest
from django.core.management import CommandError, call_command

from households.models import District, Dong

SQUARE = [[[126.90, 37.50], [126.91, 37.50], [126.91, 37.51], [126.90, 37.51],
           [126.90, 37.50]]]


@pytest.fixture
def gwanak(db):
    """A second district with two dongs, written the official way (제1동)."""
    district = District.objects.create(code="11620", name="관악구")
    Dong.objects.create(district=district, code="1162052500", name="보라매동")
    Dong.objects.create(district=district, code="1162053500", name="청림제1동",
                        short_name="청림1동")
    return district


def feature(name, coordinates=SQUARE, kind="Polygon", **properties):
    return {"type": "Feature", "properties": {"name": name, **properties},
            "geometry": {"type": kind, "coordinates": coordinates}}


def write(tmp_path, features, name="dongs.geojson"):
    path = tmp_path / name
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features},
                               ensure_ascii=False), encoding="utf-8")
    return path


def run(*args):
    from io import StringIO

    out = StringIO()
    call_command("load_boundaries", *map(str, args), stdout=out)
    return out.getvalue()


def test_a_file_loads_matching_short_and_official_names(gwanak, tmp_path):
    path = write(tmp_path, [feature("보라매동"), feature("청림1동", kind="MultiPolygon",
                                                          coordinates=[SQUARE])])
    out = run(path, "--district", "11620", "--attribution", "관악구 GIS, CC BY 4.0")
    assert "2 dongs of 관악구 loaded" in out
    assert Dong.objects.get(name="청림제1동").boundary["type"] == "MultiPolygon"
    assert Dong.objects.get(name="보라매동").boundary["coordinates"] == SQUARE
    gwanak.refresh_from_db()
    assert gwanak.boundary_attribution == "관악구 GIS, CC BY 4.0"


def test_a_district_can_be_named_and_a_code_in_the_file_wins(gwanak, tmp_path):
    path = write(tmp_path, [feature("서울특별시 관악구 보라매동"),
                            feature("엉뚱한 이름", adm_cd2="1162053500")])
    out = run(path, "--district", "관악구")
    assert "2 dongs of 관악구 loaded" in out
    assert Dong.objects.filter(district=gwanak, boundary__isnull=False).count() == 2


def test_names_that_match_no_dong_are_listed_and_nothing_is_loaded(gwanak, tmp_path):
    path = write(tmp_path, [feature("보라매동"), feature("신림동"), feature("봉천동")])
    with pytest.raises(CommandError) as error:
        run(path, "--district", "11620")
    message = str(error.value)
    assert "맞지 않는 이름이 2개" in message
    assert "- 신림동" in message and "- 봉천동" in message
    assert "보라매동, 청림제1동" in message  # what the district's dongs are called
    assert not Dong.objects.filter(boundary__isnull=False).exists()


def test_allow_unmatched_loads_the_rest_and_lists_what_is_missing(gwanak, tmp_path):
    path = write(tmp_path, [feature("보라매동"), feature("신림동")])
    out = run(path, "--district", "11620", "--allow-unmatched")
    assert "1 dongs of 관악구 loaded" in out
    assert "unmatched, skipped: 신림동" in out
    assert "no boundary in the file: 청림제1동 (1162053500)" in out


@pytest.mark.parametrize("content, message", [
    ("{not json", "JSON 형식 오류 (1행 2열)"),
    ('{"type": "Feature"}', "GeoJSON FeatureCollection이 아닙니다"),
    ('{"type": "FeatureCollection", "features": []}', "features가 비어 있습니다"),
])
def test_a_malformed_file_is_refused_with_what_is_wrong(gwanak, tmp_path, content, message):
    path = tmp_path / "bad.geojson"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=re.escape(message)):
        run(path, "--district", "11620")


def test_bad_geometries_are_all_listed_by_feature(gwanak, tmp_path):
    path = write(tmp_path, [
        feature("보라매동", kind="Point", coordinates=[126.9, 37.5]),
        feature("청림1동", coordinates=[[[126.9, 37.5], [500, 37.5], [126.9, 37.6],
                                          [126.9, 37.5]]]),
    ])
    with pytest.raises(CommandError) as error:
        run(path, "--district", "11620")
    message = str(error.value)
    assert "고칠 곳이 2군데" in message
    assert "1번째 지형(보라매동): 도형 종류 'Point'" in message
    assert "2번째 지형(청림1동): 경도·위도(WGS84) 범위를 벗어난 좌표" in message
    assert not Dong.objects.filter(boundary__isnull=False).exists()


def test_an_unknown_district_or_file_is_a_clear_error(gwanak, tmp_path):
    with pytest.raises(CommandError, match="시군구 '99999'을\\(를\\) 찾을 수 없습니다"):
        run(write(tmp_path, [feature("보라매동")]), "--district", "99999")
    with pytest.raises(CommandError, match="파일을 읽을 수 없습니다"):
        run(tmp_path / "nowhere.geojson", "--district", "11620")


def test_the_demo_district_has_all_18_boundaries_joined_by_name(demo):
    dongs = Dong.objects.filter(district=demo["district"])
    assert dongs.filter(boundary__isnull=False).count() == 18
    assert dongs.get(name="신길제1동").boundary["type"] == "Polygon"
    assert "southkorea/seoul-maps" in demo["district"].boundary_attribution
