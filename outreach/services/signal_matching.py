"""Matching signal rows to people: the keyed subject hash, the RRN and name + birth +
address look-ups, placing unmatched rows in a dong, unregistered-household candidates."""

import hashlib
import hmac
from functools import lru_cache

from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext as _

from households.addresses import address_key, dong_hint
from households.models import (
    Dong,
    Household,
    Organization,
    Person,
)
from households.rrn import rrn_mask
from households.services import timeline_add_many
from outreach.models import (
    RiskSignal,
)

# PostgreSQL advisory lock key: unregistered-household candidates are created one chunk
# at a time, so two chunks never create the same dwelling twice.
CANDIDATE_LOCK_KEY = 0x5167_4E41

# 법정동 (as written in lot addresses) → 행정동 of 영등포구. 신길동 and 대림동 span several
# 행정동, so they place nobody without a 행정동 code.
LEGAL_TO_ADMIN_DONG = {
    "여의도동": "여의동",
    "영등포동": "영등포동",
    **{f"영등포동{n}가": "영등포본동" for n in (1, 2, 3, 4)},
    **{f"영등포동{n}가": "영등포동" for n in (5, 6, 7, 8)},
    **{f"당산동{n}가": "당산1동" for n in (1, 2, 3, 4, 5)},
    "당산동6가": "당산2동",
    "당산동": "당산2동",
    **{f"양평동{n}가": "양평1동" for n in (1, 2, 3, 4)},
    **{f"양평동{n}가": "양평2동" for n in (5, 6)},
    "양화동": "양평2동",
    **{f"문래동{n}가": "문래동" for n in range(1, 7)},
    "문래동": "문래동",
    "도림동": "도림동",
}



# --- parsing one chunk ---------------------------------------------------------------

def keyed_hmac():
    """The RRN-hash HMAC with its key already absorbed: ``.copy()`` per value is cheaper
    than keying a new one (same digests as households.rrn.rrn_hash)."""
    return hmac.new(settings.RRN_HASH_KEY.encode(), digestmod=hashlib.sha256)


def signal_subject(row, keyed=None) -> str:
    if row.rrn_digits:
        text = row.rrn_digits
    else:
        # Keyed too, so a name and birth date cannot be recovered from the table.
        text = f"nba|{row.name_key}|{row.birth_date:%Y%m%d}|{signal_address_key(row)}"
    digest = (keyed or keyed_hmac()).copy()
    digest.update(text.encode())
    return digest.hexdigest()


# The same address (and dong hint) recurs across many rows: normalise each once.
_cached_address_key = lru_cache(maxsize=65536)(address_key)
_cached_dong_hint = lru_cache(maxsize=65536)(dong_hint)


def signal_address_key(row) -> str:
    if not hasattr(row, "_address_key"):
        row._address_key = (_cached_address_key(row.address, row.address_detail)
                            if row.address else "")
    return row._address_key


