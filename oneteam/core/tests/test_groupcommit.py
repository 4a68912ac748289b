"""Group commit: concurrent submissions share a write, each caller gets its
own result or its own error, nothing waits forever. The transaction module
is replaced by a recorder here so the batching itself is tested without a
database (the kernel and intake tests write through it for real)."""

from __future__ import annotations

import contextlib
import threading
import time

import pytest

from oneteam.core import groupcommit
from oneteam.core.groupcommit import GroupCommit


class FakeTransaction:
    """Records atomic blocks; ``in_atomic_block`` as the test sets it."""

    def __init__(self):
        self.in_atomic_block = False
        self.blocks = 0

    def get_connection(self):
        return self

    @contextlib.contextmanager
    def atomic(self):
        self.blocks += 1
        yield


@pytest.fixture
def tx(monkeypatch):
    fake = FakeTransaction()
    monkeypatch.setattr(groupcommit, "transaction", fake)
    return fake


def run_threads(targets):
    threads = [threading.Thread(target=t) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert not any(t.is_alive() for t in threads), "a submitter never returned"


def test_quiet_submit_is_a_batch_of_one(tx):
    batches = []
    gc = GroupCommit("t", lambda items: batches.append(list(items)) or [i * 10 for i in items])
    assert gc.submit(4) == 40
    assert batches == [[4]] and tx.blocks == 1 and (gc.batches, gc.items) == (1, 1)


def test_submissions_during_a_write_share_the_next_batch(tx):
    first_started, release = threading.Event(), threading.Event()
    batches = []

    def write(items):
        batches.append(list(items))
        if items == ["a"]:
            first_started.set()
            assert release.wait(5)
        return [f"done:{i}" for i in items]

    gc = GroupCommit("t", write)
    results = {}

    def submit(item):
        results[item] = gc.submit(item)

    leader = threading.Thread(target=submit, args=("a",))
    leader.start()
    assert first_started.wait(5)
    others = [threading.Thread(target=submit, args=(x,)) for x in "bcd"]
    for t in others:
        t.start()
    deadline = time.monotonic() + 5
    while len(gc._queue) < 3 and time.monotonic() < deadline:  # all three queued behind the running write
        time.sleep(0.005)
    release.set()
    for t in [leader, *others]:
        t.join(timeout=10)
    assert results == {x: f"done:{x}" for x in "abcd"}
    assert batches[0] == ["a"] and sorted(batches[1]) == ["b", "c", "d"] and len(batches) == 2
    assert (gc.batches, gc.items) == (2, 4)


def test_a_failed_batch_is_retried_item_by_item_and_only_the_bad_one_fails(tx):
    gate = threading.Event()
    batches = []

    def write(items):
        batches.append(list(items))
        if items == ["first"]:
            assert gate.wait(5)
        if "bad" in items:
            raise ValueError("bad item")
        return [i.upper() for i in items]

    gc = GroupCommit("t", write)
    results = {}

    def submit(item):
        try:
            results[item] = gc.submit(item)
        except ValueError as exc:
            results[item] = exc

    leader = threading.Thread(target=submit, args=("first",))
    leader.start()
    while not batches:
        time.sleep(0.001)
    rest = [threading.Thread(target=submit, args=(x,)) for x in ("ok1", "bad", "ok2")]
    for t in rest:
        t.start()
    while len(gc._queue) < 3:
        time.sleep(0.001)
    gate.set()
    for t in [leader, *rest]:
        t.join(timeout=10)
    assert results["first"] == "FIRST" and results["ok1"] == "OK1" and results["ok2"] == "OK2"
    assert isinstance(results["bad"], ValueError)
    assert sorted(batches[1]) == ["bad", "ok1", "ok2"]  # tried together, then one by one
    assert sorted(map(tuple, batches[2:])) == [("bad",), ("ok1",), ("ok2",)]


def test_inside_a_callers_transaction_the_work_joins_it_unbatched(tx):
    tx.in_atomic_block = True
    gc = GroupCommit("t", lambda items: [len(items)])
    assert gc.submit("x") == 1
    assert (gc.batches, tx.blocks) == (0, 1)  # a savepoint, no batch of its own


def test_an_error_reaches_its_own_submitter(tx):
    gc = GroupCommit("t", lambda items: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        gc.submit("x")
    # and the next submitter is not stuck behind it
    gc.write = lambda items: ["fine" for _ in items]
    assert gc.submit("y") == "fine"


def test_many_threads_all_return_with_their_own_results(tx):
    def write(items):
        time.sleep(0.002)
        return [i * i for i in items]

    gc = GroupCommit("t", write, max_batch=5)
    results = {}
    run_threads([lambda i=i: results.__setitem__(i, gc.submit(i)) for i in range(40)])
    assert results == {i: i * i for i in range(40)}
    assert gc.items == 40 and gc.batches < 40  # some submissions shared a write
