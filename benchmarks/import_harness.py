"""What the two import benchmarks share (bench_import_lock.py, bench_survey_import.py).

* ``backends``: a SQLite file, then PostgreSQL in a schema of its own when
  ``FOCUSKIT_TEST_PG_URL`` is set, each as a URL; the schema is dropped afterwards;
* ``timed_import``: ``import_file`` of a file in a child process while this process, as a
  respondent's kernel (``RespondentStore``), saves a draft every 50 ms; the same saves are
  first timed for 3 s with no import running. Returns the import's moments and every save.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import statistics
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

PG_ENV = "FOCUSKIT_TEST_PG_URL"


@contextmanager
def _pg_schema(pg: str):
    import sqlalchemy as sa

    from focuskit.store.engine import make_engine

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(pg)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        sep = "&" if "?" in pg else "?"
        yield f"{pg}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def backends(tmp: Path, *, sqlite: bool = True, pg: bool = True):
    """(name, url) of each backend to measure, one after the other."""
    if sqlite:
        print("SQLite ...", file=sys.stderr)
        yield "SQLite", f"sqlite:///{tmp}/bench.db"
    url = os.environ.get(PG_ENV)
    if url and pg:
        print("PostgreSQL ...", file=sys.stderr)
        with _pg_schema(url) as schema_url:
            yield "PostgreSQL", schema_url


def save_loop(url: str, item: str, until, out: list, every: float = 0.05) -> None:
    """Save a draft every ``every`` seconds until ``until()``; (start, seconds, True or
    the error) for each."""
    from focuskit.store.respondent import RespondentStore

    with RespondentStore(url) as rs:
        n = 0
        while not until():
            t0 = time.time()
            try:
                rs.save_draft("bench", f"kernel-{n % 20}", {item: {"level": 1 + n % 5}},
                              rater_group="team")
                ok = True
            except Exception as e:  # noqa: BLE001 - a failure is a result here
                ok = repr(e)[:200]
            out.append((t0, time.time() - t0, ok))
            n += 1
            time.sleep(every)


def _importer(url: str, path: str, mapping: str | None, marks) -> None:
    from focuskit import Store
    from focuskit.io.imports import import_file

    with Store(url) as store:
        marks["start"] = time.time()
        last = [time.time(), 0]

        def progress(done, total):
            if "write" not in marks:
                marks["write"] = time.time()  # the first chunk is in: writing began
            if os.environ.get("FOCUSKIT_BENCH_TRACE"):  # each chunk's size and time
                now = time.time()
                print(f"  chunk {done - last[1]} in {now - last[0]:.2f} s", file=sys.stderr)
                last[:] = [now, done]

        result = import_file(store, path, "bench", mapping=mapping, progress=progress)
        marks["end"] = time.time()
        marks["created"] = result.created


def timed_import(url: str, path: Path, item: str, mapping: Path | None = None) -> dict:
    """Import ``path`` into campaign "bench" (which must exist) with draft saves meanwhile.

    Returns start, write (first chunk in), end, created, quiet (saves with no import) and
    during (saves while the import ran): each save as (start, seconds, True or the error)."""
    quiet: list = []
    stop = time.time() + 3
    save_loop(url, item, lambda: time.time() > stop, quiet)
    marks = mp.Manager().dict()
    proc = mp.get_context("fork").Process(
        target=_importer, args=(url, str(path), str(mapping) if mapping else None, marks))
    proc.start()
    during: list = []
    save_loop(url, item, lambda: not proc.is_alive(), during)
    proc.join()
    if proc.exitcode != 0:
        raise SystemExit(f"the import failed (exit code {proc.exitcode})")
    return dict(marks, quiet=quiet, during=during)


def p95(values: list[float]) -> float:
    w = sorted(values)
    return w[int(0.95 * (len(w) - 1))]


def median_ms(values) -> float:
    return statistics.median(values) * 1000
