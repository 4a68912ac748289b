"""Test helpers: writing entries, and tampering with the record on purpose.

Tampering must get past the append-only triggers. :func:`tamper` runs raw SQL
inside :func:`oneteam.ledger.guard.guard_suspended`, which lifts the triggers
within a savepoint of the test's transaction (PostgreSQL: ALTER TABLE …
DISABLE TRIGGER USER; SQLite: DROP TRIGGER, re-created afterwards). The
triggers are back as soon as the block ends, and the test's rollback undoes
everything.
"""

from __future__ import annotations

from django.db import connection, transaction

from oneteam.ledger import services
from oneteam.ledger.guard import guard_suspended


def add_entries(
    n: int,
    *,
    object_type: str = "org.township",
    object_id: str = "1",
    action: str = "test.act",
    actor=None,
    payload_of=lambda i: {"i": i},
) -> list:
    out = []
    with transaction.atomic():
        for i in range(n):
            out.append(
                services.append(
                    action, actor=actor, object_type=object_type, object_id=object_id, payload=payload_of(i)
                )
            )
    return out


def tamper(sql: str, params: list | tuple = ()) -> int:
    """Run raw SQL against the ledger tables past the guard; returns the row count."""
    with transaction.atomic(), guard_suspended(), connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return cursor.rowcount


def tamper_entry(seq: int, **fields) -> None:
    """Overwrite columns of entry ``seq`` in place (payload given as a dict)."""
    import json

    assignments, params = [], []
    for column, value in fields.items():
        assignments.append(f"{column} = %s")
        params.append(json.dumps(value, ensure_ascii=False) if column == "payload" else value)
    assert tamper(f"UPDATE ledger_ledgerentry SET {', '.join(assignments)} WHERE seq = %s", [*params, seq]) == 1


def rewrite_chain_from(seq: int, payload: dict) -> None:
    """What a careful forger with database access does: change entry ``seq``,
    then recompute every later hash and the head, so the chain alone looks intact."""
    from oneteam.ledger.chain import entry_hash
    from oneteam.ledger.models import LedgerEntry

    prev_hash = None
    for entry in LedgerEntry.objects.filter(seq__gte=seq).order_by("seq"):
        if entry.seq == seq:
            entry.payload = payload
        else:
            entry.prev_hash = prev_hash
        entry.hash = entry_hash(entry)
        tamper_entry(entry.seq, payload=entry.payload, prev_hash=entry.prev_hash, hash=entry.hash)
        prev_hash = entry.hash
    tamper("UPDATE ledger_ledgerhead SET hash = %s", [prev_hash])
