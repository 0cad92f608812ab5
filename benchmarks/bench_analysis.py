"""Analysis at scale: 1,000,000 answer rows (500 organisations x 40 respondents x 50 items).

Reports, each against a baseline run in this same script:
- the whole analysis suite on the frame (budget: 2 s);
- ``profile`` against a hand-written pandas groupby-mean (budget: 1.5x);
- loading the rows from SQLite with ``Store.responses`` against a plain ``pd.read_sql``.

Run: .venv/bin/python benchmarks/bench_analysis.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from focuskit import analysis as fa
from focuskit.instruments import parse_instrument

ORGS, PEOPLE, ITEMS = 500, 40, 50


def instrument():
    sections = [{"id": f"dim_{s}", "title": f"Dimension {s}",
                 "items": [{"id": f"q{s}_{i}", "prompt": f"Question {s}.{i}",
                            "levels": {"casual": "c", "moderate": "m", "intense": "i"}}
                           for i in range(10)]} for s in range(ITEMS // 10)]
    return parse_instrument({
        "id": "bench", "version": "1", "title": "Bench", "source": "synthetic", "minutes": 5,
        "scale": {"points": 5, "anchors": {1: "Casual", 3: "Moderate", 5: "Intense"}},
        "facets": [{"id": "level", "label": "Level"}], "sections": sections})


def frame(inst, seed=1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    items = [i.id for i in inst.items]
    section = {i.id: i.section for i in inst.items}
    n = ORGS * PEOPLE * ITEMS
    person = np.repeat(np.arange(ORGS * PEOPLE), ITEMS)
    org = person // PEOPLE
    group = np.where(person % PEOPLE < 8, "self", "customer")
    item = np.tile(items, ORGS * PEOPLE)
    df = pd.DataFrame({
        "campaign": "bench", "submission": person + 1, "respondent": None,
        "rater_group": group, "segment": np.char.add("org-", org.astype(str)),
        "section": pd.Series(item).map(section).to_numpy(), "item": item, "facet": "level",
        "value": rng.integers(1, 6, n).astype(float), "comment": None,
        "submitted_at": pd.Timestamp("2026-11-22", tz="UTC")})
    df.attrs.update(min_group_size=5)
    return df


def suite(df, inst):
    fa.profile(df, by=["rater_group", "segment"], instrument=inst)
    fa.profile(df, per="section", by=["rater_group"], instrument=inst)
    fa.agreement(df, by=["rater_group", "segment"], instrument=inst)
    fa.rwg_j(df, by=["rater_group"], instrument=inst)
    fa.discussion_agenda(df, group="self", instrument=inst)
    fa.perception_gaps(df, "self", "customer", instrument=inst)
    fa.next_steps(df, instrument=inst)


def timed(fn, repeat):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main(argv=None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args(argv)
    inst = instrument()
    df = frame(inst)
    print(f"frame: {len(df):,} rows, {df.memory_usage(deep=True).sum() / 1e6:.0f} MB",
          file=sys.stderr)
    rows = []

    def hand_mean():
        df.groupby(["item", "rater_group"], sort=False, observed=True)["value"].mean()

    base = timed(hand_mean, args.repeat)
    prof = timed(lambda: fa.profile(df, instrument=inst), args.repeat)
    rows.append(("profile by item x rater group", prof, "hand-written groupby-mean", base))
    whole = timed(lambda: suite(df, inst), args.repeat)
    rows.append(("whole analysis suite (7 calls)", whole, "hand-written groupby-mean", base))

    from sqlalchemy import text

    from focuskit import Store
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(f"sqlite:///{Path(tmp) / 'bench.db'}")
        store.create_campaign("bench", "Bench", inst, rater_groups=["self", "customer"])
        with store.engine.begin() as conn:
            subs = df.drop_duplicates("submission")
            conn.execute(text(
                "INSERT INTO submissions (id, campaign, respondent, rater_group, segment, "
                "started_at, submitted_at, idempotency_key) VALUES (:id, 'bench', NULL, :g, :s, "
                "NULL, '2026-11-22 00:00:00', :k)"),
                [dict(id=int(i), g=g, s=s, k=f"b{i}") for i, g, s in
                 zip(subs["submission"], subs["rater_group"], subs["segment"], strict=True)])
            conn.exec_driver_sql(
                "INSERT INTO answers (submission, item, facet, value, comment) VALUES "
                "(?, ?, 'level', ?, NULL)",
                list(zip(df["submission"].tolist(), df["item"].tolist(), df["value"].tolist(),
                         strict=True)))
        query = ("SELECT s.campaign, s.id AS submission, s.respondent, s.rater_group, s.segment,"
                 " a.item, a.facet, a.value, a.comment, s.submitted_at FROM submissions s JOIN "
                 "answers a ON a.submission = s.id WHERE s.campaign = 'bench'")
        with store.engine.connect() as conn:
            raw = timed(lambda: pd.read_sql(text(query), conn), args.repeat)
        load = timed(lambda: store.responses("bench"), args.repeat)
        rows.append(("Store.responses from SQLite", load, "pd.read_sql of the same join", raw))
        store.close()

    print(f"\n{len(df):,} answer rows ({ORGS} organisations x {PEOPLE} respondents x {ITEMS} "
          f"items), median of {args.repeat} runs\n")
    print("| measured | seconds | baseline | baseline s | ratio |")
    print("|---|---|---|---|---|")
    for name, t, bname, b in rows:
        print(f"| {name} | {t:.3f} | {bname} | {b:.3f} | {t / b:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
