"""The executive dashboard's tabs: what each draws, and the findings it lays out.

Which tabs a campaign has comes from ``focuskit.findings.sections`` (the report has a page
for each of the same). Each tab's ``draw(state)`` returns a list of parts: HTML strings and
matplotlib Axes. Every sentence comes from ``focuskit.findings``; nothing here words or
computes a figure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from ... import findings as ff

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
    read: str  # one sentence: how to read the tab
    draw: Callable


def _fp():
    from ... import plots

    return plots


def findings_html(found: list, heading: str = "What to read") -> str:
    """Findings as a list: the plain sentence, and its statistics under "Details"."""
    notes = [f for f in found if f.kind in ("withheld", "empty", "none", "no-base")]
    read = [f for f in found if f not in notes]
    out = ""
    if read:
        rows = "".join(
            f"<li>{escape(f.sentence)}" + (f"<details><summary>Details</summary>"
                                           f"{escape(f.details)}</details>" if f.details else "")
            + "</li>" for f in read)
        out += f"<h4>{escape(heading)}</h4><ol class='fk-list'>{rows}</ol>"
    out += "".join(f"<p class='fk-withheld'>{escape(f.sentence)}</p>" for f in notes)
    return out


def _levels(s):
    return [_fp().level_profile(data=s.result("profile")), findings_html(s.findings("levels"))]


def _agreement(s):
    found = s.findings("agreement")
    if s.result("agenda") is None or not any(f.kind == "disagreement" for f in found):
        return [findings_html(found)]
    discuss = ff.discuss(s.results)
    return [_fp().team_spread(data=s.result("agenda")), findings_html(found),
            findings_html(discuss, "Discuss first")]


def _outside(s):
    fp = _fp()
    found = s.findings("outside")
    parts = []
    if s.instrument == "external-focus":
        res = s.result("external_focus")
        if res is not None:
            parts.append(fp.external_focus_chart(data=res))
        return parts + [findings_html(found)]
    for other in ff.readings.OTHERS:
        if other in s.groups:
            try:
                res = s.result("perception_gaps", other)
            except ValueError:
                continue
            if not res["suppressed"].all():
                parts.append(fp.gap_dumbbell(
                    data=res, a="self", b=other,
                    title=f"{ff.group_name('self', cap=True)} against {ff.group_name(other)}"))
    return parts + [findings_html(found)]


def _say_do(s):
    res = s.result("say_do")
    found = s.findings("saydo")
    if res["suppressed"].all():
        return [findings_html(found)]
    return [_fp().gap_dumbbell(data=res), findings_html(found)]


def _priorities(s):
    res = s.result("importance_performance")
    found = s.findings("priorities")
    if res["suppressed"].all():
        return [findings_html(found)]
    return [_fp().ip_quadrant(data=res), findings_html(found)]


def _blocks(s):
    res = s.result("blocks")
    found = s.findings("blocks")
    return ([_fp().blocks_chart(data=res)] if res is not None else []) + [findings_html(found)]


def _benchmark(s):
    res = s.result("benchmark")
    found = s.findings("benchmark")
    if res is None or res["suppressed"].all():
        return [findings_html(found)]
    measure = "gap" if s.instrument == "say-do" else None
    src = ff.benchmark_source(s.base)
    title = ("Say-Do gap against other organisations" if measure else
             "Our level against other organisations") + f"\n({src})"
    return [_fp().benchmark_position(data=res, measure=measure, title=title),
            findings_html(found)]


def _contact(s):
    res = s.result("adli")
    parts = [_fp().adli_rubric(data=res)] if res is not None else []
    return parts + [findings_html(s.findings("contact"))]  # the view adds the planner


def _next_steps(s):
    found = s.findings("next")
    if not found:
        return ["<p class='fk-note'>Nothing to act on can be read from this selection.</p>"]
    return [findings_html(found, "Three things to do first" if len(found) == 3
                          else "What to do first")]


TABS = (
    Tab("levels", "Levels",
        "Each group's level per dimension, with its 95% interval: the further right, the "
        "more customer-focused.", _levels),
    Tab("agreement", "Team agreement",
        "Every leader's rating as a dot: a wide spread means the team does not see the "
        "same organisation. Discuss the top rows first.", _agreement),
    Tab("outside", "Customers and partners vs us",
        "Our own view beside the people we serve: the longer the line, the bigger the "
        "blind spot.", _outside),
    Tab("saydo", "Say-Do",
        "What we say we intend against what we do: long lines are promises not kept.",
        _say_do),
    Tab("priorities", "Priorities",
        "Importance against performance: the top-left quadrant (important, poorly "
        "delivered) is where to concentrate.", _priorities),
    Tab("blocks", "Blocks",
        "What blocks customer focus, most severe first; the bars show whether people "
        "blame the system or individuals (the 85/15 rule says mostly the system).", _blocks),
    Tab("benchmark", "Benchmark",
        "Our figure among other organisations: the shaded quarters, and the top quarter's "
        "median for comparison.", _benchmark),
    Tab("contact", "Contact programme",
        "The programme scored on approach, deployment, learning and integration (ADLI); "
        "pale cells are where to improve.", _contact),
    Tab("next", "Next steps", "What to do first, read from the tabs before this one.",
        _next_steps),
    # Every campaign has one; the view lays out the register (focuskit.ui.actions).
    Tab("actions", "Actions", "The actions agreed: who sees each through, by when, and at "
        "the next wave whether it worked. Overdue ones come first.", lambda s: []),
)
#: Tabs every campaign has, whatever its instrument asks (not a findings section).
ALWAYS = ("actions",)

BY_KEY = {t.key: t for t in TABS}
