"""What changed between waves: one dimension wave by wave, and the whole profile then and now,
on the banded scale. Both draw ``focuskit.analysis.trend`` results and compute nothing."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..analysis.effects import ACTED_ON
from ..names import readable
from . import _base as b
from .theme import GROUPS, INK, MUTED, group_style

__all__ = ["then_and_now", "trend_plot"]

_NEED = ("wave", "rater_group", "facet", "mean", "ci_low", "ci_high", "change", "verdict",
         "released", "why")
#: How a verdict reads beside its change.
_WORDS = {"improved": "improved", "declined": "declined", "no clear change": "no clear change",
          "cannot tell": "change not shown"}


def _check(data) -> tuple[pd.DataFrame, str]:
    if data is None:
        raise ValueError("pass data=: the result of focuskit.analysis.trend(waves)")
    if not isinstance(data, pd.DataFrame):
        raise ValueError(f"data= must be the DataFrame focuskit.analysis.trend(waves) returns, "
                         f"not {type(data).__name__}")
    missing = [c for c in _NEED if c not in data.columns]
    dim = "item" if "item" in data.columns else "section" if "section" in data.columns else None
    if missing or dim is None:
        raise ValueError(f"data= lacks column(s) {missing or ['item or section']}: pass the "
                         "result of focuskit.analysis.trend(waves)")
    return data, dim


def _pick(res: pd.DataFrame, rater_group, facet) -> tuple[pd.DataFrame, list[str], str]:
    present = list(dict.fromkeys(res["rater_group"]))
    groups = [g for g in GROUPS if g in present] + [g for g in present if g not in GROUPS]
    if rater_group is not None:
        want = [rater_group] if isinstance(rater_group, str) else list(rater_group)
        unknown = [g for g in want if g not in present]
        if unknown:
            raise ValueError(f"no rows for rater group(s) {unknown}; the trend has {groups}")
        groups = want
    facets = list(dict.fromkeys(res["facet"]))
    if facet is None:  # what actions move (practice, performance) before what frames them
        facet = next((f for f in ACTED_ON if f in facets), facets[0])
    elif facet not in facets:
        raise ValueError(f"no rows for facet {facet!r}; the trend has {facets}")
    return res[res["rater_group"].isin(groups) & (res["facet"] == facet)], groups, facet


def _change_words(r) -> str:
    word = _WORDS.get(r["verdict"], str(r["verdict"]))
    if r["verdict"] in ("improved", "declined", "no clear change") and r["change"] == r["change"]:
        if f"{abs(r['change']):.1f}" == "0.0":
            return word
        sign = "+" if r["change"] > 0 else "−"
        return f"{word} ({sign}{abs(r['change']):.1f})"
    return word


def _why_lines(rows: pd.DataFrame, groups: list[str]) -> list[str]:
    """Plain notes for what is not drawn: withheld points, changes not shown."""
    out = []
    many = len(groups) > 1
    for _, r in rows.iterrows():
        who = f"{group_style(r['rater_group']).label}, " if many else ""
        if not r["released"]:
            out.append(f"{who}wave {int(r['wave'])}: not shown ({_bare(r['why'])})")
        elif r["verdict"] == "cannot tell" and r["why"]:
            out.append(f"{who}wave {int(r['wave'])}: {r['why']}")
    return list(dict.fromkeys(out))


def _bare(why: str) -> str:
    """A withheld point's reason without the wave it is about (the note names it)."""
    return re.sub(r"^in wave \d+, ", "", str(why))


