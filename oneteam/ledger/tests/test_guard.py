"""The append-only guard: database triggers refuse UPDATE, DELETE and TRUNCATE."""

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from oneteam.ledger.guard import guard_suspended, installed_triggers
from oneteam.ledger.models import LedgerEntry, LedgerHead
from oneteam.ledger.services import make_checkpoint

from .helpers import add_entries, tamper

EXPECTED_TRIGGERS = {
    "postgresql": {
        "ledger_ledgerentry_append_only",
        "ledger_ledgerentry_no_truncate",
        "ledger_ledgercheckpoint_append_only",
        "ledger_ledgercheckpoint_no_truncate",
    },
    "sqlite": {
        "ledger_ledgerentry_no_update",
        "ledger_ledgerentry_no_delete",
        "ledger_ledgercheckpoint_no_update",
        "ledger_ledgercheckpoint_no_delete",
    },
}


def raw(sql: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))


@pytest.mark.django_db
def test_migrations_applied_all_guard_triggers_present():
    assert installed_triggers() == EXPECTED_TRIGGERS[connection.vendor]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE ledger_ledgerentry SET payload = '{\"forged\": true}' WHERE seq = 1",
        "UPDATE ledger_ledgerentry SET seq = seq + 100",
        "DELETE FROM ledger_ledgerentry WHERE seq = 2",
        "DELETE FROM ledger_ledgerentry",
    ],
)
def test_raw_sql_change_to_entries_refused_by_trigger(sql):
    add_entries(3)
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        raw(sql)
    assert LedgerEntry.objects.count() == 3


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sql", ["UPDATE ledger_ledgercheckpoint SET root = 'x'", "DELETE FROM ledger_ledgercheckpoint"]
)
def test_raw_sql_change_to_checkpoints_refused_by_trigger(sql):
    add_entries(1)
    make_checkpoint()
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        raw(sql)


@pytest.mark.django_db
@pytest.mark.parametrize("table", ["ledger_ledgerentry", "ledger_ledgercheckpoint"])
@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE exists only on PostgreSQL")
def test_truncate_ledger_table_refused_on_postgresql(table):
    add_entries(2)
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        raw(f"TRUNCATE {table}")
    assert LedgerEntry.objects.count() == 2


@pytest.mark.django_db
def test_raw_insert_allowed_by_trigger():
    """Append-only means appending is allowed; verification catches forged inserts (see test_verify)."""
    (entry,) = add_entries(1)
    raw(
        "INSERT INTO ledger_ledgerentry (seq, recorded_at, actor_name, body_name, object_type, object_id, action, "
        "payload, prev_hash, hash) SELECT 2, recorded_at, '', '', 'x.y', '1', 'raw', '{}', hash, %s "
        "FROM ledger_ledgerentry WHERE seq = 1",
        ["f" * 64],
    )
    assert LedgerEntry.objects.count() == 2 and entry.seq == 1


@pytest.mark.django_db
def test_guard_suspended_block_ends_triggers_back():
    add_entries(2)
    assert tamper("UPDATE ledger_ledgerentry SET action = 'x' WHERE seq = 1") == 1
    assert installed_triggers() == EXPECTED_TRIGGERS[connection.vendor]
    with pytest.raises(IntegrityError), transaction.atomic():
        raw("UPDATE ledger_ledgerentry SET action = 'y' WHERE seq = 1")


@pytest.mark.django_db
def test_guard_suspended_block_fails_triggers_back_and_change_undone():
    add_entries(1)
    with pytest.raises(RuntimeError), transaction.atomic(), guard_suspended():
        raw("UPDATE ledger_ledgerentry SET action = 'x' WHERE seq = 1")
        raise RuntimeError
    assert installed_triggers() == EXPECTED_TRIGGERS[connection.vendor]
    assert LedgerEntry.objects.get(seq=1).action == "test.act"


def test_guard_suspended_outside_transaction_raises(db):
    connection_ = transaction.get_connection()
    saved, connection_.in_atomic_block = connection_.in_atomic_block, False
    try:
        with pytest.raises(RuntimeError), guard_suspended():
            pass
    finally:
        connection_.in_atomic_block = saved


@pytest.mark.django_db(transaction=True)
def test_flush_with_ledger_entries_empties_them_and_next_append_starts_at_genesis():
    """``flush`` (used by the test runner after every transactional test) gets past the guard."""
    add_entries(3)
    make_checkpoint()
    call_command("flush", interactive=False, verbosity=0)
    assert not LedgerEntry.objects.exists()
    assert installed_triggers() == EXPECTED_TRIGGERS[connection.vendor]
    assert not LedgerHead.objects.exists()
    (entry,) = add_entries(1)
    assert entry.seq == 1
