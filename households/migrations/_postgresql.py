"""For migrations: run SQL on PostgreSQL only (SQLite, the embedded default, has no hash
indexes, triggers with transition tables or xid8)."""


def on_postgresql(*statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)
    return run
