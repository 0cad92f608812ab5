"""Trend between waves, held against scipy (Welch's test and its interval, the t interval of
a mean) and pingouin (the detectable change), to 3 decimals, on hand-built waves; undefined
cases give a flagged row, never a silent NaN in a verdict."""

import math
import warnings

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from scipy import stats

from focuskit.analysis import trend
from focuskit.analysis.trend import VERDICTS, change_between, detectable_change
from focuskit.instruments import load_instrument

T0 = pd.Timestamp("2025-01-06 09:00", tz="UTC")
SECTIONS = {i.id: i.section for i in load_instrument("focus-levels").items}


def wave(campaign, people, *, k=3, start=0, at=T0):
    """people: {rater_group: [{item: value, ...}, ...]}, each dict one respondent."""
    rows, sid = [], start
    for group, answers in people.items():
        for person in answers:
            sid += 1
            for item, v in person.items():
                rows.append(dict(campaign=campaign, submission=sid, respondent=f"{campaign}-{sid}",
                                 rater_group=group, segment=None, section=SECTIONS[item],
                                 item=item, facet="level", value=float(v), comment=None,
                                 submitted_at=at))
    cols = ["campaign", "submission", "respondent", "rater_group", "segment", "section", "item",
            "facet", "value", "comment", "submitted_at"]
    df = pd.DataFrame(rows, columns=cols)
    df.attrs.update(campaign=campaign, instrument="focus-levels", min_group_size=k)
    return df


def values(vs, item="data"):
    return [{item: v} for v in vs]


def row(out, wave_no, group="customer", item="data"):
    sel = out[(out["wave"] == wave_no) & (out["rater_group"] == group) & (out["item"] == item)]
    assert len(sel) == 1
    return sel.iloc[0]


def scipy_change(before, after, level=0.95):
    res = stats.ttest_ind(after, before, equal_var=False)
    ci = res.confidence_interval(level)
    return np.mean(after) - np.mean(before), ci.low, ci.high


def test_each_wave_and_the_change_match_scipy():
    a = [2, 3, 2, 1, 3, 2, 2]
    b = [3, 4, 3, 3, 5, 4, 3, 4, 4, 2]  # 7 then 10: the count moved by k or more
    out = trend([wave("w1", {"customer": values(a)}), wave("w2", {"customer": values(b)})])
    assert list(out.columns) == ["wave", "campaign", "rater_group", "item", "facet", "n", "mean",
                                 "sd", "ci_low", "ci_high", "band", "change", "change_low",
                                 "change_high", "detectable", "verdict", "released", "why"]
    first, second = row(out, 1), row(out, 2)
    for r, x in ((first, a), (second, b)):
        lo, hi = stats.t.interval(0.95, len(x) - 1, loc=np.mean(x), scale=stats.sem(x))
        assert r["n"] == len(x) and r["released"]
        assert (r["mean"], r["ci_low"], r["ci_high"]) == pytest.approx((np.mean(x), lo, hi),
                                                                       abs=1e-3)
    assert first["verdict"] == "first wave" and math.isnan(first["change"])
    assert (second["change"], second["change_low"], second["change_high"]) == pytest.approx(
        scipy_change(a, b), abs=1e-3)
    assert second["verdict"] == "improved" and second["why"] == ""
    assert (first["campaign"], second["campaign"]) == ("w1", "w2")


def test_a_decline_and_a_90_percent_interval():
    a = [4, 5, 4, 3, 5, 4]
    b = [3, 3, 4, 2, 3, 3]
    out = trend([wave("w1", {"customer": values(a)}), wave("w2", {"customer": values(b)})],
                level=0.90)
    r = row(out, 2)
    assert (r["change"], r["change_low"], r["change_high"]) == pytest.approx(
        scipy_change(a, b, 0.90), abs=1e-3)
    assert r["verdict"] == "declined"


def test_the_detectable_change_has_80_percent_power():
    a, b = [2, 3, 2, 1, 3, 2, 2], [3, 4, 3, 3, 5, 4, 3, 4, 2, 1]
    r = row(trend([wave("w1", {"customer": values(a)}), wave("w2", {"customer": values(b)})]), 2)
    n1, n2 = len(a), len(b)
    sp = math.sqrt(((n1 - 1) * np.var(a, ddof=1) + (n2 - 1) * np.var(b, ddof=1)) / (n1 + n2 - 2))
    d = pg.power_ttest2n(nx=n1, ny=n2, power=0.8, alpha=0.05)  # Cohen's d at 80% power
    assert r["detectable"] == pytest.approx(d * sp, abs=1e-3)
    # and the power at that change, from the noncentral t directly, is 80%
    df = n1 + n2 - 2
    ncp = r["detectable"] / (sp * math.sqrt(1 / n1 + 1 / n2))
    crit = stats.t.ppf(0.975, df)
    assert stats.nct.sf(crit, df, ncp) + stats.nct.cdf(-crit, df, ncp) == pytest.approx(0.8,
                                                                                      abs=1e-4)


