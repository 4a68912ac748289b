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
"""

from __future__ import annotations

import logging
import sqlite3
import threading

from django.db.backends.signals import connection_created

log = logging.getLogger(__name__)

#: Automatic checkpoint of the requests' connections while checkpointers run (~64 MB of WAL).
SAFETY_PAGES = 16_000
_background = False


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
