"""Schema operations for migrations that Django's own would do expensively."""

from __future__ import annotations

import copy

from django.db import migrations


def drop_column_indexes(*fields: tuple[str, str, str]) -> migrations.RunPython:
    """Drop the single-column indexes that ``db_index=True`` made for
    ``(app_label, model_name, field_name)`` (PostgreSQL's ``_like`` twin
    included), found by introspection; the reverse recreates them.

    Use it as the ``database_operations`` of a ``SeparateDatabaseAndState``
    whose ``state_operations`` set ``db_index=False``: SQLite's ``AlterField``
    would copy the whole table for each field (minutes at 10⁶ leads), where
    dropping an index is instant."""

    def forward(apps, schema_editor):
        connection = schema_editor.connection
        with connection.cursor() as cursor:
            for app_label, model_name, field_name in fields:
                model = apps.get_model(app_label, model_name)
                table, column = model._meta.db_table, model._meta.get_field(field_name).column
                for name, info in connection.introspection.get_constraints(cursor, table).items():
                    if info["index"] and not info["unique"] and not info["primary_key"] and info["columns"] == [column]:
                        schema_editor.execute(schema_editor.sql_delete_index % {
                            "table": schema_editor.quote_name(table), "name": schema_editor.quote_name(name)})

    def backward(apps, schema_editor):
        for app_label, model_name, field_name in fields:
            model = apps.get_model(app_label, model_name)
            field = copy.copy(model._meta.get_field(field_name))
            field.db_index = True
            for statement in schema_editor._field_indexes_sql(model, field):
                schema_editor.execute(statement)

    return migrations.RunPython(forward, backward, elidable=False)
