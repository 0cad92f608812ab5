"""The response store: campaigns, programmes and waves, drafts, submissions and actions,
staff keys and the audit log, on SQLite or PostgreSQL."""

from __future__ import annotations

import json
import re
import time
import uuid
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

from ..config import default_url
from ..errors import InstrumentError, StoreError
from ..instruments import RATER_GROUPS, Instrument, load_instrument, parse_instrument
from ..links import new_join_code, normal_join_code
from . import programmes as prog
from . import schema as t
from .checks import (
    check_answers,
    check_many,
    check_respondent,
    check_segment_list,
    check_text,
    read_segment_list,
)
from .engine import make_engine
from .keys import hash_key, key_id_of, new_key, verify_key
from .records import (
    Campaign,
    Draft,
    Erased,
    Programme,
    Receipt,
    StaffMember,
    nest_answers,
    read_utc,
    to_utc,
    utc_now,
)
from .write_lock import announce_path, give_way

__all__ = ["Store", "Campaign", "Programme", "Receipt", "Draft", "StaffMember", "Erased",
           "STATUSES", "ROLES"]

STATUSES = ("draft", "open", "closed", "archived")
ROLES = ("viewer", "admin")
_STAFF_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,62}$")
MAX_COMMENT_THRESHOLD = 1000
ANSWERING_WITHIN = 120.0  # s since a draft was saved that its respondent counts as answering
MAX_EXPECTED = 1000  # people expected in one round; a bigger room is several rounds
ACTION_STATUSES = ("open", "doing", "done", "dropped")
# Checked with fullmatch: with match, "$" also matches before a final newline ("ab\n").
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}[a-z0-9]$")
#: Most submissions per write transaction of a large batch; the first chunk's size (a batch
#: no larger is one transaction; the next chunks follow how fast it was written); the time
#: one should hold the write lock (fewer submissions when the machine is slow); and, on
#: SQLite, the longest a batch waits between chunks for writers waiting their turn
#: (write_lock.py). HOLD bounds a respondent's wait, but a chunk takes several times HOLD
#: when the machine is oversubscribed: at 0.3 s a draft save waited up to 2.3 s in the
#: benchmark on a 2-core machine at load 13, so 0.2 s. The cap is HOLD's, not CHUNK's.
#: Before waiters announced themselves, the batch paused 0.08 to 0.15 s after every chunk
#: whether anyone waited or not: a third of a 100,000-row import (BENCHMARKS.md).
CHUNK = 20_000
FIRST_CHUNK = 250
HOLD = 0.2
PAUSE = 1.0
#: A batch of at least this many submissions has PostgreSQL's statistics brought up to date.
ANALYZE_AFTER = 5_000
_KEEP = object()  # update_action: "leave this field as it is" (None clears it)


def _arrival(conn, campaign: str, now: datetime, since=None) -> datetime:
    """The arrival time of what this write transaction stores in ``campaign``: after every
    arrival already stored there. The disclosure rule replays answers in arrival order, so
    that order must be the order readers could first see them (commit order), whatever the
    clocks of the servers sharing the store say. PostgreSQL locks the campaign's row until
    commit (SQLite writers are serialised already).

    ``since`` is (id, arrival) of the last submission a previous transaction of the same
    batch stored: only rows stored after it are read (reading the whole campaign for each
    chunk made an import's writes grow as the square of its size: 8% of 100,000 rows). A
    later writer's id is higher while that row exists (SQLite numbers a new row after the
    highest; PostgreSQL's sequence never goes back, and writers to one campaign queue on
    its row above); if it was deleted meanwhile, the whole campaign is read."""
    s = t.submissions
    if conn.dialect.name == "postgresql":
        conn.execute(select(t.campaigns.c.id).where(t.campaigns.c.id == campaign)
                     .with_for_update())
    where = s.c.campaign == campaign
    if since is not None and conn.execute(select(s.c.id).where(s.c.id == since[0])).first():
        where &= s.c.id > since[0]
        now = max(now, since[1] + timedelta(microseconds=1))
    latest = conn.execute(select(func.max(s.c.submitted_at)).where(where)).scalar()
    if isinstance(latest, str):
        latest = datetime.fromisoformat(latest)
    latest = read_utc(latest)
    return now if latest is None or now > latest else latest + timedelta(microseconds=1)


_SUBMISSION_COLUMNS = ("campaign, respondent, rater_group, segment, started_at, "
                       "source_submitted_at, flags, withheld, idempotency_key, submitted_at")
_ROWS_PER_INSERT = 3000  # 10 parameters a row: under SQLite's 32,766 and PostgreSQL's 65,535


def _time_to_driver(dialect):
    """A time as this backend's driver takes it, converted the way SQLAlchemy would."""
    convert = t.submissions.c.submitted_at.type.dialect_impl(dialect).bind_processor(dialect)
    if convert is None:
        return lambda value: value
    return lambda value: None if value is None else convert(value)


def _insert_submissions(conn, rows: list[tuple], now) -> dict[str, int]:
    """Insert submissions given as driver rows (``_SUBMISSION_COLUMNS`` but the last), all
    arriving at ``now``, skipping any whose idempotency key is stored already; returns the
    ids of those inserted by idempotency key.

    Straight to the driver, a few statements a chunk, each handing back the ids (an
    executemany gives none back, and looking them up took 200 queries per 100,000).
    PostgreSQL takes each column as one array (a statement of 30,000 placeholders cost
    psycopg more to parse than the server took to run it); SQLite, many rows per VALUES."""
    s, ids = t.submissions, {}
    if conn.dialect.name == "postgresql":
        cols = list(zip(*rows, strict=True))
        ids.update(conn.exec_driver_sql(
            f"INSERT INTO {s.name} ({_SUBMISSION_COLUMNS}) SELECT u.*, %s FROM unnest("
            "%s::varchar[], %s::varchar[], %s::varchar[], %s::varchar[], %s::timestamptz[], "
            "%s::timestamptz[], %s::varchar[], %s::boolean[], %s::varchar[]) AS u "
            "ON CONFLICT (idempotency_key) DO NOTHING RETURNING idempotency_key, id",
            (now, *(list(c) for c in cols))).all())
        return ids
    for start in range(0, len(rows), _ROWS_PER_INSERT):
        part = rows[start:start + _ROWS_PER_INSERT]
        ids.update(conn.exec_driver_sql(
            f"INSERT INTO {s.name} ({_SUBMISSION_COLUMNS}) VALUES "
            + ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"] * len(part))
            + " ON CONFLICT (idempotency_key) DO NOTHING RETURNING idempotency_key, id",
            tuple(v for row in part for v in (*row, now))).all())
    return ids


def _insert_answers(conn, answers: list[tuple]) -> None:
    """Insert (submission, item, facet, value, comment) rows, straight to the driver:
    SQLAlchemy's per-row parameter handling took longer than the database's own work for an
    import's 800,000 answers (PostgreSQL: one array a column, as above)."""
    sql = f"INSERT INTO {t.answers.name} (submission, item, facet, value, comment)"
    if conn.dialect.name == "postgresql":
        cols = [list(c) for c in zip(*answers, strict=True)]
        conn.exec_driver_sql(sql + " SELECT * FROM unnest(%s::integer[], %s::varchar[], "
                             "%s::varchar[], %s::float8[], %s::text[])", tuple(cols))
    else:
        conn.exec_driver_sql(sql + " VALUES (?, ?, ?, ?, ?)", answers)


