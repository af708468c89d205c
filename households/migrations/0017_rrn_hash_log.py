"""PostgreSQL: a log of the RRN hashes people gain (registered with one, or given a new
one), each with the id of the transaction that wrote it.

A signal worker keeps the registry's hashes in memory (households.rrn_known) to count a
national feed's rows about people registered elsewhere without sending them to the
database; it brings that copy up to date from this log before each chunk. The log is
written by statement triggers, so every door — a form, the admin, a bulk SQL insert of
candidates — is in it; the transaction id tells a reader which entries may still have
been in flight when it last read. Entries older than a day are pruned (a reader older
than that loads the registry again)."""

from django.db import migrations

from households.migrations._postgresql import on_postgresql

TABLE = """
CREATE TABLE IF NOT EXISTS households_rrn_hash_log (
    xid xid8 NOT NULL DEFAULT pg_current_xact_id(),
    at timestamptz NOT NULL DEFAULT now(),
    rrn_hash varchar(64) NOT NULL)"""
INDEX = "CREATE INDEX IF NOT EXISTS rrn_hash_log_xid ON households_rrn_hash_log (xid)"
INSERTED = """
CREATE OR REPLACE FUNCTION households_rrn_hash_inserted() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO households_rrn_hash_log (rrn_hash)
    SELECT rrn_hash FROM added WHERE rrn_hash IS NOT NULL;
    RETURN NULL;
END $$"""
UPDATED = """
CREATE OR REPLACE FUNCTION households_rrn_hash_updated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO households_rrn_hash_log (rrn_hash)
    SELECT n.rrn_hash FROM added n JOIN removed o ON o.id = n.id
     WHERE n.rrn_hash IS NOT NULL AND n.rrn_hash IS DISTINCT FROM o.rrn_hash;
    RETURN NULL;
END $$"""
# Transition tables rule out a column list (UPDATE OF rrn_hash): the function compares.
TRIGGERS = (
    "CREATE TRIGGER person_rrn_hash_inserted AFTER INSERT ON households_person "
    "REFERENCING NEW TABLE AS added FOR EACH STATEMENT "
    "EXECUTE FUNCTION households_rrn_hash_inserted()",
    "CREATE TRIGGER person_rrn_hash_updated AFTER UPDATE ON households_person "
    "REFERENCING NEW TABLE AS added OLD TABLE AS removed FOR EACH STATEMENT "
    "EXECUTE FUNCTION households_rrn_hash_updated()",
)
DROP = (
    "DROP TRIGGER IF EXISTS person_rrn_hash_inserted ON households_person",
    "DROP TRIGGER IF EXISTS person_rrn_hash_updated ON households_person",
    "DROP FUNCTION IF EXISTS households_rrn_hash_inserted()",
    "DROP FUNCTION IF EXISTS households_rrn_hash_updated()",
    "DROP TABLE IF EXISTS households_rrn_hash_log",
)


class Migration(migrations.Migration):
    dependencies = [("households", "0016_person_rrn_hash_index")]
    operations = [migrations.RunPython(
        on_postgresql(TABLE, INDEX, INSERTED, UPDATED, *DROP[:2], *TRIGGERS),
        on_postgresql(*DROP))]
