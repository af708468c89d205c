"""Bulk writes over any table: PostgreSQL COPY into a scratch table, then one INSERT … SELECT."""

import functools
import json
import operator

from django.db import connection, models, transaction
from django.utils import timezone


def _constant(value, _obj):
    return value


def _json_of(attname, obj):
    return json.dumps(getattr(obj, attname), ensure_ascii=False)


def pg_bulk_insert(model, objs: list, tail: str = "") -> list[tuple]:
    """PostgreSQL: COPY the rows into a temporary table, then one INSERT … SELECT from it
    (in the objects' order) with ``tail`` (ON CONFLICT, RETURNING). COPY formats the rows
    in psycopg's C code, where array parameters were formatted value by value in Python.
    Columns come from the model, so a field added later is filled from its default."""
    if not objs:
        return []
    now = timezone.now()
    names, getters = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            getter = functools.partial(_constant, now)
        elif isinstance(field, models.JSONField):
            getter = functools.partial(_json_of, field.attname)
        else:
            getter = operator.attrgetter(field.attname)
        names.append(connection.ops.quote_name(field.column))
        getters.append(getter)
    table = connection.ops.quote_name(model._meta.db_table)
    scratch = f"_bulk_{model._meta.db_table}"
    columns = ", ".join(names)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {scratch} ON COMMIT DROP AS "
                       f"SELECT 0 AS _ord, {columns} FROM {table} WITH NO DATA")
        with cursor.cursor.copy(f"COPY {scratch} (_ord, {columns}) FROM STDIN") as copy:
            for n, obj in enumerate(objs):
                copy.write_row([n, *(get(obj) for get in getters)])
        cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {scratch} "
                       f"ORDER BY _ord {tail}")
        returned = cursor.fetchall() if "RETURNING" in tail else []
        cursor.execute(f"DROP TABLE {scratch}")
    return returned
