"""What the report says: its pages, each with a plot and the findings to read from it. The
findings come from ``focuskit.findings``, read from the same results as the dashboard's; no
sentence is worded here, and no drawing or layout is done here (``focuskit.report.render``)."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from .. import analysis as fa
from .. import findings as ff
from .. import plots as fp
from ..findings import Results
from ..names import readable

__all__ = ["Report", "Section", "build", "chart"]


@dataclass
class Section:
    """One page: a title, what the chart shows, the chart, three readings and extras."""

    key: str
    title: str
    lead: str
    draw: Callable | None = None  # draw(ax) -> Axes
    readings: list[str] = field(default_factory=list)
    #: an optional list of (heading, text) notes under the readings (the discussion agenda)
    notes: list[tuple[str, str]] = field(default_factory=list)
    #: an optional table: (heading, header, rows)
    table: tuple[str, list[str], list[list[str]]] | None = None
    #: the tallest the chart may be, in inches (it otherwise fills what the text leaves)
    max_plot: float = 7.6
    #: an A4 landscape page, for a chart that needs the width
    landscape: bool = False
    #: the findings the page states (``focuskit.findings``), and their statistics
    found: list = field(default_factory=list)
    details: list[str] = field(default_factory=list)


@dataclass
class Report:
    campaign_id: str
    title: str
    organisation: str
    instrument: str
    facts: list[tuple[str, str]]
    groups: list[tuple[str, str]]
    headlines: list[str]
    sections: list[Section]
    generated: str
    about: str = ""
    #: "answers up to 14:32 UTC, 62 respondents"
    freshness: str = ""
    #: the results every finding was read from
    findings: object = None


def _draw(res: Results, key: str):
    """The chart of page ``key``: the same plot as the dashboard's tab of that name."""
    inst = res.instrument
    if key == "levels":
        return lambda ax: fp.level_profile(data=res.get("profile"), ax=ax)
    if key == "agreement" and res.get("agenda") is not None:
        return lambda ax: fp.team_spread(data=res.get("agenda"), ax=ax)
    if key == "outside" and inst == "external-focus" and res.get("external_focus") is not None:
        return lambda ax: fp.external_focus_chart(data=res.get("external_focus"), ax=ax)
    if key == "outside":
        for other in ff.readings.OTHERS:
            if other in res.groups:
                g = res.get("perception_gaps", other)
                if not g["suppressed"].all():
                    return lambda ax: fp.gap_dumbbell(
                        data=g, a="self", b=other, ax=ax,
                        title=f"{ff.group_name('self', cap=True)} against "
                              f"{ff.group_name(other)}")
        return None
    if key == "saydo":
        return lambda ax: fp.gap_dumbbell(data=res.get("say_do"), ax=ax)
    if key == "priorities":
        return lambda ax: fp.ip_quadrant(data=res.get("importance_performance"), ax=ax)
    if key == "blocks" and res.get("blocks") is not None:
        return lambda ax: fp.blocks_chart(data=res.get("blocks"), ax=ax)
    if key == "contact" and res.get("adli") is not None:
        return lambda ax: fp.adli_rubric(data=res.get("adli"), ax=ax)
    if key == "benchmark" and res.get("benchmark") is not None:
        b = res.get("benchmark")
        if b["suppressed"].all():
            return None
        measure = "gap" if inst == "say-do" else None
        title = ("Say-Do gap against other organisations" if measure else
                 "Our level against other organisations") + \
            f"\n({ff.benchmark_source(res.base)})"
        return lambda ax: fp.benchmark_position(data=b, measure=measure, title=title, ax=ax)
    return None


def _title(res: Results, key: str) -> tuple[str, str]:
    """A page's title and the line saying what its chart shows."""
    if key == "outside" and res.instrument == "external-focus":
        return ("How far our external focus reaches", "The share of answers at each level, "
                "Responding, Anticipating and Shaping, per rater group.")
    if key == "outside":
        others = [ff.group_name(g) for g in ff.readings.OTHERS if g in res.groups]
        who = ", ".join(others) or "others"
        return (f"{who[:1].upper()}{who[1:]} and us", f"Per dimension, "
                f"{ff.group_name('self')} against {who}: a bar joins the two means.")
    if key == "benchmark":
        return ("How we compare", "Per dimension, the benchmark base's four quarters as "
                "bands, our mean as a marker, the top quarter's median as a tick. Base: "
                f"{ff.benchmark_source(res.base)}.")
    return _TITLES[key]


def chart(res: Results, key: str) -> tuple[str, str, Callable | None]:
    """Page ``key``'s title, the line saying what its chart shows, and the chart's
    ``draw(ax)`` (None where the page has no chart for these results)."""
    title, lead = _title(res, key)
    return title, lead, _draw(res, key)


