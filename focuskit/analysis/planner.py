"""A contact and sample planner: how many customers to visit, survey or call per segment, and
what a given number of contacts can tell you.

Answers Marra's question to a chief executive who visited 100 large customers a year: why
100, and why none of the six million residential customers?
"""

from __future__ import annotations

import math
import numbers

import numpy as np
import pandas as pd

__all__ = ["ALLOCATIONS", "contact_plan", "margin_for", "sample_size"]

ALLOCATIONS = ("proportional", "equal", "weighted")


# -- checks ------------------------------------------------------------------------------------
def _share(x, name: str) -> float:
    if isinstance(x, bool) or not isinstance(x, numbers.Real) or not 0 < float(x) < 1:
        raise ValueError(f"{name} must be a number strictly between 0 and 1 (e.g. "
                         f"{ {'margin': 0.05, 'confidence': 0.95, 'p': 0.5}.get(name, 0.5)}), "
                         f"not {x!r}")
    return float(x)


def _count(x, name: str, *, positive: bool = False) -> int:
    ok = not isinstance(x, bool) and isinstance(x, numbers.Real) and math.isfinite(float(x)) \
        and float(x).is_integer() and float(x) >= (1 if positive else 0)
    if not ok:
        least = "at least 1" if positive else "0 or more"
        raise ValueError(f"{name} must be a whole number, {least}; not {x!r}")
    return int(x)


def _z(confidence: float) -> float:
    from scipy import stats

    return float(stats.norm.ppf((1 + confidence) / 2))


# -- formulas ----------------------------------------------------------------------------------
def sample_size(population: int | None = None, *, margin: float = 0.05,
                confidence: float = 0.95, p: float = 0.5) -> int:
    """Contacts needed to estimate a proportion within ±margin (Cochran, with the FPC).

    n0 = z²·p(1-p)/e², then n = n0 / (1 + (n0 - 1)/N), rounded up; ``population=None``
    gives ⌈n0⌉ (an unlimited population). z is the two-sided normal quantile of
    ``confidence`` (1.959964 for 0.95). Reference: W. G. Cochran, *Sampling Techniques*,
    3rd ed., Wiley 1977, eqs. 4.2 and 4.3.

    Examples
    --------
    >>> sample_size(1000)
    278
    """
    margin, confidence, p = (_share(margin, "margin"), _share(confidence, "confidence"),
                             _share(p, "p"))
    n0 = _z(confidence) ** 2 * p * (1 - p) / margin ** 2
    if population is None:
        return math.ceil(n0 - 1e-9)
    N = _count(population, "population", positive=True)
    return min(N, math.ceil(n0 / (1 + (n0 - 1) / N) - 1e-9))


