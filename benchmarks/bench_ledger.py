"""Ledger throughput: appends per second, each beside a baseline measured in the same run.

Run::

    .venv/bin/python benchmarks/bench_ledger.py [--n 2000] [--repeat 3] [--threads 4]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/oneteam_ledger .venv/bin/python benchmarks/bench_ledger.py

Without ``DATABASE_URL`` it builds a fresh SQLite file in a temporary
directory (WAL, synchronous=NORMAL, BEGIN IMMEDIATE: the production settings).
With ``DATABASE_URL`` it creates a throw-away database ``<name>_bench_ledger``
on that server and drops it afterwards; your database is not touched. The
signing key goes to the temporary directory too.

Baseline: a plain INSERT of an equivalent row (same columns, same indexes,
same JSON payload) into a table with no chain, no hashing and no head lock,
issued exactly as an append issues its own INSERT, one row per transaction
like an append. The ratio is therefore the cost of the chain itself (head
lock, hashing, head update). ``Model.save()`` of the same row is shown for
reference: appends skip the ORM's query compilation, so they can beat it. Figures are
min / median / max over ``--repeat`` rounds, baseline and ledger interleaved
in each round; compare ratios, not absolute numbers
(``/work/shared/design/performance.md``).

Rows:
- ``append`` vs ``plain insert``: one entry per transaction.
- ``business insert + append`` vs ``business insert``: what a service pays for
  its record (a change and its ledger entry in one transaction).
- ``100 appends / txn`` vs ``100 inserts / txn``: CPU cost of hashing + chain.
- ``N threads append`` vs ``N threads insert``: contention on the head lock;
  the chain is verified afterwards (gap-free, valid) and reported.
- ``verify`` vs a plain scan of the same rows; ``checkpoint`` (full and
  incremental) and ``proof`` times.
"""

from __future__ import annotations

import argparse
import itertools
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="rows per measurement (default 2000)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds (default 3)")
    parser.add_argument("--threads", type=int, default=4, help="writer threads for the concurrency row")
    return parser.parse_args()


