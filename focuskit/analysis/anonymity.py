"""Anonymity, enforced in one place: every analysis result passes through here.

Rules
-----
1. Primary suppression: a figure about fewer than ``k`` respondents is withheld (its values
   become missing, ``suppressed`` is True, ``n_shown`` reads "< k").
2. Complementary suppression: within a result, rows that split the same respondents by
   rater group or segment are siblings. Their total is shown elsewhere (an overall figure, a
   group's figure), so a lone withheld sibling could be recovered by differencing. While the
   withheld siblings hold fewer than ``k`` respondents together, the smallest visible sibling
   is withheld too (``n_shown`` "withheld").
3. Filters: a filtered figure is withheld when it takes in any rater-group or segment cell
   that rules 1 and 2 withhold when the same columns split the result (``restrict``).

Only a respondent's own view (``respondent=``) bypasses this, for their own answers.
"""

from __future__ import annotations

import pandas as pd

#: Columns whose values split respondents into disjoint groups.
PARTITIONS = ("rater_group", "segment")


def withhold(result: pd.DataFrame, k: int, *, keys, values, n: str = "n") -> pd.DataFrame:
    """Apply primary and complementary suppression to a result with one row per group.

    Parameters
    ----------
    result : DataFrame
        One row per group; ``keys`` name its grouping columns, ``n`` its respondent count.
    k : int
        The smallest group whose figures may be shown.
    values : list of str
        Columns to blank when a row is withheld.

    Returns
    -------
    DataFrame
        The same rows with ``values`` missing where withheld, ``n`` as a nullable integer
        (missing where withheld), and columns ``suppressed`` (bool) and ``n_shown`` (text).
    """
    out = result.copy()
    counts = out[n].astype(float)
    primary = counts < k
    hidden = primary.copy()
    parts = [c for c in keys if c in PARTITIONS]
    changed = bool(parts) and bool(hidden.any())
    while changed:  # suppressing along one partition can expose another
        changed = False
        for col in parts:
            others = [c for c in keys if c != col]
            # Only sibling sets that hold a withheld row can need more withholding.
            if others:
                touched = out.loc[hidden, others].drop_duplicates()
                sets = out.reset_index().merge(touched, on=others).groupby(
                    others[0] if len(others) == 1 else others, dropna=False, sort=False)["index"]
                members = [list(v) for _, v in sets]
            else:
                members = [list(out.index)]
            for idx in members:
                withheld = [i for i in idx if hidden[i]]
                total = counts[withheld].sum()
                while 0 < total < k:
                    visible = [i for i in idx if not hidden[i]]
                    if not visible:
                        break
                    smallest = min(visible, key=lambda i: counts[i])
                    hidden[smallest] = True
                    total += counts[smallest]
                    changed = True
    _blank(out, hidden, values)
    out["n_shown"] = [(f"< {k}" if p else "withheld") if h else str(int(c))
                      for p, h, c in zip(primary, hidden, counts, strict=True)]
    out[n] = pd.array([pd.NA if h else int(c) for h, c in zip(hidden, counts, strict=True)],
                      dtype="Int64")
    out["suppressed"] = hidden.to_numpy(dtype=bool)
    return out


def _blank(out: pd.DataFrame, rows: pd.Series, values) -> None:
    """Set ``values`` missing on ``rows``; whole-number columns become float to hold NaN."""
    for col in values:
        if out[col].dtype.kind in "iub":
            out[col] = out[col].astype(float)
        out.loc[rows.to_numpy(), col] = float("nan")


def withhold_all(result: pd.DataFrame, k: int, *, values, n: str = "n",
                 reason: str = "withheld") -> pd.DataFrame:
    """Withhold every row (a filter whose complement is a small group)."""
    out = result.copy()
    _blank(out, pd.Series(True, index=out.index), values)
    out["n_shown"] = reason
    out[n] = pd.array([pd.NA] * len(out), dtype="Int64")
    out["suppressed"] = True
    return out


def restrict(data: pd.DataFrame, where: dict | None, k: int) -> tuple[pd.DataFrame, bool]:
    """Rows matching ``where`` ({column: value or list}), and whether figures about them must
    be withheld.

    A filter on rater group or segment selects cells of the partition those columns make.
    The cells are put through the same primary and complementary suppression as a result
    split by those columns; a filtered figure is withheld when any cell it takes in is
    withheld there. Otherwise the filtered figure beside a split one (or beside the whole)
    could be differenced down to a small group.
    """
    if not where:
        return data, False
    mask = pd.Series(True, index=data.index)
    for col, want in where.items():
        if col not in data.columns:
            raise ValueError(f"cannot filter on {col!r}: the frame has no such column")
        want = [want] if isinstance(want, str) or not hasattr(want, "__iter__") else list(want)
        mask &= data[col].isin(want)
    kept = data[mask]
    cols = [c for c in where if c in PARTITIONS]
    if not cols:
        return kept, False
    cells = data.groupby(cols, dropna=False, observed=True)["submission"].nunique() \
        .rename("n").reset_index()
    cells = withhold(cells, k, keys=cols, values=[])
    chosen = cells.merge(kept[cols].drop_duplicates(), on=cols, how="inner")
    return kept, bool(chosen["suppressed"].any())
