"""The customer-contact programme: its ADLI review, and how many contacts each segment needs."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.ticker import NullLocator

from .. import analysis as fa
from . import _base as b
from . import theme as th
from .heatmaps import draw_grid

__all__ = ["adli_rubric", "contact_planner"]

_ADLI = ("approach", "deployment", "learning", "integration")
_NEED_ADLI = ("scope", "item", "dimension", "mean", "band", "suppressed", "n_shown")
_NEED_PLAN = ("segment", "population", "needed", "planned", "margin_planned")


def adli_rubric(data=None, *, labels=None, min_group=None, cmap="Blues",
                title="How mature is our customer-contact programme?", ax=None):
    """The review as a rubric: questions × Approach, Deployment, Learning, Integration, each
    cell its mean score and maturity stage; a last column per question, a last row per
    dimension and the corner for the whole programme. Withheld cells read "n < k".

    Parameters
    ----------
    data : DataFrame
        ``adli(...)`` for one group of reviewers, or the responses frame.
    labels : None, "prompt" or dict
        Question labels: readable ids (default), the questions themselves, or your own.
    ax : Axes, optional

    Returns
    -------
    Axes

    Examples
    --------
    >>> import focuskit.analysis as fa, focuskit.plots as fp
    >>> ax = fp.adli_rubric(data=fa.adli(store.responses("demo-contact-review")))
    """
    res = b.resolve(data, fa.adli, _NEED_ADLI, min_group=min_group)
    for col in ("rater_group", "segment"):
        if col in res.columns and res[col].nunique() > 1:
            raise ValueError(f"adli_rubric draws one group of reviewers; this result is split "
                             f"by {col}: pass data=res[res['{col}'] == ...]")
    items = list(dict.fromkeys(res.loc[res["scope"] == "question", "item"]))
    carried = res.attrs.get("instrument")  # the campaign's own, else the built-in
    inst = b.instrument_for(items, carried if carried is not None else "contact-programme")
    scale = inst.scale
    cells = {}
    for r in res.itertuples():
        row = r.item if r.scope in ("cell", "question") else "_all"
        col = r.dimension if r.scope in ("cell", "dimension") else "_all"
        cells[(row, col)] = r
    rows, cols = [*items, "_all"], [*_ADLI, "_all"]
    grid = np.full((len(rows), len(cols)), np.nan)
    hidden = np.zeros(grid.shape, dtype=bool)
    texts = [["no answers"] * len(cols) for _ in rows]
    for i, row in enumerate(rows):
        for j, col in enumerate(cols):
            r = cells.get((row, col))
            if r is None:
                continue
            if r.suppressed:
                hidden[i, j], texts[i][j] = True, b.withheld_text(r.n_shown)
            else:
                grid[i, j] = r.mean
                texts[i][j] = f"{r.mean:.1f}"
    row_names = b.item_labels(items, labels, inst, width=22) + ["All questions"]
    col_names = [b.readable(d) for d in _ADLI] + ["All four"]
    size = (2.4 + 1.15 * len(cols) + 1.6, b.rows_height(row_names, base=1.8, min_row=0.55))
    with b.canvas(ax, size) as ax:
        draw_grid(ax, grid, texts, hidden, row_names, col_names, cmap, scale, fontsize=11)
        ax.axhline(len(items), color=th.INK, lw=1.5)
        ax.axvline(len(_ADLI), color=th.INK, lw=1.5)
        ax.set_title(title, pad=12)
        b.note(ax, "Each cell: the reviewers' mean score, 1 Reacting to 4 Integrated (stages on "
               "the right).\nLast column and row: averages; the corner is the whole programme.")
        return ax


def contact_planner(data=None, *, title="How many contacts does each segment need?", ax=None):
    """Contacts against the margin of error they buy, one curve per segment, with the target
    margin as a dashed line, what each segment needs on it (open circle) and the current
    plan (filled marker, labelled with the margin it buys). Answers "why 100 visits?".

    Parameters
    ----------
    data : DataFrame or dict
        ``contact_plan(...)`` (its ``attrs`` give the target margin, confidence and p), or a
        ``{segment: population}`` dict passed through ``contact_plan``.
    ax : Axes, optional

    Returns
    -------
    Axes

    Examples
    --------
    >>> import focuskit.analysis as fa, focuskit.plots as fp
    >>> plan = fa.contact_plan({"residential": 6_000_000, "large": 1_000}, planned={"large": 100})
    >>> ax = fp.contact_planner(data=plan)
    """
    if isinstance(data, dict):
        data = fa.contact_plan(data)
    res = b.resolve(data, fa.contact_plan, _NEED_PLAN)
    margin = float(res.attrs.get("margin", 0.05))
    conf, p = float(res.attrs.get("confidence", 0.95)), float(res.attrs.get("p", 0.5))
    top = int(max(res["population"].max(), 1))
    right = min(top, max(10 * int(res["needed"].max()), 1000))
    with b.canvas(ax, (9.5, 5.6)) as ax:
        handles = []
        for k, r in enumerate(res.itertuples()):
            st = th.SERIES[k % len(th.SERIES)]
            n = np.unique(np.geomspace(1, min(r.population, right), 120).astype(int))
            # The margins come from the analysis layer: the plot only draws them.
            e = np.asarray(fa.margin_for(n, int(r.population), conf, p)) * 100
            ax.plot(n, e, color=st.color, ls=st.linestyle, lw=2, zorder=2, gid=f"curve:{r.segment}")
            ax.scatter([r.needed], [margin * 100], s=70, facecolor="white", edgecolor=st.color,
                       linewidth=2, zorder=4, gid="needed")
            plan = r.planned if r.planned is not pd.NA else None
            text = f"{b.readable(r.segment)} ({r.population:,}): needs {r.needed:,}"
            if plan:
                ax.scatter([plan], [r.margin_planned * 100], s=110, marker=st.marker,
                           color=st.color, edgecolor="white", zorder=5, gid="planned")
                ax.annotate(f"{plan:,} planned: ±{r.margin_planned:.1%}", (plan, r.margin_planned * 100),
                            xytext=(8, 6), textcoords="offset points", fontsize=10,
                            fontweight="bold", color=th.INK, gid="planned-label")
                text += f", plans {plan:,}"
            elif plan == 0:
                text += ", plans none (nothing can be said)"
            handles.append(Line2D([], [], color=st.color, ls=st.linestyle, lw=2,
                                  marker=st.marker if plan else None, ms=8, label=text))
        ax.axhline(margin * 100, color=th.INK, ls="--", lw=1.2, zorder=1, gid="target")
        ax.annotate(f"target ±{margin:.0%}", xy=(1.0, margin * 100), xycoords=("axes fraction", "data"),
                    xytext=(4, 0), textcoords="offset points", va="center", fontsize=10)
        ax.set_xscale("log")
        ax.set_xlim(1, right * 1.05)
        # Decades only: a log axis's dozens of minor ticks cost more than the curves.
        ax.set_xticks([10 ** k for k in range(int(np.log10(right)) + 1)])
        ax.xaxis.set_minor_locator(NullLocator())
        ax.set_ylim(0, 30)
        ax.xaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")
        ax.yaxis.set_major_formatter(lambda v, _: f"±{v:.0f}%")
        ax.grid(True, which="major", color="#E6E6E6", lw=0.8)
        ax.set_xlabel("Contacts (completed visits, calls or surveys), log scale")
        ax.set_ylabel("Margin of error")
        b.legend_top(ax, title, ncols=1, bands=False, handles=handles)
        b.note(ax, f"Open circles: contacts needed for ±{margin:.0%} at {conf:.0%} confidence "
               "(a random sample of the segment).")
        return ax
