"""What every plot shares: checking ``data=``, making (and, on failure, closing) its figure,
readable labels, the level bands of a scale and the wording of withheld figures."""

from __future__ import annotations

import os
import textwrap
from contextlib import contextmanager
from functools import cache

import matplotlib as mpl
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox, blended_transform_factory

from ..instruments import Instrument, Scale, builtin_ids, load_instrument
from ..names import readable
from . import theme as th

RESPONSE_COLUMNS = {"submission", "facet", "value"}


# -- data= -------------------------------------------------------------------------------------
def is_responses(data) -> bool:
    return isinstance(data, pd.DataFrame) and RESPONSE_COLUMNS <= set(data.columns)


def resolve(data, analysis, need, **options) -> pd.DataFrame:
    """The analysis result to draw: ``data`` itself, or ``analysis(data, **options)`` when
    ``data`` is the long responses frame. Statistics stay in the analysis layer."""
    name = f"focuskit.analysis.{analysis.__name__}"
    if data is None:
        raise ValueError(f"pass data=: the result of {name}(...) or Store.responses(...)")
    if not isinstance(data, pd.DataFrame):
        raise ValueError(f"data= must be a DataFrame ({name} result or Store.responses), "
                         f"not {type(data).__name__}")
    if is_responses(data):
        return analysis(data, **options)
    missing = [c for c in need if c not in data.columns]
    if missing:
        raise ValueError(f"data= lacks column(s) {missing}: pass the result of {name}(...) "
                         "or the responses frame (Store.responses)")
    return data


def shown(frame: pd.DataFrame) -> pd.Series:
    """True where a row's figures may be drawn (not withheld for anonymity)."""
    if "suppressed" not in frame.columns:
        return pd.Series(True, index=frame.index)
    return ~frame["suppressed"].astype(bool)


def withheld_text(n_shown) -> str:
    """How a withheld figure reads on a plot: 'n < 5', 'n < 5 in a group' or 'withheld'."""
    text = str(n_shown) if n_shown is not None and n_shown == n_shown else "withheld"
    return f"n {text}" if text.startswith("<") else text


# -- labels ------------------------------------------------------------------------------------
def wrap(text, width: int = 24) -> str:
    """Break a long label over lines at word boundaries; never cut it short."""
    return "\n".join(textwrap.wrap(str(text), width=width, break_long_words=False)) or str(text)


@cache
def _builtin(iid: str) -> Instrument:
    return load_instrument(iid)


def instrument_for(ids, instrument=None, kind: str = "item", data=None) -> Instrument | None:
    """The instrument a result's items (or sections) come from: given; else the one the result
    ``data`` carries (``attrs["instrument"]``, from ``Store.responses`` through the analysis);
    else, for a frame made by hand, the built-in that holds them all."""
    if instrument is None and data is not None:
        instrument = data.attrs.get("instrument")
    if isinstance(instrument, Instrument):
        return instrument
    if isinstance(instrument, str):
        return _builtin(instrument)
    wanted = {str(i) for i in ids if i is not None and i == i}
    if not wanted:
        return None
    for iid in builtin_ids():
        inst = _builtin(iid)
        have = inst.items if kind == "item" else inst.sections
        if wanted <= {i.id for i in have}:
            return inst
    return None


def item_labels(ids, labels=None, instrument=None, width: int = 24, kind: str = "item"):
    """Wrapped display labels: readable ids (default; section titles for sections), the
    items' prompts (``"prompt"``) or a ``{id: label}`` mapping."""
    ids = list(ids)
    if isinstance(labels, dict):
        texts = [labels.get(i, readable(i)) for i in ids]
    elif labels == "prompt" or (kind == "section" and labels is None):
        inst = instrument_for(ids, instrument, kind)
        found = {}
        if inst is not None:
            found = ({i.id: i.prompt for i in inst.items} if kind == "item"
                     else {s.id: s.title for s in inst.sections})
        texts = [found.get(i, readable(i)) for i in ids]
        width = max(width, 34) if kind == "item" else width
    elif labels is None or labels == "id":
        texts = [readable(i) for i in ids]
    else:
        raise ValueError(f"labels must be None, 'prompt' or a dict of item to label, not {labels!r}")
    return [wrap(t, width) for t in texts]


