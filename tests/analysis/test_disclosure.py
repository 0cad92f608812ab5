"""Disclosure control over every view: an attacker sees every figure the analysis API offers
(any ``by=`` and ``where=`` on rater group and segment, counts included), at every moment as
answers arrive, and differences any two. No figure may be about 1 to k-1 people, and no two
figures about the same question may have respondent sets that differ by 1 to k-1 people.

The sets a figure is about are worked out here from the raw answers (the row's cell, the
filter, the people who answered that question), less the people the decision holds back;
each released figure is first checked to be exactly about that set (its n and its mean), so
the decision cannot hide a leak by mislabelling what a figure covers.
"""

import itertools
import os

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from focuskit.analysis import agreement, comments, importance_performance, perception_gaps, say_do
from focuskit.analysis.anonymity import ANYONE, counted_with, decide, release, respondents
from focuskit.analysis.profiles import profile
from focuskit.instruments import load_instrument

INSTRUMENT = load_instrument("focus-levels")
ITEMS = ("data", "budgets")  # budgets may be skipped in these organisations
T0 = pd.Timestamp("2026-01-05 09:00", tz="UTC")


@st.composite
def organisations(draw):
    """People in rater groups and segments (some without one), cells of 0 to 9, an item some
    skip, and answers arriving in waves: some together (an import), some one at a time."""
    k = draw(st.integers(3, 5))
    groups = draw(st.lists(st.sampled_from(["self", "customer", "partner"]), min_size=1,
                           max_size=3, unique=True))
    segments = draw(st.lists(st.sampled_from(["A", "B", "C", None]), min_size=1, max_size=3,
                             unique=True))
    rows, sid = [], 0
    for g, s in itertools.product(groups, segments):
        for _ in range(draw(st.integers(0, 9))):
            sid += 1
            wave = draw(st.integers(0, 3))
            together = draw(st.booleans())
            at = T0 + pd.Timedelta(days=wave) + (pd.Timedelta(0) if together
                                                 else pd.Timedelta(seconds=sid))
            skip = draw(st.integers(0, 4)) == 0
            for item in ITEMS:
                if item == "budgets" and skip:
                    continue
                rows.append(dict(campaign="c", submission=sid, respondent=f"r{sid}",
                                 rater_group=g, segment=s, section="information"
                                 if item == "data" else "innovation_and_investment",
                                 item=item, facet="level", comment=None, submitted_at=at,
                                 value=float(draw(st.integers(1, 5)))))
    cols = ["campaign", "submission", "respondent", "rater_group", "segment", "section", "item",
            "facet", "value", "comment", "submitted_at"]
    return pd.DataFrame(rows, columns=cols), k


def _frame(df, k):
    out = df.copy()
    out.attrs.update(campaign="c", instrument="focus-levels", min_group_size=k)
    return out


def _seg(v):
    return "" if v is None or (isinstance(v, float) and np.isnan(v)) else v


def _figures(df, k, view_k=None):
    """Every released figure: (question, frozenset of submissions, label), as a view with
    the minimum group ``view_k`` (default: the campaign's ``k``) shows them."""
    k = view_k or k
    d = decide(df, k)
    held = _held_back(df, d)
    people = df.assign(_s=df["segment"].map(_seg))
    figs = []

    def members(item, fixed, where):
        sel = people[people["value"].notna()]
        if item is not None:
            sel = sel[sel["item"] == item]
        for col, val in {**where, **fixed}.items():
            vals = val if isinstance(val, list) else [val]
            sel = sel[sel[col if col != "segment" else "_s"].isin([_seg(v) for v in vals])]
        keys = sel[["item", "submission"]] if item is not None else sel[["submission"]]
        subs = set(sel["submission"])
        if item is not None:
            subs = {s for s in subs if (item, s) not in held}
        else:
            subs = {s for s in subs if (ANYONE, s) not in held}
        return frozenset(subs), keys

    wheres = [{}]
    for col in ("rater_group", "segment"):
        values = list(pd.unique(df[col]))
        wheres += [{col: [v]} for v in values]
        wheres += [{col: [x for x in values if x is not v and x != v]} for v in values
                   if len(values) > 1]
    for where in wheres:
        wq = {c: [x for x in v] for c, v in where.items()}
        for by in ([], ["rater_group"], ["segment"], ["rater_group", "segment"]):
            out = profile(df, by=by, where=wq or None, min_group=k, instrument=INSTRUMENT)
            for _, r in out[~out["suppressed"]].iterrows():
                fixed = {c: r[c] for c in by}
                who, _ = members(r["item"], fixed, wq)
                vals = people[(people["item"] == r["item"])
                              & people["submission"].isin(who)]["value"]
                label = f"profile {r['item']} by {by}={list(fixed.values())} where {wq}"
                assert r["n"] == len(who), f"{label}: n {r['n']} but set {sorted(who)}"
                assert r["mean"] == pytest.approx(vals.mean()), label
                figs.append((r["item"], who, label))
            cnt = respondents(df, by=by or (), where=wq or None, min_group=k)
            for _, r in cnt[~cnt["suppressed"]].iterrows():
                fixed = {} if r.name == 0 else {c: r[c] for c in by}
                who, _ = members(None, fixed, wq)
                label = f"count by {by}={list(fixed.values())} where {wq}"
                assert r["n"] == len(who), f"{label}: n {r['n']} but set {sorted(who)}"
                figs.append((ANYONE, who, label))
    return figs


