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
#: The time of an answer stored without one: it came first.
EARLIEST = np.iinfo(np.int64).min // 2


@dataclass(frozen=True, eq=False)
class Decision:
    """What one campaign releases, for the threshold ``k``.

    Codes: ``items`` and ``facets`` list the values; ``qclass[item, facet]`` is a question's
    class (-1: nobody answered it); ``subs`` lists the submissions; ``block[class, sub]`` is
    the block a submission's answers to that class's questions belong to (-1: not released
    yet, or never: a group under k, or a block that held an erased respondent);
    ``size[block]`` the people the block releases. Immutable, so every frame cut from a
    campaign shares it.
    """

    k: int
    items: pd.Index
    facets: pd.Index
    subs: pd.Index
    qclass: np.ndarray
    block: np.ndarray
    size: np.ndarray

    def __deepcopy__(self, memo):  # pandas deep-copies attrs on every operation
        return self

    def codes(self, frame: pd.DataFrame) -> np.ndarray:
        """Each row's block (-1: none)."""
        i = _code(frame["item"], self.items)
        f = _code(frame["facet"], self.facets)
        codes, uniques = pd.factorize(frame["submission"], use_na_sentinel=True)
        at = self.subs.get_indexer(uniques)
        sub = at[codes] if len(at) else np.full(len(codes), -1, dtype=np.int64)
        sub = np.where(codes < 0, -1, sub)
        cls = np.where((i >= 0) & (f >= 0), self.qclass[np.maximum(i, 0), np.maximum(f, 0)], -1)
        ok = (cls >= 0) & (sub >= 0)
        if not self.block.size:
            return np.full(len(frame), -1, dtype=np.int64)
        return np.where(ok, self.block[np.maximum(cls, 0), np.maximum(sub, 0)], -1)

    def released(self, frame: pd.DataFrame) -> np.ndarray:
        """Which rows of ``frame`` the figures may use."""
        return self.codes(frame) >= 0


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


def decide(frame: pd.DataFrame, k: int, erased=()) -> Decision:
    """Blocks for one whole campaign's answers (rule: ``anonymity``).

    ``erased``: (submission, rater_group, segment, submitted_at) of erased respondents; they
    keep their place in the arrival order, and the block they were in stays withheld.
    """
    answered = frame[frame["value"].notna()] if "value" in frame else frame
    first = ~frame["submission"].duplicated().to_numpy()
    subs = frame[first]
    i_code, items = _factor(answered["item"], extra=ANYONE[0])
    f_code, facets = _factor(answered["facet"], extra=ANYONE[1])
    nf = len(facets)

    # One row per (question, submission); "answered at all" for every submission.
    sub_index = pd.Index(subs["submission"].to_numpy())
    nsub = len(sub_index)
    sub_all = sub_index.get_indexer(frame["submission"])
    mask = frame["value"].notna().to_numpy() if "value" in frame else np.ones(len(frame), bool)
    q = np.r_[i_code * nf + f_code,
              np.full(nsub, items.get_loc(ANYONE[0]) * nf + facets.get_loc(ANYONE[1]))]
    who = np.r_[sub_all[mask], np.arange(nsub)]
    key = np.sort(q.astype(np.int64) * max(nsub, 1) + who)
    key = key[np.r_[True, key[1:] != key[:-1]]] if len(key) else key
    q, who = key // max(nsub, 1), key % max(nsub, 1)

    # Each submission's cell and arrival time; the erased after them, answering everything.
    gone = pd.DataFrame(list(erased), columns=["submission", "rater_group", "segment",
                                               "submitted_at"])
    people = pd.concat([subs[[c for c in ("rater_group", "segment", "submitted_at")
                              if c in subs]], gone.drop(columns="submission")],
                       ignore_index=True)
    g_of, _ = _factor(people["rater_group"])
    s_of, _ = _factor(people["segment"], missing="") if "segment" in people else \
        (np.zeros(len(people), dtype=np.int64), None)
    t_of = times(people)
    is_gone = np.r_[np.zeros(nsub, bool), np.ones(len(gone), bool)]
    tombs = np.arange(nsub, len(people))

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

    # Per class and rater group, replay the arrivals and form the blocks (fixed once made).
    block = np.full((len(reps), nsub), -1, dtype=np.int64)
    sizes: list[int] = []
    for c, j in enumerate(reps):
        members = np.r_[who[starts[j]:ends[j]], tombs]
        g = g_of[members]
        order = np.lexsort((members, g))
        members, g = members[order], g[order]
        cuts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]]) if len(g) else np.array([], int)
        for a, b in zip(cuts, np.r_[cuts[1:], len(g)], strict=True):
            mem = members[a:b]
            for blk in replay(s_of[mem], t_of[mem], k):
                people_ = mem[blk]
                if is_gone[people_].any():
                    continue  # an erased respondent's block is never shown again
                block[c, people_] = len(sizes)
                sizes.append(len(people_))
    return Decision(k=k, items=items, facets=facets, subs=sub_index, qclass=qclass,
                    block=block, size=np.asarray(sizes, dtype=np.int64))


