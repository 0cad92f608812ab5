"""Did it work: the difference-in-differences of an action's dimension against the dimensions
without one, held against scipy (Welch's test on each person's difference) to 3 decimals."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from focuskit.analysis import action_effects
from focuskit.analysis.effects import EFFECT_VERDICTS, EXPLAINED
from focuskit.instruments import load_instrument

INST = load_instrument("focus-levels")
SECTIONS = {i.id: i.section for i in INST.items}
T0 = pd.Timestamp("2025-01-06 09:00", tz="UTC")
COLUMNS = ["campaign", "submission", "respondent", "rater_group", "segment", "section", "item",
           "facet", "value", "comment", "submitted_at"]


def wave(campaign, people, k=3, group="self"):
    """people: a list of {item: value}, one dict per respondent."""
    rows = []
    for sid, person in enumerate(people, start=1):
        for item, v in person.items():
            rows.append(dict(campaign=campaign, submission=sid, respondent=f"{campaign}-{sid}",
                             rater_group=group, segment=None, section=SECTIONS[item],
                             item=item, facet="level", value=float(v), comment=None,
                             submitted_at=T0))
    df = pd.DataFrame(rows, columns=COLUMNS)
    df.attrs.update(campaign=campaign, instrument="focus-levels", min_group_size=k)
    return df


def act(id_, campaign="w1", item=None, section=None, title="Do better"):
    return dict(id=id_, title=title, campaign=campaign, item=item, section=section)


def people(rng, n, data_shift=0.0, others=("contact", "training", "budgets")):
    out = []
    for _ in range(n):
        base = rng.integers(1, 4)
        p = {o: int(np.clip(base + rng.integers(-1, 2), 1, 5)) for o in others}
        p["data"] = int(np.clip(round(base + data_shift + rng.integers(-1, 2)), 1, 5))
        out.append(p)
    return out


def diffs(ppl, item="data", others=("contact", "training", "budgets")):
    return np.array([p[item] - np.mean([p[o] for o in others]) for p in ppl])


def welch(before, after, level=0.95):
    res = stats.ttest_ind(after, before, equal_var=False)
    ci = res.confidence_interval(level)
    return np.mean(after) - np.mean(before), ci.low, ci.high


def test_an_action_that_worked_matches_scipy():
    rng = np.random.default_rng(1)
    w1, w2 = people(rng, 12), people(rng, 12, data_shift=1.5)
    out = action_effects([wave("w1", w1), wave("w2", w2)], [act(7, item="data")])
    assert list(out.columns) == ["action", "title", "campaign", "item", "section", "facet",
                                 "before", "after", "n_before", "n_after", "change",
                                 "change_low", "change_high", "others_change", "effect",
                                 "effect_low", "effect_high", "detectable", "verdict",
                                 "released", "why"]
    r = out.iloc[0]
    before = [p["data"] for p in w1]
    after = [p["data"] for p in w2]
    assert (r["before"], r["after"], r["n_before"], r["n_after"]) == pytest.approx(
        (np.mean(before), np.mean(after), 12, 12), abs=1e-3)
    assert (r["change"], r["change_low"], r["change_high"]) == pytest.approx(
        welch(before, after), abs=1e-3)
    assert (r["effect"], r["effect_low"], r["effect_high"]) == pytest.approx(
        welch(diffs(w1), diffs(w2)), abs=1e-3)
    others = [np.mean([p[o] for o in ("contact", "training", "budgets")]) for p in w2]
    others0 = [np.mean([p[o] for o in ("contact", "training", "budgets")]) for p in w1]
    assert r["others_change"] == pytest.approx(np.mean(others) - np.mean(others0), abs=1e-3)
    assert r["verdict"] == "worked" and r["released"] and r["why"] == ""
    assert r["action"] == 7 and r["campaign"] == "w1" and r["facet"] == "level"


def test_an_action_that_did_not_work_on_large_waves():
    rng = np.random.default_rng(2)
    w1, w2 = people(rng, 80), people(rng, 80)
    r = action_effects([wave("w1", w1), wave("w2", w2)], [act(1, item="data")]).iloc[0]
    assert (r["effect"], r["effect_low"], r["effect_high"]) == pytest.approx(
        welch(diffs(w1), diffs(w2)), abs=1e-3)
    assert r["effect_high"] < 0.5 and r["verdict"] == "did not work"


def test_small_waves_cannot_tell_and_say_why():
    w1 = [{"data": 1, "contact": 3, "training": 2}, {"data": 4, "contact": 2, "training": 2},
          {"data": 2, "contact": 4, "training": 3}]
    w2 = [{"data": 3, "contact": 3, "training": 2}, {"data": 1, "contact": 2, "training": 4},
          {"data": 4, "contact": 3, "training": 3}]
    r = action_effects([wave("w1", w1), wave("w2", w2)], [act(1, item="data")]).iloc[0]
    assert r["effect_low"] < 0 < 0.5 < r["effect_high"]
    assert (r["effect"], r["effect_low"], r["effect_high"]) == pytest.approx(
        welch(diffs(w1, others=("contact", "training")),
              diffs(w2, others=("contact", "training"))), abs=1e-3)
    assert r["verdict"] == "cannot tell" and "cannot tell an effect of 0.5" in r["why"]
    assert math.isfinite(r["detectable"]) and f"{r['detectable']:.2f}" in r["why"]


def test_equal_waves_show_no_effect():
    rng = np.random.default_rng(3)
    w = people(rng, 30)
    r = action_effects([wave("w1", w), wave("w2", w)], [act(1, item="data")]).iloc[0]
    assert r["effect"] == 0 and r["change"] == 0 and r["others_change"] == 0
    assert (r["effect_low"], r["effect_high"]) == pytest.approx(
        welch(diffs(w), diffs(w))[1:], abs=1e-3)


def test_a_section_action_scores_each_person_by_their_mean():
    # data and contact share a section; the others are items of other sections
    rng = np.random.default_rng(4)
    assert SECTIONS["data"] == SECTIONS["contact"] != SECTIONS["training"]
    w1, w2 = people(rng, 10), people(rng, 10, data_shift=1.0)
    out = action_effects([wave("w1", w1), wave("w2", w2)],
                         [act(1, section=SECTIONS["data"])])
    r = out.iloc[0]
    others = [o for o in ("training", "budgets") if SECTIONS[o] != SECTIONS["data"]]

    def d(ppl):
        return np.array([np.mean([p["data"], p["contact"]]) - np.mean([p[o] for o in others])
                         for p in ppl])
    assert (r["effect"], r["effect_low"], r["effect_high"]) == pytest.approx(
        welch(d(w1), d(w2)), abs=1e-3)
    assert r["before"] == pytest.approx(np.mean([np.mean([p["data"], p["contact"]])
                                                 for p in w1]), abs=1e-3)


def test_other_actions_items_are_not_the_comparison():
    rng = np.random.default_rng(5)
    w1, w2 = people(rng, 12), people(rng, 12, data_shift=1.0)
    out = action_effects([wave("w1", w1), wave("w2", w2)],
                         [act(1, item="data"), act(2, item="contact")])
    r = out.iloc[0]
    assert r["effect"] == pytest.approx(
        welch(diffs(w1, others=("training", "budgets")),
              diffs(w2, others=("training", "budgets")))[0], abs=1e-3)


def test_the_verdicts_that_cannot_be_given():
    rng = np.random.default_rng(6)
    w1, w2 = people(rng, 6), people(rng, 6)
    waves = [wave("w1", w1), wave("w2", w2)]
    out = action_effects(waves, [act(1, item="data"), act(2), act(3, campaign="w2",
                                                                  item="data")])
    assert set(out["verdict"]) <= set(EFFECT_VERDICTS)
    assert out.loc[1, "verdict"] == "cannot tell" and "not linked" in out.loc[1, "why"]
    assert out.loc[2, "verdict"] == "no later wave yet" and out.loc[2, "before"] == \
        pytest.approx(np.mean([p["data"] for p in w2]))
    assert math.isnan(out.loc[2, "after"])
    # every item has an action: nothing to compare with
    every = [act(n, item=i.id) for n, i in enumerate(INST.items)]
    r = action_effects(waves, every).set_index("item").loc["data"]
    assert r["verdict"] == "cannot tell" and "nothing unacted" in r["why"]
    assert not math.isnan(r["change"])


def test_a_withheld_wave_and_a_moved_headcount_show_no_effect():
    rng = np.random.default_rng(7)
    r = action_effects([wave("w1", people(rng, 2)), wave("w2", people(rng, 6))],
                       [act(1, item="data")]).iloc[0]
    assert r["verdict"] == "cannot tell" and r["why"] == "before: fewer than 3 answered"
    assert math.isnan(r["before"]) and pd.isna(r["n_before"]) and not r["released"]
    r = action_effects([wave("w1", people(rng, 6)), wave("w2", people(rng, 7))],
                       [act(1, item="data")]).iloc[0]
    assert r["released"] and math.isnan(r["change"]) and math.isnan(r["effect"])
    assert "joined or left" in r["why"]


def test_bad_input_is_refused_with_a_reason():
    waves = [wave("w1", [{"data": 3}] * 3), wave("w2", [{"data": 3}] * 3)]
    with pytest.raises(ValueError, match="not one of these waves"):
        action_effects(waves, [act(1, campaign="elsewhere", item="data")])
    with pytest.raises(ValueError, match="does not ask"):
        action_effects(waves, [act(1, item="nonsense")])
    with pytest.raises(ValueError, match="list of dicts"):
        action_effects(waves, act(1, item="data"))


def test_say_do_actions_are_judged_on_practice():
    from focuskit.analysis.effects import acted_facet

    assert acted_facet(load_instrument("say-do")) == "do"
    assert acted_facet(load_instrument("expectations")) == "performance"
    assert acted_facet(INST) == "level"


def test_the_explanation_is_one_sentence_in_the_docstring():
    assert EXPLAINED.count(". ") == 0 and EXPLAINED.endswith(".")
    assert " ".join(EXPLAINED.split()) in " ".join(action_effects.__doc__.split())


def test_actions_from_a_real_store(store):
    rng = np.random.default_rng(8)
    frames = []
    for n, shift in ((1, 0.0), (2, 1.5)):
        store.create_campaign(f"fl{n}", f"Wave {n}", "focus-levels", rater_groups=["self"],
                              min_group_size=3)
        subs = []
        for p in range(8):
            base = int(rng.integers(1, 4))
            ans = {i.id: {"level": int(np.clip(base + rng.integers(-1, 2), 1, 5))}
                   for i in INST.items}
            ans["data"]["level"] = int(np.clip(round(base + shift), 1, 5))
            subs.append(dict(answers=ans, rater_group="self", respondent=f"r{n}-{p}"))
        store.submit_many(f"fl{n}", subs)
        frames.append(store.responses(f"fl{n}"))
    store.add_action("fl1", "Share customer data", item="data")
    out = action_effects(frames, store.actions("fl1"))
    r = out.iloc[0]
    assert r["title"] == "Share customer data" and r["verdict"] == "worked"
    others = [i.id for i in INST.items if i.id != "data"]

    def d(f):
        wide = f.pivot_table(index="submission", columns="item", values="value")
        return (wide["data"] - wide[others].mean(axis=1)).to_numpy()
    assert r["effect_low"] == pytest.approx(welch(d(frames[0]), d(frames[1]))[1], abs=1e-3)


def test_every_column_is_in_the_glossary():
    from test_vocabulary import fits, glossary, kind_of

    words = glossary()
    rng = np.random.default_rng(9)
    out = action_effects([wave("w1", people(rng, 6)), wave("w2", people(rng, 6))],
                         [act(1, item="data"), act(2)])
    for col in out.columns:
        kind = kind_of(col, words)
        assert kind is not None, col
        assert fits(out[col], kind), (col, out[col].dtype, kind)


def test_an_effect_over_only_those_who_answered_every_item_is_withheld():
    # Beside the items' own figures, an effect over the people who answered both would give
    # away the sum of those who skipped one (found by the two-wave property test).
    rng = np.random.default_rng(10)
    w1, w2 = people(rng, 8), people(rng, 8, data_shift=1.5)
    for p in w2[:2]:
        del p["budgets"]
    r = action_effects([wave("w1", w1), wave("w2", w2)], [act(1, item="data")]).iloc[0]
    assert math.isnan(r["effect"]) and r["verdict"] == "cannot tell"
    assert "not everyone answered every item it combines" in r["why"]
    assert not math.isnan(r["change"])  # the item's own change is still shown
