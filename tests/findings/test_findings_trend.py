"""Findings of the trend and of "did it work": plain sentences whose figures are the
analysis' figures as printed, and details that give the interval, the counts and the
detectable change."""

import math

import numpy as np
import pandas as pd
import pytest

from focuskit.analysis import action_effects, trend
from focuskit.analysis.effects import EXPLAINED
from focuskit.findings.model import Finding
from focuskit.findings.trend import action_findings, trend_findings
from focuskit.instruments import load_instrument

INST = load_instrument("focus-levels")
SECTIONS = {i.id: i.section for i in INST.items}
T0 = pd.Timestamp("2025-01-06 09:00", tz="UTC")
COLUMNS = ["campaign", "submission", "respondent", "rater_group", "segment", "section", "item",
           "facet", "value", "comment", "submitted_at"]


def wave(campaign, people, k=3):
    """people: {group: [{item: value}, ...]}."""
    rows, sid = [], 0
    for group, persons in people.items():
        for person in persons:
            sid += 1
            for item, v in person.items():
                rows.append(dict(campaign=campaign, submission=sid, respondent=f"{campaign}{sid}",
                                 rater_group=group, segment=None, section=SECTIONS[item],
                                 item=item, facet="level", value=float(v), comment=None,
                                 submitted_at=T0))
    df = pd.DataFrame(rows, columns=COLUMNS)
    df.attrs.update(campaign=campaign, instrument="focus-levels", min_group_size=k)
    return df


def both(data, contact):
    return [{"data": d, "contact": c} for d, c in zip(data, contact, strict=True)]


@pytest.fixture(scope="module")
def waves():
    w1 = wave("w1", {"customer": both([2, 2, 1, 3, 2, 2], [3, 4, 3, 3, 4, 3]),
                     "self": both([3, 3, 4, 3], [3, 3, 2, 4])})
    w2 = wave("w2", {"customer": both([4, 3, 3, 4, 3, 4], [2, 2, 1, 2, 2, 1]),
                     "self": both([3, 4, 3], [3, 2, 3])})  # one of our people left
    return [w1, w2]


def test_clear_changes_in_plain_words_largest_first(waves):
    t = trend(waves)
    got = trend_findings(t, INST, since="a year ago")
    assert all(isinstance(f, Finding) for f in got)
    changes = [f for f in got if f.kind == "trend"]
    assert [f.sentence for f in changes] == [
        "Customers rate Contact lower than a year ago: 3.3 → 1.7.",
        "Customers rate Data higher than a year ago: 2.0 → 3.5.",
    ]
    row = t[(t["wave"] == 2) & (t["rater_group"] == "customer") & (t["item"] == "data")].iloc[0]
    data = changes[1]
    assert data.numbers["before"] == 2.0 and data.numbers["after"] == 3.5
    assert data.numbers["change"] == round(row["change"], 1) and data.item == "data"
    assert f"95% interval +{row['change_low']:.2f} to +{row['change_high']:.2f}" in data.details
    assert "n = 6 then 6" in data.details
    assert f"detect a change of {row['detectable']:.2f}" in data.details


def test_the_summary_and_the_changes_not_shown(waves):
    got = trend_findings(trend(waves), INST)
    summary = next(f for f in got if f.kind == "trend-summary")
    assert summary.sentence == ("Since the last wave: 1 improved, 1 declined, 0 show no clear "
                                "change and 2 cannot be told (of 4 figures).")
    assert summary.card and summary.value == "1 up, 1 down"
    notes = [f for f in got if f.kind == "trend-withheld"]
    assert [f.sentence for f in notes] == [
        "Some changes are not shown (our own people): too few people joined or left a group "
        "since the last wave for its change to be shown without pointing at them."]
    assert not any(ch.isdigit() for ch in notes[0].sentence)


def test_sections_are_named_from_the_instrument(waves):
    up = wave("w2", {"customer": both([4, 3, 3, 4, 3, 4], [4, 4, 4, 4, 4, 4])})
    t = trend([waves[0], up], by="section")
    got = trend_findings(t, INST)
    assert got[0].sentence == ("Customers rate Information and contact higher than at the "
                               "last wave: 2.7 → 3.8.")
    assert got[0].item is None and got[0].numbers["section"] == "information"
    # the instrument may come from the frame's attrs
    assert trend_findings(t, None)[0].sentence == got[0].sentence


