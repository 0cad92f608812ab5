"""Profiles, perception gaps, Say-Do, importance-performance and next steps, held against
pingouin and scipy (independent oracles) and against hand-computed values, to 3 decimals."""

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from scipy import stats

from focuskit import Store
from focuskit.analysis.gaps import importance_performance, perception_gaps, say_do
from focuskit.analysis.profiles import next_steps, profile
from focuskit.demo import seed_store


@pytest.fixture(scope="module")
def demo():
    store = Store("sqlite:///:memory:")
    seed_store(store)
    frames = {c.id: store.responses(c.id) for c in store.campaigns()}
    store.close()
    return frames


def _values(df, item, group, facet="level"):
    sel = df[(df["item"] == item) & (df["rater_group"] == group) & (df["facet"] == facet)]
    return sel["value"].to_numpy()


def test_profile_matches_pingouin_and_scipy(demo):
    df = demo["demo-focus-levels"]
    out = profile(df)
    assert list(out.columns) == ["item", "rater_group", "facet", "n", "mean", "median", "sd",
                                 "ci_low", "ci_high", "band", "n_shown", "suppressed"]
    for item in ("data", "contact", "training"):
        for group in ("self", "customer", "partner"):
            x = _values(df, item, group)
            row = out[(out["item"] == item) & (out["rater_group"] == group)].iloc[0]
            assert row["n"] == len(x)
            assert row["mean"] == pytest.approx(x.mean(), abs=1e-3)
            assert row["median"] == pytest.approx(np.median(x), abs=1e-3)
            assert row["sd"] == pytest.approx(x.std(ddof=1), abs=1e-3)
            # pingouin's one-sample t gives the same t statistic the interval rests on.
            t = pg.ttest(x, 0)["T"].iloc[0]
            assert row["mean"] / (row["sd"] / np.sqrt(len(x))) == pytest.approx(t, abs=1e-3)
            lo, hi = stats.t.interval(0.95, len(x) - 1, loc=x.mean(),
                                      scale=x.std(ddof=1) / np.sqrt(len(x)))
            assert (row["ci_low"], row["ci_high"]) == pytest.approx((lo, hi), abs=1e-3)


def test_level_bands_follow_the_anchors(demo):
    out = profile(demo["demo-focus-levels"])
    for mean, band in zip(out["mean"], out["band"], strict=True):
        assert band == ("Casual" if mean < 2 else "Moderate" if mean < 4 else "Intense")


def test_profile_per_section_and_for_everyone(demo):
    df = demo["demo-focus-levels"]
    out = profile(df, per="section", by=[])
    assert len(out) == 4 and out["n"].tolist() == [60] * 4
    markets = df[df["section"] == "markets"].groupby("submission")["value"].mean()
    row = out[out["section"] == "markets"].iloc[0]
    assert row["mean"] == pytest.approx(markets.mean(), abs=1e-3)
    assert row["sd"] == pytest.approx(markets.std(), abs=1e-3)


def test_small_groups_are_withheld_and_their_siblings_too(demo):
    df = demo["demo-focus-levels"]
    out = profile(df, by=["rater_group", "segment"], min_group=10)
    large = out[out["segment"] == "Large accounts"]
    assert large["suppressed"].all() and large["mean"].isna().all()
    assert (large["n_shown"] == "withheld").all() and large["n"].isna().all()
    # Leadership (8) and Large accounts (8) are under 10; among customers, Large accounts is
    # the only small segment, so the next smallest customer segment is withheld with it. A
    # segment never says "< 10": beside "withheld" that would pin both sizes.
    cust = out[(out["rater_group"] == "customer") & (out["item"] == "data")]
    assert cust.set_index("segment")["n_shown"].to_dict() == {
        "Large accounts": "withheld", "Residential": "18", "Small business": "withheld"}
    # The leaders are held back as a group, so no row says which segment they are in.
    assert "Leadership team" not in set(out["segment"])
    groups = profile(df, by="rater_group", min_group=10)
    assert set(groups.loc[groups["rater_group"] == "self", "n_shown"]) == {"< 10"}


