"""The disclosure decision over one campaign's answers: blocks and release cut-offs.

The rule is explained, with a worked example, in :mod:`focuskit.analysis.anonymity`; this
module computes it fast (integer codes and numpy, no string joins), because every view of a
campaign asks for it.

Questions that the same people answered (every required item) share one *class*: their
atoms, blocks and cut-offs are the same, so they are worked out once.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import pandas as pd

#: The question "answered at all": respondent counts are figures too.
ANYONE = ("*", "*")
NONE = np.iinfo(np.int64).min         # a cut-off that releases nobody
EARLIEST = NONE // 2                  # the time of an answer stored without one
#: Release answers in steps of at least k per block (the rule over time).
STEPS = True


@dataclass(frozen=True, eq=False)
class Decision:
    """What one campaign releases, for the threshold ``k``.

    Codes: ``items``, ``facets``, ``groups`` and ``segments`` (no segment is "") list the
    values; ``qclass[item, facet]`` is a question's class (-1: nobody answered it);
    ``block[class, group, segment]`` an atom's block (-1: no such atom, or held back);
    ``cutoff[block]`` the latest arrival time (int64 ns) the block releases; ``size[block]``
    the people it releases; ``n[class, group, segment]`` the people who answered.
    Immutable, so every frame cut from a campaign shares it.
    """

    k: int
    items: pd.Index
    facets: pd.Index
    groups: pd.Index
    segments: pd.Index
    qclass: np.ndarray
    block: np.ndarray
    cutoff: np.ndarray
    size: np.ndarray
    n: np.ndarray

    def __deepcopy__(self, memo):  # pandas deep-copies attrs on every operation
        return self

    def codes(self, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Each row's block (-1: none) and arrival time."""
        i = _code(frame["item"], self.items)
        f = _code(frame["facet"], self.facets)
        g = _code(frame["rater_group"], self.groups)
        s = _code(frame["segment"], self.segments, missing="") if "segment" in frame else \
            np.full(len(frame), self.segments.get_loc(""), dtype=np.int64)
        cls = np.where((i >= 0) & (f >= 0), self.qclass[np.maximum(i, 0), np.maximum(f, 0)], -1)
        ok = (cls >= 0) & (g >= 0) & (s >= 0)
        blk = np.where(ok, self.block[np.maximum(cls, 0), np.maximum(g, 0), np.maximum(s, 0)],
                       -1)
        return blk, times(frame)

    def released(self, frame: pd.DataFrame) -> np.ndarray:
        """Which rows of ``frame`` the figures may use."""
        blk, t = self.codes(frame)
        if not len(self.cutoff):  # every group held back
            return np.zeros(len(frame), dtype=bool)
        cut = np.where(blk >= 0, self.cutoff[np.maximum(blk, 0)], NONE)
        return (blk >= 0) & (t <= cut)


def _factor(col: pd.Series, extra: str | None = None,
            missing: str | None = None) -> tuple[np.ndarray, pd.Index]:
    """Codes of ``col`` into its sorted distinct values as text (plus ``extra``; a missing
    value is ``missing``), hashing the column once."""
    codes, uniques = pd.factorize(col, use_na_sentinel=True)
    text = [str(u) for u in uniques]
    index = pd.Index(sorted({*text, extra, missing if (codes < 0).any() else None} - {None}),
                     dtype=object)
    at = index.get_indexer(text)
    out = at[codes] if len(at) else np.zeros(len(codes), dtype=np.int64)
    if (codes < 0).any():
        out = np.where(codes < 0, index.get_loc(missing) if missing is not None else -1, out)
    return out.astype(np.int64), index