def trend_plot(data=None, *, item, rater_group=None, facet=None, title=None, ax=None):
    """One dimension wave by wave: each wave's mean with its interval on the banded scale,
    and the change since the wave before in words.

    Parameters
    ----------
    data : DataFrame
        ``focuskit.analysis.trend(waves)`` (by item or by section).
    item : str
        The item (or, for a trend by section, the section) to draw.
    rater_group : str or list of str, optional
        Default every group with rows for it; the change words then go in the legend.
    facet : str, optional
        Default "do" or "performance" where the trend has it (what actions are meant to
        move, as ``action_effects`` judges them), else its first facet (``level`` on
        focus-levels).
    ax : Axes, optional

    Withheld points are not drawn; a note under the plot says which and why.

    Returns
    -------
    Axes

    Examples
    --------
    >>> import focuskit.analysis as fa, focuskit.plots as fp
    >>> ax = fp.trend_plot(data=fa.trend([responses, responses]), item="data")
    """
    res, dim = _check(data)
    if item not in set(res[dim]):
        raise ValueError(f"the trend has no {dim} {item!r}; it has "
                         f"{', '.join(map(str, dict.fromkeys(res[dim])))}")
    res, groups, facet = _pick(res[res[dim] == item], rater_group, facet)
    inst = b.instrument_for([item], None, dim, data=data)
    scale = b.scale_of(inst, facet)
    name = b.item_labels([item], None, inst, kind=dim, width=60)[0].replace("\n", " ")
    waves = sorted(int(w) for w in data["wave"].unique())
    one = len(groups) == 1
    # Narrow: a few waves need little width, and a phone then shows the text larger.
    with b.canvas(ax, (max(5.6, 3.6 + 1.2 * len(waves)), 4.8)) as ax:
        b.draw_bands(ax, scale, axis="y")
        step = min(0.12, 0.5 / max(len(groups), 1))
        offsets = (np.arange(len(groups)) - (len(groups) - 1) / 2) * step
        for g, off in zip(groups, offsets, strict=True):
            st = group_style(g)
            rows = res[res["rater_group"] == g].sort_values("wave")
            shown = rows[rows["released"].astype(bool)]
            xs = shown["wave"].to_numpy(dtype=float) + off
            lo = np.nan_to_num((shown["mean"] - shown["ci_low"]).clip(lower=0).to_numpy())
            hi = np.nan_to_num((shown["ci_high"] - shown["mean"]).clip(lower=0).to_numpy())
            latest = rows[rows["wave"] == rows["wave"].max()].iloc[0] if len(rows) else None
            label = st.label if one or latest is None or latest["wave"] == 1 else \
                f"{st.label}: {_change_words(latest)}"
            ax.errorbar(xs, shown["mean"], yerr=[lo, hi], fmt=st.marker, color=st.color, ms=8,
                        mec="white", mew=0.8, elinewidth=1.8, capsize=4, ls="none",
                        label=label, gid=f"group:{g}", zorder=3)
            # A line joins two waves only where the change between them is shown.
            for _, r in rows[rows["change"].notna()].iterrows():
                before = rows[rows["wave"] == r["wave"] - 1].iloc[0]
                ax.plot([r["wave"] - 1 + off, r["wave"] + off], [before["mean"], r["mean"]],
                        color=st.color, ls=st.linestyle, lw=1.4, alpha=0.8, zorder=2,
                        gid=f"change:{g}")
                if one:
                    ax.annotate(_change_words(r), xy=(r["wave"] - 0.5, (before["mean"] +
                                                                        r["mean"]) / 2),
                                xytext=(0, 10), textcoords="offset points", ha="center",
                                va="bottom", fontsize=10, color=INK, gid="change",
                                bbox=dict(boxstyle="round,pad=0.25", fc="white", ec="none",
                                          alpha=0.85), zorder=4)
        ax.set_xticks(waves, [f"Wave {w}" for w in waves])
        ax.set_xlim(min(waves) - 0.5, max(waves) + 0.5)
        pct = round(100 * float(data.attrs.get("level", 0.95)))
        ax.set_ylabel(f"Mean level, with its {pct}% interval", fontsize=9.5)
        ax.set_xlabel("")
        why = _why_lines(res, groups)
        if why:
            b.note(ax, "\n".join(b.wrap(w, 62) for w in why))
        heading = title or f"{name}{_facet_suffix(data, facet)}: wave by wave"
        b.legend_top(ax, b.wrap(heading, 48), ncols=1 if not one else 2)
        return ax


def _far_pair_shown(a, z, apart: int, data) -> bool:
    """Whether an arrow may join the first and the latest wave: for neighbours it is the
    trend's own change; across a wave between, only where the two counts differ by 0 or by
    at least k (docs/trend.md, rule 2), else the arrow would be a change about the few people
    who joined or left (6 people, then 12, then the first 6 and one newcomer)."""
    if apart <= 1:
        return True
    k = data.attrs.get("min_group_size")
    moved = abs(int(z["n"]) - int(a["n"]))
    return moved == 0 or (k is not None and moved >= int(k))


def _facet_suffix(data, facet) -> str:
    return f" ({readable(facet)})" if data["facet"].nunique() > 1 else ""


