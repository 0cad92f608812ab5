"""The respondent's store: what a questionnaire kernel needs, over plain DB-API.

``Store`` (SQLAlchemy) costs a respondent's Voila kernel about 11 MB before a page is drawn.
A questionnaire only reads one campaign, keeps a draft, submits once and reads its answers
back, so ``RespondentStore`` does exactly that with ``sqlite3`` or ``psycopg`` and nothing
else. It writes the same rows, in the same transactions, with the same checks and errors as
``Store`` (tests/test_respondent_store.py runs both on the same scenarios). It never creates
or migrates a database: that stays with ``Store``.
"""

from __future__ import annotations

import json
import threading
import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, quote, unquote

from ..config import default_url
from ..errors import InstrumentError, StoreError
from ..instruments import parse_instrument
from .checks import check_answers, check_key, check_respondent, read_segment_list
from .engine import BUSY_TIMEOUT_MS, SQLITE_PRAGMAS
from .records import Campaign, Draft, Receipt, nest_answers, read_utc, to_utc, utc_now
from .write_lock import announce_path, begin_write

__all__ = ["RespondentStore"]

#: The schema this module's SQL was written for. A test holds it equal to
#: ``schema.SCHEMA_VERSION`` (which imports SQLAlchemy), so a migration makes us look here.
SCHEMA_VERSION = 7
# SQLAlchemy's SQLite DateTime writes this text, whatever the value's zone (we pass UTC).
_SQLITE_TIME = ("%(year)04d-%(month)02d-%(day)02d "
                "%(hour)02d:%(minute)02d:%(second)02d.%(microsecond)06d")
_SETUP = "run `focuskit demo`, or open the store once with focuskit (focuskit.Store), first"


def _split_url(url: str) -> tuple[str, dict]:
    """(backend, parts) from a SQLAlchemy-style URL, as ``sqlalchemy.engine.make_url`` reads it."""
    scheme, sep, rest = url.partition("://")
    if not sep or not scheme or not scheme.replace("+", "").replace("_", "").isalnum():
        raise StoreError(f"{url!r} is not a database URL; use sqlite:///path/to/file.db "
                         "or postgresql://user@host/dbname")
    rest, _, query = rest.partition("?")
    netloc, slash, database = rest.partition("/")
    user = password = host = port = None
    if "@" in netloc:
        creds, _, netloc = netloc.rpartition("@")
        user, _, pw = creds.partition(":")
        user, password = unquote(user), (unquote(pw) if ":" in creds else None)
    if netloc.startswith("["):  # an IPv6 address
        host, _, after = netloc[1:].partition("]")
        port = after[1:] if after.startswith(":") else None
    elif netloc:
        host, _, port = netloc.partition(":")
    parts = dict(user=user or None, password=password, host=host or None,
                 port=int(port) if port else None,
                 database=unquote(database) if slash else None,
                 query=dict(parse_qsl(query)))
    if scheme in ("sqlite", "sqlite+pysqlite"):
        return "sqlite", parts
    if scheme in ("postgresql", "postgres", "postgresql+psycopg"):
        return "postgresql", parts
    raise StoreError(f"unsupported database {scheme!r}: use SQLite or PostgreSQL")


