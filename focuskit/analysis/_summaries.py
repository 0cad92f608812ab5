"""Summaries the diagnostics (blocks, ADLI) and the external-focus analysis share: n, mean, sd
and a t interval per key, each respondent's mean, and the finishing of a result."""

from __future__ import annotations

import pandas as pd

from ._data import t_interval


def _need_facets(inst, facets, what: str) -> None:
    have = {f.id for f in inst.facets}
    missing = [f for f in facets if f not in have]
    if missing:
        raise ValueError(f"{what} needs an instrument with facet(s) {list(facets)}; "
                         f"{inst.id} lacks {missing}. Pass a frame of a {what} campaign "
                         f"(instrument={what!r}) or the matching instrument=")


def _summary(values: pd.DataFrame, keys: list[str], confidence: float = 0.95) -> pd.DataFrame:
    """n, mean, sd and a t interval of ``value`` per ``keys``, with n = distinct submissions.

    ``values`` holds one value per submission and key (a respondent's answer or mean)."""
    if keys:
        g = values.groupby(keys, sort=False, dropna=False)
        out = g.agg(n=("submission", "nunique"), mean=("value", "mean"),
                    sd=("value", "std")).reset_index()
    else:
        out = pd.DataFrame({"n": [values["submission"].nunique()],
                            "mean": [values["value"].mean()], "sd": [values["value"].std()]})
    lo, hi = t_interval(out["mean"], out["sd"], out["n"], confidence)
    out["ci_low"], out["ci_high"] = lo, hi
    return out


def _person_means(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Each respondent's mean value per ``keys`` (one row per submission and key)."""
    return frame.groupby([*keys, "submission"], sort=False, dropna=False)["value"] \
        .mean().reset_index()


def _order(df: pd.DataFrame, col: str, order) -> pd.Series:
    pos = {v: i for i, v in enumerate(order)}
    return df[col].map(pos)


def _finish(parts: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    out = pd.concat([p for p in parts if len(p)], ignore_index=True)
    out["n"] = out["n"].astype("Int64")
    return out[columns]
