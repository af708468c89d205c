"""Index kinds the models share."""

from django.db import models


class BlockRangeIndex(models.Index):
    """A BRIN index on PostgreSQL, a b-tree elsewhere (SQLite has no other kind).

    For columns whose values grow with the table, as a signal's or an assessment's batch:
    a b-tree on them makes every concurrent insert write into its last page, where the
    workers storing a round's chunks wait on each other. A BRIN keeps the smallest and
    largest value of every 128 table pages; rows added to the pages not yet summarised
    cost it nothing (VACUUM summarises them), and a search reads those pages too, so it
    finds them."""

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor == "postgresql":
            using = " USING brin"
        return super().create_sql(model, schema_editor, using=using, **kwargs)