def _withhold(conn, campaign: str, submissions) -> int:
    """Mark ``submissions`` of ``campaign`` as kept out of every figure (an erasure or a
    replacement counted them with the answers it removed); returns how many were newly so."""
    s, ids, done = t.submissions, sorted(int(i) for i in submissions), 0
    for start in range(0, len(ids), 500):  # well under any backend's parameter limit
        done += conn.execute(update(s).where(
            (s.c.campaign == campaign) & s.c.id.in_(ids[start:start + 500]) & ~s.c.withheld)
            .values(withheld=True)).rowcount
    return done


class Store:
    """Campaigns and their answers, in one database.

    Parameters
    ----------
    url : str, optional
        A SQLAlchemy URL. Default: ``$FOCUSKIT_DB_URL``, else the SQLite file
        ``data/focuskit.db`` of the project. ``postgresql://`` URLs use psycopg 3.

    Examples
    --------
    >>> store = Store("sqlite:///:memory:")
    >>> store.create_campaign("q1-leaders", "Leadership team, Q1", "focus-levels").status
    'open'
    """

    def __init__(self, url: str | None = None):
        self.url = url or default_url()
        self.engine = make_engine(self.url)
        try:
            self._migrate()
        except OperationalError as e:
            self.engine.dispose()
            raise StoreError(f"cannot open the store at {self._safe_url()}: "
                             f"{str(e.orig).strip()}") from None
        except StoreError:
            self.engine.dispose()
            raise
        self._campaign_cache: dict[str, Campaign] = {}
        #: Who the audit log names for what this store object changes (a staff name; the
        #: CLI sets "cli:<user>"). Set it before acting on someone's behalf.
        self.actor = "api"

    def _safe_url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    # -- plumbing -----------------------------------------------------------------------------
    @contextmanager
    def _write(self):
        with self.engine.connect() as conn:
            conn.execution_options(focuskit_write=True)
            with conn.begin():
                yield conn

    def _migrate(self) -> None:
        with self._write() as conn:
            t.migrate(conn, where=self._safe_url())

    @property
    def schema_version(self) -> int:
        with self.engine.connect() as conn:
            return t.schema_version(conn)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self) -> str:
        return f"Store({self._safe_url()!r})"

    def link_secret(self) -> bytes:
        """The key that signs respondent links, shared by every server using this store.

        Made by the version 4 migration; made here too should the row ever be missing.
        """
        m = t.meta
        with self.engine.connect() as conn:
            value = conn.execute(select(m.c.value).where(m.c.key == t.LINK_SECRET)).scalar()
        if value is None:
            try:
                with self._write() as conn:
                    conn.execute(insert(m).values(key=t.LINK_SECRET, value=t.new_link_secret()))
            except IntegrityError:
                pass  # another process made it first: use theirs
            with self.engine.connect() as conn:
                value = conn.execute(select(m.c.value).where(m.c.key == t.LINK_SECRET)).scalar()
        return value.encode("utf-8")

    # -- campaigns ----------------------------------------------------------------------------
    def create_campaign(self, id: str, title: str, instrument: str | Instrument, *,
                        organisation: str = "", rater_groups=None,
                        min_group_size: int = t.DEFAULT_MIN_GROUP,
                        comment_threshold: int = t.DEFAULT_COMMENT_THRESHOLD,
                        status: str = "open", segments=None,
                        link_mode: str = "shared", expected: int | None = None) -> Campaign:
        """Create a campaign asking ``instrument`` (an id, a YAML path or an Instrument).

        The instrument is copied into the campaign, so later edits to the item bank leave
        this campaign's meaning alone. ``min_group_size`` is the smallest group whose figures
        are ever shown (anonymity, at least 3); ``comment_threshold`` the smallest number of
        respondents whose comments staff may read (at least ``min_group_size``);
        ``rater_groups`` defaults to the instrument's audiences.
        ``segments`` fixes the only segments the campaign takes (None: any its links name);
        ``link_mode`` is "shared" (one link for many) or "personal" (a link per invitee).
        ``expected`` is how many people are expected to answer (a workshop's room; None: not
        said), see ``set_expected``.
        """
        if not isinstance(instrument, Instrument):
            instrument = load_instrument(instrument)
        problems = []
        if not isinstance(id, str) or not _SLUG.fullmatch(id):
            problems.append(f"id {id!r} must be 2-64 lowercase letters, digits and hyphens")
        if not isinstance(title, str) or not title.strip():
            problems.append("title must be non-empty text")
        groups = tuple(rater_groups or instrument.audiences)
        bad = [g for g in groups if g not in RATER_GROUPS]
        if bad:
            problems.append(f"unknown rater group(s) {bad}; choose from {', '.join(RATER_GROUPS)}")
        problems += _check_thresholds(min_group_size, comment_threshold)
        if status not in STATUSES:
            problems.append(f"status must be one of {', '.join(STATUSES)}")
        segs, found = check_segment_list(segments)
        problems += found
        if link_mode not in t.LINK_MODES:
            problems.append(f"link_mode must be one of {', '.join(t.LINK_MODES)}, "
                            f"not {link_mode!r}")
        problems += check_text(title=title, organisation=organisation)
        problems += _check_expected(expected)
        if problems:
            raise StoreError("cannot create the campaign:", problems)
        row = dict(id=id, title=title.strip(), instrument=instrument.id,
                   instrument_version=instrument.version,
                   instrument_spec=json.dumps(instrument.to_dict()), organisation=organisation,
                   rater_groups=",".join(groups), min_group_size=min_group_size,
                   comment_threshold=comment_threshold,
                   status=status, revealed=False, created_at=utc_now(),
                   segments=None if segs is None else json.dumps(segs), link_mode=link_mode,
                   expected=expected)
        try:
            with self._write() as conn:
                conn.execute(insert(t.campaigns).values(**row))
                self._log(conn, "create", id, f"{instrument.id} {instrument.version}; groups "
                          f"under {min_group_size} withheld")
        except IntegrityError:
            raise StoreError(f"a campaign {id!r} exists already; choose another id") from None
        return self.campaign(id)

    def campaign(self, id: str) -> Campaign:
        """The campaign ``id``; StoreError naming the known ones when there is none."""
        with self.engine.connect() as conn:
            row = conn.execute(select(t.campaigns).where(t.campaigns.c.id == str(id))).first()
            if row is None:
                known = conn.execute(select(t.campaigns.c.id).order_by(t.campaigns.c.id)
                                     .limit(20)).scalars().all()
        if row is None:
            hint = f" Known: {', '.join(known)}." if known else " The store has no campaigns."
            raise StoreError(f"no campaign {str(id)[:64]!r}.{hint}")
        return self._campaign_from_row(row)

    def _campaign_from_row(self, row) -> Campaign:
        cached = self._campaign_cache.get(row.id)
        if cached is None or cached.instrument.version != row.instrument_version:
            try:
                inst = parse_instrument(json.loads(row.instrument_spec), f"campaign {row.id}")
            except (InstrumentError, ValueError) as e:
                raise StoreError(f"campaign {row.id!r} holds an unreadable instrument: {e}") from None
        else:
            inst = cached.instrument
        camp = Campaign(id=row.id, title=row.title, instrument=inst,
                        organisation=row.organisation,
                        rater_groups=tuple(g for g in row.rater_groups.split(",") if g),
                        min_group_size=row.min_group_size, status=row.status,
                        revealed=bool(row.revealed), created_at=read_utc(row.created_at),
                        comment_threshold=row.comment_threshold,
                        segments=read_segment_list(row.segments), link_mode=row.link_mode,
                        expected=row.expected, programme=row.programme,
                        previous=row.previous, wave=row.wave)
        self._campaign_cache[row.id] = camp
        return camp

    def campaigns(self, status: str | None = None) -> list[Campaign]:
        """All campaigns, newest first; only those with ``status`` when given."""
        q = select(t.campaigns).order_by(t.campaigns.c.created_at.desc(), t.campaigns.c.id)
        if status is not None:
            q = q.where(t.campaigns.c.status == status)
        with self.engine.connect() as conn:
            rows = conn.execute(q).all()
        return [self._campaign_from_row(r) for r in rows]

    def set_status(self, campaign: str, status: str) -> Campaign:
        """Open, close or archive a campaign (draft -> open -> closed -> archived; reopening
        is allowed). Only an open campaign takes answers."""
        if status not in STATUSES:
            raise StoreError(f"status must be one of {', '.join(STATUSES)}, not {status!r}")
        self._update_campaign(campaign, ("status", status), status=status)
        return self.campaign(campaign)

    def reveal(self, campaign: str, revealed: bool = True) -> Campaign:
        """Let (or stop letting) a workshop room see its results."""
        self._update_campaign(campaign, ("reveal" if revealed else "hide", ""),
                              revealed=bool(revealed))
        return self.campaign(campaign)

    def set_expected(self, campaign: str, expected: int | None) -> Campaign:
        """Say how many people are expected to answer (None: not said). A workshop board shows
        "24 of 30 have answered" with it, and ``focuskit serve`` warms that many kernels."""
        problems = _check_expected(expected)
        if problems:
            raise StoreError("expected number not changed:", problems)
        self._update_campaign(campaign, ("expected", str(expected)), expected=expected)
        return self.campaign(campaign)

    def set_min_group_size(self, campaign: str, size: int) -> Campaign:
        """Change the minimum group size, only while the campaign has no answer: a threshold
        changed later would let two views of the same answers be compared."""
        camp = self.campaign(campaign)
        problems = _check_thresholds(size, max(camp.comment_threshold, size
                                               if isinstance(size, int) else 0))
        if problems:
            raise StoreError("minimum group size not changed:", problems)
        with self._write() as conn:
            if self._has_answers(conn, camp.id):
                raise StoreError(f"campaign {camp.id!r} has answers: its minimum group size "
                                 f"stays {camp.min_group_size} (it is fixed at the first answer)")
            values = {"min_group_size": size}
            if camp.comment_threshold < size:
                values["comment_threshold"] = size
            conn.execute(update(t.campaigns).where(t.campaigns.c.id == camp.id).values(**values))
            self._log(conn, "change", camp.id, f"min_group_size {camp.min_group_size} -> {size}")
        self._campaign_cache.pop(camp.id, None)
        return self.campaign(camp.id)

    def set_comment_threshold(self, campaign: str, size: int) -> Campaign:
        """Change how many respondents a group needs before staff may read its comments
        (never below the minimum group size)."""
        camp = self.campaign(campaign)
        problems = _check_thresholds(camp.min_group_size, size)
        if problems:
            raise StoreError("comment threshold not changed:", problems)
        self._update_campaign(camp.id, ("change", f"comment_threshold "
                                        f"{camp.comment_threshold} -> {size}"),
                              comment_threshold=size)
        return self.campaign(camp.id)

    @staticmethod
    def _has_answers(conn, campaign: str) -> bool:
        return conn.execute(select(t.submissions.c.id).where(
            t.submissions.c.campaign == campaign).limit(1)).first() is not None

    def _update_campaign(self, campaign: str, logged: tuple[str, str], **values) -> None:
        with self._write() as conn:
            done = conn.execute(update(t.campaigns).where(t.campaigns.c.id == campaign)
                                .values(**values)).rowcount
            if done:
                self._log(conn, logged[0], campaign, logged[1])
        if not done:
            self.campaign(campaign)  # raises the helpful "no campaign" error

    # -- erasure ------------------------------------------------------------------------------
    def erase_respondent(self, campaign: str, code: str, *, withhold,
                         newer_than: int | None = None) -> Erased | None:
        """Delete every submission, answer and draft of respondent ``code`` in ``campaign`` (a
        data-protection request). The rows are deleted, not flagged; the audit log keeps that
        it happened, not the code.

        ``withhold``: the submissions whose answers were counted together with the erased
        person's, to keep out of every figure from now on, so that figures seen before and
        after the erasure cannot be differenced down to that person's answers. Call
        ``focuskit.analysis.anonymity.erase``, which works them out, rather than this.
        ``newer_than``: the last submission id ``withhold`` was worked out from; if a later
        one has arrived since, nothing is erased and None is returned (work it out again)."""
        camp = self.campaign(campaign)
        if not isinstance(code, str) or not code.strip():
            raise StoreError("give the respondent's code to erase")
        s, a, d = t.submissions, t.answers, t.drafts
        with self._write() as conn:
            if newer_than is not None and conn.execute(select(s.c.id).where(
                    (s.c.campaign == camp.id) & (s.c.id > newer_than)).limit(1)).first():
                return None
            ids = conn.execute(select(s.c.id).where((s.c.campaign == camp.id)
                                                    & (s.c.respondent == code))).scalars().all()
            n_answers = 0
            if ids:
                n_answers = conn.execute(a.delete().where(a.c.submission.in_(ids))).rowcount
                conn.execute(s.delete().where(s.c.id.in_(ids)))
            n_held = _withhold(conn, camp.id, set(withhold) - set(ids))
            n_drafts = conn.execute(d.delete().where((d.c.campaign == camp.id)
                                                     & (d.c.respondent == code))).rowcount
            self._log(conn, "erase", camp.id, f"one respondent: {len(ids)} submission(s), "
                      f"{n_drafts} draft(s)")
        return Erased(len(ids), n_answers, n_drafts, n_held)

    def delete_campaign(self, campaign: str) -> Erased:
        """Delete a campaign with all its submissions, answers, drafts and actions."""
        camp = self.campaign(campaign)
        s, a = t.submissions, t.answers
        with self._write() as conn:
            ids = select(s.c.id).where(s.c.campaign == camp.id)
            n_answers = conn.execute(a.delete().where(a.c.submission.in_(ids))).rowcount
            n_subs = conn.execute(s.delete().where(s.c.campaign == camp.id)).rowcount
            n_drafts = conn.execute(t.drafts.delete().where(
                t.drafts.c.campaign == camp.id)).rowcount
            conn.execute(t.actions.delete().where(t.actions.c.campaign == camp.id))
            conn.execute(t.join_codes.delete().where(t.join_codes.c.campaign == camp.id))
            prog.unlink_wave(conn, camp.id)  # its next wave follows the one before it
            conn.execute(t.campaigns.delete().where(t.campaigns.c.id == camp.id))
            self._log(conn, "delete", camp.id, f"{n_subs} submission(s), {n_drafts} draft(s)")
        self._campaign_cache.clear()  # later waves were numbered again
        return Erased(n_subs, n_answers, n_drafts)

    # -- join codes ---------------------------------------------------------------------------
    def join_code(self, campaign: str, rater_group: str, segment: str | None = None) -> str:
        """The join code of the shared link of ``campaign``, ``rater_group`` and ``segment``:
        made the first time it is asked for, the same ever after, and the same on every
        server sharing this store. A campaign of personal links has none (a code anyone can
        type would stand for one person's link)."""
        camp = self.campaign(campaign)
        seg = (segment or "").strip()
        problems = []
        if camp.link_mode != "shared":
            problems.append(f"{camp.id} gives personal links: a join code is for a shared link")
        if rater_group not in camp.rater_groups:
            problems.append(f"{camp.id} asks {', '.join(camp.rater_groups)}; not "
                            f"{str(rater_group)[:20]!r}")
        if seg and camp.segments is not None and seg not in camp.segments:
            problems.append(f"segment {seg[:60]!r} is not one of {camp.id}'s segments")
        if problems:
            raise StoreError("no join code:", problems)
        j = t.join_codes
        this = (j.c.campaign == camp.id) & (j.c.rater_group == rater_group) & (j.c.segment == seg)
        for _ in range(10):
            with self.engine.connect() as conn:
                code = conn.execute(select(j.c.code).where(this)).scalar()
            if code is not None:
                return code
            try:
                with self._write() as conn:
                    conn.execute(insert(j).values(code=new_join_code(), campaign=camp.id,
                                                  rater_group=rater_group, segment=seg,
                                                  created_at=utc_now()))
                    self._log(conn, "join-code", camp.id, f"{rater_group} {seg}".strip())
            except IntegrityError:
                continue  # that code is taken, or another server made this link's code first
        raise StoreError(f"could not make a join code for {camp.id}; please try again")

    def find_join_code(self, typed: str) -> tuple[str, str, str | None] | None:
        """(campaign, rater group, segment) of the join code ``typed`` (any case, spaces or
        dashes), while its campaign is open; None for any other text, known or not."""
        code = normal_join_code(typed)
        if code is None:
            return None
        j, c = t.join_codes, t.campaigns
        with self.engine.connect() as conn:
            row = conn.execute(select(j.c.campaign, j.c.rater_group, j.c.segment)
                               .join(c, c.c.id == j.c.campaign)
                               .where((j.c.code == code) & (c.c.status == "open")
                                      & (c.c.link_mode == "shared"))).first()
        return None if row is None else (row[0], row[1], row[2] or None)

    # -- staff keys ---------------------------------------------------------------------------
    def add_staff(self, name: str, role: str) -> str:
        """Give ``name`` a key with ``role`` (viewer or admin); returns the key, which is
        stored only as a hash: show it once. A revoked name may be given a new key."""
        problems = []
        if not isinstance(name, str) or not _STAFF_NAME.fullmatch(name):
            problems.append(f"name {name!r} must be 1-63 lowercase letters, digits, dots, "
                            "hyphens or underscores")
        if role not in ROLES:
            problems.append(f"role must be one of {', '.join(ROLES)}, not {role!r}")
        if problems:
            raise StoreError("staff member not added:", problems)
        key_id, key = new_key()
        row = dict(role=role, key_id=key_id, key_hash=hash_key(key), created_at=utc_now(),
                   revoked_at=None)
        st = t.staff
        with self._write() as conn:
            old = conn.execute(select(st.c.revoked_at).where(st.c.name == name)).first()
            if old is not None and old.revoked_at is None:
                raise StoreError(f"{name!r} has a key already; revoke it first to replace it")
            if old is None:
                conn.execute(insert(st).values(name=name, **row))
            else:
                conn.execute(update(st).where(st.c.name == name).values(**row))
            self._log(conn, "staff add", None, f"{name} as {role}")
        return key

    def staff(self) -> list[StaffMember]:
        """Every staff member, revoked ones too, by name."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.staff).order_by(t.staff.c.name)).all()
        return [_member(r) for r in rows]

    def staff_member(self, name: str) -> StaffMember | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(t.staff).where(t.staff.c.name == name)).first()
        return None if row is None else _member(row)

    def revoke_staff(self, name: str) -> StaffMember:
        """Withdraw ``name``'s key; the name stays in the audit log."""
        st = t.staff
        with self._write() as conn:
            done = conn.execute(update(st).where((st.c.name == name) & st.c.revoked_at.is_(None))
                                .values(revoked_at=utc_now())).rowcount
            if done:
                self._log(conn, "staff revoke", None, name)
        member = self.staff_member(name)
        if member is None:
            raise StoreError(f"no staff member {str(name)[:64]!r}; 'focuskit staff list' "
                             "shows them")
        return member

    def check_key(self, key: str) -> StaffMember | None:
        """The active staff member holding ``key``, or None (unknown, wrong or revoked)."""
        key_id = key_id_of(key)
        row = None
        if key_id is not None:
            with self.engine.connect() as conn:
                row = conn.execute(select(t.staff).where(t.staff.c.key_id == key_id)).first()
        ok = verify_key(key if isinstance(key, str) else "", row.key_hash if row else None)
        if not ok or row.revoked_at is not None:
            return None
        return _member(row)

    # -- audit log ----------------------------------------------------------------------------
    def _log(self, conn, action: str, campaign: str | None, detail: str = "",
             actor: str | None = None) -> None:
        conn.execute(insert(t.audit).values(
            at=utc_now(), actor=str(actor or self.actor)[:64], action=action[:32],
            campaign=campaign, detail=str(detail)[:500]))  # a visitor's path can be long

    def log(self, action: str, campaign: str | None = None, detail: str = "", *,
            actor: str | None = None) -> None:
        """Write one line of the audit log (by ``actor``, default ``self.actor``)."""
        with self._write() as conn:
            self._log(conn, action, campaign, detail, actor)

    def audit_log(self, *, campaign: str | None = None, limit: int | None = None):
        """The audit log, newest first, as a DataFrame: at (UTC), actor, action, campaign,
        detail."""
        import pandas as pd

        q = select(t.audit.c.at, t.audit.c.actor, t.audit.c.action, t.audit.c.campaign,
                   t.audit.c.detail).order_by(t.audit.c.id.desc())
        if campaign is not None:
            q = q.where(t.audit.c.campaign == campaign)
        if limit is not None:
            q = q.limit(limit)
        with self.engine.connect() as conn:
            rows = conn.execute(q).all()
        df = pd.DataFrame([r._asdict() for r in rows],
                          columns=["at", "actor", "action", "campaign", "detail"])
        df["at"] = pd.to_datetime(df["at"], utc=True)
        return df

    # -- answering ----------------------------------------------------------------------------
    def _open_campaign(self, campaign: str) -> Campaign:
        camp = self.campaign(campaign)
        if camp.status != "open":
            raise StoreError(f"campaign {camp.id!r} is {camp.status}; it takes no answers now")
        return camp

    def save_draft(self, campaign: str, respondent: str, answers, *, rater_group=None,
                   segment=None, page: int = 0) -> Draft:
        """Keep a respondent's unfinished answers so they can resume later.

        Values are checked like a submission's, but required items may still be missing.
        """
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
        now = utc_now()
        values = dict(rater_group=rater_group, segment=segment, answers=json.dumps(stored),
                      page=page, updated_at=now)
        # One statement, so that two first saves at once (two tabs, a retry) cannot both
        # insert: PostgreSQL raised UniqueViolation on the loser of a select-then-insert.
        dialect = pg_insert if self.engine.dialect.name == "postgresql" else sqlite_insert
        stmt = dialect(t.drafts).values(campaign=camp.id, respondent=respondent,
                                        started_at=now, **values)
        stmt = stmt.on_conflict_do_update(index_elements=[t.drafts.c.campaign,
                                                          t.drafts.c.respondent], set_=values)
        with self._write() as conn:
            conn.execute(stmt)
        return self.draft(camp.id, respondent)

    def draft(self, campaign: str, respondent: str) -> Draft | None:
        """The saved draft of ``respondent`` in ``campaign``, or None."""
        with self.engine.connect() as conn:
            row = conn.execute(select(t.drafts).where(
                (t.drafts.c.campaign == campaign) & (t.drafts.c.respondent == respondent))).first()
        if row is None:
            return None
        return Draft(row.campaign, row.respondent, row.rater_group, row.segment,
                     json.loads(row.answers), row.page, read_utc(row.started_at),
                     read_utc(row.updated_at))

    def submit(self, campaign: str, answers, *, rater_group: str, segment: str | None = None,
               respondent: str | None = None, idempotency_key: str | None = None,
               started_at: datetime | None = None) -> Receipt:
        """Validate and store one complete submission, all of it or nothing.

        ``answers`` is ``{item: {facet: value, "comment": text}}`` or a list of
        ``(item, facet, value[, comment])`` records. Submitting again with the same
        ``idempotency_key`` stores nothing and returns the first receipt with
        ``created=False``. Without a key, a respondent token stands in for it (one
        submission per token and campaign); with neither, every call is a new submission.
        Raises StoreError listing every problem; nothing is written then.
        """
        return self.submit_many(campaign, [dict(
            answers=answers, rater_group=rater_group, segment=segment, respondent=respondent,
            idempotency_key=idempotency_key, started_at=started_at)])[0]

    def submit_many(self, campaign: str, submissions: list[dict], *, label=None,
                    progress=None, counted_with=None,
                    at: datetime | None = None) -> list[Receipt]:
        """Store several submissions: all are stored, or none.

        Each dict takes the keyword arguments of ``submit``. Problems are reported as
        ``label(n)`` (default ``submission n``) so that importers can name their rows.
        Everything is checked before anything is written. Up to ``FIRST_CHUNK`` submissions
        are written in one transaction; a larger batch is written in short transactions so that
        respondents saving drafts meanwhile never wait long (see ``_insert_in_chunks``), and
        ``progress(done, total)`` is called after each. Readers may see the earlier chunks
        before the last is in: if a later chunk fails, the earlier ones are taken back as an
        erasure takes a respondent's answers back, withholding whoever they were counted with
        (``counted_with``: ``focuskit.analysis.anonymity.counted_with``); without it, they are
        kept (importing the same file again stores the rest) rather than deleted silently.
        ``at``: the arrival time to record instead of now (the demo's waves a year apart);
        never before an arrival already stored in the campaign (then just after it).
        """
        camp = self._open_campaign(campaign)
        if at is not None and not isinstance(at, datetime):
            raise StoreError(f"at must be a datetime, not {type(at).__name__}")
        at = to_utc(at if at is None or at.tzinfo else at.replace(tzinfo=UTC))
        prepared = self._prepare(camp, submissions, label or (lambda n: f"submission {n + 1}"))
        if len(prepared) <= min(CHUNK, FIRST_CHUNK):
            receipts = self._insert_retrying(camp, prepared, drop_drafts=True, now=at)
            if progress is not None:
                progress(len(receipts), len(prepared))
            return receipts
        return self._insert_in_chunks(camp, prepared, progress, counted_with, at)

    def _prepare(self, camp: Campaign, submissions: list[dict], label) -> list:
        """(submission, key, rows) for each, or StoreError listing every problem."""
        checked, problems = check_many(camp, submissions, label)
        if problems:
            raise StoreError(f"nothing stored in {camp.id!r}:", problems)
        prepared = []
        for sub, key, rows in checked:
            if key is None:
                respondent = sub.get("respondent")
                key = f"{camp.id}:respondent:{respondent}" if respondent else uuid.uuid4().hex
            prepared.append((sub, key, rows))
        return prepared

    def stored_by_key(self, campaign: str, keys: list[str]) -> dict[str, dict]:
        """The stored submissions with these idempotency keys, as ``{key: {"submission",
        "rater_group", "segment", "answers"}}`` (answers nested as ``submit`` takes them).

        Imports use it to tell a respondent already stored from a changed answer."""
        s, a = t.submissions, t.answers
        out: dict[str, dict] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(keys), 500):
                part = keys[start:start + 500]
                subs = {r.id: r for r in conn.execute(
                    select(s.c.id, s.c.idempotency_key, s.c.rater_group, s.c.segment)
                    .where((s.c.campaign == campaign) & s.c.idempotency_key.in_(part)))}
                rows: dict[int, list] = {i: [] for i in subs}
                if subs:
                    for r in conn.execute(select(a.c.submission, a.c.item, a.c.facet, a.c.value,
                                                 a.c.comment)
                                          .where(a.c.submission.in_(list(subs)))):
                        rows[r.submission].append((r.item, r.facet, r.value, r.comment))
                for i, r in subs.items():
                    out[r.idempotency_key] = dict(submission=i, rater_group=r.rater_group,
                                                  segment=r.segment,
                                                  answers=nest_answers(rows[i]))
        return out

    def replace_submissions(self, campaign: str, submissions: list[dict], *, withhold,
                            label=None) -> list[Receipt]:
        """Replace stored submissions, found by their ``idempotency_key``, in one transaction.

        A replacement is stored as a new arrival (a new submission, stored now) and the old
        one is deleted; ``withhold`` lists the submissions counted together with the old ones,
        to keep out of every figure from now on, as for an erasure: otherwise the figures
        before and after would differ by one person's change of answers. Work it out with
        ``focuskit.analysis.anonymity.counted_with``. A key that is not stored is an error;
        nothing is changed then.
        """
        camp = self._open_campaign(campaign)
        prepared = self._prepare(camp, submissions, label or (lambda n: f"submission {n + 1}"))
        s = t.submissions
        receipts = []
        with self._write() as conn:
            now = _arrival(conn, camp.id, utc_now())
            gone = []
            for sub, key, rows in prepared:
                old = conn.execute(select(s.c.id).where(
                    (s.c.campaign == camp.id) & (s.c.idempotency_key == key))).first()
                if old is None:
                    raise StoreError(f"nothing replaced in {camp.id!r}: no stored submission "
                                     f"has the key {key!r}")
                gone.append(old.id)
                conn.execute(t.answers.delete().where(t.answers.c.submission == old.id))
                conn.execute(s.delete().where(s.c.id == old.id))
                made = conn.execute(insert(s).values(
                    campaign=camp.id, respondent=sub.get("respondent"),
                    rater_group=sub["rater_group"], segment=sub.get("segment"),
                    started_at=to_utc(sub.get("started_at")), submitted_at=now,
                    idempotency_key=key,
                    source_submitted_at=to_utc(sub.get("source_submitted_at")),
                    flags=sub.get("flags") or None)).inserted_primary_key[0]
                if rows:
                    conn.execute(insert(t.answers), [
                        dict(submission=made, item=i, facet=f, value=v, comment=c)
                        for i, f, v, c in rows])
                receipts.append(Receipt(made, False))
            n_held = _withhold(conn, camp.id, set(withhold) - set(gone))
            self._log(conn, "replace", camp.id, f"{len(gone)} submission(s); "
                      f"{n_held} other(s) withheld from the figures")
        return receipts

    def submission_info(self, campaign: str):
        """One row per submission: submission, respondent, submitted_at (arrival, UTC),
        source_submitted_at (the survey tool's time for an import, UTC) and flags (a tuple of
        data quality flags such as ``straight-lining`` or ``speeder``; empty when none).

        Flags are kept, never applied: filter on them, e.g.
        ``df[~df.submission.isin(info.submission[info.flags.map(bool)])]``.
        """
        import pandas as pd

        camp = self.campaign(campaign)
        s = t.submissions
        with self.engine.connect() as conn:
            rows = conn.execute(select(s.c.id, s.c.respondent, s.c.submitted_at,
                                       s.c.source_submitted_at, s.c.flags)
                                .where(s.c.campaign == camp.id).order_by(s.c.id)).all()
        return pd.DataFrame({
            "submission": pd.Series([r.id for r in rows], dtype="int64"),
            "respondent": pd.Series([r.respondent for r in rows], dtype="object"),
            "submitted_at": pd.to_datetime([read_utc(r.submitted_at) for r in rows], utc=True),
            "source_submitted_at": pd.to_datetime([read_utc(r.source_submitted_at)
                                                   for r in rows], utc=True),
            "flags": pd.Series([tuple(r.flags.split(",")) if r.flags else () for r in rows],
                               dtype="object"),
        })

    def _insert_in_chunks(self, camp: Campaign, prepared, progress,
                          counted_with=None, at=None) -> list[Receipt]:
        """Write a large, already validated batch in short transactions, all or nothing.

        One transaction for 100,000 rows held SQLite's write lock for minutes and made
        respondents' draft saves fail. Each chunk now commits in about ``HOLD`` seconds (its
        size follows how fast the previous one was written, at most ``CHUNK``), and on
        SQLite the next one first lets every writer waiting its turn go first
        (``write_lock.give_way``, at most ``PAUSE`` seconds). Everything was checked before
        the first chunk, so a later chunk fails only on a lost connection, a
        key clash with a concurrent writer, or a crash. Readers may see a batch grow while
        it is written, so on any exception the earlier chunks are not simply deleted (the
        figures before and after would differ by a chunk's stragglers): ``_take_back``
        erases them and withholds whoever they were counted with, or keeps them when it
        cannot work that out. Importing the same file again then stores the rest (the
        stored part's idempotency keys are found). Drafts of the batch's respondents are
        removed once every chunk is in, so that an undone batch loses no one's draft.
        """
        receipts: list[Receipt] = []
        size = min(CHUNK, FIRST_CHUNK)
        # Each chunk is a moment of its own (a microsecond apart): readers may see the batch
        # grow, and the disclosure rule's blocks must be the same whenever they look.
        now, since = at or utc_now(), []
        took = 0.0
        try:
            while len(receipts) < len(prepared):
                if receipts and self.engine.dialect.name == "sqlite":
                    give_way(announce_path(self.engine.url.database), PAUSE)
                began = time.perf_counter()
                receipts += self._insert_retrying(
                    camp, prepared[len(receipts):len(receipts) + size], drop_drafts=False,
                    now=now, since=since)
                now += timedelta(microseconds=1)
                # A busy machine makes the same chunk slower: keep each near HOLD seconds,
                # growing at most twice as large at a time (a quiet moment is no promise).
                took = time.perf_counter() - began
                size = min(CHUNK, 2 * size, max(10, int(size * HOLD / max(took, 1e-3))))
                if progress is not None:
                    progress(len(receipts), len(prepared))
        except BaseException as e:
            note = self._take_back(camp, [r.submission for r in receipts if r.created],
                                   counted_with)
            if note:
                e.add_note(note)
            raise
        if self.engine.dialect.name == "postgresql" and len(receipts) >= ANALYZE_AFTER:
            # Fresh statistics for the planner, where autovacuum is off or has not come by
            # yet: without them, looking 500 keys up scanned the whole table, and re-importing
            # a 100,000-row export took 20 s.
            try:
                with self._write() as conn:
                    conn.exec_driver_sql(f"ANALYZE {t.submissions.name}, {t.answers.name}")
            except (OperationalError, ProgrammingError):  # the rows are in; a hint failed
                pass
        who = {sub["respondent"] for (sub, _, _), r in zip(prepared, receipts, strict=True)
               if r.created and sub.get("respondent")}
        if who:  # drafts are few: find whose there are, rather than ask for 100,000 names
            with self.engine.connect() as conn:
                who &= set(conn.execute(select(t.drafts.c.respondent).where(
                    t.drafts.c.campaign == camp.id)).scalars())
        who = sorted(who)
        for start in range(0, len(who), 500):  # well under any backend's parameter limit
            with self._write() as conn:
                conn.execute(t.drafts.delete().where(
                    (t.drafts.c.campaign == camp.id)
                    & t.drafts.c.respondent.in_(who[start:start + 500])))
        return receipts

    def _take_back(self, camp: Campaign, ids: list[int], counted_with) -> str | None:
        """Undo a failed batch's committed chunks, which readers may have seen: delete them
        and withhold the submissions they were counted with, in one transaction, as
        ``erase_respondent`` does (so no figure seen meanwhile can be differenced against
        one seen after). Without ``counted_with``, or when that fails, they are kept and
        the returned note says so."""
        if not ids:
            return None
        kept = (f"{len(ids)} submission(s) stored before the failure are kept (readers may "
                "have seen them); importing the same file again stores the rest")
        if counted_with is None:
            return kept
        s, a = t.submissions, t.answers
        try:
            for _ in range(3):
                frame = self.responses(camp.id)
                latest = int(frame["submission"].max()) if len(frame) else 0
                others = set(counted_with(frame, set(ids))) - set(ids)
                with self._write() as conn:
                    if conn.execute(select(s.c.id).where((s.c.campaign == camp.id)
                                                         & (s.c.id > latest)).limit(1)).first():
                        continue  # someone answered meanwhile: work it out again
                    for start in range(0, len(ids), 500):
                        part = ids[start:start + 500]
                        conn.execute(a.delete().where(a.c.submission.in_(part)))
                        conn.execute(s.delete().where(s.c.id.in_(part)))
                    held = _withhold(conn, camp.id, others)
                    self._log(conn, "import undone", camp.id, f"{len(ids)} submission(s) "
                              f"taken back; {held} other(s) withheld from the figures")
                return (f"the {len(ids)} submission(s) stored before the failure were taken "
                        f"back; {held} other(s) counted with them are withheld from the "
                        "figures, as after an erasure")
        except Exception as undo:  # noqa: BLE001 - the batch's own error is what propagates
            return f"{kept} (taking them back failed: {undo!r:.200})"
        return kept + " (answers kept arriving while taking them back)"

    def _insert_retrying(self, camp: Campaign, prepared, drop_drafts: bool,
                         now=None, since=None) -> list[Receipt]:
        try:
            return self._insert(camp, prepared, drop_drafts, now, since)
        except IntegrityError:
            # Another process stored one of these keys between our check and insert
            # (PostgreSQL; SQLite writers are serialised). The retry finds it stored.
            return self._insert(camp, prepared, drop_drafts, now, since)

    def _insert(self, camp: Campaign, prepared, drop_drafts: bool,
                now=None, since=None) -> list[Receipt]:
        """One transaction: insert what is new in a few statements, then look up the keys
        that were stored already.

        ``since`` (a chunked batch's) holds [id, arrival] of the batch's last stored
        submission, for ``_arrival``, and is updated here.

        The rows are put in the driver's own form before the write lock is taken: inside it,
        SQLAlchemy's per-row parameter handling took as long as SQLite's work, and every
        second the lock is held is a second a respondent's save may wait (or, for a chunked
        import, a pause more)."""
        s = t.submissions
        keys = list(dict.fromkeys(key for _, key, _ in prepared))
        to_driver = _time_to_driver(self.engine.dialect)
        row_of = {}
        for sub, key, _ in prepared:
            if key not in row_of:
                row_of[key] = (camp.id, sub.get("respondent"), sub["rater_group"],
                               sub.get("segment"), to_driver(to_utc(sub.get("started_at"))),
                               to_driver(to_utc(sub.get("source_submitted_at"))),
                               sub.get("flags") or None, False, key)
        with self._write() as conn:
            arrived = _arrival(conn, camp.id, now or utc_now(), since or None)
            # A key stored before (a re-import, a retried request) is left as it is: the
            # insert skips it, and only those keys are looked up. (Looking every key up
            # first cost 200 queries per 100,000 submissions inside the write lock, and on a
            # PostgreSQL whose statistics lagged each one scanned the whole table: 50 s.)
            ids = _insert_submissions(conn, list(row_of.values()), to_driver(arrived))
            taken = [key for key in keys if key not in ids]
            old = {}
            for start in range(0, len(taken), 500):  # well under any parameter limit
                old.update((r.idempotency_key, r) for r in conn.execute(
                    select(s.c.idempotency_key, s.c.id, s.c.campaign)
                    .where(s.c.idempotency_key.in_(taken[start:start + 500]))))
            for r in old.values():
                if r.campaign != camp.id:
                    raise StoreError(f"idempotency key {r.idempotency_key!r} was already used "
                                     f"in campaign {r.campaign!r}")
            if ids:
                if since is not None:
                    since[:] = [max(ids.values()), arrived]
                new, seen = [], set()
                for sub, key, rows in prepared:
                    if key in ids and key not in seen:
                        seen.add(key)
                        new.append((sub, key, rows))
                answers = [(ids[key], i, f, v, c) for _, key, rows in new for i, f, v, c in rows]
                if answers:
                    _insert_answers(conn, answers)
                who = sorted({sub["respondent"] for sub, _, _ in new if sub.get("respondent")})
                if drop_drafts and who:
                    conn.execute(t.drafts.delete().where(
                        (t.drafts.c.campaign == camp.id) & t.drafts.c.respondent.in_(who)))
        receipts, first = [], set()
        for _, key, _ in prepared:
            if key in ids and key not in first:
                first.add(key)
                receipts.append(Receipt(ids[key], True))
            else:
                receipts.append(Receipt(ids.get(key) or old[key].id, False))
        return receipts

    # -- reading ------------------------------------------------------------------------------
    def counts(self, campaign: str) -> dict:
        """Drafts, submissions, and submissions per rater group (a workshop's live count)."""
        self.campaign(campaign)
        s = t.submissions
        with self.engine.connect() as conn:
            groups = dict(conn.execute(select(s.c.rater_group, func.count())
                                       .where(s.c.campaign == campaign)
                                       .group_by(s.c.rater_group)).all())
            drafts = conn.execute(select(func.count()).select_from(t.drafts)
                                  .where(t.drafts.c.campaign == campaign)).scalar_one()
        return {"drafts": drafts, "submissions": sum(groups.values()), "groups": groups}

    def answering(self, campaign: str, *, within: float = ANSWERING_WITHIN,
                  rater_group: str | None = None, now: datetime | None = None) -> int:
        """People answering now: drafts saved in the last ``within`` seconds (only those of
        ``rater_group`` when given). A draft left days ago is someone who went away."""
        self.campaign(campaign)
        d = t.drafts
        since = to_utc(now or utc_now()) - timedelta(seconds=within)
        q = select(func.count()).select_from(d).where((d.c.campaign == campaign)
                                                      & (d.c.updated_at >= since))
        if rater_group is not None:
            q = q.where(d.c.rater_group == rater_group)
        with self.engine.connect() as conn:
            return conn.execute(q).scalar_one()

    def responses(self, campaign: str, *, rater_group=None, segment=None):
        """The campaign's answers as a long tidy DataFrame, one row per answer.

        Columns: campaign, submission, respondent (pseudonymous token or None), rater_group,
        segment, section, item, facet, value (float; NaN for a comment-only row), comment
        (the item's comment sits on the row of its first answered facet), submitted_at (UTC).
        Rows follow submission order, then the instrument's item and facet order.
        ``rater_group`` and ``segment`` filter to one value or a list of values.
        """
        from .frames import responses_frame

        camp = self.campaign(campaign)
        s, a = t.submissions, t.answers
        q = (select(s.c.campaign, s.c.id.label("submission"), s.c.respondent, s.c.rater_group,
                    s.c.segment, a.c.item, a.c.facet, a.c.value, a.c.comment, s.c.submitted_at)
             .join(a, a.c.submission == s.c.id).where(s.c.campaign == camp.id))
        held = select(s.c.id).where((s.c.campaign == camp.id) & s.c.withheld).order_by(s.c.id)
        for col, want in ((s.c.rater_group, rater_group), (s.c.segment, segment)):
            if want is not None:
                pick = col.in_([want] if isinstance(want, str) else list(want))
                q, held = q.where(pick), held.where(pick)
        with self.engine.connect() as conn:
            df = responses_frame(conn, q, camp.instrument)
            withheld = tuple(conn.execute(held).scalars())
        # The analysis layer reads these to apply the campaign's anonymity threshold; the
        # campaign's own instrument travels with its answers (it may be a with_items copy).
        df.attrs.update(campaign=camp.id, instrument=camp.instrument,
                        instrument_version=camp.instrument.version,
                        min_group_size=camp.min_group_size,
                        campaign_min_group=camp.min_group_size,
                        comment_threshold=camp.comment_threshold)
        if withheld:  # counted with an erased respondent: in no figure (analysis.anonymity)
            df.attrs["withheld"] = withheld
        if rater_group is not None or segment is not None:
            # A part of the campaign: comments pooled over it would point at that part.
            df.attrs["filtered"] = True
        return df

    # -- programmes and waves (focuskit/store/programmes.py) -------------------------------
    def create_programme(self, id: str, title: str, *, organisation: str) -> Programme:
        """Create an assessment programme: one organisation's campaigns across instruments,
        and their waves."""
        problems = prog.check_programme(id, title, organisation)
        if problems:
            raise StoreError("cannot create the programme:", problems)
        try:
            with self._write() as conn:
                prog.create_programme(conn, id, title, organisation, self._log)
        except IntegrityError:
            raise StoreError(f"a programme {id!r} exists already; choose another id") from None
        return self.programme(id)

    def programme(self, id: str) -> Programme:
        """The programme ``id`` with its campaigns in the order added (StoreError if none)."""
        with self.engine.connect() as conn:
            return prog.get_programme(conn, id)

    def programmes(self) -> list[Programme]:
        """Every programme, oldest first."""
        with self.engine.connect() as conn:
            return prog.all_programmes(conn)

    def add_to_programme(self, programme: str, campaign: str) -> Programme:
        """Put ``campaign`` with all its waves in ``programme``. A campaign belongs to one
        programme, and a programme holds one organisation's campaigns."""
        camp = self.campaign(campaign)
        with self._write() as conn:
            prog.add_to_programme(conn, programme, camp.id, self._log)
        self._campaign_cache.clear()
        return self.programme(programme)

    def create_wave(self, campaign: str, *, title: str, id: str | None = None) -> Campaign:
        """The next wave of ``campaign``: a new open campaign asking the same instrument
        version of the same rater groups and segments, with the same anonymity thresholds,
        link mode and programme, linked to ``campaign`` as its previous wave. No respondent
        code, draft, join code or answer is carried over. ``id`` defaults to the first
        wave's id and ``-w<N>``. Refused when ``campaign`` has a next wave already."""
        camp = self.campaign(campaign)
        problems = prog.check_wave(title, id)
        if problems:
            raise StoreError("cannot create the wave:", problems)
        try:
            with self._write() as conn:
                new = prog.create_wave(conn, camp.id, title, id, self._log)
        except IntegrityError:
            # Another admin's wave got in first (the unique previous wave and id let only one
            # in): asked again, the checks say which, or it goes through if that was not it.
            with self._write() as conn:
                new = prog.create_wave(conn, camp.id, title, id, self._log)
        return self.campaign(new)

    def waves(self, campaign: str) -> list[Campaign]:
        """Every wave of the chain ``campaign`` belongs to, oldest first."""
        with self.engine.connect() as conn:
            ids = prog.chain_of(conn, campaign)
            rows = {r.id: r for r in conn.execute(select(t.campaigns)
                                                  .where(t.campaigns.c.id.in_(ids)))}
        # Waves repeat one instrument version; a hand-edited link to a campaign of another
        # would make every trend refuse the chain, so such a campaign is not one of its waves.
        mine = rows[str(campaign)]
        return [self._campaign_from_row(rows[i]) for i in ids
                if (rows[i].instrument, rows[i].instrument_version)
                == (mine.instrument, mine.instrument_version)]

    def programme_actions(self, programme: str) -> list[dict]:
        """Every action of every campaign of ``programme`` (each dict names its campaign)."""
        with self.engine.connect() as conn:
            return prog.programme_actions(conn, programme)

    # -- action register ----------------------------------------------------------------------
    def add_action(self, campaign: str, title: str, *, owner: str | None = None,
                   due: date | None = None, item: str | None = None,
                   section: str | None = None, status: str = "open") -> int:
        """Record an agreed action, about one ``item`` or ``section`` or neither; returns its
        id. Whoever reads the register marks it overdue: due before today, open or doing."""
        camp = self.campaign(campaign)
        problems = []
        if not isinstance(title, str) or not title.strip():
            problems.append("title must be non-empty text")
        problems += prog.check_action_link(camp.instrument, item, section)
        if status not in ACTION_STATUSES:
            problems.append(f"status must be one of {', '.join(ACTION_STATUSES)}")
        problems += prog.check_due(due)
        problems += check_text(title=title, owner=owner)
        if problems:
            raise StoreError("action not saved:", problems)
        now = utc_now()
        with self._write() as conn:
            aid = conn.execute(insert(t.actions).values(
                campaign=camp.id, title=title.strip(), owner=owner, due=due, item=item,
                section=section, status=status, created_at=now, updated_at=now)
            ).inserted_primary_key[0]
            self._log(conn, "action add", camp.id, f"#{aid} {status}")
        return aid

    def actions(self, campaign: str) -> list[dict]:
        """The campaign's action register, oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.actions).where(t.actions.c.campaign == campaign)
                                .order_by(t.actions.c.id)).all()
        return [prog.action_dict(r) for r in rows]

    def update_action(self, id: int, *, status: str | None = None, owner=_KEEP, due=_KEEP,
                      title: str | None = None, item=_KEEP, section=_KEEP) -> dict:
        """Change an action's status, owner, due date, title or link; returns the action.

        ``owner``, ``due``, ``item`` and ``section`` accept None to clear them; what is not
        passed is left alone. Linking an item clears the section, and the other way round.
        """
        problems = []
        values: dict = {}
        if status is not None:
            if status not in ACTION_STATUSES:
                problems.append(f"status must be one of {', '.join(ACTION_STATUSES)}")
            values["status"] = status
        if title is not None:
            if not isinstance(title, str) or not title.strip():
                problems.append("title must be non-empty text")
            else:
                values["title"] = title.strip()
        if owner is not _KEEP:
            if owner is not None and not isinstance(owner, str):
                problems.append("owner must be text or None")
            values["owner"] = (owner.strip() or None) if isinstance(owner, str) else owner
        if due is not _KEEP:
            problems += [p + " or None" for p in prog.check_due(due)]
            values["due"] = due
        if isinstance(id, bool) or not isinstance(id, int):
            problems.append("id must be an action's whole-number id")
        problems += check_text(title=title, owner=None if owner is _KEEP else owner)
        a = t.actions
        row = None
        if not problems and (item is not _KEEP or section is not _KEEP):
            with self.engine.connect() as conn:
                row = conn.execute(select(a.c.campaign, a.c.item, a.c.section)
                                   .where(a.c.id == id)).first()
            if row is not None:
                link = prog.new_link(row, item, section, _KEEP)
                problems += prog.check_action_link(self.campaign(row.campaign).instrument,
                                                   **link)
                values.update(link)
        if problems:
            raise StoreError("action not changed:", problems)
        with self._write() as conn:
            if values:
                values["updated_at"] = utc_now()
                done = conn.execute(update(a).where(a.c.id == id).values(**values)).rowcount
                if done:
                    camp = conn.execute(select(a.c.campaign).where(a.c.id == id)).scalar()
                    self._log(conn, "action change", camp,
                              f"#{id} {prog.action_detail(values)}")
            row = conn.execute(select(a).where(a.c.id == id)).first()
        if row is None:
            raise StoreError(f"no action {id}; it may have been deleted")
        return prog.action_dict(row)


def _check_expected(expected) -> list[str]:
    if expected is None:
        return []
    if isinstance(expected, bool) or not isinstance(expected, int) \
            or not 1 <= expected <= MAX_EXPECTED:
        return [f"the number of people expected must be a whole number from 1 to "
                f"{MAX_EXPECTED}, not {expected!r}"]
    return []


def _check_thresholds(min_group_size, comment_threshold) -> list[str]:
    problems = []
    floor = t.MIN_GROUP_FLOOR
    if isinstance(min_group_size, bool) or not isinstance(min_group_size, int) \
            or not floor <= min_group_size <= 100:
        problems.append(f"min_group_size must be a whole number from {floor} to 100 (below "
                        f"{floor}, two people who talk can work out a third one's answers)")
    elif isinstance(comment_threshold, bool) or not isinstance(comment_threshold, int) \
            or not min_group_size <= comment_threshold <= MAX_COMMENT_THRESHOLD:
        problems.append(f"comment_threshold must be a whole number from the minimum group "
                        f"size ({min_group_size}) to {MAX_COMMENT_THRESHOLD}")
    return problems


def _member(row) -> StaffMember:
    return StaffMember(row.name, row.role, read_utc(row.created_at), read_utc(row.revoked_at))
