"""The focuskit look: one palette, one set of markers, readable fonts and soft level bands.

Every rater group keeps the same colour, marker and hatch in every plot, so a reader who has
learnt "customers are the orange diamonds" once can read every chart. Colours are from the
Okabe-Ito palette (safe for the common colour-vision deficiencies); markers, hatches and line
styles carry the same distinction when the page is printed in black and white.

The theme is seaborn's: its "ticks" style with the colour-blind-safe group palette as the
colour cycle (``seaborn.axes_style``, ``seaborn.color_palette``), then focuskit's own sizes
and inks on top. ``set_theme`` is ``seaborn.set_theme`` with those settings.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

import matplotlib as mpl
import seaborn as sns
from cycler import cycler

from ..instruments import rater_group

__all__ = ["GROUPS", "FACETS", "SERIES", "BANDS", "PALETTE", "RC", "Style", "group_style",
           "group_label", "theme", "set_theme"]


@dataclass(frozen=True)
class Style:
    """How one series is drawn: colour, marker, line style, hatch and a display label."""

    color: str
    marker: str
    linestyle: str
    hatch: str
    label: str


#: Rater groups, fixed across every plot; their labels are the instruments' (``rater_group``).
GROUPS = {g: Style(*look, rater_group(g).label) for g, look in {
    "self": ("#0072B2", "o", "-", ""),
    "team": ("#56B4E9", "s", "--", ".."),
    "customer": ("#D55E00", "D", "-.", "//"),
    "partner": ("#009E73", "^", ":", "\\\\"),
    "internal": ("#CC79A7", "v", (0, (5, 1, 1, 1)), "xx"),
}.items()}
_OTHER = Style("#777777", "P", (0, (1, 1)), "++", "")

#: Two-sided comparisons that are not rater groups: intention is hollow, practice solid.
FACETS = {
    "say": Style("#E69F00", "o", "-", "", "Say (intention)"),
    "do": Style("#000000", "s", "-", "", "Do (practice)"),
}

#: Series that are not rater groups (customer segments in the planner): Paul Tol's muted
#: palette, kept apart from the group colours, each with its own line style and marker.
SERIES = (
    Style("#332288", "o", "-", "", ""),
    Style("#882255", "s", "--", "", ""),
    Style("#117733", "^", ":", "", ""),
    Style("#999933", "D", "-.", "", ""),
    Style("#AA4499", "v", (0, (5, 1, 1, 1)), "", ""),
)

#: Soft fills for the bands of an anchored scale, lowest band first (three for Casual,
#: Moderate, Intense; more are taken in order): a warm-to-cool ramp that also darkens
#: slightly, so greyscale keeps the order; band edges are also drawn as dotted lines.
BANDS = ("#FDF1E8", "#EBEBEB", "#D6E6F2", "#CFE3D6", "#E9DDF0")
BAND_EDGE = "#A8A8A8"

#: Ink for text and neutral marks.
INK, MUTED, WITHHELD = "#222222", "#666666", "#8C8C8C"

RC = {
    "font.family": "DejaVu Sans",
    "font.size": 11,
    "axes.titlesize": 13,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 11,
    "axes.labelcolor": INK,
    "axes.edgecolor": "#BBBBBB",
    "axes.linewidth": 0.8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.axisbelow": True,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10.5,
    "xtick.color": INK,
    "ytick.color": INK,
    "legend.fontsize": 10,
    "legend.frameon": False,
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "text.color": INK,
    "hatch.linewidth": 0.6,
    # Unhinted glyphs render in about half the time of natively hinted ones (see
    # focuskit.plots._base.FocusFigure) and read as well at 100 dpi and above.
    "text.hinting": "no_hinting",
    # Titles, prompts and actions are people's text: "Costs $5 to $10" is not mathematics.
    "text.parse_math": False,
    # seaborn's style outlines every patch in white and rounds line ends; focuskit's bars and
    # bands are drawn edge to edge, so keep matplotlib's patches and caps.
    "patch.force_edgecolor": False,
    "lines.solid_capstyle": "projecting",
}

#: The colour cycle: the rater groups' Okabe-Ito colours, then the neutral series.
PALETTE = sns.color_palette([s.color for s in GROUPS.values()]
                            + [s.color for s in SERIES])


def _theme_rc() -> dict:
    """seaborn's "ticks" style and the palette, under focuskit's own settings (``RC``)."""
    return {**sns.axes_style("ticks"), "axes.prop_cycle": cycler(color=PALETTE.as_hex()), **RC}


_RC = _theme_rc()


def group_style(group: str) -> Style:
    """The fixed style of a rater group; an unknown group is drawn in grey with its own name.

    Examples
    --------
    >>> group_style("customer").color
    '#D55E00'
    """
    style = GROUPS.get(group)
    if style is None:
        return Style(_OTHER.color, _OTHER.marker, _OTHER.linestyle, _OTHER.hatch, str(group))
    return style


def group_label(group: str, n=None) -> str:
    """'Customers (n=40)': the display name of a group, with its size when shown."""
    name = group_style(group).label
    return name if n is None or n != n else f"{name} (n={int(n)})"


@contextmanager
def theme():
    """Draw inside the focuskit theme without changing the caller's settings.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> with theme():
    ...     fig, ax = plt.subplots()
    >>> plt.close(fig)
    """
    with mpl.rc_context(_RC):
        yield


def set_theme() -> None:
    """Make the focuskit theme the default for every later figure (``seaborn.set_theme`` with
    the focuskit style, palette and settings)."""
    sns.set_theme(context="notebook", style="ticks", palette=PALETTE, rc=RC)
