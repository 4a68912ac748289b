"""Group commit: the concurrent requests of one process write in one transaction.

SQLite has one writer, and on PostgreSQL every write path queues on the
ledger's head row; either way a write transaction is a turn at a single
lock, and what a turn costs (taking the lock, the commit, one round trip per
statement) hardly depends on how many rows it writes. A :class:`GroupCommit`
lets the requests that arrive while a turn is running share the next one:

- a thread with work calls :meth:`GroupCommit.submit` and queues it;
- if no batch is being written, that thread leads: it takes everything queued
  and writes it with the ``write`` function in one transaction, on its own
  connection, then wakes the others;
- otherwise it waits; the work is written by the leader of the next batch
  (often a batch of one when the server is quiet: no added delay, nothing is
  held back to fill a batch).

Each caller still returns only after its own work is committed, with its own
result, so the contract of the request does not change. If a batch fails, its
items are written again one by one, each in its own transaction, so one bad
item (say, a lost idempotency race) fails alone with its own exception.
``before`` (optional) runs on a batch just before its transaction, outside
it: work that should not hold the transaction's locks until the commit.

Inside a transaction the caller already holds (tests, a service composing
writes) there is no batching: the work joins that transaction, written at
once by the calling thread. ``transaction.on_commit`` callbacks registered by
``write`` run in the leading thread after the batch commits.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from django.db import transaction

T = TypeVar("T")
R = TypeVar("R")


class _Slot:
    __slots__ = ("done", "error", "item", "result")

    def __init__(self, item: Any) -> None:
        self.item = item
        self.done = False
        self.result: Any = None
        self.error: BaseException | None = None


class GroupCommit(Generic[T, R]):
    """Batch concurrent ``submit(item)`` calls into ``write(items) -> results`` (one result per item, in order)."""

    def __init__(self, name: str, write: Callable[[Sequence[T]], Sequence[R]], *, max_batch: int = 64,
                 before: Callable[[Sequence[T]], None] | None = None) -> None:
        self.name = name
        self.write = write
        #: Run by the leader on a batch just before its transaction, outside it.
        self.before = before
        self.max_batch = max_batch
        self._cond = threading.Condition()
        self._queue: list[_Slot] = []
        self._leading = False
        #: Batches written and items in them (for benchmarks and tests).
        self.batches = 0
        self.items = 0

    def submit(self, item: T) -> R:
        """Write ``item`` (alone, or with whatever else is queued) and return its result once committed."""
        if transaction.get_connection().in_atomic_block:
            with transaction.atomic():  # a savepoint: a failed item leaves nothing behind
                return self.write([item])[0]
        slot = _Slot(item)
        with self._cond:
            self._queue.append(slot)
        while True:
            with self._cond:
                while self._leading and not slot.done:
                    self._cond.wait()
                if slot.done:
                    break
                self._leading = True
                batch, self._queue = self._queue[: self.max_batch], self._queue[self.max_batch:]
            try:
                self._run(batch)
            finally:
                for other in batch:  # never leave a waiter behind (e.g. the leader interrupted)
                    if not other.done:
                        self._finish(other, error=RuntimeError(f"{self.name}: batch interrupted"))
                with self._cond:
                    self._leading = False
                    self._cond.notify_all()
        if slot.error is not None:
            raise slot.error
        return slot.result

    def _run(self, batch: list[_Slot]) -> None:
        try:
            if self.before is not None:
                self.before([slot.item for slot in batch])
            with transaction.atomic():
                results = self.write([slot.item for slot in batch])
        except Exception as exc:
            if len(batch) == 1:
                self._finish(batch[0], error=exc)
                return
            for slot in batch:  # one by one: each item fails or succeeds on its own
                try:
                    with transaction.atomic():
                        result = self.write([slot.item])[0]
                except Exception as each:  # handed to the submitting thread
                    self._finish(slot, error=each)
                else:
                    self._finish(slot, result=result)
            return
        self.batches += 1
        self.items += len(batch)
        for slot, result in zip(batch, results, strict=True):
            self._finish(slot, result=result)

    @staticmethod
    def _finish(slot: _Slot, *, result: Any = None, error: BaseException | None = None) -> None:
        slot.result, slot.error, slot.done = result, error, True