def _code(values: pd.Series, index: pd.Index, missing: str | None = None) -> np.ndarray:
    """Positions of ``values`` in ``index`` (-1: not there); hashes each distinct value
    once rather than converting every row to text."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    at = index.get_indexer([str(u) for u in uniques])
    out = at[codes] if len(at) else np.full(len(codes), -1, dtype=np.int64)
    if missing is not None and (codes < 0).any():
        out = np.where(codes < 0, index.get_indexer([missing])[0], out)
    else:
        out = np.where(codes < 0, -1, out)
    return out.astype(np.int64)


def segments(frame: pd.DataFrame) -> pd.Series:
    """The segment column as text, "" for none."""
    if "segment" not in frame:
        return pd.Series("", index=frame.index, dtype=object)
    s = frame["segment"]
    return s.astype(object).where(s.notna(), "").astype(str)


def times(frame: pd.DataFrame) -> np.ndarray:
    """Arrival times as int64 ns; an answer stored without one came first."""
    if "submitted_at" not in frame:
        return np.full(len(frame), EARLIEST, dtype=np.int64)
    t = pd.to_datetime(frame["submitted_at"], utc=True)
    ns = t.to_numpy(dtype="datetime64[ns]").astype(np.int64)
    return np.where(t.isna().to_numpy(), EARLIEST, ns)


def decide(frame: pd.DataFrame, k: int) -> Decision:
    """Blocks and cut-offs for one whole campaign's answers (rule: ``anonymity``)."""
    answered = frame[frame["value"].notna()] if "value" in frame else frame
    first = ~frame["submission"].duplicated().to_numpy()
    subs = frame[first]
    i_code, items = _factor(answered["item"], extra=ANYONE[0])
    f_code, facets = _factor(answered["facet"], extra=ANYONE[1])
    nf = len(facets)

    # One row per (question, submission); "answered at all" for every submission.
    sub_all, sub_index = pd.factorize(frame["submission"], sort=True)
    mask = frame["value"].notna().to_numpy() if "value" in frame else np.ones(len(frame), bool)
    nsub = len(sub_index)
    q = np.r_[i_code * nf + f_code,
              np.full(len(subs), items.get_loc(ANYONE[0]) * nf + facets.get_loc(ANYONE[1]))]
    who = np.r_[sub_all[mask], sub_all[first]]
    key = np.sort(q.astype(np.int64) * nsub + who)
    key = key[np.r_[True, key[1:] != key[:-1]]] if len(key) else key
    q, who = key // nsub, key % nsub
    order = np.argsort(sub_all[first], kind="stable")
    per_sub = subs.iloc[order]
    g_of, groups = _factor(per_sub["rater_group"])
    if "segment" in per_sub:
        s_of, segs = _factor(per_sub["segment"], missing="")
    else:
        s_of, segs = np.zeros(len(per_sub), dtype=np.int64), pd.Index([""], dtype=object)
    ng, ns = len(groups), len(segs)
    t_of = times(per_sub)

    # Classes: questions answered by the same people (key is sorted by question, then
    # submission, so equal member lists are equal slices).
    qs, starts = np.unique(q, return_index=True)
    ends = np.r_[starts[1:], len(q)] if len(q) else starts
    mix = (who.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)) * np.uint64(0xBF58476D1CE4E5B9)
    sig = np.add.reduceat(mix ^ (mix >> np.uint64(31)), starts) if len(q) else mix
    classes: dict = {}
    cls_of_q = np.empty(len(qs), dtype=np.int64)
    reps: list[int] = []
    for j, (a, b) in enumerate(zip(starts, ends, strict=True)):
        cand = classes.get((int(b - a), int(sig[j])), [])
        for c in cand:
            r = reps[c]
            if np.array_equal(who[a:b], who[starts[r]:ends[r]]):
                cls_of_q[j] = c
                break
        else:
            cls_of_q[j] = len(reps)
            classes.setdefault((int(b - a), int(sig[j])), []).append(len(reps))
            reps.append(j)
    qclass = np.full((len(items), nf), -1, dtype=np.int64)
    qclass[qs // nf, qs % nf] = cls_of_q

    # Per class: each rater group releases its answers in arrival order, in steps of at
    # least k; the blocks are then formed from the answers released.
    nc = len(reps)
    count = np.zeros((nc, ng, ns), dtype=np.int64)
    released = np.zeros((nc, ng, ns), dtype=np.int64)
    group_cut = np.full((nc, ng), NONE, dtype=np.int64)
    for c, j in enumerate(reps):
        members = who[starts[j]:ends[j]]
        g, s, t = g_of[members], s_of[members], t_of[members]
        np.add.at(count[c], (g, s), 1)
        size_g = np.zeros(ng, dtype=np.int64)
        _cutoffs(g, t, k, group_cut[c], size_g)
        out = t <= group_cut[c][g]
        np.add.at(released[c], (g[out], s[out]), 1)
    block = _blocks(released, k)
    nb = int(block.max()) + 1 if block.size and block.max() >= 0 else 0
    cut = np.full(nb, NONE, dtype=np.int64)
    size = np.zeros(nb, dtype=np.int64)
    c_idx, g_idx, s_idx = np.nonzero(block >= 0)
    b = block[c_idx, g_idx, s_idx]
    cut[b] = group_cut[c_idx, g_idx]
    np.add.at(size, b, released[c_idx, g_idx, s_idx])
    return Decision(k=k, items=items, facets=facets, groups=groups, segments=segs,
                    qclass=qclass, block=block, cutoff=cut, size=size, n=count)


def _blocks(count: np.ndarray, k: int) -> np.ndarray:
    """Block ids for atoms ``count[class, group, segment]`` (-1: none or held back).

    Within a class and group: an atom of at least k is its own block; the small atoms form a
    rest block; a rest block under k takes the group's smallest large atom (the first by
    segment on a tie); a group under k in all is held back.
    """
    nc, ng, ns = count.shape
    block = np.full(count.shape, -1, dtype=np.int64)
    next_id = 0
    for c in range(nc):
        for g in range(ng):
            n = count[c, g]
            present = n > 0
            if not present.any():
                continue
            small = present & (n < k)
            large = n >= k
            rest = int(n[small].sum())
            for s in np.flatnonzero(large):
                block[c, g, s] = next_id
                next_id += 1
            if not small.any():
                continue
            if rest >= k:
                block[c, g, small] = next_id
                next_id += 1
            elif large.any():
                smallest = np.flatnonzero(large)[np.argmin(n[large])]
                block[c, g, small] = block[c, g, smallest]
            # else: the whole group is under k and stays held back (-1)
    return block


def _cutoffs(blk: np.ndarray, t: np.ndarray, k: int, cut: np.ndarray, size: np.ndarray):
    """Fill ``cut`` and ``size`` for the blocks in ``blk``: a block releases its answers in
    arrival order, a step at a time, each step at least k answers (answers stored at the
    same moment arrive together)."""
    if not len(blk):
        return
    order = np.lexsort((t, blk))
    blk, t = blk[order], t[order]
    starts = np.flatnonzero(np.r_[True, blk[1:] != blk[:-1]])
    ends = np.r_[starts[1:], len(blk)]
    for a, b in zip(starts, ends, strict=True):
        times_ = t[a:b]
        n = b - a
        if n < k:
            continue
        if not STEPS:
            cut[blk[a]], size[blk[a]] = times_[-1], n
            continue
        if (times_[1:] != times_[:-1]).all():  # one at a time: steps of exactly k
            m = (n // k) * k
            cut[blk[a]], size[blk[a]] = times_[m - 1], m
            continue
        uniq, counts = np.unique(times_, return_counts=True)
        total = np.cumsum(counts)
        last, done = -1, 0
        while True:  # the next step ends at the first time k more have arrived
            j = int(np.searchsorted(total, done + k))
            if j >= len(total):
                break
            last, done = j, int(total[j])
        if last >= 0:
            cut[blk[a]], size[blk[a]] = uniq[last], done


class Lazy:
    """The decision over a whole campaign frame, made on first use, shared by its cuts."""

    def __init__(self, frame: pd.DataFrame):
        self._frame = frame
        self._made: dict[int, Decision] = {}
        self._cells = _cells(frame)

    def __deepcopy__(self, memo):
        return self

    def covers(self, data: pd.DataFrame) -> bool:
        """Whether ``data`` is a cut of the whole frame: the same people in the same cells.
        A frame edited or joined after it was cut is judged on its own."""
        if data is self._frame:
            return True
        cells = _cells(data)
        known = self._cells.reindex(cells.index)
        return bool(known.notna().all() and (known == cells).all())

    def get(self, k: int) -> Decision:
        if k not in self._made:
            self._made[k] = cached(self._frame, k)
        return self._made[k]


def _cells(frame: pd.DataFrame) -> pd.Series:
    """Each submission's cell, "group|segment"."""
    subs = frame.drop_duplicates("submission")
    return pd.Series((subs["rater_group"].astype(str) + "|" + segments(subs)).to_numpy(),
                     index=subs["submission"].to_numpy())


_CACHE: OrderedDict = OrderedDict()
_CACHE_SIZE = 16


def _state(frame: pd.DataFrame, k: int) -> tuple:
    """The same answers give the same key, so the decision is made once per state."""
    cols = [c for c in ("submission", "item", "facet", "rater_group", "segment", "value",
                        "submitted_at") if c in frame]
    h = pd.util.hash_pandas_object(frame[cols], index=False).to_numpy()
    return (frame.attrs.get("campaign"), k, len(frame), int(h.sum()), int((h * h).sum()))


def cached(frame: pd.DataFrame, k: int) -> Decision:
    """``decide``, remembered for the last few states of the answers."""
    key = _state(frame, k)
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    out = decide(frame, k)
    _CACHE[key] = out
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return out