def _fetch(sql: str, params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()



def _dong_lookup() -> tuple[dict, dict]:
    by_code, by_name = {}, {}
    for dong_id, code, name, short in Dong.objects.values_list("id", "code", "name", "short_name"):
        by_code[code] = dong_id
        by_name[name] = dong_id
        if short:
            by_name[short] = dong_id
    for legal, admin in LEGAL_TO_ADMIN_DONG.items():
        if admin in by_name:
            by_name.setdefault(legal, by_name[admin])
    return by_code, by_name


def signal_rows_match(rows: list) -> None:
    """Set person_id / household_id / match on each row: RRN hash, then name+birth+address."""
    keyed = keyed_hmac()
    for row in rows:
        row.person_id = row.household_id = None
        row.match = RiskSignal.Match.UNMATCHED
        if getattr(row, "subject", None) is None:  # a row matched again keeps its subject
            row.subject = signal_subject(row, keyed)
    by_rrn = [row for row in rows if row.rrn_digits]
    if by_rrn:
        hashes = list({row.subject for row in by_rrn})
        if connection.vendor == "postgresql":
            # One text parameter instead of thousands of IN placeholders (hex digests hold
            # no commas; one string is sent as is, an array is formatted value by value).
            found = {h: (pid, hid) for h, pid, hid in _fetch(
                "SELECT rrn_hash, id, household_id FROM households_person "
                "WHERE rrn_hash = ANY(string_to_array(%s, ','))", [",".join(hashes)])}
        else:
            found = {
                h: (pid, hid) for h, pid, hid in Person.objects.filter(
                    rrn_hash__in=hashes).values_list("rrn_hash", "id", "household_id")
            }
        for row in by_rrn:
            if row.subject in found:
                row.person_id, row.household_id = found[row.subject]
                row.match = RiskSignal.Match.RRN
    by_name = [row for row in rows if row.person_id is None and row.name_key and row.birth_date
               and row.address]
    if by_name:
        pairs = list({(row.name_key, row.birth_date) for row in by_name})
        if connection.vendor == "postgresql":
            people = _fetch(
                "SELECT p.name_key, p.birth_date, h.address_key, p.id, p.household_id "
                "FROM households_person p JOIN households_household h ON h.id = p.household_id "
                "WHERE (p.name_key, p.birth_date) IN "
                "(SELECT * FROM unnest(%s::varchar[], %s::date[]))",
                [[n for n, _b in pairs], [b for _n, b in pairs]])
        else:
            people = Person.objects.filter(
                name_key__in={n for n, _b in pairs}, birth_date__in={b for _n, b in pairs},
            ).values_list("name_key", "birth_date", "household__address_key", "id",
                          "household_id")
        found = {(n, b, a): (pid, hid) for n, b, a, pid, hid in people}
        for row in by_name:
            hit = found.get((row.name_key, row.birth_date, signal_address_key(row)))
            if hit:
                row.person_id, row.household_id = hit
                row.match = RiskSignal.Match.NAME


def signal_rows_place(rows: list) -> dict:
    """Dong id for unmatched rows with an address: 행정동 code, the dong named in the
    address, or the dong of a household already at that exact address."""
    by_code, by_name = _dong_lookup()
    places = {}
    unplaced = []
    for row in rows:
        if row.person_id is not None or not row.address:
            continue
        dong_id = by_code.get(row.dong_code) if row.dong_code else None
        if dong_id is None:
            hint = _cached_dong_hint(row.address)
            dong_id = by_name.get(hint) if hint else None
        if dong_id is None:
            unplaced.append(row)
        places[row.line] = dong_id
    keys = {signal_address_key(row) for row in unplaced if signal_address_key(row)}
    if keys:
        known = dict(Household.objects.filter(address_key__in=keys).values_list(
            "address_key", "dong_id"))
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
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CANDIDATE_LOCK_KEY])
        # Another chunk may have created them since we matched: look again under the lock.
        signal_rows_match(placed)
        placed = [row for row in placed if row.person_id is None]
        if not placed:
            return
        wanted = {(places[row.line], signal_address_key(row)): row for row in placed}
        existing = {
            (d, k): hid for hid, d, k in Household.objects.filter(
                registered_here=False, address_key__in={k for _d, k in wanted}
            ).values_list("id", "dong_id", "address_key")
        }
        new = [
            Household(dong_id=d, road_address=row.address[:200],
                      address_detail=row.address_detail[:100], address_key=k,
                      registered_here=False)
            for (d, k), row in wanted.items() if (d, k) not in existing
        ]
        Household.objects.bulk_create(new)
        for household in new:
            existing[(household.dong_id, household.address_key)] = household.pk
        if new:
            timeline_add_many([
                dict(household_id=h.pk, kind="signal",
                     summary=_("위기정보로 발견된 미등록 거주 후보 (%(source)s)")
                     % {"source": source.name})
                for h in new if h.pk
            ])
        # One person per subject (the same person may appear with several kinds).
        people = {}
        for row in placed:
            household_id = existing[(places[row.line], signal_address_key(row))]
            row.household_id = household_id
            if row.subject not in people:
                person = Person(household_id=household_id, name=row.name[:50] or "?",
                                name_key=row.name_key, birth_date=row.birth_date,
                                phone=row.phone[:30])
                if row.rrn_digits:
                    person.rrn_hash, person.rrn_masked = row.subject, rrn_mask(row.rrn_digits)
                people[row.subject] = person
        Person.objects.bulk_create(list(people.values()), ignore_conflicts=True)
        signal_rows_match(placed)
        for row in placed:
            row.match = RiskSignal.Match.CANDIDATE
