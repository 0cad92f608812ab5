"""Blocks, ADLI, external focus and benchmarking: hand-computed values, scipy as the oracle,
the say-do seed's finding on the benchmark base, the demo data, anonymity and bad input."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from focuskit.analysis import adli, blocks, external_focus
from focuskit.analysis.benchmarking import benchmark, load_benchmark, say_do_quartiles

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "data" / "benchmark.csv"
COLS = ["submission", "rater_group", "segment", "item", "facet", "value", "comment"]


@pytest.fixture(autouse=True)
def hand_sized_groups(monkeypatch):
    """These tests check statistics by hand on groups of one to three people, which the
    package never shows (its floor is 3, tested in test_staff_roles.py): lift the floor here."""
    from focuskit.analysis import _data

    monkeypatch.setattr(_data, "MIN_GROUP_FLOOR", 1)


def make(rows, instrument, k=1):
    """A responses frame from (submission, group, segment, item, facet, value[, comment])."""
    df = pd.DataFrame([(*r, None) if len(r) == 6 else r for r in rows], columns=COLS)
    df.insert(0, "campaign", "t")
    df["value"] = df["value"].astype(float)
    df.attrs.update(campaign="t", instrument=instrument, min_group_size=k)
    return df


# -- blocks ------------------------------------------------------------------------------------
def block_rows():
    """Three leaders, four blocks; root_cause 1 systems, 2 people."""
    data = {  # item: (applies per leader, root_cause per leader, None = skipped)
        "no_segmentation": ([5, 4, 3], [2, 2, 1]),
        "little_customer_data": ([2, 2, 2], [1, 1, None]),
        "inside_out": ([4, 4, 5], [1, 1, 1]),
        "frontline_blamed": ([4, 4, 4], [2, 1, 1]),
    }
    rows = []
    for item, (applies, causes) in data.items():
        for s, (a, c) in enumerate(zip(applies, causes, strict=True), start=1):
            rows.append((s, "self", "Board", item, "applies", a))
            if c is not None:
                rows.append((s, "self", "Board", item, "root_cause", c))
    return rows


def test_blocks_hand_computed():
    res = blocks(make(block_rows(), "blocks", k=3))
    blk = res[res["scope"] == "block"].set_index("item")
    # no_segmentation: mean 4, s = 1, rwg = 1 - 1/((25-1)/12) = 0.5; 2 of 3 blame people.
    r = blk.loc["no_segmentation"]
    assert (r["n"], r["n_cause"]) == (3, 3)
    assert r["mean"] == pytest.approx(4.0) and r["sd"] == pytest.approx(1.0)
    assert r["agreement"] == pytest.approx(0.5)
    assert r["share_people"] == pytest.approx(2 / 3, abs=1e-3)
    assert r["share_systems"] == pytest.approx(1 / 3, abs=1e-3)
    assert r["pval"] == pytest.approx(0.06075, abs=1e-5)  # 3·.15²·.85 + .15³
    assert r["pval"] == pytest.approx(
        stats.binomtest(2, 3, 0.15, alternative="greater").pvalue)
    assert bool(r["misattributed"])  # 0.667 > 0.15 + 0.20
    # little_customer_data: full agreement; one leader skipped the root cause, so only 2
    # (< k = 3) gave one: their causes are held back and no share is shown.
    r = blk.loc["little_customer_data"]
    assert r["agreement"] == pytest.approx(1.0) and pd.isna(r["n_cause"])
    assert pd.isna(r["share_people"]) and pd.isna(r["misattributed"])
    # inside_out: mean 4.333, s² = 1/3, rwg = 1 - (1/3)/2 = 0.833.
    r = blk.loc["inside_out"]
    assert r["mean"] == pytest.approx(4.333, abs=1e-3)
    assert r["agreement"] == pytest.approx(0.833, abs=1e-3)
    # frontline_blamed: one of three blames people: 0.333 <= 0.35, not flagged.
    assert not bool(blk.loc["frontline_blamed", "misattributed"])
    # Rank: severity, then agreement: inside_out 4.333; frontline 4.0 (rwg 1) before
    # no_segmentation 4.0 (rwg 0.5); little_customer_data 2.0.
    assert blk["rank"].to_dict() == {"inside_out": 1, "frontline_blamed": 2,
                                     "no_segmentation": 3, "little_customer_data": 4}
    assert list(blk.index) == ["inside_out", "frontline_blamed", "no_segmentation",
                               "little_customer_data"]
    # Overall: 3 people answers out of the 9 causes released (the 2 held back are in no
    # figure); severity over leaders' means (3.75, 3.5, 3.5).
    ov = res[res["scope"] == "overall"].iloc[0]
    assert ov["n_cause"] == 9 and ov["share_people"] == pytest.approx(3 / 9)
    assert ov["share_systems"] == pytest.approx(6 / 9)
    assert ov["mean"] == pytest.approx(3.583, abs=1e-3)
    assert ov["sd"] == pytest.approx(0.144, abs=1e-3)  # sd of 3.75, 3.5, 3.5
    assert ov["expected_people"] == 0.15
    assert not bool(ov["misattributed"])  # 0.333 <= 0.35
    assert pd.isna(ov["rank"]) and pd.isna(ov["pval"])
    # A stricter tolerance flags the overall split.
    strict = blocks(make(block_rows(), "blocks", k=3), tolerance=0.1)
    assert bool(strict[strict["scope"] == "overall"]["misattributed"].iloc[0])


def test_blocks_agreement_truncated_at_zero():
    rows = [(s, "self", "B", "no_segmentation", "applies", v)
            for s, v in enumerate([1, 5, 1, 5], start=1)]
    res = blocks(make(rows, "blocks"))
    # s² = 5.333 > σ²_EU = 2: rwg would be -1.667, truncated at 0.
    assert res.iloc[0]["agreement"] == 0
    assert res.iloc[0]["n_cause"] == 0 and pd.isna(res.iloc[0]["share_people"])


def test_blocks_demo_blames_people():
    res = blocks(demo_frame("demo-blocks"))
    blk = res[res["scope"] == "block"]
    assert len(blk) == 9 and (blk["n"] == 8).all() and not res["suppressed"].any()
    assert sorted(blk["rank"].tolist()) == list(range(1, 10))
    assert blk["mean"].is_monotonic_decreasing
    ov = res[res["scope"] == "overall"].iloc[0]
    assert ov["share_people"] > 0.15 and ov["n_cause"] == 72
    fb = blk.set_index("item").loc["frontline_blamed"]
    assert fb["share_people"] > 0.5 and bool(fb["misattributed"])
    assert set(res.columns) >= {"scope", "section", "item", "n", "mean", "sd", "agreement",
                                "share_systems", "share_people", "misattributed", "rank",
                                "suppressed", "n_shown"}


def test_blocks_withheld_below_threshold():
    res = blocks(demo_frame("demo-blocks"), min_group=9)
    assert res["suppressed"].all() and res["mean"].isna().all()
    assert res["share_people"].isna().all() and res["misattributed"].isna().all()
    assert res["rank"].isna().all() and (res["n_shown"] == "< 9").all()


def test_blocks_by_segment_complementary_suppression():
    rows = []
    for seg, subs in (("North", [1, 2, 3]), ("South", [4, 5, 6]), ("West", [7])):
        for s in subs:
            rows.append((s, "self", seg, "inside_out", "applies", 3 + s % 2))
            rows.append((s, "self", seg, "inside_out", "root_cause", 2))
    res = blocks(make(rows, "blocks", k=3), by="segment")
    blk = res[res["scope"] == "block"].set_index("segment")
    # A segment never says "< 3" (beside its neighbour's "withheld" it would pin both).
    assert blk.loc["West", "n_shown"] == "withheld" and bool(blk.loc["West", "suppressed"])
    # West alone could be recovered from a total: one more segment is withheld with it.
    assert blk["suppressed"].sum() == 2
    assert (blk["n_shown"] == "withheld").sum() == 2
    ov = res[res["scope"] == "overall"]
    assert ov["suppressed"].sum() == 2


def test_blocks_bad_input():
    with pytest.raises(ValueError, match="DataFrame"):
        blocks([1, 2, 3])
    with pytest.raises(ValueError, match="blocks"):
        blocks(demo_frame("demo-external-focus"))
    with pytest.raises(ValueError, match="cannot group by 'item'"):
        blocks(make(block_rows(), "blocks"), by="item")
    with pytest.raises(ValueError, match="tolerance"):
        blocks(make(block_rows(), "blocks"), tolerance=0.9)
    bad = make([(1, "self", "B", "inside_out", "applies", 3),
                (1, "self", "B", "inside_out", "root_cause", 3)], "blocks")
    with pytest.raises(ValueError, match="root_cause must be 1"):
        blocks(bad)
    with pytest.raises(ValueError, match="min_group"):
        blocks(make(block_rows(), "blocks"), min_group=0)


# -- ADLI --------------------------------------------------------------------------------------
def adli_rows():
    """Two reviewers, two questions, four dimensions each (1-4 scale)."""
    scores = {  # item: reviewer -> (approach, deployment, learning, integration)
        "segment_coverage": {1: (1, 2, 1, 1), 2: (2, 3, 2, 1)},
        "recording": {1: (4, 4, 3, 3), 2: (3, 4, 4, 4)},
    }
    rows = []
    for item, by_rev in scores.items():
        for rev, vals in by_rev.items():
            for f, v in zip(("approach", "deployment", "learning", "integration"), vals,
                            strict=True):
                note = "Large accounts only." if (rev, item, f) == (1, "segment_coverage",
                                                                   "approach") else None
                rows.append((rev, "internal", "QA", item, f, v, note))
    # A comment with no score still counts as evidence.
    rows.append((2, "internal", "QA", "segment_coverage", "approach", np.nan,
                 "  No analysis behind the number.  "))
    return rows


def test_adli_hand_computed():
    frame = make(adli_rows(), "contact-programme", k=2)
    frame.attrs["comment_threshold"] = 2  # two reviewers: their notes are released
    res = adli(frame)
    cell = res[res["scope"] == "cell"].set_index(["item", "dimension"])
    assert cell.loc[("segment_coverage", "approach"), "mean"] == pytest.approx(1.5)
    assert cell.loc[("segment_coverage", "approach"), "band"] == "Early systematic"  # tie up
    assert cell.loc[("segment_coverage", "integration"), "band"] == "Reacting"
    assert cell.loc[("segment_coverage", "deployment"), "mean"] == pytest.approx(2.5)
    assert cell.loc[("recording", "deployment"), "sd"] == 0
    assert len(cell) == 8 and (cell["n"] == 2).all()
    # t interval of a cell against scipy: mean 1.5, sd 0.7071, n 2.
    lo, hi = stats.t.interval(0.95, 1, loc=1.5, scale=np.sqrt(0.5) / np.sqrt(2))
    assert cell.loc[("segment_coverage", "approach"), "ci_low"] == pytest.approx(lo)
    assert cell.loc[("segment_coverage", "approach"), "ci_high"] == pytest.approx(hi)
    q = res[res["scope"] == "question"].set_index("item")
    # segment_coverage: reviewer means 1.25 and 2.0 -> 1.625; recording 3.5 and 3.75 -> 3.625.
    assert q.loc["segment_coverage", "mean"] == pytest.approx(1.625)
    assert q.loc["segment_coverage", "sd"] == pytest.approx(np.std([1.25, 2.0], ddof=1))
    assert q.loc["recording", "mean"] == pytest.approx(3.625)
    assert q.loc["recording", "band"] == "Integrated"
    assert q.loc["segment_coverage", "band"] == "Early systematic"
    assert q.loc["segment_coverage", "section"] == "planning"
    assert q.loc["segment_coverage", "evidence"] == ["Large accounts only.",
                                                     "No analysis behind the number."]
    assert q.loc["recording", "evidence"] == []
    d = res[res["scope"] == "dimension"].set_index("dimension")
    assert list(d.index) == ["approach", "deployment", "learning", "integration"]
    # approach: reviewer 1 (1+4)/2 = 2.5, reviewer 2 (2+3)/2 = 2.5.
    assert d.loc["approach", "mean"] == pytest.approx(2.5) and d.loc["approach", "sd"] == 0
    assert d.loc["integration", "mean"] == pytest.approx(2.25)
    ov = res[res["scope"] == "overall"].iloc[0]
    assert ov["mean"] == pytest.approx((1.625 + 3.625) / 2)  # 2.625
    assert ov["band"] == "Aligned"
    assert ov["descriptor"].startswith("A repeatable method is regularly evaluated")
    assert res["evidence"].where(res["scope"] != "question").isna().all()


def test_adli_demo():
    res = adli(demo_frame("demo-contact-review"))
    assert not res["suppressed"].any() and (res["n"] == 3).all()
    assert res["scope"].value_counts().to_dict() == {"cell": 24, "question": 6,
                                                     "dimension": 4, "overall": 1}
    ov = res[res["scope"] == "overall"].iloc[0]
    assert 1 <= ov["mean"] < 2.5 and ov["band"] in ("Reacting", "Early systematic")
    q = res[res["scope"] == "question"].set_index("item")
    assert "large accounts only" in q.loc["segment_coverage", "evidence"][0]
    assert all(len(e) == 1 for e in q["evidence"])
    # The demo deploys more than it learns or integrates.
    d = res[res["scope"] == "dimension"].set_index("dimension")["mean"]
    assert d["deployment"] == d.max()


def test_adli_withholds_scores_and_evidence():
    res = adli(demo_frame("demo-contact-review"), min_group=4)
    assert res["suppressed"].all() and res["mean"].isna().all()
    assert res["evidence"].isna().all() and res["band"].isna().all()
    assert (res["n_shown"] == "< 4").all()


def test_adli_by_segment_withholds_small_units():
    rows = adli_rows() + [(3, "internal", "Ops", "recording", "approach", 2, "Only mine.")]
    res = adli(make(rows, "contact-programme", k=2), by="segment")
    ops = res[res["segment"] == "Ops"]
    assert ops["suppressed"].all() and ops["evidence"].isna().all()
    assert not any("Only mine." in (e or []) for e in res["evidence"])


def test_adli_bad_input():
    with pytest.raises(ValueError, match="contact-programme"):
        adli(demo_frame("demo-blocks"))
    with pytest.raises(ValueError, match="confidence"):
        adli(make(adli_rows(), "contact-programme"), confidence=95)
    with pytest.raises(ValueError, match="instrument="):
        adli(make(adli_rows(), None))


# -- external focus ----------------------------------------------------------------------------
def focus_rows():
    rows = []
    for s, group, vals in ((1, "self", (1, 2)), (2, "self", (3, 5)),
                           (3, "partner", (1, 1)), (4, "partner", (2, 4))):
        for item, v in zip(("learning_about_customers", "using_feedback"), vals, strict=True):
            rows.append((s, group, group, item, "level", v))
    return rows


def test_external_focus_hand_computed():
    res = external_focus(make(focus_rows(), "external-focus", k=2))
    lv = res[res["scope"] == "level"].set_index(["rater_group", "level"])
    # self answers 1, 2, 3, 5 -> R R A S: an answer counts at the highest level it reached.
    assert lv.loc[("self", "Responding"), "share"] == pytest.approx(0.5)
    assert lv.loc[("self", "Anticipating"), "share"] == pytest.approx(0.25)
    assert lv.loc[("self", "Shaping"), "n_answers"] == 1
    # partner 1, 1, 2, 4 -> R R R A.
    assert lv.loc[("partner", "Responding"), "share"] == pytest.approx(0.75)
    assert lv.loc[("partner", "Responding"), "share_vs_self"] == pytest.approx(0.25)
    assert lv.loc[("partner", "Shaping"), "share_vs_self"] == pytest.approx(-0.25)
    assert list(res["rater_group"].iloc[:3]) == ["self"] * 3  # self first
    assert list(res["level"].iloc[:3]) == ["Responding", "Anticipating", "Shaping"]
    gr = res[res["scope"] == "group"].set_index("rater_group")
    assert gr.loc["self", "mean"] == pytest.approx(2.75)  # (1.5 + 4) / 2
    assert gr.loc["partner", "mean"] == pytest.approx(2.0)  # (1 + 3) / 2
    assert gr.loc["partner", "mean_vs_self"] == pytest.approx(-0.75)
    assert gr.loc["partner", "band"] == "Anticipating" and gr.loc["self", "role"] == "self"
    assert gr.loc["partner", "role"] == "other"
    lo, hi = stats.t.interval(0.95, 1, loc=2.0, scale=np.std([1, 3], ddof=1) / np.sqrt(2))
    assert (gr.loc["partner", "ci_low"], gr.loc["partner", "ci_high"]) == \
        (pytest.approx(lo), pytest.approx(hi))


def test_external_focus_zero_levels_and_no_comparison():
    rows = [(s, "partner", "P", "using_feedback", "level", 1) for s in (1, 2)]
    res = external_focus(make(rows, "external-focus"), self_group=None)
    lv = res[res["scope"] == "level"]
    assert lv["n_answers"].tolist() == [2, 0, 0] and lv["share"].tolist() == [1, 0, 0]
    assert res["share_vs_self"].isna().all() and (res["role"] == "other").all()


def test_external_focus_demo_self_above_partners():
    res = external_focus(demo_frame("demo-external-focus"))
    gr = res[res["scope"] == "group"].set_index("rater_group")
    assert gr.loc["self", "n"] == 8 and gr.loc["partner", "n"] == 12
    assert gr.loc["partner", "mean_vs_self"] < -0.5
    lv = res[res["scope"] == "level"]
    assert lv.groupby("rater_group")["share"].sum().tolist() == pytest.approx([1, 1])
    # Partners see less shaping than leaders claim.
    shaping = lv[lv["level"] == "Shaping"].set_index("rater_group")["share"]
    assert shaping["partner"] < shaping["self"]


def test_external_focus_by_section():
    res = external_focus(demo_frame("demo-external-focus"), by="section")
    assert set(res["section"]) == {"knowing", "adding_value"}
    assert len(res) == 2 * 2 * 3 + 2 * 2


def test_external_focus_withholds_small_groups():
    rows = focus_rows() + [(5, "customer", "C", "using_feedback", "level", 5)]
    res = external_focus(make(rows, "external-focus", k=2))
    cust = res[res["rater_group"] == "customer"]
    assert cust["suppressed"].all() and cust["share"].isna().all()
    assert (cust["n_shown"] == "< 2").all()
    # The lone customer is held back: in no figure, so no other group need be withheld.
    assert res.groupby("rater_group")["suppressed"].all().sum() == 1
    # k from the campaign, overridden.
    assert not external_focus(make(focus_rows(), "external-focus", k=2))["suppressed"].any()
    assert external_focus(make(focus_rows(), "external-focus", k=2),
                          min_group=3)["suppressed"].all()


def test_external_focus_bad_input():
    with pytest.raises(ValueError, match="rater group 'self'"):
        external_focus(make(focus_rows()[4:], "external-focus"))
    with pytest.raises(ValueError, match="cannot group by 'rater_group'"):
        external_focus(make(focus_rows(), "external-focus"), by="rater_group")
    with pytest.raises(ValueError, match="facet"):
        external_focus(demo_frame("demo-blocks"))


# -- benchmark ---------------------------------------------------------------------------------
def base_frame(levels=None, say_do=None, perf=None):
    """A benchmark base: {org: value} for focus-levels 'data'; {org: {area: (say, do)}}."""
    rows = []
    for org, v in (levels or {}).items():
        rows.append((org, "x", 10, perf[org], "focus-levels", "data", "level", v))
    for org, areas in (say_do or {}).items():
        for area, (say, do) in areas.items():
            rows.append((org, "x", 10, perf[org], "say-do", area, "say", say))
            rows.append((org, "x", 10, perf[org], "say-do", area, "do", do))
    return pd.DataFrame(rows, columns=["organisation", "sector", "employees", "performance",
                                       "instrument", "measure", "facet", "value"])


def test_benchmark_levels_hand_computed():
    perf = {f"O{i}": float(i) for i in range(1, 6)}
    base = base_frame(levels={f"O{i}": float(i) for i in range(1, 6)}, perf=perf)
    camp = make([(1, "self", "S", "data", "level", 3), (2, "self", "S", "data", "level", 4),
                 (3, "customer", "C", "data", "level", 1)], "focus-levels")
    res = benchmark(camp, base)
    r = res[res["scope"] == "dimension"].iloc[0]
    assert (r["dimension"], r["measure"], r["group"], r["n"]) == ("data", "level", "self", 2)
    assert r["value"] == pytest.approx(3.5)
    # 3 of 5 organisations below 3.5: 60th percentile, as scipy's kind="mean".
    assert r["percentile"] == pytest.approx(60.0)
    assert r["percentile"] == pytest.approx(
        stats.percentileofscore([1, 2, 3, 4, 5], 3.5, kind="mean"))
    assert (r["q25"], r["median"], r["q75"]) == (2.0, 3.0, 4.0)
    assert r["quartile"] == 2 and r["n_base"] == 5
    assert r["top_median"] == pytest.approx(4.5) and r["distance"] == pytest.approx(1.0)
    ov = res[res["scope"] == "overall"].iloc[0]
    assert ov["value"] == pytest.approx(3.5) and ov["percentile"] == pytest.approx(60.0)
    # A tie counts half: 1.0 has none below and one equal -> 10; 3.0: 2 below, 1 equal -> 50.
    res = benchmark(camp, base, group="customer", min_group=1)
    assert res.iloc[0]["percentile"] == pytest.approx(10.0)
    assert res.iloc[0]["quartile"] == 4
    tie = make([(1, "self", "S", "data", "level", 3)], "focus-levels")
    assert benchmark(tie, base).iloc[0]["percentile"] == pytest.approx(50.0)
    # Top quartile by performance: orgs with performance >= 4 (O4, O5): the same here.
    assert benchmark(camp, base, top_by="performance").iloc[0]["top_median"] == 4.5
    # Everyone: three respondents, mean 8/3.
    assert benchmark(camp, base, group=None).iloc[0]["value"] == pytest.approx(8 / 3)


def test_benchmark_say_do_gap_ranks_narrow_as_better():
    gaps = {"O1": 0.2, "O2": 0.6, "O3": 1.0, "O4": 1.4, "O5": 1.8}
    perf = {"O1": 9.0, "O2": 7.0, "O3": 5.0, "O4": 4.0, "O5": 3.0}
    base = base_frame(say_do={o: {"leadership": (4.0, 4.0 - g)} for o, g in gaps.items()},
                      perf=perf)
    camp = make([(1, "self", "S", "leaders_communicate", "say", 5),
                 (1, "self", "S", "leaders_communicate", "do", 4),
                 (2, "self", "S", "leaders_communicate", "say", 4),
                 (2, "self", "S", "leaders_communicate", "do", 3)], "say-do")
    camp["section"] = "leadership"
    res = benchmark(camp, base)
    assert list(res["measure"]) == ["say", "do", "gap"] * 2
    gap = res[(res["measure"] == "gap") & (res["scope"] == "dimension")].iloc[0]
    assert gap["value"] == pytest.approx(1.0) and gap["better"] == "lower"
    # Two of five gaps are wider than 1.0, one equal: (2 + 0.5) / 5 = 50%.
    assert gap["percentile"] == pytest.approx(50.0)
    assert gap["quartile"] == 2  # q25 = 0.6 < 1.0 <= median 1.0
    # The top quartile (narrowest: 0.2, 0.6) has median 0.4; we are 0.6 behind.
    assert gap["top_median"] == pytest.approx(0.4) and gap["distance"] == pytest.approx(0.6)
    say = res[(res["measure"] == "say") & (res["scope"] == "dimension")].iloc[0]
    assert say["value"] == pytest.approx(4.5) and say["percentile"] == pytest.approx(100.0)
    assert say["quartile"] == 1 and say["distance"] == pytest.approx(-0.5)


def test_benchmark_demo_against_base_matches_scipy():
    base = load_benchmark(BENCH)
    for campaign, rows in (("demo-focus-levels", 9), ("demo-say-do", 12)):
        res = benchmark(demo_frame(campaign), base)
        assert len(res) == rows and not res["suppressed"].any()
        assert (res["n"] == 8).all() and (res["n_base"] == 300).all()
        inst = res["instrument"].iloc[0]
        for r in res[res["scope"] == "dimension"].itertuples():
            part = base[(base["instrument"] == inst) & (base["measure"] == r.dimension)]
            if r.measure == "gap":
                w = part.pivot(index="organisation", columns="facet", values="value")
                vals = (w["say"] - w["do"]).to_numpy()
                want = stats.percentileofscore(-vals, -r.value, kind="mean")
            else:
                vals = part[part["facet"] == r.measure]["value"].to_numpy()
                want = stats.percentileofscore(vals, r.value, kind="mean")
            assert r.percentile == pytest.approx(want, abs=1e-9)
            assert r.q75 == pytest.approx(np.quantile(vals, 0.75))
    # The demo's leaders claim more than they do: processes' gap is in the bottom quartile.
    res = benchmark(demo_frame("demo-say-do"), base)
    gap = res[(res["measure"] == "gap") & (res["dimension"] == "processes")].iloc[0]
    assert gap["quartile"] == 4 and gap["distance"] > 0


def test_benchmark_infers_parts_from_concatenated_campaigns():
    both = pd.concat([demo_frame("demo-focus-levels"), demo_frame("demo-say-do")])
    res = benchmark(both, load_benchmark(BENCH))
    assert res["instrument"].value_counts().to_dict() == {"say-do": 12, "focus-levels": 9}


def test_benchmark_anonymity():
    base = load_benchmark(BENCH)
    res = benchmark(demo_frame("demo-focus-levels"), base, min_group=9)
    assert res["suppressed"].all() and res["value"].isna().all()
    assert res["percentile"].isna().all() and res["quartile"].isna().all()
    assert res["q75"].notna().all()  # the base's figures are not about the group
    # Filtering to one group when the rest are one to k-1 people: the lone customer is held
    # back from every figure, so the filtered and unfiltered figures are about the same
    # three leaders and nothing can be recovered by differencing them.
    perf = {f"O{i}": float(i) for i in range(1, 6)}
    small = base_frame(levels={f"O{i}": float(i) for i in range(1, 6)}, perf=perf)
    camp = make([(s, "self", "S", "data", "level", 3) for s in (1, 2, 3)]
                + [(4, "customer", "C", "data", "level", 1)], "focus-levels", k=2)
    res = benchmark(camp, small)
    everyone = benchmark(camp, small, group=None)
    assert not res["suppressed"].any() and not everyone["suppressed"].any()
    assert res["value"].tolist() == everyone["value"].tolist() and set(res["n"]) == {3}


def test_benchmark_bad_input(tmp_path):
    base = load_benchmark(BENCH)
    with pytest.raises(ValueError, match="focus-levels and say-do"):
        benchmark(demo_frame("demo-blocks"), base)
    with pytest.raises(ValueError, match="rater group"):
        benchmark(demo_frame("demo-say-do"), base, group="customer")
    with pytest.raises(ValueError, match="top_by"):
        benchmark(demo_frame("demo-say-do"), base, top_by="best")
    with pytest.raises(ValueError, match="lacks column"):
        benchmark(demo_frame("demo-say-do"), base.drop(columns="performance"))
    camp = make([(1, "self", "S", "not_a_dimension", "level", 3)], "focus-levels")
    with pytest.raises(ValueError, match="no figures for dimension"):
        benchmark(camp, base)


def test_load_benchmark_checks(tmp_path, monkeypatch):
    base = load_benchmark(BENCH)
    assert base["organisation"].nunique() == 300 and base["value"].dtype == float
    monkeypatch.chdir(ROOT)
    assert len(load_benchmark()) == len(base)
    with pytest.raises(ValueError, match="focuskit demo"):
        load_benchmark(tmp_path / "none.csv")
    bad = base.astype({"value": object})
    bad.loc[3, "value"] = "n/a"
    bad.to_csv(tmp_path / "bad.csv", index=False)
    with pytest.raises(ValueError, match=r"value must be a number; 1 row.*row 5"):
        load_benchmark(tmp_path / "bad.csv")
    pd.concat([base, base.iloc[:1]]).to_csv(tmp_path / "dup.csv", index=False)
    with pytest.raises(ValueError, match="duplicate"):
        load_benchmark(tmp_path / "dup.csv")
    base.drop(columns="sector").to_csv(tmp_path / "cols.csv", index=False)
    with pytest.raises(ValueError, match=r"lacks column\(s\) \['sector'\]"):
        load_benchmark(tmp_path / "cols.csv")


# -- the say-do seed's finding -------------------------------------------------------------------
def test_say_do_quartiles_hand_computed_welch():
    gaps = [1.2, 1.0, 1.4, 0.8, 1.1, 0.9, 0.3, 0.5]  # orgs with performance 1..8
    perf = {f"O{i}": float(i) for i in range(1, 9)}
    base = base_frame(say_do={f"O{i}": {"people": (4.0, 4.0 - g)}
                              for i, g in zip(range(1, 9), gaps, strict=True)}, perf=perf)
    res = say_do_quartiles(base)
    assert list(res["scope"]) == ["area", "overall"]
    r = res.iloc[0]
    # Top quartile: performance >= the 0.75 quantile (6.25): O7 and O8.
    top, rest = np.array([0.3, 0.5]), np.array(gaps[:6])
    assert (r["n_top"], r["n_rest"]) == (2, 6)
    assert r["gap_top"] == pytest.approx(0.4) and r["gap_rest"] == pytest.approx(1.0667, abs=1e-4)
    se = np.sqrt(top.var(ddof=1) / 2 + rest.var(ddof=1) / 6)
    assert r["statistic"] == pytest.approx((0.4 - rest.mean()) / se)
    dof = se ** 4 / ((top.var(ddof=1) / 2) ** 2 / 1 + (rest.var(ddof=1) / 6) ** 2 / 5)
    assert r["df"] == pytest.approx(dof)
    want = stats.ttest_ind(top, rest, equal_var=False)
    assert r["pval"] == pytest.approx(want.pvalue)
    assert r["ci_low"] < r["diff"] < r["ci_high"] and bool(r["narrower"])
    # One area: overall is that area.
    assert res.iloc[1]["statistic"] == pytest.approx(r["statistic"])


def test_say_do_quartiles_reproduce_the_seed_on_the_base():
    """The say-do seed: the Say-Do gap is considerably wider below the top quartile."""
    base = pd.read_csv(BENCH)
    res = say_do_quartiles(load_benchmark(BENCH))
    assert list(res["area"].fillna("overall")) == ["leadership", "processes", "people",
                                                   "overall"]
    assert res["narrower"].all() and (res["pval"] < 0.001).all()
    assert (res["n_top"] + res["n_rest"] == 300).all() and (res["n_top"] >= 75).all()
    # Oracle: the gaps recomputed straight from the CSV and scipy's Welch test.
    perf = base.groupby("organisation")["performance"].first()
    top = perf >= perf.quantile(0.75)
    sd = base[base["instrument"] == "say-do"].pivot_table(
        index="organisation", columns=["measure", "facet"], values="value")
    for r in res.itertuples():
        area = r.area if isinstance(r.area, str) else None
        if area:
            g = sd[(area, "say")] - sd[(area, "do")]
        else:
            g = sum(sd[(a, "say")] - sd[(a, "do")] for a in ("leadership", "processes",
                                                            "people")) / 3
        want = stats.ttest_ind(g[top.reindex(g.index)], g[~top.reindex(g.index)],
                               equal_var=False)
        assert r.statistic == pytest.approx(want.statistic) and r.pval == pytest.approx(want.pvalue)
        assert r.gap_top < r.gap_rest


def test_say_do_quartiles_bad_input():
    with pytest.raises(ValueError, match="top must be a share"):
        say_do_quartiles(load_benchmark(BENCH), top=25)
    only_levels = base_frame(levels={"O1": 1.0}, perf={"O1": 1.0})
    with pytest.raises(ValueError, match="no say-do rows"):
        say_do_quartiles(only_levels)


_FRAMES: dict = {}


def demo_frame(campaign: str) -> pd.DataFrame:
    """A demo campaign's responses (one in-memory store for the module)."""
    if not _FRAMES:
        from focuskit import Store
        from focuskit.demo import seed_store

        with Store("sqlite:///:memory:") as store:
            seed_store(store)
            for c in store.campaigns():
                _FRAMES[c.id] = store.responses(c.id)
    out = _FRAMES[campaign].copy()
    out.attrs = dict(_FRAMES[campaign].attrs)
    return out
