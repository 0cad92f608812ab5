"""Disclosure control, decided once per campaign over every view it can offer.

What is protected
-----------------
A campaign releases figures (counts, means, spreads, shares, tests) about *sets of
respondents*: a rater group, a segment, a group within a segment, everyone, or any union of
those a filter picks, per question (an item's facet: people skip optional items). An
attacker may see every figure every view offers, at any time, and difference them. The rule
is: no released figure is about 1 to k-1 people, and no two released figures about the same
question have respondent sets that differ by 1 to k-1 people.

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

Over time a block's released members only grow in steps of at least k: answers are taken in
the order they arrived, and a block's newest answers are held back until k of them have
arrived since its last step (answers stored at the same moment, such as one import, arrive
together). So a figure refreshes only when at least k people have joined it, and two visits
a day apart cannot be differenced down to the latecomers. Everything depends only on the
stored answers and their times, never on who asks or in which order.

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

A withheld figure says why: "fewer than 5 answered" when its set holds 1 to k-1 people,
else "withheld so that a smaller group elsewhere cannot be worked out".

Only a respondent's own view (``respondent=``) bypasses this, for their own answers.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import pandas as pd

#: Columns whose values split respondents into disjoint groups.
PARTITIONS = ("rater_group", "segment")
#: Columns a filter (``where=``) may name: they select whole cells or whole questions.
FILTERABLE = ("rater_group", "segment", "section", "item", "facet")
#: The question of "who answered at all": respondent counts are figures too.
ANYONE = ("*", "*")

SMALL = "small"  # reason codes in ``n_shown``
COMPLEMENT = "withheld"

_ATOM = ["item", "facet", "rater_group", "_seg"]


def small_reason(k: int) -> str:
    return f"fewer than {k} answered"


def complement_reason() -> str:
    return "withheld so that a smaller group elsewhere cannot be worked out"


def reason(n_shown: str, k: int) -> str:
    """The plain sentence for a withheld row's ``n_shown`` code."""
    return small_reason(k) if str(n_shown).startswith("<") else complement_reason()


STEPS = False
_NONE = np.iinfo(np.int64).min        # a cut-off that releases nobody
_EARLIEST = _NONE // 2                # the time of an answer stored without one


@dataclass(frozen=True, eq=False)
class Decision:
    """What one campaign releases, for the threshold ``k``.

    ``atoms``: one row per question and cell (item, facet, rater_group, _seg) with ``n``
    people, its ``block`` (-1: held back) and the block's ``cutoff`` (int64 ns: answers that
    arrived up to then are released). ``blocks``: people released per block. Immutable, so
    every frame cut from a campaign shares it.
    """

    k: int
    atoms: pd.DataFrame
    blocks: pd.Series

    def __deepcopy__(self, memo):  # pandas deep-copies attrs on every operation
        return self


class _Lazy:
    """The decision over a whole campaign frame, made on first use and shared by its cuts."""

    def __init__(self, frame: pd.DataFrame):
        self._frame = frame
        self._made: dict[int, Decision] = {}
        self._cells = _cells(frame)

    def covers(self, data: pd.DataFrame) -> bool:
        """Whether ``data`` is a cut of the whole frame: the same people in the same cells.
        A frame edited or joined after it was cut is judged on its own."""
        if data is self._frame:
            return True
        cells = _cells(data)
        known = self._cells.reindex(cells.index)
        return bool(known.notna().all() and (known == cells).all())

    def __deepcopy__(self, memo):
        return self

    def get(self, k: int) -> Decision:
        if k not in self._made:
            self._made[k] = _cached(self._frame, k)
        return self._made[k]


def attach(frame: pd.DataFrame) -> pd.DataFrame:
    """Mark ``frame`` as a whole campaign, so any cut of it is judged against the whole."""
    frame.attrs["disclosure"] = _Lazy(frame)
    return frame


_CACHE: OrderedDict = OrderedDict()
_CACHE_SIZE = 16


def _state(frame: pd.DataFrame, k: int) -> tuple:
    """The same answers give the same key (so the decision is cached per state)."""
    h = pd.util.hash_pandas_object(frame[[c for c in ("submission", "item", "facet",
                                                      "rater_group", "segment", "value",
                                                      "submitted_at")
                                          if c in frame]], index=False)
    return (frame.attrs.get("campaign"), k, len(frame), int(h.sum()))


def _cached(frame: pd.DataFrame, k: int) -> Decision:
    key = _state(frame, k)
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    out = decide(frame, k)
    _CACHE[key] = out
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return out


