"""A 100,000-row Qualtrics export imported as downloaded, against pandas plus one bulk insert.

The file is what Qualtrics writes (three header rows, Finished/Status/Progress, a region code,
eight matrix answers, a comment on some rows, a few unfinished and preview responses), with a
mapping file. Measured in the same run, on the same backend:

* focuskit: ``import_file(store, path, campaign, mapping=...)`` from the file to committed rows
  (read, detect, map, recode, check every cell, flag, look up stored ids, write in short
  transactions), in a child process, while a respondent's kernel (``RespondentStore``) saves
  a draft every 50 ms; each save is timed;
* baseline: ``pandas.read_csv`` of the same file, then one bulk insert of the same rows
  (the submissions, then their answers) with the driver (``sqlite3`` / ``psycopg``
  ``executemany``) into tables of the same shape, in one transaction; run just before and
  just after the import, and averaged (the shared machine's load drifts).

    .venv/bin/python benchmarks/bench_survey_import.py [--rows 100000] [--no-pg]
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from import_harness import backends, median_ms, p95, timed_import

ITEMS = ["segments_and_partnerships", "expectations", "data", "contact", "innovation", "budgets",
         "structure", "training"]
META = ["StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)",
        "Finished", "RecordedDate", "ResponseId", "RecipientLastName", "RecipientFirstName",
        "RecipientEmail", "ExternalReference", "LocationLatitude", "LocationLongitude",
        "DistributionChannel", "UserLanguage"]
MAPPING = ("format: qualtrics\nincomplete: skip\nrater_group: customer\ncolumns:\n"
           "  ResponseId: respondent\n  RecordedDate: submitted_at\n  Q1: segment\n"
           + "".join(f"  Q2_{i}: {item}:level\n" for i, item in enumerate(ITEMS, 1))
           + "  Q3: data:comment\nrecode:\n  Q1: {1: NO, 2: SE, 3: DK, 4: FI}\n")


def write_export(path: Path, rows: int) -> int:
    """The export; returns how many of its rows are complete, real responses."""
    qs = ["Q1", *[f"Q2_{i}" for i in range(1, 9)], "Q3"]
    good = 0
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(META + qs)
        w.writerow([m.replace("Id", " ID") for m in META] + ["Region?"]
                   + [f"Rate each area - {i}" for i in ITEMS] + ["Anything to add?"])
        w.writerow([json.dumps({"ImportId": m, "timeZone": "Europe/Oslo"}) for m in META]
                   + [json.dumps({"ImportId": f"QID{q}"}) for q in qs])
        for k in range(rows):
            done = k % 97 != 5
            preview = k % 211 == 7
            good += done and not preview
            t = f"2024-03-{1 + k % 28:02d} {8 + k % 10:02d}:{k % 60:02d}:{(k * 7) % 60:02d}"
            levels = [str(1 + (k * (j + 3)) % 5) for j in range(8)] if done else ["3"] * 3 + [""] * 5
            w.writerow([t, t, "Survey Preview" if preview else "IP Address", "", 100 if done
                        else 40, 200 + k % 500, "True" if done else "False", t, f"R_{k:07d}",
                        "", "", "", "", "", "", "anonymous", "EN", 1 + k % 4, *levels,
                        'Late again; "soon", they said' if k % 5 == 0 else ""])
    return good


def baseline(url: str, path: Path, name: str = "base") -> tuple[float, int]:
    """Seconds for pandas.read_csv plus one executemany of the same rows into tables named
    ``name``_submissions and ``name``_answers, and rows inserted."""
    import pandas as pd

    t0 = time.perf_counter()
    df = pd.read_csv(path, skiprows=[1, 2])
    df = df[(df["Finished"] == True) & (df["Status"] != "Survey Preview")]  # noqa: E712
    subs = [("base", r, "customer", s, t, f"k{r}") for r, s, t in
            zip(df["ResponseId"], df["Q1"].astype(str), df["RecordedDate"], strict=True)]
    answers = [(n, item, "level", float(v), None)
               for j, item in enumerate(ITEMS)
               for n, v in enumerate(df[f"Q2_{j + 1}"].tolist(), start=1)]
    sql_s = (f"INSERT INTO {name}_submissions (campaign, respondent, rater_group, segment, "
             "submitted_at, idempotency_key) VALUES (%s, %s, %s, %s, %s, %s)")
    sql_a = (f"INSERT INTO {name}_answers (submission, item, facet, value, comment) "
             "VALUES (%s, %s, %s, %s, %s)")
    ddl = [f"CREATE TABLE {name}_submissions (id {{serial}} PRIMARY KEY, campaign VARCHAR(64), "
           "respondent VARCHAR(128), rater_group VARCHAR(16), segment VARCHAR(100), "
           "submitted_at VARCHAR(40), idempotency_key VARCHAR(200) UNIQUE)",
           f"CREATE TABLE {name}_answers (submission INTEGER, item VARCHAR(64), "
           "facet VARCHAR(64), value FLOAT, comment TEXT, PRIMARY KEY (submission, item, "
           "facet))"]
    if url.startswith("sqlite"):
        import sqlite3

        t1 = time.perf_counter()
        conn = sqlite3.connect(url.removeprefix("sqlite:///"))
        for d in ddl:
            conn.execute(d.format(serial="INTEGER"))
        with conn:
            conn.executemany(sql_s.replace("%s", "?"), subs)
            conn.executemany(sql_a.replace("%s", "?"), answers)
        conn.close()
    else:
        import psycopg

        t1 = time.perf_counter()
        with psycopg.connect(url.replace("postgresql+psycopg", "postgresql")) as conn:
            for d in ddl:
                conn.execute(d.format(serial="SERIAL"))
            with conn.cursor() as cur:
                cur.executemany(sql_s, subs)
                cur.executemany(sql_a, answers)
    took = time.perf_counter() - t0
    print(f"  baseline: read {t1 - t0:.1f} s, insert {time.perf_counter() - t1:.1f} s",
          file=sys.stderr)
    return took, len(subs)


def run(url: str, rows: int, tmp: Path) -> dict:
    from focuskit import Store

    with Store(url) as store:
        store.create_campaign("bench", "Bench", "focus-levels", rater_groups=["customer", "team"],
                              min_group_size=3)
    path, mapping = tmp / "qualtrics.csv", tmp / "map.yaml"
    good = write_export(path, rows)
    mapping.write_text(MAPPING)
    # The baseline before and after the import, averaged: the machine's load drifts.
    driver_url = url.replace("postgresql+psycopg", "postgresql")
    before, inserted = baseline(driver_url, path, "base1")
    assert inserted == good, (inserted, good)
    r = timed_import(url, path, ITEMS[0], mapping)
    base = (before + baseline(driver_url, path, "base2")[0]) / 2
    assert r["created"] == good, (r["created"], good)
    waits = [d for t0, d, ok in r["during"] if r["start"] <= t0 <= r["end"]]
    return dict(rows=rows, created=r["created"], base=base, ours=r["end"] - r["start"],
                read=r["write"] - r["start"], quiet=statistics.median(d for _, d, _ in r["quiet"]),
                waits=sorted(waits), failed=[ok for _, _, ok in r["during"] if ok is not True])


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
    print(f"{args.rows:,}-row Qualtrics export; CHUNK={store_module.CHUNK}, "
          f"HOLD={store_module.HOLD}s, PAUSE={store_module.PAUSE}s (SQLite: the longest a chunk "
          "waits for writers waiting their turn); a draft saved every 50 ms by another "
          "process\n")
    print("| backend | stored | pandas.read_csv + bulk insert (s) | focuskit import (s) "
          "| of which read + check (s) | ratio | draft saves during import | failed "
          "| save, no import (ms, median) | save during import (ms, median / p95 / max) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, r in out:
        w = r["waits"] or [0.0]
        print(f"| {name} | {r['created']:,} | {r['base']:.1f} | {r['ours']:.1f} | "
              f"{r['read']:.1f} | {r['ours'] / r['base']:.1f}x | {len(r['waits'])} | "
              f"{len(r['failed'])} | {r['quiet'] * 1000:.1f} | "
              f"{median_ms(w):.1f} / {p95(w) * 1000:.0f} / "
              f"{w[-1] * 1000:.0f} |")
    for name, r in out:
        for why in r["failed"][:3]:
            print(f"{name}: failed save: {why}")
    return 1 if any(r["failed"] for _, r in out) else 0


if __name__ == "__main__":
    sys.exit(main())
