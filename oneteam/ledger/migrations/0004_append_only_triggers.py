"""Database triggers that refuse UPDATE, DELETE and TRUNCATE on the ledger's
entries and checkpoints, for any SQL that gets past the ORM's own refusal.

PostgreSQL: one plpgsql function raising SQLSTATE 23001 (restrict_violation,
surfacing as IntegrityError), a row trigger for UPDATE/DELETE and a statement
trigger for TRUNCATE. SQLite: BEFORE UPDATE / BEFORE DELETE triggers calling
RAISE(ABORT, ...). Other backends: nothing (not supported by OneTeam).

Note for later migrations: on SQLite, an operation that rebuilds one of these
tables (most AlterField/AddConstraint) drops its triggers with the old table.
Such a migration must re-create them; ``tests/test_guard.py`` fails if a
trigger is missing after all migrations.
"""

from django.db import migrations

TABLES = ("ledger_ledgerentry", "ledger_ledgercheckpoint")

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'OneTeam ledger table % is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation',
              HINT = 'Corrections are new entries; see docs/ledger.md.';
END;
$$;
"""


def install(apps, schema_editor):
    connection = schema_editor.connection
    qn = connection.ops.quote_name
    if connection.vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION, params=None)  # None: the % in RAISE is not a placeholder
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {qn(table)} "
                f"FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()"
            )
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {qn(table)} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change()"
            )
    elif connection.vendor == "sqlite":
        for table in TABLES:
            for op in ("UPDATE", "DELETE"):
                schema_editor.execute(
                    f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {qn(table)} "
                    f"BEGIN SELECT RAISE(ABORT, 'OneTeam ledger table {table} is append-only: {op} refused'); END"
                )


def uninstall(apps, schema_editor):
    connection = schema_editor.connection
    qn = connection.ops.quote_name
    if connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {qn(table)}")
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {qn(table)}")
        schema_editor.execute("DROP FUNCTION IF EXISTS ledger_refuse_change()")
    elif connection.vendor == "sqlite":
        for table in TABLES:
            for op in ("update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{op}")


class Migration(migrations.Migration):

    dependencies = [
        ("ledger", "0003_head_row"),
    ]

    operations = [
        migrations.RunPython(install, uninstall),
    ]
