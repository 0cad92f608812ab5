"""The programme report: one organisation across every lens, over time, as PDF or HTML.

An executive summary first (where we stand lens by lens, what changed since the last wave,
which actions worked, what to do first), then one section per lens with its main chart,
then the trend (what changed, with its charts) and the action register with each action's
"did it work" line and its overdue mark.

Every sentence is a finding of ``focuskit.findings.programme.summary``, the same the
programme page shows; this module only chooses which to show where and lays them out. Each
lens's chart is its campaign report's first chart (``content.chart``).

>>> from focuskit.report.programme import programme_pdf
>>> programme_pdf(store, "demo-alder-valley")[:4]  # doctest: +SKIP
b'%PDF'
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from pathlib import Path

from .. import findings as ff
from ..names import readable

__all__ = ["LensPart", "ProgrammeReport", "build_programme", "from_summary", "programme_html",
           "programme_pdf", "write_programme"]

#: Kinds that say a lens has nothing to show yet or withholds it: they are its headline when
#: they come first, and never a "what to do first".
_NOTES = ("wave-note", "missing", "withheld", "empty", "none", "no-base")
#: How many of each list the one-page executive summary shows.
_SUMMARY_CHANGES = 4
_SUMMARY_ACTIONS = 3
_SUMMARY_STEPS = 3
#: The lenses' short names, for the summary's name column (the sections use the full titles).
SHORT_NAMES = {"focus-levels": "Focus levels", "blocks": "Blocks to focus",
               "say-do": "Say and Do", "expectations": "Expectations",
               "external-focus": "External focus", "contact-programme": "Contact programme"}
#: The order "which actions worked" reads them in: the answers first, then the open ones.
_VERDICT_ORDER = {"worked": 0, "did not work": 1, "cannot tell": 2, "no later wave yet": 3}


@dataclass
class LensPart:
    """One lens's section: the summary's lens and its campaign report's first chart."""

    lens: object  # findings.programme.Lens
    chart_title: str = ""
    chart_lead: str = ""
    draw: Callable | None = None  # draw(ax) -> Axes
    #: "Focus levels 2027, wave 2 (demo-focus-levels-w2)": where the figures come from
    source: str = ""

    @property
    def alt(self) -> str:
        """What the chart shows, for a reader who cannot see it."""
        return f"Chart for {self.lens.title}: {self.chart_title}. {self.chart_lead}"


@dataclass
class TrendPart:
    """One lens's change between its last two waves: the summary's trend findings of that
    lens and its charts, each (title, alt text, draw)."""

    lens: object
    findings: list
    charts: list[tuple[str, str, Callable]] = field(default_factory=list)
    #: each chart's height on a page (inches): a profile grows with its rows
    heights: list[float] = field(default_factory=list)

    @property
    def headline(self):
        """The largest clear change, else the count of what changed."""
        return next((f for f in self.findings if f.kind == "trend"),
                    next((f for f in self.findings if f.kind == "trend-summary"),
                         self.findings[0] if self.findings else None))


@dataclass
class ProgrammeReport:
    summary: object  # findings.programme.ProgrammeSummary
    lenses: list[LensPart]
    generated: str
    #: per lens with two answered waves, what changed; empty when none has
    trends: list[TrendPart] = field(default_factory=list)

    @property
    def programme_id(self) -> str:
        return self.summary.programme.id

    @property
    def title(self) -> str:
        return self.summary.programme.title

    @property
    def organisation(self) -> str:
        return self.summary.programme.organisation or ""

    @property
    def freshness(self) -> str:
        f = self.summary.freshness
        return f[:1].upper() + f[1:]

    @property
    def has_trend(self) -> bool:
        return bool(self.trends)

    @property
    def standing(self) -> list[tuple[str, object]]:
        """Each lens's headline: its first finding that is not a note, else its note."""
        out = []
        for part in self.lenses:
            found = part.lens.findings
            first = next((f for f in found if f.kind not in _NOTES + ("next-step",)), None)
            out.append((_short(part.lens), first or (found[0] if found else None)))
        return out

    @property
    def changes(self) -> list[tuple[str, object]]:
        """What changed, for the summary page: each lens's headline change."""
        return [(_short(t.lens), t.headline) for t in self.trends if t.headline is not None]

    @property
    def verdicts(self) -> list[dict]:
        """The actions with a "did it work" finding, answers first."""
        acts = [a for a in self.summary.actions if a.get("effect") is not None]
        return sorted(acts, key=lambda a: _VERDICT_ORDER.get(
            a["effect"].numbers.get("verdict"), 9))

    @property
    def first_steps(self) -> list:
        """What to do first: each lens's first next step, in the lenses' order."""
        out = []
        for part in self.lenses:
            step = next((f for f in part.lens.findings if f.kind == "next-step"), None)
            if step is not None:
                out.append((_short(part.lens), step))
        return out


