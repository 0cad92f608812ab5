"""Agreement within a group: rwg/rwg(j) against hand-computed values, ICC and Cronbach's alpha
against pingouin and the published Shrout & Fleiss table, and the demo store's agreement table
and discussion agenda, anonymity included."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from focuskit.analysis import agreement, cronbach_alpha, discussion_agenda, icc, rwg, rwg_j
from focuskit.instruments import load_instrument

# Shrout & Fleiss (1979), Table 2: 6 targets rated by 4 judges, and their published ICCs.
SF_RATINGS = [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]]
SF_PUBLISHED = {"ICC1": 0.17, "ICC2": 0.29, "ICC3": 0.71, "ICC1k": 0.44, "ICC2k": 0.62,
                "ICC3k": 0.91}
# Our Type names against pingouin >= 0.6's, row for row.
PG_TYPES = {"ICC1": "ICC(1,1)", "ICC2": "ICC(A,1)", "ICC3": "ICC(C,1)", "ICC1k": "ICC(1,k)",
            "ICC2k": "ICC(A,k)", "ICC3k": "ICC(C,k)"}
# pingouin 0.7 calls a pandas method pandas 3.1 deprecates; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:The inplace keyword:DeprecationWarning")
AGENDA_COLUMNS = ["rank", "item", "section", "prompt", "n", "sd", "range", "rwg", "low", "high",
                  "spread", "n_1", "n_2", "n_3", "n_4", "n_5", "low_label", "high_label",
                  "low_descriptor", "high_descriptor", "n_shown", "suppressed"]


@pytest.fixture(scope="module")
def store():
    from focuskit import Store
    from focuskit.demo import seed_store

    s = Store("sqlite:///:memory:")
    seed_store(s)
    yield s
    s.close()


@pytest.fixture(scope="module")
def levels(store):
    return store.responses("demo-focus-levels")


@pytest.fixture
def pg():
    """pingouin with its CI rounding switched off, so intervals compare to 3 decimals."""
    pingouin = pytest.importorskip("pingouin")
    saved = dict(pingouin.options)
    pingouin.options.pop("round.column.CI95", None)
    yield pingouin
    pingouin.options.clear()
    pingouin.options.update(saved)


def long_frame(wide) -> pd.DataFrame:
    wide = pd.DataFrame(wide, columns=[f"J{j}" for j in range(len(wide[0]))])
    return (wide.rename_axis("target").reset_index()
            .melt(id_vars="target", var_name="rater", value_name="rating"))


def compare_icc(ours: pd.DataFrame, theirs: pd.DataFrame) -> None:
    assert list(ours["Type"].map(PG_TYPES)) == list(theirs["Type"])
    # pingouin calls the F ratio "F"; focuskit's one name for a test statistic is "statistic"
    for col, theirs_col in [("ICC", "ICC"), ("statistic", "F"), ("df1", "df1"), ("df2", "df2"),
                            ("pval", "pval")]:
        np.testing.assert_allclose(ours[col], theirs[theirs_col].astype(float), atol=5e-4,
                                   err_msg=col)
    ci = np.vstack(theirs["CI95"].to_numpy())
    np.testing.assert_allclose(ours["ci_low"], ci[:, 0], atol=5e-4)
    np.testing.assert_allclose(ours["ci_high"], ci[:, 1], atol=5e-4)


# -- rwg and rwg(j) on arrays ------------------------------------------------------------------
def test_rwg_hand_computed():
    # s² = 0.3, σ²_EU = (25 - 1) / 12 = 2  ->  1 - 0.15
    assert rwg([4, 4, 4, 5, 5], 5) == pytest.approx(0.85)
    assert rwg(np.array([3, 3, 3]), 5) == 1.0
    # 7-point scale: σ²_EU = 4, s² of [3, 4, 5] = 1
    assert rwg(pd.Series([3, 4, 5]), 7) == pytest.approx(0.75)
    # a large, exactly uniform sample has about the null variance
    assert rwg(np.repeat([1, 2, 3, 4, 5], 200), 5, truncate=False) == pytest.approx(0, abs=0.01)


def test_rwg_truncates_two_camps_and_needs_two_ratings():
    # s² = 16/3 > 2: more spread than random answering, reported as no agreement
    assert rwg([1, 1, 5, 5], 5) == 0.0
    assert rwg([1, 1, 5, 5], 5, truncate=False) == pytest.approx(1 - (16 / 3) / 2)
    assert np.isnan(rwg([4], 5))
    assert rwg([4, 4, np.nan, 5, 5, 4], 5) == pytest.approx(0.85)  # NaN = not answered


def test_rwg_j_hand_computed():
    # item variances 1/3, 2/3, 0: s̄²/σ²_EU = 1/6, rwg(3) = 2.5 / (2.5 + 1/6) = 15/16
    table = [[3, 2, 5], [3, 3, 5], [4, 4, 5], [4, 3, 5]]
    assert rwg_j(table, 5) == pytest.approx(15 / 16)
    assert rwg_j(pd.DataFrame(table, columns=["a", "b", "c"]), 5) == pytest.approx(15 / 16)
    # one item: rwg(1) is rwg
    assert rwg_j([[4], [4], [4], [5], [5]], 5) == pytest.approx(0.85)


def test_rwg_j_truncation_and_missing():
    camps = [[1, 1], [5, 5], [1, 5], [5, 1]]  # s̄² = 16/3 > σ²_EU: the raw formula gives 5
    assert rwg_j(camps, 5) == 0.0
    assert rwg_j(camps, 5, truncate=False) == pytest.approx(5.0)
    assert np.isnan(rwg_j([[1, 2], [2, np.nan]], 5))  # an item with one rating has no variance


# -- rwg and rwg(j) on the responses frame -----------------------------------------------------
def test_rwg_frame_leaders_split_on_data_and_budgets(levels):
    res = rwg(levels)
    assert list(res.columns) == ["item", "rater_group", "n", "rwg", "n_shown", "suppressed"]
    leaders = res[res["rater_group"] == "self"].set_index("item")
    assert list(leaders["rwg"].nsmallest(2).index) == ["data", "budgets"]
    assert (leaders["n"] == 8).all() and not leaders["suppressed"].any()
    # the frame path agrees with the array path on the same ratings
    for item in ("data", "budgets", "contact"):
        raw = levels.query("rater_group == 'self' and item == @item")["value"]
        assert leaders.loc[item, "rwg"] == pytest.approx(rwg(raw, 5))
    # items in the instrument's order
    order = [i.id for i in load_instrument("focus-levels").items]
    assert list(dict.fromkeys(res["item"])) == order


def test_rwg_frame_without_instrument_needs_scale_points(levels):
    bare = levels.copy()
    bare.attrs = {}
    with pytest.raises(ValueError, match="pass instrument="):
        rwg(bare)
    res = rwg(bare, 5, by=[], min_group=5)
    assert set(res.columns) == {"item", "n", "rwg", "n_shown", "suppressed"}
    assert (res["n"] == 60).all()


def test_rwg_j_frame_per_dimension(levels):
    res = rwg_j(levels)
    assert list(res.columns) == ["section", "rater_group", "n", "items", "rwg_j", "n_shown",
                                 "suppressed"]
    leaders = res[res["rater_group"] == "self"].set_index("section")
    # data and budgets sit in these two dimensions, where leaders agree least
    assert set(leaders["rwg_j"].nsmallest(2).index) == {"information", "innovation_and_investment"}
    wide = (levels.query("rater_group == 'self' and section == 'information'")
            .pivot(index="submission", columns="item", values="value"))
    assert leaders.loc["information", "rwg_j"] == pytest.approx(rwg_j(wide.to_numpy(), 5))
    assert (res["items"] == 2).all()


def test_rwg_by_segment_withholds_small_segment(levels):
    res = rwg(levels, by=["rater_group", "segment"], min_group=10)
    hidden = res[res["suppressed"]]
    # Large accounts (8) is under 10; with the customer total shown elsewhere, the next
    # smallest customer segment (Small business, 14) must go too
    assert set(hidden["segment"]) == {"Large accounts", "Small business"}
    # The 8 leaders are held back as a group: no row tells which segments they are in.
    assert "Leadership team" not in set(res["segment"])
    assert hidden["rwg"].isna().all()
    assert set(hidden.loc[hidden["segment"] == "Small business", "n_shown"]) == {"withheld"}


# -- ICC ---------------------------------------------------------------------------------------
def test_icc_shrout_fleiss_published_table(pg):
    long = long_frame(SF_RATINGS)
    res = icc(long, "target", "rater", "rating")
    assert list(res.columns) == ["Type", "Description", "ICC", "statistic", "df1", "df2", "pval",
                                 "ci_low", "ci_high"]
    got = res.set_index("Type")["ICC"]
    for form, published in SF_PUBLISHED.items():
        assert round(got[form], 2) == published, form
    compare_icc(res, pg.intraclass_corr(long, "target", "rater", "rating"))


def test_icc_matches_pingouin_on_its_dataset(pg):
    data = pg.read_dataset("icc")  # ships with pingouin (wines x judges), no network needed
    compare_icc(icc(data, "Wine", "Judge", "Scores"),
                pg.intraclass_corr(data, "Wine", "Judge", "Scores"))


@pytest.mark.parametrize("seed", range(6))
def test_icc_matches_pingouin_on_random_designs(pg, seed):
    rng = np.random.default_rng(seed)
    n, k = int(rng.integers(3, 30)), int(rng.integers(2, 7))
    # targets differ, raters are biased, plus noise: all six forms differ from each other
    wide = (rng.normal(0, 1, (n, 1)) + rng.normal(0, 0.5, (1, k)) + rng.normal(0, 0.8, (n, k)))
    long = long_frame(np.round(wide * 2 + 5, 1).tolist()).sample(frac=1, random_state=seed)
    compare_icc(icc(long, "target", "rater", "rating"),
                pg.intraclass_corr(long, "target", "rater", "rating"))


def test_icc_confidence_level():
    long = long_frame(SF_RATINGS)
    wide95 = icc(long, "target", "rater", "rating")
    wide80 = icc(long, "target", "rater", "rating", confidence=0.80)
    assert (wide80["ci_low"] > wide95["ci_low"]).all()
    assert (wide80["ci_high"] < wide95["ci_high"]).all()


# -- Cronbach's alpha --------------------------------------------------------------------------
def test_cronbach_alpha_long_matches_pingouin(pg):
    data = pg.read_dataset("cronbach_alpha")
    res = cronbach_alpha(data, items="Items", scores="Scores", subject="Subj")
    alpha, ci = pg.cronbach_alpha(data, items="Items", scores="Scores", subject="Subj")
    assert list(res.columns) == ["n", "items", "alpha", "ci_low", "ci_high"]
    assert (res.at[0, "n"], res.at[0, "items"]) == (15, 10)
    np.testing.assert_allclose(res.loc[0, ["alpha", "ci_low", "ci_high"]].astype(float),
                               [alpha, *ci], atol=5e-4)


@pytest.mark.parametrize("seed", range(4))
def test_cronbach_alpha_wide_with_missing_rows(pg, seed):
    rng = np.random.default_rng(seed)
    true = rng.normal(0, 1, (40, 1))
    wide = pd.DataFrame(np.clip(np.round(3 + true + rng.normal(0, 1, (40, 6))), 1, 5),
                        columns=[f"q{i}" for i in range(6)])
    wide = wide.mask(rng.random(wide.shape) < 0.05)  # a few skipped answers
    res = cronbach_alpha(wide)
    complete = wide.dropna()
    assert res.at[0, "n"] == len(complete) < 40
    assert res.at[0, "alpha"] == pytest.approx(
        pg.cronbach_alpha(wide, nan_policy="listwise")[0], abs=5e-4)
    # pingouin's listwise CI still counts dropped rows in its df; on the complete rows it agrees
    alpha, ci = pg.cronbach_alpha(complete)
    np.testing.assert_allclose(res.loc[0, ["alpha", "ci_low", "ci_high"]].astype(float),
                               [alpha, *ci], atol=5e-4)


def test_cronbach_alpha_wide_missing_dataset_and_responses_frame(pg, levels):
    data = pg.read_dataset("cronbach_wide_missing")
    res = cronbach_alpha(data)
    assert res.at[0, "alpha"] == pytest.approx(0.8016949, abs=1e-6)  # psych: use="complete.obs"
    leaders = levels[levels["rater_group"] == "self"]
    res = cronbach_alpha(leaders, items="item", scores="value", subject="submission")
    wide = leaders.pivot(index="submission", columns="item", values="value")
    assert res.at[0, "alpha"] == pytest.approx(pg.cronbach_alpha(wide)[0], abs=5e-4)


# -- agreement table ---------------------------------------------------------------------------
def test_agreement_table(levels):
    res = agreement(levels)
    assert list(res.columns) == ["item", "section", "rater_group", "n", "mean", "sd", "min",
                                 "max", "range", "rwg", "band", "n_shown", "suppressed"]
    assert len(res) == 8 * 3
    leaders = res[res["rater_group"] == "self"].set_index("item")
    raw = levels.query("rater_group == 'self' and item == 'data'")["value"]
    assert leaders.loc["data", "mean"] == pytest.approx(raw.mean())
    assert leaders.loc["data", "sd"] == pytest.approx(raw.std())
    assert leaders.loc["data", "range"] == raw.max() - raw.min() == 3
    assert list(leaders["rwg"].nsmallest(2).index) == ["data", "budgets"]
    # leaders put contact at 4.0: half way between Moderate (3) and Intense (5) goes up
    assert leaders.loc["contact", "band"] == "Intense"
    assert leaders.loc["data", "section"] == "information"


def test_agreement_withholds_small_groups(levels):
    res = agreement(levels, min_group=20).set_index("rater_group")
    for group in ("self", "partner"):  # 8 and 12 respondents
        rows = res.loc[group]
        assert rows["suppressed"].all() and rows["mean"].isna().all()
        assert rows["band"].isna().all() and set(rows["n_shown"]) == {"< 20"}
    assert not res.loc["customer", "suppressed"].any()


def test_agreement_complementary_suppression_by_segment(levels):
    # two customers in a segment of their own: under the campaign's k = 5
    data = levels.copy()
    data.loc[data["respondent"].isin(["customer-res-01", "customer-res-02"]), "segment"] = "Gov"
    res = agreement(data, by=["rater_group", "segment"])
    contact = res[res["item"] == "contact"].set_index("segment")
    assert contact.loc["Gov", "n_shown"] == "withheld"  # a segment never says "< 5"
    # customers' total is shown elsewhere, so Gov = total - the rest; the smallest other
    # customer segment is withheld too
    assert contact.loc["Large accounts", "n_shown"] == "withheld"
    assert np.isnan(contact.loc["Large accounts", "mean"])
    assert contact.loc["Residential", "n"] == 16 and not contact.loc["Residential", "suppressed"]


def test_agreement_where_filter_and_its_complement(levels):
    data = levels.copy()
    data.loc[data["respondent"].isin(["customer-res-01", "customer-res-02"]), "segment"] = "Gov"
    everyone_but_gov = ["Residential", "Small business", "Large accounts", "Partners",
                        "Leadership team"]
    # The filter leaves out the 2 Gov customers, who share a block with Large accounts:
    # the customers' filtered figure would cut that block (unfiltered minus filtered would
    # describe them), so it is withheld; leaders and partners are whole and shown.
    res = agreement(data, where={"segment": everyone_but_gov})
    cust = res[res["rater_group"] == "customer"]
    assert cust["suppressed"].all() and cust["rwg"].isna().all()
    assert set(cust["n_shown"]) == {"withheld"}
    assert not res[res["rater_group"] != "customer"]["suppressed"].any()
    res = agreement(data, where={"segment": "Residential"})  # leaves out many: fine
    assert not res["suppressed"].any() and set(res["n"]) == {16}


# -- discussion agenda -------------------------------------------------------------------------
def test_discussion_agenda_ranks_leaders_disagreement(levels):
    inst = load_instrument("focus-levels")
    res = discussion_agenda(levels)
    assert list(res.columns) == AGENDA_COLUMNS
    assert list(res["rank"]) == list(range(1, 9))
    assert list(res["item"][:2]) == ["data", "budgets"]
    assert res["sd"].is_monotonic_decreasing
    top = res.set_index("item")
    assert top.loc["data", "spread"] == "1×4 · 4×4"
    assert top.loc["budgets", "spread"] == "2×4 · 4×4"
    assert (top.loc["data", "low"], top.loc["data", "high"]) == (1, 4)
    assert (top[[f"n_{v}" for v in range(1, 6)]].sum(axis=1) == top["n"]).all()
    for item in ("data", "budgets"):
        levels_text = inst.item(item).levels
        # 2 and 4 are half way between anchors: each end takes the outer one
        assert (top.loc[item, "low_label"], top.loc[item, "high_label"]) == ("Casual", "Intense")
        assert top.loc[item, "low_descriptor"] == levels_text["casual"]
        assert top.loc[item, "high_descriptor"] == levels_text["intense"]
        assert top.loc[item, "prompt"] == inst.item(item).prompt
    assert top.loc["contact", "low_label"] == "Moderate"  # lowest chosen is 3, an anchor
    assert list(discussion_agenda(levels, top=3)["item"]) == list(res["item"][:3])


def test_discussion_agenda_ties_go_to_the_wider_range(levels):
    # same variance (15/14) on both items; budgets spans 3 levels, data 2
    data = levels.copy()
    leaders = data.index[data["rater_group"] == "self"]
    for item, vals in (("data", [1, 1, 1, 1, 1, 3, 3, 3]), ("budgets", [1, 1, 1, 1, 2, 2, 2, 4])):
        data.loc[leaders[data.loc[leaders, "item"] == item], "value"] = vals
    res = discussion_agenda(data)
    assert list(res["item"][:2]) == ["budgets", "data"]
    assert res.at[0, "sd"] == pytest.approx(res.at[1, "sd"])


def test_discussion_agenda_small_group_withheld_whole(levels):
    res = discussion_agenda(levels, min_group=20)
    assert len(res) == 8 and res["suppressed"].all()
    assert res["rank"].isna().all() and res["n"].isna().all()
    # nothing that reveals an answer: figures, spread, ends, descriptors
    for col in ["sd", "range", "rwg", "low", "high", "spread", "n_1", "low_label",
                "high_label", "low_descriptor", "high_descriptor"]:
        assert res[col].isna().all(), col
    assert set(res["n_shown"]) == {"< 20"}
    # instrument order, not disagreement order, so the order leaks nothing either
    assert list(res["item"]) == [i.id for i in load_instrument("focus-levels").items]


def test_discussion_agenda_withholds_a_thinly_answered_item(levels):
    data = levels.copy()
    drop = data.index[(data["rater_group"] == "self") & (data["item"] == "data")][:6]
    res = discussion_agenda(data.drop(drop))  # only 2 leaders rated data
    assert list(res["rank"][:7]) == list(range(1, 8))
    last = res.iloc[-1]
    assert last["item"] == "data" and last["suppressed"] and pd.isna(last["rank"])
    assert pd.isna(last["spread"]) and last["n_shown"] == "< 5"


# -- bad input ---------------------------------------------------------------------------------
@pytest.mark.parametrize("call, message", [
    (lambda: rwg([1, 2, 3]), "pass scale_points"),
    (lambda: rwg([1, 2, 3], 1), "at least 2"),
    (lambda: rwg([1, 2, 3], True), "at least 2"),
    (lambda: rwg("12345", 5), "array of numeric ratings"),
    (lambda: rwg(["3", "4"], 5), "not text"),
    (lambda: rwg(np.array(["a", 4], dtype=object), 5), "numbers only"),
    (lambda: rwg([[1, 2], [3, 4]], 5), "use rwg_j"),
    (lambda: rwg([1, 9], 5), "wider than a 5-point scale"),
    (lambda: rwg_j([1, 2, 3], 5), "2-D"),
    (lambda: icc([1, 2], "t", "r", "x"), "long DataFrame"),
    (lambda: cronbach_alpha([[1, 2], [3, 4]]), "takes a DataFrame"),
])
def test_bad_values(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_bad_frames(levels):
    with pytest.raises(ValueError, match="lacks column"):
        rwg(levels.drop(columns="submission"))
    with pytest.raises(ValueError, match="cannot group by 'item'"):
        rwg(levels, by="item")
    with pytest.raises(ValueError, match="cannot group by 'department'"):
        agreement(levels, by="department")
    with pytest.raises(ValueError, match="has no facet 'say'"):
        agreement(levels, facet="say")
    with pytest.raises(ValueError, match="rater group 'board'.*customer, partner, self"):
        discussion_agenda(levels, group="board")
    with pytest.raises(ValueError, match="top must be"):
        discussion_agenda(levels, top=0)
    with pytest.raises(ValueError, match="min_group"):
        agreement(levels, min_group=0)
    with pytest.raises(ValueError, match="cannot filter on 'region'"):
        agreement(levels, where={"region": "North"})


def test_choice_facet_refused(store):
    with pytest.raises(ValueError, match="choice between categories.*applies"):
        agreement(store.responses("demo-blocks"), facet="root_cause")


def test_bad_icc_designs():
    long = long_frame(SF_RATINGS)
    with pytest.raises(ValueError, match="raters='judge' is not a column"):
        icc(long, "target", "judge", "rating")
    with pytest.raises(ValueError, match="pd.to_numeric"):
        icc(long.astype({"rating": str}), "target", "rater", "rating")
    with pytest.raises(ValueError, match="unbalanced design: 1 of 6 targets.*isin"):
        icc(long.drop(index=3), "target", "rater", "rating")
    with pytest.raises(ValueError, match="more than once.*groupby"):
        icc(pd.concat([long, long.iloc[:1]]), "target", "rater", "rating")
    with pytest.raises(ValueError, match="1 rating\\(s\\) are missing"):
        icc(long.assign(rating=long["rating"].mask(long.index == 0)), "target", "rater", "rating")
    with pytest.raises(ValueError, match="at least 2 targets"):
        icc(long[long["target"] == 0], "target", "rater", "rating")
    with pytest.raises(ValueError, match="confidence"):
        icc(long, "target", "rater", "rating", confidence=95)


def test_bad_cronbach_input():
    wide = pd.DataFrame({"q1": [1, 2, 3], "q2": [2, 3, 3], "who": ["a", "b", "c"]})
    with pytest.raises(ValueError, match=r"\['who'\] are not numeric"):
        cronbach_alpha(wide)
    with pytest.raises(ValueError, match="at least 2 items"):
        cronbach_alpha(wide[["q1"]])
    with pytest.raises(ValueError, match="scores, subject missing"):
        cronbach_alpha(wide, items="q1")
    with pytest.raises(ValueError, match="at least 2 respondents who answered every item"):
        cronbach_alpha(pd.DataFrame({"q1": [1, 2, np.nan], "q2": [2, np.nan, 3]}))
