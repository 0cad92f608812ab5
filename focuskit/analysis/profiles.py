"""Where we stand: level profiles per dimension and group, and what to do next."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._carry import carries_instrument
from ._data import check_by, check_frame, instrument_of, level_band, t_interval, threshold
from .anonymity import restrict, withhold

__all__ = ["profile", "next_steps"]

_STATS = ["mean", "median", "sd", "ci_low", "ci_high"]


def _facet(inst, facet):
    facet = facet or inst.facets[0].id
    if facet not in {f.id for f in inst.facets}:
        raise ValueError(f"{inst.id} has no facet {facet!r} (it has "
                         f"{', '.join(f.id for f in inst.facets)})")
    return inst.facet(facet)


@carries_instrument
def profile(data, *, by=("rater_group",), per="item", facet=None, confidence=0.95,
            min_group=None, instrument=None, where=None, respondent=None) -> pd.DataFrame:
    """Level profile: per dimension (item or section) and group, how high we stand.

    For each group of respondents: ``n`` respondents, ``mean``, ``median``, ``sd`` (n-1),
    a t-based ``confidence`` interval of the mean (``mean ± t(1-α/2, n-1)·sd/√n``) and
    the level ``band``: the scale anchor nearest the mean (on focus-levels 1-1.99 Casual,
    2-3.99 Moderate, 4-5 Intense). With ``per="section"`` each respondent's section score is
    the mean of their answers in it, and the statistics are taken over those scores.

    Figures about fewer than the campaign's minimum group size are withheld
    (``focuskit.analysis.anonymity``). ``respondent=TOKEN`` gives that person's own answers
    only, unwithheld: the thank-you page's view.

    Parameters
    ----------
    data : DataFrame
        Long responses (``Store.responses``).
    by : str or list of str
        Grouping: any of rater_group, segment (default: rater_group); [] for everyone.
    per : {"item", "section"}
    facet : str, optional
        Default: the instrument's first facet (``level`` on focus-levels).
    where : dict, optional
        Filters such as ``{"segment": "Residential"}``; withheld whole when the respondents
        left out number 1 to k-1.

    Examples
    --------
    >>> res = profile(store.responses("demo-focus-levels"))
    >>> list(res.columns)  # doctest: +NORMALIZE_WHITESPACE
    ['item', 'rater_group', 'facet', 'n', 'mean', 'median', 'sd', 'ci_low', 'ci_high', 'band',
     'n_shown', 'suppressed']
    """
    inst = instrument_of(data, instrument)
    k = threshold(data, min_group)
    fac = _facet(inst, facet)
    if per not in ("item", "section"):
        raise ValueError(f"per must be 'item' or 'section', not {per!r}")
    df = check_frame(data, facets=[fac.id])
    by = check_by(df, by, allowed=("rater_group", "segment"))
    if respondent is not None:
        df = df[df["respondent"] == respondent]
        if df.empty:
            raise ValueError(f"no answers from respondent {respondent!r} in this frame")
        k = 1
    df, view = restrict(df, where, k)
    key = [per, *by]
    if per == "section":
        df = df.groupby(["submission", *key], sort=False, observed=True)["value"].mean() \
            .reset_index()
    g = df.groupby(key, sort=False, observed=True)["value"]
    out = pd.DataFrame({"n": g.count(), "mean": g.mean(), "median": g.median(), "sd": g.std()})
    out["ci_low"], out["ci_high"] = t_interval(out["mean"], out["sd"], out["n"], confidence)
    out = out.reset_index()
    order = [i.id for i in inst.items] if per == "item" else [s.id for s in inst.sections]
    out["_order"] = out[per].map({v: n for n, v in enumerate(order)})
    out = out.sort_values([*by, "_order"]).reset_index(drop=True)
    out["band"] = level_band(out["mean"], fac.scale)
    out["facet"] = fac.id
    cols = [per, *by, "facet", "n", *_STATS, "band"]
    out = out[cols]
    return withhold(out, k, keys=key, values=[*_STATS, "band"],
                    view=None if respondent is not None else view)


@carries_instrument
def next_steps(data, *, group="self", compare="customer", facet=None, min_group=None,
               instrument=None) -> pd.DataFrame:
    """What to do first: per dimension, where ``group`` stands and the next level's descriptor.

    For each item: the group's mean level and band, the next anchor up (``next_level``;
    "sustain" at the top) and that anchor's descriptor for the item, the gap to ``compare``
    raters (group mean minus theirs; positive is a blind spot) and the group's spread (sd).
    Rows are ranked: lowest level first, then the widest blind spot, then the widest spread,
    so the top rows are where a move up is most needed and least agreed.

    Columns: rank, item, section, prompt, n, n_shown, mean (the group's level), band,
    next_level, next_descriptor, gap_to_others, sd, suppressed.

    Examples
    --------
    >>> steps = next_steps(store.responses("demo-focus-levels"))
    >>> bool(steps["mean"].is_monotonic_increasing)
    True
    """
    inst = instrument_of(data, instrument)
    fac = _facet(inst, facet)
    prof = profile(data, by="rater_group", facet=fac.id, min_group=min_group, instrument=inst)
    mine = prof[prof["rater_group"] == group].set_index("item")
    if mine.empty:
        raise ValueError(f"no answers from rater group {group!r}; the frame has "
                         f"{sorted(prof['rater_group'].unique())}")
    theirs = prof[prof["rater_group"] == compare].set_index("item")["mean"]
    anchors = sorted(fac.scale.anchors, key=lambda a: a.value)
    rows = []
    for item in inst.items:
        if item.id not in mine.index:
            continue
        r = mine.loc[item.id]
        band, nxt, desc = r["band"], None, None
        if band is not None and not pd.isna(r["mean"]):
            pos = [a.label for a in anchors].index(band)
            if pos + 1 < len(anchors):
                nxt = anchors[pos + 1]
                desc = item.levels.get(nxt.key)
        gap = r["mean"] - theirs.get(item.id, np.nan)
        rows.append(dict(item=item.id, section=item.section, prompt=item.prompt, n=r["n"],
                         n_shown=r["n_shown"], mean=r["mean"], band=band,
                         next_level=nxt.label if nxt else ("sustain" if band else None),
                         next_descriptor=desc, gap_to_others=gap, sd=r["sd"],
                         suppressed=bool(r["suppressed"])))
    out = pd.DataFrame(rows)
    out = out.sort_values(["suppressed", "mean", "gap_to_others", "sd"],
                          ascending=[True, True, False, False], na_position="last")
    out.insert(0, "rank", range(1, len(out) + 1))
    return out.reset_index(drop=True)