def decision_for(data: pd.DataFrame, k: int) -> Decision:
    """The decision of the campaign ``data`` was cut from (its attrs), else of ``data``."""
    lazy = data.attrs.get("disclosure")
    if isinstance(lazy, _Lazy) and lazy.covers(data):
        return lazy.get(k)
    return _cached(data, k)


def _cells(frame: pd.DataFrame) -> pd.Series:
    """Each submission's cell, "group|segment"."""
    subs = frame.drop_duplicates("submission")
    return pd.Series(subs["rater_group"].astype(str).to_numpy() + "|" + _seg(subs),
                     index=subs["submission"].to_numpy())


def _seg(frame: pd.DataFrame) -> np.ndarray:
    if "segment" not in frame:
        return np.full(len(frame), "", dtype=object)
    s = frame["segment"]
    return s.astype(object).where(s.notna(), "").astype(str).to_numpy()


def _times(frame: pd.DataFrame) -> np.ndarray:
    if "submitted_at" not in frame:
        return np.full(len(frame), _EARLIEST, dtype=np.int64)
    t = pd.to_datetime(frame["submitted_at"], utc=True)
    ns = t.to_numpy(dtype="datetime64[ns]").astype(np.int64)
    return np.where(t.isna().to_numpy(), _EARLIEST, ns)


def _keys(frame: pd.DataFrame, answered_only: bool = True) -> pd.DataFrame:
    """item, facet, rater_group, _seg, submission, t for every answer row of ``frame``."""
    rows = frame[frame["value"].notna()] if answered_only and "value" in frame else frame
    return pd.DataFrame({"item": rows["item"].astype(str).to_numpy(),
                         "facet": rows["facet"].astype(str).to_numpy(),
                         "rater_group": rows["rater_group"].astype(str).to_numpy(),
                         "_seg": _seg(rows), "submission": rows["submission"].to_numpy(),
                         "t": _times(rows)}, index=rows.index)


