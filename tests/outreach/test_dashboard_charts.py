"""The server-drawn SVG charts: month labels never overlap, bar labels are never cut."""

import re

from outreach.dashboards.base import Chart, Column, Table
from outreach.dashboards.charts import _text_width, chart_svg


def months_table(n: int) -> Table:
    labels = [f"{2025 + (m // 12)}년 {m % 12 + 1}월" for m in range(n)]
    return Table(name="alerts_monthly", title="월별", rows=[[x, i, i // 2] for i, x in
                                                           enumerate(labels)],
                 columns=[Column("month", "월", "text"), Column("opened", "발생"),
                          Column("closed", "종결")],
                 chart=Chart("line", "month", ("opened", "closed")))


def month_labels(svg: str) -> list[tuple[float, str, str]]:
    """(x, anchor, text) of the labels under the x axis."""
    return [(float(x), anchor, text) for x, anchor, text in re.findall(
        r'<text x="([\d.]+)" y="190" font-size="10" text-anchor="(\w+)">([^<]+)</text>', svg)]


def extent(x: float, anchor: str, text: str) -> tuple[float, float]:
    width = _text_width(text, 10)
    return {"end": (x - width, x), "middle": (x - width / 2, x + width / 2)}.get(
        anchor, (x, x + width))


def test_the_last_two_month_labels_of_a_year_do_not_overlap():
    for n in (6, 12, 13, 24, 36, 60):
        labels = month_labels(chart_svg(months_table(n), "t"))
        assert labels[-1][2] == months_table(n).rows[-1][0][2:4] + "." + str((n - 1) % 12 + 1)
        spans = sorted(extent(*label) for label in labels)
        for (_a, right), (left, _b) in zip(spans, spans[1:], strict=False):
            assert right + 4 <= left, (n, labels)


def test_english_month_labels_are_shortened_too():
    table = months_table(12)
    table.rows = [[f"{i % 12 + 1}/2025", i, i] for i in range(12)]
    labels = month_labels(chart_svg(table, "t"))
    assert labels[-1][2] == "25.12"


def bars(labels: list[str]) -> Table:
    return Table(name="referrals_by_channel", title="경로별",
                 rows=[[x, i + 1] for i, x in enumerate(labels)],
                 columns=[Column("channel", "경로", "text"), Column("referrals", "건수")],
                 chart=Chart("bar", "channel", ("referrals",)))


def test_bar_labels_are_shown_whole():
    svg = chart_svg(bars(["자원봉사자", "주민 제보", "담당 공무원 접수", "협력기관"]), "t")
    assert ">담당 공무원 접수<" in svg
    assert "…" not in svg


def test_a_long_provider_name_wraps_onto_two_lines_instead_of_being_cut():
    svg = chart_svg(bars(["국민건강보험공단 영등포남부지사", "영등포구 푸드뱅크"]), "t")
    assert ">국민건강보험공단<" in svg and ">영등포남부지사<" in svg
    assert "…" not in svg


def test_bars_start_right_of_the_widest_label():
    svg = chart_svg(bars(["담당 공무원 접수", "경찰"]), "t")
    bar = re.search(r'<rect x="([\d.]+)" y="[\d.]+" width="[\d.]+" height="11"', svg)
    first_bar_x = float(bar.group(1))
    assert first_bar_x >= _text_width("담당 공무원 접수") + 4
