"""SQLite under the server (``oneteam.core.sqlite``): background WAL
checkpoints and the writers' queue (with ``oneteam.core.backends.sqlite3``)."""

import fcntl
import io
import multiprocessing
import os
import sqlite3
import threading
import time

import pytest
from django.core.management import call_command
from django.db import connections

from oneteam.core import sqlite as core_sqlite


def wal_database(path):
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA wal_autocheckpoint=0")  # as the requests' connections, in effect
    db.execute("CREATE TABLE t (x TEXT)")
    for _ in range(200):
        db.execute("INSERT INTO t VALUES (?)", ["x" * 2000])
    return db


def test_a_checkpoint_copies_the_wal_into_the_database(tmp_path):
    path = tmp_path / "w.sqlite3"
    writer = wal_database(path)  # 200 rows of 2 kB: about 100 pages, all still in the WAL
    checkpointer = core_sqlite.Checkpointer(str(path))
    own = sqlite3.connect(path, isolation_level=None)
    checkpointer.checkpoint(own)
    assert checkpointer.runs == 1 and checkpointer.pages >= 100
    writer.execute("INSERT INTO t VALUES (?)", ["y" * 2000])  # writers go on meanwhile
    checkpointer.checkpoint(own)
    busy, frames, copied = own.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    assert busy == 0 and copied == frames  # everything in the WAL is in the database file
    # A reader that opens the database file alone (no WAL) sees every row.
    writer.close(), own.close()
    assert sqlite3.connect(path).execute("SELECT count(*) FROM t").fetchone() == (201,)


def test_the_thread_runs_until_stopped(tmp_path):
    path = tmp_path / "w.sqlite3"
    wal_database(path).close()
    checkpointer = core_sqlite.Checkpointer(str(path), interval=0.01)
    checkpointer.start()
    try:
        for _ in range(500):
            if checkpointer.runs >= 3:
                break
            checkpointer.stopped.wait(0.01)
    finally:
        checkpointer.stop()
        checkpointer.join(timeout=5)
    assert checkpointer.runs >= 3 and not checkpointer.is_alive()


@pytest.mark.django_db
@pytest.mark.skipif(connections["default"].vendor != "sqlite", reason="SQLite only")
def test_served_connections_leave_checkpoints_to_the_thread(monkeypatch):
    def autocheckpoint():
        connection = connections.create_connection("default")
        try:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA wal_autocheckpoint")
                return cursor.fetchone()[0]
        finally:
            connection.close()

    assert autocheckpoint() == 1000  # SQLite's default: runserver, commands, tests
    monkeypatch.setattr(core_sqlite, "_background", False)
    core_sqlite.use_background_checkpoints()
    assert autocheckpoint() == core_sqlite.SAFETY_PAGES


@pytest.mark.django_db
@pytest.mark.skipif(connections["default"].vendor != "sqlite", reason="SQLite only")
def test_no_checkpointer_for_an_in_memory_database():
    assert core_sqlite.start_checkpointer() is None  # the test database is in memory


# ---------------------------------------------------------------- the writers' queue


def queued_connection(path):
    """A connection of the project's SQLite backend to the file ``path``."""
    from oneteam.core.backends.sqlite3.base import DatabaseWrapper

    settings_dict = {**connections["default"].settings_dict, "NAME": str(path)}
    settings_dict["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    return DatabaseWrapper(settings_dict, alias="queued")


def begin(connection):
    """What ``transaction.atomic()`` does on entry, for a connection outside ``connections``."""
    connection.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)


def end(connection, *, commit=True):
    connection.commit() if commit else connection.rollback()
    connection.set_autocommit(True)


@pytest.fixture
def queue_on(monkeypatch, django_db_blocker):
    """The queue enabled, and connections to files outside the test database allowed."""
    monkeypatch.setattr(core_sqlite, "_queue_writers", True)
    with django_db_blocker.unblock():
        yield


def test_a_writer_waits_in_the_queue_until_the_holder_commits(tmp_path, queue_on):
    path = tmp_path / "q.sqlite3"
    first = queued_connection(path)
    with first.cursor() as cursor:
        cursor.execute("CREATE TABLE t (x INTEGER)")
    begin(first)
    with first.cursor() as cursor:
        cursor.execute("INSERT INTO t VALUES (1)")
    entered, done = threading.Event(), threading.Event()

    def write():
        second = queued_connection(path)  # a connection belongs to its thread
        begin(second)  # blocks in the queue, not in SQLite's busy handler
        entered.set()
        with second.cursor() as cursor:
            cursor.execute("INSERT INTO t VALUES (2)")
        end(second)
        second.close()
        done.set()

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    assert not entered.wait(0.3)  # the holder has not committed
    end(first)
    assert done.wait(10)
    thread.join(10)
    with first.cursor() as cursor:
        cursor.execute("SELECT x FROM t ORDER BY x")
        assert cursor.fetchall() == [(1,), (2,)]
    first.close()


