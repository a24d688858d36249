"""SQLite writers that take turns on a lock file instead of sleeping in SQLite's busy
handler.

SQLite lets one transaction write at a time. A writer that finds another at work is
put to sleep by SQLite's busy handler for 1, 2, 5, 10, 15, 20, 25 … ms, however soon
the other one finishes: under gunicorn, workers waiting for a write that took 1 ms
sleep for tens of milliseconds, and the server idles while answers queue.

Here each connection of the service's SQLite engine takes an exclusive ``flock`` on
``<database>-writers`` just before the statement that begins its write transaction
(the driver's implicit BEGIN before INSERT, UPDATE, DELETE or REPLACE), and lets go
as soon as that transaction commits or rolls back. A writer that finds the lock taken
tries again after 0.1 ms, doubling to at most 1 ms: it starts within a millisecond of
the other's commit. Like the busy timeout, it gives up after ``WAIT_SECONDS`` with
SQLite's own "database is locked".

The lock is a convention among the service's own connections. Anything else that
writes to the file (the sqlite3 shell, a migration's own connection) is waited for by
SQLite's busy handler as before. A thread that already holds the lock through one
connection does not wait for it on another: it could never get it.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time

# As long as PRAGMA busy_timeout (database.py).
WAIT_SECONDS = 5.0
FIRST_PAUSE = 0.0001
LONGEST_PAUSE = 0.001
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")

# Threads holding the lock through some connection, by thread id.
_holders: dict[int, int] = {}
_holders_lock = threading.Lock()


def lock_path(database: str) -> str | None:
    """The lock file for a database file; None for one in memory or given as a URI."""
    if database in ("", ":memory:") or database.startswith("file:"):
        return None
    return f"{database}-writers"


def _begins_writing(sql: str) -> bool:
    return sql.lstrip()[:7].upper().startswith(_WRITES)


class TakingTurns(sqlite3.Connection):
    """A connection whose write transactions take turns with the other connections'."""

    def __init__(self, database, *args, **kwargs):
        super().__init__(database, *args, **kwargs)
        path = lock_path(os.fspath(database))
        self._lock_file = open(path, "a") if path else None  # noqa: SIM115 (kept open)
        self._holding = False
        self._holder: int | None = None  # the thread that took the turn

    def cursor(self, factory=None):
        return super().cursor(factory or _Cursor)

    def execute(self, sql, parameters=(), /):
        return self.cursor().execute(sql, parameters)

    def executemany(self, sql, parameters, /):
        return self.cursor().executemany(sql, parameters)

    def commit(self):
        try:
            super().commit()
        finally:
            self._let_go()

    def rollback(self):
        try:
            super().rollback()
        finally:
            self._let_go()

    def close(self):
        try:
            super().close()
        finally:
            self._let_go()
            if self._lock_file is not None:
                self._lock_file.close()
                self._lock_file = None

    # --- the turn ---------------------------------------------------------------

    def _before(self, sql: str) -> None:
        if (
            self._lock_file is not None
            and not self._holding
            and not self.in_transaction
            and _begins_writing(sql)
        ):
            self._take_turn()

    def _after(self) -> None:
        # A statement that wrote outside a transaction (autocommit) has ended its own.
        if self._holding and not self.in_transaction:
            self._let_go()

    def _take_turn(self) -> None:
        thread = threading.get_ident()
        with _holders_lock:
            if _holders.get(thread):
                return  # held through another connection of this thread
        deadline = time.monotonic() + WAIT_SECONDS
        pause = FIRST_PAUSE
        while True:
            try:
                fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise sqlite3.OperationalError("database is locked") from None
                time.sleep(pause)
                pause = min(pause * 2, LONGEST_PAUSE)
        self._holding, self._holder = True, thread
        with _holders_lock:
            _holders[thread] = _holders.get(thread, 0) + 1

    def _let_go(self) -> None:
        if not self._holding:
            return
        self._holding = False
        fcntl.flock(self._lock_file, fcntl.LOCK_UN)
        thread = self._holder
        with _holders_lock:
            left = _holders.get(thread, 1) - 1
            if left:
                _holders[thread] = left
            else:
                _holders.pop(thread, None)


class _Cursor(sqlite3.Cursor):
    def execute(self, sql, parameters=(), /):
        self.connection._before(sql)
        try:
            return super().execute(sql, parameters)
        finally:
            self.connection._after()

    def executemany(self, sql, parameters, /):
        self.connection._before(sql)
        try:
            return super().executemany(sql, parameters)
        finally:
            self.connection._after()
