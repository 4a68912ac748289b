"""SQLite under ``oneteam serve``: the WAL is checkpointed in the background.

In WAL mode every commit appends its pages to the ``-wal`` file, and by
default the commit that takes the WAL past 1,000 pages also copies them into
the database file and syncs it (the automatic checkpoint). Under the server
that commit is a request's: it answers late, and with group commit
(``oneteam.core.groupcommit``) its process writes nothing meanwhile. The
server instead runs a :class:`Checkpointer` thread in each worker: a
``PASSIVE`` checkpoint every second on its own connection, which waits for
no reader or writer (writers go on appending while it copies). The
requests' connections keep an automatic checkpoint only as a safety net,
at :data:`SAFETY_PAGES` (should every checkpointer stop, the WAL still
stays bounded).

Elsewhere (``runserver``, commands, tests) nothing changes: SQLite's own
automatic checkpoint applies.

The server's writers also queue in the kernel (:class:`WriteQueue`). SQLite
has one writer; a transaction that finds the write lock taken is retried by
SQLite's busy handler, which sleeps 1, 2, 5, 10 … 100 ms between tries. Under
load the lock is then free most of the time it is waited for: the holder has
committed, the waiters are still asleep. Under ``oneteam serve`` every write
transaction (``transaction.atomic``, which on this project's SQLite begins
``IMMEDIATE``) first takes an exclusive ``flock`` on a file beside the
database, held until its commit or rollback: waiters block in the kernel and
the next one is woken as the lock is released. The ``flock`` is only a queue
in front of SQLite's own lock, which still decides (a writer that does not
queue, e.g. a management command, is waited for by the busy handler as
before), and the kernel drops it with the process, so a killed worker never
leaves it held. The backend ``oneteam.core.backends.sqlite3`` takes and
releases it; a write outside a transaction (autocommit) holds it for its one
statement, so no server writer is left polling in the busy handler.
"""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import threading

from django.db.backends.signals import connection_created

log = logging.getLogger(__name__)

#: Automatic checkpoint of the requests' connections while checkpointers run (~64 MB of WAL).
SAFETY_PAGES = 16_000
_background = False
_queue_writers = False


def _on_connection(sender, connection, **kwargs) -> None:
    if _background and connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA wal_autocheckpoint={SAFETY_PAGES}")


connection_created.connect(_on_connection, dispatch_uid="oneteam.core.sqlite")


def use_background_checkpoints() -> None:
    """From now on (and in processes forked later) the requests' connections
    leave checkpoints to a :class:`Checkpointer`."""
    global _background
    _background = True


class Checkpointer(threading.Thread):
    """Every ``interval`` seconds, ``PRAGMA wal_checkpoint(PASSIVE)`` on the
    SQLite database at ``path``, on a connection of its own."""

    def __init__(self, path: str, interval: float = 1.0) -> None:
        super().__init__(name="sqlite-checkpointer", daemon=True)
        self.path = path
        self.interval = interval
        self.stopped = threading.Event()
        #: Checkpoints run and pages copied (for tests and benchmarks).
        self.runs = 0
        self.pages = 0

    def run(self) -> None:
        log.info("checkpointing %s in the background every %s s", self.path, self.interval)
        db = sqlite3.connect(self.path, isolation_level=None)
        try:
            while not self.stopped.wait(self.interval):
                self.checkpoint(db)
        finally:
            db.close()

    def checkpoint(self, db: sqlite3.Connection) -> None:
        try:
            _busy, _wal_pages, copied = db.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        except sqlite3.Error:  # e.g. the file is being replaced; the next round retries
            log.warning("background checkpoint of %s failed", self.path, exc_info=True)
            return
        self.runs += 1
        self.pages += max(copied, 0)

    def stop(self) -> None:
        self.stopped.set()


def start_checkpointer(interval: float = 1.0) -> Checkpointer | None:
    """Start a :class:`Checkpointer` for the default database if it is SQLite."""
    from django.db import connections

    connection = connections["default"]
    if connection.vendor != "sqlite" or connection.is_in_memory_db():
        return None
    checkpointer = Checkpointer(str(connection.settings_dict["NAME"]), interval)
    checkpointer.start()
    return checkpointer


# --------------------------------------------------------------------------
# The writers' queue
# --------------------------------------------------------------------------


def use_write_queue() -> None:
    """From now on (and in processes forked later) writes to a SQLite
    database file queue in a :class:`WriteQueue` (see
    ``oneteam.core.backends.sqlite3``)."""
    global _queue_writers
    _queue_writers = True


def queue_path(database: str) -> str:
    return f"{database}-writers.lock"


class WriteQueue:
    """One connection's place in the queue of a database file's writers: an
    exclusive ``flock`` on :func:`queue_path`, taken by :meth:`enter` and
    dropped by :meth:`leave` (idempotent).

    Each instance opens its own file description, so the threads of one
    process queue like separate processes do; after a fork the child opens
    its own (an inherited description would share the parent's lock)."""

    def __init__(self, database: str) -> None:
        self.path = queue_path(database)
        self._fd: int | None = None
        self._pid = 0
        self.held = False

    def enter(self) -> None:
        if self._fd is None or self._pid != os.getpid():
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            self._pid = os.getpid()
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        self.held = True

    def leave(self) -> None:
        if self.held:
            self.held = False
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        self.leave()
        if self._fd is not None and self._pid == os.getpid():
            os.close(self._fd)
        self._fd = None


def queue_enabled() -> bool:
    """Whether writes queue (:func:`use_write_queue` was called in this process or its parent)."""
    return _queue_writers
