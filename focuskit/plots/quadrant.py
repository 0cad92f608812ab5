"""Importance against performance: what to fix first, what to keep, what we overdo."""

from __future__ import annotations

import numpy as np
from matplotlib.transforms import Bbox

from .. import analysis as fa
from . import _base as b
from . import theme as th

__all__ = ["ip_quadrant"]

_NEED = ("item", "importance", "performance", "quadrant", "x_importance", "x_performance",
         "suppressed", "n_shown")
#: Where each quadrant's name goes, in axes fractions of its corner (Martilla & James 1977).
_CORNERS = {"Concentrate here": (0, 1), "Keep up the good work": (1, 1),
            "Low priority": (0, 0), "Possible overkill": (1, 0)}
ACT = "Concentrate here"


def ip_quadrant(data=None, *, labels=None, instrument=None, min_group=None,
                title="What matters to customers, and how we deliver it", ax=None):
    """Importance-performance grid: each expectation a labelled point, the cross-hairs where
    the analysis put them, each quadrant named. "Concentrate here" (important, poorly done)
    is shaded and its points drawn solid and bold.

    Parameters
    ----------
    data : DataFrame
        ``importance_performance(...)`` for one grid (no ``by``), or the responses frame.
    labels : None, "prompt" or dict
        Point labels: readable ids (default), prompts, or your own.
    ax : Axes, optional

    Returns
    -------
    Axes

    Examples
    --------
    >>> import focuskit.analysis as fa, focuskit.plots as fp
    >>> ax = fp.ip_quadrant(data=fa.importance_performance(store.responses("demo-expectations")))
    """
    res = b.resolve(data, fa.importance_performance, _NEED, min_group=min_group,
                    instrument=instrument)
    for col in ("segment", "rater_group"):
        if col in res.columns and res[col].nunique() > 1:
            raise ValueError(f"ip_quadrant draws one grid; this result has one per {col}: "
                             f"draw each with data=res[res['{col}'] == ...]")
    vis = b.shown(res)
    pts = res[vis]
    inst = b.instrument_for(res["item"], instrument, data=res)
    scale = b.scale_of(inst, "importance")
    names = b.item_labels(pts["item"], labels, inst, width=18 if labels != "prompt" else 26)
    with b.canvas(ax, (8.5, 7)) as ax:
        ax.set_title(title, pad=12)
        if pts.empty:
            ax.set_axis_off()
            ax.text(0.5, 0.5, "Every expectation is withheld: too few people answered.",
                    transform=ax.transAxes, ha="center", gid="withheld")
            return ax
        xs, ys = pts["performance"].to_numpy(float), pts["importance"].to_numpy(float)
        cx, cy = float(pts["x_performance"].iloc[0]), float(pts["x_importance"].iloc[0])
        (x0, x1), (y0, y1) = _limits(xs, cx, scale), _limits(ys, cy, scale)
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.fill_between([x0, cx], cy, y1, color=th.BANDS[0], lw=0, zorder=0, gid="act-zone")
        ax.axvline(cx, color=th.MUTED, ls="--", lw=1.2, zorder=1, gid="crosshair")
        ax.axhline(cy, color=th.MUTED, ls="--", lw=1.2, zorder=1, gid="crosshair")
        for name, (fx, fy) in _CORNERS.items():
            ax.text(fx, fy, name, transform=ax.transAxes, ha="left" if fx == 0 else "right",
                    va="bottom" if fy == 0 else "top", fontsize=11.5, fontweight="bold",
                    color=th.INK if name == ACT else th.MUTED, gid="quadrant-name",
                    bbox=dict(boxstyle="square,pad=0.4", fc="none", ec="none"))
        act = (pts["quadrant"] == ACT).to_numpy()
        ax.scatter(xs[~act], ys[~act], s=55, color="#555555", marker="o", zorder=3,
                   edgecolor="white", gid="points")
        ax.scatter(xs[act], ys[act], s=90, color=th.INK, marker="D", zorder=3,
                   edgecolor="white", gid="points-act")
        ax.set_xlabel("Performance: how well we deliver it (mean rating) →")
        ax.set_ylabel("Importance to customers (mean rating) →")
        where = "average" if not np.isclose(cx, (scale.minimum + scale.maximum) / 2) else "midpoint"
        text = f"Dashed lines: the {where} importance and performance."
        hidden = res[~vis]
        if len(hidden):
            text += " Withheld: " + ", ".join(
                f"{b.readable(i)} ({b.withheld_text(s)})"
                for i, s in zip(hidden["item"], hidden["n_shown"], strict=True))
        b.note(ax, b.wrap(text, 95))
        _label(ax, xs, ys, names, act)  # last: it fixes the layout, with everything outside
        return ax


