"""Disclosure control at scale: 10,000 respondents, 20 segments, 5 rater groups, 50 items
(500,000 answer rows), answers arriving one at a time (the step rule's slow path is the
arrivals that share a time, so a tenth of them come in imports).

Reports, each beside a baseline run in this same script (a plain pandas groupby-mean of the
frame by item, rater group and segment):
- ``decide`` over the whole campaign, uncached (budget: 200 ms);
- the same decision from the cache (a second visitor, or a second view);
- a filter change: ``profile`` with a new ``where=`` on a campaign already decided
  (budget: 300 ms median).

Run: .venv/bin/python benchmarks/bench_disclosure.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import pandas as pd
from bench_analysis import instrument  # the same synthetic 50-item instrument

from focuskit import analysis as fa
from focuskit.analysis import anonymity

PEOPLE, SEGMENTS, GROUPS, ITEMS = 10_000, 20, 5, 50


def frame(inst, seed=1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    items = [i.id for i in inst.items]
    section = {i.id: i.section for i in inst.items}
    person = np.repeat(np.arange(PEOPLE), ITEMS)
    groups = np.array(["self", "team", "customer", "partner", "internal"])
    # Uneven cells, some tiny, so that blocks merge: group and segment drawn with skew.
    g_of = groups[rng.choice(GROUPS, PEOPLE, p=[0.05, 0.15, 0.6, 0.15, 0.05])]
    s_of = rng.choice(SEGMENTS, PEOPLE, p=np.r_[[0.3, 0.2], np.full(SEGMENTS - 2, 0.5 / 18)])
    seg = np.char.add("seg-", s_of.astype(str)).astype(object)
    seg[rng.random(PEOPLE) < 0.02] = None  # answered through the shared link, no segment
    t0 = pd.Timestamp("2026-11-02", tz="UTC")
    at = t0 + pd.to_timedelta(np.arange(PEOPLE), unit="s")
    imported = rng.random(PEOPLE) < 0.1
    at = at.where(~imported, t0 - pd.Timedelta(days=1))
    item = np.tile(items, PEOPLE)
    df = pd.DataFrame({
        "campaign": "bench", "submission": person + 1, "respondent": None,
        "rater_group": g_of[person], "segment": seg[person],
        "section": pd.Series(item).map(section).to_numpy(), "item": item, "facet": "level",
        "value": rng.integers(1, 6, len(person)).astype(float), "comment": None,
        "submitted_at": at[person]})
    df.attrs.update(campaign="bench", min_group_size=5)
    return df


def timed(fn, repeat):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)
    inst = instrument()
    df = frame(inst)

    def baseline():
        df.groupby(["item", "rater_group", "segment"], dropna=False)["value"].mean()

    def cold():
        anonymity.decide(df, 5)

    anonymity.attach(df)
    anonymity.decision_for(df, 5)

    def cached():
        anonymity.decision_for(df[df["segment"] == "seg-3"], 5)

    segs = [f"seg-{i}" for i in range(SEGMENTS)]
    state = {"i": 0}

    def filter_change():
        state["i"] += 1
        fa.profile(df, by="rater_group", where={"segment": segs[state["i"] % SEGMENTS]},
                   instrument=inst)

    base = timed(baseline, args.repeat)
    rows = [("decision, uncached", timed(cold, args.repeat), 0.200),
            ("decision, cached (a cut of the campaign)", timed(cached, args.repeat), None),
            ("filter change (profile with a new where=)", timed(filter_change, args.repeat),
             0.300)]
    print(f"{len(df):,} answer rows; baseline groupby-mean {base * 1000:.0f} ms\n")
    print("| what | median ms | x baseline | budget |")
    print("| --- | ---: | ---: | --- |")
    ok = True
    for name, t, budget in rows:
        within = budget is None or t <= budget
        ok &= within
        print(f"| {name} | {t * 1000:.0f} | {t / base:.2f} | "
              f"{f'{budget * 1000:.0f} ms' if budget else '-'}{'' if within else ' OVER'} |")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