def _held_back(df, d):
    """(question, submission) pairs the decision keeps out of every figure."""
    v = release(df, None, d.k)
    kept = v.frame[v.frame["value"].notna()]
    everyone = df[df["value"].notna()]
    held = set(zip(everyone["item"], everyone["submission"], strict=True)) - \
        set(zip(kept["item"], kept["submission"], strict=True))
    all_subs = set(df["submission"])
    anyone = set(kept["submission"])
    held |= {(ANYONE, s) for s in all_subs - anyone}
    return held


def _check(figs, k):
    for _, who, label in figs:
        assert not 0 < len(who) < k, f"{label} is about {len(who)} < {k} people"
    by_q = {}
    for q, who, label in figs:
        by_q.setdefault(q, {})[who] = label
    for sets in by_q.values():
        for (a, la), (b, lb) in itertools.combinations(sets.items(), 2):
            diff = len(a ^ b)
            assert not 0 < diff < k, f"{la} and {lb} differ by {diff} < {k} people"


def _atoms(figs, k):
    """Over figures seen at several moments: per question, people who are in exactly the
    same released sets can be told apart from everyone else by combining those figures, so
    each such atom must hold 0 or at least k people (stronger than pairwise differences)."""
    by_q = {}
    for q, who, label in figs:
        by_q.setdefault(q, {}).setdefault(who, label)
    for q, sets in by_q.items():
        labels = list(sets.values())
        sig = {}
        for j, who in enumerate(sets):
            for person in who:
                sig.setdefault(person, set()).add(j)
        atoms = {}
        for person, member_of in sig.items():
            atoms.setdefault(frozenset(member_of), []).append(person)
        for member_of, people in atoms.items():
            names = "; ".join(labels[j] for j in sorted(member_of)[:3])
            assert len(people) >= k, (f"question {q}: {len(people)} < {k} people are in "
                                      f"exactly these figures: {names}")


def _states(df, most=4):
    """The answers as they stood after some of the distinct arrival times (always the
    last), evenly spread."""
    times = sorted(df["submitted_at"].unique())
    pick = sorted({times[round(j * (len(times) - 1) / max(most - 1, 1))]
                   for j in range(most)})
    return [df[df["submitted_at"] <= t] for t in pick]


