"""PostgreSQL: the RRN hashes the registry holds, as a signal worker keeps them across
chunks (a byte for each value of a hash's first three bytes: 16 MB, whatever the
registry's size), so that a national feed's rows about people registered elsewhere —
about half a round — are counted in the worker instead of being sent to the database to
be found unmatched.

A filter, never the match: a row whose hash is here still goes to the database, which
matches it against the registry as it is then; a row whose hash is not is about nobody
the registry held when the chunk began. A slot shared with a registered hash only lets
a row through: with 430,000 people registered, about 2 % of the rows about outsiders.

Brought up to date before each chunk from households_rrn_hash_log (migration 0017),
whose statement triggers log every hash a person gains, by any door. Each read takes the
entries of every transaction that was not yet finished at the last read (transaction ids
from the oldest then in flight on), so whatever committed before a chunk starts — a
person staff registered, a candidate an earlier chunk of the same file created — is
known to that chunk. One copy per process (Celery's solo and prefork pools run one task
at a time in a process)."""

import re
import sys
import time
from array import array

from django.db import DataError, connection, transaction

# A copy older than this is loaded afresh; the log keeps entries far longer (LOG_KEEP).
RELOAD_AFTER_S = 600
LOG_KEEP = "1 day"
_HORIZON = "SELECT pg_snapshot_xmin(pg_current_snapshot())::text"


def prefix(rrn_hash: str) -> int:
    """The first 64 bits of a hex hash, as the filter is asked about them."""
    return int(rrn_hash[:16], 16)


# The filter: a byte for each value of a hash's first SLOT_BYTES bytes (16 MB), set when
# some hash the registry holds begins with them. A set of the prefixes, as ints, took
# 31 MB of a worker's 300 for the bench's 430,000 people, grew with the registry, and was
# slower to ask (its 16 MB table of pointers, and each int they point to, read at random).
SLOT_BYTES = 3
_SHIFT = 64 - 8 * SLOT_BYTES


class PrefixFilter:
    """Which 64-bit prefixes (ints) may be the registry's: ``prefix in filter``. The loops
    that ask it for every row read ``slots`` at ``int.from_bytes(digest[:SLOT_BYTES])``
    themselves: through a method, a lookup took about twice as long."""

    __slots__ = ("slots",)

    def __init__(self, prefixes=()):
        self.slots = bytearray(1 << (8 * SLOT_BYTES))
        self.update(prefixes)

    def update(self, prefixes) -> None:
        slots = self.slots
        for number in prefixes:
            slots[number >> _SHIFT] = 1

    def __contains__(self, number: int) -> bool:
        return bool(self.slots[number >> _SHIFT])

    def clear(self) -> None:
        self.slots = bytearray(len(self.slots))


class KnownHashes:
    def __init__(self):
        self.prefixes = PrefixFilter()
        self.horizon: str | None = None  # an xid8: entries from it on are read again
        self.loaded_at = 0.0
        self.database = None

    def current(self) -> PrefixFilter:
        """The filter, with every hash committed before this call."""
        database = connection.settings_dict["NAME"]
        with connection.cursor() as cursor:
            # The horizon first: a transaction older than it had finished before the
            # read below took its snapshot, so the read sees all it wrote.
            cursor.execute(_HORIZON)
            (horizon,) = cursor.fetchone()
            if (self.horizon is None or database != self.database
                    or time.monotonic() - self.loaded_at > RELOAD_AFTER_S):
                self.prefixes = _registry_prefixes(cursor)
                self.database, self.loaded_at = database, time.monotonic()
            else:
                cursor.execute("SELECT substr(rrn_hash, 1, 16) FROM households_rrn_hash_log "
                               "WHERE xid >= %s::xid8", [self.horizon])
                self.prefixes.update(_prefixes(cursor.fetchall()))
            self.horizon = horizon
        return self.prefixes


# Every prefix as 8 bytes, one value for the whole registry: a row each was 430,000
# tuples of text for the worker to take apart (0.24 s and 0.16 s of its CPU against
# 0.13 s and 0.05 s, measured on the bench's registry), the first chunk of a round waiting
# on it in every worker. (Checking each value's digits in SQL, instead of falling back
# below, doubled the time of the read.)
_PACKED = ("SELECT string_agg(decode(substr(rrn_hash, 1, 16), 'hex'), ''::bytea) "
           "FROM households_person WHERE octet_length(rrn_hash) >= 16")
_ROWS = "SELECT substr(rrn_hash, 1, 16) FROM households_person WHERE rrn_hash IS NOT NULL"


def _registry_prefixes(cursor) -> PrefixFilter:
    """The prefixes of every hash the registry holds."""
    try:
        with transaction.atomic():
            cursor.execute(_PACKED)
            (packed,) = cursor.fetchone()
    except DataError:
        # A value that is not hex (hand-edited, say): row by row, passing it over.
        cursor.execute(_ROWS)
        return PrefixFilter(_prefixes(cursor.fetchall()))
    prefixes = array("Q", packed or b"")  # 8 bytes each, in this machine's order
    if sys.byteorder == "little":
        prefixes.byteswap()  # the hex's first byte is the most significant
    return PrefixFilter(prefixes)


def _prefixes(rows: list[tuple[str]]) -> list[int]:
    """The prefixes of hashes read; a value that does not begin with 16 hex digits
    (hand-edited, say) is passed over rather than failing the chunk — its row only goes to
    the database. (One shorter than that is passed over by _PACKED's filter too.)"""
    return [prefix(head) for (head,) in rows if _HEX_PREFIX(head)]


_HEX_PREFIX = re.compile("[0-9a-fA-F]{16}").fullmatch


KNOWN = KnownHashes()


def rrn_hash_log_prune() -> int:
    """Daily: drop log entries older than LOG_KEEP (every copy is reloaded long before).
    The log is PostgreSQL's alone (SQLite stages no signals this way)."""
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM households_rrn_hash_log "
                       f"WHERE at < now() - interval '{LOG_KEEP}'")
        return cursor.rowcount