_TITLES = {
    "levels": ("Where we stand", "Each group's mean level per dimension with its 95% "
               "interval, on the Casual, Moderate and Intense bands."),
    "agreement": ("Where we disagree", "Every rating of the team as an anonymous dot per "
                  "dimension, most disputed first."),
    "saydo": ("Say and Do", "Per statement, what the team intends (Say, hollow) against what "
              "it does (Do, solid), widest gap first."),
    "priorities": ("What matters, and how we deliver", "Each expectation by importance and "
                   "performance; the cross-hairs sit at the means."),
    "blocks": ("What blocks our customer focus", "Each block by how strongly it holds (1-5), "
               "beside where the team puts its root cause."),
    "contact": ("The contact programme, reviewed", "Each question of the review scored on "
                "Approach, Deployment, Learning and Integration (1-4)."),
    "next": ("Next steps and actions", "What the numbers suggest doing first, one level at a "
             "time, and the actions the team has agreed."),
}

_MAX_PLOT = {"agreement": 5.6, "priorities": 6.2, "outside": 7.6}


def _section(res: Results, key: str, actions: list[dict]) -> Section:
    title, lead = _title(res, key)
    try:
        found = ff.collect(res, key)
    except ValueError as e:  # the selection leaves this page nothing to compare
        found = [ff.left_out(res, e)]
    read = [f for f in found if f.kind not in ("withheld", "empty", "none", "no-base")][:3]
    notes_f = [f for f in found if f not in read and f.kind in ("withheld", "empty", "none",
                                                                  "no-base")]
    sec = Section(key, title, lead, None, found=read + notes_f)
    sec.readings = [f.sentence for f in read] + [f.sentence for f in notes_f]
    sec.details = [f.details for f in read if f.details]
    if key == "next":
        if not read and not notes_f:
            sec.readings = ["Agree in the team which finding to act on first, and record it "
                            "below."]
        rows = [[str(i + 1), a["title"], a.get("owner") or "", str(a.get("due") or ""),
                 a.get("status") or "", readable(a["item"]) if a.get("item") else ""]
                for i, a in enumerate(actions)]
        sec.table = ("Action register", ["#", "Action", "Owner", "Due", "Status", "About"],
                     rows)
        return sec
    if read:
        sec.draw = _draw(res, key)
    if key == "agreement" and read:
        sec.notes = [("Discussion agenda: start with these", "")] + [
            (f.sentence.split(": some say")[0], f.sentence.split(": ", 1)[1])
            for f in ff.discuss(res)]
    sec.max_plot = _MAX_PLOT.get(key, sec.max_plot)
    sec.landscape = key == "blocks"
    return sec


def build(store, campaign_id: str, *, where: dict | None = None, base=None) -> Report:
    """The report's content for ``campaign_id`` (StoreError when there is no such campaign).

    ``where`` narrows it as the dashboard's filters do (``{"segment": ...}``); ``base`` is
    the benchmark base (default: the loaded one, if any). Every sentence is a finding
    (``focuskit.findings``), read from the same results as the dashboard's."""
    camp = store.campaign(campaign_id)
    r = store.responses(camp.id)
    if base is None:
        try:
            base = fa.load_benchmark()
        except (OSError, ValueError):
            base = None
    res = Results(r, camp.instrument, where=where, base=base, k=camp.min_group_size)
    inst = camp.instrument.id
    count = ff.respondents(res)
    groups = []
    per = count.numbers.get("groups", {})
    for g in camp.rater_groups or sorted(per):
        if g not in per:
            shown = "none yet"
        elif per[g] is None:
            shown = (f"n < {camp.min_group_size} (withheld)"
                     if count.numbers["why"].get(g) == "small" else "withheld")
        else:
            shown = str(per[g])
        groups.append((ff.words.group_label(g), shown))
    sections = [_section(res, key, store.actions(camp.id)) for key in ff.sections(inst)] \
        if len(r) else [_section(res, "next", store.actions(camp.id))]
    headlines = [f.sentence for f in ff.headlines(res)] if len(r) else \
        ["No answers yet: the analyses appear once respondents have submitted."]
    whole = Results(r, camp.instrument, base=base, k=camp.min_group_size) if where else res
    frame, hidden = whole.released()
    n = ff.respondents(whole).numbers["n"] if len(r) else 0
    fresh = ff.freshness(None if hidden or frame.empty else frame["submitted_at"].max(),
                         n if n is not None else "not shown")
    facts = [("Organisation", camp.organisation or "(not named)"),
             ("Campaign", f"{camp.title} ({camp.id})"),
             ("Instrument", f"{camp.instrument.title}, version {camp.instrument.version}"),
             ("Answers", fresh[:1].upper() + fresh[1:]),
             ("Anonymity", f"figures about fewer than {camp.min_group_size} people are withheld")]
    if where:
        facts.append(("Selection", ", ".join(f"{k.replace('_', ' ')} {v}"
                                             for k, v in where.items())))
    about = (f"Each page that follows shows one analysis of the answers, its chart, and what "
             f"to read from it, in plain words; the statistics behind each reading are in "
             f"small print at the foot of its page. The answers come from the questionnaire "
             f"\u201c{camp.instrument.title}\u201d ({len(camp.instrument.items)} items). "
             f"Figures about fewer than {camp.min_group_size} respondents, and any figure from "
             "which they could be worked out, are withheld and say so; the intervals are 95% "
             "intervals of the mean.")
    return Report(camp.id, camp.title, camp.organisation, camp.instrument.title, facts, groups,
                  headlines, sections, datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
                  about, freshness=fresh, findings=res)


def wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width=width, break_long_words=False) or [""]
