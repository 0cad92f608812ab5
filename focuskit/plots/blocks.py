"""What blocks our customer focus: how strongly each block holds, and whether we blame
systems or people for it, beside the 85/15 rule."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.patches import Patch
from matplotlib.transforms import blended_transform_factory

from .. import analysis as fa
from . import _base as b
from . import theme as th

__all__ = ["blocks_chart"]

_NEED = ("scope", "item", "mean", "share_systems", "share_people", "expected_people",
         "misattributed", "suppressed", "n_shown")
SYSTEMS, PEOPLE, SEVERITY = "#A6CEE3", "#E69F00", "#5A5A5A"
_GAP, _WIDTH = 0.7, 3.0  # the share panel starts _GAP after the scale and is _WIDTH wide


def blocks_chart(data=None, *, labels=None, min_group=None,
                 title="What blocks our customer focus", ax=None):
    """Blocks ranked by severity: a bar for how strongly each holds (1-5, on its banded
    scale) and, beside it, the group's split of root causes between systems and people,
    with the 85/15 rule's line (about 85% of breakdowns start in systems). A block whose
    people share is far above the rule is tagged "blames people". The last row pools every
    block.

    Parameters
    ----------
    data : DataFrame
        ``blocks(...)`` for one group (no ``by``), or the responses frame.
    labels : None, "prompt" or dict
        Block labels: readable ids (default), prompts, or your own.
    ax : Axes, optional

    Returns
    -------
    Axes

    Examples
    --------
    >>> import focuskit.analysis as fa, focuskit.plots as fp
    >>> ax = fp.blocks_chart(data=fa.blocks(store.responses("demo-blocks")))
    """
    res = b.resolve(data, fa.blocks, _NEED, min_group=min_group)
    for col in ("rater_group", "segment"):
        if col in res.columns and res[col].nunique() > 1:
            raise ValueError(f"blocks_chart draws one group; this result is split by {col}: "
                             f"pass data=res[res['{col}'] == ...]")
    blk = res[res["scope"] == "block"]
    rows = pd.concat([blk, res[res["scope"] == "overall"]], ignore_index=True)
    inst = b.instrument_for(blk["item"], data=res)
    scale = b.scale_of(inst, "applies")
    names = b.item_labels(blk["item"], labels, inst, width=26) + ["All blocks"] * (
        len(rows) - len(blk))
    x0 = scale.maximum + 0.2 + _GAP
    rule = 1 - float(res["expected_people"].iloc[0])
    with b.canvas(ax, (10.5, b.rows_height(names, base=2.2, per_line=0.2, min_row=0.4))) as ax:
        b.draw_bands(ax, scale, limits=(scale.minimum - 0.2, scale.maximum + 0.2))
        y = np.arange(len(rows))
        vis = ~rows["suppressed"].astype(bool).to_numpy()
        sev = rows["mean"].to_numpy(float)
        ax.barh(y[vis], sev[vis] - scale.minimum, left=scale.minimum, height=0.55,
                color=SEVERITY, zorder=2, gid="severity")
        sys_w = rows["share_systems"].to_numpy(float) * _WIDTH
        ax.barh(y[vis], sys_w[vis], left=x0, height=0.55, color=SYSTEMS, zorder=2,
                edgecolor="white", gid="systems")
        ax.barh(y[vis], _WIDTH - sys_w[vis], left=x0 + sys_w[vis], height=0.55, color=PEOPLE,
                hatch="///", edgecolor="white", linewidth=0, zorder=2, gid="people")
        ax.axvline(x0 + rule * _WIDTH, color=th.INK, ls="--", lw=1.4, zorder=3, gid="rule")
        tr = blended_transform_factory(ax.transData, ax.transAxes)
        ax.text(x0 + rule * _WIDTH, 1.0, f"{rule:.0%}/{1 - rule:.0%} rule", transform=tr,
                ha="center", va="bottom", fontsize=9.5, fontweight="bold")
        for i, r in enumerate(rows.itertuples()):
            if not vis[i]:
                ax.text((scale.minimum + x0 + _WIDTH) / 2, i, b.withheld_text(r.n_shown),
                        ha="center", va="center", style="italic", color=th.INK,
                        gid="withheld", bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="none"))
                continue
            blamed = r.misattributed is not pd.NA and bool(r.misattributed)
            ax.annotate(f"{r.share_people:.0%}" + ("  blames people" if blamed else ""),
                        xy=(1.0, i), xycoords=("axes fraction", "data"), xytext=(5, 0),
                        textcoords="offset points", va="center", fontsize=9.5,
                        fontweight="bold" if blamed else "normal",
                        gid="misattributed" if blamed else "people-share")
        if len(rows) > len(blk):
            ax.axhline(len(blk) - 0.5, color=th.MUTED, lw=0.8)
        ax.set_yticks(y, names)
        ax.set_ylim(len(rows) - 0.5, -0.5)
        ax.set_xlim(scale.minimum - 0.2, x0 + _WIDTH)
        ax.set_xticks(list(scale.values))
        ax.spines["bottom"].set_bounds(scale.minimum - 0.2, scale.maximum + 0.2)
        ax.set_xlabel(" ")
        for x, text in ((scale.minimum + (scale.maximum - scale.minimum) / 2,
                         "How strongly it holds"),
                        (x0 + _WIDTH / 2, "Where we place the cause")):
            ax.annotate(text, xy=(x, 0.5), xycoords=("data", ax.xaxis.label), ha="center",
                        va="center", fontsize=11)
        b.legend_top(ax, title, ncols=2, handles=[
            Patch(color=SYSTEMS, label="cause: systems and processes"),
            Patch(facecolor=PEOPLE, hatch="///", edgecolor="white", label="cause: people")])
        b.note(ax, "Most severe first. The 85/15 rule: about 85% of breakdowns start in "
               "systems, 15% with people.")
        return ax