def _short(lens) -> str:
    return SHORT_NAMES.get(lens.instrument) or readable(lens.instrument)


def _lens_part(store, lens, base) -> LensPart:
    """The lens's campaign report chart: the first page of its campaign that has one."""
    part = LensPart(lens)
    if lens.missing:
        return part
    cid = getattr(lens, "read_from", None) or lens.campaign
    camp = store.campaign(cid)
    wave = getattr(camp, "wave", 1)
    part.source = f"{camp.title}, wave {wave} ({camp.id})"
    if all(f.kind in _NOTES for f in lens.findings):
        return part  # nothing answered, or all withheld: no chart to draw from
    from .content import chart

    # The figures are computed when the chart is drawn, once for both formats.
    res = ff.Results(store.responses(cid), camp.instrument, base=base, k=camp.min_group_size)
    for key in ff.sections(camp.instrument.id):
        if key == "next":
            continue
        title, lead, draw = chart(res, key)
        if draw is not None:
            part.chart_title, part.chart_lead, part.draw = title, lead, draw
            break
    return part


def _trend_parts(summary) -> list[TrendPart]:
    """Per lens with two answered waves: its findings (``summary.trend_by_lens``), its
    then-and-now profile, and for focus levels the trend of its largest clear change."""
    from .. import plots as fp

    out = []
    for lens in summary.lenses:
        found = summary.trend_by_lens.get(lens.instrument)
        if found is None:
            continue
        part = TrendPart(lens, list(found))
        df = summary.trends.get(lens.instrument)  # None: the summary says why there is none
        if df is not None and not df.empty:
            part.charts.append((
                f"{lens.title}: then and now",
                f"Chart for {lens.title}: each dimension's mean at the first and the latest "
                "wave, then hollow and now solid.",
                lambda ax, df=df: fp.then_and_now(data=df, ax=ax)))
            rows = df["item"].nunique() if "item" in df else 8
            part.heights.append(min(6.8, max(3.0, 1.4 + 0.3 * rows)))
        # The wave-by-wave chart of the largest change on the lens the seeds are about
        # (Casual toward Intense); the other lenses' changes are in their profiles.
        top = next((f for f in part.findings if f.kind == "trend" and f.item), None)
        if top is not None and df is not None and lens.instrument == "focus-levels":
            g, facet = top.numbers.get("group"), top.numbers.get("facet")
            part.charts.append((
                f"{readable(top.item)}, wave by wave",
                f"Chart: {readable(top.item)}'s mean at each wave with its 95% interval, on "
                f"the level bands. {top.sentence}",
                lambda ax, df=df, i=top.item, g=g, f=facet: fp.trend_plot(
                    data=df, item=i, rater_group=g, facet=f, ax=ax)))
            part.heights.append(2.4)
        out.append(part)
    return out


def from_summary(store, summary, *, base=None) -> ProgrammeReport:
    """The report's content from a programme ``summary`` (``findings.programme.summary``)."""
    if base is None:
        from ..analysis import load_benchmark

        try:
            base = load_benchmark()
        except (OSError, ValueError):
            base = None
    parts = [_lens_part(store, lens, base) for lens in summary.lenses]
    return ProgrammeReport(summary, parts, datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
                           _trend_parts(summary))


