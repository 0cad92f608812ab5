"""External focus: how far the organisation goes for its customers, responding to today's
needs, anticipating the next, or shaping their value proposition; self against others."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._carry import carries_instrument
from ._data import anchor_reached, check_by, check_frame, instrument_of, level_band
from ._data import min_group as _threshold
from ._summaries import _finish, _need_facets, _order, _person_means, _summary
from .anonymity import restrict, source, withhold, withhold_all

__all__ = ["external_focus"]


@carries_instrument
def external_focus(data: pd.DataFrame, *, self_group: str | None = "self", by=None,
                   min_group: int | None = None, instrument=None,
                   confidence: float = 0.95) -> pd.DataFrame:
    """How far the organisation's external focus goes, self against others.

    Each answer is banded at its nearest level: Responding (1), Anticipating (3), Shaping
    (5). Per rater group: how the answers spread over the three levels, and the group's mean
    with its band, each set beside the self-rating group.

    Parameters
    ----------
    data : DataFrame
        Long responses of an ``external-focus`` campaign (``Store.responses``).
    self_group : str or None, default "self"
        The rater group the others are compared with; None for no comparison.
    by : str or list of str, optional
        Slice further by ``segment``, ``section`` or ``item``.
    min_group : int, optional
        Anonymity threshold; defaults to the campaign's (``data.attrs``), else 5.
    instrument : Instrument or str, optional
        Defaults to the instrument named in ``data.attrs``.
    confidence : float, default 0.95
        Level of the t interval of each group mean.

    Returns
    -------
    DataFrame
        ``scope`` "level" rows (one per group and level, all three levels even when no
        answer falls there): n_answers, share. ``scope`` "group" rows (one per group): mean,
        sd, ci_low, ci_high, band. Columns: scope, rater_group, the ``by`` columns, level,
        role ("self"/"other"), n (respondents), n_answers, share, share_vs_self, mean, sd,
        ci_low, ci_high, band, mean_vs_self, suppressed, n_shown.

    Notes
    -----
    - Each answer counts at the highest level it has reached (``anchor_reached``): on the
      1-5 scale 1-2 Responding, 3-4 Anticipating, 5 Shaping. The group mean's band uses
      ``level_band`` (half way between anchors) like every other mean.
    - share = n_answers at the level / the group's answers; the shares of a group sum to 1.
    - The group mean is the mean over respondents of each respondent's mean answer; sd and
      the t interval are across respondents.
    - share_vs_self = share - the self group's share at the same level; mean_vs_self = mean -
      the self group's mean (negative: others see less than we claim). Missing where either
      figure is withheld.
    - The three levels follow the external performance levels the say-do seed attributes
      to Egon Zehnder ("Customer Focus is more than Customer Service", 2009).

    Examples
    --------
    >>> from focuskit import Store
    >>> from focuskit.demo import seed_store
    >>> store = Store("sqlite:///:memory:"); _ = seed_store(store)
    >>> res = external_focus(store.responses("demo-external-focus"))
    >>> groups = res[res["scope"] == "group"].set_index("rater_group")
    >>> groups["mean"].round(2).to_dict()
    {'self': 3.06, 'partner': 2.04}
    """
    frame = check_frame(data, facets="level")
    inst = instrument_of(data, instrument)
    _need_facets(inst, ("level",), "external-focus")
    scale = inst.facet("level").scale
    if not scale.is_anchored:
        raise ValueError(f"{inst.id}'s level scale has no anchors to band answers by")
    by = check_by(frame, by, allowed=("segment", "section", "item"))
    k = _threshold(data, min_group)
    if frame.empty:
        raise ValueError("no 'level' answers in this frame: pass the responses of an "
                         "external-focus campaign")
    groups = list(pd.unique(frame["rater_group"]))
    if self_group is not None and self_group not in groups:
        raise ValueError(f"no answers from rater group {self_group!r} to compare with; this "
                         f"frame has {sorted(map(str, groups))}. Pass self_group= one of them, "
                         "or self_group=None")
    _, view = restrict(frame, None, k)
    frame, few = source(view)
    levels = [a.label for a in sorted(scale.anchors, key=lambda a: a.value)]
    order = ([self_group] if self_group is not None else []) + \
        sorted(g for g in groups if g != self_group)
    gkeys = ["rater_group", *by]
    frame = frame.assign(level=anchor_reached(frame["value"], scale).to_numpy())

    # Level rows: every group × level, zero-filled.
    counts = frame.groupby([*gkeys, "level"], dropna=False).size().rename("n_answers")
    n = frame.groupby(gkeys, dropna=False)["submission"].nunique().rename("n").reset_index()
    # Every group that answered gets its rows, those held back too (withheld below).
    n = view.raw[gkeys].drop_duplicates().merge(n, on=gkeys, how="left").fillna({"n": 0})
    full = n.merge(pd.DataFrame({"level": levels}), how="cross")
    lv = full.merge(counts.reset_index(), on=[*gkeys, "level"], how="left")
    lv["n_answers"] = lv["n_answers"].fillna(0)
    total = lv.groupby(gkeys, dropna=False)["n_answers"].transform("sum")
    lv["share"] = lv["n_answers"] / total
    lv["_g"] = _order(lv, "rater_group", order)
    lv["_l"] = _order(lv, "level", levels)
    lv = lv.sort_values(["_g", *by, "_l"]).drop(columns=["_g", "_l"]).reset_index(drop=True)
    lv.insert(0, "scope", "level")
    # A level's share is a figure about the whole group, judged as the group is.
    lv = withhold_all(lv, k, values=["n_answers", "share"], reason=f"< {k}") if few else \
        withhold(lv, k, keys=gkeys, values=["n_answers", "share"], view=view, together=False)

    # Group rows: mean of respondents' means.
    gr = _summary(_person_means(frame, gkeys), gkeys, confidence)
    gr = gr.merge(frame.groupby(gkeys, dropna=False).size().rename("n_answers").reset_index(),
                  on=gkeys)
    gr["_g"] = _order(gr, "rater_group", order)
    gr = gr.sort_values(["_g", *by]).drop(columns="_g").reset_index(drop=True)
    gr.insert(0, "scope", "group")
    gr["level"] = None
    gvalues = ["n_answers", "mean", "sd", "ci_low", "ci_high"]
    gr = withhold_all(gr, k, values=gvalues, reason=f"< {k}") if few else \
        withhold(gr, k, keys=gkeys, values=gvalues, view=view)

    out = pd.concat([lv, gr], ignore_index=True)
    out["n_answers"] = out["n_answers"].astype("Int64")
    out["band"] = level_band(out["mean"], scale)
    out["role"] = np.where(out["rater_group"] == self_group, "self", "other")
    if self_group is not None:
        mine = out[out["rater_group"] == self_group]
        ref = mine[[*by, "scope", "level", "share", "mean"]].rename(
            columns={"share": "_s", "mean": "_m"})
        out = out.merge(ref, on=[*by, "scope", "level"], how="left")
        out["share_vs_self"] = out["share"] - out["_s"]
        out["mean_vs_self"] = out["mean"] - out["_m"]
    else:
        out["share_vs_self"] = np.nan
        out["mean_vs_self"] = np.nan
    return _finish([out], ["scope", "rater_group", *by, "level", "role", "n", "n_answers",
                           "share", "share_vs_self", "mean", "sd", "ci_low", "ci_high", "band",
                           "mean_vs_self", "suppressed", "n_shown"])