ARGS = parse_args()
TMP = Path(tempfile.mkdtemp(prefix="bench_ledger_"))
os.environ["ONETEAM_DATA_DIR"] = str(TMP)
os.environ.pop("ONETEAM_LEDGER_KEY", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oneteam.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections, models, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from oneteam.ledger import services  # noqa: E402
from oneteam.ledger.models import LedgerEntry  # noqa: E402
from oneteam.ledger.proofs import inclusion_proof  # noqa: E402
from oneteam.ledger.services import make_checkpoint  # noqa: E402
from oneteam.ledger.verification import verify_ledger  # noqa: E402


class PlainEntry(models.Model):
    """The baseline row: LedgerEntry's columns and indexes, nothing else."""

    seq = models.BigIntegerField(unique=True)
    recorded_at = models.DateTimeField()
    actor_id = models.BigIntegerField(null=True)
    actor_name = models.CharField(max_length=150, blank=True)
    body_id = models.BigIntegerField(null=True)
    body_name = models.CharField(max_length=200, blank=True)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    action = models.CharField(max_length=100)
    payload = models.JSONField(default=dict)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        app_label = "ledger"
        db_table = "bench_plain_entry"
        indexes = [models.Index(fields=["object_type", "object_id", "seq"], name="bench_plain_object_idx")]

    def __str__(self) -> str:
        return f"#{self.seq}"


class BusinessRow(models.Model):
    """Stand-in for the change a service records (a lead, a transition …)."""

    title = models.CharField(max_length=200)
    status = models.CharField(max_length=20)
    data = models.JSONField(default=dict)

    class Meta:
        app_label = "ledger"
        db_table = "bench_business_row"

    def __str__(self) -> str:
        return self.title


_plain_seq = itertools.count(1)
_plain_lock = threading.Lock()
PAYLOAD = {
    "status": {"old": "received", "new": "dispatched"},
    "to_body": 17,
    "note": "转派至甲镇综合行政执法队",
    "deadline": "2025-03-14T17:30:00+08:00",
}


_PLAIN_FIELDS = [f for f in PlainEntry._meta.concrete_fields if not f.primary_key]


def _plain_row(i: int) -> PlainEntry:
    with _plain_lock:
        seq = next(_plain_seq)
    return PlainEntry(
        seq=seq,
        recorded_at=timezone.now(),
        actor_id=7,
        actor_name="测试",
        body_id=3,
        body_name="甲镇综合信息指挥室",
        object_type="command.lead",
        object_id=str(i % 500),
        action="lead.dispatch",
        payload=PAYLOAD,
        prev_hash="0" * 64,
        hash=f"{seq:064x}",
    )


def plain_insert(i: int) -> None:
    """The baseline: the same INSERT an append issues (prepared SQL, fields adapted by
    ``get_db_prep_save``, RETURNING id), with no head lock, no hashing, no head update."""
    conn = transaction.get_connection()
    qn = conn.ops.quote_name
    row = _plain_row(i)
    sql = (
        f"INSERT INTO {qn(PlainEntry._meta.db_table)} ({', '.join(qn(f.column) for f in _PLAIN_FIELDS)}) "
        f"VALUES ({', '.join(['%s'] * len(_PLAIN_FIELDS))}) RETURNING {qn('id')}"
    )
    with conn.cursor() as cursor:
        cursor.execute(sql, [f.get_db_prep_save(getattr(row, f.attname), conn) for f in _PLAIN_FIELDS])
        cursor.fetchone()


def plain_orm_create(i: int) -> None:
    """Reference: the same row through ``Model.save()`` (what most services do)."""
    _plain_row(i).save(force_insert=True)


def ledger_append(i: int) -> None:
    services.append("lead.dispatch", object_type="command.lead", object_id=i % 500, payload=PAYLOAD)


def business_insert(i: int) -> None:
    BusinessRow.objects.create(title=f"事件{i}", status="dispatched", data=PAYLOAD)


# ---------------------------------------------------------------- measuring


def per_txn(fn, n: int) -> float:
    """Calls per second, one call per transaction."""
    start = time.perf_counter()
    for i in range(n):
        with transaction.atomic():
            fn(i)
    return n / (time.perf_counter() - start)


def batched(fn, n: int, batch: int = 100) -> float:
    start = time.perf_counter()
    for b in range(0, n, batch):
        with transaction.atomic():
            for i in range(b, min(n, b + batch)):
                fn(i)
    return n / (time.perf_counter() - start)


def threaded(fn, n: int, threads: int) -> float:
    per = n // threads
    barrier = threading.Barrier(threads + 1)
    errors: list[BaseException] = []

    def work(t: int) -> None:
        try:
            barrier.wait()
            for i in range(per):
                with transaction.atomic():
                    fn(t * per + i)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
    for w in workers:
        w.start()
    barrier.wait()
    start = time.perf_counter()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - start
    if errors:
        raise errors[0]
    return per * threads / elapsed


def both(fn_base, fn_ledger, measure, rounds: int) -> tuple[list[float], list[float]]:
    base, ledger = [], []
    for _ in range(rounds):
        base.append(measure(fn_base))
        ledger.append(measure(fn_ledger))
    return base, ledger


def business_plus_append(i: int) -> None:
    business_insert(i)
    ledger_append(i)


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def mmm(values: list[float]) -> str:
    return f"{min(values):>9,.0f} / {statistics.median(values):>9,.0f} / {max(values):>9,.0f}"


def row(label: str, base_label: str, base: list[float], ledger: list[float], unit: str = "/s") -> None:
    ratio = statistics.median(ledger) / statistics.median(base)
    print(f"  {base_label:<34} {mmm(base)} {unit}")
    print(f"  {label:<34} {mmm(ledger)} {unit}   ratio {ratio:.2f}")


# ---------------------------------------------------------------- set-up


def setup_database() -> str | None:
    """Migrate a fresh database; returns the original name to restore (PostgreSQL) or None."""
    old_name = None
    if connection.vendor == "postgresql":
        settings_dict = connection.settings_dict
        settings_dict.setdefault("TEST", {})["NAME"] = f"{settings_dict['NAME']}_bench_ledger"
        old_name = settings_dict["NAME"]
        connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False, serialize=False)
    else:
        call_command("migrate", verbosity=0)
    with connection.schema_editor() as editor:
        editor.create_model(PlainEntry)
        editor.create_model(BusinessRow)
    return old_name


