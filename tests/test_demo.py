"""The synthetic demo organisation and benchmark base: reproducible, and showing the patterns
the views are meant to reveal."""

import csv
import statistics
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

import pytest
from conftest import ROOT
from scipy import stats

from focuskit import Store
from focuskit.demo import PROGRAMME, benchmark_rows, seed_store, write_benchmark


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
        first = {"demo-focus-levels": 60, "demo-blocks": 8, "demo-say-do": 8,
                 "demo-expectations": 52, "demo-external-focus": 20, "demo-contact-review": 3}
        assert made == {**first, **{f"{c}-w2": n for c, n in first.items()}}
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


# -- the programme: two waves a year apart, and the actions agreed after the first ------------

@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    with Store(f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}") as store:
        seed_store(store)
        yield store


def test_the_demo_is_one_programme_of_two_waves(demo):
    prog = demo.programme(PROGRAMME)
    assert (prog.id, prog.title) == ("demo-alder-valley", "Alder Valley Utilities")
    assert prog.organisation == "Alder Valley Utilities"
    first = ["demo-focus-levels", "demo-blocks", "demo-say-do", "demo-expectations",
             "demo-external-focus", "demo-contact-review"]
    assert prog.campaigns == (*first, *(f"{c}-w2" for c in first))
    for cid in first:
        one, two = demo.waves(cid)
        assert (one.id, two.id, two.previous, two.wave) == (cid, f"{cid}-w2", cid, 2)
        assert (two.instrument, two.rater_groups, two.min_group_size) == (
            one.instrument, one.rater_groups, one.min_group_size)
        a, b = demo.responses(cid), demo.responses(two.id)
        # The same groups and sizes (no change figure is held back for a group that
        # changed by a few people), new respondent codes, answered a year later.
        size = ["rater_group", "segment"]
        assert (a.groupby(size)["submission"].nunique().to_dict()
                == b.groupby(size)["submission"].nunique().to_dict())
        assert not set(a["respondent"]) & set(b["respondent"])
        assert b["submitted_at"].min() - a["submitted_at"].max() == timedelta(days=365)
    assert demo.programme_actions(PROGRAMME) == demo.actions("demo-focus-levels")
    # Run again (make demo twice): nothing doubled.
    assert set(seed_store(demo).values()) == {0}
    assert demo.programmes() == [prog]
    assert len(demo.campaigns()) == 12 and len(demo.actions("demo-focus-levels")) == 4


def test_two_actions_worked_one_did_not_and_one_dimension_moved_alone(demo):
    """What the register says, and what wave 2's answers show: clear changes (Welch's t,
    all groups together) where the actions worked and on training, which no action names;
    none on data, whose action is overdue and still open."""
    actions = demo.actions("demo-focus-levels")
    assert all(a["owner"] and a["due"] for a in actions)
    today = datetime.now(UTC).date()
    overdue = [a for a in actions if a["due"] < today and a["status"] in ("open", "doing")]
    assert [a["item"] for a in overdue] == ["data"]
    assert [a["item"] for a in actions if a["status"] == "done"] == [
        "contact", "expectations", None]
    a, b = demo.responses("demo-focus-levels"), demo.responses("demo-focus-levels-w2")

    def change(item):
        before, after = a[a["item"] == item]["value"], b[b["item"] == item]["value"]
        return after.mean() - before.mean(), stats.ttest_ind(after, before,
                                                             equal_var=False).pvalue

    for item in ("contact", "expectations", "training"):
        moved, p = change(item)
        assert moved > 0.6 and p < 0.001, item
    still, p = change("data")
    assert abs(still) < 0.2 and p > 0.3
    others = [change(i)[0] for i in ("segments_and_partnerships", "innovation", "budgets",
                                     "structure")]
    assert max(abs(x) for x in others) < 0.3
    # The actions were due between the waves.
    start = a["submitted_at"].max().date()
    assert all(start < a_["due"] < start + timedelta(days=365) for a_ in actions)
    assert isinstance(actions[0]["due"], date)
