"""Where do we disagree: every rating in a group as an anonymous dot, per dimension."""

from __future__ import annotations

import math
import re

import numpy as np

from .. import analysis as fa
from ..findings.words import agreement_word
from . import _base as b
from . import theme as th

__all__ = ["team_spread", "agreement_words"]

_NEED = ("item", "n", "rwg", "suppressed", "n_shown")
#: Most dots drawn in one cell; bigger groups draw one dot per several people.
MAX_DOTS = 24


def agreement_words(rwg) -> str:
    """rwg in words: the findings' one rule (``focuskit.findings.words.agreement_word``,
    after LeBreton & Senter 2008).

    Examples
    --------
    >>> agreement_words(0.72)
    'strong'
    """
    return agreement_word(rwg)


def team_spread(data=None, *, group="self", labels=None, instrument=None, min_group=None,
                title=None, ax=None):
    """Each person's rating as an anonymous dot per dimension, most disputed first, with the
    group's agreement (rwg) noted beside each row: the workshop's "where do we disagree".

    The dots come from the counts of ``focuskit.analysis.discussion_agenda`` (how many chose
    each level), so no one's answer is tied to them, and a group or item below the anonymity
    threshold shows a note instead of dots.

    Parameters
    ----------
    data : DataFrame
        ``discussion_agenda(...)`` or the responses frame (passed through it).
    group : str
        The rater group whose ratings are shown (responses frame only).
    labels : None, "prompt" or dict
        Dimension labels: readable ids (default), prompts, or your own.
    min_group : int, optional
        Anonymity threshold passed to the analysis (responses frame only).
    ax : Axes, optional

    Returns
    -------
    Axes

    Examples
    --------
    >>> import focuskit.analysis as fa, focuskit.plots as fp
    >>> ax = fp.team_spread(data=fa.discussion_agenda(responses, group="self"))
    """
    res = b.resolve(data, fa.discussion_agenda, _NEED, group=group, min_group=min_group,
                    instrument=instrument)
    count_cols = [c for c in res.columns if re.fullmatch(r"n_\d+", c)]
    if not count_cols:
        raise ValueError("data= lacks the n_<level> counts of discussion_agenda")
    values = [int(c[2:]) for c in count_cols]
    items = list(res["item"])
    inst = b.instrument_for(items, instrument, data=res)
    scale = b.scale_of(inst)
    names = b.item_labels(items, labels, inst)
    hidden = ~b.shown(res)
    title = title or f"Where we disagree: {th.group_style(group).label}, one dot per person"
    empty = len(res) == 0 or bool(hidden.all())
    size = (9, 2.2) if empty else (9, b.rows_height(names, per_line=0.22, min_row=0.55))
    with b.canvas(ax, size) as ax:
        ax.set_title(title, pad=20)
        if empty:
            k = b.withheld_text(res["n_shown"].iloc[0]) if len(res) else "no answers"
            ax.set_axis_off()
            ax.text(0.5, 0.5, f"Withheld: {k} in this group. Individual ratings are shown\n"
                    "only for groups at or above the anonymity threshold.", transform=ax.transAxes,
                    ha="center", va="center", color=th.MUTED, wrap=True, gid="withheld")
            return ax
        b.draw_bands(ax, scale)
        counts = res[count_cols].to_numpy(dtype=float)
        top = np.nanmax(counts[~hidden.to_numpy()])
        unit = max(1, math.ceil(top / MAX_DOTS))
        xs, ys, size = _dots(counts, values, hidden.to_numpy(), unit)
        st = th.group_style(group)
        ax.scatter(xs, ys, s=size, color=st.color, marker=st.marker, edgecolor="white",
                   linewidth=0.6, zorder=3, gid=f"group:{group}")
        for i, r in enumerate(res.itertuples()):
            if hidden.iloc[i]:
                ax.text((scale.minimum + scale.maximum) / 2, i, b.withheld_text(r.n_shown),
                        ha="center", va="center", color=th.WITHHELD, style="italic",
                        gid="withheld")
                continue
            ax.annotate(f"{agreement_words(r.rwg)} ({r.rwg:.2f})", xy=(1.0, i),
                        xycoords=("axes fraction", "data"), xytext=(8, 0),
                        textcoords="offset points", va="center", fontsize=10, gid="agreement")
        ax.annotate("agreement", xy=(1.0, 1.0), xycoords="axes fraction", xytext=(8, 4),
                    textcoords="offset points", va="bottom", fontsize=9.5, color=th.MUTED,
                    style="italic")
        ax.set_yticks(range(len(items)), names)
        ax.set_ylim(len(items) - 0.5, -0.5)
        for i in range(1, len(items)):
            ax.axhline(i - 0.5, color="white", lw=1.2, zorder=1)
        ax.set_xlabel("Level chosen")
        n = res.loc[~hidden, "n"].max()
        b.note(ax, f"Most disputed first. {st.label}: {int(n)} people; "
               + ("each dot is one person." if unit == 1 else f"each dot is {unit} people."))
        return ax


def _dots(counts, values, hidden, unit):
    """Dot positions: each cell's dots stacked up and down the row at exactly their level
    (so a 2 sits on the Casual/Moderate boundary, as it should), in more columns when many."""
    per_cell = np.where(counts > 0, np.maximum(1, np.round(counts / unit)), 0)
    most = int(per_cell[~hidden].max()) if (~hidden).any() else 1
    per_col = min(most, 5)
    dy, dx = 0.72 / per_col, 0.13
    xs, ys = [], []
    for i, row in enumerate(per_cell):
        if hidden[i]:
            continue
        for v, k in zip(values, row, strict=True):
            k = int(k)
            cols = math.ceil(k / per_col)
            for j in range(k):
                c, r = divmod(j, per_col)
                in_col = min(per_col, k - c * per_col)
                xs.append(v + (c - (cols - 1) / 2) * dx)
                ys.append(i + (r - (in_col - 1) / 2) * dy)
    size = float(np.clip((dy * 62) ** 2, 12, 95))
    return np.array(xs), np.array(ys), size
