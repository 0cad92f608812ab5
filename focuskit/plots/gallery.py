"""Render every plot on the demo data: ``python -m focuskit.plots.gallery docs/gallery``.

The demo organisation is built in an in-memory store, so the gallery never touches a real
database, and each figure is closed as soon as it is saved.
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from .. import analysis as fa  # noqa: E402

#: Marra's case: a chief executive visits 100 large accounts a year, and none of the rest.
PLAN = {"Residential": 6_000_000, "Small business": 100_000, "Large accounts": 1_000}
PLANNED = {"Large accounts": 100}
DPI = 120


def demo_frames() -> dict[str, pd.DataFrame]:
    """The demo campaigns' responses, keyed by campaign id (and the benchmark base)."""
    from ..demo import benchmark_rows, seed_store
    from ..store import Store

    store = Store("sqlite:///:memory:")
    try:
        seed_store(store)
        frames = {c: store.responses(c) for c in (
            "demo-focus-levels", "demo-blocks", "demo-say-do", "demo-expectations",
            "demo-external-focus", "demo-contact-review", "demo-focus-levels-w2")}
    finally:
        store.close()
    frames["base"] = pd.DataFrame(benchmark_rows())
    return frames


def plots(frames):
    """(file name, function drawing it) for every plot in the gallery."""
    from .. import plots as fp

    lv, base = frames["demo-focus-levels"], frames["base"]
    waves = fa.trend([lv, frames["demo-focus-levels-w2"]])
    return [
        ("level_profile", lambda: fp.level_profile(data=fa.profile(lv))),
        ("level_profile_radar", lambda: fp.level_profile(data=fa.profile(lv), kind="radar")),
        ("team_spread", lambda: fp.team_spread(data=fa.discussion_agenda(lv, group="self"))),
        ("heatmap", lambda: fp.heatmap(
            data=fa.profile(lv, by=["rater_group", "segment"], min_group=10),
            title="Level by group and dimension (groups under 10 withheld, to show how)")),
        ("perception_gaps", lambda: fp.gap_dumbbell(data=fa.perception_gaps(lv, "self", "customer"))),
        ("say_do", lambda: fp.gap_dumbbell(data=fa.say_do(frames["demo-say-do"]))),
        ("importance_performance", lambda: fp.ip_quadrant(
            data=fa.importance_performance(frames["demo-expectations"]))),
        ("benchmark_levels", lambda: fp.benchmark_position(data=fa.benchmark(lv, base))),
        ("benchmark_say_do", lambda: fp.benchmark_position(
            data=fa.benchmark(frames["demo-say-do"], base), measure="gap")),
        ("blocks", lambda: fp.blocks_chart(data=fa.blocks(frames["demo-blocks"]))),
        ("adli_rubric", lambda: fp.adli_rubric(data=fa.adli(frames["demo-contact-review"]))),
        ("contact_planner", lambda: fp.contact_planner(
            data=fa.contact_plan(PLAN, planned=PLANNED))),
        ("external_focus", lambda: fp.external_focus_chart(
            data=fa.external_focus(frames["demo-external-focus"]))),
        ("trend", lambda: fp.trend_plot(data=waves, item="contact", rater_group="customer")),
        ("then_and_now", lambda: fp.then_and_now(data=waves, rater_group="customer")),
    ]


def render(out, frames=None, dpi: int = DPI) -> list[Path]:
    """Save every gallery plot as ``out/<name>.png``; returns the paths written."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, draw in plots(frames or demo_frames()):
        ax = draw()
        try:
            path = out / f"{name}.png"
            # No software version in the file, so re-rendering unchanged plots changes nothing.
            ax.figure.savefig(path, dpi=dpi, metadata={"Software": None})
            written.append(path)
        finally:
            plt.close(ax.figure)
    return written


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m focuskit.plots.gallery OUT_DIR", file=sys.stderr)
        return 2
    for path in render(argv[0]):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