def _label(ax, xs, ys, names, act):
    """Put each label beside its point where it covers no other label, point or quadrant
    name: the first free spot of eight around the point, else the least crowded."""
    fig = ax.figure
    # Fix the Axes' place first, so the positions measured below hold.
    if fig.get_layout_engine() is not None:
        fig.get_layout_engine().execute(fig)
    elif getattr(fig, "_focuskit_owned", False):
        b.fit(fig)
    renderer = fig.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    to_px = ax.transData.transform
    taken = [t.get_window_extent(renderer) for t in ax.texts if t.get_gid() == "quadrant-name"]
    # The cross-hairs, as thin strips: a label may cross one only when nothing else is free.
    for line in ax.lines:
        if line.get_gid() == "crosshair":
            (px0, py0), (px1, py1) = line.get_transform().transform(
                np.c_[line.get_xdata(), line.get_ydata()])
            taken.append(Bbox([[min(px0, px1) - 2, min(py0, py1) - 2],
                               [max(px0, px1) + 2, max(py0, py1) + 2]]))
    dots = [Bbox.from_bounds(px - 5, py - 5, 10, 10) for px, py in to_px(np.c_[xs, ys])]
    spots = [(8, 0, "left", "center"), (-8, 0, "right", "center"), (0, 8, "center", "bottom"),
             (0, -8, "center", "top"), (7, 7, "left", "bottom"), (-7, 7, "right", "bottom"),
             (7, -7, "left", "top"), (-7, -7, "right", "top")]
    order = np.argsort(-ys)  # top down: crowded tops settle first
    scale = fig.dpi / 72
    points = to_px(np.c_[xs, ys])
    for i in order:
        # Measure the label once; each spot's box then follows from its size and alignment.
        t = ax.annotate(names[i], (xs[i], ys[i]), xytext=spots[0][:2],
                        textcoords="offset points", ha="left", va="center", fontsize=9.5,
                        linespacing=1.0, fontweight="bold" if act[i] else "normal",
                        gid="point-label")
        size = t.get_window_extent(renderer)
        w, h = size.width, size.height
        others = taken + dots[:i] + dots[i + 1:]
        best, best_cost = None, None
        for dx, dy, ha, va in spots:
            x = points[i][0] + dx * scale - {"left": 0, "center": w / 2, "right": w}[ha]
            y = points[i][1] + dy * scale - {"bottom": 0, "center": h / 2, "top": h}[va]
            box = Bbox.from_bounds(x, y, w, h)
            cost = sum(_overlap(box, o) for o in others)
            cost += 1e6 * (not frame.contains(box.x0, box.y0) or not frame.contains(box.x1, box.y1))
            if best_cost is None or cost < best_cost:
                best, best_cost = (dx, dy, ha, va, box), cost
            if cost == 0:
                break
        dx, dy, ha, va, box = best
        t.xyann = (dx, dy)
        t.set_horizontalalignment(ha)
        t.set_verticalalignment(va)
        taken.append(box)


def _limits(values, cross, scale):
    """Axis limits around the points and the cross-hair, on half points, inside the scale."""
    lo = max(scale.minimum, np.floor(min(values.min(), cross) * 2) / 2 - 0.25)
    hi = min(scale.maximum, np.ceil(max(values.max(), cross) * 2) / 2 + 0.25)
    return lo, hi


def _overlap(a, o) -> float:
    w = min(a.x1, o.x1) - max(a.x0, o.x0)
    h = min(a.y1, o.y1) - max(a.y0, o.y0)
    return w * h if w > 0 and h > 0 else 0.0
