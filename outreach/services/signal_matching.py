"""Matching signal rows to people: the keyed subject hash, the RRN and name + birth +
address look-ups, placing unmatched rows in a dong, unregistered-household candidates."""

from django.conf import settings
from django.db import transaction

from households.bulk import (
    candidate_households_ensure,
    candidates_lock,
    dong_ids_by_code_and_name,
    household_dongs_by_address_key,
    people_add,
    people_by_name_and_birth,
    people_by_rrn_hash,
)
from households.messages import message
from households.models import (
    Organization,
)
from households.rrn import rrn_mask
from outreach.models import (
    RiskSignal,
)
from outreach.signal_stream import Places, key_and_hint, subject_of


def signal_subject(row) -> str:
    """The keyed hash the row is about (one definition: signal_stream.subject_of)."""
    return subject_of(settings.RRN_HASH_KEY.encode(), row.rrn_digits, row.name_key,
                      row.birth_date, signal_address_key(row))


def _address_of(row) -> tuple[str, str | None]:
    """(address key, dong hint) of a row, worked out once (signal_stream.key_and_hint, the
    staging stream's cached normalisation)."""
    if not hasattr(row, "_address"):
        row._address = key_and_hint(row.address, row.address_detail)
    return row._address


def signal_address_key(row) -> str:
    return _address_of(row)[0]


def signal_rows_match(rows: list) -> None:
    """Set person_id / household_id / match on each row: RRN hash, then name+birth+address."""
    for row in rows:
        row.person_id = row.household_id = None
        row.match = RiskSignal.Match.UNMATCHED
        if getattr(row, "subject", None) is None:  # a row matched again keeps its subject
            row.subject = signal_subject(row)
    by_rrn = [row for row in rows if row.rrn_digits]
    if by_rrn:
        found = people_by_rrn_hash(list({row.subject for row in by_rrn}))
        for row in by_rrn:
            if row.subject in found:
                row.person_id, row.household_id = found[row.subject]
                row.match = RiskSignal.Match.RRN
    by_name = [row for row in rows if row.person_id is None and row.name_key and row.birth_date
               and row.address]
    if by_name:
        found = people_by_name_and_birth(
            list({(row.name_key, row.birth_date) for row in by_name}))
        for row in by_name:
            hit = found.get((row.name_key, row.birth_date, signal_address_key(row)))
            if hit:
                row.person_id, row.household_id = hit
                row.match = RiskSignal.Match.NAME


def signal_rows_place(rows: list) -> dict:
    """Dong id for unmatched rows with an address: 행정동 code, the dong named in the
    address, or the dong of a household already at that exact address."""
    dongs = Places(*dong_ids_by_code_and_name())
    places = {}
    unplaced = []
    for row in rows:
        if row.person_id is not None or not row.address:
            continue
        dong_id = dongs.dong_of(row.address, row.dong_code, _address_of(row)[1])
        if dong_id is None:
            unplaced.append(row)
        places[row.line] = dong_id
    keys = {signal_address_key(row) for row in unplaced if signal_address_key(row)}
    if keys:
        known = household_dongs_by_address_key(keys)
        for row in unplaced:
            places[row.line] = known.get(signal_address_key(row))
    return {line: dong_id for line, dong_id in places.items() if dong_id}


def signal_candidates_create(rows: list, places: dict, source: Organization) -> None:
    """People found at an address in the district but registered nowhere here become
    members of an unregistered-household candidate (Household.registered_here=False)."""
    placed = [row for row in rows if row.line in places and row.person_id is None]
    if not placed:
        return
    with transaction.atomic():
        candidates_lock()
        # Another chunk may have created them since we matched: look again under the lock.
        signal_rows_match(placed)
        placed = [row for row in placed if row.person_id is None]
        if not placed:
            return
        wanted = {(places[row.line], signal_address_key(row)): (row.address, row.address_detail)
                  for row in placed}
        households = candidate_households_ensure(
            wanted, summary=message("candidate_found", source=source.name))
        # One person per subject (the same person may appear with several kinds).
        people = {}
        for row in placed:
            household_id = households[(places[row.line], signal_address_key(row))]
            row.household_id = household_id
            if row.subject not in people:
                person = dict(household_id=household_id, name=row.name[:50] or "?",
                              name_key=row.name_key, birth_date=row.birth_date,
                              phone=row.phone[:30])
                if row.rrn_digits:
                    person.update(rrn_hash=row.subject, rrn_masked=rrn_mask(row.rrn_digits))
                people[row.subject] = person
        people_add(list(people.values()))
        signal_rows_match(placed)
        for row in placed:
            row.match = RiskSignal.Match.CANDIDATE
