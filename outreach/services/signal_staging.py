"""PostgreSQL: a chunk's staged rows stored set-based — COPY into a temporary staging table,
then matching, placing, unregistered-household candidates and the signal insert as a few
statements over the whole chunk, never a query per row.

The same meaning as signal_matching's row-by-row functions (the SQLite path): match on the
keyed RRN hash, then name + birth date + address key; place an unmatched row with an
address by its 행정동 code or named dong (decided while staging), else by a household at
the same address; under the candidate lock, people placed in the district but registered
nowhere become members of an unregistered-household candidate.
"""

from django.db import connection

from households.bulk import candidates_lock, staged_candidates_add
from households.messages import message
from households.models import Household, Person, mask_name
from outreach.models import RiskSignal
from outreach.models.signal_batches import observation_hexes
from outreach.signal_stream import STAGE_COLUMNS

RAW = "_signal_raw"
STAGE = "_signal_stage"
UNMATCHED = "_signal_unmatched"
_PERSON = Person._meta.db_table
_HOUSEHOLD = Household._meta.db_table
_SIGNAL = RiskSignal._meta.db_table


# The staging columns: a staged row's (STAGE_COLUMNS), then its observation key, in hex
# (observation_hexes: computed by the worker as it sends the row). Their types, the table's
# and the binary COPY's.
_RAW_COLUMNS = (*STAGE_COLUMNS, "observation")
_RAW_TYPES = ("integer", "varchar", "varchar", "boolean", "date", "integer", "bigint",
              "text", "text", "date", "text", "text", "text", "bigint", "text", "text", "text")
_RAW_DEFINITION = ", ".join(f"{c} {t}" for c, t in zip(_RAW_COLUMNS, _RAW_TYPES, strict=True))
# Where a staged row holds what its observation key is made of.
_KIND, _SUBJECT, _OBSERVED_ON = map(STAGE_COLUMNS.index, ("kind", "subject", "observed_on"))
_CREATE = f"CREATE TEMPORARY TABLE {RAW} ({_RAW_DEFINITION}) ON COMMIT DROP"
# What both statements that store a chunk's signals (_SPLIT, _INSERT) write, in order.
_SIGNAL_COLUMNS = ("source_id, kind, observed_on, months_overdue, amount, batch_id, chunk_no, "
                   "line, household_id, person_id, match, name_masked, address, created_at, "
                   "household_key, observation")
_CREATE_STAGE = f"""
CREATE TEMPORARY TABLE {STAGE} ({_RAW_DEFINITION},
    person_id bigint, household_id bigint, match varchar(10), placed boolean) ON COMMIT DROP"""


def _named(row: str) -> str:
    """Whether a staged ``row`` (its alias) names a person: a name, a birth date and an
    address, what _by_name looks a person up by."""
    return f"{row}.name_key <> '' AND {row}.birth_date IS NOT NULL AND {row}.address <> ''"


def _by_name(row: str, when: str = "") -> str:
    """The person a staged ``row`` (its alias) names by name + birth date + address key: two
    index probes; of two such people, the first registered (as households.bulk's
    people_by_name_and_birth), the first that person_name_birth_id gives, which holds them
    in id order (no sort). ``when``: a condition on the outer row to test first."""
    return f"""
    SELECT q.id, q.household_id FROM {_PERSON} q JOIN {_HOUSEHOLD} h ON h.id = q.household_id
     WHERE {when}{_named(row)}
       AND q.name_key = {row}.name_key AND q.birth_date = {row}.birth_date
       AND h.address_key = {row}.address_key
     ORDER BY q.id LIMIT 1"""


# The person a staged row ``r`` is by its RRN hash: one hash-index probe. A row without
# an RRN is not probed for one: its subject (a hash of name, birth date and address) is
# looked up as NULL, which the index answers without a search (as a join filter,
# ``r.has_rrn`` was tested after the probe).
_BY_RRN = f"""{_PERSON} p ON p.rrn_hash = CASE WHEN r.has_rrn THEN r.subject END"""

