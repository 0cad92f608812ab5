"""The synthetic demo organisation and benchmark base: reproducible, and showing the patterns
the views are meant to reveal."""

import csv
import statistics
from collections import defaultdict

from conftest import ROOT

from focuskit import Store
from focuskit.demo import benchmark_rows, seed_store, write_benchmark


def test_committed_benchmark_base_is_the_generated_one(tmp_path):
    # data/benchmark.csv is generated, not hand-edited: regenerating gives the same bytes.
    fresh = write_benchmark(tmp_path)
    assert fresh.read_bytes() == (ROOT / "data" / "benchmark.csv").read_bytes()


def test_benchmark_top_quartile_has_the_narrower_say_do_gap():
    rows = benchmark_rows()
    perf = {r["organisation"]: r["performance"] for r in rows}
    assert len(perf) == 300
    cut = statistics.quantiles(perf.values(), n=4)[2]
    gaps = defaultdict(float)
    for r in rows:
        if r["instrument"] == "say-do":
            gaps[r["organisation"]] += r["value"] if r["facet"] == "say" else -r["value"]
    top = [g / 3 for o, g in gaps.items() if perf[o] >= cut]
    rest = [g / 3 for o, g in gaps.items() if perf[o] < cut]
    assert statistics.mean(top) < statistics.mean(rest) - 0.3
    assert all(1 <= r["value"] <= 5 for r in rows)


def test_benchmark_csv_is_tidy():
    with (ROOT / "data" / "benchmark.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert {r["instrument"] for r in rows} == {"focus-levels", "say-do"}
    assert len(rows) == 300 * (8 + 6)


def test_demo_store_is_believable_and_reseeding_stores_nothing(sqlite_url):
    with Store(sqlite_url) as store:
        made = seed_store(store)
        assert made == {"demo-focus-levels": 60, "demo-blocks": 8, "demo-say-do": 8,
                        "demo-expectations": 52, "demo-external-focus": 20,
                        "demo-contact-review": 3}
        assert set(seed_store(store).values()) == {0}

        levels = store.responses("demo-focus-levels")
        assert levels.groupby("rater_group")["submission"].nunique().to_dict() == {
            "self": 8, "customer": 40, "partner": 12}
        customers = levels[levels.rater_group == "customer"]
        assert customers.groupby("segment")["submission"].nunique().to_dict() == {
            "Large accounts": 8, "Residential": 18, "Small business": 14}
        # Real disagreement among leaders on some dimensions, consensus on others.
        sd = levels[levels.rater_group == "self"].groupby("item")["value"].std()
        assert sd["data"] > 1.0 and sd["budgets"] > 1.0
        assert sd["structure"] < 0.8
        # Customers see contact with us less kindly than leaders do (a blind spot).
        means = levels.groupby(["item", "rater_group"])["value"].mean()
        assert means["contact", "self"] - means["contact", "customer"] > 1.0

        say_do = store.responses("demo-say-do").pivot_table(
            index=["submission", "item", "section"], columns="facet", values="value")
        gap = (say_do["say"] - say_do["do"]).groupby(level="section").mean()
        assert gap.idxmax() == "processes" and (gap > 0).all()

        review = store.responses("demo-contact-review")
        assert review["comment"].notna().sum() == 6  # evidence notes