def build_programme(store, programme_id: str, *, now=None) -> ProgrammeReport:
    """The programme report's content (StoreError when there is no such programme)."""
    from ..findings.programme import summary

    return from_summary(store, summary(store, programme_id, now=now))


# -- PDF ---------------------------------------------------------------------------------
#: Inches the header, foot and text keep in from A4's top and bottom, so that the page
#: printed at actual size on Letter (0.69 inches shorter) loses nothing.
LETTER_SAFE = 0.35
OVERDUE = "#B42318"


def _text(page, s: str, size: float = 10.5, *, indent: float = 0.0, **kw) -> None:
    """``page.text`` wrapped at what DejaVu Sans really fits (about 0.58 em a character):
    the campaign report's table of widths lets a long line reach into the right margin."""
    from .render import MARGIN

    room = page.w - 2 * MARGIN - indent
    em = 0.64 if kw.get("bold") else 0.58
    page.text(s, size, indent=indent, width=int(room * 72 / (size * em)), **kw)


@dataclass
class _Part:
    """A piece of a page: ``draw(page)`` places it at the page's cursor and moves it."""

    draw: Callable
    new_page: bool = False
    #: keep on the page of the part that follows (a heading with its first line)
    keep: bool = False


def _head(text: str, lead: str = "") -> _Part:
    def draw(page):
        from .render import ACCENT

        page.y += 0.12
        _text(page, text, 12.5, bold=True, color=ACCENT, gap=0.04)
        if lead:
            _text(page, lead, 9.5, color="#52606D", gap=0.06)
    return _Part(draw, keep=True)


def _say(sentence: str, *, size=10.5, indent=0.3, hang="", color=None) -> _Part:
    def draw(page):
        _text(page, sentence, size, indent=indent, hang=hang, gap=0.08, color=color)
    return _Part(draw)


#: The width of the name column of a two-column line (inches).
NAME_COLUMN = 1.65


def _pair(name: str, sentence: str, *, size=10.0, color=None) -> _Part:
    """A name in bold on the left and its sentence beside it: one line where two would do."""
    def draw(page):
        top = page.y
        room = NAME_COLUMN - 0.15
        page.text(name, size, bold=True, indent=0.1, width=int(room * 72 / (size * 0.64)))
        left = page.y
        page.y = top
        _text(page, sentence, size, indent=0.1 + NAME_COLUMN, color=color)
        page.y = max(left, page.y) + 0.07
    return _Part(draw)


def _summary_parts(rep: ProgrammeReport, size: float = 10) -> list[_Part]:
    """The executive summary at text size ``size`` (smaller sizes keep it on one page)."""
    from .render import ACCENT

    def title(page):
        _text(page, "Programme report", 20, bold=True, color=ACCENT, gap=0.03)
        _text(page, rep.title, 13, gap=0.06)
        who = [rep.organisation or "(organisation not named)"] \
            if rep.organisation != rep.title else []
        line = "  ·  ".join([*who, f"report made {rep.generated}", rep.freshness])
        _text(page, line[:1].upper() + line[1:], 9.5, gap=0.02, color="#333333")

    parts = [_Part(title), _head("Where we stand, lens by lens")]
    for name, f in rep.standing:
        parts.append(_pair(name, f.sentence if f else "Nothing to report yet.", size=size))
    parts.append(_head("What changed since the last wave"))
    if rep.changes:
        parts += [_pair(name, f.sentence, size=size) for name, f in rep.changes]
    else:
        parts.append(_say(_ONE_WAVE, size=size, color="#52606D"))
    parts.append(_head("Which actions worked"))
    shown = rep.verdicts[:_SUMMARY_ACTIONS]
    if shown:
        # The verdict's sentence names its action.
        parts += [_say(a["effect"].sentence, size=size, indent=0.1) for a in shown]
    else:
        parts.append(_say(_NO_VERDICTS, size=size, color="#52606D"))
    overdue = [a for a in rep.summary.actions if a.get("overdue")]
    if overdue:
        parts.append(_say(f"Overdue: {', '.join(a['title'] for a in overdue)} "
                          "(marked in the action register).", size=size, indent=0.1,
                          color=OVERDUE))
    parts.append(_head("What to do first"))
    steps = rep.first_steps[:_SUMMARY_STEPS]
    parts += [_pair(name, f.sentence, size=size) for name, f in steps] or \
        [_say("No next step yet: the lenses need answers first.", size=size, color="#52606D")]
    return parts


