"""Where the store lives and how connections are set up (SQLite file or PostgreSQL)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import DB_URL_ENV
from ..errors import StoreError
from .write_lock import announce_path, begin_write

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

# SQLAlchemy is imported inside the functions: the respondent's store (respondent.py) reads
# BUSY_TIMEOUT_MS and SQLITE_PRAGMAS from here and must not load it (11 MB per kernel).

ENV_URL = DB_URL_ENV
BUSY_TIMEOUT_MS = 60_000
#: Run on every new SQLite connection, by the engine and by the respondent's store alike.
SQLITE_PRAGMAS = (f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}", "PRAGMA journal_mode = WAL",
                  "PRAGMA synchronous = NORMAL", "PRAGMA foreign_keys = ON")


def make_engine(url: str) -> Engine:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreError(f"{url!r} is not a database URL; use sqlite:///path/to/file.db "
                         "or postgresql://user@host/dbname") from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed)
    if parsed.get_backend_name() != "postgresql":
        raise StoreError(f"unsupported database {parsed.drivername!r}: use SQLite or PostgreSQL")
    from sqlalchemy import create_engine

    return create_engine(parsed, pool_pre_ping=True)


def _sqlite_engine(url) -> Engine:
    import sqlite3

    from sqlalchemy import create_engine, event
    from sqlalchemy.exc import DBAPIError

    if url.database and url.database != ":memory:" and not url.database.startswith("file:"):
        path = Path(url.database)
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            # Answers are for their owner's eyes: create the file 0600 before SQLite does
            # (with the umask's 0644); SQLite gives its -wal and -shm files the same mode.
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
    announce = announce_path(url.database)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # Take over transaction control from pysqlite so that writes can BEGIN IMMEDIATE.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        for pragma in SQLITE_PRAGMAS:
            cur.execute(pragma)
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # A writer takes the write lock up front: waiting happens at BEGIN (under
        # busy_timeout) instead of failing mid-transaction with "database is locked".
        # Writers wait in turn (write_lock.py), so a chunked import gives way to them.
        if conn.get_execution_options().get("focuskit_write", False):
            try:
                begin_write(conn.connection.driver_connection, announce, BUSY_TIMEOUT_MS)
            except sqlite3.Error as e:
                # As SQLAlchemy reports a failed statement (exec_driver_sql did, here): callers
                # catch its OperationalError (Store() turns it into "cannot open the store").
                raise DBAPIError.instance("BEGIN IMMEDIATE", None, e, sqlite3.Error) from e
        else:
            conn.exec_driver_sql("BEGIN")

    return engine
