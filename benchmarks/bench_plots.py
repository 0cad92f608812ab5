"""Plots at scale: each plot drawn from 10,000 respondents and saved to PNG.

For every plot a synthetic responses frame of 10,000 respondents is made for its instrument
and run through the analysis once, outside the clock; the clock then times the plot call and
``savefig`` to an in-memory PNG, interleaved with a bare matplotlib bar chart of the same
figure size saved the same way (the baseline). Budget: a median of at most 150 ms per plot.

Both wall-clock and CPU time (``time.process_time``) are taken: the machine is shared, and
CPU time is what others' load disturbs least. The ratio to the bare chart is the figure to
compare across machines.

Memory: after a warm-up (font and text-layout caches fill once), every plot is redrawn and
saved 100 times with its figure closed each time; the resident set size, read from
/proc/self/statm after ``gc.collect()`` and glibc's ``malloc_trim(0)`` (so memory freed but
kept by the allocator is not counted as held), may grow by at most 5 MB.

Run: .venv/bin/python benchmarks/bench_plots.py [--repeat 15] [--redraws 100]
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import io
import os
import statistics
import sys
import time

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

import focuskit.plots as fp  # noqa: E402
from focuskit import analysis as fa  # noqa: E402
from focuskit.demo import benchmark_rows  # noqa: E402
from focuskit.instruments import load_instrument  # noqa: E402

PEOPLE = 10_000
DPI = 100
# Who rates, per instrument: (rater group, segment, share of the 10,000).
GROUPS = {
    "focus-levels": [("self", "Leadership", 0.2), ("customer", "Residential", 0.3),
                     ("customer", "Small business", 0.2), ("customer", "Large accounts", 0.1),
                     ("partner", "Partners", 0.2)],
    "say-do": [("self", "Leadership", 1.0)],
    "expectations": [("customer", "Residential", 0.6), ("partner", "Partners", 0.4)],
    "blocks": [("self", "Leadership", 1.0)],
    "contact-programme": [("internal", "Quality office", 1.0)],
    "external-focus": [("self", "Leadership", 0.3), ("partner", "Partners", 0.7)],
}


def responses(iid: str, seed: int = 1) -> pd.DataFrame:
    """A long responses frame like ``Store.responses``: PEOPLE respondents, every item."""
    inst = load_instrument(iid)
    rng = np.random.default_rng(seed)
    people = np.arange(PEOPLE)
    cuts = np.cumsum([0] + [round(s * PEOPLE) for *_, s in GROUPS[iid]])
    which = np.searchsorted(cuts[1:], people, side="right")
    group = np.array([g for g, _, _ in GROUPS[iid]])[which]
    segment = np.array([s for _, s, _ in GROUPS[iid]])[which]
    parts = []
    for item in inst.items:
        for facet in item.facets:
            scale = inst.facet(facet).scale
            values = (rng.integers(1, 3, PEOPLE) if facet == "root_cause" else
                      np.clip(np.round(rng.normal((scale.minimum + scale.maximum) / 2
                                                  + 0.4 * (group == "self"), 1.0, PEOPLE)),
                              scale.minimum, scale.maximum))
            parts.append(pd.DataFrame({
                "submission": people + 1, "rater_group": group, "segment": segment,
                "section": item.section, "item": item.id, "facet": facet,
                "value": values.astype(float)}))
    df = pd.concat(parts, ignore_index=True)
    df.insert(0, "campaign", f"bench-{iid}")
    df.insert(2, "respondent", None)
    df["comment"] = None
    df["submitted_at"] = pd.Timestamp("2026-11-22", tz="UTC")
    df.attrs.update(campaign=f"bench-{iid}", instrument=iid,
                    instrument_version=inst.version, min_group_size=5)
    return df


def cases():
    """(name, instrument, result computed once, function drawing it)."""
    frames = {iid: responses(iid) for iid in GROUPS}
    lv, base = frames["focus-levels"], pd.DataFrame(benchmark_rows())
    plan = fa.contact_plan({"Residential": 6_000_000, "Small business": 100_000,
                            "Large accounts": 1_000}, planned={"Large accounts": 100})
    return [
        ("level_profile", "focus-levels", fa.profile(lv), fp.level_profile),
        ("level_profile radar", "focus-levels", fa.profile(lv),
         lambda data: fp.level_profile(data=data, kind="radar")),
        ("team_spread (6,000 customers)", "focus-levels",
         fa.discussion_agenda(lv, group="customer"), fp.team_spread),
        ("heatmap (group x segment)", "focus-levels",
         fa.profile(lv, by=["rater_group", "segment"]), fp.heatmap),
        ("gap_dumbbell perception", "focus-levels", fa.perception_gaps(lv, "self", "customer"),
         fp.gap_dumbbell),
        ("gap_dumbbell say-do", "say-do", fa.say_do(frames["say-do"]), fp.gap_dumbbell),
        ("ip_quadrant", "expectations", fa.importance_performance(frames["expectations"]),
         fp.ip_quadrant),
        ("benchmark_position", "focus-levels", fa.benchmark(lv, base), fp.benchmark_position),
        ("blocks_chart", "blocks", fa.blocks(frames["blocks"]), fp.blocks_chart),
        ("adli_rubric", "contact-programme", fa.adli(frames["contact-programme"]),
         fp.adli_rubric),
        ("contact_planner", "(3 segments)", plan, fp.contact_planner),
        ("external_focus_chart", "external-focus", fa.external_focus(frames["external-focus"]),
         fp.external_focus_chart),
    ]


def draw(fn, data) -> tuple:
    ax = fn(data=data)
    fig = ax.figure
    size = tuple(fig.get_size_inches())
    fig.savefig(io.BytesIO(), format="png", dpi=DPI)
    plt.close(fig)
    return size


def bare(size) -> None:
    fig, ax = plt.subplots(figsize=size)
    ax.bar(range(8), [3, 2.5, 4, 3.2, 2.1, 3.8, 2.9, 3.3])
    fig.savefig(io.BytesIO(), format="png", dpi=DPI)
    plt.close(fig)


def rss_mb() -> float:
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except OSError:  # not glibc: RSS then includes what the allocator keeps
        pass
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def clock(fn, *args) -> tuple[float, float]:
    """Wall and CPU milliseconds of one call."""
    w, c = time.perf_counter(), time.process_time()
    fn(*args)
    return (time.perf_counter() - w) * 1000, (time.process_time() - c) * 1000


def main(argv=None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--repeat", type=int, default=15)
    p.add_argument("--redraws", type=int, default=100)
    args = p.parse_args(argv)
    print(f"making {len(GROUPS)} frames of {PEOPLE:,} respondents and their analyses...",
          file=sys.stderr)
    todo = cases()
    load_start = os.getloadavg()[0]
    rows = []
    for name, iid, data, fn in todo:
        size = draw(fn, data)  # warm-up: imports, fonts, caches
        bare(size)
        t_plot, t_bare = [], []
        for _ in range(args.repeat):  # interleaved, so load from others hits both alike
            t_plot.append(clock(draw, fn, data))
            t_bare.append(clock(bare, size))
        med = [statistics.median(t[k] for t in ts) for ts in (t_plot, t_bare) for k in (0, 1)]
        rows.append((name, iid, size, *med))
        print(f"  {name}: wall {med[0]:.0f} ms (bare {med[2]:.0f}), CPU {med[1]:.0f} ms "
              f"(bare {med[3]:.0f})", file=sys.stderr)

    for _ in range(3):  # warm the caches of every plot before measuring memory
        for _, _, data, fn in todo:
            draw(fn, data)
    growth = []
    for name, _, data, fn in todo:
        before = rss_mb()
        for _ in range(args.redraws):
            draw(fn, data)
        growth.append((name, rss_mb() - before))
        print(f"  {name}: {growth[-1][1]:+.2f} MB over {args.redraws} redraws", file=sys.stderr)
    left = len(plt.get_fignums())

    print(f"\nEach plot from {PEOPLE:,} respondents: plot call + savefig to PNG at {DPI} dpi, "
          f"median of {args.repeat} runs interleaved with the bare bar chart; load average "
          f"{load_start:.1f} at the start, {os.getloadavg()[0]:.1f} at the end\n")
    print("| plot | instrument | figure (in) | wall ms | bare wall ms | wall ratio | CPU ms | "
          f"bare CPU ms | CPU ratio | RSS growth, {args.redraws} redraws (MB) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for (name, iid, size, pw, pc, bw, bc), (_, g) in zip(rows, growth, strict=True):
        print(f"| {name} | {iid} | {size[0]:.1f} x {size[1]:.1f} | {pw:.0f} | {bw:.0f} | "
              f"{pw / bw:.2f} | {pc:.0f} | {bc:.0f} | {pc / bc:.2f} | {g:+.2f} |")
    worst = max(r[3] for r in rows)
    most = max(g for _, g in growth)
    print(f"\nslowest median wall {worst:.0f} ms (budget 150); largest growth {most:+.2f} MB "
          f"(budget 5); figures left open: {left}")
    return 0 if worst <= 150 and most <= 5 and not left else 1

if __name__ == "__main__":
    sys.exit(main())
