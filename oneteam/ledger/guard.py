"""Lifting the append-only triggers, for the two legitimate cases: ``flush``
(the test runner empties every table between transactional tests) and tests
that tamper with the record on purpose to prove verification catches it.

:func:`guard_suspended` works inside a savepoint of the current transaction
and relies on transactional DDL (both PostgreSQL and SQLite have it): the
triggers are disabled (PostgreSQL: ``ALTER TABLE … DISABLE TRIGGER USER``) or
dropped and re-created from their stored SQL (SQLite), and if anything inside
fails, the savepoint rollback restores them. No other connection ever sees the
table unguarded: PostgreSQL holds an exclusive lock on it until commit, SQLite
has a single writer.

This is not a way around the guard for the application: it needs the table
owner's rights, exactly like dropping the triggers would. Tamper *evidence*
does not depend on the triggers; it comes from the hash chain and the signed
checkpoints held by other bodies.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections, transaction

GUARDED_TABLES = ("ledger_ledgerentry", "ledger_ledgercheckpoint")


def installed_triggers(using: str = DEFAULT_DB_ALIAS) -> set[str]:
    """Names of the guard triggers present on the ledger tables (for tests and checks)."""
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D' "
                "AND tgrelid::regclass::text = ANY(%s)",
                [list(GUARDED_TABLES)],
            )
        elif connection.vendor == "sqlite":
            placeholders = ", ".join(["%s"] * len(GUARDED_TABLES))
            cursor.execute(
                f"SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ({placeholders})",
                list(GUARDED_TABLES),
            )
        else:
            return set()
        return {row[0] for row in cursor.fetchall()}


@contextmanager
def guard_suspended(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Within the caller's transaction, let UPDATE/DELETE/TRUNCATE through on
    the ledger tables until the block ends."""
    connection = connections[using]
    if not connection.in_atomic_block:
        raise RuntimeError("guard_suspended() must run inside transaction.atomic()")
    qn = connection.ops.quote_name
    with transaction.atomic(using=using):
        tables = [t for t in GUARDED_TABLES if t in connection.introspection.table_names()]
        saved: list[str] = []
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                for table in tables:
                    cursor.execute(f"ALTER TABLE {qn(table)} DISABLE TRIGGER USER")
            elif connection.vendor == "sqlite" and tables:
                placeholders = ", ".join(["%s"] * len(tables))
                cursor.execute(
                    f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ({placeholders})",
                    tables,
                )
                for name, sql in cursor.fetchall():
                    cursor.execute(f"DROP TRIGGER {qn(name)}")
                    saved.append(sql)
        yield
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                for table in tables:
                    cursor.execute(f"ALTER TABLE {qn(table)} ENABLE TRIGGER USER")
            else:
                for sql in saved:
                    cursor.execute(sql)
