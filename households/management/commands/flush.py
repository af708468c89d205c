"""Django's flush, aware that the access log refuses to be emptied.

The test runner flushes the database after every transactional test. On PostgreSQL the
access log's triggers are stepped over with session_replication_role, which only a
superuser may set: a runtime role's flush still fails. On SQLite the triggers are
dropped for the flush and put back.
"""

import importlib

from django.core.management.commands.flush import Command as DjangoFlush
from django.db import connections

GUARD = importlib.import_module("households.migrations.0005_accesslog_no_truncate")


class Command(DjangoFlush):
    def handle(self, **options):
        connection = connections[options["database"]]
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = replica")
            try:
                return super().handle(**options)
            finally:
                with connection.cursor() as cursor:
                    cursor.execute("RESET session_replication_role")
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                for statement in GUARD.SQLITE_DROP:
                    cursor.execute(statement)
            try:
                return super().handle(**options)
            finally:
                with connection.cursor() as cursor:
                    for statement in GUARD.SQLITE_CREATE:
                        cursor.execute(statement)
        return super().handle(**options)
