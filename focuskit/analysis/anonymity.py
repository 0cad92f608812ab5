"""Disclosure control, decided once per campaign over every view it can offer.

What is protected
-----------------
A campaign releases figures (counts, means, spreads, shares, tests) about *sets of
respondents*: a rater group, a segment, a group within a segment, everyone, or any union of
those a filter picks, per question (an item's facet: people skip optional items). An
attacker may see every figure every view offers, at any time, and difference them. The rule
is: no released figure is about 1 to k-1 people, and no combination of released figures
about the same question, seen at any moments, singles out 1 to k-1 people.

How it is decided (``decide``)
------------------------------
For each question the *atoms* are the cells rater group x segment (no segment is a segment
of its own). Atoms are put into *blocks* within their rater group:

* an atom of at least k people is a block of its own;
* the small atoms (1 to k-1 people) of a group form one "rest" block; if that holds fewer
  than k, the group's smallest large atom joins it, so the group's own figure stays whole;
* a group of fewer than k people in all is held back: its answers are in no figure.

A figure is released only if its respondent set is a union of whole blocks. Every block
holds 0 or at least k people, so any set an attacker can derive from released figures (their
sums, differences and any linear combination) is a union of blocks: never 1 to k-1 people.
This is complementary suppression that withholds a segment's figure rather than a group's:
the rater groups are the comparison every seed is about.

Over time the blocks are *fixed*: they are formed by replaying the answers in the order
they arrived (answers stored at the same moment, such as one import, arrive together), and a
block, once formed, never changes. After each moment, per rater group and question:

* a segment with k or more answers waiting forms a block of them;
* the other segments' waiting answers form one block once they number k or more;
* otherwise this moment's own leftovers join the smallest block formed at this moment (the
  static rule above, for a campaign imported at once), and older ones keep waiting.

Waiting answers are in no figure. So every figure ever shown, at any moment, by any cut, is
a union of the same blocks, and the atoms an attacker can separate by combining figures
seen on different days are still whole blocks: a figure refreshes only when k or more
people join it, and a segment's figure that was once part of a mixed block stays withheld.
The price: in a campaign answered one by one, segment figures appear only for segments
that gather k answers before the group's other small segments do; a group's own figure
lags by fewer than k answers.

An erased respondent keeps their place (group, segment, time; no code, no answers), and the
block they were in is withheld from then on, so that figures seen before and after the
erasure differ by a whole block, never by one person.

Everything depends only on the stored answers and their times, never on who asks or in
which order.

Worked example (k = 5). Leaders: 8 in segment "Leadership team", 1 without a segment.
Customers: 5 in North, 1 in South.

=================  =====  ==================================================
figure             n      released?
=================  =====  ==================================================
leaders            9      yes: the rest block {no segment (1)} was too small,
                          so it took the leaders' smallest large atom (8): one
                          block of 9
segment Leadership 8      no: it would cut the leaders' block of 9; without
                          this, 9 - 8 gives the lone leader's answers
customers          6      yes: {South (1)} + {North (5)} form one block
customers, North   5      no: it cuts that block (6 - 5 = the lone customer)
everyone           15     yes: a union of both blocks
=================  =====  ==================================================

A withheld figure says why: "fewer than 5 answered" for a rater group (or everyone) of 1 to
k-1 people, else "withheld: it would let a group of fewer than 5 people be worked out". A
segment's figure only ever says the latter, whatever its size: "< 5" on one segment beside
"withheld" on its neighbour would pin both sizes from their group's total. Rows by segment
are listed only for segments with released answers, so a latecomer in a new segment does
not show up as a new row before their answers are released.

Only a respondent's own view (``respondent=``) bypasses this, for their own answers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._data import check_by
from ._data import min_group as threshold
from ._lattice import ANYONE, Decision, Lazy, attach, cached, decide

__all__ = ["ANYONE", "Decision", "View", "attach", "counted_with", "decide", "decision_for",
           "erase", "judge", "reason", "release", "respondents", "restrict", "source",
           "threshold", "withhold", "withhold_all"]

#: Columns whose values split respondents into disjoint groups.
PARTITIONS = ("rater_group", "segment")
#: Columns a filter (``where=``) may name: they select whole cells or whole questions.
FILTERABLE = ("rater_group", "segment", "section", "item", "facet")


def reason(n_shown: str, k: int) -> str:
    """The plain sentence for a withheld row's ``n_shown`` code ("< k" or "withheld")."""
    if str(n_shown).startswith("<"):
        return f"fewer than {k} answered"
    return f"withheld: it would let a group of fewer than {k} people be worked out"