def _members(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per (question, submission), plus the question "answered at all"."""
    m = _keys(frame).drop_duplicates(["item", "facet", "submission"])
    subs = _keys(frame.drop_duplicates("submission"), answered_only=False)
    subs["item"], subs["facet"] = ANYONE
    return pd.concat([m, subs], ignore_index=True)


def decide(frame: pd.DataFrame, k: int) -> Decision:
    """Decide for one whole campaign's answers which blocks exist and what each releases.

    The rule and a worked example are in the module docstring.
    """
    members = _members(frame)
    atoms = members.groupby(_ATOM, sort=True).size().rename("n").reset_index()
    by_group = [atoms["item"], atoms["facet"], atoms["rater_group"]]
    small = atoms["n"] < k
    rest_n = atoms["n"].where(small, 0).groupby(by_group).transform("sum")
    large = atoms["n"].where(~small)
    has_large = large.groupby(by_group).transform("count") > 0
    # The group's smallest large atom (by segment name on a tie) joins a rest block that
    # would otherwise be too small, so that the group's own figure stays whole.
    ranked = atoms.assign(_l=large).sort_values(["_l", "_seg"], na_position="last")
    first = ranked[ranked["_l"].notna()].groupby(["item", "facet", "rater_group"]).head(1)
    joins = atoms.index.isin(first.index) & (rest_n > 0).to_numpy() & (rest_n < k).to_numpy()
    group_id = atoms.groupby(["item", "facet", "rater_group"], sort=False).ngroup().to_numpy()
    block = np.where(small.to_numpy() | joins, len(atoms) + group_id, np.arange(len(atoms)))
    held_back = (small & ~has_large & (rest_n < k)).to_numpy()
    atoms["block"] = np.where(held_back, -1, block)

    m = members.merge(atoms[[*_ATOM, "block"]], on=_ATOM, how="left")
    m = m[m["block"] >= 0]
    cut = _cutoffs(m["block"].to_numpy(), m["t"].to_numpy(), k)
    # Nanosecond times exceed a float's precision: keep them in whole-number columns.
    full = pd.concat([cut, pd.Series({-1: _NONE}, dtype=np.int64)])
    atoms["cutoff"] = pd.array(atoms["block"].map(full).to_numpy(dtype=np.int64), dtype="Int64")
    m_cut = m["block"].map(cut).to_numpy()
    kept = m[m["t"].to_numpy() <= m_cut]
    blocks = kept.groupby("block").size().rename("n")
    return Decision(k=k, atoms=atoms, blocks=blocks)


def _cutoffs(block: np.ndarray, t: np.ndarray, k: int) -> pd.Series:
    """Per block, the latest arrival time released when a block releases its answers in
    arrival order, a step at a time, each step holding at least k answers."""
    out = {}
    if not len(block):
        return pd.Series(out, dtype=np.int64)
    order = np.lexsort((t, block))
    block, t = block[order], t[order]
    starts = np.flatnonzero(np.r_[True, block[1:] != block[:-1]])
    ends = np.r_[starts[1:], len(block)]
    for s, e in zip(starts, ends, strict=True):
        times = t[s:e]
        n = e - s
        if n < k:
            out[block[s]] = _NONE
            continue
        if not STEPS:
            out[block[s]] = times[-1]
            continue
        distinct = np.r_[True, times[1:] != times[:-1]]
        if distinct.all():  # one answer at a time: steps of exactly k
            out[block[s]] = times[(n // k) * k - 1]
            continue
        # Answers stored together (an import) arrive together.
        uniq, counts = np.unique(times, return_counts=True)
        last, pending = _NONE, 0
        for when, c in zip(uniq, counts, strict=True):
            pending += c
            if pending >= k:
                last, pending = when, 0
        out[block[s]] = last
    return pd.Series(out, dtype=np.int64)


@dataclass(frozen=True, eq=False)
class View:
    """One analysis call's answers: ``frame`` released and filtered, ``raw`` filtered only
    (for saying why a figure is withheld), and the campaign's ``decision``."""

    frame: pd.DataFrame
    raw: pd.DataFrame
    decision: Decision

    @property
    def k(self) -> int:
        return self.decision.k


def release(data: pd.DataFrame, where: dict | None, k: int) -> View:
    """The answers an analysis may use: those released (see ``decide``), matching ``where``
    ({column: value or list}; columns rater_group, segment, section, item, facet)."""
    decision = decision_for(data, k)
    raw = _filter(data, where)
    if raw.empty:
        return View(raw, raw, decision)
    keys = _keys(raw, answered_only=False)
    cut = keys.merge(decision.atoms[[*_ATOM, "cutoff"]], on=_ATOM, how="left")["cutoff"]
    keep = keys["t"].to_numpy() <= cut.fillna(_NONE).to_numpy(dtype=np.int64)
    # A comment-only row (no value) belongs to nobody's figure; it travels with its answer.
    frame = raw[keep]
    frame.attrs.update(data.attrs)
    return View(frame, raw, decision)


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


def restrict(data: pd.DataFrame, where: dict | None, k: int) -> tuple[pd.DataFrame, View]:
    """``release`` as (the released, filtered frame, the view); kept for callers that want
    the frame first."""
    view = release(data, where, k)
    return view.frame, view


def judge(result: pd.DataFrame, view: View, *, keys, data: pd.DataFrame | None = None):
    """Which rows of ``result`` may be shown, and which are withheld for being small.

    A row is about the people of ``data`` (default: the view's released frame) whose values
    in ``keys`` equal the row's (keys that are not columns of ``data``, such as ``scope``,
    or that are missing on the row, do not narrow it). It may be shown when, for every
    question it draws on, it holds whole blocks. It is "small" when the people who answered
    (released or not) number 1 to k-1.
    """
    data = view.frame if data is None else data
    k = view.k
    ok = np.ones(len(result), dtype=bool)
    is_small = np.zeros(len(result), dtype=bool)
    if result.empty:
        return ok, is_small
    cols = [c for c in dict.fromkeys(keys) if c in data.columns and c in result.columns]
    res = result.reset_index(drop=True)
    # Missing or "" (an area or overall row of an item column) does not narrow a row.
    present = (res[cols].notna() & (res[cols].astype(str) != "")) if cols else \
        pd.DataFrame(index=res.index)
    patterns = present.drop_duplicates() if cols else pd.DataFrame([{}])
    blocks = view.decision.blocks
    atoms = view.decision.atoms[[*_ATOM, "block"]]
    base = _keys(data)
    for _, pat in patterns.iterrows():
        use = [c for c in cols if bool(pat.get(c, False))]
        rows = (present[use].all(axis=1) & ~present[[c for c in cols if c not in use]]
                .any(axis=1)) if cols else pd.Series(True, index=res.index)
        idx = np.flatnonzero(rows.to_numpy())
        if not len(idx):
            continue
        wanted = res.loc[idx, use].drop_duplicates() if use else None
        # Whole blocks: count the row's released people per block against the block's size.
        kk = base.copy()
        for c in use:
            kk[c] = data.loc[kk.index, c].to_numpy()
        kk = kk.drop_duplicates([*use, "item", "facet", "submission"]) if use else \
            kk.drop_duplicates(["item", "facet", "submission"])
        kk = kk.merge(atoms, on=_ATOM, how="left")
        got = kk.groupby([*use, "block"], dropna=False).size().rename("got").reset_index()
        got["whole"] = got["got"].to_numpy() == got["block"].map(blocks).to_numpy()
        whole = got.groupby(use)["whole"].all() if use else got["whole"].all()
        raw_n = _people(view.raw, use)
        if use:
            flags = wanted.merge(whole.rename("w").reset_index(), on=use, how="left") \
                .merge(raw_n.rename("r").reset_index(), on=use, how="left")
            m = res.loc[idx, use].merge(flags, on=use, how="left")
            w = m["w"].fillna(False).astype(bool).to_numpy()
            r = m["r"].fillna(0).to_numpy()
        else:
            w = np.full(len(idx), bool(whole) if len(got) else True)
            r = np.full(len(idx), float(raw_n))
        ok[idx] = w
        is_small[idx] = (r > 0) & (r < k)
    ok &= ~is_small
    return ok, is_small


def _people(raw: pd.DataFrame, use: list[str]):
    """People who answered (released or not) per value of ``use``."""
    if raw.empty:
        return pd.Series(dtype=float) if use else 0
    if not use:
        return raw["submission"].nunique()
    return raw.groupby(use, observed=True, dropna=False)["submission"].nunique()


def withhold(result: pd.DataFrame, k: int, *, keys, values, n: str = "n",
             view: View | None = None, data: pd.DataFrame | None = None,
             hide=None) -> pd.DataFrame:
    """Blank the figures of rows that may not be shown (``judge``), mark them.

    Returns the same rows with ``values`` missing where withheld, ``n`` as a nullable
    integer (missing where withheld), ``suppressed`` (bool) and ``n_shown`` ("< k" for a
    group of 1 to k-1 people, "withheld" for a row that would let a smaller group be worked
    out, else the count). ``hide``: rows the caller withholds as well (a boolean array).
    """
    out = result.copy()
    if view is not None and data is None:
        out = _placeholders(out, view, keys, n)
    if view is None:  # a table built outside a campaign: the primary rule alone
        small = (out[n].astype(float) < k).to_numpy()
        ok = ~small
    else:
        ok, small = judge(out, view, keys=keys, data=data)
    if hide is not None:
        ok &= ~np.asarray(hide, dtype=bool)
    hidden = pd.Series(~ok, index=out.index)
    _blank(out, hidden, values)
    counts = out[n].astype(float).to_numpy()
    out["n_shown"] = [(f"< {k}" if s else "withheld") if h else str(int(c))
                      for s, h, c in zip(small, hidden, np.nan_to_num(counts), strict=True)]
    out[n] = pd.array([pd.NA if h or np.isnan(c) else int(c)
                       for h, c in zip(hidden, counts, strict=True)], dtype="Int64")
    out["suppressed"] = hidden.to_numpy(dtype=bool)
    return out


def _placeholders(out: pd.DataFrame, view: View, keys, n: str) -> pd.DataFrame:
    """Rows for groups whose people are all held back, so a view can say they are withheld
    rather than leave them out without a word."""
    cols = [c for c in dict.fromkeys(keys) if c in out.columns]
    if not cols or any(c not in view.raw.columns for c in cols) or view.raw.empty:
        return out
    answered = view.raw[view.raw["value"].notna()] if "value" in view.raw else view.raw
    have = answered[cols].drop_duplicates()
    have = have[have.notna().all(axis=1)]
    if not len(out):
        missing = have
    else:
        seen = have.merge(out[cols].drop_duplicates(), on=cols, how="left", indicator=True)
        missing = seen.loc[seen["_merge"] == "left_only", cols]
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

    Returns one row per value of ``by`` (and one "everyone" row first, with ``by`` columns
    missing): ``n`` (released), ``suppressed``, ``n_shown``.
    """
    from ._data import check_by
    from ._data import min_group as threshold

    k = threshold(data, min_group)
    by = check_by(data, by, allowed=PARTITIONS)
    view = release(data, where, k)
    subs = view.frame.drop_duplicates("submission")
    rows = [pd.DataFrame({"n": [len(subs)]})]
    if by:
        per = subs.groupby(by, observed=True, dropna=False).size().rename("n").reset_index()
        rows.append(per)
    out = pd.concat(rows, ignore_index=True)
    # Counts are figures about the question "answered at all".
    anyone = view.frame.drop_duplicates("submission").assign(item=ANYONE[0], facet=ANYONE[1],
                                                             value=1.0)
    return withhold(out, k, keys=by, values=[], view=view, data=anyone)
