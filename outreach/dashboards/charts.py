"""Server-rendered SVG charts: no JavaScript, no CDN, readable at 360 px and on A4.

Drawn on a 360-unit-wide canvas so text is life-size on a phone; CSS scales them
up on wider screens. Every chart sits beside a <table> of the same numbers, which
is what screen readers read (the SVG carries a title and a pointer to the table).
"""

from __future__ import annotations

import re

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from outreach.dashboards.base import Table

WIDTH = 360
# Colour-blind-safe (Okabe–Ito), distinguishable in greyscale print by order.
COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00")
LABEL_W = 96  # left gutter of horizontal bar charts (dong names) …
LABEL_W_MAX = 150  # … widened for longer names, which wrap onto a second line past it
FONT = 12
SMALL = 10


def _text_width(text: str, size: float = FONT) -> float:
    """Roughly how wide ``text`` is drawn: Hangul and other wide letters take a full em,
    Latin letters and digits about 0.6 of one."""
    return sum(size if ord(ch) > 0x2E7F else size * 0.6 for ch in text)


def _label_lines(label: str, width: float) -> list[str]:
    """The label on at most two lines of ``width``, broken between words; only a word
    longer than a whole line is cut (with …)."""
    lines: list[str] = []
    for word in label.split():
        if lines and _text_width(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    if len(lines) > 2:
        lines = [lines[0], " ".join(lines[1:])]
    fitted = []
    for line in lines or [""]:
        while _text_width(line) > width and len(line) > 1:
            line = line[:-2] + "…"
        fitted.append(line)
    return fitted


def _month_short(label: str) -> str:
    """'2024년 12월' (or '12/2024' in English) → '24.12'; other labels as they are."""
    numbers = re.findall(r"\d+", label)
    years = [n for n in numbers if len(n) == 4]
    months = [n for n in numbers if len(n) <= 2]
    if len(years) == 1 and len(months) == 1:
        return f"{years[0][2:]}.{int(months[0])}"
    return label


def _fmt(value, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "pct":
        return f"{value * 100:.0f}%"
    if kind in ("days", "num"):
        return f"{value:.1f}"
    if kind == "ratio":
        return f"{value:.2f}"
    return f"{int(value):,}"


def _nice_max(value: float, percent: bool) -> float:
    if percent:
        return 1.0
    # Counts: at least 0–4, so the four gridlines fall on whole numbers.
    if value <= 4:
        return 4
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _legend(names: list[str], y: float) -> list[str]:
    parts, x = [], 4
    for i, name in enumerate(names):
        colour = COLOURS[i % len(COLOURS)]
        parts.append(f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{x + 14}" y="{y}" font-size="{FONT}">{escape(name)}</text>')
        x += 22 + len(name) * FONT * 0.9
    return parts


def _open(table: Table, height: float, table_id: str) -> list[str]:
    title_id = f"chart-{table.name}-title"
    return [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height:.0f}" role="img" '
        f'aria-labelledby="{title_id}" aria-describedby="{table_id}" '
        f'xmlns="http://www.w3.org/2000/svg" font-family="sans-serif">',
        f'<title id="{title_id}">{escape(table.title)}</title>',
    ]


def bar_chart(table: Table, table_id: str) -> SafeString:
    """Horizontal grouped bars: one group per row, one bar per series."""
    columns = {c.key: c for c in table.columns}
    series = [columns[key] for key in table.chart.y]
    labels = [str(v) for v in table.column(table.chart.x)]
    percent = all(c.kind == "pct" for c in series)
    values = [[row or 0 for row in table.column(c.key)] for c in series]
    top = _nice_max(max([v for s in values for v in s] or [0]), percent)
    # The gutter fits the longest name on one line, up to LABEL_W_MAX; longer names wrap.
    gutter = min(LABEL_W_MAX, max([LABEL_W] + [_text_width(x) + 8 for x in labels]))
    wrapped = [_label_lines(label, gutter - 8) for label in labels]
    bar_h, gap = 12, 8
    lines_h = max(len(lines) for lines in wrapped or [[""]]) * (FONT + 1)
    group_h = max(bar_h * len(series), lines_h) + gap
    legend_h = 20
    plot_top = legend_h + 14
    height = plot_top + group_h * max(len(labels), 1) + 6
    plot_w = WIDTH - gutter - 44
    parts = _open(table, height, table_id)
    parts += _legend([c.label for c in series], 14)
    for tick in range(5):
        x = gutter + plot_w * tick / 4
        parts.append(f'<line x1="{x:.1f}" y1="{plot_top - 4}" x2="{x:.1f}" y2="{height - 4}" '
                     f'stroke="#d5dbe1" stroke-width="1"/>')
        tick_label = _fmt(top * tick / 4, "pct" if percent else "int")
        parts.append(f'<text x="{x:.1f}" y="{plot_top - 6}" font-size="{SMALL}" '
                     f'text-anchor="middle" fill="#5b6773">{tick_label}</text>')
    for i, lines in enumerate(wrapped):
        y0 = plot_top + i * group_h
        # Centred on the group's bars: the first baseline half a block above the middle.
        first = y0 + (group_h - gap) / 2 + FONT / 2 - 1 - (len(lines) - 1) * (FONT + 1) / 2
        spans = "".join(
            f'<tspan x="{gutter - 4:.1f}" y="{first + n * (FONT + 1):.1f}">{escape(line)}</tspan>'
            for n, line in enumerate(lines))
        parts.append(f'<text font-size="{FONT}" text-anchor="end">{spans}</text>')
        for j, column in enumerate(series):
            raw = table.column(column.key)[i]
            value = raw or 0
            w = plot_w * (value / top) if top else 0
            y = y0 + j * bar_h
            colour = COLOURS[j % len(COLOURS)]
            parts.append(f'<rect x="{gutter:.1f}" y="{y:.1f}" width="{max(w, 0):.1f}" '
                         f'height="{bar_h - 1}" fill="{colour}"/>')
            if raw is not None:
                parts.append(f'<text x="{gutter + w + 3:.1f}" y="{y + bar_h - 1:.1f}" '
                             f'font-size="{SMALL}">{_fmt(raw, column.kind)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every text above is escaped


def line_chart(table: Table, table_id: str) -> SafeString:
    """Months along x, one line per series, a dot and value at each point."""
    columns = {c.key: c for c in table.columns}
    series = [columns[key] for key in table.chart.y]
    labels = [str(v) for v in table.column(table.chart.x)]
    percent = all(c.kind == "pct" for c in series)
    values = [[v or 0 for v in table.column(c.key)] for c in series]
    top = _nice_max(max([v for s in values for v in s] or [0]), percent)
    left, right, plot_top, plot_h = 34, 18, 34, 140
    height = plot_top + plot_h + 30
    plot_w = WIDTH - left - right
    n = len(labels)
    step = plot_w / (n - 1) if n > 1 else 0
    parts = _open(table, height, table_id)
    parts += _legend([c.label for c in series], 14)
    for tick in range(5):
        y = plot_top + plot_h - plot_h * tick / 4
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{WIDTH - right}" y2="{y:.1f}" '
                     f'stroke="#d5dbe1" stroke-width="1"/>')
        tick_label = _fmt(top * tick / 4, "pct" if percent else "int")
        parts.append(f'<text x="{left - 4}" y="{y + 3:.1f}" font-size="{SMALL}" '
                     f'text-anchor="end" fill="#5b6773">{tick_label}</text>')
    # Month labels: at most about seven, counted back from the last month so that it is
    # always labelled and no two labels are closer than the others (never overlapping).
    every = max(1, -(-n // 7))
    labelled = set(range(n - 1, -1, -every))
    for i, label in enumerate(labels):
        if i not in labelled:
            continue
        x = left + (step * i if n > 1 else plot_w / 2)
        short = _month_short(label)
        anchor = "end" if i == n - 1 and n > 1 else "middle"
        parts.append(f'<text x="{x:.1f}" y="{plot_top + plot_h + 16}" font-size="{SMALL}" '
                     f'text-anchor="{anchor}">{escape(short)}</text>')
    for j in range(len(series)):
        colour = COLOURS[j % len(COLOURS)]
        points = []
        for i, value in enumerate(values[j]):
            x = left + (step * i if n > 1 else plot_w / 2)
            y = plot_top + plot_h - (plot_h * value / top if top else 0)
            points.append((x, y))
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" '
                         f'stroke-width="2"/>')
        for x, y in points:
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{colour}"/>')
    # Outside the f-string: xgettext does not read inside one, so it was never translated.
    note = escape(_("수치는 표 참조"))
    parts.append(f'<text x="{WIDTH - right}" y="{height - 2}" font-size="{SMALL}" '
                 f'text-anchor="end" fill="#5b6773">{note}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 — every text above is escaped


def chart_svg(table: Table, table_id: str) -> SafeString:
    if table.chart is None or not table.rows:
        return mark_safe("")
    if table.chart.kind == "line":
        return line_chart(table, table_id)
    return bar_chart(table, table_id)
