"""The executive dashboard's tabs: which instrument each applies to, and what it draws.

Each tab's ``draw(state)`` returns a list of parts: HTML strings and matplotlib Axes. The
parts come from the analysis and plots layers only; nothing here computes a statistic.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape

#: Marra's case, for the visit planner: segment sizes are illustrative until a campaign
#: carries its own (a chief executive visits 100 large accounts a year, none of the rest).
PLAN = {"Residential": 6_000_000, "Small business": 100_000, "Large accounts": 1_000}
PLANNED = {"Large accounts": 100}

WHAT = {
    "focus-levels": "where we stand on eight dimensions of customer focus",
    "say-do": "intention (Say) against practice (Do)",
    "expectations": "how important each customer expectation is, and how we deliver it",
    "blocks": "what blocks our customer focus",
    "external-focus": "whether we respond to, anticipate or shape what customers need",
    "contact-programme": "a review of the customer-contact programme",
}


@dataclass(frozen=True)
class Tab:
    key: str
    title: str
    instruments: tuple[str, ...]
    read: str  # one sentence: how to read the tab
    draw: Callable


def _fa():
    from ... import analysis

    return analysis


def _fp():
    from ... import plots

    return plots


def _li(rows) -> str:
    return "<ol class='fk-list'>" + "".join(f"<li>{r}</li>" for r in rows) + "</ol>"


def _levels(s):
    res = s.result("profile")
    return [_fp().level_profile(data=res)] + s.withheld(res, "rater_group")


def _agreement(s):
    fa, fp = _fa(), _fp()
    data, out = s.restricted()
    if "self" not in set(data["rater_group"]):
        raise ValueError("no answers from rater group 'self' in this selection")
    if out:
        return [s.hidden_note("the leadership team")]
    agenda = fa.discussion_agenda(data, group="self", instrument=s.inst)
    parts = [fp.team_spread(data=agenda)]
    top = agenda[~agenda["suppressed"]].head(3)
    rows = [f"<b>{escape(s.label(r.item))}</b> (ratings {escape(str(r.spread))}): some say "
            f"<i>{escape(str(r.low_descriptor))}</i>; others say "
            f"<i>{escape(str(r.high_descriptor))}</i>" for r in top.itertuples()]
    if rows:
        parts.append("<h4>Discuss first</h4>" + _li(rows))
    return parts + s.withheld(agenda, "item")


def _outside_in(s):
    fa, fp = _fa(), _fp()
    if s.instrument == "external-focus":
        data, out = s.restricted()
        if out:
            return [s.hidden_note("this selection")]
        res = fa.external_focus(data, instrument=s.inst)
        return [fp.external_focus_chart(data=res)] + s.withheld(res, "rater_group")
    parts = []
    for other in ("customer", "partner"):
        if other in s.groups:
            res = s.result("perception_gaps", other)
            if res["suppressed"].all():
                parts.append(s.hidden_note(f"the {other}s in this selection", res))
                continue
            parts.append(fp.gap_dumbbell(data=res, a="self", b=other,
                                         title=f"Us against {other}s"))
    return parts or ["<p>No customers or partners rated this campaign.</p>"]


def _say_do(s):
    res = s.result("say_do")
    if res["suppressed"].all():
        return [s.hidden_note("this selection", res)]
    return [_fp().gap_dumbbell(data=res)] + s.withheld(res, "item")


def _priorities(s):
    res = s.result("importance_performance")
    if res["suppressed"].all():
        return [s.hidden_note("this selection", res)]
    return [_fp().ip_quadrant(data=res)] + s.withheld(res, "item")


def _blocks(s):
    data, out = s.restricted()
    if out:
        return [s.hidden_note("this selection")]
    res = _fa().blocks(data, instrument=s.inst)
    return [_fp().blocks_chart(data=res)] + s.withheld(res, "item")


def _benchmark(s):
    res = s.result("benchmark")
    if res is None:
        return ["<p>No benchmark base is loaded. <code>focuskit demo</code> writes one.</p>"]
    if res["suppressed"].all():
        return [s.hidden_note("the leadership team", res)]
    measure = "gap" if s.instrument == "say-do" else None
    return [_fp().benchmark_position(data=res, measure=measure)]


def _contact(s):
    fa, fp = _fa(), _fp()
    data, out = s.restricted()
    parts = []
    if out:
        parts.append(s.hidden_note("this selection"))
    else:
        res = fa.adli(data, instrument=s.inst)
        parts += [fp.adli_rubric(data=res)] + s.withheld(res, "item")
    parts.append("<p class='fk-note'>The planner below answers “why 100 visits?”: how many "
                 "contacts each segment needs for a given margin of error. Segment sizes are "
                 "an illustration.</p>")
    parts.append(fp.contact_planner(data=fa.contact_plan(PLAN, planned=PLANNED)))
    return parts


def _next_steps(s):
    fa = _fa()
    if s.instrument == "focus-levels":
        data, out = s.restricted()
        if out:
            return [s.hidden_note("this selection")]
        res = fa.next_steps(data, group="self", instrument=s.inst)
        rows = [f"<b>{escape(s.label(r.item))}</b>: now {escape(str(r.band))} "
                f"({r.mean:.1f}). To reach {escape(str(r.next_level))}: "
                f"{escape(str(r.next_descriptor))}"
                for r in res[~res["suppressed"]].head(3).itertuples()]
    elif s.instrument == "say-do":
        res = s.result("say_do")
        res = res[(res["scope"] == "statement") & ~res["suppressed"]]
        rows = [f"<b>{escape(s.label(r.item))}</b>: we say {r.say:.1f} but do {r.do:.1f}; "
                "close this gap first." for r in res.head(3).itertuples()]
    elif s.instrument == "expectations":
        res = s.result("importance_performance")
        res = res[~res["suppressed"]].sort_values("priority")
        rows = [f"<b>{escape(s.label(r.item))}</b>: importance {r.importance:.1f}, "
                f"performance {r.performance:.1f} ({escape(str(r.quadrant))})"
                for r in res.head(3).itertuples()]
    else:  # blocks
        data, out = s.restricted()
        if out:
            return [s.hidden_note("this selection")]
        res = fa.blocks(data, instrument=s.inst)
        res = res[(res["scope"] == "block") & ~res["suppressed"]].sort_values("rank")
        rows = [f"<b>{escape(s.label(r.item))}</b>: severity {r.mean:.1f} of 5; "
                f"{r.share_systems:.0%} see its cause in the system, not in people"
                for r in res.head(3).itertuples()]
    if not rows:
        return [s.hidden_note("this selection")]
    return ["<h4>Three things to do first</h4>" + _li(rows)]


TABS = (
    Tab("levels", "Levels", ("focus-levels",),
        "Each group's level per dimension, with its 95% interval: the further right, the "
        "more customer-focused.", _levels),
    Tab("agreement", "Team agreement", ("focus-levels",),
        "Every leader's rating as a dot: a wide spread means the team does not see the "
        "same organisation. Discuss the top rows first.", _agreement),
    Tab("outside", "Customers and partners vs us", ("focus-levels", "external-focus"),
        "Our own view beside the people we serve: the longer the line, the bigger the "
        "blind spot.", _outside_in),
    Tab("saydo", "Say-Do", ("say-do",),
        "What we say we intend against what we do: long lines are promises not kept.",
        _say_do),
    Tab("priorities", "Priorities", ("expectations",),
        "Importance against performance: the top-left quadrant (important, poorly "
        "delivered) is where to concentrate.", _priorities),
    Tab("blocks", "Blocks", ("blocks",),
        "What blocks customer focus, most severe first; the bars show whether people "
        "blame the system or individuals (the 85/15 rule says mostly the system).", _blocks),
    Tab("benchmark", "Benchmark", ("focus-levels", "say-do"),
        "Our figure among 300 organisations: the shaded quarters, and the top quartile's "
        "median for comparison.", _benchmark),
    Tab("contact", "Contact programme", ("contact-programme",),
        "The programme scored on approach, deployment, learning and integration (ADLI); "
        "pale cells are where to improve.", _contact),
    Tab("next", "Next steps", ("focus-levels", "say-do", "expectations", "blocks"),
        "What to do first, and what the next level looks like.", _next_steps),
)

def not_applicable(tab: Tab, instrument: str) -> str:
    asks = WHAT.get(instrument, f"the {instrument} questionnaire")
    wants = " or ".join(f"a {i} campaign" for i in tab.instruments)
    return (f"<p class='fk-note'>This campaign asks about {escape(asks)}. "
            f"Open {escape(wants)} for the {escape(tab.title)} tab.</p>")
