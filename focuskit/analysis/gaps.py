"""Gaps: how two rater groups see us, Say against Do, importance against performance."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ._carry import carries_instrument
from ._data import check_by, check_frame, instrument_of, t_interval, threshold
from .anonymity import judge, restrict, withhold

__all__ = ["perception_gaps", "say_do", "importance_performance"]


def _welch(m1, s1, n1, m2, s2, n2):
    """Welch's t, its Welch-Satterthwaite df and two-sided p, from group summaries."""
    v1, v2 = np.square(s1) / n1, np.square(s2) / n2
    with np.errstate(invalid="ignore", divide="ignore"):
        t = (m1 - m2) / np.sqrt(v1 + v2)
        df = np.square(v1 + v2) / (np.square(v1) / (n1 - 1) + np.square(v2) / (n2 - 1))
    p = 2 * stats.t.sf(np.abs(t), df)
    return t, df, p


@carries_instrument
def perception_gaps(data, a="self", b="customer", *, by=None, facet=None, test="welch",
                    threshold_gap=None, min_group=None, instrument=None,
                    where=None) -> pd.DataFrame:
    """How rater group ``a`` sees us against group ``b``, per item.

    ``gap = mean_a − mean_b``. The standardised gap is Cohen's d with the pooled sd,
    ``d = gap / sqrt(((n_a−1)s_a² + (n_b−1)s_b²) / (n_a+n_b−2))``. The test is Welch's t
    (unequal variances; Welch 1947) or, with ``test="mannwhitney"``, the two-sided
    Mann-Whitney U with its normal approximation as scipy computes it. A gap of at least
    ``threshold_gap`` (default: one third of the scale's range, 4/3 on a 1-5 scale) is a
    ``blind spot`` when ``a`` rates us higher and a ``hidden strength`` when lower.

    Figures are withheld when either group has fewer respondents than the minimum.

    Examples
    --------
    >>> gaps = perception_gaps(store.responses("demo-focus-levels"), "self", "customer")
    >>> sorted(set(gaps["test"]))
    ['welch']
    """
    inst = instrument_of(data, instrument)
    k = threshold(data, min_group)
    fac = inst.facet(facet or inst.facets[0].id)
    if test not in ("welch", "mannwhitney"):
        raise ValueError(f"test must be 'welch' or 'mannwhitney', not {test!r}")
    df = check_frame(data, facets=[fac.id])
    by = check_by(df, by, allowed=("segment",))
    groups = set(df["rater_group"].unique())
    for g in (a, b):
        if g not in groups:
            raise ValueError(f"no answers from rater group {g!r}; the frame has {sorted(groups)}")
    df, view = restrict(df, where, k)
    thr = (fac.scale.maximum - fac.scale.minimum) / 3 if threshold_gap is None else threshold_gap
    key = ["item", *by]
    # With by="segment", group b is split by its segments and each part is held against
    # group a as a whole (leaders rarely share their customers' segments).
    agg = ["count", "mean", "std"]
    sb = df[df["rater_group"] == b].groupby(key, observed=True)["value"].agg(agg)
    sa = df[df["rater_group"] == a].groupby("item", observed=True)["value"].agg(agg)
    out = sb.add_suffix("_b").reset_index().merge(sa.add_suffix("_a").reset_index(), on="item",
                                                  how="left")
    out = out.rename(columns={"count_a": "n_a", "std_a": "sd_a", "count_b": "n_b",
                              "std_b": "sd_b"})
    out = out[[*key, "n_a", "mean_a", "sd_a", "n_b", "mean_b", "sd_b"]]
    out["n_a"] = out["n_a"].fillna(0)
    out["n_b"] = out["n_b"].fillna(0)
    out["gap"] = out["mean_a"] - out["mean_b"]
    pooled = np.sqrt(((out["n_a"] - 1) * out["sd_a"] ** 2 + (out["n_b"] - 1) * out["sd_b"] ** 2)
                     / (out["n_a"] + out["n_b"] - 2))
    out["d"] = out["gap"] / pooled.replace(0, np.nan)
    if test == "welch":
        out["statistic"], out["df"], out["pval"] = _welch(out["mean_a"], out["sd_a"], out["n_a"],
                                                          out["mean_b"], out["sd_b"], out["n_b"])
    else:
        res = []
        for _, r in out.iterrows():
            mine = df[(df["rater_group"] == a) & (df["item"] == r["item"])]["value"]
            sel = df[(df["rater_group"] == b) & (df["item"] == r["item"])]
            for c in by:
                sel = sel[sel[c] == r[c]]
            theirs = sel["value"]
            res.append(stats.mannwhitneyu(mine, theirs, alternative="two-sided")
                       if len(mine) and len(theirs) else (np.nan, np.nan))
        out["statistic"] = [r[0] for r in res]
        out["df"] = np.nan
        out["pval"] = [r[1] for r in res]
    out["test"] = test
    out["flag"] = np.select([out["gap"] >= thr, out["gap"] <= -thr],
                            ["blind spot", "hidden strength"], "")
    out.insert(len(key), "a", a)
    out.insert(len(key) + 1, "b", b)
    values = ["mean_a", "sd_a", "mean_b", "sd_b", "gap", "d", "statistic", "df", "pval"]
    out["n"] = np.minimum(out["n_a"], out["n_b"])
    order = {i.id: n for n, i in enumerate(inst.items)}
    out = out.assign(_o=out["item"].map(order)).sort_values([*by, "_o"]).drop(columns="_o")
    out = out.reset_index(drop=True)
    # A gap is shown only where both of its figures are: group a's and group b's part.
    a_ok, _ = judge(out, view, keys=["item"], data=df[df["rater_group"] == a])
    out = withhold(out, k, keys=key, values=values, view=view,
                   data=df[df["rater_group"] == b], hide=~a_ok)
    hidden = out["suppressed"]
    out.loc[hidden, "flag"] = ""
    for c in ("n_a", "n_b"):
        out[c] = pd.array([pd.NA if h else int(v) for h, v in zip(hidden, out[c], strict=True)],
                          dtype="Int64")
    out["n_shown"] = np.where(hidden, f"< {k} in a group", out["n_shown"])
    return out.drop(columns="n")


