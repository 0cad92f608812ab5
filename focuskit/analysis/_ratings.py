"""Checks and helpers shared by the agreement functions and the discussion agenda: rating
arrays, the rated facet and its scale, and instrument order."""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

from ..instruments import Instrument, Scale
from ._data import check_by, instrument_of

#: Groupings offered by the per-item and per-dimension agreement functions.
AGREEMENT_BY = ("rater_group", "segment")


def _points(scale_points) -> int:
    if (isinstance(scale_points, bool) or not isinstance(scale_points, numbers.Integral)
            or scale_points < 2):
        raise ValueError("scale_points must be the number of points on the rating scale, a whole "
                         f"number of at least 2 (5 for a 1-5 scale), not {scale_points!r}")
    return int(scale_points)


def _ratings(values, what: str) -> np.ndarray:
    """``values`` as a float array; refuses text, booleans and infinities."""
    if values is None or isinstance(values, (str, bytes, dict)):
        raise ValueError(f"{what} must be an array of numeric ratings, not {type(values).__name__}")
    arr = np.asarray(values)
    if arr.dtype.kind in "US":
        raise ValueError(f"{what} must hold numbers, not text; convert text ratings first, "
                         "e.g. with pd.to_numeric")
    if arr.dtype.kind == "O":
        try:
            arr = arr.astype(float)
        except (TypeError, ValueError):
            raise ValueError(f"{what} must hold numbers only; convert text ratings first, "
                             "e.g. with pd.to_numeric") from None
    if arr.dtype.kind not in "iuf":
        raise ValueError(f"{what} must hold numeric ratings, not {arr.dtype} values")
    arr = arr.astype(float)
    if np.isinf(arr).any():
        raise ValueError(f"{what} holds infinite values; ratings must be finite numbers")
    return arr


def _check_span(values, points: int) -> None:
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    if values.size and values.max() - values.min() > points - 1:
        raise ValueError(f"the ratings run from {values.min():g} to {values.max():g}, wider than a "
                         f"{points}-point scale allows; pass the scale's number of points as "
                         "scale_points")


def _rating_facet(inst: Instrument, facet: str | None) -> tuple[str, Scale]:
    """The facet (default: the instrument's first) and its scale, which must be a rating."""
    if facet is None:
        facet = inst.facets[0].id
    try:
        scale = inst.facet(facet).scale
    except KeyError:
        raise ValueError(f"{inst.id} has no facet {facet!r}; choose from "
                         f"{', '.join(f.id for f in inst.facets)}") from None
    if scale.kind != "rating":
        ratings = [f.id for f in inst.facets if f.scale.kind == "rating"]
        raise ValueError(f"facet {facet!r} is a choice between categories, not a rating scale, so "
                         f"agreement is not defined for it; choose a rating facet "
                         f"({', '.join(ratings) or 'none in ' + inst.id})")
    return facet, scale


def _on_scale(df: pd.DataFrame, scale: Scale, facet: str) -> None:
    if len(df) and (df["value"].min() < scale.minimum or df["value"].max() > scale.maximum):
        raise ValueError(f"facet {facet!r} holds values outside its scale {scale.minimum}-"
                         f"{scale.maximum} ({df['value'].min():g} to {df['value'].max():g}); "
                         "check that the frame answers this instrument")


def _by(data: pd.DataFrame, by) -> list[str]:
    return check_by(data, ["rater_group"] if by is None else by, allowed=AGREEMENT_BY)


def _resolve(data, facet, instrument, scale_points):
    """The instrument (None when not needed and not known), facet and points for rwg/rwg_j."""
    inst = None
    if scale_points is None:
        inst = instrument_of(data, instrument)
    else:
        scale_points = _points(scale_points)
        try:
            inst = instrument_of(data, instrument)
        except ValueError:
            if instrument is not None:
                raise
    if inst is not None:
        facet, scale = _rating_facet(inst, facet)
        return inst, facet, scale_points or scale.points
    if facet is None:
        facets = list(pd.unique(data["facet"].dropna()))
        if len(facets) > 1:
            raise ValueError(f"this frame holds several facets ({', '.join(map(str, facets))}); "
                             "pass facet= to choose one")
        facet = facets[0] if facets else None
    return None, facet, scale_points


def _sections(df: pd.DataFrame, inst: Instrument | None) -> pd.Series:
    """Each row's section: the frame's own column, else the instrument's for its item."""
    from_inst = (df["item"].map({i.id: i.section for i in inst.items}) if inst is not None
                 else pd.Series(None, index=df.index, dtype=object))
    return df["section"].fillna(from_inst) if "section" in df.columns else from_inst


def _item_sections(df: pd.DataFrame, inst: Instrument | None) -> pd.Series:
    """The section of each item, indexed by item."""
    return _sections(df, inst).groupby(df["item"], dropna=False).first()


def _instrument_order(res: pd.DataFrame, inst: Instrument | None, col: str,
                      then: list[str]) -> pd.DataFrame:
    """Rows in the instrument's item (or section) order, then by ``then``."""
    if inst is not None:
        order = ({i.id: n for n, i in enumerate(inst.items)} if col == "item"
                 else {s.id: n for n, s in enumerate(inst.sections)})
        key = res[col].map(order)
    else:
        key = res[col]
    res = res.assign(_order=key).sort_values(["_order", *then], kind="stable", na_position="last")
    return res.drop(columns="_order").reset_index(drop=True)


# -- rwg: one implementation, for agreement, the agenda and the diagnostics ------------------
def _null_variance(points: int) -> float:
    return (points ** 2 - 1) / 12.0


def _rwg_from_var(var, points: int, truncate: bool):
    out = 1.0 - np.asarray(var, dtype=float) / _null_variance(points)
    return np.maximum(out, 0.0) if truncate else out  # np.maximum keeps NaN


def _rwg_j_from_var(mean_var, j, points: int, truncate: bool):
    ratio = np.asarray(mean_var, dtype=float) / _null_variance(points)
    j = np.asarray(j, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = j * (1 - ratio) / (j * (1 - ratio) + ratio)
    return np.where(ratio >= 1, 0.0, out) if truncate else out


def _item_stats(df: pd.DataFrame, by: list[str], points: int, truncate: bool = True):
    """n, mean, sd, min, max, range and rwg per item and group (not yet anonymised)."""
    g = df.groupby(["item", *by], sort=True, dropna=False)
    v = g["value"]
    res = pd.DataFrame({"n": g["submission"].nunique(), "mean": v.mean(), "sd": v.std(),
                        "min": v.min(), "max": v.max()})
    res["range"] = res["max"] - res["min"]
    res["rwg"] = _rwg_from_var(res["sd"] ** 2, points, truncate)
    return res.reset_index()