# Most rows match a person on the RRN hash, or else by name + birth date + address key
# (_by_name), and go straight into the signals: one statement, with no staging row
# written and updated for them. The rest with an address are staged for placing and
# describing. The rest without one are only counted (unplaceable): each is about
# somebody this district does not register and cannot place (most rows of a national
# feed), so nobody here can follow it up, and crisis data on them has no purpose here.
# Returns the rows kept by RRN and by name, counted and staged. Only the rows that name a
# person (_named) join the probe by name: a lateral subquery is set up again for every
# row it joins, even where its condition is false at once — for a national feed's rows,
# a twentieth of the statement.
_SPLIT = f"""
WITH m AS MATERIALIZED (
    SELECT r.*, p.id AS person_id, p.household_id, 'rrn' AS how
      FROM {RAW} r LEFT JOIN {_BY_RRN}
     WHERE ({_named('r')}) IS NOT TRUE
    UNION ALL
    SELECT r.*, coalesce(p.id, n.id) AS person_id,
           coalesce(p.household_id, n.household_id) AS household_id,
           CASE WHEN p.id IS NOT NULL THEN 'rrn' ELSE 'name' END AS how
      FROM {RAW} r LEFT JOIN {_BY_RRN}
      LEFT JOIN LATERAL ({_by_name("r", when="p.id IS NULL AND ")}) n ON true
     WHERE {_named('r')}),
staged AS (
    INSERT INTO {STAGE} SELECT {", ".join(_RAW_COLUMNS)}, NULL, NULL, NULL, false FROM m
     WHERE m.person_id IS NULL AND (m.address <> '' OR m.address_detail <> '')
    RETURNING 1),
kept AS (
    INSERT INTO {_SIGNAL} ({_SIGNAL_COLUMNS})
    SELECT %(source)s, kind, observed_on, months_overdue, amount, %(batch)s,
           %(chunk)s, line, household_id, person_id, how, '', '', now(), household_id,
           observation::uuid AS observation
      FROM m WHERE person_id IS NOT NULL
     -- In the key's order (as _INSERT): the chunk's inserts walk the key's pages once,
     -- and a household's signals lie side by side, where scoring reads them by range.
     ORDER BY household_id, observation
    ON CONFLICT DO NOTHING RETURNING match)
SELECT count(*) FILTER (WHERE match = 'rrn'), count(*) FILTER (WHERE match = 'name'),
       (SELECT count(*) FROM m
         WHERE person_id IS NULL AND address = '' AND address_detail = ''),
       (SELECT count(*) FROM staged)
  FROM kept"""

# The rows placed as candidates, matched again under the candidate lock (_match_placed).
# ``{how}``: 'rrn', or coalesce(s.match, 'rrn') once rows are marked as candidates (they
# stay candidates: matching again only fills their new person in).
_MATCH_RRN = f"""
UPDATE {STAGE} s SET person_id = p.id, household_id = p.household_id, match = {{how}}
  FROM {_PERSON} p
 WHERE s.person_id IS NULL AND s.has_rrn AND p.rrn_hash = s.subject AND s.placed"""
# (An UPDATE's own rows cannot feed a lateral subquery: the table is read again as ``t``
# and each row joined to itself by its ctid, a TID scan.)
_MATCH_NAME = f"""
UPDATE {STAGE} s SET person_id = n.id, household_id = n.household_id, match = {{how}}
  FROM {STAGE} t CROSS JOIN LATERAL ({_by_name("t")}) n
 WHERE s.ctid = t.ctid
   AND t.person_id IS NULL AND t.placed"""
_PLACE_BY_ADDRESS = f"""
UPDATE {STAGE} s SET dong_id = h.dong_id
  FROM {_HOUSEHOLD} h
 WHERE s.person_id IS NULL AND s.dong_id IS NULL AND s.address <> ''
   AND s.address_key <> '' AND h.address_key = s.address_key"""
_MARK_CANDIDATES = f"""
UPDATE {STAGE} SET match = 'candidate', placed = true
 WHERE person_id IS NULL AND dong_id IS NOT NULL"""
# The chunk's signals: first all but the candidates' (``placed``), then, under the
# candidate lock, theirs — so the lock is held for the candidates only, not the chunk.
_INSERT = f"""
WITH kept AS (
    INSERT INTO {_SIGNAL} ({_SIGNAL_COLUMNS})
    SELECT %(source)s, s.kind, s.observed_on, s.months_overdue, s.amount,
           %(batch)s, %(chunk)s, s.line, s.household_id, s.person_id,
           coalesce(s.match, 'unmatched'), coalesce(u.name_masked, ''),
           coalesce(u.address, ''), now(), coalesce(s.household_id, 0) AS household_key,
           s.observation::uuid AS observation
      FROM {STAGE} s LEFT JOIN {UNMATCHED} u ON u.line = s.line
     WHERE s.placed = %(placed)s
     -- One order for every chunk, the key's (_SPLIT's): concurrent inserts of shared keys
     -- wait, not deadlock. Two chunks could still cross between their statements — the
     -- matched rows, the other staged rows, the candidates' — PostgreSQL then aborts one,
     -- and the chunk is retried like any failed chunk.
     ORDER BY household_key, observation
    ON CONFLICT DO NOTHING RETURNING match)
SELECT match, count(*) FROM kept GROUP BY match"""


def pipeline_settings(cursor) -> None:
    """For the rest of the transaction: index probes, not a scan of the whole registry per
    chunk (the planner's default page costs are for spinning disks; 1.1 is the usual
    setting for SSDs); and no JIT — the temporary tables have no statistics, so the
    planner overestimates them and compiled every statement with LLVM (half a second
    each, more than the statement itself)."""
    cursor.execute("SET LOCAL random_page_cost = 1.1")
    cursor.execute("SET LOCAL jit = off")
    # A chunk's rows are sorted in memory, not in temporary files.
    cursor.execute("SET LOCAL work_mem = '32MB'")