# -- figures -----------------------------------------------------------------------------------
class FocusFigure(Figure):
    """The figure every focuskit plot makes: drawn with the theme's text hinting and saved to
    PNG at zlib level 3.

    Text costs most of a plot's drawing, and FreeType's native (bytecode) hinting re-runs the
    font's set-up program for every glyph matplotlib renders: unhinted glyphs render in about
    half the time and read as well at 100 dpi and above. The hinting is read when the figure is
    drawn, which is after the theme's ``rc_context`` has ended, hence here. Level 3 saves a PNG
    in ~70% of the time of the default level 6, for files 0-7% larger.
    """

    def draw(self, renderer):
        # Tick labels made at draw time must not read "$" as mathematics either.
        with mpl.rc_context({k: th.RC[k] for k in ("text.hinting", "text.parse_math")}):
            super().draw(renderer)

    def savefig(self, fname, **kwargs):
        fmt = kwargs.get("format")
        if fmt is None and isinstance(fname, (str, os.PathLike)):
            fmt = os.path.splitext(fname)[1][1:]
        if (str(fmt or mpl.rcParams["savefig.format"]).lower() == "png"
                and kwargs.get("pil_kwargs") is None):
            kwargs["pil_kwargs"] = {"compress_level": 3}
        return super().savefig(fname, **kwargs)


@contextmanager
def canvas(ax, size, polar: bool = False):
    """The Axes to draw on, inside the theme. With ``ax=None`` a new figure of ``size``; if
    drawing then fails, that figure is closed so nothing leaks."""
    with th.theme():
        if ax is not None:
            style_axes(ax)
            yield ax
            return
        fig = plt.figure(figsize=size, FigureClass=FocusFigure)
        fig._focuskit_owned = True  # ours to lay out; a caller's figure is left alone
        try:
            new = fig.add_subplot(projection="polar" if polar else None)
            style_axes(new)
            yield new
            fit(fig)
        except BaseException:
            plt.close(fig)
            raise


def fit(fig, pad: float = 0.1) -> None:
    """Move the figure's Axes (together, keeping their arrangement) so that everything drawn,
    labels, legends and notes outside the plotting area included, fits the figure with
    ``pad`` inches to spare.

    Done once when the plot is made, instead of by a layout engine at every save: measured
    text is reused, so saving draws once (a constrained layout costs a third of each save).
    """
    if getattr(fig, "_focuskit_fitted", False):
        return
    renderer = fig.canvas.get_renderer()
    axes = [a for a in fig.axes if a.get_visible()]
    to_fig = fig.transFigure.inverted()
    # Only text can reach outside an Axes (its patches and lines are clipped to it), so only
    # text, the legend and the axes' own labels are measured: much cheaper than everything.
    tight = Bbox.union([a.get_tightbbox(renderer, bbox_extra_artists=[
        *a.texts, *([a.get_legend()] if a.get_legend() else [])]) for a in axes])
    tight = tight.transformed(to_fig)
    place = Bbox.union([a.get_position() for a in axes])
    w, h = fig.get_size_inches()
    x0 = pad / w + (place.x0 - tight.x0)
    y0 = pad / h + (place.y0 - tight.y0)
    x1 = 1 - pad / w - (tight.x1 - place.x1)
    y1 = 1 - pad / h - (tight.y1 - place.y1)
    if x1 - x0 < 0.1 or y1 - y0 < 0.1:
        return  # the labels alone overfill the figure: leave it as matplotlib placed it
    sx, sy = (x1 - x0) / place.width, (y1 - y0) / place.height
    for a in axes:
        p = a.get_position()
        a.set_position([x0 + (p.x0 - place.x0) * sx, y0 + (p.y0 - place.y0) * sy,
                        p.width * sx, p.height * sy])
    fig._focuskit_fitted = True


def style_axes(ax) -> None:
    # Set explicitly: tick labels are created lazily, after the rc context has ended.
    ax.tick_params(labelsize=th.RC["xtick.labelsize"], colors=th.INK, length=3)
    ax.tick_params(axis="y", labelsize=th.RC["ytick.labelsize"])
    if ax.name != "polar":
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)


def rows_height(labels, base: float = 1.6, per_line: float = 0.24, min_row: float = 0.42):
    """A figure height that gives every (wrapped) row label room."""
    return base + sum(max(min_row, per_line * (str(t).count("\n") + 1)) for t in labels)


# -- level bands -------------------------------------------------------------------------------
def bands(scale: Scale):
    """(low, high, label) of each anchor's band (``Scale.bands``, the rule the analysis
    bands means by)."""
    return scale.bands()