@carries_instrument
def say_do(data, *, by=None, min_group=None, instrument=None, where=None,
           confidence=0.95) -> pd.DataFrame:
    """The Say-Do gap: intention against practice, per statement, per area and overall.

    Each respondent's gap is ``say − do`` on a statement (a paired difference); a row gives
    ``n`` respondents, mean ``say``, mean ``do``, the mean ``gap`` with its sd and t-based
    interval, and its ``rank`` within its scope (1 = widest gap). ``scope`` is "statement",
    "area" (the instrument's sections: Leadership, Processes, People; a respondent's area gap
    is the mean of their statement gaps) or "overall".

    Examples
    --------
    >>> sd = say_do(store.responses("demo-say-do"))
    >>> sorted(set(sd["scope"]))
    ['area', 'overall', 'statement']
    """
    inst = instrument_of(data, instrument)
    if {"say", "do"} - {f.id for f in inst.facets}:
        raise ValueError(f"{inst.id} has no say and do facets; say_do needs the say-do "
                         "instrument or one like it")
    k = threshold(data, min_group)
    df = check_frame(data, facets=["say", "do"])
    by = check_by(df, by, allowed=("rater_group", "segment"))
    df, view = restrict(df, where, k)
    wide = df.pivot_table(index=["submission", *by, "section", "item"], columns="facet",
                          values="value", observed=True).dropna(subset=["say", "do"])
    wide["gap"] = wide["say"] - wide["do"]
    wide = wide.reset_index()
    levels = [("statement", ["section", "item"]), ("area", ["section"]), ("overall", [])]
    parts = []
    for scope, key in levels:
        per_person = wide.groupby(["submission", *by, *key], observed=True)[
            ["say", "do", "gap"]].mean().reset_index()
        g = per_person.groupby([*by, *key], observed=True) if [*by, *key] else \
            per_person.assign(_all=0).groupby("_all")
        res = g.agg(n=("gap", "count"), say=("say", "mean"), do=("do", "mean"),
                    gap=("gap", "mean"), gap_sd=("gap", "std")).reset_index()
        res = res.drop(columns="_all", errors="ignore")
        res["scope"] = scope
        parts.append(res)
    out = pd.concat(parts, ignore_index=True)
    out["ci_low"], out["ci_high"] = t_interval(out["gap"], out["gap_sd"], out["n"], confidence)
    out["rank"] = out.groupby(["scope", *by])["gap"].rank(ascending=False, method="min")
    out["section"] = out["section"].fillna("") if "section" in out else ""
    out["item"] = out["item"].fillna("") if "item" in out else ""
    out = out.sort_values([*by, "scope", "rank"], key=lambda s: s.map(
        {"statement": 0, "area": 1, "overall": 2}) if s.name == "scope" else s)
    cols = ["scope", *by, "section", "item", "n", "say", "do", "gap", "gap_sd", "ci_low",
            "ci_high", "rank"]
    out = out[cols].reset_index(drop=True)
    values = ["say", "do", "gap", "gap_sd", "ci_low", "ci_high", "rank"]
    return withhold(out, k, keys=["scope", "section", "item", *by], values=values, view=view)


