"""The access log can be neither wiped nor rewritten: by the database's own triggers on
both backends, and on PostgreSQL by a runtime role that owns nothing."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from households.management.commands.runtime_role_sql import runtime_role_sql
from households.models import AccessLog

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="roles and TRUNCATE are PostgreSQL's")
sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite",
                                 reason="PostgreSQL has its own triggers (0002)")

RUNTIME = "doorstep_runtime_test"


@pytest.fixture
def entry(db):
    return AccessLog.objects.create(username="staff1", action="view", object_type="household",
                                    household_id=1)


def _refused(sql_or_call):
    with pytest.raises(DatabaseError), transaction.atomic():
        if callable(sql_or_call):
            sql_or_call()
        else:
            with connection.cursor() as cursor:
                cursor.execute(sql_or_call)


@sqlite_only
def test_sqlite_refuses_orm_update_and_delete(entry):
    _refused(lambda: AccessLog.objects.filter(pk=entry.pk).update(reason="tampered"))
    _refused(lambda: AccessLog.objects.filter(pk=entry.pk).delete())
    assert AccessLog.objects.get(pk=entry.pk).reason == ""


def _age(entry, days):
    """Backdate a row the way only a migration-owner could: around the trigger."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER households_accesslog_no_update")
            cursor.execute("UPDATE households_accesslog SET at = %s WHERE id = %s",
                           [timezone.now() - timedelta(days=days), entry.pk])
            from importlib import import_module

            guard = import_module("households.migrations.0005_accesslog_no_truncate")
            cursor.execute(guard.SQLITE_CREATE[0])
    else:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute("UPDATE households_accesslog SET at = %s WHERE id = %s",
                           [timezone.now() - timedelta(days=days), entry.pk])
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")


def test_purge_still_removes_rows_past_two_years(entry):
    young = AccessLog.objects.create(username="staff1", action="view", object_type="household")
    _age(entry, 800)
    call_command("purge_access_log", "--older-than-days", "730")
    assert list(AccessLog.objects.values_list("pk", flat=True)) == [young.pk]


@postgres_only
def test_postgres_refuses_truncate(entry):
    _refused("TRUNCATE households_accesslog")
    assert AccessLog.objects.filter(pk=entry.pk).exists()


@postgres_only
def test_runtime_role_can_append_and_read_but_not_wipe_or_fake(entry):
    owner = connection.settings_dict["USER"] or "postgres"
    with connection.cursor() as cursor:
        for statement in runtime_role_sql(role=RUNTIME, database=connection.settings_dict[
                "NAME"], owner=owner):
            cursor.execute(statement)

    def as_runtime(sql, params=None):
        with connection.cursor() as cursor:
            cursor.execute(f'SET LOCAL ROLE "{RUNTIME}"')
            cursor.execute(sql, params)

    for sql in ["TRUNCATE households_accesslog",
                "UPDATE households_accesslog SET reason = 'tampered'",
                "DELETE FROM households_accesslog",
                "ALTER TABLE households_accesslog DISABLE TRIGGER ALL",
                "SET session_replication_role = replica"]:
        _refused(lambda sql=sql: as_runtime(sql))
    with transaction.atomic():
        as_runtime("SELECT count(*) FROM households_accesslog")
        as_runtime(
            "INSERT INTO households_accesslog (at, username, action, object_type, object_id, "
            "reason, path) VALUES (now(), 'staff1', 'view', 'household', '', '', '')")
        # Ordinary tables stay writable for the runtime role.
        as_runtime("UPDATE households_household SET tong = tong WHERE false")
    assert AccessLog.objects.count() == 2


@postgres_only
def test_the_role_sql_is_printed(capsys):
    call_command("runtime_role_sql", "--role", "doorstep_runtime")
    out = capsys.readouterr().out
    assert 'REVOKE UPDATE, DELETE, TRUNCATE ON households_accesslog FROM "doorstep_runtime"' \
        in out


@pytest.mark.django_db(transaction=True)
def test_the_test_runners_flush_still_empties_it():
    """Transactional tests (browser, workers) flush the database after themselves; the
    flush command steps over the guard as a superuser or SQLite file owner may."""
    AccessLog.objects.create(username="staff1", action="view", object_type="household")
    call_command("flush", "--no-input", verbosity=0)
    assert AccessLog.objects.count() == 0
