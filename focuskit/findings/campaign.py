"""A campaign's findings, gathered: per tab (= report page), the overview cards, the
headlines, and how fresh the answers are."""

from __future__ import annotations

from . import readings
from .model import Finding
from .steps import next_steps

__all__ = ["SECTIONS", "cards", "collect", "freshness", "headlines", "left_out", "respondents",
           "sections"]

#: Which findings each instrument's tabs carry, in the tabs' order; the report has a page
#: per entry (next steps last).
SECTIONS = {
    "focus-levels": ("levels", "agreement", "outside", "benchmark", "next"),
    "say-do": ("saydo", "benchmark", "next"),
    "expectations": ("priorities", "next"),
    "blocks": ("blocks", "next"),
    "external-focus": ("outside", "next"),
    "contact-programme": ("contact", "next"),
}

_MAKERS = {"levels": readings.levels, "agreement": readings.agreement,
           "outside": readings.outside, "benchmark": readings.benchmark,
           "saydo": readings.say_do, "priorities": readings.priorities,
           "blocks": readings.blocks, "contact": readings.contact, "next": next_steps}


def sections(instrument: str) -> tuple[str, ...]:
    """The tabs (and report pages) an instrument supports."""
    return SECTIONS.get(instrument, ())


def collect(r, key: str, *, cards_only: bool = False) -> list[Finding]:
    """The findings of tab ``key`` for the results ``r``. A ValueError means the selection
    leaves this analysis nothing to compare (say, the leaders filtered out)."""
    _, hidden = r.released()
    if not len(r.frame):
        return [Finding("empty", "Nobody has answered this campaign yet.")]
    if hidden:
        return [readings.withheld(r, "this selection")]
    if key == "benchmark" and "self" not in set(r.released()[0]["rater_group"]):
        raise ValueError("no answers from rater group 'self' in this selection")
    if key == "agreement" and "self" not in set(r.released()[0]["rater_group"]):
        raise ValueError("no answers from rater group 'self' in this selection")
    if key == "outside" and cards_only:
        return readings.outside(r, first_only=True)
    return _MAKERS[key](r)


def left_out(r, error: Exception) -> Finding:
    """What a tab says when the filters leave its analysis nothing to compare (``error``:
    the analysis' ValueError)."""
    from .words import group_name

    if "self" in r.groups and "self" not in set(r.released()[0]["rater_group"]):
        return Finding("none", f"This tab reads {group_name('self')}' answers, and the filters "
                       "leave them out. Set Segment and Rater group back to All to see it.")
    return Finding("none", f"Nothing to show for this selection: {error}")


def respondents(r) -> Finding:
    """How many people the figures are about, per group, as released: a withheld group's
    size is never shown, and the total counts only the people the figures describe."""
    if r.raw().empty:
        return Finding("respondents", "Nobody in this selection has answered.", {"n": 0},
                       title="Respondents", value="0", brief="nobody yet")
    counts = r.get("counts")
    _, hidden = r.released()
    total = counts.iloc[0]
    per = {row.rater_group: (None if row.suppressed else int(row.n))
           for row in counts.iloc[1:].itertuples()}
    # Why a group's count is not shown: too few of them ("small"), or to protect another.
    why = {row.rater_group: "small" if str(row.n_shown).startswith("<") else "withheld"
           for row in counts.iloc[1:].itertuples() if row.suppressed}
    from .words import group_name

    who = " · ".join(f"{group_name(g)} {n if n is not None else 'not shown'}"
                     for g, n in per.items())
    n = None if total["suppressed"] or hidden else int(total["n"])
    value = str(n) if n is not None else f"< {r.k}" if r.too_few() else "not shown"
    return Finding("respondents", f"{value} respondents ({who}).", {"n": n, "groups": per, "why": why},
                   title="Respondents", value=value, brief=who or "nobody yet")


def cards(r) -> list[Finding]:
    """The overview cards: the respondents, then the card findings of every tab."""
    out = [respondents(r)]
    if r.raw().empty:
        return out
    _, hidden = r.released()
    if hidden:
        note = readings.withheld(r, "this selection")
        return out + [Finding("withheld", note.sentence, note.numbers, title="Figures withheld",
                              value="—", brief=note.sentence.split(". Widen")[0] + ".")]
    for key in sections(r.instrument):
        if key == "next":
            continue
        try:
            out += [f for f in collect(r, key, cards_only=True) if f.card]
        except ValueError:  # a filter that leaves an analysis nothing to compare
            pass
    return out


def headlines(r, top: int = 3) -> list[Finding]:
    """The first things to read: the first finding of each tab, then the second ones."""
    found = []
    for key in sections(r.instrument):
        if key == "next":
            continue
        try:
            found.append([f for f in collect(r, key) if f.kind not in ("withheld", "no-base")])
        except ValueError:
            continue
    out = [f[0] for f in found if f]
    out += [f[1] for f in found if len(f) > 1]
    return out[:top]


def freshness(latest, n) -> str:
    """'answers up to 14:32, 62 respondents' (``latest``: the newest released answer's time,
    a datetime in UTC, or None; ``n``: the released count, or a note such as 'not shown')."""
    if latest is None:
        return "no answers yet"
    import pandas as pd

    t = pd.Timestamp(latest)
    t = t.tz_convert("UTC") if t.tzinfo else t.tz_localize("UTC")
    today = pd.Timestamp.now(tz="UTC").normalize()
    when = t.strftime("%H:%M") if t.normalize() == today else t.strftime("%Y-%m-%d %H:%M")
    count = f"{n} respondent{'' if n == 1 else 's'}" if isinstance(n, int) else \
        f"respondents {n}"
    return f"answers up to {when} UTC, {count}"
