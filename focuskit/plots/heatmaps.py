"""Groups × dimensions at a glance: an annotated heatmap whose withheld cells say so."""

from __future__ import annotations

import numpy as np
import seaborn as sns
from matplotlib.collections import PatchCollection
from matplotlib.patches import Rectangle

from .. import analysis as fa
from . import _base as b
from . import theme as th

__all__ = ["heatmap"]

ROW_KEYS = ("rater_group", "segment")


def heatmap(data=None, *, by=("rater_group",), value="mean", labels=None, instrument=None,
            min_group=None, cmap="Blues", fmt="{:.1f}", title="Level by group and dimension",
            ax=None):
    """Rows are groups (rater group, and segment when present), columns dimensions; each cell
    is annotated. A withheld cell is hatched grey and reads "n < k" (or "withheld" when it is
    hidden to protect a small neighbour): never blank, never dropped.

    Parameters
    ----------
    data : DataFrame
        ``focuskit.analysis.profile(...)`` (any of rater_group, segment as ``by``) or the
        responses frame (passed through it with ``by``).
    by : str or list of str
        Grouping used when ``data`` is the responses frame.
    value : str
        The column to colour and print (default the mean level).
    labels : None, "prompt" or dict
        Column labels: readable ids (default), prompts, or your own.
    cmap : str
        A sequential colormap; the default stays readable in greyscale.
    ax : Axes, optional
        Draw here; the colour bar takes a slice of its space.

    Returns
    -------
    Axes

    Examples
    --------
    >>> import focuskit.analysis as fa, focuskit.plots as fp
    >>> ax = fp.heatmap(data=fa.profile(responses, by=["rater_group", "segment"]))
    """
    res = b.resolve(data, fa.profile, (value, "suppressed", "n_shown"), by=list(np.atleast_1d(by)),
                    min_group=min_group, instrument=instrument)
    col = "item" if "item" in res.columns else "section" if "section" in res.columns else None
    keys = [k for k in ROW_KEYS if k in res.columns]
    if col is None or not keys:
        raise ValueError("data= needs an item (or section) column and a rater_group or segment "
                         "column, as profile() returns")
    cols = list(dict.fromkeys(res[col]))
    order = {g: i for i, g in enumerate(th.GROUPS)}
    rows = sorted(dict.fromkeys(map(tuple, res[keys].to_numpy().tolist())),
                  key=lambda r: (order.get(r[0], len(order)),) if keys[0] == "rater_group" else ())
    inst = b.instrument_for(cols, instrument, col, data=res)
    scale = b.scale_of(inst, res["facet"].iloc[0] if "facet" in res.columns else None)
    table = res.set_index([*keys, col])
    grid = np.full((len(rows), len(cols)), np.nan)
    texts = [["" for _ in cols] for _ in rows]
    hidden = np.zeros(grid.shape, dtype=bool)
    for i, r in enumerate(rows):
        for j, c in enumerate(cols):
            key = (*r, c)
            if key not in table.index:
                texts[i][j] = "no answers"
                continue
            cell = table.loc[key]
            if bool(cell["suppressed"]):
                hidden[i, j] = True
                texts[i][j] = b.withheld_text(cell["n_shown"])
            else:
                grid[i, j] = cell[value]
                texts[i][j] = fmt.format(cell[value])
    row_names = [_row_name(r, keys) for r in rows]
    col_names = b.item_labels(cols, labels, inst, width=13, kind=col)
    lines = max(n.count("\n") + 1 for n in col_names)
    size = (2.6 + 1.05 * len(cols) + 1.3, 1.5 + 0.5 * len(rows) + 0.18 * lines)
    with b.canvas(ax, size) as ax:
        draw_grid(ax, grid, texts, hidden, row_names, col_names, cmap,
                  scale if value in ("mean", "median") else None)
        ax.set_title(title, pad=12)
        if hidden.any():
            b.note(ax, "Hatched cells are withheld to protect anonymity: \"n < k\" means fewer "
                   "than k people answered;\n\"withheld\" hides a neighbour that would let "
                   "them be worked out.")
        return ax


def draw_grid(ax, grid, texts, hidden, row_names, col_names, cmap, scale=None, fontsize=10.5):
    """Coloured, annotated cells; withheld cells hatched grey with their text; a colour bar
    marked with the scale's bands when ``scale`` is given."""
    vmin, vmax = (scale.minimum, scale.maximum) if scale is not None else \
        (np.nanmin(grid), np.nanmax(grid))
    # seaborn draws the cells and the colour bar from the figures as given; it computes
    # nothing (no clustering, no annotation): the texts below are the analysis' own.
    sns.heatmap(grid, mask=np.isnan(grid), cmap=_soft(cmap), vmin=vmin, vmax=vmax,
                linewidths=2, linecolor="white", xticklabels=False, yticklabels=False,
                cbar_kws=dict(shrink=0.9, pad=0.02, aspect=15), ax=ax)
    mesh = ax.collections[-1]
    ax.add_collection(PatchCollection(
        [Rectangle((j, i), 1, 1) for i, j in zip(*np.nonzero(hidden), strict=True)],
        facecolor="#F0F0F0", edgecolor="#CFCFCF", hatch="///", linewidth=0, gid="withheld"))
    for i in range(grid.shape[0]):
        for j in range(grid.shape[1]):
            v = grid[i, j]
            ok = v == v
            dark = ok and (v - vmin) / ((vmax - vmin) or 1) > 0.55
            ax.text(j + 0.5, i + 0.5, texts[i][j], ha="center", va="center",
                    fontsize=fontsize if ok else 9.5, style="normal" if ok else "italic",
                    color="white" if dark else th.INK if ok else "#444444", linespacing=1.1,
                    gid="cell" if ok else "withheld")
    ax.set_xticks(np.arange(grid.shape[1]) + 0.5, col_names)
    ax.set_yticks(np.arange(grid.shape[0]) + 0.5, row_names)
    ax.set_xlim(0, grid.shape[1])
    ax.set_ylim(grid.shape[0], 0)
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    for side in ("left", "bottom", "top"):
        ax.spines[side].set_visible(False)
    _band_bar(mesh.colorbar, scale)
    return mesh


def _soft(cmap):
    """The colormap without its palest end, so a low cell still shows against the page."""
    import matplotlib as mpl
    from matplotlib.colors import ListedColormap

    base = mpl.colormaps[cmap] if isinstance(cmap, str) else cmap
    return ListedColormap(base(np.linspace(0.12, 0.92, 256)), name=f"{base.name}_soft")


def _row_name(row, keys) -> str:
    parts = [th.group_style(v).label if k == "rater_group" else str(v)
             for k, v in zip(keys, row, strict=True)]
    # "Partners · Partners" says nothing twice.
    return " · ".join(dict.fromkeys(parts))


def _band_bar(bar, scale):
    bar.outline.set_visible(False)
    bar.ax.tick_params(labelsize=9, length=2)
    if scale is None:
        return
    anchors = {a.value for a in scale.anchors}
    bar.set_ticks(scale.values, labels=[f"{v} {scale.label(v)}" if v in anchors else str(v)
                                        for v in scale.values])
    for _, hi, _ in b.bands(scale)[:-1]:
        bar.ax.axhline(hi, color=th.INK, lw=1)