def margin_for(n, population=None, confidence: float = 0.95, p: float = 0.5):
    """The margin of error (half-width of the interval of a proportion) that n contacts buy.

    e = z·sqrt(p(1-p)/n · (N - n)/(N - 1)), the inverse of Cochran's formula with the finite
    population correction; without a population, e = z·sqrt(p(1-p)/n). n = 0 gives inf
    (nothing can be said); n = N gives 0 (a census). Reference: Cochran 1977, eq. 3.8.

    Parameters
    ----------
    n : int or array of int
        Contacts (completed responses).
    population : int or array of int, optional
        Segment size N; None for an unlimited population.
    confidence : float, default 0.95
    p : float, default 0.5
        The proportion assumed; 0.5 gives the widest (most cautious) margin.

    Returns
    -------
    float or ndarray
        As a share: 0.093 reads ±9.3 percentage points.

    Examples
    --------
    >>> round(margin_for(100, 1000), 4)
    0.093
    """
    confidence, p = _share(confidence, "confidence"), _share(p, "p")
    scalar = np.ndim(n) == 0 and np.ndim(population) == 0
    n_arr = np.atleast_1d(np.asarray(n, dtype=float))
    if np.isnan(n_arr).any() or (n_arr < 0).any() or (n_arr != np.floor(n_arr)).any():
        raise ValueError(f"n must be whole numbers of contacts, 0 or more; not {n!r}")
    if population is None:
        fpc = np.ones_like(n_arr)
    else:
        N = np.atleast_1d(np.asarray(population, dtype=float))
        if np.isnan(N).any() or (N < 1).any() or (N != np.floor(N)).any():
            raise ValueError(f"population must be whole numbers, at least 1; not {population!r}")
        n_arr, N = np.broadcast_arrays(n_arr, N)
        if (n_arr > N).any():
            raise ValueError("n cannot exceed the population: you cannot contact more "
                             "customers than there are")
        with np.errstate(invalid="ignore", divide="ignore"):
            fpc = np.where(N > 1, (N - n_arr) / np.where(N > 1, N - 1, 1), 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        e = _z(confidence) * np.sqrt(p * (1 - p) / n_arr * fpc)
    e = np.where(n_arr == 0, np.inf, e)
    return float(e[0]) if scalar else e


def _largest_remainder(quota: np.ndarray, total: int) -> np.ndarray:
    """Whole numbers summing to ``total``: floors, then one more for the largest remainders
    (ties to the earlier segment)."""
    base = np.floor(quota + 1e-9).astype(int)
    left = total - int(base.sum())
    if left > 0:
        rem = quota - base
        order = sorted(range(len(quota)), key=lambda i: (-round(rem[i], 12), i))
        for i in order[:left]:
            base[i] += 1
    return base


def _allocate(budget: int, population: np.ndarray, share: np.ndarray) -> np.ndarray:
    """Split ``budget`` in proportion to ``share``, no segment above its population.

    Segments whose quota exceeds their population get all of it; the rest of the budget is
    shared again among the others, until no quota exceeds a population."""
    alloc = np.zeros(len(population))
    capped = np.zeros(len(population), dtype=bool)
    remaining = float(budget)
    while True:
        open_ = ~capped & (share > 0)
        if not open_.any() or remaining <= 0:
            break
        quota = np.where(open_, remaining * share / share[open_].sum(), 0.0)
        over = open_ & (quota > population)
        if not over.any():
            alloc[open_] = quota[open_]
            break
        alloc[over] = population[over]
        capped |= over
        remaining -= population[over].sum()
    total = int(round(alloc.sum()))
    return _largest_remainder(alloc, total)


# -- the plan ----------------------------------------------------------------------------------
def _named(values, names: list[str], what: str, *, allow_missing: bool) -> dict:
    if values is None:
        return {}
    if isinstance(values, pd.Series):
        values = values.to_dict()
    if not isinstance(values, dict):
        raise ValueError(f"{what} must be a dict of segment name to number, not "
                         f"{type(values).__name__}")
    unknown = [k for k in values if k not in names]
    if unknown:
        raise ValueError(f"{what} names unknown segment(s) {unknown}; the segments are {names}")
    if not allow_missing:
        missing = [k for k in names if k not in values]
        if missing:
            raise ValueError(f"{what} gives no value for segment(s) {missing}")
    return values


def _segments(segments) -> tuple[list[str], np.ndarray, dict, dict]:
    """Names and populations; weights and planned contacts if the frame carries them."""
    weights, planned = {}, {}
    if isinstance(segments, pd.DataFrame):
        need = [c for c in ("segment", "population") if c not in segments.columns]
        if need:
            raise ValueError(f"the segments frame needs columns 'segment' and 'population' "
                             f"(missing {need}); optional 'weight' and 'planned'")
        names = [str(s) for s in segments["segment"]]
        sizes = list(segments["population"])
        if "weight" in segments.columns:
            weights = dict(zip(names, segments["weight"], strict=True))
        if "planned" in segments.columns:
            planned = dict(zip(names, segments["planned"], strict=True))
    elif isinstance(segments, (dict, pd.Series)):
        names = [str(s) for s in segments.keys()]
        sizes = list(segments.values) if isinstance(segments, pd.Series) else \
            list(segments.values())
    else:
        raise ValueError("segments must be a dict of segment name to population, e.g. "
                         "{'residential': 6_000_000, 'large': 1_000}, or a DataFrame with "
                         "'segment' and 'population' columns")
    if not names:
        raise ValueError("give at least one segment and its population")
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ValueError(f"segment name(s) {dup} appear more than once")
    pops = np.array([_count(s, f"the population of {n!r}", positive=True)
                     for n, s in zip(names, sizes, strict=True)], dtype=float)
    return names, pops, weights, planned


def contact_plan(segments, *, margin: float = 0.05, confidence: float = 0.95, p: float = 0.5,
                 budget: int | None = None, allocation: str = "proportional", weights=None,
                 planned=None) -> pd.DataFrame:
    """Contacts needed per segment, the margin planned contacts buy, and a budget's split.

    Parameters
    ----------
    segments : dict or DataFrame
        Segment name → population (customers in the segment), or a frame with columns
        ``segment`` and ``population`` (optional ``weight``, ``planned``).
    margin : float, default 0.05
        The margin of error wanted in each segment, as a share (0.05 = ±5 points).
    confidence : float, default 0.95
    p : float, default 0.5
        The proportion assumed; 0.5 is the most cautious.
    budget : int, optional
        A fixed number of contacts to share out across segments.
    allocation : {"proportional", "equal", "weighted"}, default "proportional"
        How the budget is shared: by population, equally, or by ``weights``.
    weights : dict, optional
        Segment → value weight (e.g. revenue of the segment), for ``allocation="weighted"``:
        each segment's share of the budget is w_i / Σw.
    planned : dict, optional
        Segment → contacts currently planned (segments left out plan 0).

    Returns
    -------
    DataFrame
        One row per segment: segment, population, needed, planned, margin_planned,
        allocated, margin_allocated, note. ``planned`` and ``allocated`` are missing when
        not asked for; a margin is inf where a segment gets no contacts (the note says so)
        and 0 for a census. ``attrs`` holds margin, confidence, p, z, budget, allocation
        and unused (contacts of a budget larger than all the segments together).

    Notes
    -----
    - needed: Cochran's n0 = z²·p(1-p)/e², with the finite population correction
      n = n0 / (1 + (n0 - 1)/N), rounded up (Cochran, *Sampling Techniques*, 3rd ed., 1977,
      eqs. 4.2-4.3). For e = 0.05, 95% and p = 0.5: n0 = 384.1 (384.16 with z = 1.96), so
      385 for an unlimited population, 278 for N = 1,000, 383 for N = 100,000.
    - margin: e = z·sqrt(p(1-p)/n · (N - n)/(N - 1)) (``margin_for``).
    - allocation: quotas q_i = B·s_i with s_i = N_i/ΣN (proportional), 1/m (equal) or
      w_i/Σw (weighted); a segment whose quota exceeds its population gets its whole
      population and the rest of the budget is shared again among the others. Quotas are
      rounded by the largest-remainder (Hamilton) method, so the allocations sum to the
      budget (or to the total population, if the budget exceeds it).
    - Margins are per segment, for a simple random sample of each segment: visits chosen by
      a sales lead are not a random sample, and their margin is a best case.

    Examples
    --------
    >>> plan = contact_plan({"residential": 6_000_000, "small business": 100_000,
    ...                      "large": 1_000}, planned={"large": 100})
    >>> plan[["segment", "needed", "planned"]].values.tolist()
    [['residential', 385, 0], ['small business', 383, 0], ['large', 278, 100]]
    """
    margin, confidence, p = (_share(margin, "margin"), _share(confidence, "confidence"),
                             _share(p, "p"))
    names, pops, frame_weights, frame_planned = _segments(segments)
    if allocation not in ALLOCATIONS:
        raise ValueError(f"allocation must be one of {', '.join(ALLOCATIONS)}, not {allocation!r}")
    if budget is not None:
        budget = _count(budget, "budget")
    if weights is not None and allocation != "weighted":
        raise ValueError(f"weights are used only with allocation='weighted' (not {allocation!r})")
    weights = _named(weights if weights is not None else (frame_weights or None), names,
                     "weights", allow_missing=False)
    w = np.full(len(names), np.nan)
    if allocation == "weighted":
        if budget is None:
            raise ValueError("allocation='weighted' shares out a budget: pass budget=")
        if not weights:
            raise ValueError("allocation='weighted' needs weights={segment: weight, ...}")
        for i, n in enumerate(names):
            x = weights[n]
            if isinstance(x, bool) or not isinstance(x, numbers.Real) or not \
                    math.isfinite(float(x)) or float(x) < 0:
                raise ValueError(f"the weight of {n!r} must be a number, 0 or more; not {x!r}")
            w[i] = float(x)
        if not (w > 0).any():
            raise ValueError("at least one weight must be above 0")
    planned = _named(planned if planned is not None else (frame_planned or None), names,
                     "planned", allow_missing=True)

    z = _z(confidence)
    n0 = z ** 2 * p * (1 - p) / margin ** 2
    needed = np.array([min(int(N), math.ceil(n0 / (1 + (n0 - 1) / N) - 1e-9)) for N in pops])
    out = pd.DataFrame({"segment": names, "population": pops.astype("int64"),
                        "needed": needed.astype("int64")})

    notes: list[list[str]] = [[] for _ in names]
    if planned:
        plan = np.array([_count(planned.get(n, 0), f"planned contacts for {n!r}")
                         for n in names], dtype=float)
        over = [n for n, c, N in zip(names, plan, pops, strict=True) if c > N]
        if over:
            raise ValueError(f"more contacts planned than customers in segment(s) {over}")
        out["planned"] = pd.array(plan.astype(int), dtype="Int64")
        out["margin_planned"] = margin_for(plan, pops, confidence, p)
        for i, c in enumerate(plan):
            if c == 0:
                notes[i].append("no contacts planned: nothing can be said about this segment")
            elif c < needed[i]:
                notes[i].append(f"planned {int(c)} of the {needed[i]} needed for ±{_pct(margin)}")
    else:
        out["planned"] = pd.array([pd.NA] * len(names), dtype="Int64")
        out["margin_planned"] = np.nan

    if budget is not None:
        share = {"proportional": pops / pops.sum(), "equal": np.ones(len(names)) / len(names),
                 "weighted": w / w.sum() if allocation == "weighted" else w}[allocation]
        alloc = _allocate(budget, pops, share)
        out["allocated"] = pd.array(alloc, dtype="Int64")
        out["margin_allocated"] = margin_for(alloc, pops, confidence, p)
        for i, a in enumerate(alloc):
            if a == 0:
                notes[i].append("no contacts allocated: nothing can be said about this segment")
            elif a == pops[i]:
                notes[i].append("allocated the whole segment (a census)")
        if budget > pops.sum():
            out.attrs["unused"] = budget - int(pops.sum())
    else:
        out["allocated"] = pd.array([pd.NA] * len(names), dtype="Int64")
        out["margin_allocated"] = np.nan
    out["note"] = ["; ".join(n) for n in notes]
    out.attrs.update(margin=margin, confidence=confidence, p=p, z=z, budget=budget,
                     allocation=allocation if budget is not None else None)
    out.attrs.setdefault("unused", 0)
    return out


def _pct(e: float) -> str:
    """0.0930 -> '9.3%'."""
    return f"{100 * e:.1f}%"