QUADRANTS = {
    (True, False): "Concentrate here",
    (True, True): "Keep up the good work",
    (False, False): "Low priority",
    (False, True): "Possible overkill",
}


@carries_instrument
def importance_performance(data, *, by=None, crosshair="mean", min_group=None,
                           instrument=None, where=None) -> pd.DataFrame:
    """Importance-performance analysis (Martilla & James 1977) of expectations.

    Per expectation: mean ``importance`` and ``performance``, ``gap = importance −
    performance``, ``weighted_gap = gap × importance / scale maximum`` (a gap on what matters
    most counts most), its ``priority`` rank (1 = act first) and the ``quadrant``. The
    cross-hairs sit at the means of the expectations' importance and performance means
    (``crosshair="mean"``, the usual data-centred grid) or at the scale midpoints
    (``crosshair="midpoint"``); a value on a cross-hair counts as high. Quadrants: high
    importance and low performance, "Concentrate here"; high and high, "Keep up the good
    work"; low and low, "Low priority"; low importance and high performance, "Possible
    overkill". ``by="segment"`` gives each customer segment its own grid.

    Examples
    --------
    >>> ip = importance_performance(store.responses("demo-expectations"))
    >>> int(ip["priority"].min())
    1
    """
    inst = instrument_of(data, instrument)
    facets = {f.id: f for f in inst.facets}
    if {"importance", "performance"} - set(facets):
        raise ValueError(f"{inst.id} has no importance and performance facets")
    if crosshair not in ("mean", "midpoint"):
        raise ValueError(f"crosshair must be 'mean' or 'midpoint', not {crosshair!r}")
    k = threshold(data, min_group)
    df = check_frame(data, facets=["importance", "performance"])
    by = check_by(df, by, allowed=("rater_group", "segment"))
    df, view = restrict(df, where, k)
    g = df.groupby([*by, "item", "facet"], observed=True)["value"]
    summ = g.mean().unstack("facet").reindex(columns=["importance", "performance"])
    n = df.groupby([*by, "item"], observed=True)["submission"].nunique()
    out = summ.assign(n=n).reset_index()
    out.columns.name = None
    if df.empty:  # a filter that leaves nobody: an empty table, not a KeyError
        out = pd.DataFrame(columns=[*by, "item", "importance", "performance", "n"])
    imp_max = facets["importance"].scale.maximum
    out["gap"] = out["importance"] - out["performance"]
    out["weighted_gap"] = out["gap"] * out["importance"] / imp_max
    values = ["importance", "performance", "gap", "weighted_gap"]
    out = withhold(out, k, keys=[*by, "item"], values=values, view=view)
    # Cross-hairs from the figures shown (means skip withheld rows), so nothing hidden leaks.
    for f in ("importance", "performance"):
        if crosshair == "mean":
            out[f"x_{f}"] = out.groupby(by)[f].transform("mean") if by else out[f].mean()
        else:
            sc = facets[f].scale
            out[f"x_{f}"] = (sc.minimum + sc.maximum) / 2
    hi_imp = out["importance"] >= out["x_importance"]
    hi_perf = out["performance"] >= out["x_performance"]
    out["quadrant"] = [QUADRANTS[(i, p)] for i, p in zip(hi_imp, hi_perf, strict=True)]
    out.loc[out["suppressed"], "quadrant"] = None
    ranks = out.groupby(by)["weighted_gap"] if by else out["weighted_gap"]
    out["priority"] = ranks.rank(ascending=False, method="min")
    prompts = {i.id: i.prompt for i in inst.items}
    out.insert(len(by) + 1, "prompt", out["item"].map(prompts))
    cols = [*by, "item", "prompt", "n", "importance", "performance", "gap", "weighted_gap",
            "priority", "quadrant", "x_importance", "x_performance", "suppressed", "n_shown"]
    return out[cols].sort_values([*by, "priority"]).reset_index(drop=True)
