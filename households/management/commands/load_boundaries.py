"""load_boundaries: store a district's dong outlines (GeoJSON) for the dashboard map."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from households.boundaries import BoundaryFileError, features_read
from households.models import District
from households.services import district_boundaries_load


class Command(BaseCommand):
    help = (
        "Load a GeoJSON FeatureCollection of a district's 행정동 boundaries (WGS84 lon/lat, "
        "Polygon or MultiPolygon, properties 'name' or 'adm_nm', or a 10-digit 'adm_cd2'/"
        "'code') for the district dashboard's map. Names match either form (신길제1동 = "
        "신길1동). A name that matches no dong refuses the whole file unless --allow-unmatched."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="GeoJSON file (UTF-8)")
        parser.add_argument("--district", required=True,
                            help="the district's 5-digit code (11560) or its name (영등포구)")
        parser.add_argument("--attribution", default=None,
                            help="source and licence of the boundaries, shown under the map "
                                 "(left out: the district keeps its current one)")
        parser.add_argument("--allow-unmatched", action="store_true",
                            help="load the dongs that match and only list the others")

    def handle(self, *args, file, district, attribution, allow_unmatched, **options):
        target = District.objects.filter(Q(code=district) | Q(name=district)).first()
        if target is None:
            known = ", ".join(f"{d.code} {d.name}" for d in District.objects.order_by("code"))
            raise CommandError(
                f"시군구 '{district}'을(를) 찾을 수 없습니다 / no district '{district}'. "
                f"있는 시군구 / known: {known or '없음 / none'}"
            )
        path = Path(file)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"파일을 읽을 수 없습니다 / cannot read {file}: "
                               f"{exc.strerror}") from None
        try:
            match = district_boundaries_load(
                district=target, features=features_read(raw), attribution=attribution,
                allow_unmatched=allow_unmatched,
            )
        except BoundaryFileError as exc:
            raise CommandError(f"{file}: {exc}\n(nothing was loaded / 아무것도 저장하지 "
                               "않았습니다)") from None
        self.stdout.write(
            f"load_boundaries: {len(match.matched)} dongs of {target.name} loaded "
            f"({len(match.matched)}개 동 경계 저장)"
        )
        for label in match.unmatched:
            self.stdout.write(f"  맞는 행정동 없음 / unmatched, skipped: {label}")
        for dong in match.missing:
            self.stdout.write(f"  경계 없음 / no boundary in the file: {dong.name} ({dong.code})")
        if not (attribution or target.boundary_attribution):
            self.stdout.write("  --attribution 없음: 지도 아래에 출처를 밝히려면 넣어 주세요 / "
                              "no --attribution: the map will show no source")