def main() -> None:
    n, rounds, threads = ARGS.n, ARGS.repeat, ARGS.threads
    old_name = setup_database()
    try:
        vendor = connection.vendor
        desc = connection.settings_dict["NAME"]
        print(f"OneTeam ledger benchmark · {vendor} ({desc}) · n={n} · rounds={rounds} · min / median / max")
        if vendor == "sqlite":
            with connection.cursor() as c:
                c.execute("PRAGMA journal_mode")
                mode = c.fetchone()[0]
                c.execute("PRAGMA synchronous")
                sync = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}[c.fetchone()[0]]
            print(
                f"  journal_mode={mode} synchronous={sync} transaction_mode="
                f"{connection.settings_dict['OPTIONS'].get('transaction_mode')}"
            )
        print()

        print("one row per transaction")
        base, ledger = both(plain_insert, ledger_append, lambda fn: per_txn(fn, n), rounds)
        row("ledger append", "plain insert (baseline)", base, ledger)
        base, orm = both(plain_insert, plain_orm_create, lambda fn: per_txn(fn, n), rounds)
        row("same row via Model.save() (ref.)", "plain insert (baseline)", base, orm)
        base, ledger = both(business_insert, business_plus_append, lambda fn: per_txn(fn, n), rounds)
        row("business insert + ledger append", "business insert (baseline)", base, ledger)

        print("\n100 rows per transaction (per row)")
        base, ledger = both(plain_insert, ledger_append, lambda fn: batched(fn, n), rounds)
        row("ledger append", "plain insert (baseline)", base, ledger)

        print(f"\n{threads} threads, one row per transaction")
        base, ledger = both(plain_insert, ledger_append, lambda fn: threaded(fn, n, threads), rounds)
        row("ledger append", "plain insert (baseline)", base, ledger)

        total = LedgerEntry.objects.count()
        report = verify_ledger()
        seqs_ok = list(LedgerEntry.objects.order_by("seq").values_list("seq", flat=True)) == list(range(1, total + 1))
        print(f"  chain after all runs: {total:,} entries, gap-free={seqs_ok}, verify ok={report.ok}")
        if not report.ok:
            print("  " + report.summary())

        print(f"\nreading the whole record ({total:,} entries, rows per second)")
        scan, verify = [], []
        for _ in range(rounds):
            scan.append(
                total
                / timed(
                    lambda: sum(
                        1
                        for _ in LedgerEntry.objects.order_by("seq")
                        .values_list(*[f.attname for f in LedgerEntry._meta.concrete_fields])
                        .iterator(chunk_size=2000)
                    )
                )
            )
            verify.append(total / timed(verify_ledger))
        row("verify-ledger", "plain ordered scan (baseline)", scan, verify)

        full = timed(make_checkpoint)  # no checkpoint yet: hashes the whole tree
        with transaction.atomic():
            for i in range(100):
                ledger_append(i)
        incremental = timed(make_checkpoint)
        proof = timed(lambda: inclusion_proof("command.lead", "7"))
        print(
            f"\ncheckpoint over {total:,} entries: {full * 1000:,.0f} ms; incremental (+100): "
            f"{incremental * 1000:,.0f} ms; proof for one object: {proof * 1000:,.0f} ms"
        )
    finally:
        connections.close_all()
        if old_name is not None:
            connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=False)
        shutil.rmtree(TMP, ignore_errors=True)


if __name__ == "__main__":
    main()
