"""Store write throughput: 1, 20 and 200 concurrent writer processes, SQLite and PostgreSQL.

Each writer is a process with its own Store, as each Voila kernel is, submitting complete
focus-levels answers (8 items) with fresh idempotency keys. Writers are forked after the
imports (so 200 of them start quickly), build their Store, then wait on a barrier; the clock
starts when the barrier opens and stops when the last writer finishes, so process start-up
is not timed. A raw baseline (sqlite3 / psycopg, one writer, same rows, one transaction per
submission) is measured in the same run, and every figure is also given as a ratio to it.

PostgreSQL runs on the server named by $FOCUSKIT_TEST_PG_URL (or --pg-url), each run in its
own schema, dropped afterwards. Its default max_connections is 100, fewer than 200 writers:
at 200 writers each submission opens its own connection, at most PG_MAX_OPEN at a time.

    .venv/bin/python benchmarks/bench_store.py [--repeat 3] [--no-pg]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from focuskit import Store
from focuskit.store.engine import make_engine

PG_ENV = "FOCUSKIT_TEST_PG_URL"
CAMPAIGN = "bench"
INSTRUMENT = "focus-levels"
# (writers, submissions per writer): small per-writer work at 200 so two cores cope.
PLAN = ((1, 1000), (20, 50), (200, 5))
PG_MAX_OPEN = 50  # below max_connections=100, leaving room for anyone else on the server
WAIT = 600


def answers(instrument) -> dict:
    return {item.id: {"level": 1 + n % 5} for n, item in enumerate(instrument.items)}


# -- one database per run ------------------------------------------------------------------------

class SqliteDb:
    def __init__(self, tmp: Path):
        self.path = tmp / f"{uuid.uuid4().hex}.db"
        self.url = f"sqlite:///{self.path}"

    def drop(self):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)


class PgDb:
    def __init__(self, base: str):
        self.base, self.schema = base, f"fk_bench_{uuid.uuid4().hex[:10]}"
        with _admin(base) as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{self.schema}"'))
        sep = "&" if "?" in base else "?"
        self.url = f"{base}{sep}options=-csearch_path%3D{self.schema}"

    def drop(self):
        with _admin(self.base) as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{self.schema}" CASCADE'))


class _admin:
    def __init__(self, url):
        self.engine = make_engine(url)

    def __enter__(self):
        self.cm = self.engine.begin()
        return self.cm.__enter__()

    def __exit__(self, *exc):
        self.cm.__exit__(*exc)
        self.engine.dispose()


def prepare(db) -> object:
    """Create the schema and the campaign; close every connection before forking."""
    with Store(db.url) as store:
        camp = store.create_campaign(CAMPAIGN, "Benchmark", INSTRUMENT)
    return camp.instrument


def stored(url) -> int:
    engine = make_engine(url)
    with engine.connect() as conn:
        n = conn.execute(sa.text("SELECT count(*) FROM submissions")).scalar_one()
    engine.dispose()
    return n


# -- focuskit writers ----------------------------------------------------------------------------

def _writer(url, each, tag, barrier, results, gate):
    # Runs in a forked child: the engine and its connections are made here, never inherited.
    try:
        if gate:
            gate.acquire()
        try:
            store = Store(url)
            given = answers(store.campaign(CAMPAIGN).instrument)  # warms the campaign cache
            if gate:
                store.engine.dispose()
        finally:
            if gate:
                gate.release()
    except BaseException as e:
        barrier.abort()
        results.put((each, 0.0, f"setup: {type(e).__name__}: {e}"))
        return
    errors, first = 0, None
    barrier.wait(WAIT)
    for n in range(each):
        try:
            if gate:
                with gate:
                    store.submit(CAMPAIGN, given, rater_group="team",
                                 idempotency_key=f"{tag}-{n}")
                    store.engine.dispose()  # give the connection back to the server
            else:
                store.submit(CAMPAIGN, given, rater_group="team", idempotency_key=f"{tag}-{n}")
        except Exception as e:
            errors += 1
            first = first or f"{type(e).__name__}: {e}"
    end = time.perf_counter()
    store.close()
    results.put((errors, end, first))


def run_focuskit(db, writers, each, gate_limit=None) -> tuple[float, int, str | None]:
    """Submissions per second with ``writers`` processes; also errors and the first one."""
    prepare(db)
    ctx = mp.get_context("fork")
    barrier, results = ctx.Barrier(writers + 1), ctx.Queue()
    gate = ctx.BoundedSemaphore(gate_limit) if gate_limit else None
    run = uuid.uuid4().hex[:8]
    procs = [ctx.Process(target=_writer,
                         args=(db.url, each, f"{run}-{w}", barrier, results, gate))
             for w in range(writers)]
    for p in procs:
        p.start()
    barrier.wait(WAIT)
    start = time.perf_counter()
    outs = [results.get(timeout=WAIT) for _ in procs]
    for p in procs:
        p.join(WAIT)
    errors = sum(o[0] for o in outs)
    first = next((o[2] for o in outs if o[2]), None)
    end = max(o[1] for o in outs)
    total = writers * each
    if stored(db.url) != total - errors:
        first = first or f"stored {stored(db.url)} of {total}"
    return total / (end - start), errors, first


# -- raw baselines: the same rows without focuskit --------------------------------------------

def _rows(instrument):
    return [(item, "level", float(v["level"]), None) for item, v in answers(instrument).items()]


SUBMISSION_SQL = ("INSERT INTO submissions (campaign, respondent, rater_group, segment, "
                  "started_at, submitted_at, idempotency_key) VALUES ")


def raw_sqlite(db, each) -> float:
    rows = _rows(prepare(db))
    con = sqlite3.connect(db.path, isolation_level=None, timeout=60)
    for pragma in ("busy_timeout = 60000", "journal_mode = WAL", "synchronous = NORMAL",
                   "foreign_keys = ON"):  # as focuskit's engine sets them
        con.execute(f"PRAGMA {pragma}")
    start = time.perf_counter()
    for n in range(each):
        con.execute("BEGIN IMMEDIATE")
        sid = con.execute(SUBMISSION_SQL + "(?, NULL, 'team', NULL, NULL, ?, ?)",
                          (CAMPAIGN, datetime.now(UTC).isoformat(" "),
                           f"raw-{n}")).lastrowid
        con.executemany("INSERT INTO answers (submission, item, facet, value, comment) "
                        "VALUES (?, ?, ?, ?, ?)", [(sid, *r) for r in rows])
        con.execute("COMMIT")
    elapsed = time.perf_counter() - start
    con.close()
    return each / elapsed


def raw_pg(db, each) -> float:
    import psycopg

    rows = _rows(prepare(db))
    with psycopg.connect(db.url) as con:
        start = time.perf_counter()
        for n in range(each):
            with con.transaction():
                sid = con.execute(SUBMISSION_SQL + "(%s, NULL, 'team', NULL, NULL, %s, %s) "
                                  "RETURNING id", (CAMPAIGN, datetime.now(UTC),
                                                   f"raw-{n}")).fetchone()[0]
                con.cursor().executemany("INSERT INTO answers (submission, item, facet, value, "
                                         "comment) VALUES (%s, %s, %s, %s, %s)",
                                         [(sid, *r) for r in rows])
        elapsed = time.perf_counter() - start
    return each / elapsed


# -- the report ----------------------------------------------------------------------------------

def once(make_db, fn):
    db = make_db()
    try:
        return fn(db)
    finally:
        db.drop()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="runs per row; the median is shown")
    ap.add_argument("--pg-url", default=os.environ.get(PG_ENV), help=f"default ${PG_ENV}")
    ap.add_argument("--no-pg", action="store_true", help="SQLite only")
    args = ap.parse_args(argv)

    backends = [("SQLite", None)]
    if args.pg_url and not args.no_pg:
        backends.append(("PostgreSQL", args.pg_url))
    elif not args.no_pg:
        print(f"PostgreSQL skipped: set ${PG_ENV} or pass --pg-url", file=sys.stderr)

    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="focuskit-bench-") as tmp:
        # One row per (backend, baseline or writer count); each row runs --repeat times.
        rows = []
        for name, pg in backends:
            make_db = (lambda: SqliteDb(Path(tmp))) if pg is None else (lambda pg=pg: PgDb(pg))
            raw = raw_sqlite if pg is None else raw_pg
            each = PLAN[0][1]
            rows.append(dict(name=name, writers=1, each=each, gate=None, raw=True, runs=[],
                             make_db=make_db,
                             fn=lambda db, raw=raw, each=each: (raw(db, each), 0, None)))
            for writers, each in PLAN:
                gate = PG_MAX_OPEN if pg is not None and writers > PG_MAX_OPEN else None
                rows.append(dict(name=name, writers=writers, each=each, gate=gate, raw=False,
                                 runs=[], make_db=make_db,
                                 fn=lambda db, w=writers, e=each, g=gate:
                                 run_focuskit(db, w, e, g)))
        # Round-robin, so that a burst of load on a shared machine hits every row alike.
        for n in range(args.repeat):
            for row in rows:
                row["runs"].append(once(row["make_db"], row["fn"]))
                rate, errors, first = row["runs"][-1]
                print(f"run {n + 1}: {row['name']}, {'raw' if row['raw'] else 'focuskit'}, "
                      f"{row['writers']} writer(s): {rate:,.0f}/s, {errors} errors"
                      + (f" (first: {first})" if first else ""), file=sys.stderr)

    header = ("| backend | writers | submissions per writer | connections | submissions/s "
              "(median) | range | vs raw baseline | errors |")
    lines = [header, "|" + "---|" * header.count(" | ") + "---|"]
    base = {}
    for row in rows:
        rates = [r[0] for r in row["runs"]]
        med = statistics.median(rates)
        if row["raw"]:
            base[row["name"]] = med
            what = f"raw {'sqlite3' if row['name'] == 'SQLite' else 'psycopg'} (baseline)"
            conns = "1"
        else:
            what = "focuskit Store"
            conns = ("1 per writer, pooled" if row["gate"] is None
                     else f"1 per submission, at most {row['gate']} open")
        lines.append(f"| {row['name']}: {what} | {row['writers']} | {row['each']} | {conns} | "
                     f"{med:,.0f} | {min(rates):,.0f}-{max(rates):,.0f} | "
                     f"{med / base[row['name']]:.2f} | {sum(r[1] for r in row['runs'])} |")
    versions = f"SQLite {sqlite3.sqlite_version}"
    if len(backends) > 1:
        with _admin(backends[1][1]) as conn:
            versions += f", PostgreSQL {conn.execute(sa.text('SHOW server_version')).scalar()}"
    print(f"\n{os.cpu_count()} cores, Python {platform.python_version()}, {versions}, "
          f"{args.repeat} runs per row (interleaved), "
          f"{time.perf_counter() - began:.0f} s in all\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