def replay(seg: np.ndarray, t: np.ndarray, k: int) -> list[np.ndarray]:
    """The blocks one rater group's answers to one question form, as positions into
    ``seg``/``t``, replaying the arrivals in time order (answers stored at the same moment
    arrive together). A block, once formed, never changes, so every figure ever shown is a
    union of the same blocks. After each moment:

    * a segment whose waiting answers number k or more forms a block of them;
    * the waiting answers of the other segments form one block when they number k or more;
    * else this moment's own leftovers join the smallest block formed at this moment (an
      import of a small segment beside a large one), and older ones keep waiting.
    """
    n = len(seg)
    if n < k:
        return []
    order = np.lexsort((np.arange(n), t))
    seg, t = seg[order], t[order]
    bounds = np.flatnonzero(np.r_[True, t[1:] != t[:-1]])
    bounds = np.r_[bounds, n]
    if (seg == seg[0]).all():  # one segment: steps of at least k, in arrival order
        out, start = [], 0
        for e in bounds[1:]:
            if e - start >= k:
                out.append(order[start:e])
                start = e
        return out
    out: list[np.ndarray] = []
    waiting: dict[int, list[int]] = {}
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        for p in range(a, b):
            waiting.setdefault(int(seg[p]), []).append(p)
        made = []
        for s in sorted(waiting):
            if len(waiting[s]) >= k:
                made.append(len(out))
                out.append(waiting.pop(s))
        left = sum(len(v) for v in waiting.values())
        if left >= k:
            out.append([p for s in sorted(waiting) for p in waiting[s]])
            waiting.clear()
        elif made and left:
            now = [p for s in sorted(waiting) for p in waiting[s] if p >= a]
            if now:
                smallest = min(made, key=lambda m: (len(out[m]), m))
                out[smallest] = out[smallest] + now
                for s in list(waiting):
                    waiting[s] = [p for p in waiting[s] if p < a]
                    if not waiting[s]:
                        del waiting[s]
    return [order[np.asarray(blk)] for blk in out]


def attach(frame: pd.DataFrame) -> pd.DataFrame:
    """Mark ``frame`` as a whole campaign, so any cut of it is judged against the whole."""
    frame.attrs["disclosure"] = Lazy(frame)
    return frame


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
    return (frame.attrs.get("campaign"), k, len(frame), int(h.sum()), int((h * h).sum()),
            erased_places(frame))


def erased_places(frame: pd.DataFrame) -> tuple:
    """The erased respondents' places (``Store.responses`` puts them in the attrs)."""
    return tuple(frame.attrs.get("erased", ()))


def cached(frame: pd.DataFrame, k: int) -> Decision:
    """``decide``, remembered for the last few states of the answers."""
    key = _state(frame, k)
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    out = decide(frame, k, key[-1])
    _CACHE[key] = out
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return out
