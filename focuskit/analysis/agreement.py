"""Agreement within a group: rwg and rwg(j), and an item-by-group agreement table.

Every function that takes the long responses frame (``Store.responses``) applies the
campaign's anonymity threshold through :mod:`focuskit.analysis.anonymity`; the functions on
plain arrays or on an analyst's own rater-by-target frame (``icc``, ``cronbach_alpha``) do not,
since they see no groups of people.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._carry import carries_instrument
from ._data import check_frame, instrument_of, level_band
from ._data import min_group as _threshold
from ._ratings import (
    _by,
    _check_span,
    _instrument_order,
    _item_sections,
    _item_stats,
    _on_scale,
    _points,
    _rating_facet,
    _ratings,
    _resolve,
    _rwg_from_var,
    _rwg_j_from_var,
    _sections,
)
from .anonymity import restrict, withhold

__all__ = ["agreement", "rwg", "rwg_j"]




# -- rwg ---------------------------------------------------------------------------------------
def rwg(values, scale_points=None, *, by=None, min_group=None, truncate=True, facet=None,
        instrument=None):
    r"""Within-group agreement on one item against a uniform null, rwg (James et al. 1984).

    .. math::

        r_{wg} = 1 - \frac{s^2}{\sigma^2_{EU}}, \qquad \sigma^2_{EU} = \frac{A^2 - 1}{12}

    where :math:`s^2` is the sample variance of the group's ratings (``ddof=1``) and
    :math:`\sigma^2_{EU}` the variance of ratings spread uniformly over an A-point scale, the
    null of no agreement at all. 1 means everyone chose the same level; 0 means the ratings
    are as spread as random answers.

    Parameters
    ----------
    values : array-like or DataFrame
        Either one group's ratings of one item (a list, array or Series; NaN is dropped), or
        the long responses frame (``Store.responses``).
    scale_points : int, optional
        A, the number of points on the scale (5 for 1-5). Required with an array; with the
        responses frame, taken from the instrument's facet scale when not given.
    by : str or list of str, optional
        Responses frame only: groups within which agreement is measured, from
        ``rater_group`` and ``segment`` (default ``["rater_group"]``; ``[]`` for everyone).
    min_group : int, optional
        Responses frame only: the anonymity threshold k (default: the campaign's).
    truncate : bool, default True
        Report negative values as 0. A negative rwg means more spread than random answers
        (for instance two camps at the ends of the scale); the convention (James et al. 1984;
        LeBreton & Senter 2008) is to read it as no agreement. ``False`` returns the raw value.
    facet, instrument : optional
        Responses frame only: the rated facet (default: the instrument's first) and the
        instrument (default: the one the frame's attrs name).

    Returns
    -------
    float or DataFrame
        With an array: rwg, NaN for fewer than 2 ratings. With the responses frame: one row
        per item and group with columns ``item``, the ``by`` columns, ``n`` (respondents),
        ``rwg``, ``suppressed`` and ``n_shown``; figures about fewer than k respondents are
        withheld (:func:`focuskit.analysis.anonymity.withhold`).

    References
    ----------
    James, L. R., Demaree, R. G., & Wolf, G. (1984). Estimating within-group interrater
    reliability with and without response bias. *Journal of Applied Psychology*, 69(1), 85-98.

    LeBreton, J. M., & Senter, J. L. (2008). Answers to 20 questions about interrater
    reliability and interrater agreement. *Organizational Research Methods*, 11(4), 815-852.

    Examples
    --------
    Five leaders on a 5-point scale: s² = 0.3, σ²_EU = 2, so rwg = 1 - 0.3 / 2.

    >>> from focuskit.analysis.agreement import rwg
    >>> round(rwg([4, 4, 4, 5, 5], 5), 3)
    0.85

    Two camps at the ends of the scale agree less than random answers would:

    >>> rwg([1, 1, 5, 5], 5), round(rwg([1, 1, 5, 5], 5, truncate=False), 3)
    (0.0, -1.667)

    On the responses frame: ``rwg(store.responses("demo-focus-levels"))``.
    """
    if not isinstance(values, pd.DataFrame):
        if scale_points is None:
            raise ValueError("pass scale_points, the number of points on the rating scale "
                             "(e.g. rwg(ratings, 5) for a 1-5 scale)")
        points = _points(scale_points)
        arr = _ratings(values, "values")
        if arr.ndim != 1:
            raise ValueError(f"rwg takes one group's ratings of one item (1-D), got {arr.ndim}-D "
                             "values; for respondents x items use rwg_j")
        arr = arr[~np.isnan(arr)]
        _check_span(arr, points)
        if arr.size < 2:
            return float("nan")
        return float(_rwg_from_var(arr.var(ddof=1), points, truncate))

    data = check_frame(values, need=("submission", "item", "facet", "value"))
    by = _by(data, by)
    inst, facet, points = _resolve(data, facet, instrument, scale_points)
    k = _threshold(data, min_group)
    df = check_frame(data, need=("submission", "item", "facet", "value"), facets=facet)
    _check_span(df["value"], points)
    df, view = restrict(df, None, k)
    res = _item_stats(df, by, points, truncate)[["item", *by, "n", "rwg"]]
    res = _instrument_order(res, inst, "item", by)
    return withhold(res, k, keys=["item", *by], values=["rwg"], view=view)


def rwg_j(values, scale_points=None, *, by=None, min_group=None, truncate=True, facet=None,
          instrument=None):
    r"""Agreement across the J items of a dimension, rwg(j) (James, Demaree & Wolf 1984).

    .. math::

        r_{wg(J)} = \frac{J\,(1 - \bar s^2/\sigma^2_{EU})}
                         {J\,(1 - \bar s^2/\sigma^2_{EU}) + \bar s^2/\sigma^2_{EU}},
        \qquad \sigma^2_{EU} = \frac{A^2 - 1}{12}

    where :math:`\bar s^2` is the mean of the J item variances (each with ``ddof=1``, over
    the ratings that item received) and A the number of scale points.

    Parameters
    ----------
    values : array-like or DataFrame
        Either a 2-D array or wide frame, respondents in rows and the dimension's J items in
        columns (NaN for a skipped item), or the long responses frame (``Store.responses``),
        whose ``section`` column gives the dimensions.
    scale_points : int, optional
        A; required with an array, taken from the instrument with the responses frame.
    by, min_group, facet, instrument :
        As in :func:`rwg` (responses frame only).
    truncate : bool, default True
        When the mean item variance reaches the null variance (:math:`\bar s^2 \ge
        \sigma^2_{EU}`) the formula leaves [0, 1] and is reported as 0 (Lindell, Brandt &
        Whitney 1999 describe this behaviour). ``False`` returns the raw value.

    Returns
    -------
    float or DataFrame
        With an array: rwg(j), NaN when an item has fewer than 2 ratings. With the responses
        frame: one row per section and group with columns ``section``, the ``by`` columns,
        ``n`` (respondents), ``items`` (J), ``rwg_j``, ``suppressed`` and ``n_shown``.

    References
    ----------
    James, L. R., Demaree, R. G., & Wolf, G. (1984). Estimating within-group interrater
    reliability with and without response bias. *Journal of Applied Psychology*, 69(1), 85-98.

    Lindell, M. K., Brandt, C. J., & Whitney, D. J. (1999). A revised index of interrater
    agreement for multi-item ratings of a single target. *Applied Psychological Measurement*,
    23(2), 127-135.

    Examples
    --------
    Item variances 1/3, 2/3 and 0 on a 5-point scale: s̄² = 1/3, s̄²/σ²_EU = 1/6, and
    rwg(3) = 3(5/6) / (3(5/6) + 1/6) = 15/16.

    >>> from focuskit.analysis.agreement import rwg_j
    >>> rwg_j([[3, 2, 5], [3, 3, 5], [4, 4, 5], [4, 3, 5]], 5)
    0.9375
    """
    if not isinstance(values, pd.DataFrame) or "value" not in values.columns:
        if scale_points is None:
            raise ValueError("pass scale_points, the number of points on the rating scale "
                             "(e.g. rwg_j(ratings, 5) for a 1-5 scale)")
        points = _points(scale_points)
        arr = _ratings(values, "values")
        if arr.ndim != 2:
            raise ValueError(f"rwg_j takes a 2-D table, respondents x items, got {arr.ndim}-D "
                             "values; for one item use rwg")
        if arr.shape[1] < 1:
            raise ValueError("rwg_j needs at least one item (column)")
        _check_span(arr, points)
        answered = (~np.isnan(arr)).sum(axis=0)
        if (answered < 2).any():
            return float("nan")
        var = np.nanvar(arr, axis=0, ddof=1)
        return float(_rwg_j_from_var(var.mean(), arr.shape[1], points, truncate))

    data = check_frame(values, need=("submission", "item", "facet", "value"))
    by = _by(data, by)
    inst, facet, points = _resolve(data, facet, instrument, scale_points)
    k = _threshold(data, min_group)
    df = check_frame(data, need=("submission", "item", "facet", "value"), facets=facet)
    _check_span(df["value"], points)
    if "section" not in df.columns and inst is None:
        raise ValueError("the frame has no 'section' column to say which items form a "
                         "dimension; pass instrument= or Store.responses(...)")
    df, view = restrict(df, None, k)
    df = df.assign(section=_sections(df, inst))
    keys = ["section", *by]
    per_item = df.groupby([*keys, "item"], sort=True, dropna=False)["value"].var()
    by_dim = per_item.groupby(level=list(range(len(keys))), sort=True, dropna=False)
    res = pd.DataFrame({"items": by_dim.size(), "_var": by_dim.mean(),
                        "_gap": per_item.isna().groupby(level=list(range(len(keys))),
                                                         dropna=False).any()})
    res["n"] = df.groupby(keys, sort=True, dropna=False)["submission"].nunique()
    res["rwg_j"] = np.where(res["_gap"], np.nan,
                            _rwg_j_from_var(res["_var"], res["items"], points, truncate))
    res = res.reset_index()[[*keys, "n", "items", "rwg_j"]]
    res = _instrument_order(res, inst, "section", by)
    return withhold(res, k, keys=keys, values=["rwg_j"], view=view, data=df)


# -- ICC ---------------------------------------------------------------------------------------
@carries_instrument
def agreement(data, *, by=None, facet=None, min_group=None, instrument=None, where=None):
    r"""How far each group agrees on each item: spread, rwg and the level band of the mean.

    For each item and group: n, mean, sd (``ddof=1``), min, max, range = max - min, and
    :math:`r_{wg} = 1 - s^2 / \sigma^2_{EU}` with :math:`\sigma^2_{EU} = (A^2-1)/12`
    (James, Demaree & Wolf 1984; negative values reported as 0, see :func:`rwg`), plus
    ``band``, the scale anchor nearest the mean (Casual / Moderate / Intense on the
    focus-levels scale; :func:`focuskit.analysis._data.level_band`).

    Parameters
    ----------
    data : DataFrame
        The long responses frame (``Store.responses``).
    by : str or list of str, optional
        Groups from ``rater_group`` and ``segment`` (default ``["rater_group"]``; ``[]`` for
        everyone together).
    facet : str, optional
        The rated facet; default the instrument's first (``level`` for focus-levels).
    min_group : int, optional
        The anonymity threshold k; default the campaign's.
    instrument : Instrument or str, optional
        Default: the instrument the frame's attrs name.
    where : dict, optional
        A filter, ``{column: value or list}``, e.g. ``{"segment": "Residential"}``.

    Returns
    -------
    DataFrame
        Columns ``item``, ``section``, the ``by`` columns, ``n``, ``mean``, ``sd``, ``min``,
        ``max``, ``range``, ``rwg``, ``band``, ``suppressed``, ``n_shown``; one row per
        item and group in the instrument's item order.

    Notes
    -----
    Anonymity (:mod:`focuskit.analysis.anonymity`): a group of fewer than k respondents has
    its figures blanked, and so does the smallest sibling group when the blanked ones could be
    recovered by differencing; when ``where`` leaves out 1 to k-1 respondents, every figure is
    withheld, since the unfiltered figures minus these would describe them.

    References
    ----------
    James, L. R., Demaree, R. G., & Wolf, G. (1984). Estimating within-group interrater
    reliability with and without response bias. *Journal of Applied Psychology*, 69(1), 85-98.

    Examples
    --------
    >>> from focuskit import Store
    >>> from focuskit.demo import seed_store
    >>> from focuskit.analysis.agreement import agreement
    >>> store = Store("sqlite:///:memory:")
    >>> _ = seed_store(store)
    >>> table = agreement(store.responses("demo-focus-levels"))
    >>> leaders = table[table["rater_group"] == "self"].nsmallest(2, "rwg")
    >>> print(leaders[["item", "sd", "rwg", "band"]].round(2).to_string(index=False))
       item   sd  rwg     band
       data 1.60 0.00 Moderate
    budgets 1.07 0.43 Moderate
    >>> store.close()
    """
    data = check_frame(data, need=("submission", "item", "facet", "value"))
    by = _by(data, by)
    inst = instrument_of(data, instrument)
    facet, scale = _rating_facet(inst, facet)
    k = _threshold(data, min_group)
    df = check_frame(data, need=("submission", "item", "facet", "value"), facets=facet)
    _on_scale(df, scale, facet)
    df, view = restrict(df, where, k)
    res = _item_stats(df, by, scale.points)
    res.insert(1, "section", res["item"].map(_item_sections(df, inst)))
    res = _instrument_order(res, inst, "item", by)
    values = ["mean", "sd", "min", "max", "range", "rwg"]
    res = withhold(res, k, keys=["item", *by], values=values, view=view)
    res.insert(res.columns.get_loc("rwg") + 1, "band", level_band(res["mean"], scale))
    return res