class RespondentStore:
    """One campaign's questionnaire side of the store: read, keep drafts, submit.

    Parameters
    ----------
    url : str, optional
        The same URL ``Store`` takes (default ``$FOCUSKIT_DB_URL``, else ``data/focuskit.db``).
        The database must have been set up by ``Store`` (``focuskit demo`` does so).
    """

    def __init__(self, url: str | None = None):
        self.url = url or default_url()
        self.backend, self._parts = _split_url(self.url)
        self._lock = threading.RLock()  # one connection; widget callbacks may come from threads
        self._conn = None
        self._announce = (announce_path(self._parts["database"]) if self.backend == "sqlite"
                          else None)
        self._campaign_cache: dict[str, Campaign] = {}
        self._link_secret: bytes | None = None
        try:
            with self._read() as cur:
                version = self._schema_version(cur)
        except StoreError:
            self.close()
            raise
        except self._errors().Error as e:
            self.close()
            raise StoreError(f"cannot open the store at {self._safe_url()}: "
                             f"{str(e).strip()}; {_SETUP}") from None
        if version == 0:
            self.close()
            raise StoreError(f"the store at {self._safe_url()} has no focuskit tables; {_SETUP}")
        if version != SCHEMA_VERSION:
            self.close()
            fix = "Upgrade focuskit." if version > SCHEMA_VERSION else _SETUP + " to upgrade it."
            raise StoreError(f"the store at {self._safe_url()} has schema version {version}; "
                             f"the questionnaire needs {SCHEMA_VERSION}. {fix}")

    # -- plumbing -----------------------------------------------------------------------------
    def _safe_url(self) -> str:
        p = self._parts
        if p["password"] is None:
            return self.url
        return self.url.replace(f":{quote(p['password'], safe='')}@", ":***@", 1) \
            .replace(f":{p['password']}@", ":***@", 1)

    def _errors(self):
        """The DB-API module, for its exception classes."""
        if self.backend == "sqlite":
            import sqlite3

            return sqlite3
        import psycopg

        return psycopg

    def _connect(self):
        p = self._parts
        if self.backend == "sqlite":
            import sqlite3

            db = p["database"] or ":memory:"
            # mode=rw: never create a file here (Store does), so a wrong path is an error.
            target = "file::memory:" if db == ":memory:" else f"file:{quote(db)}?mode=rw"
            conn = sqlite3.connect(target, uri=True, timeout=BUSY_TIMEOUT_MS / 1000,
                                   check_same_thread=False)
            conn.isolation_level = None  # we issue BEGIN [IMMEDIATE] ourselves, as engine.py
            for pragma in SQLITE_PRAGMAS:
                conn.execute(pragma)
            return conn
        import psycopg

        kwargs = {k: v for k, v in (("user", p["user"]), ("password", p["password"]),
                                    ("host", p["host"]), ("port", p["port"]),
                                    ("dbname", p["database"])) if v is not None}
        kwargs.update(p["query"])  # e.g. options=-csearch_path=..., as SQLAlchemy passes them
        return psycopg.connect(**kwargs, autocommit=True)

    def _cursor(self):
        if self._conn is None:
            self._conn = self._connect()
        elif self.backend == "postgresql":
            # What Store's pool_pre_ping does: a connection the server dropped is replaced.
            try:
                self._conn.execute("SELECT 1")
            except self._errors().OperationalError:
                self._conn.close()
                self._conn = self._connect()
        return self._conn.cursor()

    @contextmanager
    def _transaction(self, write: bool):
        with self._lock:
            cur = self._cursor()
            try:
                if self.backend == "sqlite":
                    # As engine.py: a writer takes the write lock at BEGIN, in turn.
                    if write:
                        begin_write(self._conn, self._announce, BUSY_TIMEOUT_MS)
                    else:
                        cur.execute("BEGIN")
                    try:
                        yield cur
                    except BaseException:
                        if self._conn.in_transaction:  # SQLite may have rolled back already
                            cur.execute("ROLLBACK")
                        raise
                    cur.execute("COMMIT")
                else:
                    with self._conn.transaction():
                        yield cur
            finally:
                cur.close()

    def _read(self):
        return self._transaction(write=False)

    def _write(self):
        return self._transaction(write=True)

    def _sql(self, query: str) -> str:
        return query if self.backend == "sqlite" else query.replace("?", "%s")

    def _time(self, value: datetime | None):
        """A timestamp as Store writes it: text on SQLite, the datetime itself on PostgreSQL."""
        if value is None or self.backend != "sqlite":
            return value
        return _SQLITE_TIME % dict(year=value.year, month=value.month, day=value.day,
                                   hour=value.hour, minute=value.minute, second=value.second,
                                   microsecond=value.microsecond)

    def _read_time(self, value) -> datetime | None:
        if isinstance(value, str):
            value = datetime.fromisoformat(value)  # what SQLAlchemy does with SQLite's text
        return read_utc(value)

    def _schema_version(self, cur) -> int:
        if self.backend == "sqlite":
            cur.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table' "
                        "AND name = 'meta'")
        else:
            cur.execute("SELECT count(*) FROM (SELECT to_regclass('meta') AS t) m "
                        "WHERE t IS NOT NULL")
        if not cur.fetchone()[0]:
            return 0
        cur.execute(self._sql("SELECT value FROM meta WHERE key = ?"), ("schema_version",))
        row = cur.fetchone()
        return int(row[0]) if row else 0

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self) -> str:
        return f"RespondentStore({self._safe_url()!r})"

    def link_secret(self) -> bytes:
        """The key that signs respondent links (as ``Store.link_secret``; never made here)."""
        if self._link_secret is None:
            with self._read() as cur:
                cur.execute(self._sql("SELECT value FROM meta WHERE key = ?"), ("link_secret",))
                row = cur.fetchone()
            if row is None:
                raise StoreError(f"the store at {self._safe_url()} has no link secret; {_SETUP}")
            self._link_secret = row[0].encode("utf-8")
        return self._link_secret

    # -- campaigns ----------------------------------------------------------------------------
    def campaign(self, id: str) -> Campaign:
        """The campaign ``id``; StoreError naming the known ones when there is none."""
        with self._read() as cur:
            cur.execute(self._sql(
                "SELECT id, title, instrument_version, instrument_spec, organisation, "
                "rater_groups, min_group_size, status, revealed, created_at, segments, "
                "link_mode FROM campaigns WHERE id = ?"), (str(id),))
            row = cur.fetchone()
            if row is None:
                cur.execute("SELECT id FROM campaigns ORDER BY id LIMIT 20")
                known = [r[0] for r in cur.fetchall()]
        if row is None:
            hint = f" Known: {', '.join(known)}." if known else " The store has no campaigns."
            raise StoreError(f"no campaign {str(id)[:64]!r}.{hint}")
        (cid, title, version, spec, organisation, groups, min_size, status, revealed,
         created_at, segments, link_mode) = row
        cached = self._campaign_cache.get(cid)
        if cached is None or cached.instrument.version != version:
            try:
                inst = parse_instrument(json.loads(spec), f"campaign {cid}")
            except (InstrumentError, ValueError) as e:
                raise StoreError(f"campaign {cid!r} holds an unreadable instrument: {e}") from None
        else:
            inst = cached.instrument
        camp = Campaign(id=cid, title=title, instrument=inst, organisation=organisation,
                        rater_groups=tuple(g for g in groups.split(",") if g),
                        min_group_size=min_size, status=status, revealed=bool(revealed),
                        created_at=self._read_time(created_at),
                        segments=read_segment_list(segments), link_mode=link_mode)
        self._campaign_cache[cid] = camp
        return camp

    def _open_campaign(self, campaign: str) -> Campaign:
        camp = self.campaign(campaign)
        if camp.status != "open":
            raise StoreError(f"campaign {camp.id!r} is {camp.status}; it takes no answers now")
        return camp

    # -- drafts -------------------------------------------------------------------------------
    def save_draft(self, campaign: str, respondent: str, answers, *, rater_group=None,
                   segment=None, page: int = 0) -> Draft:
        """Keep a respondent's unfinished answers (as ``Store.save_draft``)."""
        camp = self._open_campaign(campaign)
        problems = check_respondent(camp, rater_group or camp.rater_groups[0], segment,
                                    respondent)
        if respondent is None:
            problems.append("a draft needs a respondent token")
        rows, found = check_answers(camp.instrument, answers, partial=True)
        problems += found
        if isinstance(page, bool) or not isinstance(page, int) or page < 0:
            problems.append("page must be a whole number of at least 0")
        if problems:
            raise StoreError("draft not saved:", problems)
        stored = nest_answers(rows)
        now = self._time(utc_now())
        # One statement, so that two first saves at once (two tabs, a retry) cannot both
        # insert: PostgreSQL raised UniqueViolation on the loser of a select-then-insert.
        with self._write() as cur:
            cur.execute(self._sql(
                "INSERT INTO drafts (campaign, respondent, rater_group, segment, answers, page, "
                "started_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (campaign, respondent) DO UPDATE SET "
                "rater_group = excluded.rater_group, segment = excluded.segment, "
                "answers = excluded.answers, page = excluded.page, "
                "updated_at = excluded.updated_at"),
                (camp.id, respondent, rater_group, segment, json.dumps(stored), page, now, now))
        return self.draft(camp.id, respondent)

    def draft(self, campaign: str, respondent: str) -> Draft | None:
        """The saved draft of ``respondent`` in ``campaign``, or None."""
        with self._read() as cur:
            cur.execute(self._sql(
                "SELECT campaign, respondent, rater_group, segment, answers, page, started_at, "
                "updated_at FROM drafts WHERE campaign = ? AND respondent = ?"),
                (campaign, respondent))
            row = cur.fetchone()
        if row is None:
            return None
        return Draft(row[0], row[1], row[2], row[3], json.loads(row[4]), row[5],
                     self._read_time(row[6]), self._read_time(row[7]))

    # -- submitting ---------------------------------------------------------------------------
    def submit(self, campaign: str, answers, *, rater_group: str, segment: str | None = None,
               respondent: str | None = None, idempotency_key: str | None = None,
               started_at: datetime | None = None) -> Receipt:
        """Validate and store one complete submission, all of it or nothing (as ``Store.submit``).

        The same idempotency key (default: the respondent token) never stores twice; the
        respondent's draft is deleted in the same transaction.
        """
        camp = self._open_campaign(campaign)
        found = check_respondent(camp, rater_group, segment, respondent)
        rows, bad = check_answers(camp.instrument, answers)
        found += bad
        key = idempotency_key
        found += check_key(key)
        if found:
            # Store.submit goes through submit_many, which numbers its submissions.
            raise StoreError(f"nothing stored in {camp.id!r}:",
                             [f"submission 1: {p}" for p in found])
        if key is None:
            key = f"{camp.id}:respondent:{respondent}" if respondent else uuid.uuid4().hex
        sub = (respondent, rater_group, segment, to_utc(started_at))
        try:
            return self._insert(camp, key, sub, rows)
        except self._errors().IntegrityError:
            # Another process stored this key between our check and insert (PostgreSQL;
            # SQLite writers are serialised). The retry finds it stored.
            return self._insert(camp, key, sub, rows)

    def _insert(self, camp: Campaign, key: str, sub: tuple, rows) -> Receipt:
        respondent, rater_group, segment, started_at = sub
        if started_at is not None and not isinstance(started_at, datetime):
            raise TypeError("started_at must be a datetime or None")
        with self._write() as cur:
            cur.execute(self._sql("SELECT id, campaign FROM submissions "
                                  "WHERE idempotency_key = ?"), (key,))
            old = cur.fetchone()
            if old is not None:
                if old[1] != camp.id:
                    raise StoreError(f"idempotency key {key!r} was already used in campaign "
                                     f"{old[1]!r}")
                return Receipt(old[0], False)
            cur.execute(self._sql(
                "INSERT INTO submissions (campaign, respondent, rater_group, segment, started_at, "
                "submitted_at, idempotency_key) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id"),
                (camp.id, respondent, rater_group, segment, self._time(started_at),
                 self._time(self._arrival(cur, camp.id)), key))
            sid = cur.fetchone()[0]
            cur.executemany(self._sql("INSERT INTO answers (submission, item, facet, value, "
                                      "comment) VALUES (?, ?, ?, ?, ?)"),
                            [(sid, i, f, v, c) for i, f, v, c in rows])
            if respondent:
                cur.execute(self._sql("DELETE FROM drafts WHERE campaign = ? AND respondent = ?"),
                            (camp.id, respondent))
        return Receipt(sid, True)

    def _arrival(self, cur, campaign: str) -> datetime:
        """Now, or just after the campaign's latest stored arrival: arrival order is commit
        order, whatever this server's clock says (as ``store.store._arrival``)."""
        if self.backend != "sqlite":  # SQLite writers are serialised already
            cur.execute("SELECT id FROM campaigns WHERE id = %s FOR UPDATE", (campaign,))
        cur.execute(self._sql("SELECT max(submitted_at) FROM submissions WHERE campaign = ?"),
                    (campaign,))
        latest = self._read_time(cur.fetchone()[0])
        now = utc_now()
        return now if latest is None or now > latest else latest + timedelta(microseconds=1)

    def stored_answers(self, campaign: str, respondent: str) -> dict | None:
        """The first stored submission of ``respondent`` as ``{item: {facet: value, "comment"}}``."""
        with self._read() as cur:
            cur.execute(self._sql("SELECT id FROM submissions WHERE campaign = ? "
                                  "AND respondent = ? ORDER BY id LIMIT 1"),
                        (campaign, respondent))
            row = cur.fetchone()
            if row is None:
                return None
            cur.execute(self._sql("SELECT item, facet, value, comment FROM answers "
                                  "WHERE submission = ?"), (row[0],))
            rows = cur.fetchall()
        return nest_answers(rows)