@pytest.mark.slow
@settings(max_examples=int(os.environ.get("FOCUSKIT_PROPERTY_EXAMPLES", 25)), deadline=None,
          derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(organisations())
def test_no_view_at_any_moment_gives_away_a_small_group(org):
    df, k = org
    if df.empty:
        return
    everything = []
    for state in _states(df):
        figs = _figures(_frame(state, k), k)
        _check(figs, k)
        everything += figs
    # Across moments: every figure ever shown, by any cut, combined with every other.
    _check(everything, k)
    _atoms(everything, k)


@pytest.mark.slow
@settings(max_examples=int(os.environ.get("FOCUSKIT_PROPERTY_EXAMPLES", 25)), deadline=None,
          derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(organisations(), st.integers(0, 10_000))
def test_figures_before_and_after_an_erasure_give_nothing_away(org, pick):
    df, k = org
    if df.empty:
        return
    before = _frame(df, k)
    subs = df.drop_duplicates("submission")
    gone = subs.iloc[pick % len(subs)]["submission"]
    others = counted_with(before, {gone}) - {gone}
    # What Store.responses gives after anonymity.erase: the rows gone, the others listed.
    after = _frame(df[df["submission"] != gone], k)
    after.attrs["withheld"] = tuple(sorted(others))
    figs = _figures(before, k) + _figures(after, k)
    _check(figs, k)
    _atoms(figs, k)


@pytest.mark.slow
@settings(max_examples=int(os.environ.get("FOCUSKIT_PROPERTY_EXAMPLES", 25)), deadline=None,
          derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(organisations())
def test_a_stricter_view_beside_the_campaigns_gives_nothing_away(org):
    # An analyst may ask for a larger minimum group than the campaign's; both views are
    # open to them at once, and over time.
    df, k = org
    if df.empty:
        return
    figs = []
    for state in _states(df, most=2):
        for view_k in (k, k + 1, k + 3):
            got = _figures(_frame(state, k), k, view_k)
            assert all(not 0 < len(who) < view_k for _, who, _ in got)
            figs += got
    _check(figs, k)
    _atoms(figs, k)


def _org(cells, k=5, item_skips=()):
    """A hand-built campaign: cells {(group, segment): count}, all stored at once."""
    rows, sid = [], 0
    for (g, s), n in cells.items():
        for _ in range(n):
            sid += 1
            for item in ITEMS:
                if item == "budgets" and sid in item_skips:
                    continue
                rows.append(dict(campaign="c", submission=sid, respondent=f"r{sid}",
                                 rater_group=g, segment=s, section="x", item=item,
                                 facet="level", value=float(1 + sid % 5), comment=None,
                                 submitted_at=T0))
    return _frame(pd.DataFrame(rows), k)


def test_lone_leader_without_a_segment_cannot_be_worked_out():
    # The finding: leaders (9) beside segment "Leadership team" (8) gave the ninth leader's
    # answers by subtracting means x n.
    df = _org({("self", "Leadership team"): 8, ("self", None): 1, ("customer", "North"): 6})
    leaders = profile(df, by="rater_group").query("rater_group == 'self'")
    segment = profile(df, by="segment").query("segment == 'Leadership team'")
    assert (leaders["n"] == 9).all() and not leaders["suppressed"].any()
    assert segment["suppressed"].all() and segment["mean"].isna().all()
    assert set(segment["n_shown"]) == {"withheld"}
    filtered = profile(df, by=[], where={"segment": "Leadership team"})
    assert filtered["suppressed"].all()


def test_lone_customer_in_the_south_cannot_be_worked_out():
    # The finding: customers overall (6) against customers in North (5) gave the one in South.
    df = _org({("customer", "North"): 5, ("customer", "South"): 1, ("self", "North"): 6})
    both = profile(df, by=["rater_group", "segment"]).query("rater_group == 'customer'")
    overall = profile(df, by="rater_group").query("rater_group == 'customer'")
    assert (overall["n"] == 6).all()
    north = both[both["segment"] == "North"]
    south = both[both["segment"] == "South"]
    assert north["suppressed"].all() and set(north["n_shown"]) == {"withheld"}
    # South holds one person, but a segment never says "< 5": beside North's "withheld" that
    # would pin both sizes (5 + 1) from the customers' 6.
    assert south["suppressed"].all() and set(south["n_shown"]) == {"withheld"}
    lone = profile(df, by="rater_group", where={"segment": "South"})
    assert set(lone["n_shown"]) == {"withheld"}
    where = profile(df, by="rater_group", where={"segment": "North"})
    assert where.query("rater_group == 'customer'")["suppressed"].all()
    assert not where.query("rater_group == 'self'")["suppressed"].any()


def test_counts_do_not_reveal_a_withheld_group():
    # The finding: "Respondents 4 · customer < 2 · self 3" says there is 1 customer.
    df = _org({("self", None): 3, ("customer", None): 1}, k=3)
    counts = respondents(df, by="rater_group")
    total = counts.iloc[0]
    shown = counts[counts["rater_group"].notna() & ~counts["suppressed"]]
    assert total["n"] == shown["n"].sum() == 3  # the lone customer is in no count
    assert counts.query("rater_group == 'customer'")["n_shown"].tolist() == ["< 3"]


def test_a_latecomer_does_not_change_the_figures():
    # The finding: after a reveal at n = 3, one more answer changed the counts by exactly
    # that person's answers. Answers stored one at a time refresh in steps of k.
    df = _org({("self", None): 3}, k=3)
    late = df[df["submission"] == 1].assign(
        submission=4, respondent="r4", value=5.0, submitted_at=T0 + pd.Timedelta(hours=1))
    before = profile(df, by=[])
    after = profile(_frame(pd.concat([df, late], ignore_index=True), 3), by=[])
    pd.testing.assert_frame_equal(before, after)
    more = pd.concat([late.assign(submission=s, respondent=f"r{s}",
                                  submitted_at=T0 + pd.Timedelta(hours=s)) for s in (5, 6)])
    grown = profile(_frame(pd.concat([df, late, more], ignore_index=True), 3), by=[])
    assert set(grown["n"]) == {6}


def test_gaps_and_agreement_follow_the_same_decision():
    df = _org({("self", "Leadership team"): 8, ("self", None): 1, ("customer", "North"): 5,
               ("customer", "South"): 1})
    gaps = perception_gaps(df, "self", "customer", by="segment")
    assert gaps["suppressed"].all()  # North cuts the customers' block; South is 1 person
    whole = perception_gaps(df, "self", "customer")
    assert not whole["suppressed"].any() and set(whole["n_b"]) == {6}
    agr = agreement(df, by=["rater_group", "segment"])
    shown = agr[~agr["suppressed"]]
    assert shown.empty


def _people(rows, k):
    """A frame from (submission, group, item, facet, value, comment, seconds after T0)."""
    df = pd.DataFrame([dict(campaign="c", submission=s, respondent=f"r{s}", rater_group=g,
                            segment=None, section="information", item=i, facet=f, value=v,
                            comment=c, submitted_at=T0 + pd.Timedelta(seconds=t))
                       for s, g, i, f, v, c, t in rows])
    return _frame(df, k)


def test_a_skipped_item_cannot_be_solved_from_a_section_score():
    # A section score is each person's own mean: someone who skipped an item weighs
    # differently in it than in the item means, and the three figures solve for their answer.
    rows = []
    for s, (a, b) in enumerate([(2, 4), (3, 5), (1, 1)], start=1):
        rows += [(s, "self", "data", "level", a, None, 0), (s, "self", "contact", "level", b,
                                                            None, 0)]
    rows.append((4, "self", "data", "level", 5, None, 0))  # skipped "contact"
    df = _people(rows, 3)
    items = profile(df, by="rater_group")
    section = profile(df, by="rater_group", per="section")
    assert not items["suppressed"].any()  # each item's own figure is fine...
    assert section["suppressed"].all() and section["mean"].isna().all()  # ...their mix is not


def test_say_and_do_figures_cannot_be_differenced_down_to_one_who_skipped_do():
    item = "leaders_communicate"
    rows = []
    for s, (say, do) in enumerate([(4, 2), (5, 3), (3, 3), (4, 1), (2, 2)], start=1):
        rows += [(s, "self", item, "say", say, None, 0), (s, "self", item, "do", do, None, 0)]
    rows.append((6, "self", item, "say", 1, None, 0))  # answered say, skipped do
    df = _people(rows, 3)
    df.attrs["instrument"] = "say-do"
    assert not profile(df, by="rater_group", facet="say")["suppressed"].all()
    gaps = say_do(df, by="rater_group")
    assert gaps.query("scope == 'statement'")["suppressed"].all()


def test_a_latecomers_comment_waits_with_their_answers():
    early = [(s, "customer", "data", "level", 3, f"fine {s}", s) for s in range(1, 11)]
    late = [(11, "customer", "data", "level", 1, "my manager ignores me", 99)]
    before, after = comments(_people(early, 5)), comments(_people(early + late, 5))
    assert set(after["comment"]) == set(before["comment"])


def test_the_api_cannot_lower_the_campaigns_minimum_group():
    df = _org({("customer", None): 3, ("self", None): 5}, k=5)
    with pytest.raises(ValueError, match="below this campaign's minimum group size"):
        profile(df, by="rater_group", min_group=3)


def test_a_filter_that_leaves_nobody_is_an_empty_table_not_an_error():
    df = _org({("customer", "North"): 6}, k=5)
    df.attrs["instrument"] = "expectations"
    df["item"] = df["item"].map({"data": "reach_a_person", "budgets": "right_first_time"})
    df = pd.concat([df.assign(facet="importance"), df.assign(facet="performance")])
    out = importance_performance(df, where={"segment": "South"})
    assert out.empty