def test_one_wave_says_so():
    got = trend_findings(trend([wave("w1", {"customer": both([2, 3, 4], [3, 3, 3])})]), INST)
    assert [f.kind for f in got] == ["trend-none"] and "Only one wave" in got[0].sentence


def test_a_facet_is_named_where_the_instrument_asks_several():
    inst = load_instrument("say-do")
    item = inst.items[0]
    frames = []
    for n, vals in ((1, [1, 2, 1, 2, 1]), (2, [4, 5, 4, 5, 4])):
        rows = [dict(campaign=f"s{n}", submission=s, respondent=f"r{n}{s}",
                     rater_group="self", segment=None, section=item.section, item=item.id,
                     facet=f, value=float(v), comment=None, submitted_at=T0)
                for s, v in enumerate(vals, start=1) for f in ("say", "do")]
        df = pd.DataFrame(rows, columns=COLUMNS)
        df.attrs.update(campaign=f"s{n}", instrument="say-do", min_group_size=3)
        frames.append(df)
    got = [f.sentence for f in trend_findings(trend(frames), inst) if f.kind == "trend"]
    assert f"Our own people rate {item.id.replace('_', ' ').capitalize()} (Do) higher " \
           "than at the last wave: 1.4 → 4.4." in got


def _people(rng, n, shift=0.0):
    out = []
    for _ in range(n):
        base = int(rng.integers(1, 4))
        p = {o: int(np.clip(base + rng.integers(-1, 2), 1, 5)) for o in ("contact", "budgets")}
        p["data"] = int(np.clip(round(base + shift + rng.integers(-1, 2)), 1, 5))
        out.append(p)
    return out


def test_did_it_work_in_plain_words():
    rng = np.random.default_rng(11)
    w1, w2 = _people(rng, 40), _people(rng, 40, shift=1.5)
    flat1, flat2 = _people(rng, 40), _people(rng, 40)
    acts = [dict(id=1, title="Share customer data", campaign="w1", item="data", section=None),
            dict(id=2, title="Talk more", campaign="w1", item=None, section=None)]
    worked = action_effects([wave("w1", {"self": w1}), wave("w2", {"self": w2})], acts)
    same = action_effects([wave("w1", {"self": flat1}), wave("w2", {"self": flat2})],
                          acts[:1])
    later = action_effects([wave("w1", {"self": w1})], acts[:1])
    got = action_findings(pd.concat([worked, same, later], ignore_index=True)
                          .pipe(lambda d: d.__setattr__("attrs", worked.attrs) or d))
    r = worked.iloc[0]
    assert got[0].sentence == (
        f"\u201cShare customer data\u201d worked: Data rose {r['effect']:.1f} more than the "
        f"dimensions without an action ({r['before']:.1f} → {r['after']:.1f}; the others "
        f"{'+' if r['others_change'] > 0 else '−'}{abs(r['others_change']):.1f}).")
    assert got[0].details.startswith(EXPLAINED)
    assert f"95% interval +{r['effect_low']:.2f} to +{r['effect_high']:.2f}" in got[0].details
    assert "n = 40 then 40" in got[0].details and "smallest effect" in got[0].details
    assert got[0].numbers["effect"] == round(r["effect"], 1) and got[0].item == "data"
    assert got[1].sentence == ("\u201cTalk more\u201d is not linked to a dimension, so the "
                               "answers cannot tell whether it worked.")
    assert same.iloc[0]["verdict"] == "did not work"
    assert got[2].sentence.startswith("\u201cShare customer data\u201d did not work: Data ")
    assert got[3].sentence == (f"\u201cShare customer data\u201d: no later wave yet to tell "
                               f"whether it worked (Data now {later.iloc[0]['before']:.1f}).")
    assert all(EXPLAINED in f.details for f in got)
    assert not math.isnan(got[0].numbers["before"])


def test_small_waves_say_the_answers_cannot_tell():
    w1 = [{"data": 1, "contact": 3}, {"data": 4, "contact": 2}, {"data": 2, "contact": 4}]
    w2 = [{"data": 3, "contact": 3}, {"data": 1, "contact": 2}, {"data": 4, "contact": 3}]
    eff = action_effects([wave("w1", {"self": w1}), wave("w2", {"self": w2})],
                         [dict(id=1, title="X", campaign="w1", item="data", section=None)])
    f = action_findings(eff)[0]
    assert f.sentence.startswith("\u201cX\u201d: the answers cannot tell yet whether it worked")
    assert "cannot tell an effect of 0.5 from none" in f.details
    assert action_findings(eff.iloc[0:0]) == []
