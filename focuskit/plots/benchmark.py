"""How we compare: our mean on each dimension against the benchmark base's quarters."""

from __future__ import annotations

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from .. import analysis as fa
from . import _base as b
from . import theme as th

__all__ = ["benchmark_position"]

_NEED = ("instrument", "scope", "dimension", "measure", "value", "q25", "median", "q75",
         "top_median", "quartile", "percentile", "better", "n_base", "suppressed", "n_shown")
#: The base's quarters, worst to best: light to dark, so greyscale keeps the order.
QUARTERS = ("#E3E3E3", "#CBCBCB", "#ADADAD", "#8C8C8C")
_QUARTER_NAMES = ("bottom quarter", "third quarter", "second quarter", "top quarter")
_MEASURES = {"level": "Mean level", "say": "Say (intention)", "do": "Do (practice)",
             "gap": "Say-Do gap (smaller is better)"}


def benchmark_position(data=None, *, base=None, measure=None, instrument=None, group="self",
                       labels=None, min_group=None, title=None, ax=None):
    """Per dimension, the benchmark base's four quarters as shaded bands, our mean as a
    marker and the top quarter's median as a black tick; beside each row, our quarter and
    the share of organisations we do better than.

    Parameters
    ----------
    data : DataFrame
        ``benchmark(...)`` or the responses frame (passed through it with ``base`` and
        ``group``).
    measure : str, optional
        Which measure to draw: ``level`` (focus-levels; the default when present) or
        ``say``, ``do``, ``gap`` (say-do; ``gap`` by default).
    instrument : str, optional
        With a result holding two instruments, the one to draw.
    labels : None, "prompt" or dict
        Dimension labels.
    ax : Axes, optional

    Returns
    -------
    Axes

    Examples
    --------
    >>> import focuskit.analysis as fa, focuskit.plots as fp
    >>> ax = fp.benchmark_position(data=fa.benchmark(responses, base))
    """
    res = b.resolve(data, fa.benchmark, _NEED, base=base, group=group, min_group=min_group)
    iid = instrument.id if hasattr(instrument, "id") else instrument
    iid = iid or res["instrument"].iloc[0]
    res = res[res["instrument"] == iid]
    measures = list(dict.fromkeys(res["measure"]))
    measure = measure or ("level" if "level" in measures else "gap" if "gap" in measures
                          else measures[0])
    if measure not in measures:
        raise ValueError(f"no {measure!r} rows; this result has measures {measures}")
    rows = res[res["measure"] == measure].reset_index(drop=True)
    dims = [d for d in rows["dimension"] if isinstance(d, str)]
    kind = "item" if iid == "focus-levels" else "section"
    inst = b.instrument_for(dims, iid, kind)
    names = b.item_labels(dims, labels, inst, kind=kind, width=24) + ["Overall"]
    lower = (rows["better"] == "lower").all()
    what = _MEASURES.get(measure, measure)
    who = th.group_style(str(rows["group"].iloc[0])) if len(rows) else th.group_style("self")
    title = title or f"How we compare with {int(rows['n_base'].max())} organisations: {what}"
    with b.canvas(ax, (9.5, b.rows_height(names, base=2.3, min_row=0.5))) as ax:
        figures = rows[["value", "q25", "q75", "top_median"]].to_numpy(float)
        # Crop to the base's middle and a margin: the outer quarters run on beyond the plot.
        lo = np.floor((np.nanmin(figures) - 0.45) * 2) / 2
        hi = np.ceil((np.nanmax(figures) + 0.45) * 2) / 2
        if measure == "level":
            scale = b.scale_of(inst)
            lo, hi = max(lo, scale.minimum - 0.1), min(hi, scale.maximum + 0.1)
            b.draw_bands(ax, scale, limits=(lo, hi))
        else:
            lo = max(lo, 0.0)
        ax.set_xlim(lo, hi)
        step = 1.0 if hi - lo > 2.5 else 0.5
        ax.set_xticks(np.arange(np.ceil(lo / step) * step, hi + 1e-9, step))
        y = np.arange(len(rows))
        cuts = np.column_stack([np.full(len(rows), lo), rows["q25"], rows["median"],
                                rows["q75"], np.full(len(rows), hi)]).astype(float)
        shades = QUARTERS[::-1] if lower else QUARTERS  # left to right
        for k in range(4):  # one call per quarter: a bar per row each
            ax.barh(y, cuts[:, k + 1] - cuts[:, k], left=cuts[:, k], height=0.5,
                    color=shades[k], edgecolor="white", linewidth=0.8, zorder=1, gid="quarter")
        ax.barh(y, hi - lo, left=lo, height=0.5, fill=False, edgecolor="#8C8C8C",
                linewidth=0.6, zorder=1)
        ax.scatter(rows["top_median"], y, marker="|", s=420, linewidths=2.5, color=th.INK,
                   zorder=3, gid="top-median")
        vis = ~rows["suppressed"].astype(bool).to_numpy()
        ax.scatter(rows.loc[vis, "value"], y[vis], s=150, marker="D", color=who.color,
                   edgecolor="white", linewidth=1.8, zorder=4, gid="ours")
        for i, r in enumerate(rows.itertuples()):
            if not vis[i]:
                ax.text((lo + hi) / 2, i, b.withheld_text(r.n_shown), ha="center",
                        va="center", color=th.INK, style="italic", gid="withheld",
                        bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="none"))
                continue
            ax.annotate(f"{r.percentile:.0f}%", xy=(1.0, i),
                        xycoords=("axes fraction", "data"), xytext=(8, 0),
                        textcoords="offset points", va="center", fontsize=10, gid="position")
        ax.set_yticks(range(len(rows)), names[:len(rows)])
        ax.set_ylim(len(rows) - 0.5, -0.5)
        if (rows["scope"] == "overall").any():
            ax.axhline(len(rows) - 1.5, color=th.MUTED, lw=0.8)
        ax.set_xlabel(what + " (1-5)" if measure != "gap" else
                      "Say minus Do, in points on the 1-5 scale")
        # The two outer quarters name the scale; the shades between speak for themselves.
        handles = [Patch(color=QUARTERS[-1], label="top quarter of the base"),
                   Patch(color=QUARTERS[0], label="bottom quarter")]
        handles += [Line2D([], [], marker="D", ls="none", color=who.color, ms=9,
                           label=f"us ({who.label})"),
                    Line2D([], [], marker="|", ls="none", color=th.INK, ms=14, mew=2.5,
                           label="top quarter's median")]
        ax.annotate("better than", xy=(1.0, 1.0), xycoords="axes fraction", xytext=(8, 4),
                    textcoords="offset points", va="bottom", fontsize=9.5, color=th.MUTED,
                    style="italic")
        # Two to a row: the key stays within what a phone shows of the larger plot.
        b.legend_top(ax, title, ncols=2, bands=measure == "level", handles=handles)
        b.note(ax, "Grey bands: the base's quarters (the outer two run on past the edges). "
               "Right: the share of the base we do better than.")
        return ax