_ONE_WAVE = ("Only one wave so far: no trend yet. What changed appears here once a next "
             "wave of a lens has answers.")
#: An action without a "did it work" finding: the summary has none where its campaign's
#: waves hold no answers yet.
_NOT_JUDGED = "Not judged yet: its campaign has no answers to judge it by."
_NO_VERDICTS = ("No action can be judged yet: an action is judged once the wave after it "
                "has answers.")


#: A lens chart's height: at least this (a profile of eight dimensions stays legible; the
#: findings then flow onto the next page), at most that (the rest is the findings').
LENS_CHART = (4.2, 6.5)


def _lens_section(part: LensPart, measure) -> list[_Part]:
    """A lens with a campaign, from a new page: its title and source, its chart as tall as
    the findings leave room for (within ``LENS_CHART``), then its findings, which flow onto
    the next page when they do not fit."""
    from .render import ACCENT, MUTED

    lens = part.lens

    def head(page):
        _text(page, lens.title, 16, bold=True, color=ACCENT, gap=0.05)
        _text(page, lens.question, 10, color=MUTED, gap=0.12)
        if part.source:
            _text(page, f"Read from {part.source}.", 9.5, color=MUTED, gap=0.1)
        if part.draw is not None:
            _text(page, part.chart_title, 11, bold=True, gap=0.04)

    def lead(page):
        _text(page, part.chart_lead, 9, color=MUTED, gap=0.1)

    def says(page):
        _text(page, "What it says", 12, bold=True, color=ACCENT, gap=0.06)

    def stats(page):
        details = [f.details for f in lens.findings if f.details]
        if details:
            page.y += 0.04
            _text(page, "Statistics: " + " ".join(details), 8, color=MUTED, gap=0.05)

    text = [_Part(says, keep=True)] + [
        _say(f.sentence, size=10, hang=f"{i}.") for i, f in enumerate(lens.findings, 1)] + [
        _Part(stats)]
    if part.draw is None:
        return [_Part(head, new_page=True, keep=True), *text]
    used = sum(_height(p, measure) for p in [_Part(head), _Part(lead), *text])
    room = measure.bottom - measure.top - used - 0.35
    tall = max(LENS_CHART[0], min(LENS_CHART[1], room))
    return [_Part(head, new_page=True, keep=True), _chart(part.draw, tall), _Part(lead), *text]


def _height(part: _Part, measure) -> float:
    measure.y = measure.top
    part.draw(measure)
    return measure.y - measure.top


def _missing_parts(rep: ProgrammeReport) -> list[_Part]:
    missing = [p.lens for p in rep.lenses if p.lens.missing]
    if not missing:
        return []
    head = _head("Lenses without a campaign")
    head.new_page = True
    return [head] + [_pair(_short(lens), lens.findings[0].sentence if lens.findings else
                           "No campaign yet.") for lens in missing]


def _chart(draw, height: float) -> _Part:
    """A chart at full width; it carries its own title."""
    def place(page):
        if page.dry:
            page.y += height + 0.3
            return
        page.y += 0.15
        page.plot(draw, height)
    return _Part(place)