def then_and_now(data=None, *, rater_group=None, facet=None, labels=None, title=None, ax=None):
    """The whole profile then and now: per dimension, the first wave's mean (hollow) and the
    latest wave's (filled), joined by an arrow where the change between them is clear.

    The change drawn is from the first to the latest wave's figures as each wave released
    them; the verdict words are the latest wave's (against the wave just before).

    Parameters
    ----------
    data : DataFrame
        ``focuskit.analysis.trend(waves)`` (by item or by section).
    rater_group : str, optional
        Default: our own people ("self") where they answered, else the first group.
    facet : str, optional
        Default as ``trend_plot``: "do" or "performance" where asked, else the first.
    labels : None, "prompt" or dict
        Dimension labels, as ``level_profile``.
    ax : Axes, optional

    Returns
    -------
    Axes

    Examples
    --------
    >>> import focuskit.analysis as fa, focuskit.plots as fp
    >>> ax = fp.then_and_now(data=fa.trend([responses, responses]))
    """
    res, dim = _check(data)
    present = list(dict.fromkeys(res["rater_group"]))
    if rater_group is None:
        rater_group = "self" if "self" in present else (present[0] if present else None)
    if rater_group is None:
        raise ValueError("the trend has no rows to draw")
    res, _, facet = _pick(res, rater_group, facet)
    st = group_style(rater_group)
    first, last = int(res["wave"].min()), int(res["wave"].max())
    dims = list(dict.fromkeys(res[dim]))
    inst = b.instrument_for(dims, None, dim, data=data)
    scale = b.scale_of(inst, facet)
    names = b.item_labels(dims, labels, inst, kind=dim)
    then = res[res["wave"] == first].set_index(dim)
    now = res[res["wave"] == last].set_index(dim)
    with b.canvas(ax, (8.0, b.rows_height(names, per_line=0.22) + 0.6)) as ax:
        b.draw_bands(ax, scale)
        missing, unsaid = [], []
        for i, d in enumerate(dims):
            a = then.loc[d] if d in then.index else None
            z = now.loc[d] if d in now.index else None
            ok_a = a is not None and bool(a["released"])
            ok_z = z is not None and bool(z["released"]) and last != first
            if ok_a:
                ax.plot([a["mean"]], [i], marker=st.marker, ms=9, mfc="white", mec=st.color,
                        mew=1.8, ls="none", zorder=3, gid="then")
            if ok_z:
                ax.plot([z["mean"]], [i], marker=st.marker, ms=9, color=st.color, mec="white",
                        mew=0.8, ls="none", zorder=4, gid="now")
            if ok_a and ok_z:
                clear = z["verdict"] in ("improved", "declined")
                if z["verdict"] != "cannot tell" and _far_pair_shown(a, z, last - first, data):
                    ax.annotate("", xy=(z["mean"], i), xytext=(a["mean"], i), zorder=2,
                                arrowprops=dict(arrowstyle="-|>" if clear else "-",
                                                color=st.color, lw=1.8 if clear else 1.0,
                                                shrinkA=6, shrinkB=6,
                                                alpha=1.0 if clear else 0.6), gid="arrow")
                elif z["why"]:
                    unsaid.append(z["why"])
                ax.annotate(_change_words(z), xy=(1.0, i), xycoords=("axes fraction", "data"),
                            xytext=(6, 0), textcoords="offset points", ha="left",
                            va="center", fontsize=9.5, color=MUTED, style="italic",
                            gid="verdict", annotation_clip=False)
            for w, r, ok in ((first, a, ok_a), (last, z, ok_z)):
                if r is not None and not ok and (w == first or last != first):
                    missing.append(f"{b.readable(d)}, wave {w}: {_bare(r['why'])}")
        # Legend: hollow for the first wave, filled for the latest.
        ax.plot([], [], marker=st.marker, ms=9, mfc="white", mec=st.color, mew=1.8, ls="none",
                label=f"Wave {first}")
        if last != first:
            ax.plot([], [], marker=st.marker, ms=9, color=st.color, mec="white", ls="none",
                    label=f"Wave {last}")
        ax.set_yticks(range(len(dims)), names)
        ax.set_ylim(len(dims) - 0.5, -0.5)
        for i in range(1, len(dims)):
            ax.axhline(i - 0.5, color="white", lw=1.2, zorder=1)
        ax.set_xlabel("Mean level; an arrow marks a clear change since the wave before")
        if last == first:
            b.note(ax, "Only one wave so far: the latest wave shows here once the campaign "
                       "has been asked again.")
        if missing:
            b.note(ax, b.wrap("Not shown: " + "; ".join(missing), 90))
        for why in dict.fromkeys(unsaid):
            b.note(ax, b.wrap(f"Change not shown: {why.removeprefix('no change shown: ')}", 90))
        heading = title or (f"{st.label}: then and now{_facet_suffix(data, facet)}")
        b.legend_top(ax, heading, ncols=2)
        return ax