def counted_with(data: pd.DataFrame, submissions) -> set:
    """The submissions whose answers were counted in some figure together with any of
    ``submissions``, by the campaign's own threshold: the smallest set that holds them and,
    for every question, whole blocks. Keeping it out of every figure changes no other block
    (see ``_lattice.replay``), so figures before and after differ by whole blocks."""
    k = threshold(data, None)
    d = decision_for(data, k)
    ours = d.subs.get_indexer(list(submissions))
    inside = np.zeros(len(d.subs), dtype=bool)
    inside[ours[ours >= 0]] = True
    while d.block.size:
        hit = np.unique(d.block[:, inside])
        grown = inside | np.isin(d.block, hit[hit >= 0]).any(axis=0)
        if (grown == inside).all():
            break
        inside = grown
    return set(d.subs[inside].tolist())


def erase(store, campaign: str, code: str):
    """Erase respondent ``code`` from ``campaign`` (``Store.erase_respondent``), keeping out
    of every figure from now on the people counted together with them (``counted_with``).
    Returns the store's ``Erased`` counts."""
    for _ in range(3):
        frame = store.responses(campaign)
        mine = set(frame.loc[frame["respondent"] == code, "submission"])
        others = counted_with(frame, mine) - mine
        latest = int(frame["submission"].max()) if len(frame) else 0
        done = store.erase_respondent(campaign, code, withhold=others, newer_than=latest)
        if done is not None:
            return done
    raise RuntimeError("answers keep arriving; try the erasure again in a minute")


def decision_for(data: pd.DataFrame, k: int) -> Decision:
    """The decision of the campaign ``data`` was cut from (its attrs), else of ``data``."""
    lazy = data.attrs.get("disclosure")
    if isinstance(lazy, Lazy) and lazy.covers(data):
        return lazy.get(k)
    return cached(data, k)


@dataclass(frozen=True, eq=False)
class View:
    """One analysis call's answers: ``frame`` released and filtered, ``raw`` filtered only
    (for saying why a figure is withheld), and the campaign's ``decision``."""

    frame: pd.DataFrame
    raw: pd.DataFrame
    decision: Decision
    #: Whether a filter picked segments: then no row is said to be small (see ``judge``).
    segmented: bool = False

    @property
    def k(self) -> int:
        return self.decision.k


def release(data: pd.DataFrame, where: dict | None, k: int) -> View:
    """The answers an analysis may use: those the campaign's decision releases, matching
    ``where`` ({column: value or list}; columns rater_group, segment, section, item, facet).
    A comment-only row (no value) goes with its respondent's released answers."""
    decision = decision_for(data, k)
    raw = _filter(data, where)
    segmented = bool(where) and "segment" in where
    if raw.empty:
        return View(raw, raw, decision, segmented)
    keep = decision.released(raw)
    if "value" in raw and raw["value"].isna().any():
        answered = set(raw.loc[keep, "submission"])
        keep |= raw["value"].isna().to_numpy() & raw["submission"].isin(answered).to_numpy()
    frame = raw[keep]
    frame.attrs.update(data.attrs)
    return View(frame, raw, decision, segmented)


