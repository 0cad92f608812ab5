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


def _interrupt_once_the_lock_is_taken(monkeypatch):
    """KeyboardInterrupt (a kernel's interrupt) arriving as the announcement is withdrawn,
    after BEGIN IMMEDIATE succeeded."""
    from contextlib import contextmanager

    real = write_lock._announced

    @contextmanager
    def interrupted(path):
        with real(path) as renew:
            yield renew
        raise KeyboardInterrupt

    monkeypatch.setattr(write_lock, "_announced", interrupted)


def test_an_interrupt_just_after_the_lock_was_taken_lets_it_go(db, monkeypatch):
    from focuskit import Store
    from focuskit.store.respondent import RespondentStore

    url = f"sqlite:///{db}"
    Store(url).create_campaign("cc", "Cc", "focus-levels")
    respondent = RespondentStore(url)
    respondent.campaign("cc")
    holder = _conn(db)
    holder.execute("BEGIN IMMEDIATE")
    _interrupt_once_the_lock_is_taken(monkeypatch)
    timer = threading.Timer(0.2, holder.execute, ("ROLLBACK",))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            respondent.save_draft("cc", "tok-interrupted-aaaaaaaaaaaa", {})
    finally:
        timer.join(60)
    monkeypatch.undo()
    # It held the write lock, in a transaction no one would end, until its process exited:
    # every other writer got "database is locked" and its own next save "cannot start a
    # transaction within a transaction".
    other = _conn(db)
    other.execute("PRAGMA busy_timeout = 0")
    other.execute("BEGIN IMMEDIATE")
    other.execute("ROLLBACK")
    assert respondent.save_draft("cc", "tok-interrupted-aaaaaaaaaaaa", {}).page == 0
    respondent.close()


def test_a_store_that_never_gets_the_lock_says_so_as_before(db, monkeypatch):
    # Before write_lock.py, BEGIN IMMEDIATE went through SQLAlchemy: Store() turned its
    # OperationalError into StoreError, and callers caught sqlalchemy.exc.OperationalError.
    import sqlalchemy as sa

    from focuskit import Store
    from focuskit.errors import StoreError

    url = f"sqlite:///{db}"
    store = Store(url)
    monkeypatch.setattr(write_lock, "WAIT", 0.2)
    holder = _conn(db)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StoreError, match="cannot open the store.*database is locked"):
            Store(url)
        with pytest.raises(sa.exc.OperationalError, match="database is locked"):
            store.create_campaign("cc", "Cc", "focus-levels")
    finally:
        holder.execute("ROLLBACK")
    store.create_campaign("cc", "Cc", "focus-levels")  # the pooled connection is fine
    store.close()


def test_a_stopped_probe_does_not_hold_a_writer_past_its_wait(db, monkeypatch):
    # waiting() holds the file exclusively for a moment; a process stopped (SIGSTOP) in that
    # moment made every writer that came to announce block in flock, with no deadline.
    monkeypatch.setattr(write_lock, "WAIT", 0.3)
    announce = announce_path(db)
    probe = os.open(announce, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(probe, fcntl.LOCK_EX)
    holder, writer = _conn(db), _conn(db)
    holder.execute("BEGIN IMMEDIATE")
    outcome = []

    def write():
        try:
            begin_write(writer, announce, 60000)
            outcome.append("got it")
        except sqlite3.OperationalError as e:
            outcome.append(str(e))

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    thread.join(10)
    stuck = thread.is_alive()
    os.close(probe)
    holder.execute("ROLLBACK")
    thread.join(60)
    assert not stuck and outcome == ["database is locked"]


def test_a_forked_child_does_not_keep_an_announcement_up(db):
    # flock belongs to the open file, which a child forked (multiprocessing) while a thread
    # waited shares: the announcement stayed up until the child exited, and every batch
    # giving way sat out its whole limit.
    announce = announce_path(db)
    holder, writer = _conn(db), _conn(db)
    holder.execute("BEGIN IMMEDIATE")
    thread = threading.Thread(target=lambda: (begin_write(writer, announce, 60000),
                                              writer.execute("COMMIT")))
    thread.start()
    _until(lambda: waiting(announce), "the writer announced that it waits")
    child = os.fork()
    if child == 0:  # pragma: no cover - the child only sleeps
        import time

        time.sleep(5)
        os._exit(0)
    try:
        holder.execute("ROLLBACK")
        thread.join(60)
        assert not waiting(announce)
    finally:
        os.kill(child, 9)
        os.waitpid(child, 0)


def test_a_symlink_in_place_of_the_writers_file_is_not_followed(db, tmp_path):
    target = tmp_path / "elsewhere"
    os.symlink(target, announce_path(db))
    assert not waiting(announce_path(db))
    holder, writer = _conn(db), _conn(db)
    holder.execute("BEGIN IMMEDIATE")
    threading.Timer(0.1, holder.execute, ("ROLLBACK",)).start()
    begin_write(writer, announce_path(db), 60000)  # waits unannounced
    writer.execute("ROLLBACK")
    assert not target.exists()
