"""Print the SQL for the two-role PostgreSQL set-up that keeps the access log honest.

The owner role runs migrations and purge_access_log; Doorstep's web and worker processes
connect as a runtime role that owns nothing. Not owning households_accesslog, it cannot
ALTER TABLE … DISABLE TRIGGER, and it holds no UPDATE, DELETE or TRUNCATE on it at all:
the triggers are the second wall, not the only one.
"""

from django.core.management.base import BaseCommand
from django.db import connection


def runtime_role_sql(*, role: str, database: str, owner: str,
                     password: str = "change-me") -> list[str]:
    """Statements, run by the owner once per installation (and again after adding tables
    only if default privileges were not set)."""
    quoted = connection.ops.quote_name
    role_q, owner_q, db_q = quoted(role), quoted(owner), quoted(database)
    return [
        f"CREATE ROLE {role_q} LOGIN PASSWORD '{password}' NOSUPERUSER NOCREATEDB "
        "NOCREATEROLE NOINHERIT",
        f"GRANT CONNECT, TEMPORARY ON DATABASE {db_q} TO {role_q}",
        f"GRANT USAGE ON SCHEMA public TO {role_q}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role_q}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role_q}",
        # The access log: read and append, nothing else.
        f"REVOKE UPDATE, DELETE, TRUNCATE ON households_accesslog FROM {role_q}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner_q} IN SCHEMA public "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role_q}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner_q} IN SCHEMA public "
        f"GRANT USAGE, SELECT ON SEQUENCES TO {role_q}",
    ]


class Command(BaseCommand):
    help = ("Print the SQL that creates the runtime role: no UPDATE, DELETE or TRUNCATE on "
            "the access log and not its owner. Run it as the owner (the migrating role).")

    def add_arguments(self, parser):
        parser.add_argument("--role", default="doorstep_runtime")
        parser.add_argument("--owner", help="the role that owns the tables (default: "
                            "the DATABASE_URL user)")

    def handle(self, *args, role, owner, **options):
        settings_dict = connection.settings_dict
        if connection.vendor != "postgresql":
            self.stderr.write("The two-role set-up is for PostgreSQL; SQLite has no roles.")
            return
        owner = owner or settings_dict.get("USER") or "postgres"
        self.stdout.write(
            f"-- Run as {owner}. Then give the web and worker processes\n"
            f"--   DATABASE_URL=postgres://{role}:…@host/{settings_dict['NAME']}\n"
            "-- and keep the owner's URL for `migrate` and `purge_access_log`.\n"
        )
        for statement in runtime_role_sql(role=role, database=settings_dict["NAME"],
                                          owner=owner):
            self.stdout.write(statement + ";")