def test_a_filter_whose_complement_is_small_is_withheld(demo):
    df = demo["demo-focus-levels"]
    everyone_but_large = ["Residential", "Small business", "Partners", "Leadership team"]
    # Leaving out the 8 large accounts would describe them, under a threshold of 10.
    out = profile(df, by=[], where={"segment": everyone_but_large}, min_group=10)
    assert out["suppressed"].all() and out["mean"].isna().all()
    fine = profile(df, by=[], where={"segment": "Residential"}, min_group=10)
    assert not fine["suppressed"].any()


def test_own_view_shows_one_respondent_unwithheld(demo):
    df = demo["demo-focus-levels"]
    own = profile(df, respondent="leader-01")
    x = df[(df["respondent"] == "leader-01")].set_index("item")["value"]
    assert (own["n"] == 1).all() and not own["suppressed"].any()
    assert own.set_index("item")["mean"].to_dict() == x.to_dict()
    with pytest.raises(ValueError, match="no answers from respondent"):
        profile(df, respondent="nobody")


def test_perception_gaps_match_pingouin(demo):
    df = demo["demo-focus-levels"]
    out = perception_gaps(df, "self", "customer").set_index("item")
    for item in out.index:
        x, y = _values(df, item, "self"), _values(df, item, "customer")
        ref = pg.ttest(x, y, correction=True)
        row = out.loc[item]
        assert row["gap"] == pytest.approx(x.mean() - y.mean(), abs=1e-3)
        assert row["statistic"] == pytest.approx(ref["T"].iloc[0], abs=1e-3)
        assert row["df"] == pytest.approx(ref["dof"].iloc[0], abs=1e-3)
        assert row["pval"] == pytest.approx(ref["p_val"].iloc[0], abs=1e-3)
        assert row["d"] == pytest.approx(pg.compute_effsize(x, y, eftype="cohen"), abs=1e-3)
    # The demo's built-in blind spot: leaders think they meet customers; customers disagree.
    assert out.loc["contact", "flag"] == "blind spot"
    assert (out["flag"] == "hidden strength").sum() == 0


def test_perception_gaps_mann_whitney_and_threshold(demo):
    df = demo["demo-focus-levels"]
    out = perception_gaps(df, "self", "partner", test="mannwhitney",
                          threshold_gap=0.5).set_index("item")
    for item in ("data", "innovation", "contact"):
        x, y = _values(df, item, "self"), _values(df, item, "partner")
        ref = pg.mwu(x, y)
        assert out.loc[item, "statistic"] == pytest.approx(ref["U_val"].iloc[0], abs=1e-3)
        assert out.loc[item, "pval"] == pytest.approx(ref["p_val"].iloc[0], abs=1e-3)
    assert out.loc["innovation", "flag"] == "hidden strength"  # partners see more than leaders


def test_perception_gaps_by_customer_segment(demo):
    out = perception_gaps(demo["demo-focus-levels"], "self", "customer", by="segment")
    assert set(out["segment"]) == {"Large accounts", "Residential", "Small business"}
    assert (out["n_a"] == 8).all()


def test_say_do_statement_area_overall(demo):
    df = demo["demo-say-do"]
    out = say_do(df)
    assert set(out["scope"]) == {"statement", "area", "overall"}
    wide = df.pivot_table(index=["submission", "section", "item"], columns="facet",
                          values="value").reset_index()
    wide["gap"] = wide["say"] - wide["do"]
    st = out[out["scope"] == "statement"].set_index("item")
    for item, g in wide.groupby("item"):
        ref = pg.ttest(g["say"], g["do"], paired=True)
        assert st.loc[item, "gap"] == pytest.approx(g["gap"].mean(), abs=1e-3)
        t = st.loc[item, "gap"] / (st.loc[item, "gap_sd"] / np.sqrt(st.loc[item, "n"]))
        if np.isfinite(ref["T"].iloc[0]):
            assert t == pytest.approx(ref["T"].iloc[0], abs=1e-3)
    area = out[out["scope"] == "area"].set_index("section")
    per_person = wide.groupby(["submission", "section"])["gap"].mean().groupby("section").mean()
    for sec, v in per_person.items():
        assert area.loc[sec, "gap"] == pytest.approx(v, abs=1e-3)
    assert area["gap"].idxmax() == "processes" and area.loc["processes", "rank"] == 1
    overall = out[out["scope"] == "overall"].iloc[0]
    assert overall["gap"] == pytest.approx(wide.groupby("submission")["gap"].mean().mean(),
                                           abs=1e-3)


