"""The discussion agenda: where a team disagrees most, with the level descriptors at both ends
of what they chose. This is what a trainer puts on screen."""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from ..instruments import Scale
from ._carry import carries_instrument
from ._data import check_frame, instrument_of
from ._data import min_group as _threshold
from ._ratings import _instrument_order, _item_sections, _item_stats, _on_scale, _rating_facet
from .anonymity import restrict, withhold, withhold_all

__all__ = ["discussion_agenda"]


def _nearest_anchor(values: pd.Series, scale: Scale, *, up: bool) -> pd.Series:
    """The anchor nearest each value; half way between two, the upper (``up``) or the lower."""
    anchors = sorted(scale.anchors, key=lambda a: a.value)
    if not anchors:
        return pd.Series([None] * len(values), index=values.index, dtype=object)
    cuts = np.array([(a.value + b.value) / 2 for a, b in zip(anchors, anchors[1:], strict=False)])
    v = values.to_numpy(dtype=float, na_value=np.nan)
    idx = np.searchsorted(cuts, v, side="right" if up else "left")
    picked = np.array(anchors, dtype=object)[idx]
    return pd.Series(np.where(np.isnan(v), None, picked), index=values.index, dtype=object)


def _spread_text(counts: pd.DataFrame) -> pd.Series:
    def one(row):
        return " · ".join(f"{v}×{int(c)}" for v, c in row.items() if c > 0)
    return counts.apply(one, axis=1) if len(counts) else pd.Series(dtype=object)