def _trend_section(rep: ProgrammeReport) -> list[_Part]:
    head = _head("What changed since the last wave", "Per lens with two answered waves: "
                 "the clear changes, largest first, what did not change, and the charts."
                 if rep.has_trend else "")
    head.new_page = not any(p.lens.missing for p in rep.lenses)
    if not rep.trends:
        return [head, _say(_ONE_WAVE, color="#52606D")]
    parts = [head]
    for t in rep.trends:
        def block(page, t=t):
            _text(page, t.lens.title, 11.5, bold=True, gap=0.05)
            for i, f in enumerate(t.findings, 1):
                _text(page, f.sentence, 10, indent=0.3, hang=f"{i}.", gap=0.08)
        # A lens's sentences in one piece, kept on the page of its first chart.
        parts.append(_Part(block, keep=bool(t.charts)))
        parts += [_chart(draw, height) for (_, _, draw), height in zip(t.charts, t.heights,
                                                                     strict=True)]
    return parts


def _action_part(i: int, a: dict) -> _Part:
    from .render import MUTED

    def draw(page):
        _text(page, a["title"], 10.5, bold=True, indent=0.3, hang=f"{i}.", gap=0.02)
        facts = [readable(a.get("lens") or "") or a.get("campaign", ""),
                 f"owner {a['owner']}" if a.get("owner") else "no owner",
                 f"due {a['due']}" if a.get("due") else "no due date",
                 a.get("status") or "open"]
        about = a.get("item") or a.get("section")
        if about:
            facts.insert(1, f"about {readable(about)}")
        _text(page, "  ·  ".join(facts), 9, color=MUTED, indent=0.3, gap=0.02)
        if a.get("overdue"):
            _text(page, "OVERDUE: past its due date and not done", 9, bold=True,
                      color=OVERDUE, indent=0.3, gap=0.02)
        eff = a.get("effect")
        _text(page, f"Did it work? {eff.sentence if eff is not None else _NOT_JUDGED}",
              9.5, indent=0.3, gap=0.12)
    return _Part(draw)


def _action_parts(rep: ProgrammeReport) -> list[_Part]:
    head = _head("Action register", "Every action of the programme's campaigns, oldest "
                 "first: who owns it, when it is due, and, once the next wave has answers, "
                 "whether it worked.")
    acts = rep.summary.actions
    if not acts:
        return [head, _say("No actions recorded yet. Agree them on the programme page or in "
                           "a workshop, and they appear here.", color="#52606D")]
    return [head] + [_action_part(i, a) for i, a in enumerate(acts, 1)]


def _parts(rep: ProgrammeReport, measure) -> list[_Part]:
    # The executive summary is one page: the largest text size that keeps it there.
    for size in (10, 9.5, 9, 8.5):
        parts = _summary_parts(rep, size)
        if len(_paginate(parts, measure)) == 1:
            break
    for p in rep.lenses:
        if not p.lens.missing:
            parts += _lens_section(p, measure)
    parts += _missing_parts(rep)
    parts += _trend_section(rep)
    parts += _action_parts(rep)
    return parts


def _paginate(parts: list[_Part], measure) -> list[list[_Part]]:
    """Greedy: each part on the current page if it fits (with the part it keeps with)."""
    top, bottom = measure.top, measure.bottom
    heights = [_height(p, measure) for p in parts]
    pages: list[list[_Part]] = [[]]
    y = top
    for i, p in enumerate(parts):
        need = heights[i] + (heights[i + 1] if p.keep and i + 1 < len(parts) else 0)
        if pages[-1] and (p.new_page or y + need > bottom):
            pages.append([])
            y = top
        pages[-1].append(p)
        y += heights[i]
    return pages


