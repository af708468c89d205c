"""A signal's observation key: one definition (observation_key; the set-based pipeline
sends its hex with each staged row: test_signal_import checks what it stores), every way a
signal is written sets it, and migration 0031 gives existing rows theirs."""

import uuid
from datetime import date, timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from hypothesis import given
from hypothesis import strategies as st

from households.models import Organization
from outreach.models import RiskAssessment, RiskSignal, SignalBatch
from outreach.models.signal_batches import observation_hex, observation_hexes, observation_key


@given(source=st.integers(1, 10**9), rows=st.lists(st.tuples(
    st.text(max_size=45), st.text(max_size=70),
    st.dates(date(1990, 1, 1), date(2040, 12, 31))), max_size=30))
def test_a_chunks_keys_are_the_keys_of_its_rows(source, rows):
    """observation_hexes, which hashes each (kind, date)'s text once for a chunk, gives
    every row the key observation_hex gives it alone — rows of one kind and date too."""
    keyed = observation_hexes(source)
    for kind, subject, day in rows + rows[:3]:
        assert keyed(kind, subject, day) == observation_hex(source, kind, subject, day)


def test_the_key_tells_every_part_apart():
    base = (7, "power_cutoff", "a" * 64, date(2026, 11, 30))
    keys = {observation_key(*base), observation_key(8, *base[1:]),
            observation_key(7, "water_cutoff", *base[2:]),
            observation_key(7, "power_cutoff", "b" * 64, base[3]),
            observation_key(*base[:3], base[3] - timedelta(days=1)),
            observation_key(*base[:3], date(1999, 12, 31))}
    assert len(keys) == 6
    # Fields run together must not meet: "1|2" + "3" is not "1" + "2|3".
    assert observation_key(1, "2|x", "y", base[3]) != observation_key(1, "2", "x|y", base[3])


@pytest.fixture
def batch(db):
    source = Organization.objects.create(name="한국전력공사", code="kepco",
                                         kind=Organization.Kind.PUBLIC)
    return SignalBatch.objects.create(source=source, channel=SignalBatch.Channel.COMMAND,
                                      original_name="a.csv", sha256="0" * 64, size_bytes=1)


def _signal(batch, line, **changes) -> RiskSignal:
    fields = dict(source_id=batch.source_id, kind="power_cutoff", subject="c" * 64,
                  observed_on=date(2026, 11, 2), batch=batch, chunk_no=0, line=line,
                  match=RiskSignal.Match.UNMATCHED)
    return RiskSignal(**{**fields, **changes})


def test_save_and_bulk_create_set_the_key_and_the_same_observation_is_kept_once(batch):
    first = _signal(batch, 2)
    first.save()
    assert first.observation == observation_key(batch.source_id, "power_cutoff", "c" * 64,
                                                date(2026, 11, 2))
    with pytest.raises(IntegrityError), transaction.atomic():
        _signal(batch, 3).save()
    RiskSignal.objects.bulk_create(
        [_signal(batch, 4), _signal(batch, 5, kind="water_cutoff")], ignore_conflicts=True)
    assert sorted(RiskSignal.objects.values_list("line", flat=True)) == [2, 5]
    other = RiskSignal.objects.get(line=5)
    assert other.observation == observation_key(batch.source_id, "water_cutoff", "c" * 64,
                                                date(2026, 11, 2))
    # The key is the primary key: a stored signal saved again stays one row; one edited
    # to say something else would be a second, and is refused.
    other.months_overdue = 3
    other.save()
    other.observed_on = date(2026, 11, 3)
    with pytest.raises(ValueError):
        other.save()
    assert list(RiskSignal.objects.order_by("line").values_list(
        "line", "observed_on", "months_overdue")) == [
        (2, date(2026, 11, 2), None), (5, date(2026, 11, 2), 3)]


@pytest.mark.django_db(transaction=True)
def test_the_migration_keys_the_signals_already_stored():
    before = [("outreach", "0030_contact_seconds_packed")]
    after = [("outreach", "0031_signal_observation_key")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    source = apps.get_model("households", "Organization").objects.create(
        name="국민건강보험공단", code="nhis", kind="public")
    batch = apps.get_model("outreach", "SignalBatch").objects.create(
        source=source, channel="command", original_name="a.csv", sha256="1" * 64,
        size_bytes=1)
    old = apps.get_model("outreach", "RiskSignal")
    stored = [("health_insurance_arrears", "d" * 64, date(2026, 10, 1)),
              ("power_cutoff", "d" * 64, date(1998, 2, 3)),
              ("power_cutoff", "e" * 64, date(2026, 10, 1))]
    for line, (kind, subject, observed_on) in enumerate(stored, start=2):
        old.objects.create(source=source, kind=kind, subject=subject, observed_on=observed_on,
                           batch=batch, chunk_no=0, line=line, match="rrn")

    executor = MigrationExecutor(connection)
    executor.migrate(after)
    apps = executor.loader.project_state(after).apps
    keyed = apps.get_model("outreach", "RiskSignal").objects.order_by("line")
    assert [s.observation for s in keyed] == [
        observation_key(source.pk, kind, subject, observed_on)
        for kind, subject, observed_on in stored]
    assert all(isinstance(s.observation, uuid.UUID) for s in keyed)

    # Migration 0033 makes the key the primary key, 0035 the household (none here: 0) and
    # the key: the rows stay, found by their key.
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    # (Django 5.2 orders values_list("pk", "line") by the wrong column: the key's two
    # columns shift the position it orders by. Read as instances.)
    assert [(s.pk, s.line) for s in RiskSignal.objects.order_by("line")] == [
        ((0, observation_key(source.pk, kind, subject, observed_on)), line)
        for line, (kind, subject, observed_on) in enumerate(stored, start=2)]


@pytest.mark.django_db
def test_signals_are_keyed_by_household_and_observation_and_found_by_batch_through_a_brin():
    """One b-tree, the primary key, led by the household (every reader by household uses
    it); no serial id (a second b-tree on every insert, whose last page the workers
    storing chunks at once contend for), and on PostgreSQL a BRIN on the batch, whose
    keys only grow too; SQLite, which has no BRIN, keeps a b-tree."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(
            cursor, RiskSignal._meta.db_table)
    [primary] = [c["columns"] for c in constraints.values() if c["primary_key"]]
    if connection.vendor == "postgresql":
        assert primary == ["household_key", "observation"]
    else:  # SQLite tells a key's columns in the table's order
        assert sorted(primary) == ["household_key", "observation"]
    assert [name for name, c in constraints.items() if c["index"] and not c["primary_key"]
            and not c["unique"]] == ["signal_batch_chunk"]
    by_batch = constraints["signal_batch_chunk"]
    assert by_batch["columns"] == ["batch_id", "chunk_no"]
    if connection.vendor == "postgresql":
        assert by_batch["type"] == "brin"
    assert "id" not in {f.column for f in RiskSignal._meta.concrete_fields}
    # A round's assessments too are found by batch through one.
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(
            cursor, RiskAssessment._meta.db_table)
    indexed = {tuple(c["columns"]): c["type"] for c in constraints.values() if c["index"]}
    assert ("batch_id",) in indexed
    if connection.vendor == "postgresql":
        assert indexed[("batch_id",)] == "brin"
