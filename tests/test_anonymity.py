"""Anonymity: an attacker who sees every view a dashboard offers tries to recover a group of
fewer than k respondents by differencing two figures, or a figure and the visible parts of
it. Hypothesis builds the organisations; the attack must always fail."""

import itertools

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from focuskit.analysis.anonymity import restrict, withhold
from focuskit.analysis.profiles import profile
from focuskit.instruments import load_instrument

INSTRUMENT = load_instrument("focus-levels")


@st.composite
def organisations(draw):
    """Respondents in rater groups and segments, some cells tiny; and a threshold k."""
    k = draw(st.integers(3, 6))
    groups = draw(st.lists(st.sampled_from(["self", "customer", "partner", "team"]),
                           min_size=1, max_size=3, unique=True))
    segments = draw(st.lists(st.sampled_from(list("ABCDE")), min_size=1, max_size=4,
                             unique=True))
    rows, sid = [], 0
    for g, s in itertools.product(groups, segments):
        for _ in range(draw(st.integers(0, 9))):
            sid += 1
            rows.append(dict(submission=sid, respondent=f"r{sid}", rater_group=g, segment=s,
                             section="markets", item="data", facet="level",
                             value=float(draw(st.integers(1, 5)))))
    return pd.DataFrame(rows), k


def _visible(df, k):
    """Every figure the views show: (frozenset of respondents, label)."""
    views = []
    cell = df.groupby(["rater_group", "segment"])["submission"].agg(frozenset)
    members = {key: cell[key] for key in cell.index}

    def people(**fixed):
        return frozenset().union(*[m for (g, s), m in members.items()
                                   if all({"rater_group": g, "segment": s}[c] == v
                                          for c, v in fixed.items())] or [frozenset()])

    for by in ([], ["rater_group"], ["segment"], ["rater_group", "segment"]):
        out = profile(df, by=by, min_group=k, instrument=INSTRUMENT)
        for _, r in out[~out["suppressed"]].iterrows():
            views.append((people(**{c: r[c] for c in by}), f"by {by}: {[r[c] for c in by]}"))
    # Filters a dashboard offers: one value, or every value but one, of each column.
    for col in ("rater_group", "segment"):
        values = sorted(df[col].unique())
        choices = [[v] for v in values] + [[x for x in values if x != v] for v in values]
        for chosen in choices:
            if not chosen:
                continue
            out = profile(df, by=[], where={col: chosen}, min_group=k, instrument=INSTRUMENT)
            if not out["suppressed"].all():
                who = frozenset().union(*[people(**{col: v}) for v in chosen])
                views.append((who, f"{col} in {chosen}"))
    return views


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(organisations())
def test_no_small_group_can_be_recovered_by_differencing(org):
    df, k = org
    if df.empty:
        return
    views = _visible(df, k)
    for (a, la), (b, lb) in itertools.permutations(views, 2):
        if b < a:
            rest = a - b
            assert not 0 < len(rest) < k, f"{la} minus {lb} leaves {len(rest)} < {k}"
    # A figure minus visible, disjoint parts of it (one split's rows).
    for a, la in views:
        for label in ("by ['rater_group']", "by ['segment']", "by ['rater_group', 'segment']"):
            parts = [b for b, lb in views if lb.startswith(label + ":") and b <= a and b != a]
            if parts:
                rest = a - frozenset().union(*parts)
                assert not 0 < len(rest) < k, f"{la} minus its {label} parts leaves {len(rest)}"
    # Every visible figure is about at least k people.
    assert all(len(a) >= k for a, _ in views)


def test_withhold_blanks_values_and_marks_rows():
    res = pd.DataFrame({"segment": ["A", "B", "C"], "n": [2, 7, 9], "mean": [1.0, 2.0, 3.0]})
    out = withhold(res, 5, keys=["segment"], values=["mean"])
    assert out["suppressed"].tolist() == [True, True, False]
    assert out["n_shown"].tolist() == ["< 5", "withheld", "9"]
    assert out["mean"].isna().tolist() == [True, True, False]
    assert out["n"].isna().tolist() == [True, True, False]


def test_withhold_leaves_large_groups_alone():
    res = pd.DataFrame({"segment": ["A", "B"], "n": [5, 6], "mean": [1.0, 2.0]})
    out = withhold(res, 5, keys=["segment"], values=["mean"])
    assert not out["suppressed"].any() and out["n_shown"].tolist() == ["5", "6"]


def test_restrict_refuses_an_unknown_column():
    df = pd.DataFrame({"submission": [1], "segment": ["A"]})
    with pytest.raises(ValueError, match="cannot filter on 'colour'"):
        restrict(df, {"colour": "red"}, 5)
