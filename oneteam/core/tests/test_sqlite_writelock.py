"""The SQLite backend queues writers on an OS lock instead of SQLite's
sleep-and-retry: a second writer waits for the first's commit and then
proceeds at once; an in-memory database takes no lock."""

import threading
import time

import pytest
from django.db import connection, connections

from oneteam.core.db.sqlite3.base import DatabaseWrapper

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite backend only")


def wrapper(path) -> DatabaseWrapper:
    settings = {**connection.settings_dict, "NAME": str(path), "TEST": {}, "ATOMIC_REQUESTS": False,
                "AUTOCOMMIT": True, "CONN_MAX_AGE": 0, "CONN_HEALTH_CHECKS": False, "TIME_ZONE": None,
                "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=100;",
                            "transaction_mode": "IMMEDIATE"}}
    return DatabaseWrapper(settings, alias=f"writelock-{id(settings)}")


@pytest.fixture(autouse=True)
def _own_connections(django_db_blocker):
    with django_db_blocker.unblock():  # these tests open their own connections to a file
        yield


def test_second_writer_waits_for_the_first_commit(tmp_path):
    db = tmp_path / "w.sqlite3"
    a, b = wrapper(db), wrapper(db)
    with a.cursor() as cur:
        cur.execute("CREATE TABLE t (n integer)")
    order = []

    b.inc_thread_sharing()  # b is used by the second thread only

    def second():
        b.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
        order.append("b begins")
        with b.cursor() as cur:
            cur.execute("INSERT INTO t VALUES (2)")
        b.commit()
        b.set_autocommit(True)

    a.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    with a.cursor() as cur:
        cur.execute("INSERT INTO t VALUES (1)")
    thread = threading.Thread(target=second)
    thread.start()
    time.sleep(0.3)  # longer than SQLite's busy timeout (100 ms): b would have failed "database is locked"
    assert order == [] and thread.is_alive()
    order.append("a commits")
    a.commit()
    a.set_autocommit(True)
    thread.join(5)
    assert order == ["a commits", "b begins"]
    with a.cursor() as cur:
        cur.execute("SELECT n FROM t ORDER BY n")
        assert [r[0] for r in cur.fetchall()] == [1, 2]
    a.close()
    b.close()
    b.dec_thread_sharing()
    assert (tmp_path / "w.sqlite3.writelock").exists()


def test_rollback_releases_the_lock(tmp_path):
    db = tmp_path / "r.sqlite3"
    a, b = wrapper(db), wrapper(db)
    a.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    a.rollback()
    a.set_autocommit(True)
    b.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)  # would block if a still held it
    b.rollback()
    b.set_autocommit(True)
    a.close()
    b.close()


@pytest.mark.django_db
def test_the_project_uses_it_and_the_test_database_needs_no_lock():
    default = connections["default"]
    assert isinstance(default, DatabaseWrapper)
    assert default.is_in_memory_db() and default._lock_path() is None
