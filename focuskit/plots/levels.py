"""Where we stand: each rater group's level per dimension, on the banded scale."""

from __future__ import annotations

import numpy as np

from .. import analysis as fa
from . import _base as b
from . import theme as th

__all__ = ["level_profile"]

_NEED = ("rater_group", "mean", "ci_low", "ci_high", "suppressed", "n_shown")


def level_profile(data=None, *, per="item", groups=None, kind="interval", labels=None,
                  instrument=None, min_group=None, title="Where we stand, as each group sees it",
                  ax=None):
    """Each rater group's mean level per dimension, with its interval, on the banded scale.

    Parameters
    ----------
    data : DataFrame
        ``focuskit.analysis.profile(..., by="rater_group")`` or the responses frame, which is
        passed through it.
    per : {"item", "section"}
        Used when ``data`` is the responses frame.
    groups : list of str, optional
        Rater groups to draw, in order; default every group in the result.
    kind : {"interval", "radar"}
        Dots with their 95% intervals (default), or a radar of the means on a polar Axes.
    labels : None, "prompt" or dict
        Dimension labels: readable ids (default), the items' prompts, or your own.
    instrument : Instrument or str, optional
        Where labels and the scale come from; default the built-in holding the items.
    min_group : int, optional
        Anonymity threshold passed to the analysis (responses frame only).
    ax : Axes, optional
        Draw here (a polar Axes for ``kind="radar"``); default a new figure.

    Returns
    -------
    Axes

    Examples
    --------
    >>> import focuskit.analysis as fa, focuskit.plots as fp
    >>> ax = fp.level_profile(data=fa.profile(responses))
    """
    if kind not in ("interval", "radar"):
        raise ValueError(f"kind must be 'interval' or 'radar', not {kind!r}")
    res = b.resolve(data, fa.profile, _NEED, by="rater_group", per=per, min_group=min_group,
                    instrument=instrument)
    dim = "item" if "item" in res.columns else "section"
    if "segment" in res.columns and res["segment"].nunique() > 1:
        raise ValueError("level_profile draws one row per dimension and rater group; this "
                         "result is split by segment too: draw it with heatmap(), or profile "
                         "one segment with where={'segment': ...}")
    present = list(dict.fromkeys(res["rater_group"]))
    groups = _order(present) if groups is None else list(groups)
    unknown = [g for g in groups if g not in present]
    if unknown:
        raise ValueError(f"no rows for rater group(s) {unknown}; the result has {present}")
    dims = list(dict.fromkeys(res[dim]))
    inst = b.instrument_for(dims, instrument, dim, data=res)
    scale = b.scale_of(inst, res["facet"].iloc[0] if "facet" in res.columns else None)
    names = b.item_labels(dims, labels, inst, kind=dim)
    table = res.set_index([dim, "rater_group"])
    if kind == "radar":
        size = (7.5, 7.5)
        with b.canvas(ax, size, polar=True) as ax:
            if ax.name != "polar":
                raise ValueError("kind='radar' needs a polar Axes: "
                                 "plt.subplots(subplot_kw={'projection': 'polar'})")
            _radar(ax, table, dims, names, groups, scale)
            ax.set_title(title, pad=28)
            return ax
    with b.canvas(ax, (8.5, b.rows_height(names, per_line=0.2) + 0.4 * len(groups) ** 0.5)) as ax:
        _intervals(ax, table, dims, names, groups, scale)
        # The key above the plot, like the other plots: at the side it widened the picture, and
        # a phone showing it larger pushed the key off the screen.
        b.legend_top(ax, title, ncols=2)
        return ax


def _order(present):
    known = [g for g in th.GROUPS if g in present]
    return known + [g for g in present if g not in th.GROUPS]


def _legend_label(table, group):
    rows = table.xs(group, level="rater_group")
    n = rows.loc[~rows["suppressed"].astype(bool), "n"].dropna()
    if n.empty:
        return f"{th.group_style(group).label} ({b.withheld_text(rows['n_shown'].iloc[0])})"
    lo, hi = int(n.min()), int(n.max())
    return f"{th.group_style(group).label} (n={hi})" if lo == hi else \
        f"{th.group_style(group).label} (n={lo}-{hi})"


