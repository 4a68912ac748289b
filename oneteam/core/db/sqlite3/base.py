"""Django's SQLite backend, with writers queued on an operating-system lock.

SQLite has one writer at a time. Django opens every ``atomic`` block with
``BEGIN IMMEDIATE`` (settings: ``transaction_mode``), and a connection that
finds the write lock taken polls for it: SQLite's busy handler sleeps 1, 2,
5, 10 … up to 100 ms between tries. Under concurrent writes from several
server processes and threads, writers sleep while the lock is free and
throughput collapses to less than one writer's (measured with
``benchmarks/bench_command.py``, part c).

This backend takes an exclusive ``flock`` on ``<database>.writelock`` before
``BEGIN IMMEDIATE`` and releases it after ``COMMIT`` or ``ROLLBACK``: writers
wait in the kernel's queue and the next one wakes the moment the lock is
released. Each connection has its own open file, so threads of one process
queue like processes do. The lock is released by the operating system if a
process dies. In-memory databases (the test runner's) need no lock. Writes
outside ``atomic`` blocks still meet on SQLite's own lock and busy timeout.
"""

from __future__ import annotations

import fcntl
import os

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    _lock_file = None
    _locked = False

    def _lock_path(self) -> str | None:
        if self.is_in_memory_db():
            return None
        return f"{os.fspath(self.settings_dict['NAME'])}.writelock"

    def _acquire_write_lock(self) -> None:
        if self._lock_file is None:
            path = self._lock_path()
            if path is None:
                return
            self._lock_file = open(path, "a+b")  # noqa: SIM115 (kept open with the connection)
        fcntl.flock(self._lock_file.fileno(), fcntl.LOCK_EX)
        self._locked = True

    def _release_write_lock(self) -> None:
        if self._locked:
            self._locked = False
            fcntl.flock(self._lock_file.fileno(), fcntl.LOCK_UN)

    def _start_transaction_under_autocommit(self):
        self._acquire_write_lock()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._release_write_lock()
            raise

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._release_write_lock()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._release_write_lock()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._release_write_lock()
            if self._lock_file is not None:
                self._lock_file.close()
                self._lock_file = None
