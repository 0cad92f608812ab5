"""SQLite's write lock, taken in turn: writers who wait say so, and a long batch gives way.

SQLite has one write lock and no queue. A writer that finds it taken sleeps in SQLite's busy
handler (1, 2, 5 ... then 100 ms between tries), so a chunked import that took the lock again
at once would starve it, and one that paused long enough for the slowest sleeper spent a third
of its time idle. Instead:

* a writer first tries ``BEGIN IMMEDIATE`` once; when the lock is taken it announces that it
  waits (a shared ``flock`` on ``<database>-writers``) and tries again every few milliseconds
  until it has the lock, then withdraws the announcement;
* between its chunks a batch calls ``give_way``: when nobody announced, it goes on at once;
  otherwise it waits until every announced writer has the lock (at most ``limit`` seconds, so
  a stopped process cannot hold it up for long), and its own next ``BEGIN IMMEDIATE`` then
  waits behind them.

Plain ``sqlite3``, no SQLAlchemy: the respondent's store uses it too. A database that is not
a file (``:memory:``) has no one to give way to and waits as SQLite does.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import time
from contextlib import contextmanager

#: How long a writer waits for the lock before giving up with "database is locked" (as the
#: busy timeout did before).
WAIT = 60.0
#: How often a waiting writer tries again, at most: a batch that gives way waits about this
#: long (plus the writer's own work) for each announced writer.
POLL = 0.004


def announce_path(database: str | None) -> str | None:
    """The file waiting writers of ``database`` lock, or None when it is not a file."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return os.path.realpath(database) + "-writers"


def begin_write(conn: sqlite3.Connection, announce: str | None, busy_ms: int) -> None:
    """``BEGIN IMMEDIATE`` on ``conn`` (isolation_level None), waiting in turn as above;
    ``busy_ms`` is the connection's busy timeout, put back afterwards. When it raises
    (even KeyboardInterrupt just after the lock was taken) ``conn`` is left outside any
    transaction it began, holding no lock."""
    if announce is None:
        conn.execute("BEGIN IMMEDIATE")  # waits in SQLite's busy handler
        return
    entered = conn.in_transaction
    try:
        conn.execute("PRAGMA busy_timeout = 0")
        if not _try_begin(conn):
            with _announced(announce) as renew:
                deadline = time.monotonic() + WAIT
                delay = 0.0005
                while not _try_begin(conn):
                    if time.monotonic() > deadline:
                        raise sqlite3.OperationalError("database is locked")
                    renew()
                    time.sleep(delay)
                    delay = min(2 * delay, POLL)
        conn.execute(f"PRAGMA busy_timeout = {busy_ms}")
    except BaseException:
        # The caller never learns that a lock taken here is its own: a respondent's store
        # kept the transaction open (and every other writer out) until its process ended.
        if conn.in_transaction and not entered:
            conn.execute("ROLLBACK")
        conn.execute(f"PRAGMA busy_timeout = {busy_ms}")
        raise


def give_way(announce: str | None, limit: float) -> float:
    """Wait until no writer announced on ``announce`` is still waiting, at most ``limit``
    seconds; returns how long it waited."""
    if announce is None or limit <= 0:
        return 0.0
    began = time.monotonic()
    while waiting(announce) and time.monotonic() - began < limit:
        time.sleep(POLL / 4)
    return time.monotonic() - began


def waiting(announce: str | None) -> bool:
    """Whether some writer announced on ``announce`` is waiting for the write lock now."""
    if announce is None:
        return False
    try:
        fd = _open(announce)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing also lets go of the lock just taken
    return False


def _try_begin(conn: sqlite3.Connection) -> bool:
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as e:
        if "locked" in str(e) or "busy" in str(e):
            return False
        raise
    return True


#: Descriptors announcing a wait in this process: a child forked meanwhile closes its copies
#: (flock belongs to the open file, which the child shares: its copy kept the announcement up,
#: and every batch giving way waited its whole limit, until the child exited).
_ANNOUNCING: set[int] = set()
if hasattr(os, "register_at_fork"):
    def _close_inherited() -> None:
        for fd in list(_ANNOUNCING):
            try:
                os.close(fd)
            except OSError:
                pass
        _ANNOUNCING.clear()

    os.register_at_fork(after_in_child=_close_inherited)


@contextmanager
def _announced(path: str):
    """Announce a wait; yields ``renew``, to be called before each sleep. The shared lock
    is taken without blocking: a ``waiting`` probe holds the file exclusively for a moment,
    and a probing process stopped in that moment must not hold writers past ``WAIT``."""
    # A descriptor of its own for each wait: flock belongs to the open file, and two threads
    # sharing one would withdraw each other's announcement.
    try:
        fd = _open(path)
    except OSError:  # a folder we may not write in, a planted symlink: wait unannounced
        yield lambda: None
        return
    _ANNOUNCING.add(fd)

    def renew() -> None:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)  # a no-op once it is held
        except OSError:
            pass  # probed this instant: again before the next sleep

    try:
        renew()
        yield renew
    finally:
        _ANNOUNCING.discard(fd)
        os.close(fd)  # closing withdraws it


def _open(path: str) -> int:
    # 0600, like the database: the file holds nothing, but its owner is the database's. A
    # symlink put in its place is not followed (it would create or lock a file elsewhere).
    return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
