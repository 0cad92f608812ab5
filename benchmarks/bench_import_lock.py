"""How long a respondent's draft save waits while a 100,000-row file is imported.

One process imports a wide CSV (focus-levels, 8 answers a row) with ``focuskit.import_file``;
another, a respondent's kernel (``RespondentStore``), saves a draft every 50 ms until the
import ends. Each save is timed, and sorted by when it ran: while the import reads and
checks the file (no lock held), or while it writes. The same saves are first timed with no
import running, as the baseline the ratios are given against.

Before the import was written in short transactions (focuskit.store.store.CHUNK submissions
each), one transaction held SQLite's write lock for the whole write (150 s for 100,000 rows)
and saves failed with "database is locked" after the 60 s busy timeout.

    .venv/bin/python benchmarks/bench_import_lock.py [--rows 100000] [--no-pg] [--no-sqlite]
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import tempfile
from pathlib import Path

from import_harness import backends, p95, timed_import


def write_csv(path: Path, items: list[str], rows: int) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["respondent", "rater_group", "segment",
                    *[f"{i}:level" for i in items]])
        w.writerows([f"r{k}", "team", f"s{k % 7}", *[str(1 + (k + j) % 5)
                                                      for j in range(len(items))]]
                    for k in range(rows))


def run(url: str, rows: int, tmp: Path) -> dict:
    from focuskit import Store

    with Store(url) as store:
        camp = store.create_campaign("bench", "Bench", "focus-levels", min_group_size=3)
    items = [i.id for i in camp.instrument.items]
    path = tmp / "big.csv"
    write_csv(path, items, rows)
    r = timed_import(url, path, items[0])
    writing = [d for t0, d, ok in r["during"] if r["write"] - 1 <= t0 <= r["end"]]
    failed = [ok for _, _, ok in r["during"] if ok is not True]
    return dict(base=[d for _, d, _ in r["quiet"]], writing=writing, failed=failed,
                read_check=r["write"] - r["start"], write=r["end"] - r["write"],
                created=r["created"])


def summary(name: str, r: dict) -> str:
    b = statistics.median(r["base"])
    w = sorted(r["writing"])
    return (f"| {name} | {r['created']:,} | {r['read_check']:.1f} | {r['write']:.1f} "
            f"| {len(w)} | {len(r['failed'])} | {b * 1000:.1f} / {max(r['base']) * 1000:.0f} "
            f"| {statistics.median(w) * 1000:.1f}"
            f" | {p95(w) * 1000:.0f} | {w[-1] * 1000:.0f} | {sum(d > 0.25 for d in w)} "
            f"| {sum(d > 1 for d in w)} |")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--no-pg", action="store_true")
    ap.add_argument("--no-sqlite", action="store_true")
    args = ap.parse_args(argv)
    from focuskit.store import store as store_module

    with tempfile.TemporaryDirectory(prefix="focuskit-bench-") as tmp:
        out = [(name, run(url, args.rows, Path(tmp)))
               for name, url in backends(Path(tmp), sqlite=not args.no_sqlite,
                                         pg=not args.no_pg)]
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
