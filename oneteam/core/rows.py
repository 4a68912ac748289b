"""Inserting model rows on the hottest write paths without the ORM's per-call
query compilation.

Starting a process writes five or six rows (process, parties, record,
transition, deadline); through ``Model.save`` most of each insert's cost is
Django building the same SQL again (measured with ``benchmarks/bench_command.py``,
part c). :func:`insert` builds the ``INSERT`` once per model, row count and
database backend and runs it with each field's own preparation
(``pre_save`` then ``get_db_prep_save``), so defaults, ``auto_now_add`` and
value adaptation are exactly the ORM's. Like ``bulk_create`` it sends no
``pre_save``/``post_save`` signals and runs no ``save()`` override: use it
only for models with no signal receivers and no ``save()`` that adds to an
insert (the kernel's rows; the ledger's entries, whose ``save()`` only
refuses updates).

Most columns are plain values: a string for a ``CharField``, an int for an
``IntegerField`` or a key. For those the ORM's preparation returns the value
unchanged, so :func:`insert` passes it straight on (see :data:`PLAIN`); any
other value, and every other field, goes through the ORM's preparation.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connections, models, router

#: Field classes (exactly these, not subclasses, which may prepare values
#: their own way) whose ``pre_save`` and ``get_db_prep_save`` return a value
#: of these types unchanged on SQLite and PostgreSQL.
PLAIN: dict[type[models.Field], frozenset[type]] = {
    **dict.fromkeys([models.CharField, models.TextField, models.SlugField], frozenset({str, type(None)})),
    **dict.fromkeys([models.IntegerField, models.BigIntegerField, models.SmallIntegerField,
                     models.PositiveIntegerField, models.PositiveBigIntegerField, models.PositiveSmallIntegerField],
                    frozenset({int, type(None)})),
    models.BooleanField: frozenset({bool, type(None)}),
    models.FloatField: frozenset({float, type(None)}),
}
_INTEGER_KEYS = (models.AutoField, models.BigAutoField, models.SmallAutoField, models.IntegerField)
#: An attribute not loaded on the instance (its type is never plain).
_MISSING = object()

#: (model, rows, vendor) → the statement, the generated key and each column's (field, attname, plain types).
_SQL: dict[tuple, tuple[str, models.Field | None, list[tuple[models.Field, str, frozenset[type]]]]] = {}


def _plain(field: models.Field) -> frozenset[type]:
    """The value types ``field`` stores as they are (none: always prepared by the ORM)."""
    if type(field) in (models.ForeignKey, models.OneToOneField):
        target = field.target_field
        return frozenset({int, type(None)}) if type(target) in _INTEGER_KEYS else frozenset()
    return PLAIN.get(type(field), frozenset())


def _statement(model: type[models.Model], rows: int, connection):
    key = (model._meta.label, rows, connection.vendor)
    if key not in _SQL:
        qn = connection.ops.quote_name
        pk = model._meta.pk
        generated = pk if isinstance(pk, models.AutoField | models.BigAutoField | models.SmallAutoField) else None
        fields = [f for f in model._meta.concrete_fields if f is not generated]
        columns = ", ".join(qn(f.column) for f in fields)
        one = "(" + ", ".join(["%s"] * len(fields)) + ")"
        sql = f"INSERT INTO {qn(model._meta.db_table)} ({columns}) VALUES {', '.join([one] * rows)}"
        if generated is not None:
            sql += f" RETURNING {qn(generated.column)}"
        _SQL[key] = (sql, generated, [(f, f.attname, _plain(f)) for f in fields])
    return _SQL[key]


def insert(objs: Sequence[models.Model]) -> None:
    """Insert ``objs`` (unsaved instances of one model) in one statement and
    set their generated primary keys, as ``bulk_create`` would.

    Requires a backend that returns rows from a bulk insert (PostgreSQL;
    SQLite ≥ 3.35), which the project's settings ensure."""
    if not objs:
        return
    model = type(objs[0])
    connection = connections[router.db_for_write(model)]
    sql, generated, columns = _statement(model, len(objs), connection)
    params = []
    for obj in objs:
        if type(obj) is not model:
            raise TypeError("insert() takes instances of one model")
        # As bulk_create: a related object saved after it was assigned gives its key now.
        obj._prepare_related_fields_for_save(operation_name="insert")
        values = obj.__dict__
        for field, attname, plain in columns:
            value = values.get(attname, _MISSING)
            if type(value) not in plain:
                value = field.get_db_prep_save(field.pre_save(obj, True), connection)
            params.append(value)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if generated is not None:
            for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
                setattr(obj, generated.attname, pk)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
