"""Checks and helpers shared by the analysis functions: the input frame, its instrument, and
the grouping columns a user may slice by."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..instruments import Instrument, Scale, builtin_ids, load_instrument
from ._lattice import attach

#: Columns a user may group results by.
GROUPINGS = ("rater_group", "segment", "section", "item")
DEFAULT_MIN_GROUP = 5
#: No figure is ever shown about fewer people: below three, two people who talk can work
#: out the third one's answers.
MIN_GROUP_FLOOR = 3


def _need_frame(data) -> None:
    if not isinstance(data, pd.DataFrame):
        raise ValueError(f"expected the long responses DataFrame (Store.responses), "
                         f"got {type(data).__name__}")


def check_frame(data, need=("submission", "rater_group", "item", "facet", "value"),
                facets=None) -> pd.DataFrame:
    """The long responses frame, checked, limited to ``facets`` and to answered rows.

    A whole campaign's frame is marked so that every cut of it is judged against the whole
    (``anonymity.attach``)."""
    _need_frame(data)
    missing = [c for c in need if c not in data.columns]
    if missing:
        raise ValueError(f"the frame lacks column(s) {missing}; pass Store.responses(...) or a "
                         f"frame with {list(need)}")
    if {"submission", "rater_group", "item", "facet"} <= set(data.columns):
        lazy = data.attrs.get("disclosure")
        if lazy is None or not lazy.covers(data):
            attach(data)
    keep = None
    if facets is not None and "facet" in data.columns:
        facets = [facets] if isinstance(facets, str) else list(facets)
        wanted = data["facet"].isin(facets)
        if not wanted.all():
            present = set(data["facet"].unique())
            unknown = set(facets) - present
            if unknown and len(data):
                raise ValueError(f"no answers for facet(s) {sorted(unknown)} in this frame "
                                 f"(it has {sorted(present)})")
            keep = wanted
    if "value" in data.columns and data["value"].hasnans:
        keep = data["value"].notna() if keep is None else keep & data["value"].notna()
    # Copying a million rows costs more than the statistics: filter only when needed.
    return data if keep is None else data[keep]


def check_by(data: pd.DataFrame, by, allowed=GROUPINGS) -> list[str]:
    """``by`` as a list of column names, each a known grouping present in the frame."""
    if by is None:
        return []
    by = [by] if isinstance(by, str) else list(by)
    for b in by:
        if b not in allowed:
            raise ValueError(f"cannot group by {b!r}; choose from {', '.join(allowed)}")
        if b not in data.columns:
            raise ValueError(f"the frame has no {b!r} column to group by")
    return by


def min_group(data: pd.DataFrame, min_group: int | None) -> int:
    """The anonymity threshold: the argument, else the campaign's (frame attrs), else 5;
    never below 3."""
    _need_frame(data)
    k = min_group if min_group is not None else data.attrs.get("min_group_size",
                                                               DEFAULT_MIN_GROUP)
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < MIN_GROUP_FLOOR:
        raise ValueError(f"min_group must be a whole number of at least {MIN_GROUP_FLOOR} "
                         f"(smaller groups can be worked out), not {k!r}")
    promised = data.attrs.get("campaign_min_group", data.attrs.get("min_group_size"))
    if isinstance(promised, (int, np.integer)) and k < promised:
        raise ValueError(f"min_group {k} is below this campaign's minimum group size "
                         f"({promised}), which its respondents were promised")
    return int(k)


def instrument_of(data: pd.DataFrame, instrument: Instrument | str | None) -> Instrument:
    """The instrument behind a frame: given, else the one its attrs carry (``Store.responses``),
    else the built-in its attrs name."""
    _need_frame(data)
    if isinstance(instrument, Instrument):
        return instrument
    iid = instrument or data.attrs.get("instrument")
    if isinstance(iid, Instrument):  # the campaign's own, as Store.responses gives it
        return iid
    if iid is None:
        raise ValueError("pass instrument= (e.g. store.campaign(id).instrument): this frame "
                         "does not say which instrument it answers")
    if iid not in builtin_ids():
        raise ValueError(f"instrument {iid!r} is not built in; pass the Instrument object "
                         "(store.campaign(id).instrument)")
    inst = load_instrument(iid)
    version = data.attrs.get("instrument_version")
    if version and instrument is None and version != inst.version:
        raise ValueError(f"this frame answers {iid} {version}, the built-in is {inst.version}; "
                         "pass instrument=store.campaign(id).instrument")
    return inst


def level_band(values, scale: Scale) -> pd.Series:
    """The anchor label nearest each mean: 1-1.99 Casual, 2-3.99 Moderate, 4-5 Intense on a
    1/3/5-anchored scale (boundaries half way between anchors, ties going up)."""
    values = pd.Series(values, dtype=float)
    anchors = sorted(scale.anchors, key=lambda a: a.value)
    if not anchors:
        return pd.Series([None] * len(values), index=values.index, dtype=object)
    cuts = [(a.value + b.value) / 2 for a, b in zip(anchors, anchors[1:], strict=False)]
    idx = np.searchsorted(np.asarray(cuts), values.to_numpy(), side="right")
    labels = np.array([a.label for a in anchors], dtype=object)[idx]
    return pd.Series(np.where(values.isna(), None, labels), index=values.index, dtype=object)


def anchor_reached(values, scale: Scale) -> pd.Series:
    """The highest anchor each answer has reached: on a 1/3/5 scale 1-2 Responding, 3-4
    Anticipating, 5 Shaping. For single answers, where a 2 means "not yet the next level"."""
    values = pd.Series(values, dtype=float)
    anchors = sorted(scale.anchors, key=lambda a: a.value)
    idx = np.searchsorted(np.asarray([a.value for a in anchors]), values.to_numpy(),
                          side="right") - 1
    labels = np.array([a.label for a in anchors], dtype=object)[np.clip(idx, 0, None)]
    return pd.Series(np.where(values.isna(), None, labels), index=values.index, dtype=object)


def t_interval(mean, sd, n, confidence: float = 0.95):
    """Lower and upper bounds of the t-based interval of a mean (NaN for n < 2)."""
    from scipy import stats

    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        half = stats.t.ppf((1 + confidence) / 2, n - 1) * np.asarray(sd) / np.sqrt(n)
    half = np.where(n >= 2, half, np.nan)
    return np.asarray(mean) - half, np.asarray(mean) + half


#: The same as ``min_group``, for functions whose own parameter is called ``min_group``.
threshold = min_group