def programme_pdf(store=None, programme_id: str | None = None, *,
                  report: ProgrammeReport | None = None) -> bytes:
    """The programme report as PDF bytes: A4 portrait, kept whole on Letter."""
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages

    from ..plots.theme import theme
    from .render import Page

    rep = report or build_programme(store, programme_id)
    header = " · ".join(dict.fromkeys([rep.organisation or "focuskit", rep.title]))
    fresh = f"{rep.freshness}; report made {rep.generated}"

    def page(number, total):
        return Page(header, fresh, rep.programme_id, number, total, safe=LETTER_SAFE)

    buf = io.BytesIO()
    with theme():
        measure = page(0, 0)
        measure.dry = True
        try:
            pages = _paginate(_parts(rep, measure), measure)
        finally:
            plt.close(measure.fig)
        with PdfPages(buf, metadata={"Title": f"Programme report: {rep.title}",
                                     "Creator": "focuskit"}) as pdf:
            for number, content in enumerate(pages, 1):
                p = page(number, len(pages))
                try:
                    for part in content:
                        part.draw(p)
                    pdf.savefig(p.fig)
                finally:
                    plt.close(p.fig)
    return buf.getvalue()


# -- HTML --------------------------------------------------------------------------------
def _ol(findings) -> str:
    return "<ol>" + "".join(f"<li>{escape(f.sentence)}</li>" for f in findings) + "</ol>"


def _img(draw, alt: str) -> str:
    from .render import png

    return f"<img class='fk-plot' alt='{escape(alt, quote=True)}' src='{png(draw)}'>"


def programme_html(store=None, programme_id: str | None = None, *,
                   report: ProgrammeReport | None = None) -> str:
    """The programme report as one self-contained HTML page (charts as PNG data URIs, each
    with alt text)."""
    from ..ui.style import css

    rep = report or build_programme(store, programme_id)
    e = escape
    out = ["<!doctype html><html lang='en'><head><meta charset='utf-8'>"
           "<meta name='viewport' content='width=device-width,initial-scale=1'>"
           f"<title>Programme report: {e(rep.title)}</title><style>"
           f"{css('focuskit.report', 'report.css')}</style></head><body class='fk-programme'>"
           f"<h1>Programme report</h1><p class='lead'>{e(rep.title)}"
           f"{' · ' + e(rep.organisation) if rep.organisation not in ('', rep.title) else ''}"
           "</p>"
           f"<p class='fresh'>Report made {e(rep.generated)} · {e(rep.freshness)}</p>"]
    # The executive summary.
    out.append("<section id='summary'><h2>Executive summary</h2>"
               "<h3>Where we stand, lens by lens</h3><dl class='lenses'>")
    for name, f in rep.standing:
        out.append(f"<dt>{e(name)}</dt><dd>{e(f.sentence if f else 'Nothing to report yet.')}"
                   "</dd>")
    out.append("</dl><h3>What changed since the last wave</h3>")
    out.append("<dl class='lenses'>" + "".join(
        f"<dt>{e(n)}</dt><dd>{e(f.sentence)}</dd>" for n, f in rep.changes) + "</dl>"
        if rep.changes else f"<p class='muted'>{e(_ONE_WAVE)}</p>")
    out.append("<h3>Which actions worked</h3>")
    shown = rep.verdicts[:_SUMMARY_ACTIONS]
    out.append("<ul>" + "".join(f"<li>{e(a['effect'].sentence)}</li>" for a in shown)
               + "</ul>" if shown else
               f"<p class='muted'>{e(_NO_VERDICTS)}</p>")
    overdue = [a for a in rep.summary.actions if a.get("overdue")]
    if overdue:
        out.append(f"<p class='overdue'>Overdue: {e(', '.join(a['title'] for a in overdue))} "
                   "(marked in the action register).</p>")
    out.append("<h3>What to do first</h3><ol>" + "".join(
        f"<li><b>{e(n)}</b>: {e(f.sentence)}</li>"
        for n, f in rep.first_steps[:_SUMMARY_STEPS]) + "</ol></section>")
    # One section per lens.
    for part in rep.lenses:
        lens = part.lens
        if lens.missing:
            continue
        out.append(f"<section class='lens' id='lens-{e(lens.instrument)}'><h2>{e(lens.title)}"
                   f"</h2><p class='lead'>{e(lens.question)}</p>")
        if part.source:
            out.append(f"<p class='muted'>Read from {e(part.source)}.</p>")
        if part.draw is not None:
            out.append(f"<h3>{e(part.chart_title)}</h3><p class='muted'>{e(part.chart_lead)}"
                       f"</p>{_img(part.draw, part.alt)}")
        out.append("<h3>What it says</h3>" + _ol(lens.findings))
        details = [f.details for f in lens.findings if f.details]
        if details:
            out.append("<details><summary>Statistics</summary><ul>" + "".join(
                f"<li>{e(d)}</li>" for d in details) + "</ul></details>")
        out.append("</section>")
    missing = [p.lens for p in rep.lenses if p.lens.missing]
    if missing:
        out.append("<section id='missing'><h2>Lenses without a campaign</h2><dl class='lenses'>"
                   + "".join(f"<dt>{e(x.title)}</dt><dd>{e(x.findings[0].sentence)}</dd>"
                             for x in missing if x.findings) + "</dl></section>")
    # Trend.
    out.append("<section id='trend'><h2>What changed since the last wave</h2>")
    for t in rep.trends:
        out.append(f"<h3>{e(t.lens.title)}</h3>" + _ol(t.findings))
        for title, alt, draw in t.charts:
            out.append(f"<h4>{e(title)}</h4>{_img(draw, alt)}")
    if not rep.trends:
        out.append(f"<p class='muted'>{e(_ONE_WAVE)}</p>")
    out.append("</section>")
    # The action register.
    out.append("<section id='actions'><h2>Action register</h2>")
    acts = rep.summary.actions
    if acts:
        out.append("<table class='actions'><tr><th>#</th><th>Action</th><th>Lens</th>"
                   "<th>Owner</th><th>Due</th><th>Status</th></tr>")
        out += [_action_row(i, a) for i, a in enumerate(acts, 1)]
        out.append("</table>")
    else:
        out.append("<p class='muted'>No actions recorded yet.</p>")
    out.append(f"</section><footer>focuskit programme report · {e(rep.programme_id)} · "
               f"{e(rep.generated)}</footer></body></html>")
    return "".join(out)


