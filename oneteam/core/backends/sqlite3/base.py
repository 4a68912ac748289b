"""Django's SQLite backend whose write transactions wait in the server's
writers' queue (:class:`oneteam.core.sqlite.WriteQueue`) when it is enabled:
the queue is entered before ``BEGIN`` and left at the commit, the rollback or
the connection's close, whichever comes first."""

from django.db.backends.sqlite3 import base

from oneteam.core import sqlite


class DatabaseWrapper(base.DatabaseWrapper):
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
