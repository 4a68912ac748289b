"""Concurrent appenders on PostgreSQL keep one gap-free, valid chain.

SQLite needs no such test here: it has a single writer and OneTeam opens every
transaction with BEGIN IMMEDIATE, so appends cannot interleave (the benchmark
runs threads against a SQLite file and verifies the chain afterwards). The test
database on SQLite is in memory and cannot be shared between threads.
"""

import threading

import pytest
from django.db import connection, connections, transaction

from oneteam.ledger import services
from oneteam.ledger.models import LedgerEntry, LedgerHead
from oneteam.ledger.verification import verify_ledger

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: threads share no SQLite test DB"),
    pytest.mark.django_db(transaction=True),
]

THREADS = 8
PER_THREAD = 20


def run_appenders(threads: int, per_thread: int) -> list[BaseException]:
    barrier = threading.Barrier(threads)
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            barrier.wait()
            for i in range(per_thread):
                with transaction.atomic():
                    services.append("test.concurrent", object_type="test.thread", object_id=n, payload={"i": i})
        except BaseException as exc:  # reported by the test
            errors.append(exc)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
    return errors


def assert_gap_free_valid_chain(expected: int) -> None:
    assert list(LedgerEntry.objects.order_by("seq").values_list("seq", flat=True)) == list(range(1, expected + 1))
    report = verify_ledger()
    assert report.ok, report.summary()
    assert report.entries_checked == expected
    assert LedgerHead.objects.get(pk=1).seq == expected


def test_append_concurrent_threads_postgresql_chain_gap_free_and_valid():
    LedgerHead.objects.get_or_create(pk=1)  # as migration 0003 leaves it (a previous flush removes it)
    assert run_appenders(THREADS, PER_THREAD) == []
    assert_gap_free_valid_chain(THREADS * PER_THREAD)
    per_thread = {
        t: list(LedgerEntry.objects.filter(object_id=str(t)).order_by("seq").values_list("payload__i", flat=True))
        for t in range(THREADS)
    }
    assert all(v == list(range(PER_THREAD)) for v in per_thread.values())


def test_append_concurrent_first_appends_without_head_row_postgresql_one_chain():
    """If the head row is missing (a flushed database), racing first appends
    rebuild it with INSERT … ON CONFLICT DO NOTHING and still queue on it."""
    LedgerHead.objects.all().delete()
    assert run_appenders(THREADS, 3) == []
    assert_gap_free_valid_chain(THREADS * 3)
