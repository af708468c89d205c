"""One masking rule for names everywhere (홍*동): the first and last syllable kept, the
middle masked, two-syllable names 홍*. One helper, households.models.mask_name."""

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from households.models import mask_name
from outreach.models import Pairing
from outreach.services.pairings import pairing_create
from outreach.services.visits import visit_schedule

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.mark.parametrize("name, masked", [
    ("홍길동", "홍*동"), ("김철", "김*"), ("남궁민수", "남**수"), ("이", "이"), ("", ""),
    ("  임하윤 ", "임*윤"),
])
def test_the_rule(name, masked):
    assert mask_name(name) == masked


@pytest.fixture
def hong(singil_household):
    """The 신길1동 household's head is called 홍길동."""
    head = singil_household.members.order_by("-is_head", "id").first()
    head.name = "홍길동"
    head.save()
    return singil_household


@pytest.mark.django_db
def test_every_page_and_api_a_volunteer_uses_shows_the_same_mask(
        hong, staff1, volunteer1, client_as, api_as):
    # A Wednesday: the visit tomorrow is in this week's list (on a Sunday it was not).
    with time_machine.travel(datetime(2026, 12, 2, 12, 0, tzinfo=ZoneInfo("Asia/Seoul"))):
        shown = _what_a_volunteer_sees(hong, staff1, volunteer1, client_as, api_as)
    for text in shown:
        assert "홍*동" in text and "홍○○" not in text and "홍길동" not in text


def _what_a_volunteer_sees(hong, staff1, volunteer1, client_as, api_as) -> list[str]:
    pairing_create(volunteer=volunteer1, household=hong, cadence=Pairing.Cadence.WEEKLY,
                   created_by=staff1)
    visit_schedule(household=hong, staff=staff1, companion=volunteer1,
                   scheduled_for=timezone.now() + timedelta(days=1))
    shown = [
        client_as(volunteer1).get("/check-ins/").content.decode(),
        client_as(volunteer1).get("/visits/week/").content.decode(),
        str(api_as(volunteer1).get("/api/v1/visits/").json()),
        str(api_as(volunteer1).get("/api/v1/pairings/").json()),
    ]
    return shown


@pytest.mark.django_db
def test_staff_lists_show_the_same_mask(hong, staff1, client_as, api_as):
    html = client_as(staff1).get("/households/", {"dong": hong.dong_id}).content.decode()
    assert "홍*동" in html
    body = str(api_as(staff1).get("/api/v1/households/", {"dong": hong.dong_id}).json())
    assert "홍*동" in body and "홍길동" not in body


def test_no_second_masking_rule_is_left_in_the_code():
    """The old 홍○○ rule (name_initial) is gone from code, templates and scripts."""
    places = [ROOT / "households", ROOT / "referrals", ROOT / "outreach", ROOT / "templates",
              ROOT / "static" / "js"]
    offenders = [
        str(path.relative_to(ROOT)) for place in places for path in place.rglob("*")
        if path.suffix in {".py", ".html", ".js"} and "migrations" not in path.parts
        and ("○" in path.read_text(encoding="utf-8")
             or "name_initial" in path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
