"""Free-text comments, as staff may read them: the one gate every view passes comments through.

A comment is the easiest answer to trace back to its writer (a turn of phrase, a named
project), so it is held to more than the figures are: an item's comments are released only
when at least the campaign's comment threshold of respondents answered that item (default 10,
never below the minimum group size), pooled over every rater group and segment, and without
anything that would point at the writer (no segment, group, code, time or submission order).
A frame filtered to a part of a campaign releases none: its pool would name that part.
"""

from __future__ import annotations

import pandas as pd

from ..config import COMMENT_THRESHOLD
from ._data import min_group as _min_group

__all__ = ["DEFAULT_COMMENT_THRESHOLD", "comment_threshold", "comments"]

DEFAULT_COMMENT_THRESHOLD = COMMENT_THRESHOLD


def comment_threshold(data: pd.DataFrame, threshold: int | None = None,
                      min_group: int | None = None) -> int:
    """The number of respondents an item needs before its comments are released: the
    argument, else the campaign's (frame attrs), else 10; never below the minimum group."""
    k = _min_group(data, min_group)
    t = threshold if threshold is not None else data.attrs.get("comment_threshold",
                                                               DEFAULT_COMMENT_THRESHOLD)
    if isinstance(t, bool) or not isinstance(t, int):
        raise ValueError(f"the comment threshold must be a whole number, not {t!r}")
    return max(int(t), k)


def comments(data: pd.DataFrame, *, threshold: int | None = None,
             min_group: int | None = None) -> pd.DataFrame:
    """The comments staff may read, per item.

    Parameters
    ----------
    data : DataFrame
        The whole campaign's long responses (``Store.responses(campaign)`` unfiltered).
    threshold : int, optional
        Respondents an item needs; defaults to the campaign's, else 10; never below the
        minimum group size.

    Returns
    -------
    DataFrame
        Columns item, comment: one row per released comment, stripped, in the order of the
        item's text (never of submission). ``attrs["withheld"]`` lists the items with comments
        that were held back, ``attrs["threshold"]`` the threshold applied.
    """
    if not isinstance(data, pd.DataFrame):
        raise ValueError("expected the long responses DataFrame (Store.responses)")
    t = comment_threshold(data, threshold, min_group)
    out = pd.DataFrame(columns=["item", "comment"])
    out.attrs.update(threshold=t, withheld=[])
    if "comment" not in data.columns:
        return out
    missing = [c for c in ("submission", "item") if c not in data.columns]
    if missing:
        raise ValueError(f"the frame lacks column(s) {missing}: comments are released per "
                         "item by how many submissions answered it")
    text = data["comment"].astype("string").str.strip()
    has = data["comment"].notna() & (text.fillna("") != "")
    if not has.any():
        return out
    noted = sorted(data.loc[has, "item"].unique(), key=str)
    if data.attrs.get("filtered"):
        out.attrs["withheld"] = noted
        return out
    if {"rater_group", "facet"} <= set(data.columns):
        # Only the comments of people the figures are about: a latecomer held back from the
        # figures (they refresh in steps of k) would otherwise show up here at once.
        from .anonymity import release

        kept = release(data, None, _min_group(data, min_group)).frame
        text, has = text.loc[kept.index], has.loc[kept.index]
        data = kept
    pool = data.groupby("item")["submission"].nunique()
    released = [i for i in noted if pool.get(i, 0) >= t]
    out.attrs["withheld"] = [i for i in noted if i not in released]
    rows = [(i, c) for i, c in zip(data.loc[has, "item"], text[has], strict=True)
            if i in released]
    out = pd.DataFrame(sorted(rows, key=lambda r: (str(r[0]), r[1])),
                       columns=["item", "comment"])
    out.attrs.update(threshold=t, withheld=[i for i in noted if i not in released])
    return out
