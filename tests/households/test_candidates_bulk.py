"""The set-based candidate creation (PostgreSQL's signal pipeline) makes exactly the
households, people and timeline lines the row-by-row functions make from the same rows."""

from datetime import date

import pytest
from django.db import connection, transaction

from households.bulk import (
    candidate_households_ensure,
    people_add,
    staged_candidates_add,
)
from households.messages import message
from households.models import Household, Person, TimelineEvent
from outreach.services import signal_staging
from outreach.signal_stream import STAGE_COLUMNS

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="the staging tables are PostgreSQL's (SQLite: row by row)"),
]

SUMMARY = message("candidate_found", source="한국전력공사")


def row(line, subject, *, name="", birth=None, address="", detail="", key="", dong=None,
        rrn_masked="", phone="", has_rrn=False, match="candidate", person_id=None):
    values = dict(line=line, kind="electricity_cutoff", subject=subject, has_rrn=has_rrn,
                  observed_on=date(2026, 11, 1), months_overdue=None, amount=None, name=name,
                  name_key=name.replace(" ", "")[:50], birth_date=birth, address=address,
                  address_detail=detail, address_key=key, dong_id=dong, rrn_masked=rrn_masked,
                  phone=phone)
    return (*(values[c] for c in STAGE_COLUMNS), person_id, None, match, True)


@pytest.fixture
def rows(dongs, people):
    yeoui, dangsan = dongs["여의동"].pk, dongs["당산1동"].pk
    known = Household.objects.create(dong_id=yeoui, road_address="여의나루로 7",
                                     address_detail="", registered_here=False)
    return [
        row(2, "a" * 64, name="이민수", birth=date(1960, 1, 2), address="여의나루로 999",
            detail="1층", key="여의나루로999|1층", dong=yeoui, phone="010-1111-2222"),
        # The same person again, with another kind: one person.
        row(3, "a" * 64, name="이민수", birth=date(1960, 1, 2), address="여의나루로 999",
            detail="1층", key="여의나루로999|1층", dong=yeoui),
        # An RRN and no name: a person called "?" who keeps the hash and the mask.
        row(4, "b" * 64, address="당산로 5", key="당산로5", dong=dangsan, has_rrn=True,
            rrn_masked="700101-1******"),
        # Where a candidate already lives: no second household.
        row(5, "c" * 64, name="박지성", birth=date(1981, 2, 25), address="여의나루로 7",
            key=known.address_key, dong=yeoui),
        # Too long for the columns: cut as the row-by-row path cuts.
        row(6, "d" * 64, name="가" * 60, birth=date(1990, 3, 3), address="여의나루로 999",
            detail="1층", key="여의나루로999|1층", dong=yeoui, phone="0" * 40),
        # Matched meanwhile, or not a candidate: left alone.
        row(7, "e" * 64, name="최영", birth=date(1970, 1, 1), address="당산로 9",
            key="당산로9", dong=dangsan, person_id=people["kim"].pk),
        row(8, "f" * 64, name="강감찬", birth=date(1948, 12, 5), address="당산로 11",
            key="당산로11", dong=dangsan, match=None),
    ]


def staged(rows):
    with connection.cursor() as cursor:
        cursor.execute(signal_staging._CREATE_STAGE)
        signal_staging._copy_rows(cursor, signal_staging.STAGE,
                                  (*STAGE_COLUMNS, "person_id", "household_id", "match",
                                   "placed"), rows)


def row_by_row(rows):
    """The SQLite path's functions, fed as signal_staging fed them before."""
    candidates = [dict(zip((*STAGE_COLUMNS, "person_id"), r[:-3], strict=True))
                  for r in sorted(rows, key=lambda r: r[0])
                  if r[-2] == "candidate" and r[-4] is None]
    wanted = {}
    for r in candidates:
        wanted.setdefault((r["dong_id"], r["address_key"]), (r["address"], r["address_detail"]))
    households = candidate_households_ensure(wanted, summary=SUMMARY)
    people = {}
    for r in candidates:
        person = dict(household_id=households[(r["dong_id"], r["address_key"])],
                      name=r["name"][:50] or "?", name_key=r["name_key"],
                      birth_date=r["birth_date"], phone=r["phone"][:30])
        if r["has_rrn"]:
            person.update(rrn_hash=r["subject"], rrn_masked=r["rrn_masked"])
        people.setdefault(r["subject"], person)
    people_add(list(people.values()))


def outcome(since_household: int, since_person: int):
    households = {h.pk: (h.dong_id, h.road_address, h.address_detail, h.address_key,
                         h.registered_here, h.lives_alone, h.elderly, h.tong, h.ban)
                  for h in Household.objects.filter(pk__gt=since_household)}
    place = {pk: (h[0], h[3]) for pk, h in households.items()}
    place.update({h.pk: (h.dong_id, h.address_key) for h in Household.objects.all()})
    people = sorted((place[p.household_id], p.name, p.name_key, p.birth_date, p.phone,
                     p.rrn_hash, p.rrn_masked, p.sex, p.is_head)
                    for p in Person.objects.filter(pk__gt=since_person))
    timeline = sorted((place[t.household_id], t.kind, t.message, t.summary, t.actor_id,
                       t.object_type, t.object_id)
                      for t in TimelineEvent.objects.filter(household_id__in=households))
    return sorted(households.values()), people, timeline


def test_set_based_candidates_equal_the_row_by_row_ones(rows):
    since_household = Household.objects.order_by("-pk").values_list("pk", flat=True)[0]
    since_person = Person.objects.order_by("-pk").values_list("pk", flat=True)[0]
    results = []
    for make in (row_by_row, lambda rows: staged_candidates_add(signal_staging.STAGE,
                                                                   summary=SUMMARY)):
        with transaction.atomic():
            staged(rows)
            make(rows)
            results.append(outcome(since_household, since_person))
            transaction.set_rollback(True)
    households, people, timeline = results[1]
    assert results[1] == results[0]
    assert len(households) == 2 and len(timeline) == 2
    assert {p[1] for p in people} == {"?", "가" * 50, "박지성", "이민수"}
    assert ("b" * 64, "700101-1******") in {(p[5], p[6]) for p in people}
