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


def decide(frame: pd.DataFrame, k: int, base: int | None = None) -> Decision:
    """Blocks for one whole campaign's answers (rule: ``anonymity``).

    ``base``: the campaign's own minimum group, when ``k`` is larger (a stricter view): the
    blocks are then made of the campaign's blocks, so that figures at both thresholds
    combine into nothing finer than the campaign's blocks. Submissions listed in
    ``frame.attrs["withheld"]`` (counted with an erased respondent) are in no figure.
    """
    held = frame.attrs.get("withheld", ())
    if len(held):
        frame = frame[~frame["submission"].isin(list(held))]
    answered = frame[frame["value"].notna()] if "value" in frame else frame
    first = ~frame["submission"].duplicated().to_numpy()
    subs = frame[first]
    i_code, items = _factor(answered["item"], extra=ANYONE[0])
    f_code, facets = _factor(answered["facet"], extra=ANYONE[1])
    nf = len(facets)

    # One row per (question, submission); "answered at all" for every submission.
    sub_index = pd.Index(subs["submission"].to_numpy())
    nsub = len(sub_index)
    width = max(nsub, 1)
    sub_all = sub_index.get_indexer(frame["submission"])
    mask = frame["value"].notna().to_numpy() if "value" in frame else np.ones(len(frame), bool)
    q = np.r_[i_code * nf + f_code,
              np.full(nsub, items.get_loc(ANYONE[0]) * nf + facets.get_loc(ANYONE[1]))]
    who = np.r_[sub_all[mask], np.arange(nsub)]
    key = np.sort(q.astype(np.int64) * width + who)
    key = key[np.r_[True, key[1:] != key[:-1]]] if len(key) else key
    q, who = key // width, key % width
    g_of, _ = _factor(subs["rater_group"])
    s_of, _ = _factor(subs["segment"], missing="") if "segment" in subs else \
        (np.zeros(nsub, dtype=np.int64), None)
    t_of = times(subs)

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
    first_k = base if base is not None and base < k else k
    block = np.full((len(reps), nsub), -1, dtype=np.int64)
    sizes: list[int] = []
    for c, j in enumerate(reps):
        members = who[starts[j]:ends[j]]
        g = g_of[members]
        order = np.argsort(g, kind="stable")
        members, g = members[order], g[order]
        cuts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]]) if len(g) else np.array([], int)
        for a, b in zip(cuts, np.r_[cuts[1:], len(g)], strict=True):
            mem = members[a:b]
            made = replay(s_of[mem], t_of[mem], first_k)
            if first_k < k:  # the campaign's blocks are the units of the stricter view
                mixed = int(s_of.max(initial=0)) + 1
                unit_seg = np.array([s_of[mem[p][0]] if (s_of[mem[p]] == s_of[mem[p][0]]).all()
                                     else mixed for p, _ in made], dtype=np.int64)
                unit_t = np.array([when for _, when in made], dtype=np.int64)
                unit_w = np.array([len(p) for p, _ in made], dtype=np.int64)
                made = [(np.concatenate([made[u][0] for u in units]), when)
                        for units, when in replay(unit_seg, unit_t, k, unit_w)]
            for people, _ in made:
                block[c, mem[people]] = len(sizes)
                sizes.append(len(people))
    return Decision(k=k, items=items, facets=facets, subs=sub_index, qclass=qclass,
                    block=block, size=np.asarray(sizes, dtype=np.int64))


def replay(seg: np.ndarray, t: np.ndarray, k: int,
           weight: np.ndarray | None = None) -> list[tuple[np.ndarray, int]]:
    """The blocks one rater group's answers to one question form, as (positions into
    ``seg``/``t``, the time the block formed), replaying the arrivals in time order (answers
    stored at the same moment arrive together). ``weight``: people per arrival (1 each by
    default). A block, once formed, never changes, so every figure ever shown is a union of
    the same blocks. After each moment:

    * a segment whose waiting answers number k or more forms a block of them;
    * the waiting answers of the other segments form one block when they number k or more;
    * else this moment's own leftovers join the smallest block formed at this moment (an
      import of a small segment beside a large one), and older ones keep waiting.

    Removing a whole block's arrivals from the replay leaves every other block as it was
    (the erasure rule relies on it): its members only ever waited, alone or together.
    """
    n = len(seg)
    w = np.ones(n, dtype=np.int64) if weight is None else np.asarray(weight, dtype=np.int64)
    if int(w.sum()) < k:
        return []
    order = np.lexsort((np.arange(n), t))
    seg, t, w = seg[order], t[order], w[order]
    bounds = np.r_[np.flatnonzero(np.r_[True, t[1:] != t[:-1]]), n]
    out: list[list] = []  # [positions, people, time]
    if (seg == seg[0]).all():  # one segment: steps of at least k, in arrival order
        total, start = np.r_[0, np.cumsum(w)], 0
        for e in bounds[1:]:
            if total[e] - total[start] >= k:
                out.append([list(range(start, e)), 0, t[e - 1]])
                start = e
        return [(order[np.asarray(p)], int(when)) for p, _, when in out]
    waiting: dict[int, list[int]] = {}
    people: dict[int, int] = {}
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        for p in range(a, b):
            s = int(seg[p])
            waiting.setdefault(s, []).append(p)
            people[s] = people.get(s, 0) + int(w[p])
        made = []
        for s in sorted(waiting):
            if people[s] >= k:
                made.append(len(out))
                out.append([waiting.pop(s), people.pop(s), t[a]])
        left = sum(people.values())
        if left >= k:
            out.append([[p for s in sorted(waiting) for p in waiting[s]], left, t[a]])
            waiting.clear()
            people.clear()
        elif made and left:
            now = [p for s in sorted(waiting) for p in waiting[s] if p >= a]
            if now:
                smallest = min(made, key=lambda m: (out[m][1], m))
                out[smallest][0] = out[smallest][0] + now
                out[smallest][1] += int(w[now].sum())
                for s in list(waiting):
                    waiting[s] = [p for p in waiting[s] if p < a]
                    people[s] = int(w[waiting[s]].sum()) if waiting[s] else 0
                    if not waiting[s]:
                        del waiting[s], people[s]
    return [(order[np.asarray(p)], int(when)) for p, _, when in out]


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
            tuple(frame.attrs.get("withheld", ())), base_of(frame, k))


def base_of(frame: pd.DataFrame, k: int) -> int | None:
    """The campaign's own minimum group (attrs), when it is below ``k``. A view that raised
    ``min_group_size`` (a stricter dashboard) keeps the campaign's in ``campaign_min_group``."""
    base = frame.attrs.get("campaign_min_group", frame.attrs.get("min_group_size"))
    return int(base) if isinstance(base, (int, np.integer)) and 0 < base < k else None


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