def _filter(data: pd.DataFrame, where: dict | None) -> pd.DataFrame:
    if not where:
        return data
    mask = np.ones(len(data), dtype=bool)
    for col, want in where.items():
        if col not in data.columns:
            raise ValueError(f"cannot filter on {col!r}: the frame has no such column")
        if col not in FILTERABLE:
            raise ValueError(f"cannot filter on {col!r}; filter on one of "
                             f"{', '.join(FILTERABLE)}")
        want = [want] if isinstance(want, str) or not hasattr(want, "__iter__") else list(want)
        mask &= data[col].isin(want).to_numpy()
    return data[mask]


def source(view: View) -> tuple[pd.DataFrame, bool]:
    """The answers to compute figures from, and whether every one of them must then be
    withheld: the released answers, or, when all are held back (every group too small),
    the raw ones, so that the result still has a row, marked withheld, for each figure."""
    few = view.frame.empty and not view.raw.empty
    return (view.raw if few else view.frame), few


def restrict(data: pd.DataFrame, where: dict | None, k: int) -> tuple[pd.DataFrame, View]:
    """``release`` as (the released, filtered frame, the view)."""
    view = release(data, where, k)
    return view.frame, view


def judge(result: pd.DataFrame, view: View, *, keys, data: pd.DataFrame | None = None,
          together: bool = True, raw: pd.DataFrame | None = None):
    """Which rows of ``result`` may be shown, and which are withheld for being small.

    A row is about the people of ``data`` (default: the view's released frame) whose values
    in ``keys`` equal the row's. A rater group or segment key always narrows a row (a missing
    segment is the cell of people without one); another key (item, section) that is missing
    or "" on a row (an area or overall row) does not, and keys that are not columns of
    ``data`` (``scope``, ``measure``) never do. A row may be shown when, for every question it
    draws on, it holds whole blocks. It is "small" when the people who answered (released or
    not: ``raw``, default the view's) number 1 to k-1.

    ``together``: the row's figures combine each person's answers over its questions (a
    section score, a mean of a person's means, a say-do gap), so it is shown only if the same
    people answered every one of them. Otherwise someone who skipped one weighs differently
    in the combined figure than in the per-question ones, and the two can be solved for their
    answers. Pass False for figures that only add up per-question counts.
    """
    data = view.frame if data is None else data
    k, d = view.k, view.decision
    ok = np.ones(len(result), dtype=bool)
    is_small = np.zeros(len(result), dtype=bool)
    if result.empty:
        return ok, is_small
    cols = [c for c in dict.fromkeys(keys) if c in data.columns and c in result.columns]
    res = _text_keys(result.reset_index(drop=True), cols)
    present = pd.DataFrame({c: (res[c] != "") | (c in PARTITIONS) for c in cols},
                           index=res.index)
    answered = data[data["value"].notna()] if "value" in data else data
    blk = d.codes(answered)
    qi, _ = pd.factorize(answered["item"])
    qf, facets = pd.factorize(answered["facet"])
    base = _text_keys(answered, cols).assign(block=blk, q=qi * max(len(facets), 1) + qf,
                                            submission=answered["submission"].to_numpy())
    raw = view.raw if raw is None else raw  # who answered, released or not (the reason)
    raw = raw[raw["value"].notna()] if "value" in raw else raw
    raw_keys = _text_keys(raw, cols).assign(submission=raw["submission"].to_numpy())
    patterns = present.drop_duplicates() if cols else pd.DataFrame([{}])
    for _, pat in patterns.iterrows():
        use = [c for c in cols if bool(pat.get(c, False))]
        rows = (present[use].all(axis=1) & ~present[[c for c in cols if c not in use]]
                .any(axis=1)) if cols else pd.Series(True, index=res.index)
        idx = np.flatnonzero(rows.to_numpy())
        if not len(idx):
            continue
        # Whole blocks: the row's released people per block against the block's size.
        got = base.drop_duplicates([*use, "block", "submission"]) \
            .groupby([*use, "block"]).size().rename("got").reset_index()
        sizes = d.size[np.maximum(got["block"].to_numpy(), 0)] if len(d.size) else 0
        got["whole"] = (got["block"] >= 0) & (got["got"].to_numpy() == sizes)
        if together:
            # The same people on every question of the row (see above).
            per_q = base.drop_duplicates([*use, "q", "submission"]).groupby([*use, "q"]).size()
            per_row = base.drop_duplicates([*use, "submission"]).groupby(use).size() if use \
                else pd.Series([base["submission"].nunique()])
            if use:
                same = (per_q.groupby(level=list(range(len(use)))).min()
                        .eq(per_q.groupby(level=list(range(len(use)))).max())
                        & per_q.groupby(level=list(range(len(use)))).max().eq(per_row))
                same = same.rename("same").reset_index()
                got = got.merge(same, on=use, how="left")
                got["whole"] &= got["same"].astype("boolean").fillna(False).to_numpy(dtype=bool)
            else:
                got["whole"] &= bool(per_q.min() == per_q.max() == per_row.iloc[0]) \
                    if len(per_q) else True
        if use:
            whole = got.groupby(use)["whole"].all().rename("w").reset_index()
            people = raw_keys.groupby(use)["submission"].nunique().rename("r").reset_index()
            m = res.loc[idx, use].merge(whole, on=use, how="left").merge(people, on=use,
                                                                         how="left")
            w = m["w"].astype("boolean").fillna(False).to_numpy(dtype=bool)
            r = m["r"].fillna(0).to_numpy()
        else:
            w = np.full(len(idx), bool(got["whole"].all()))
            r = np.full(len(idx), float(raw["submission"].nunique()))
        ok[idx] = w
        # Only a rater group (or everyone) is said to be small: a segment's row says only
        # "withheld", else "< k" on one segment beside "withheld" on its neighbour would pin
        # both sizes from their group's total.
        is_small[idx] = (r > 0) & (r < k) & ("segment" not in use) & (not view.segmented)
    ok &= ~is_small
    return ok, is_small