def test_two_equal_waves_show_no_clear_change():
    a = [2, 3, 4, 3, 3, 5]
    r = row(trend([wave("w1", {"customer": values(a)}), wave("w2", {"customer": values(a)})]), 2)
    assert (r["change"], r["change_low"], r["change_high"]) == pytest.approx(
        scipy_change(a, a), abs=1e-3)
    assert r["change"] == 0 and r["verdict"] == "no clear change"


def test_one_answer_gives_a_flagged_row_not_a_nan_verdict():
    # scipy gives NaN for a sample of one; we say why, and call it "cannot tell".
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert math.isnan(stats.ttest_ind([3.0], [2.0, 4.0, 3.0], equal_var=False).pvalue)
    change, low, high, why = change_between(3.0, math.nan, 1, 3.0, 1.0, 3)
    assert change == 0 and math.isnan(low) and math.isnan(high)
    assert "only one answer" in why
    assert math.isnan(detectable_change(math.nan, 1, 1.0, 3))
    # In a campaign one answer is always below the minimum group, so it is withheld first.
    out = trend([wave("w1", {"customer": values([3])}),
                 wave("w2", {"customer": values([2, 4, 3, 3, 4])})])
    first, second = row(out, 1), row(out, 2)
    assert not first["released"] and pd.isna(first["n"]) and math.isnan(first["mean"])
    assert first["why"] == "in wave 1, fewer than 3 answered"
    assert second["verdict"] == "cannot tell" and math.isnan(second["change"])
    assert second["why"] == "no change shown: in wave 1, fewer than 3 answered"
    assert second["released"] and second["n"] == 5


def test_no_spread_in_either_wave_cannot_tell():
    out = trend([wave("w1", {"customer": values([3] * 5)}),
                 wave("w2", {"customer": values([4] * 5)})])
    r = row(out, 2)
    assert r["change"] == 1 and math.isnan(r["change_low"]) and math.isnan(r["detectable"])
    assert r["verdict"] == "cannot tell" and "same answer" in r["why"]
    # spread in one wave only is enough for Welch's interval
    b = [4, 4, 5, 4, 3]
    r = row(trend([wave("w1", {"customer": values([3] * 5)}),
                   wave("w2", {"customer": values(b)})]), 2)
    assert (r["change"], r["change_low"], r["change_high"]) == pytest.approx(
        scipy_change([3] * 5, b), abs=1e-3)


def test_a_wave_without_answers():
    out = trend([wave("w1", {"customer": values([2, 3, 4])}), wave("w2", {})])
    assert row(out, 1)["released"]
    r = row(out, 2)
    assert r["verdict"] == "cannot tell" and r["why"] == "no answers in wave 2"
    assert not r["released"] and pd.isna(r["n"])
    assert set(out["verdict"]) <= set(VERDICTS) and out["verdict"].notna().all()


def test_only_one_wave():
    out = trend([wave("w1", {"customer": values([2, 3, 4])})])
    assert out["verdict"].tolist() == ["first wave"]


def test_three_waves_compare_each_with_the_one_before():
    a, b, c = [1, 2, 2, 3], [2, 3, 3, 3], [4, 4, 5, 3]
    out = trend([wave("w1", {"customer": values(a)}), wave("w2", {"customer": values(b)}),
                 wave("w3", {"customer": values(c)})])
    assert row(out, 3)["change"] == pytest.approx(scipy_change(b, c)[0], abs=1e-3)
    assert row(out, 3)["change_low"] == pytest.approx(scipy_change(b, c)[1], abs=1e-3)


def test_by_section_scores_each_respondent_by_their_mean():
    w1 = [{"data": 2, "contact": 3}, {"data": 1, "contact": 2}, {"data": 3, "contact": 3},
          {"data": 2, "contact": 1}]
    w2 = [{"data": 3, "contact": 4}, {"data": 4, "contact": 4}, {"data": 3, "contact": 2},
          {"data": 5, "contact": 4}]
    assert SECTIONS["data"] == SECTIONS["contact"]
    out = trend([wave("w1", {"self": w1}), wave("w2", {"self": w2})], by="section")
    sec = out[(out["section"] == SECTIONS["data"]) & (out["wave"] == 2)].iloc[0]
    before = [np.mean(list(p.values())) for p in w1]
    after = [np.mean(list(p.values())) for p in w2]
    assert (sec["change"], sec["change_low"], sec["change_high"]) == pytest.approx(
        scipy_change(before, after), abs=1e-3)
    assert "item" not in out.columns


