"""Responding, anticipating or shaping: how far our external focus reaches, self against others."""

from __future__ import annotations

import numpy as np
from matplotlib.patches import Patch

from .. import analysis as fa
from . import _base as b
from . import theme as th

__all__ = ["external_focus_chart"]

_NEED = ("scope", "rater_group", "level", "share", "n", "suppressed", "n_shown")
#: The three levels, lowest first: light to dark, each with its own hatch for print.
LEVEL_FILLS = ("#DCEBF5", "#7FB2D9", "#1F5F99")
LEVEL_HATCHES = ("", "..", "//")


def external_focus_chart(data=None, *, min_group=None,
                         title="How far does our external focus reach?", ax=None):
    """One 100% bar per rater group (the self-rating group first): the share of answers at
    each of the three levels, Responding, Anticipating and Shaping, printed on the bar. A
    withheld group keeps its row, hatched grey, reading "n < k".

    Parameters
    ----------
    data : DataFrame
        ``external_focus(...)`` (without ``by``) or the responses frame.
    ax : Axes, optional

    Returns
    -------
    Axes

    Examples
    --------
    >>> import focuskit.analysis as fa, focuskit.plots as fp
    >>> ax = fp.external_focus_chart(data=fa.external_focus(
    ...     store.responses("demo-external-focus")))
    """
    res = b.resolve(data, fa.external_focus, _NEED, min_group=min_group)
    extra = [c for c in ("segment", "section", "item") if c in res.columns]
    if extra:
        raise ValueError(f"external_focus_chart draws one bar per rater group; this result is "
                         f"split by {extra}: filter it to one first")
    lv = res[res["scope"] == "level"]
    groups = list(dict.fromkeys(lv["rater_group"]))
    levels = list(dict.fromkeys(lv["level"]))
    table = lv.set_index(["rater_group", "level"])
    with b.canvas(ax, (9, 1.9 + 0.75 * len(groups))) as ax:
        handles = [Patch(facecolor=LEVEL_FILLS[k % 3], hatch=LEVEL_HATCHES[k % 3],
                         edgecolor="white", label=level) for k, level in enumerate(levels)]
        for i, g in enumerate(groups):
            rows = table.loc[g]
            if rows["suppressed"].astype(bool).all():
                ax.barh(i, 1, color="#EDEDED", hatch="///", edgecolor="#B5B5B5", lw=0,
                        height=0.6, gid="withheld-bar")
                ax.text(0.5, i, b.withheld_text(rows["n_shown"].iloc[0]), ha="center",
                        va="center", style="italic", gid="withheld",
                        bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="none"))
                continue
            left = 0.0
            for k, level in enumerate(levels):
                share = float(rows.loc[level, "share"])
                ax.barh(i, share, left=left, height=0.6, color=LEVEL_FILLS[k % 3],
                        hatch=LEVEL_HATCHES[k % 3], edgecolor="white", lw=0.8,
                        gid=f"level:{level}")
                if share >= 0.06:
                    ax.text(left + share / 2, i, f"{share:.0%}", ha="center", va="center",
                            fontsize=10.5, fontweight="bold",
                            color="white" if k == 2 else th.INK,
                            bbox=dict(boxstyle="round,pad=0.15", lw=0, alpha=0.85,
                                      fc=LEVEL_FILLS[k % 3]))
                left += share
        names = [th.group_label(g, _n(table.loc[g])) for g in groups]
        ax.set_yticks(range(len(groups)), names)
        for tick, g in zip(ax.get_yticklabels(), groups, strict=True):
            tick.set_color(th.group_style(g).color)
            tick.set_fontweight("bold")
        ax.set_ylim(len(groups) - 0.5, -0.5)
        ax.set_xlim(0, 1)
        ax.set_xticks(np.linspace(0, 1, 5))
        ax.xaxis.set_major_formatter(lambda v, _: f"{v:.0%}")
        ax.set_xlabel("Share of answers at each level")
        b.legend_top(ax, title, ncols=3, bands=False, handles=handles)
        b.note(ax, "Responding: answering what customers ask for today. Anticipating: "
               "foreseeing what they will need next.\nShaping: helping shape the value they "
               "get. Each answer counts at the level it reached (1-2, 3-4, 5).")
        return ax


def _n(rows):
    n = rows.loc[~rows["suppressed"].astype(bool), "n"]
    return n.iloc[0] if len(n) else None
