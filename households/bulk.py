"""Set-based reads and writes over the households tables, for pipelines that handle rows
by the thousand (the risk-signal import on SQLite; PostgreSQL matches in SQL:
outreach.services.signal_staging, and makes its candidates with staged_candidates_add).

The callers pass plain values and get plain tuples back, never a query per row.
"""


from django.db import connection

from households.addresses import LEGAL_TO_ADMIN_DONG
from households.models import Dong, Household, Person, TimelineEvent
from households.services import timeline_add_many

# PostgreSQL advisory lock key: unregistered-household candidates are created one chunk
# at a time, so two chunks never create the same dwelling twice.
CANDIDATE_LOCK_KEY = 0x5167_4E41


def people_by_rrn_hash(hashes: list[str]) -> dict[str, tuple[int, int]]:
    """{keyed RRN hash: (person id, household id)} for the hashes that are known."""
    if not hashes:
        return {}
    rows = Person.objects.filter(rrn_hash__in=hashes).values_list(
        "rrn_hash", "id", "household_id")
    return {h: (pid, hid) for h, pid, hid in rows}


def people_by_name_and_birth(pairs: list[tuple]) -> dict[tuple, tuple[int, int]]:
    """{(name key, birth date, household address key): (person id, household id)} for
    people whose (name key, birth date) is one of ``pairs``; of two people alike in all
    three, the first registered (as signal_staging matches)."""
    if not pairs:
        return {}
    rows = Person.objects.filter(
        name_key__in={n for n, _b in pairs}, birth_date__in={b for _n, b in pairs},
    ).order_by("-id").values_list("name_key", "birth_date", "household__address_key", "id",
                                  "household_id")
    # The first registered written last, so it is the one kept.
    return {(n, b, a): (pid, hid) for n, b, a, pid, hid in rows}


def dong_ids_by_code_and_name() -> tuple[dict[str, int], dict[str, int]]:
    """({행정동 code: dong id}, {official, short or 법정동 name: dong id})."""
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


def household_dongs_by_address_key(keys) -> dict[str, int]:
    """{address key: dong id} of households already at these addresses."""
    if not keys:
        return {}
    return dict(Household.objects.filter(address_key__in=keys).values_list(
        "address_key", "dong_id"))


def candidates_lock() -> None:
    """Serialise candidate creation for the rest of the transaction (PostgreSQL)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CANDIDATE_LOCK_KEY])


def candidate_households_ensure(wanted: dict[tuple, tuple[str, str]], *,
                                summary) -> dict[tuple, int]:
    """Unregistered-household candidates (``registered_here=False``) at these places.

    ``wanted`` maps (dong id, address key) to (road address, address detail). Returns
    {(dong id, address key): household id}; the ones created get a timeline line.
    """
    existing = {
        (d, k): hid for hid, d, k in Household.objects.filter(
            registered_here=False, address_key__in={k for _d, k in wanted}
        ).values_list("id", "dong_id", "address_key")
    }
    new = [
        Household(dong_id=d, road_address=address[:200], address_detail=detail[:100],
                  address_key=k, registered_here=False)
        for (d, k), (address, detail) in wanted.items() if (d, k) not in existing
    ]
    Household.objects.bulk_create(new)
    for household in new:
        existing[(household.dong_id, household.address_key)] = household.pk
    if new:
        timeline_add_many([dict(household_id=h.pk, kind="signal", summary=summary)
                           for h in new if h.pk])
    return existing


def people_add(people: list[dict]) -> None:
    """Add members in one insert (fields as on Person; a person already there is kept).
    An RRN arrives only as its keyed hash and masked form."""
    Person.objects.bulk_create([Person(**fields) for fields in people], ignore_conflicts=True)


def insert_defaults(model, given) -> tuple[list[str], list[str], list]:
    """For an ``INSERT … SELECT`` of ``model`` rows that sets the ``given`` columns itself:
    the other columns, their typed placeholders and the values bulk_create would give them
    (field defaults, auto_now, auto_now_add), as (columns, placeholders, params)."""
    template = model()
    columns, placeholders, params = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key or field.column in given:
            continue
        columns.append(connection.ops.quote_name(field.column))
        placeholders.append(f"%s::{field.db_type(connection)}")
        params.append(field.get_db_prep_save(field.pre_save(template, add=True), connection))
    return columns, placeholders, params


def _insert_select(model, given: dict[str, str], rest: str) -> tuple[str, list]:
    """``INSERT INTO model (given…, defaults…) SELECT given expressions…, defaults… rest``."""
    columns, placeholders, params = insert_defaults(model, given)
    return (f"INSERT INTO {model._meta.db_table} ({', '.join([*given, *columns])}) "
            f"SELECT {', '.join([*given.values(), *placeholders])} {rest}"), params


def staged_candidates_add(table: str, *, summary) -> None:
    """PostgreSQL, under candidates_lock: the rows of a staging ``table`` marked
    ``match = 'candidate'`` with no person yet become unregistered-household candidates —
    candidate_households_ensure and people_add in two statements, not a row each.

    ``table`` has signal_stream.STAGE_COLUMNS plus ``person_id`` and ``match``: one
    household per (dong, address key) not yet a candidate (its timeline says why), one
    person per subject, placed with the first line that names them."""
    household = Household._meta.db_table

    def first_rows(*by: str) -> str:
        """The rows waiting for a candidate, the first line of each ``by``, as ``s``."""
        keys = ", ".join(by)
        return (f"(SELECT DISTINCT ON ({keys}) * FROM {table} WHERE match = 'candidate' "
                f"AND person_id IS NULL ORDER BY {keys}, line) s")

    # The candidate at a place; of two (none are made twice under the lock), the newest,
    # as candidate_households_ensure reads them.
    at_place = (f"(SELECT h.id FROM {household} h WHERE NOT h.registered_here "
                f"AND h.dong_id = s.dong_id AND h.address_key = s.address_key "
                f"ORDER BY h.id DESC LIMIT 1)")
    households, household_params = _insert_select(Household, {
        "dong_id": "s.dong_id", "road_address": "left(s.address, 200)",
        "address_detail": "left(s.address_detail, 100)", "address_key": "s.address_key",
        "registered_here": "false",
    }, f"FROM {first_rows('dong_id', 'address_key')} WHERE {at_place} IS NULL "
       f"ORDER BY s.dong_id, s.address_key RETURNING id")
    # A message dict, as timeline_add_many stores one (its plain-text summary stays empty).
    message_field = TimelineEvent._meta.get_field("message")
    timeline, timeline_params = _insert_select(TimelineEvent, {
        "household_id": "id", "kind": "'signal'", "at": "now()", "message": "%s::jsonb",
    }, "FROM added")
    with connection.cursor() as cursor:
        cursor.execute(f"WITH added AS ({households}) {timeline}",
                       [*household_params, message_field.get_db_prep_save(summary, connection),
                        *timeline_params])
        people, people_params = _insert_select(Person, {
            "household_id": at_place, "name": "coalesce(nullif(left(s.name, 50), ''), '?')",
            "name_key": "s.name_key", "birth_date": "s.birth_date", "phone": "left(s.phone, 30)",
            "rrn_hash": "CASE WHEN s.has_rrn THEN s.subject END",
            "rrn_masked": "CASE WHEN s.has_rrn THEN s.rrn_masked ELSE '' END",
        }, f"FROM {first_rows('subject')} ORDER BY s.subject ON CONFLICT DO NOTHING")
        cursor.execute(people, people_params)