def test_a_write_outside_a_transaction_queues_for_its_statement_and_a_read_does_not(tmp_path, queue_on):
    path = tmp_path / "q.sqlite3"
    setup = queued_connection(path)
    with setup.cursor() as cursor:
        cursor.execute("CREATE TABLE t (x INTEGER)")
        cursor.execute("INSERT INTO t VALUES (1)")
    assert not setup.write_queue().held  # each left after its statement
    setup.close()
    holder = core_sqlite.WriteQueue(str(path))  # another writer's place (as another process)
    holder.enter()
    read, written, seen = threading.Event(), threading.Event(), []

    def work():
        conn = queued_connection(path)  # a connection belongs to its thread
        with conn.cursor() as cursor:
            cursor.execute("SELECT x FROM t")
            seen.append(cursor.fetchall())
            read.set()
            cursor.execute("UPDATE t SET x = 2")  # autocommit: waits for the holder
            written.set()
            cursor.execute("SELECT x FROM t")
            seen.append(cursor.fetchall())
        conn.close()

    thread = threading.Thread(target=work, daemon=True)
    try:
        thread.start()
        assert read.wait(10)  # reads never wait in the queue
        assert not written.wait(0.3)
    finally:
        holder.leave()
    assert written.wait(10)
    thread.join(10)
    assert seen == [[(1,)], [(2,)]]
    holder.close()


@pytest.mark.parametrize(
    ("sql", "queued"),
    [
        ("SELECT 1", False),
        ("  select * FROM t", False),
        ("PRAGMA table_info(t)", False),
        ("EXPLAIN QUERY PLAN SELECT 1", False),
        ("INSERT INTO t VALUES (1)", True),
        ("update t set x = 1", True),
        ("DELETE FROM t", True),
        ("WITH d AS (SELECT 1) DELETE FROM t", True),
        ("CREATE TABLE u (x)", True),
    ],
)
def test_which_statements_write(sql, queued):
    from oneteam.core.backends.sqlite3.base import writes

    assert writes(sql) is queued


@pytest.mark.parametrize("how", ["rollback", "close", "failed begin"])
def test_the_queue_is_left_on_every_way_out(tmp_path, queue_on, how, monkeypatch):
    from django.db import OperationalError
    from django.db.backends.sqlite3 import base as django_sqlite

    path = tmp_path / "q.sqlite3"
    holder = queued_connection(path)
    if how == "failed begin":  # BEGIN fails after the queue was entered (e.g. the disk is gone)

        def fail(self):
            raise OperationalError("disk I/O error")

        monkeypatch.setattr(django_sqlite.DatabaseWrapper, "_start_transaction_under_autocommit", fail)
        with pytest.raises(OperationalError):
            begin(holder)
    else:
        begin(holder)
        end(holder, commit=False) if how == "rollback" else holder.close()
    assert not holder.write_queue().held
    other_fd = os.open(core_sqlite.queue_path(str(path)), os.O_RDWR)
    try:
        fcntl.flock(other_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # free: would raise BlockingIOError if held
    finally:
        os.close(other_fd)
    holder.close()


def test_no_queue_unless_enabled_or_for_a_database_in_memory(tmp_path, queue_on, monkeypatch):
    path = tmp_path / "q.sqlite3"
    monkeypatch.setattr(core_sqlite, "_queue_writers", False)
    plain = queued_connection(path)
    begin(plain)
    end(plain)
    plain.close()
    assert not os.path.exists(core_sqlite.queue_path(str(path)))
    monkeypatch.setattr(core_sqlite, "_queue_writers", True)
    assert queued_connection(":memory:").write_queue() is None


def _enter_and_report(queue, started, conn):
    started.set()
    t = time.monotonic()
    queue.enter()
    conn.send(time.monotonic() - t)
    queue.leave()


def test_processes_queue_and_a_fork_takes_its_own_place(tmp_path):
    """A queue object inherited through fork() opens its own file description
    in the child (an inherited one would share the parent's lock)."""
    queue = core_sqlite.WriteQueue(str(tmp_path / "q.sqlite3"))
    queue.enter()
    context = multiprocessing.get_context("fork")
    started = context.Event()
    parent_end, child_end = context.Pipe()
    child = context.Process(target=_enter_and_report, args=(queue, started, child_end))
    child.start()
    assert started.wait(10)
    assert not parent_end.poll(0.3)  # the child waits for the parent's turn to end
    queue.leave()
    assert parent_end.poll(10)
    assert parent_end.recv() >= 0.3
    child.join(10)
    assert child.exitcode == 0
    queue.close()


@pytest.mark.parametrize("setting", [True, False])
def test_serve_queues_writers_unless_the_setting_is_off(setting, monkeypatch, settings):
    from gunicorn.app.base import BaseApplication

    from oneteam.core.management.commands import serve

    settings.ONETEAM = {**settings.ONETEAM, "SQLITE_WRITE_QUEUE": setting}
    monkeypatch.setattr(core_sqlite, "_queue_writers", False)
    monkeypatch.setattr(core_sqlite, "_background", False)
    monkeypatch.setattr(serve, "call_command", lambda *args, **kwargs: None)  # no collectstatic
    monkeypatch.setattr(serve, "freeze_startup_heap", lambda: None)  # would freeze the test process (test_serve.py)
    monkeypatch.setattr(BaseApplication, "run", lambda self: None)  # configured, not started
    call_command("serve", "127.0.0.1:0", stdout=io.StringIO())
    assert core_sqlite._background is True
    assert core_sqlite._queue_writers is setting