def _text_keys(frame: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    """``cols`` of ``frame`` as text, missing as "", so that keys compare and merge alike."""
    out = pd.DataFrame(index=frame.index)
    for c in cols:
        v = frame[c]
        out[c] = v.astype(object).where(v.notna(), "").astype(str)
    return out


def withhold(result: pd.DataFrame, k: int, *, keys, values, n: str = "n",
             view: View | None = None, data: pd.DataFrame | None = None,
             hide=None, together: bool = True) -> pd.DataFrame:
    """Blank the figures of rows that may not be shown (``judge``), mark them.

    Returns the same rows, plus a row for each group whose people are all held back, with
    ``values`` missing where withheld, ``n`` as a nullable integer (missing where withheld),
    ``suppressed`` (bool) and ``n_shown`` ("< k" for a group of 1 to k-1 people, "withheld"
    for a row that would let a smaller group be worked out, else the count). ``hide``: rows
    the caller withholds as well (a boolean array). Without ``view`` (a table built outside
    a campaign) only the first rule applies.
    """
    out = result.copy()
    if view is not None and data is None:
        out = _placeholders(_released_segments(out, view, keys), view, keys, n)
    if view is None:
        small = (out[n].astype(float) < k).to_numpy()
        ok = ~small
    else:
        ok, small = judge(out, view, keys=keys, data=data, together=together)
    if hide is not None:
        ok[:len(hide)] &= ~np.asarray(hide, dtype=bool)
    hidden = pd.Series(~ok, index=out.index)
    _blank(out, hidden, values)
    counts = out[n].astype(float).to_numpy()
    out["n_shown"] = [(f"< {k}" if s else "withheld") if h else str(int(c))
                      for s, h, c in zip(small, hidden, np.nan_to_num(counts), strict=True)]
    out[n] = pd.array([pd.NA if h or np.isnan(c) else int(c)
                       for h, c in zip(hidden, counts, strict=True)], dtype="Int64")
    out["suppressed"] = hidden.to_numpy(dtype=bool)
    return out


def _released_segments(out: pd.DataFrame, view: View, keys) -> pd.DataFrame:
    """``out`` without rows by segment about cells none of whose answers are released (a
    result computed from held-back answers, to be withheld): such a row would tell that
    someone from that segment answered."""
    parts = [c for c in PARTITIONS if c in keys and c in out.columns and c in view.raw]
    if "segment" not in parts or out.empty:
        return out
    done = view.frame[view.frame["value"].notna()] if "value" in view.frame else view.frame
    seen = _text_keys(done, parts).drop_duplicates()
    mine = _text_keys(out, parts).reset_index(drop=True)
    hit = mine.merge(seen.assign(_hit=True), on=parts, how="left")["_hit"]
    return out[hit.notna().to_numpy()]


def _placeholders(out: pd.DataFrame, view: View, keys, n: str) -> pd.DataFrame:
    """Rows for groups whose people are all held back, so that a view can say they are
    withheld rather than leave them out without a word."""
    cols = [c for c in dict.fromkeys(keys) if c in out.columns]
    if not cols or any(c not in view.raw.columns for c in cols) or view.raw.empty:
        return out
    # A held-back group gets its row; a segment only once some of its answers are released.
    pool = view.frame if "segment" in cols else view.raw
    answered = pool[pool["value"].notna()] if "value" in pool else pool
    # (Results grouped by segment leave out people without one: no placeholder for them.)
    have = answered[cols].drop_duplicates()
    have = have[have.notna().all(axis=1)]
    if not len(out):
        missing = have
    else:
        seen = _text_keys(have, cols).merge(_text_keys(out, cols).drop_duplicates(), on=cols,
                                            how="left", indicator=True)
        missing = have[(seen["_merge"] == "left_only").to_numpy()]
    if missing.empty:
        return out
    add = missing.reset_index(drop=True)
    for c in out.columns:
        if c in cols:
            continue
        same = out[c].dropna().unique() if len(out) and out[c].dtype == object else []
        add[c] = same[0] if len(same) == 1 and c != n else np.nan
    add[n] = 0
    return pd.concat([out, add[out.columns]], ignore_index=True)


def _blank(out: pd.DataFrame, rows: pd.Series, values) -> None:
    """Set ``values`` missing on ``rows``; whole-number columns become float to hold NaN."""
    for col in values:
        if out[col].dtype.kind in "iub":
            out[col] = out[col].astype(float)
        out.loc[rows.to_numpy(), col] = float("nan")


def withhold_all(result: pd.DataFrame, k: int, *, values, n: str = "n",
                 reason: str = "withheld") -> pd.DataFrame:
    """Withhold every row."""
    out = result.copy()
    _blank(out, pd.Series(True, index=out.index), values)
    out["n_shown"] = reason
    out[n] = pd.array([pd.NA] * len(out), dtype="Int64")
    out["suppressed"] = True
    return out


def respondents(data: pd.DataFrame, *, by=("rater_group",), where: dict | None = None,
                min_group: int | None = None) -> pd.DataFrame:
    """How many people answered, per group, under the same rule as every other figure.

    Returns one "everyone" row first (``by`` columns missing), then one row per value of
    ``by``: ``n`` (released), ``suppressed``, ``n_shown``.
    """
    k = threshold(data, min_group)
    by = check_by(data, by, allowed=PARTITIONS)
    view = release(data, where, k)
    # Counts are figures about the question "answered at all".
    anyone = view.frame.drop_duplicates("submission").assign(item=ANYONE[0], facet=ANYONE[1],
                                                             value=1.0)
    raw = view.raw.drop_duplicates("submission").assign(item=ANYONE[0], facet=ANYONE[1],
                                                        value=1.0)
    counted = View(anyone, raw, view.decision, view.segmented)
    total = withhold(pd.DataFrame({"n": [len(anyone)]}), k, keys=[], values=[], view=counted)
    if not by:
        return total
    per = anyone.groupby(by, observed=True, dropna=False).size().rename("n").reset_index()
    per = withhold(per, k, keys=by, values=[], view=counted)
    return pd.concat([total, per], ignore_index=True)
