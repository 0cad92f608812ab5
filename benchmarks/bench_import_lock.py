"""How long a respondent's draft save waits while a 100,000-row file is imported.

One process imports a wide CSV (focus-levels, 8 answers a row) with ``focuskit.import_file``;
another, a respondent's kernel (``RespondentStore``), saves a draft every 50 ms until the
import ends. Each save is timed, and sorted by when it ran: while the import reads and
checks the file (no lock held), or while it writes. The same saves are first timed with no
import running, as the baseline the ratios are given against.

Before the import was written in short transactions (focuskit.store.store.CHUNK submissions
each), one transaction held SQLite's write lock for the whole write (150 s for 100,000 rows)
and saves failed with "database is locked" after the 60 s busy timeout.

    .venv/bin/python benchmarks/bench_import_lock.py [--rows 100000] [--no-pg]
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing as mp
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

PG_ENV = "FOCUSKIT_TEST_PG_URL"


def write_csv(path: Path, items: list[str], rows: int) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["respondent", "rater_group", "segment",
                    *[f"{i}:level" for i in items]])
        w.writerows([f"r{k}", "team", f"s{k % 7}", *[str(1 + (k + j) % 5)
                                                      for j in range(len(items))]]
                    for k in range(rows))


def importer(url: str, path: str, marks) -> None:
    from focuskit import Store
    from focuskit.io.imports import import_file

    with Store(url) as store:
        marks["start"] = time.time()

        def progress(done, total):
            if "write" not in marks:
                marks["write"] = time.time()  # the first chunk is in: writing began
            marks["done"] = done

        result = import_file(store, path, "bench", progress=progress)
        marks["end"] = time.time()
        marks["created"] = result.created


def save_loop(url: str, item: str, until, out: list, every: float = 0.05) -> None:
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


def run(url: str, rows: int, tmp: Path) -> dict:
    from focuskit import Store

    with Store(url) as store:
        camp = store.create_campaign("bench", "Bench", "focus-levels", min_group_size=3)
    items = [i.id for i in camp.instrument.items]
    path = tmp / "big.csv"
    write_csv(path, items, rows)

    base: list = []
    stop = time.time() + 3
    save_loop(url, items[0], lambda: time.time() > stop, base)

    marks = mp.Manager().dict()
    proc = mp.get_context("fork").Process(target=importer, args=(url, str(path), marks))
    proc.start()
    during: list = []
    save_loop(url, items[0], lambda: not proc.is_alive(), during)
    proc.join()
    if proc.exitcode != 0:
        raise SystemExit(f"the import failed (exit code {proc.exitcode})")
    write_start = marks["write"]
    writing = [d for t0, d, ok in during if write_start - 1 <= t0 <= marks["end"]]
    failed = [ok for _, _, ok in during if ok is not True]
    return dict(base=[d for _, d, _ in base], writing=writing, failed=failed,
                read_check=write_start - marks["start"], write=marks["end"] - write_start,
                created=marks["created"])


def summary(name: str, r: dict) -> str:
    b = statistics.median(r["base"])
    bmax = max(r["base"])
    w = sorted(r["writing"])
    p95 = w[int(0.95 * (len(w) - 1))]
    return (f"| {name} | {r['created']:,} | {r['read_check']:.1f} | {r['write']:.1f} "
            f"| {len(w)} | {len(r['failed'])} | {b * 1000:.1f} / {bmax * 1000:.0f} "
            f"| {statistics.median(w) * 1000:.1f}"
            f" | {p95 * 1000:.0f} | {w[-1] * 1000:.0f} | {sum(d > 0.25 for d in w)} "
            f"| {sum(d > 1 for d in w)} |")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--no-pg", action="store_true")
    args = ap.parse_args(argv)
    from focuskit.store import store as store_module

    out = []
    with tempfile.TemporaryDirectory(prefix="focuskit-bench-") as tmp:
        out.append(("SQLite", run(f"sqlite:///{tmp}/bench.db", args.rows, Path(tmp))))
        pg = os.environ.get(PG_ENV)
        if pg and not args.no_pg:
            import sqlalchemy as sa

            from focuskit.store.engine import make_engine

            schema = f"bench_{uuid.uuid4().hex[:10]}"
            admin = make_engine(pg)
            with admin.begin() as conn:
                conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
            try:
                sep = "&" if "?" in pg else "?"
                url = f"{pg}{sep}options=-csearch_path%3D{schema}"
                out.append(("PostgreSQL", run(url, args.rows, Path(tmp))))
            finally:
                with admin.begin() as conn:
                    conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.dispose()
    print(f"{args.rows:,} rows, CHUNK={store_module.CHUNK}, HOLD={store_module.HOLD}s, "
          f"PAUSE={store_module.PAUSE}s; "
          "a draft saved every 50 ms by another process\n")
    print("| backend | submissions stored | read + check (s) | write (s) | saves while writing "
          "| failed saves | save, no import (ms, median / max) | save while writing (ms, median) "
          "| p95 (ms) | max (ms) | saves over 250 ms | over 1 s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, r in out:
        print(summary(name, r))
    for name, r in out:
        for why in r["failed"][:3]:
            print(f"{name}: failed save: {why}")
    return 1 if any(r["failed"] for _, r in out) else 0


if __name__ == "__main__":
    sys.exit(main())