def _intervals(ax, table, dims, names, groups, scale):
    b.draw_bands(ax, scale)
    step = min(0.22, 0.7 / max(len(groups), 1))
    offsets = (np.arange(len(groups)) - (len(groups) - 1) / 2) * step
    for g, off in zip(groups, offsets, strict=True):
        st = th.group_style(g)
        ys, xs, lo, hi = [], [], [], []
        for i, d in enumerate(dims):
            if (d, g) not in table.index:
                continue
            r = table.loc[(d, g)]
            if bool(r["suppressed"]):
                ax.text(scale.minimum - 0.22, i + off, f"{st.label}: {b.withheld_text(r['n_shown'])}",
                        ha="left", va="center", fontsize=9, color=th.WITHHELD, style="italic",
                        gid="withheld")
                continue
            ys.append(i + off)
            xs.append(r["mean"])
            # No interval (n = 1) draws none; a mean outside its own interval draws the dot.
            lo.append(max(0.0, r["mean"] - r["ci_low"]) if r["ci_low"] == r["ci_low"] else 0)
            hi.append(max(0.0, r["ci_high"] - r["mean"]) if r["ci_high"] == r["ci_high"] else 0)
        ax.errorbar(xs, ys, xerr=[lo, hi], fmt=st.marker, color=st.color, ms=8, mec="white",
                    mew=0.8, elinewidth=1.8, capsize=3, ls="none", label=_legend_label(table, g),
                    gid=f"group:{g}", zorder=3)
    ax.set_yticks(range(len(dims)), names)
    ax.set_ylim(len(dims) - 0.5, -0.5)
    for i in range(1, len(dims)):
        ax.axhline(i - 0.5, color="white", lw=1.2, zorder=1)
    ax.set_xlabel("Mean level, with its 95% interval (the range the true mean is likely in)")


def _radar(ax, table, dims, names, groups, scale):
    ax.set_theta_zero_location("N")
    ax.set_theta_direction(-1)
    theta = np.linspace(0, 2 * np.pi, len(dims), endpoint=False)
    half = np.pi / len(dims)  # between two spokes: no dimension's label sits there
    ring = np.linspace(0, 2 * np.pi, 200)
    spans = b.bands(scale)
    bottom = scale.minimum - 0.5
    for k, (lo, hi, label) in enumerate(spans):
        ax.fill_between(ring, bottom if k == 0 else lo, hi, color=th.BANDS[k % len(th.BANDS)],
                        zorder=0, lw=0)
        ax.text(2 * np.pi - half, (max(lo, scale.minimum) + hi) / 2, label, fontsize=9,
                color=th.MUTED, style="italic", ha="center", va="center", gid="band-name")
    withheld = []
    for g in groups:
        st = th.group_style(g)
        r = [table.loc[(d, g), "mean"] if (d, g) in table.index else np.nan for d in dims]
        withheld += [f"{st.label}, {b.readable(d)}: {b.withheld_text(table.loc[(d, g), 'n_shown'])}"
                     for d in dims if (d, g) in table.index and bool(table.loc[(d, g), "suppressed"])]
        closed_t, closed_r = np.append(theta, theta[0]), np.append(r, r[0])
        ax.plot(closed_t, closed_r, color=st.color, ls=st.linestyle, lw=2, marker=st.marker,
                ms=7, mec="white", label=_legend_label(table, g), gid=f"group:{g}", zorder=3)
    ax.set_xticks(theta, names, fontsize=9.5)
    ax.set_ylim(bottom, scale.maximum)
    ax.set_yticks(scale.values, [str(v) for v in scale.values], fontsize=8, color=th.MUTED)
    ax.set_rlabel_position(np.rad2deg(half))
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), ncols=min(len(groups), 3))
    if withheld:
        ax.text(0.5, -0.2, "Withheld: " + "; ".join(withheld), transform=ax.transAxes,
                ha="center", va="top", fontsize=9, color=th.MUTED, gid="withheld", wrap=True)
