"""SQLite write transactions take turns on a lock file (surveyservice/sqlite_writers.py).

Each test opens its own SQLite files, so it runs whichever database the suite is
given. A second writer is opened with busy_timeout=0: were it to reach SQLite while
the first still writes, SQLite would refuse it at once with "database is locked", so
a test passes only if the writer waited for its turn before SQLite saw it.
"""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest
import sqlalchemy as sa

from surveyservice import sqlite_writers
from surveyservice.database import configure_sqlite
from surveyservice.sqlite_writers import TakingTurns, lock_path


def connect(path, busy_ms: int = 0) -> TakingTurns:
    connection = sqlite3.connect(path, factory=TakingTurns, check_same_thread=False)
    connection.execute(f"PRAGMA busy_timeout={busy_ms}")
    return connection


@pytest.fixture
def database(tmp_path):
    path = str(tmp_path / "turns.sqlite")
    with sqlite3.connect(path) as setup:
        setup.execute("PRAGMA journal_mode=WAL")  # kept in the file, as the service sets it
        setup.execute("CREATE TABLE answer (id INTEGER PRIMARY KEY, writer TEXT)")
    return path


def write_in_thread(path, writer: str, busy_ms: int = 0) -> tuple[threading.Thread, list]:
    """Insert a row from another thread on its own connection; the list gets the
    outcome: "stored" or the error."""
    outcome: list = []

    def run():
        connection = connect(path, busy_ms)
        try:
            connection.execute("INSERT INTO answer (writer) VALUES (?)", (writer,))
            connection.commit()
            outcome.append("stored")
        except sqlite3.OperationalError as exc:
            outcome.append(str(exc))
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


@pytest.mark.parametrize("end", ["commit", "rollback", "close"])
def test_a_writer_waits_for_the_turn_and_writes_once_the_other_ends(database, end):
    first = connect(database)
    first.execute("INSERT INTO answer (writer) VALUES ('first')")
    thread, outcome = write_in_thread(database, "second")
    time.sleep(0.3)
    assert outcome == []  # waiting for its turn, not refused by SQLite
    getattr(first, end)()
    thread.join(timeout=5)
    assert outcome == ["stored"]
    with sqlite3.connect(database) as reader:
        rows = [r[0] for r in reader.execute("SELECT writer FROM answer ORDER BY id")]
    assert rows == (["first", "second"] if end == "commit" else ["second"])


def test_without_taking_turns_the_second_writer_is_refused_by_sqlite(database):
    # The counter-test: the same two writers on plain connections.
    first = sqlite3.connect(database)
    first.execute("INSERT INTO answer (writer) VALUES ('first')")
    second = sqlite3.connect(database)
    second.execute("PRAGMA busy_timeout=0")
    with pytest.raises(sqlite3.OperationalError, match="database is locked"):
        second.execute("INSERT INTO answer (writer) VALUES ('second')")
    first.rollback()


def test_reading_takes_no_turn(database):
    first = connect(database)
    first.execute("INSERT INTO answer (writer) VALUES ('first')")
    reader = connect(database)
    assert reader.execute("SELECT count(*) FROM answer").fetchone() == (0,)
    assert not reader._holding
    first.commit()


def test_a_write_outside_a_transaction_gives_the_turn_back_at_once(database):
    autocommit = connect(database)
    autocommit.isolation_level = None
    autocommit.execute("INSERT INTO answer (writer) VALUES ('alone')")
    assert not autocommit._holding
    thread, outcome = write_in_thread(database, "next")
    thread.join(timeout=5)
    assert outcome == ["stored"]


def test_a_failed_statement_keeps_the_turn_until_the_transaction_ends(database):
    first = connect(database)
    first.execute("INSERT INTO answer (id, writer) VALUES (1, 'first')")
    with pytest.raises(sqlite3.IntegrityError):
        first.execute("INSERT INTO answer (id, writer) VALUES (1, 'again')")
    assert first._holding
    first.rollback()
    assert not first._holding


def test_a_writer_gives_up_like_sqlite_when_the_turn_never_comes(database, monkeypatch):
    monkeypatch.setattr(sqlite_writers, "WAIT_SECONDS", 0.2)
    first = connect(database)
    first.execute("INSERT INTO answer (writer) VALUES ('first')")
    started = time.monotonic()
    thread, outcome = write_in_thread(database, "second")
    thread.join(timeout=5)
    assert outcome == ["database is locked"]
    assert 0.2 <= time.monotonic() - started < 3
    first.rollback()


def test_a_thread_holding_the_turn_is_not_stopped_by_its_own_second_connection(database):
    # It could never get the turn from itself: its second connection goes to SQLite,
    # whose busy timeout (0 here) refuses it, rather than waiting forever.
    first = connect(database)
    first.execute("INSERT INTO answer (writer) VALUES ('first')")
    second = connect(database)
    with pytest.raises(sqlite3.OperationalError, match="database is locked"):
        second.execute("INSERT INTO answer (writer) VALUES ('second')")
    assert not second._holding
    first.commit()
    second.execute("INSERT INTO answer (writer) VALUES ('second')")
    second.commit()


def test_many_threads_writing_at_once_all_store_their_rows(database):
    # With the service's busy timeout: opening a WAL file can be refused for a moment
    # while another connection opens it, which is not a writer's turn.
    threads = [write_in_thread(database, f"w{n}", busy_ms=5000) for n in range(8)]
    for thread, _ in threads:
        thread.join(timeout=10)
    assert [outcome for _, outcome in threads] == [["stored"]] * 8
    with sqlite3.connect(database) as reader:
        assert reader.execute("SELECT count(*) FROM answer").fetchone() == (8,)


def test_the_lock_file_lies_beside_a_database_file_only():
    assert lock_path("/srv/data/survey.sqlite") == "/srv/data/survey.sqlite-writers"
    assert lock_path(":memory:") is None
    assert lock_path("") is None
    assert lock_path("file:survey?mode=memory&cache=shared") is None
    memory = sqlite3.connect(":memory:", factory=TakingTurns)
    memory.execute("CREATE TABLE t (x)")
    memory.execute("INSERT INTO t VALUES (1)")
    assert not memory._holding
    memory.commit()


def test_the_service_engine_takes_turns(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'service.sqlite'}")
    configure_sqlite(engine)
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE t (x INTEGER)"))
        connection.execute(sa.text("INSERT INTO t VALUES (1)"))
        dbapi = connection.connection.dbapi_connection
        assert isinstance(dbapi, TakingTurns)
        assert dbapi._holding
    assert not dbapi._holding
    assert (tmp_path / "service.sqlite-writers").exists()
    engine.dispose()