@carries_instrument
def discussion_agenda(data, *, group="self", facet=None, top=None, min_group=None,
                      instrument=None):
    r"""What a trainer puts on screen: the items one rater group disagrees on most, with the
    levels chosen and what the lowest and highest of them say.

    Items are ranked by the group's standard deviation (``ddof=1``), largest first; ties go
    to the larger range (max - min), then to the lower
    :math:`r_{wg} = 1 - s^2/\sigma^2_{EU}`, :math:`\sigma^2_{EU} = (A^2-1)/12` (James,
    Demaree & Wolf 1984), then to the instrument's order.

    Parameters
    ----------
    data : DataFrame
        The long responses frame (``Store.responses``).
    group : str, default "self"
        The rater group whose disagreement is discussed.
    facet : str, optional
        The rated facet; default the instrument's first.
    top : int, optional
        Keep only the ``top`` most disputed items.
    min_group : int, optional
        The anonymity threshold k; default the campaign's.
    instrument : Instrument or str, optional
        Default: the instrument the frame's attrs name.

    Returns
    -------
    DataFrame
        One row per item the group answered: ``rank``, ``item``, ``section``, ``prompt``,
        ``n``, ``sd``, ``range``, ``rwg``, ``low`` and ``high`` (the lowest and highest level
        chosen), ``spread`` (each level chosen with its count, e.g. "1×2 · 3×4 · 5×2"),
        ``n_<value>`` (how many chose each scale value), ``low_label`` / ``high_label`` (the
        anchor nearest ``low`` / ``high``), ``low_descriptor`` / ``high_descriptor`` (the item's
        level descriptor for those anchors), ``suppressed``, ``n_shown``.

    Notes
    -----
    A value half way between two anchors (2 on a 1/3/5-anchored scale) takes the outer
    anchor at each end: the lower one for ``low``, the upper one for ``high``, so the two
    descriptors show the contrast the group is discussing.

    Anonymity: when the group has fewer than k respondents the whole agenda is withheld
    (rows kept in the instrument's order, every figure and text blank, no rank,
    ``suppressed`` True); an item answered by fewer than k is withheld and listed last.

    Examples
    --------
    >>> from focuskit import Store
    >>> from focuskit.demo import seed_store
    >>> from focuskit.analysis import discussion_agenda
    >>> store = Store("sqlite:///:memory:")
    >>> _ = seed_store(store)
    >>> agenda = discussion_agenda(store.responses("demo-focus-levels"), top=2)
    >>> agenda[["rank", "item", "spread", "low_label", "high_label"]]
       rank     item     spread low_label high_label
    0     1     data  1×4 · 4×4    Casual    Intense
    1     2  budgets  2×4 · 4×4    Casual    Intense
    >>> store.close()
    """
    data = check_frame(data, need=("submission", "rater_group", "item", "facet", "value"))
    inst = instrument_of(data, instrument)
    facet, scale = _rating_facet(inst, facet)
    k = _threshold(data, min_group)
    if top is not None and (isinstance(top, bool) or not isinstance(top, numbers.Integral)
                            or top < 1):
        raise ValueError(f"top must be a whole number of items, at least 1, not {top!r}")
    df = check_frame(data, need=("submission", "rater_group", "item", "facet", "value"),
                     facets=facet)
    groups = sorted(map(str, pd.unique(df["rater_group"].dropna())))
    if not isinstance(group, str) or group not in groups:
        raise ValueError(f"no answers from rater group {group!r} in this frame; it has "
                         f"{', '.join(groups) or 'no rater groups'}")
    df, view = restrict(df, {"rater_group": group}, k)
    _on_scale(df, scale, facet)
    if not np.equal(np.mod(df["value"].to_numpy(dtype=float), 1), 0).all():
        raise ValueError(f"facet {facet!r} holds fractional values; the agenda counts the levels "
                         "chosen, so it needs whole-number ratings")

    few = view.raw["submission"].nunique() < k
    if few:  # every figure is withheld below: rows from the raw answers say which items
        df = view.raw
    res = _item_stats(df, [], scale.points)
    res = _instrument_order(res, inst, "item", [])
    items = {i.id: i for i in inst.items}
    res.insert(1, "section", res["item"].map(_item_sections(df, inst)))
    res.insert(2, "prompt", res["item"].map(lambda i: items[i].prompt if i in items else None))
    counts = (df.groupby(["item", "value"]).size().unstack(fill_value=0)
              .reindex(index=res["item"], columns=[float(v) for v in scale.values], fill_value=0))
    counts.columns = [int(v) for v in counts.columns]
    res["low"], res["high"] = res["min"], res["max"]
    res["spread"] = _spread_text(counts).to_numpy()
    count_cols = [f"n_{v}" for v in scale.values]
    for col, v in zip(count_cols, scale.values, strict=True):
        # float, so withholding can blank it (pandas refuses NaN in an int64 column)
        res[col] = counts[v].to_numpy(dtype=float)
    for end, up in (("low", False), ("high", True)):
        anchor = _nearest_anchor(res[end], scale, up=up)
        res[f"{end}_label"] = [a.label if a is not None else None for a in anchor]
        res[f"{end}_descriptor"] = [
            items[i].levels.get(a.key) if a is not None and i in items else None
            for i, a in zip(res["item"], anchor, strict=True)]
    columns = ["item", "section", "prompt", "n", "sd", "range", "rwg", "low", "high", "spread",
               *count_cols, "low_label", "high_label", "low_descriptor", "high_descriptor"]
    res = res[columns]
    values = columns[4:]

    if few:
        res = withhold_all(res, k, values=values, reason=f"< {k}")
        res.insert(0, "rank", pd.array([pd.NA] * len(res), dtype="Int64"))
    else:
        res = withhold(res, k, keys=["item"], values=values, view=view)
        shown = res[~res["suppressed"]].sort_values(["sd", "range", "rwg"],
                                                    ascending=[False, False, True],
                                                    kind="stable", na_position="last")
        res = pd.concat([shown, res[res["suppressed"]]]).reset_index(drop=True)
        res.insert(0, "rank", pd.array([r + 1 if not s else pd.NA
                                        for r, s in enumerate(res["suppressed"])], dtype="Int64"))
    for col in ["low", "high", *count_cols]:
        res[col] = res[col].astype("Int64")
    if top is not None:
        res = res.head(top)
    return res
