"""The district dashboard opens with a map of its dongs, coloured by a chosen figure."""

import re
from datetime import date

import pytest
from django.urls import reverse

from outreach.dashboards.maps import NO_DATA, OUT_OF_SCOPE, PALETTE, ColourScale
from outreach.dashboards.rollups import dashboard_rollup_refresh
from tests.fixtures.dashboard import kst, make_alert

PERIOD = {"start": "2026-01", "end": "2026-04"}
DONG_LINK = re.compile(
    r'<a class="map-dong" id="map-dong-(\d+)" href="([^"]+)" aria-label="([^"]+)"[^>]*>'
    r'<title>[^<]*</title><path class="map-shape" d="[^"]+" fill="(#[0-9a-f]{6})"'
)


def dong_fills(html: str) -> dict[int, str]:
    return {int(pk): fill for pk, _href, _label, fill in DONG_LINK.findall(html)}


def map_page(client, **query):
    response = client.get(reverse("dashboard_district"), {**PERIOD, **query})
    assert response.status_code == 200
    return response.content.decode()


def test_the_district_map_draws_all_18_dongs_with_a_link_to_each(client_as, admin_user,
                                                                 district, dongs):
    html = map_page(client_as(admin_user))
    fills = dong_fills(html)
    assert sorted(fills) == sorted(d.pk for d in dongs.values())
    for pk, href, _label, _fill in DONG_LINK.findall(html):
        assert href == f"/dashboard/dong/?dong={pk}&amp;start=2026-01&amp;end=2026-04"
    # Hover and focus say the value; the table beside it has the same figures.
    assert 'aria-label="3. 여의동 — 발굴 목표 달성률 50.0% (발굴 1 / 목표 2가구)"' in html
    assert 'id="table-dong-map"' in html
    assert "통계청(KOSTAT) 2013 센서스용 행정구역경계" in html
    assert "Apache-2.0" in html


def test_the_highest_dong_gets_the_darkest_colour_and_the_lowest_the_lightest(
        client_as, admin_user, district, dongs):
    # 발굴 달성률: 여의동 1 of 2 (50%), 신길1동 1 of 5 (20%); the others have no target.
    fills = dong_fills(map_page(client_as(admin_user), map="discovery"))
    assert fills[dongs["여의동"].pk] == PALETTE[-1]
    assert fills[dongs["신길1동"].pk] == PALETTE[0]
    assert fills[dongs["영등포본동"].pk] == NO_DATA


def test_ties_share_a_colour_and_whole_numbers_get_one_class_each(client_as, admin_user,
                                                                  district, dongs):
    # Overdue first contacts today: 대림2동 2, 여의동 1, 신길1동 1, every other dong 0.
    c1 = district["households"]["c1"]
    make_alert(c1, opened=kst(2026, 3, 30), due_on=date(2026, 4, 2))
    dashboard_rollup_refresh()  # written past the services
    html = map_page(client_as(admin_user), map="overdue")
    fills = dong_fills(html)
    assert fills[dongs["대림2동"].pk] == PALETTE[-1]
    assert fills[dongs["여의동"].pk] == fills[dongs["신길1동"].pk] == PALETTE[2]
    assert fills[dongs["문래동"].pk] == PALETTE[0]
    assert '<option value="overdue" selected>' in html


def test_all_dongs_at_zero_are_one_class_the_lightest(client_as, admin_user, district):
    html = map_page(client_as(admin_user), start="2020-01", end="2020-03", map="volunteers")
    assert set(dong_fills(html).values()) == {PALETTE[0]}
    assert html.count('class="map-legend"') == 1
    legend = html.split('class="map-legend"')[1].split("</ul>")[0]
    assert legend.count("<li>") == 1


def test_an_unknown_figure_shows_the_default_one(client_as, admin_user, district):
    html = map_page(client_as(admin_user), map="<script>")
    assert '<option value="discovery" selected>' in html
    assert "<script>" not in html.split('id="map"')[1].split("</section>")[0]


def test_staff_cannot_open_the_district_page(client_as, staff1, district):
    response = client_as(staff1).get(reverse("dashboard_district"), PERIOD)
    assert response.status_code == 403


def test_staff_see_their_own_dongs_coloured_and_the_rest_grey(client_as, staff1, district,
                                                              dongs):
    response = client_as(staff1).get(reverse("dashboard_dong"), PERIOD)
    assert response.status_code == 200
    html = response.content.decode()
    assert sorted(dong_fills(html)) == sorted([dongs["여의동"].pk, dongs["신길1동"].pk])
    # The other 16 are drawn for context, without a link, a value or a number.
    assert html.count('<g class="map-outside" aria-hidden="true">') == 16
    assert html.count(f'fill="{OUT_OF_SCOPE}"') == 16
    table = html.split('id="table-dong-map"')[1].split("</table>")[0]
    assert table.count("<tr>") == 3  # the header and two dongs
    assert "대림2동" not in table


def test_one_dongs_page_has_no_map(client_as, admin_user, district, dongs):
    html = client_as(admin_user).get(reverse("dashboard_dong"),
                                     {**PERIOD, "dong": dongs["여의동"].pk}).content.decode()
    assert 'class="dong-map"' not in html


@pytest.mark.parametrize("values, kind, expected", [
    ([0, 10, 5, 2.5], "num", [PALETTE[0], PALETTE[4], PALETTE[2], PALETTE[1]]),
    ([3, 3, 3], "int", [PALETTE[0]] * 3),
    ([0, 0], "pct", [PALETTE[0]] * 2),
    ([None, 0.2, 0.8], "pct", [NO_DATA, PALETTE[0], PALETTE[4]]),
    ([0, 1], "int", [PALETTE[0], PALETTE[4]]),
    ([0, 100, 100], "int", [PALETTE[0], PALETTE[4], PALETTE[4]]),
])
def test_the_colour_scale_puts_the_ends_at_the_ends(values, kind, expected):
    scale = ColourScale.of(values, kind)
    assert [scale.colour(v) for v in values] == expected


def test_the_legend_of_whole_numbers_has_no_fractions():
    scale = ColourScale.of([0, 10], "int")
    assert [text for _colour, text in scale.legend()] == [
        "0 – 1", "2 – 3", "4 – 5", "6 – 7", "8 – 10"]


def test_the_map_adds_five_grouped_queries_to_the_page(admin_user, district, period):
    """Beside the panels the page already ran: open alerts and households per dong, the
    volunteers (rollup, referrals, check-ins); the whole district needs no other outlines."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from outreach.dashboards.base import dashboard_scope
    from outreach.dashboards.maps import district_map
    from outreach.dashboards.panels.registry import dashboard_tables

    scope = dashboard_scope(admin_user, district=True)
    tables = {t.name: t for _title, ts in dashboard_tables(scope, period) for t in ts}
    with CaptureQueriesContext(connection) as queries:
        dong_map = district_map(scope, period, "volunteers", tables)
    assert len(dong_map.rows) == 18
    assert len(queries) <= 5, [q["sql"][:120] for q in queries]
