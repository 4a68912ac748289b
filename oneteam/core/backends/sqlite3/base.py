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
    return not sql.lstrip()[:7].upper().startswith(READS)


class CursorWrapper(base.SQLiteCursorWrapper):
    """A cursor that queues a write made in autocommit mode."""

    def __init__(self, connection, queue: sqlite.WriteQueue | None) -> None:
        super().__init__(connection)
        self.queue = queue

    def _queued(self, run, query, params):
        queue = self.queue
        if queue is None or queue.held or not writes(query):
            return run(query, params)
        queue.enter()
        try:
            return run(query, params)
        finally:
            queue.leave()

    def execute(self, query, params=None):
        return self._queued(super().execute, query, params)

    def executemany(self, query, param_list):
        return self._queued(super().executemany, query, param_list)


class DatabaseWrapper(base.DatabaseWrapper):
    def create_cursor(self, name=None):
        queue = sqlite.write_queue_for(self)
        if queue is None:
            return super().create_cursor(name)
        return self.connection.cursor(factory=lambda connection: CursorWrapper(connection, queue))

    def _start_transaction_under_autocommit(self):
        queue = sqlite.write_queue_for(self)
        if queue is None:
            return super()._start_transaction_under_autocommit()
        queue.enter()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            queue.leave()
            raise

    def _leave_queue(self) -> None:
        queue = getattr(self, "_oneteam_write_queue", None)
        if queue is not None:
            queue.leave()

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._leave_queue()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._leave_queue()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._leave_queue()