def chunk_commit_unflushed() -> None:
    """A chunk's transaction (parse or score) commits without waiting for its WAL to reach
    the disk: on the bench's machine a chunk's COMMIT waited 10–19 ms for the flush,
    0.6–1.0 s of a million-row round summed over the workers. PostgreSQL stays consistent
    whatever happens (its documentation: "does not create any risk of database
    inconsistency"); a crash of the database server may lose the last fraction of a second
    of commits, and with them a chunk's rows and its status alike, as they commit together
    — the chunk is pending again, claimed by a task no worker holds, and
    signal_chunks_recover queues it again. Every ordinary commit after it (the batch's step
    to scoring or done, any staff action) flushes the WAL up to itself, so nothing a later
    step acted on can be lost. SET LOCAL: the setting ends with the transaction. (SQLite
    has no such setting: nothing to do.)"""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")


def _match_placed(cursor, *, keep_candidates=False) -> None:
    """Match the rows placed as candidates again (another chunk may have created their
    people since, or this one just did)."""
    for statement, how in ((_MATCH_RRN, "rrn"), (_MATCH_NAME, "name")):
        how = f"coalesce(s.match, '{how}')" if keep_candidates else f"'{how}'"
        cursor.execute(statement.format(how=how))


def _copy_rows(cursor, table: str, columns, rows, types=None) -> None:
    """COPY rows in; with their column ``types``, in binary (no text to escape on this side,
    nor dates and numbers to parse on the server's)."""
    binary = " (FORMAT BINARY)" if types else ""
    with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN{binary}") as copy:
        if types:
            copy.set_types(types)
        for row in rows:
            copy.write_row(row)


def chunk_store(rows: list[tuple], *, source, batch_id: int, chunk_no: int) -> dict:
    """Store one chunk's staged rows (signal_stream.STAGE_COLUMNS); returns {match: rows
    inserted}, the unplaceable rows counted as unmatched though not kept. Runs inside the
    chunk's transaction."""
    with connection.cursor() as cursor:
        pipeline_settings(cursor)
        # Dropped at commit; also here, for a caller whose transaction goes on (tests).
        cursor.execute(f"DROP TABLE IF EXISTS {RAW}, {STAGE}, {UNMATCHED}")
        cursor.execute(_CREATE)
        source_id = source.pk
        observation = observation_hexes(source_id)
        _copy_rows(cursor, RAW, _RAW_COLUMNS, (
            row + (observation(row[_KIND], row[_SUBJECT], row[_OBSERVED_ON]),)
            for row in rows), _RAW_TYPES)
        cursor.execute(_CREATE_STAGE)
        cursor.execute(_SPLIT, {"source": source_id, "batch": batch_id, "chunk": chunk_no})
        by_rrn, by_name, unplaceable, staged = cursor.fetchone()
        cursor.execute(f"DROP TABLE {RAW}")
        kept = {match: n for match, n in (("rrn", by_rrn), ("name", by_name),
                                          ("unmatched", unplaceable)) if n}
        if staged:
            _staged_store(cursor, kept, source=source, batch_id=batch_id, chunk_no=chunk_no)
        cursor.execute(f"DROP TABLE IF EXISTS {STAGE}, {UNMATCHED}")
        return kept


def _staged_store(cursor, kept: dict, *, source, batch_id: int, chunk_no: int) -> None:
    """The staged rows (matched to nobody, with an address): placed, unregistered-household
    candidates created; their signals stored, counted in ``kept``."""
    cursor.execute(_PLACE_BY_ADDRESS)
    cursor.execute(_MARK_CANDIDATES)
    candidates = cursor.rowcount
    _unmatched_describe(cursor)
    for placed in (False, True) if candidates else (False,):
        if placed:
            _candidates_create(cursor, source)
        cursor.execute(_INSERT, {"source": source.pk, "batch": batch_id, "chunk": chunk_no,
                                 "placed": placed})
        for match, n in cursor.fetchall():
            kept[match] = kept.get(match, 0) + n


def _candidates_create(cursor, source) -> None:
    """Unregistered-household candidates for the rows marked 'candidate', under the lock;
    another chunk may have created them since: match again first."""
    candidates_lock()
    _match_placed(cursor)
    staged_candidates_add(STAGE, summary=message("candidate_found", source=source.name))
    _match_placed(cursor, keep_candidates=True)


def _unmatched_describe(cursor) -> None:
    """Where an unmatched row said it lives, masked, for staff to follow up."""
    cursor.execute(f"CREATE TEMPORARY TABLE {UNMATCHED} (line integer, name_masked text, "
                   f"address text) ON COMMIT DROP")
    # Only rows with an address are staged (_SPLIT).
    cursor.execute(f"SELECT line, name, address, address_detail FROM {STAGE} "
                   f"WHERE match IS NULL AND (address <> '' OR address_detail <> '')")
    described = [(line, mask_name(name)[:50], f"{address} {detail}".strip()[:250])
                 for line, name, address, detail in cursor.fetchall()]
    if described:
        _copy_rows(cursor, UNMATCHED, ("line", "name_masked", "address"), described)
