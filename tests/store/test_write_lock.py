"""SQLite's write lock taken in turn (focuskit/store/write_lock.py): a writer who finds it
taken announces that it waits, and a chunked batch lets every announced writer in before its
next chunk, instead of pausing blindly after each one."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import stat
import threading

import pytest

from focuskit.store import write_lock
from focuskit.store.write_lock import announce_path, begin_write, give_way, waiting


def _conn(path):
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA busy_timeout = 60000")
    return conn


@pytest.fixture
def db(tmp_path):
    path = str(tmp_path / "answers.db")
    _conn(path).execute("CREATE TABLE t (x INTEGER)")
    return path


def _until(condition, what: str, seconds: float = 30) -> None:
    import time

    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"never: {what}"
        time.sleep(0.002)


def test_a_batch_gives_way_until_the_waiting_writer_has_the_lock(db):
    announce = announce_path(db)
    batch, writer, other = _conn(db), _conn(db), _conn(db)
    batch.execute("BEGIN IMMEDIATE")  # a chunk being written
    got, release, failed = threading.Event(), threading.Event(), []

    def respondent():
        try:
            begin_write(writer, announce, 60000)
            got.set()
            writer.execute("INSERT INTO t VALUES (1)")
            release.wait(60)
            writer.execute("COMMIT")
        except Exception as e:  # reported in the test's thread
            failed.append(e)

    thread = threading.Thread(target=respondent)
    thread.start()
    _until(lambda: waiting(announce) or failed, "the writer announced that it waits")
    assert not got.is_set()
    batch.execute("COMMIT")  # the chunk is in; the batch gives way before the next
    give_way(announce, 60)
    try:
        # The waiting writer holds the lock now: the batch's next chunk would wait for it.
        other.execute("PRAGMA busy_timeout = 0")
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        assert got.is_set()
    finally:
        release.set()
        thread.join(60)
    assert not failed, failed
    assert not waiting(announce)
    assert writer.execute("PRAGMA busy_timeout").fetchone() == (60000,)  # put back
    assert stat.S_IMODE(os.stat(announce).st_mode) == 0o600  # as the database


def test_with_nobody_waiting_a_batch_goes_straight_on(db):
    assert not waiting(announce_path(db))
    assert give_way(announce_path(db), 60) < 60  # it did not sit out its limit


def test_a_stuck_announcement_holds_a_batch_up_only_for_its_limit(db):
    announce = announce_path(db)
    fd = os.open(announce, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)  # a waiting process that was stopped (SIGSTOP)
        assert waiting(announce)
        assert give_way(announce, 0.2) >= 0.2
    finally:
        os.close(fd)


def test_a_writer_that_never_gets_the_lock_is_told_so(db, monkeypatch):
    monkeypatch.setattr(write_lock, "WAIT", 0.2)
    holder, writer = _conn(db), _conn(db)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(sqlite3.OperationalError, match="database is locked"):
            begin_write(writer, announce_path(db), 60000)
    finally:
        holder.execute("ROLLBACK")
    assert not waiting(announce_path(db))  # the announcement was withdrawn
    assert writer.execute("PRAGMA busy_timeout").fetchone() == (60000,)
    begin_write(writer, announce_path(db), 60000)  # and the connection still works
    writer.execute("COMMIT")


@pytest.mark.parametrize("database", [None, "", ":memory:", "file:x?mode=memory"])
def test_a_database_that_is_not_a_file_waits_as_sqlite_does(database):
    assert announce_path(database) is None
    assert not waiting(None) and give_way(None, 60) == 0.0
    conn = sqlite3.connect(":memory:", isolation_level=None)
    begin_write(conn, None, 60000)
    assert conn.in_transaction
