"""Django's SQLite backend whose writes wait in the server's writers' queue
(:class:`oneteam.core.sqlite.WriteQueue`) when it is enabled.

- A transaction (``transaction.atomic``, which begins ``IMMEDIATE`` on this
  project's SQLite) enters the queue before ``BEGIN`` and leaves it at the
  commit, the rollback or the connection's close, whichever comes first.
- A write outside a transaction (``Model.save()`` and ``QuerySet.update()``
  in autocommit mode are each their own transaction) holds the queue for its
  statement. Otherwise such a writer would be left to SQLite's busy handler,
  polling for a lock that queued writers hand to each other.
"""

from django.db.backends.sqlite3 import base

from oneteam.core import sqlite

#: Statements that never write (a ``WITH`` may, so it queues).
READS = ("SELECT", "PRAGMA", "EXPLAIN")


def writes(sql: str) -> bool:
    return not sql.lstrip()[: len("EXPLAIN")].upper().startswith(READS)


class CursorWrapper(base.SQLiteCursorWrapper):
    """A cursor that queues a write made in autocommit mode."""

    def __init__(self, connection, queue: sqlite.WriteQueue) -> None:
        super().__init__(connection)
        self.queue = queue

    def _queued(self, run, query, params):
        if self.queue.held or not writes(query):  # inside a transaction it is held already
            return run(query, params)
        self.queue.enter()
        try:
            return run(query, params)
        finally:
            self.queue.leave()

    def execute(self, query, params=None):
        return self._queued(super().execute, query, params)

    def executemany(self, query, param_list):
        return self._queued(super().executemany, query, param_list)


def _leaving_queue(name: str):
    """Django's method ``name``, after which the connection's place in the queue is left."""
    django_method = getattr(base.DatabaseWrapper, name)

    def method(self):
        try:
            return django_method(self)
        finally:
            if self._write_queue is not None:
                self._write_queue.leave()

    method.__name__ = name
    return method


class DatabaseWrapper(base.DatabaseWrapper):
    _write_queue: sqlite.WriteQueue | None = None

    def write_queue(self) -> sqlite.WriteQueue | None:
        """This connection's place in the writers' queue (made on first use),
        or None: the queue is not enabled, or the database is in memory."""
        if not sqlite.queue_enabled() or self.is_in_memory_db():
            return None
        if self._write_queue is None:
            self._write_queue = sqlite.WriteQueue(str(self.settings_dict["NAME"]))
        return self._write_queue

    def create_cursor(self, name=None):
        queue = self.write_queue()
        if queue is None:
            return super().create_cursor(name)
        return self.connection.cursor(factory=lambda connection: CursorWrapper(connection, queue))

    def _start_transaction_under_autocommit(self):
        queue = self.write_queue()
        if queue is None:
            return super()._start_transaction_under_autocommit()
        queue.enter()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            queue.leave()
            raise

    _commit = _leaving_queue("_commit")
    _rollback = _leaving_queue("_rollback")
    _close = _leaving_queue("_close")
