"""PostgreSQL: the registry's RRN hashes as a signal worker keeps them — the log every door
writes to (statement triggers), and a copy that never misses a hash committed before it
is read, whichever transaction wrote it first."""

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from households.models import Person
from households.rrn import rrn_hash
from households.rrn_known import (
    SLOT_BYTES,
    KnownHashes,
    PrefixFilter,
    prefix,
    rrn_hash_log_prune,
)
from tests.factories import HouseholdFactory, PersonFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="the log and the workers' copy are PostgreSQL's"),
]


def logged() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT rrn_hash FROM households_rrn_hash_log ORDER BY xid, rrn_hash")
        return [h for (h,) in cursor.fetchall()]


@pytest.fixture
def empty_log():
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE households_rrn_hash_log")


def other_connection():
    """A second session on the test database, as another worker or a staff member."""
    params = connection.get_connection_params()
    for key in ("cursor_factory", "context", "prepare_threshold"):
        params.pop(key, None)
    return psycopg.connect(**params)


def test_the_log_holds_every_hash_a_person_gains_by_any_door(empty_log):
    kim = PersonFactory(rrn="450101-2345678")  # the service a form calls
    PersonFactory()  # no RRN
    Person.objects.filter(pk=kim.pk).update(name="김영순")  # the same hash: nothing
    Person.objects.filter(pk=kim.pk).update(rrn_hash=rrn_hash("4501012345679"))  # corrected
    Person.objects.filter(pk=kim.pk).update(rrn_hash=None)  # anonymised: nothing to add
    household = HouseholdFactory()
    Person.objects.bulk_create([  # a bulk insert, as candidates are made
        Person(household=household, name="이민수", rrn_hash=rrn_hash("7001011234567")),
        Person(household=household, name="이민호"),
        Person(household=household, name="이민지", rrn_hash=rrn_hash("7201012234567")),
    ])
    assert logged()[:2] == [rrn_hash("4501012345678"), rrn_hash("4501012345679")]
    assert sorted(logged()[2:]) == sorted([rrn_hash("7001011234567"),
                                           rrn_hash("7201012234567")])


def test_a_copy_knows_every_hash_committed_before_it_is_read_even_one_written_earlier():
    """A transaction that gained a hash before a younger one committed, and commits after
    the copy read the younger one's, is still read next time (by transaction id, not by
    what was last seen)."""
    known = KnownHashes()
    registered = PersonFactory(rrn="450101-2345678")
    assert prefix(registered.rrn_hash) in known.current()
    moving = PersonFactory()
    older, younger = rrn_hash("9001011234567"), rrn_hash("9101011234567")
    with other_connection() as other:
        other.execute("UPDATE households_person SET rrn_hash = %s WHERE id = %s",
                      [older, moving.pk])  # in flight
        PersonFactory(rrn="910101-1234567")  # a younger transaction, committed
        assert prefix(younger) in known.current()
        assert prefix(older) not in known.prefixes
        other.commit()
    assert prefix(older) in known.current()


@pytest.mark.parametrize("edited", [
    ["", "aa", "0123456789abcde"],  # all too short for a prefix: the registry read at once
    ["", "aa", "손으로 고친 값", "0x0123456789abcdef"],  # not hex: read row by row
])
def test_a_value_no_digest_gives_is_passed_over(edited):
    household = HouseholdFactory()
    digests = [rrn_hash("8001011234567"), rrn_hash("8101012234567")]
    Person.objects.bulk_create([Person(household=household, name="가", rrn_hash=value)
                                for value in [*edited, *digests]])
    known = KnownHashes().current()
    assert all(prefix(digest) in known for digest in digests)
    assert prefix(rrn_hash("8201011234567")) not in known


def test_the_filter_holds_each_prefix_and_lets_few_others_through():
    """A slot per prefix's first SLOT_BYTES bytes: every prefix added is in; of others, only
    those that share a slot (a row sent to the database to be matched, as before)."""
    import random

    rng = random.Random(7)
    added = [rng.getrandbits(64) for _ in range(50_000)]
    others = [rng.getrandbits(64) for _ in range(50_000)]
    known = PrefixFilter(added)
    assert all(number in known for number in added)
    through = sum(number in known for number in others)
    assert through < 0.006 * len(others)  # 50,000 of 2^24 slots: 0.3 % expected
    # As the workers' loops read it, off a digest's bytes.
    assert all(known.slots[int.from_bytes(number.to_bytes(8)[:SLOT_BYTES])]
               for number in added)
    known.clear()
    assert not any(number in known for number in added)


def test_an_old_copy_is_loaded_again():
    known = KnownHashes()
    known.current()
    PersonFactory(rrn="450101-2345678")
    known.prefixes.clear()  # were the log lost, only a new load would find it
    known.loaded_at -= 3600
    assert prefix(rrn_hash("4501012345678")) in known.current()


def test_the_log_keeps_a_day(empty_log):
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO households_rrn_hash_log (rrn_hash, at) VALUES "
                       "('aa', now() - interval '25 hours'), ('bb', now() - interval '1 hour')")
    assert rrn_hash_log_prune() == 1
    assert logged() == ["bb"]
    from config.celery import app

    app.loader.import_default_modules()  # the tasks beat would send
    assert settings.CELERY_BEAT_SCHEDULE["rrn-hash-log-prune"]["task"] in app.tasks
