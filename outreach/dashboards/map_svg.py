"""The district map drawn on the server as SVG: no tiles, no CDN, no JavaScript needed.

Each dong's lon/lat outline is projected equirectangularly (longitude scaled by the
cosine of the district's middle latitude) into a 360-unit-wide viewBox, so the
numbers on the map are life-size on a phone and CSS scales the map up on wider
screens. Each dong of the scope is a link (Tab, Enter) with a <title> (the hover
text) and an aria-label; the dongs outside the scope are drawn grey and inert.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 360
PAD = 6
FONT = 13


def _polygons(geometry: dict) -> list:
    if not geometry:
        return []
    if geometry.get("type") == "Polygon":
        return [geometry["coordinates"]]
    if geometry.get("type") == "MultiPolygon":
        return list(geometry["coordinates"])
    return []


@dataclass(frozen=True)
class Projection:
    lon0: float
    lat1: float  # the northern edge
    kx: float  # units per degree of longitude
    ky: float  # units per degree of latitude
    height: float

    @classmethod
    def fitting(cls, geometries) -> Projection | None:
        points = [p for g in geometries for poly in _polygons(g) for ring in poly for p in ring]
        if not points:
            return None
        lons, lats = [p[0] for p in points], [p[1] for p in points]
        lon0, lon1, lat0, lat1 = min(lons), max(lons), min(lats), max(lats)
        squeeze = math.cos(math.radians((lat0 + lat1) / 2))
        span_x = max((lon1 - lon0) * squeeze, 1e-9)
        scale = (WIDTH - 2 * PAD) / span_x
        height = (lat1 - lat0) * scale + 2 * PAD
        return cls(lon0=lon0, lat1=lat1, kx=scale * squeeze, ky=scale, height=height)

    def xy(self, point) -> tuple[float, float]:
        return (PAD + (point[0] - self.lon0) * self.kx, PAD + (self.lat1 - point[1]) * self.ky)

    def path(self, geometry: dict) -> str:
        parts = []
        for polygon in _polygons(geometry):
            for ring in polygon:
                xy = [self.xy(p) for p in ring]
                parts.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in xy) + "Z")
        return "".join(parts)

    def label_point(self, geometry: dict) -> tuple[float, float]:
        """The area-weighted centroid of the largest outer ring."""
        best, best_area = None, -1.0
        for polygon in _polygons(geometry):
            xy = [self.xy(p) for p in polygon[0]]
            area = cx = cy = 0.0
            for (x0, y0), (x1, y1) in zip(xy, xy[1:] + xy[:1], strict=True):
                cross = x0 * y1 - x1 * y0
                area += cross
                cx += (x0 + x1) * cross
                cy += (y0 + y1) * cross
            if abs(area) > best_area and area:
                best_area, best = abs(area), (cx / (3 * area), cy / (3 * area))
        if best is None:
            xs = [self.xy(p)[0] for poly in _polygons(geometry) for p in poly[0]]
            ys = [self.xy(p)[1] for poly in _polygons(geometry) for p in poly[0]]
            best = ((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2)
        return best


@dataclass(frozen=True)
class MapShape:
    """One dong to draw: ``href`` None for a dong outside the scope (grey, no link)."""

    key: str
    geometry: dict
    fill: str
    number: int | None = None
    href: str | None = None
    label: str = ""  # the hover text and the accessible name


def map_svg(shapes: list[MapShape], *, title: str, title_id: str = "dong-map-title"
            ) -> SafeString:
    projection = Projection.fitting([s.geometry for s in shapes])
    if projection is None:
        return mark_safe("")
    height = projection.height
    out = [
        # tabindex -1: Tab goes from dong to dong, not first to the picture as a whole.
        f'<svg class="dong-map" viewBox="0 0 {WIDTH} {height:.0f}" tabindex="-1" '
        f'aria-labelledby="{title_id}" xmlns="http://www.w3.org/2000/svg" '
        f'font-family="sans-serif">',
        f'<title id="{title_id}">{escape(title)}</title>',
        '<g stroke="#4d4d4d" stroke-width="0.8" stroke-linejoin="round">',
    ]
    for shape in shapes:
        path = (f'<path class="map-shape" d="{projection.path(shape.geometry)}" '
                f'fill="{shape.fill}" fill-rule="evenodd"/>')
        if shape.href is None:
            out.append(f'<g class="map-outside" aria-hidden="true">{path}</g>')
            continue
        label = escape(shape.label)
        out.append(
            f'<a class="map-dong" id="map-dong-{escape(shape.key)}" href="{escape(shape.href)}" '
            f'aria-label="{label}" data-caption="{label}"><title>{label}</title>{path}</a>'
        )
    out.append("</g>")
    # The numbers on top of every shape; clicks go through them to the dong beneath.
    out.append('<g class="map-numbers" aria-hidden="true" text-anchor="middle" '
               f'font-size="{FONT}" font-weight="700" pointer-events="none">')
    for shape in shapes:
        if shape.number is None:
            continue
        x, y = projection.label_point(shape.geometry)
        out.append(f'<text x="{x:.1f}" y="{y + FONT * 0.35:.1f}" fill="#000" stroke="#fff" '
                   f'stroke-width="3.5" paint-order="stroke">{shape.number}</text>')
    out.append("</g></svg>")
    return mark_safe("".join(out))