def draw_bands(ax, scale: Scale, axis: str = "x", pad: float = 0.3, names: bool = True,
               limits=None):
    """Soft background bands for the scale's anchors, named along the top (or right) edge.

    ``limits`` crops the axis; band names are centred on the part of each band in view."""
    spans = bands(scale)
    lo, hi = limits or (scale.minimum - pad, scale.maximum + pad)
    # One collection for the fills and one for the edges: a span per band costs several
    # times more, and the bands sit behind every level scale.
    if axis == "x":
        tr = blended_transform_factory(ax.transData, ax.transAxes)
        box, edge = (lambda a, b: [(a, 0), (b, 0), (b, 1), (a, 1)]), (lambda v: [(v, 0), (v, 1)])
    else:
        tr = blended_transform_factory(ax.transAxes, ax.transData)
        box, edge = (lambda a, b: [(0, a), (1, a), (1, b), (0, b)]), (lambda v: [(0, v), (1, v)])
    fills = [box(min(a, lo) if k == 0 else a, max(b, hi) if k == len(spans) - 1 else b)
             for k, (a, b, _) in enumerate(spans)]
    ax.add_collection(PolyCollection(fills, transform=tr, zorder=0, linewidths=0,
                                     facecolors=[th.BANDS[k % len(th.BANDS)]
                                                 for k in range(len(spans))], gid="bands"),
                      autolim=False)
    ax.add_collection(LineCollection([edge(a) for a, _, _ in spans[1:]], transform=tr,
                                     colors=th.BAND_EDGE, linewidths=0.8, linestyles=":",
                                     zorder=0.5, gid="band-edge"), autolim=False)
    for a, b, label in spans:
        in_view = max(a, lo, scale.minimum), min(b, hi, scale.maximum)
        if not names or in_view[1] - in_view[0] < 0.25:
            continue
        mid = sum(in_view) / 2
        if axis == "x":
            ax.text(mid, 1.0, label, transform=tr, ha="center", va="bottom", fontsize=9.5,
                    color=th.MUTED, style="italic", gid="band-name")
        else:
            ax.text(1.0, mid, label, transform=tr, ha="left", va="center", fontsize=9.5,
                    color=th.MUTED, style="italic", rotation=270, gid="band-name")
    ticks = [v for v in scale.values if lo <= v <= hi]
    if axis == "x":
        ax.set_xlim(lo, hi)
        ax.set_xticks(ticks)
    else:
        ax.set_ylim(lo, hi)
        ax.set_yticks(ticks)
    return spans


def scale_of(inst: Instrument | None, facet: str | None = None) -> Scale:
    """The rating scale to draw on; the focus-levels scale when the instrument is unknown."""
    inst = inst or _builtin("focus-levels")
    if facet:
        for f in inst.facets:
            if f.id == facet:
                return f.scale
    return inst.scale


def note(ax, text: str) -> None:
    """A small grey note under the x-axis label (why something is missing, what a dot is).

    Anchored to the axis label, so it sits below the tick labels whatever their size, and
    inside the figure's layout. A second note on the same Axes is added as a new line."""
    for t in ax.texts:
        if t.get_gid() == "note":
            t.set_text(t.get_text() + "\n" + text)
            return
    ax.annotate(text, xy=(0, 0), xycoords=("axes fraction", ax.xaxis.label), xytext=(0, -4),
                textcoords="offset points", ha="left", va="top", fontsize=9.5,
                color=th.MUTED, gid="note", annotation_clip=False)


def legend_top(ax, title: str, ncols: int = 4, bands: bool = True, **kwargs):
    """The title, then the legend, then (when ``bands``) the band names, stacked above the
    plotting area at fixed distances in points, so none can overlap another or the data
    whatever the figure's size."""
    import math

    from matplotlib.transforms import ScaledTranslation

    lift = 15 if bands else 9
    shift = ScaledTranslation(0, lift / 72, ax.figure.dpi_scale_trans)
    leg = ax.legend(loc="lower left", bbox_to_anchor=(0, 1), bbox_transform=ax.transAxes + shift,
                    ncols=ncols, borderaxespad=0, borderpad=0, handletextpad=0.3,
                    columnspacing=1.4, **kwargs)
    lines = math.ceil(len(leg.get_texts()) / ncols)
    ax.set_title(title, pad=lift + 8 + 18 * lines)
    return leg