def test_importance_performance_quadrants_by_hand():
    rows = []
    # Four expectations placed in the four quadrants around cross-hairs at the means (3, 3).
    spec = {"a": (5, 1), "b": (5, 5), "c": (1, 1), "d": (1, 5)}
    for s in range(6):
        for item, (imp, perf) in spec.items():
            rows += [dict(submission=s, rater_group="customer", segment="x", item=item,
                          facet="importance", value=imp),
                     dict(submission=s, rater_group="customer", segment="x", item=item,
                          facet="performance", value=perf)]
    df = pd.DataFrame(rows)
    from focuskit.instruments import load_instrument, with_items

    inst = with_items(load_instrument("expectations"), {"a": "A", "b": "B", "c": "C", "d": "D"})
    out = importance_performance(df, instrument=inst, min_group=5).set_index("item")
    assert out["quadrant"].to_dict() == {"a": "Concentrate here", "b": "Keep up the good work",
                                         "c": "Low priority", "d": "Possible overkill"}
    assert out.loc["a", "weighted_gap"] == pytest.approx((5 - 1) * 5 / 5)
    assert out.loc["a", "priority"] == 1
    assert out["x_importance"].iloc[0] == 3 and out["x_performance"].iloc[0] == 3
    mid = importance_performance(df, instrument=inst, min_group=5, crosshair="midpoint")
    assert (mid["x_importance"] == 3).all()


def test_importance_performance_on_demo_and_per_segment(demo):
    df = demo["demo-expectations"]
    out = importance_performance(df)
    means = df.groupby(["item", "facet"])["value"].mean().unstack()
    row = out.set_index("item").loc["fair_price"]
    assert row["importance"] == pytest.approx(means.loc["fair_price", "importance"], abs=1e-3)
    assert row["x_importance"] == pytest.approx(means["importance"].mean(), abs=1e-3)
    seg = importance_performance(df, by="segment")
    assert set(seg["segment"]) == {"Large accounts", "Residential", "Small business", "Partners"}
    small = importance_performance(df, by="segment", min_group=10)
    assert small[small["segment"] == "Large accounts"]["quadrant"].isna().all()


def test_next_steps_ranks_lowest_levels_first(demo):
    out = next_steps(demo["demo-focus-levels"])
    assert out["rank"].tolist() == list(range(1, 9))
    assert out["mean"].is_monotonic_increasing
    contact = out.set_index("item").loc["contact"]
    assert contact["band"] == "Intense" and contact["next_level"] == "sustain"
    first = out.iloc[0]
    assert first["next_level"] == "Intense" and isinstance(first["next_descriptor"], str)


@pytest.mark.parametrize("call,match", [
    (lambda d: profile(d, by="colour"), "cannot group by"),
    (lambda d: profile(d, per="team"), "per must be"),
    (lambda d: profile(d, facet="say"), "no facet"),
    (lambda d: profile(d.drop(columns="value")), "lacks column"),
    (lambda d: profile("not a frame"), "expected the long responses"),
    (lambda d: profile(d, min_group=0), "at least 3"),
    (lambda d: profile(d, min_group=2), "at least 3"),
    (lambda d: perception_gaps(d, "self", "board"), "no answers from rater group"),
    (lambda d: perception_gaps(d, test="chi2"), "test must be"),
    (lambda d: say_do(d), "no say and do"),
    (lambda d: importance_performance(d), "no importance"),
])
def test_bad_input_is_a_clear_value_error(demo, call, match):
    with pytest.raises(ValueError, match=match):
        call(demo["demo-focus-levels"])