def _action_row(i: int, a: dict) -> str:
    """An action's row of the register and its "did it work" line beneath."""
    e = escape
    due = e(str(a.get("due") or ""))
    if a.get("overdue"):
        due += " <span class='overdue'>overdue</span>"
    about = a.get("item") or a.get("section")
    about = f"<br><span class='muted'>about {e(readable(about))}</span>" if about else ""
    eff = a.get("effect")
    verdict = e(eff.sentence) if eff is not None else _NOT_JUDGED
    # data-label: what a phone shows before each cell, where the cells stack as lines.
    return (f"<tr class='action'><td>{i}</td><td><b>{e(a['title'])}</b>{about}</td>"
            f"<td data-label='Lens'>{e(readable(a.get('lens') or ''))}</td>"
            f"<td data-label='Owner'>{e(a.get('owner') or '')}</td>"
            f"<td data-label='Due'>{due}</td>"
            f"<td data-label='Status'>{e(a.get('status') or '')}</td></tr>"
            f"<tr class='verdict'><td></td><td colspan='5'>Did it work? {verdict}</td></tr>")


def write_programme(store, programme_id: str, out, format: str | None = None) -> Path:
    """Write the programme report to ``out`` ("pdf" or "html"; default from the suffix).
    The report is built before the file is opened, so an unknown id leaves no file."""
    path = Path(out)
    fmt = format or ("html" if path.suffix.lower() in (".html", ".htm") else "pdf")
    if fmt not in ("pdf", "html"):
        raise ValueError(f"format must be pdf or html, not {fmt!r}")
    store.programme(programme_id)  # an unknown id: StoreError naming the programmes there are
    rep = build_programme(store, programme_id)
    if fmt == "pdf":
        path.write_bytes(programme_pdf(report=rep))
    else:
        path.write_text(programme_html(report=rep), encoding="utf-8")
    return path