def test_groups_are_kept_apart_and_ordered():
    out = trend([wave("w1", {"self": values([2, 2, 3]), "customer": values([3, 4, 3])}),
                 wave("w2", {"self": values([3, 2, 3]), "customer": values([4, 4, 3])})])
    assert out["rater_group"].tolist() == ["self", "self", "customer", "customer"]
    assert row(out, 2, "self")["change"] == pytest.approx(1 / 3)


def test_the_waves_must_answer_the_same_instrument():
    other = wave("w2", {"customer": values([2, 3, 4])})
    other.attrs["instrument"] = "say-do"
    with pytest.raises(ValueError, match="same instrument"):
        trend([wave("w1", {"customer": values([2, 3, 4])}), other])
    with pytest.raises(ValueError, match="list"):
        trend(wave("w1", {"customer": values([2, 3, 4])}))
    with pytest.raises(ValueError, match="section"):
        trend([wave("w1", {"customer": values([2, 3, 4])})], by="segment")


def test_two_stored_waves_with_two_facets(store):
    # A real store: Say-Do asks two facets of every statement.
    inst = load_instrument("say-do")
    rng = np.random.default_rng(7)
    frames = []
    for n, shift in ((1, 0), (2, 1)):
        store.create_campaign(f"sd{n}", f"Wave {n}", "say-do", rater_groups=["self"],
                              min_group_size=3)
        subs = [dict(answers={i.id: {f: int(np.clip(rng.integers(1, 5) + shift * (f == "do"),
                                                    1, 5)) for f in i.facets}
                              for i in inst.items},
                     rater_group="self", respondent=f"r{n}-{p}") for p in range(6)]
        store.submit_many(f"sd{n}", subs)
        frames.append(store.responses(f"sd{n}"))
    out = trend(frames, by="section")
    assert set(out["facet"]) == {"say", "do"}
    assert len(out) == 2 * 2 * len(inst.sections)
    for _, r in out[out["wave"] == 2].iterrows():
        scores = []
        for f in frames:
            sel = f[(f["section"] == r["section"]) & (f["facet"] == r["facet"])]
            scores.append(sel.groupby("submission")["value"].mean().to_numpy())
        assert r["change_low"] == pytest.approx(scipy_change(*scores)[1], abs=1e-3)
    assert out.attrs["instrument"].id == "say-do"


def test_every_column_is_in_the_glossary():
    from test_vocabulary import fits, glossary, kind_of

    words = glossary()
    out = trend([wave("w1", {"customer": values([2, 3, 4])}),
                 wave("w2", {"customer": values([1])})])
    for col in out.columns:
        kind = kind_of(col, words)
        assert kind is not None, col
        assert fits(out[col], kind), (col, out[col].dtype, kind)


def test_a_wave_chain_from_the_store(store):
    store.create_campaign("team", "Where we stand", "focus-levels", rater_groups=["self"],
                          min_group_size=3)
    inst = store.campaign("team").instrument
    store.create_wave("team", title="Where we stand, a year on")
    for c, values in zip(store.waves("team"), ([2, 2, 3, 1], [4, 3, 4, 4]), strict=True):
        store.submit_many(c.id, [dict(answers={i.id: {"level": v} for i in inst.items},
                                      rater_group="self", respondent=f"{c.id}-{n}")
                                 for n, v in enumerate(values)])
    frames = [store.responses(c.id) for c in store.waves("team")]
    out = trend(frames)
    later = out[out["wave"] == 2]
    assert set(later["campaign"]) == {store.waves("team")[1].id}
    assert (later["verdict"] == "improved").all()
    assert later["change_low"].iloc[0] == pytest.approx(
        scipy_change([2, 2, 3, 1], [4, 3, 4, 4])[1], abs=1e-3)
    with pytest.raises(ValueError, match="oldest first"):
        trend(frames[::-1])


def test_frames_without_their_instrument_name_it():
    bare = [wave("w1", {"customer": values([2, 3, 4])}), wave("w2", {"customer": values([3, 4, 4])})]
    for w in bare:
        del w.attrs["instrument"]
    with pytest.raises(ValueError, match="instrument="):
        trend(bare)
    out = trend(bare, instrument="focus-levels")
    assert out.loc[1, "change"] == pytest.approx(2 / 3)
