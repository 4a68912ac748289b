"""Background WAL checkpoints (``oneteam.core.sqlite``)."""

import sqlite3

import pytest
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
