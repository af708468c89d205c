"""The inbox export writes through the one CSV writer with the formula guard: a reported
address that looks like a spreadsheet formula reaches staff's Excel as plain text."""

import csv
import io

from tests.factories import ReferralFactory

FORMULA = "@SUM(1+1)*cmd|' /C calc'!A0"


def test_a_formula_in_a_reported_address_is_quoted_in_the_inbox_export(
        client_as, staff1, dongs):
    ReferralFactory(dong=dongs["여의동"], road_address=FORMULA, channel="public")
    response = client_as(staff1).post("/inbox/export/", {"reason": "주간 회의 자료"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    cells = [cell for row in rows[1:] for cell in row]
    assert "'" + FORMULA in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
