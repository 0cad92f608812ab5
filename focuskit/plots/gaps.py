"""Two views of the same item side by side: self against customers, Say against Do."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.collections import LineCollection

from .. import analysis as fa
from ..findings.words import group_name
from . import _base as base
from . import theme as th

__all__ = ["gap_dumbbell"]

_TAGS = {"blind spot": "BLIND SPOT", "hidden strength": "hidden strength"}


def gap_dumbbell(data=None, *, a="self", b="customer", scope="statement", labels=None,
                 values=None, instrument=None, min_group=None, title=None, ax=None):
    """Per item, two groups' means joined by a bar, sorted by the gap between them (widest
    first). From ``perception_gaps`` the ends are rater groups ``a`` and ``b`` and blind
    spots and hidden strengths are tagged; from ``say_do`` the ends are Say (hollow) and Do
    (solid). Withheld items keep their row and read "n < k".

    Parameters
    ----------
    data : DataFrame
        ``perception_gaps(...)``, ``say_do(...)`` or the responses frame (passed through
        ``say_do`` when it has say and do answers, else ``perception_gaps(data, a, b)``).
    a, b : str
        The rater groups compared (responses frame only).
    scope : {"statement", "area"}
        Which rows of a ``say_do`` result to draw.
    labels : None, "prompt" or dict
        Item labels: readable ids (default), prompts, or your own.
    values : bool, optional
        Print each gap beside its row; by default when there are at most 12 rows (beyond
        that the sorted bars carry it, and each number costs drawing time). Blind spots and
        hidden strengths are always tagged.
    ax : Axes, optional

    Returns
    -------
    Axes

    Examples
    --------
    >>> import focuskit.analysis as fa, focuskit.plots as fp
    >>> ax = fp.gap_dumbbell(data=fa.perception_gaps(responses, "self", "customer"))
    """
    if _is_say_do(data):
        res = base.resolve(data, fa.say_do, ("say", "do", "gap", "scope"), min_group=min_group,
                         instrument=instrument)
    else:
        res = base.resolve(data, fa.perception_gaps, ("item", "mean_a", "mean_b", "gap", "flag"),
                         a=a, b=b, min_group=min_group, instrument=instrument)
    rows, ends, kind = _normalise(res, scope)
    ids = list(rows["key"])
    inst = base.instrument_for(ids, instrument, kind, data=res)
    scale = base.scale_of(inst, "say" if "say" in res.columns else None)
    names = base.item_labels(ids, labels, inst, width=26, kind=kind)
    if title is None:
        title = (f"Where {ends[0].label} and {ends[1].label} see us differently"
                 if "mean_a" in res.columns else "What we say against what we do")
    with base.canvas(ax, (9, base.rows_height(names, per_line=0.2, min_row=0.36))) as ax:
        base.draw_bands(ax, scale)
        y = np.arange(len(rows))
        show = len(rows) <= 12 if values is None else bool(values)
        vis = ~rows["hidden"].to_numpy()
        flagged = rows["flag"].isin(list(_TAGS)).to_numpy()
        ax.add_collection(LineCollection(
            [[(lo, yy), (hi, yy)] for yy, lo, hi in zip(y[vis], rows["left"][vis],
                                                        rows["right"][vis], strict=True)],
            colors=[th.INK if f else "#9A9A9A" for f in flagged[vis]],
            linewidths=[3.2 if f else 2 for f in flagged[vis]], capstyle="butt", zorder=2,
            gid="gap-bar"), autolim=False)
        for end, col in zip(ends, ("left", "right"), strict=True):
            hollow = end is th.FACETS["say"]
            ax.scatter(rows[col][vis], y[vis], s=70, marker=end.marker, zorder=3,
                       facecolor="white" if hollow else end.color, edgecolor=end.color,
                       linewidth=2 if hollow else 0.8, label=end.label, gid=f"end:{col}")
        for yy, r in zip(y, rows.itertuples(), strict=True):
            if r.hidden:
                ax.text((scale.minimum + scale.maximum) / 2, yy, base.withheld_text(r.n_shown),
                        ha="center", va="center", color=th.WITHHELD, style="italic",
                        gid="withheld")
                continue
            tag = _TAGS.get(r.flag, "")
            if not (show or tag):
                continue
            text = "  ".join(t for t in (f"{r.gap:+.1f}" if show else "", tag) if t)
            ax.annotate(text, xy=(1.0, yy),
                        xycoords=("axes fraction", "data"), xytext=(8, 0),
                        textcoords="offset points", va="center", fontsize=10,
                        fontweight="bold" if tag == "BLIND SPOT" else "normal",
                        style="italic" if tag == "hidden strength" else "normal", gid="gap")
        if show:
            ax.annotate("gap", xy=(1.0, 1.0), xycoords="axes fraction", xytext=(8, 4),
                        textcoords="offset points", va="bottom", fontsize=9.5, color=th.MUTED,
                        style="italic")
        ax.set_yticks(y, names)
        ax.set_ylim(max(len(rows), 1) - 0.5, -0.5)  # an empty chart still has a row
        ax.set_xlabel("Mean rating")
        base.legend_top(ax, title)
        if "mean_a" in res.columns:
            a_, b_ = (group_name(g) for g in (res["a"].iloc[0], res["b"].iloc[0])) \
                if {"a", "b"} <= set(res.columns) and len(res) else \
                (ends[0].label.lower(), ends[1].label.lower())
            explain = (f"Gap: the mean of {a_} minus that of {b_}, largest first. Blind spot: "
                       f"we rate ourselves well above how {b_} rate us;\nhidden strength: "
                       "well below.")
        else:
            explain = ("Gap = Say minus Do, largest first: how far practice falls short of "
                       "intention.")
        base.note(ax, explain)
        return ax



def _is_say_do(data) -> bool:
    if not isinstance(data, pd.DataFrame):
        return False
    if base.is_responses(data):
        return {"say", "do"} <= set(data["facet"].unique())
    return {"say", "do", "scope"} <= set(data.columns)


def _normalise(res, scope):
    """One row per drawn item: key, left, right, gap, flag, hidden, n_shown; widest gap first."""
    hidden = ~base.shown(res)
    if "mean_a" in res.columns:
        if "segment" in res.columns and res["segment"].nunique() > 1:
            raise ValueError("gap_dumbbell draws one row per item; this result is split by "
                             "segment: pass where={'segment': ...} to perception_gaps")
        groups = (res["a"].iloc[0], res["b"].iloc[0]) if len(res) else ("self", "customer")
        ends = tuple(th.group_style(g) for g in groups)
        out = pd.DataFrame({"key": res["item"], "left": res["mean_a"], "right": res["mean_b"],
                            "gap": res["gap"], "flag": res["flag"].fillna("")})
        kind = "item"
    else:
        if scope not in ("statement", "area"):
            raise ValueError(f"scope must be 'statement' or 'area', not {scope!r}")
        part = res["scope"] == scope
        res, hidden = res[part], hidden[part]
        key = "item" if scope == "statement" else "section"
        ends = (th.FACETS["say"], th.FACETS["do"])
        out = pd.DataFrame({"key": res[key], "left": res["say"], "right": res["do"],
                            "gap": res["gap"], "flag": ""})
        kind = key
    if out["key"].duplicated().any():
        raise ValueError("gap_dumbbell draws one row per item; this result has several rows "
                         "per item (split by a group): filter it to one group first")
    out["hidden"] = hidden.to_numpy()
    out["n_shown"] = res["n_shown"].to_numpy()
    out = out.sort_values(["hidden", "gap"], ascending=[True, False], kind="stable")
    return out.reset_index(drop=True), ends, kind
