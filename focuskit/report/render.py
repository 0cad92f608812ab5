"""Laying the report out: A4 portrait PDF pages with matplotlib, and one HTML page."""

from __future__ import annotations

import base64
import io
from html import escape

import matplotlib.pyplot as plt
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.transforms import Bbox

from ..plots.theme import INK, MUTED, theme
from ..ui.style import css
from .content import Report, Section, wrap

__all__ = ["Page", "html_from", "pdf_from", "png"]

A4 = (8.27, 11.69)
MARGIN = 0.6  # inches, left and right
ACCENT = "#0072B2"
WIDTH_CHARS = {9: 106, 10: 100, 10.5: 95, 11: 90, 12: 82, 16: 60}


class Page:
    """A page figure with a cursor moving down in inches: text is placed line by line.

    ``header`` runs along the top, ``fresh`` (how fresh the figures are, and when the report
    was made) and ``ident`` along the foot. ``safe`` moves header, foot and the text area in
    by that many inches: 0.35 keeps an A4 page whole when printed at actual size on Letter
    paper, which is 0.69 inches shorter."""

    def __init__(self, header: str, fresh: str, ident: str, number: int, total: int,
                 landscape: bool = False, safe: float = 0.0):
        size = A4[::-1] if landscape else A4
        self.fig = plt.figure(figsize=size)
        self.w, self.h = size
        self.top = 0.55 + safe
        self.bottom = self.h - 0.75 - safe  # the lowest the text may reach
        self.y = self.top
        self.dry = False  # when True, text only moves the cursor (to measure a layout)
        self.fig.text(MARGIN / self.w, 1 - (0.35 + safe) / self.h, header, fontsize=8.5,
                      color=MUTED, va="top")
        # Every page says how fresh its figures are.
        self.fig.text(MARGIN / self.w, (0.35 + safe) / self.h, fresh, fontsize=8,
                      color=MUTED)
        self.fig.text(1 - MARGIN / self.w, (0.35 + safe) / self.h,
                      f"page {number} of {total}  ·  {ident}", fontsize=8,
                      color=MUTED, ha="right")
        self.fig.add_artist(plt.Line2D([MARGIN / self.w, 1 - MARGIN / self.w],
                                       [1 - (0.45 + safe) / self.h] * 2, color="#D9E2EC",
                                       lw=0.8))

    def text(self, s: str, size: float = 10.5, *, bold: bool = False, color=None,
             indent: float = 0.0, width: int | None = None, gap: float = 0.0,
             hang: str = "") -> None:
        room = self.w - 2 * MARGIN
        width = width or int(WIDTH_CHARS.get(size, 95) * (room - indent) / (A4[0] - 2 * MARGIN))
        lines = wrap(s, width)
        step = size * 1.38 / 72
        if self.dry:
            self.y += step * len(lines) + gap
            return
        for k, line in enumerate(lines):
            if k == 0 and hang:
                self.fig.text((MARGIN + indent - 0.25) / self.w, 1 - self.y / self.h, hang,
                              fontsize=size, va="top", fontweight="bold", color=ACCENT)
            self.fig.text((MARGIN + indent) / self.w, 1 - self.y / self.h, line, fontsize=size,
                          va="top", fontweight="bold" if bold else "normal",
                          color=color or INK)
            self.y += step
        self.y += gap

    def heading(self, title: str, lead: str = "") -> None:
        self.text(title, 16, bold=True, color=ACCENT, gap=0.05)
        if lead:
            self.text(lead, 10, color=MUTED, gap=0.12)

    def plot(self, draw, height: float) -> None:
        """Draw a plot so that it, with its labels and legend, fills the next ``height``
        inches at full text width."""
        before = list(self.fig.axes)  # a page may hold charts already: leave them be
        ax = self.fig.add_axes([0.1, 0.1, 0.8, 0.8])
        draw(ax)
        _fit_into(self.fig, [a for a in self.fig.axes if a not in before], Bbox.from_extents(
            MARGIN / self.w, 1 - (self.y + height) / self.h,
            1 - MARGIN / self.w, 1 - self.y / self.h))
        self.y += height + 0.15

    def table(self, header: list[str], rows: list[list[str]], widths: list[float]) -> None:
        size = 9.5
        step = size * 1.38 / 72
        if self.dry:
            self.y += step + 0.04 + sum(
                step * max(len(wrap(str(c), max(4, int(wd * 13.5)))) for c, wd in
                           zip(row, widths, strict=True)) + 0.06 for row in rows)
            return
        x = [MARGIN + sum(widths[:i]) for i in range(len(widths))]
        for i, h in enumerate(header):
            self.fig.text(x[i] / self.w, 1 - self.y / self.h, h, fontsize=size, va="top",
                          fontweight="bold")
        self.y += step + 0.04
        self.fig.add_artist(plt.Line2D([MARGIN / self.w, 1 - MARGIN / self.w],
                                       [1 - (self.y - 0.03) / self.h] * 2, color="#BBBBBB",
                                       lw=0.6))
        for row in rows:
            cells = [wrap(str(c), max(4, int(wd * 13.5))) for c, wd in zip(row, widths,
                                                                            strict=True)]
            for i, lines in enumerate(cells):
                for k, line in enumerate(lines):
                    self.fig.text(x[i] / self.w, 1 - (self.y + k * step) / self.h, line,
                                  fontsize=size, va="top")
            self.y += step * max(len(c) for c in cells) + 0.06


def _fit_into(fig, axes, target: Bbox, pad: float = 0.05) -> None:
    """Move ``axes`` (keeping their arrangement) so that all they draw, tick labels, legends
    and notes included, fits inside ``target`` (figure fraction)."""
    renderer = fig.canvas.get_renderer()
    to_fig = fig.transFigure.inverted()
    # A plot's note is one long line meant for its own figure, starting at the Axes' left
    # edge: break it to the width the page leaves right of the tick labels.
    notes = [t for a in axes for t in a.texts if t.get_gid() == "note"]
    for t in notes:
        t.set_visible(False)
    tight = Bbox.union([a.get_tightbbox(renderer) for a in axes]).transformed(to_fig)
    left = Bbox.union([a.get_position() for a in axes]).x0 - tight.x0
    for t in notes:
        t.set_visible(True)
    chars = int((target.width - left) * fig.get_size_inches()[0] * 72 / (9.5 * 0.57))
    for t in notes:
        t.set_text("\n".join("\n".join(wrap(line, chars)) for line in t.get_text().split("\n")))
    for _ in range(2):  # a second pass settles text that moved with the first
        tight = Bbox.union([a.get_tightbbox(renderer, bbox_extra_artists=[
            *a.texts, *([a.get_legend()] if a.get_legend() else [])]) for a in axes])
        tight = tight.transformed(to_fig)
        place = Bbox.union([a.get_position() for a in axes])
        w, h = fig.get_size_inches()
        x0 = target.x0 + pad / w + (place.x0 - tight.x0)
        y0 = target.y0 + pad / h + (place.y0 - tight.y0)
        x1 = target.x1 - pad / w - (tight.x1 - place.x1)
        y1 = target.y1 - pad / h - (tight.y1 - place.y1)
        if x1 - x0 < 0.05 or y1 - y0 < 0.05:
            return
        sx, sy = (x1 - x0) / place.width, (y1 - y0) / place.height
        for a in axes:
            p = a.get_position()
            a.set_position([x0 + (p.x0 - place.x0) * sx, y0 + (p.y0 - place.y0) * sy,
                            p.width * sx, p.height * sy])


def _summary(page: Page, report: Report) -> None:
    page.heading("Customer focus report", report.title)
    for k, v in report.facts:
        page.text(f"{k}:  {v}", 10.5, gap=0.02)
    page.y += 0.2
    page.text("Respondents per group", 12, bold=True, color=ACCENT, gap=0.05)
    for g, n in report.groups:
        page.text(f"{g}:  {n}", 10.5, indent=0.2, gap=0.02)
    page.y += 0.2
    page.text("Headline findings", 12, bold=True, color=ACCENT, gap=0.08)
    for i, h in enumerate(report.headlines, 1):
        page.text(h, 10.5, indent=0.3, hang=f"{i}.", gap=0.1)
    pages = [s.title for s in report.sections]
    page.y += 0.2
    page.text("In this report", 12, bold=True, color=ACCENT, gap=0.05)
    for i, t in enumerate(pages, 2):
        page.text(f"{t}  (page {i})", 10.5, indent=0.2, gap=0.02)
    if report.about:
        page.y += 0.2
        page.text("How to read it", 12, bold=True, color=ACCENT, gap=0.05)
        page.text(report.about, 10, color="#333333")


def _section(page: Page, sec: Section) -> None:
    page.heading(sec.title, sec.lead)
    if sec.draw is not None:
        top = page.y
        page.dry = True
        _section_text(page, sec)
        page.dry = False
        room = page.bottom - page.y - 0.15  # what the text leaves free above the footer
        page.y = top
        page.plot(sec.draw, min(sec.max_plot, room))
    _section_text(page, sec)


def _reading_heading(sec: Section) -> str:
    if sec.draw is None:
        return "What to do first"
    return "Three things to read from it" if len(sec.readings) == 3 else "What to read from it"


def _section_text(page: Page, sec: Section) -> None:
    page.text(_reading_heading(sec), 12, bold=True, color=ACCENT, gap=0.06)
    for i, r in enumerate(sec.readings, 1):
        page.text(r, 10.5, indent=0.3, hang=f"{i}.", gap=0.08)
    if sec.details:
        page.y += 0.05
        page.text("Statistics: " + " ".join(sec.details), 8.5, color=MUTED, gap=0.08)
    for head, text in sec.notes:
        if not text:
            page.y += 0.1
            page.text(head, 12, bold=True, color=ACCENT, gap=0.04)
            continue
        page.text(head, 10, bold=True, indent=0.05, gap=0.01)
        lines = text.split("\n")
        for k, line in enumerate(lines):
            page.text(line, 9, indent=0.25, color="#333333",
                      gap=0.06 if k == len(lines) - 1 else 0.02)
    if sec.table is not None:
        title, header, rows = sec.table
        page.y += 0.15
        page.text(title, 12, bold=True, color=ACCENT, gap=0.06)
        if rows:
            page.table(header, rows, [0.3, 3.0, 1.2, 0.95, 0.7, 0.92])
        else:
            page.text("No actions recorded yet. Agree them in the workshop, on the board's "
                      "action register, and they appear here.", 10.5, color=MUTED)


def pdf_from(report: Report) -> bytes:
    buf = io.BytesIO()
    total = 1 + len(report.sections)
    with theme(), PdfPages(buf, metadata={
            "Title": f"Customer focus report: {report.title}", "Creator": "focuskit"}) as pdf:
        for number in range(1, total + 1):
            # Every page portrait: a report mixing orientations printed sideways pages.
            page = Page(f"{report.organisation or 'focuskit'}  ·  {report.title}",
                        f"{report.freshness[:1].upper()}{report.freshness[1:]}; report made "
                        f"{report.generated}", report.campaign_id, number, total)
            try:
                if number == 1:
                    _summary(page, report)
                else:
                    _section(page, report.sections[number - 2])
                pdf.savefig(page.fig)
            finally:
                plt.close(page.fig)
    return buf.getvalue()


def png(draw) -> str:
    """``draw(None)``'s figure as a PNG data URI, for an HTML page."""
    with theme():
        ax = draw(None)
        fig = ax.figure
        try:
            buf = io.BytesIO()
            fig.savefig(buf, format="png", dpi=110, metadata={"Software": None})
        finally:
            plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def html_from(report: Report) -> str:
    e = escape
    out = [f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
           f"<meta name='viewport' content='width=device-width,initial-scale=1'>"
           f"<title>Customer focus report: {e(report.title)}</title><style>"
           f"{css('focuskit.report', 'report.css')}</style>"
           f"</head><body><h1>Customer focus report</h1><p class='lead'>{e(report.title)}"
           f" · {e(report.freshness)}</p>"
           "<table class='facts'>"]
    out += [f"<tr><td><b>{e(k)}</b></td><td>{e(v)}</td></tr>" for k, v in report.facts]
    out.append("</table><h3>Respondents per group</h3><table class='facts'>")
    out += [f"<tr><td>{e(g)}</td><td>{e(n)}</td></tr>" for g, n in report.groups]
    out.append("</table><h3>Headline findings</h3><ol>")
    out += [f"<li>{e(h)}</li>" for h in report.headlines]
    out.append("</ol>")
    if report.about:
        out.append(f"<h3>How to read it</h3><p>{e(report.about)}</p>")
    for sec in report.sections:
        out.append(f"<h2 id='{e(sec.key)}'>{e(sec.title)}</h2><p class='lead'>{e(sec.lead)}</p>")
        if sec.draw is not None:
            out.append(f"<img alt='{e(sec.title)}' src='{png(sec.draw)}'>")
        out.append(f"<h3>{e(_reading_heading(sec))}</h3>")
        out.append("<ol>" + "".join(f"<li>{e(r)}</li>" for r in sec.readings) + "</ol>")
        if sec.details:
            out.append("<details><summary>Statistics</summary><ul>" + "".join(
                f"<li>{e(d)}</li>" for d in sec.details) + "</ul></details>")
        for head, text in sec.notes:
            out.append(f"<h3>{e(head)}</h3>" if not text else
                       f"<p><b>{e(head)}</b></p><p class='note'>"
                       + "<br>".join(e(t) for t in text.split("\n")) + "</p>")
        if sec.table is not None:
            title, header, rows = sec.table
            out.append(f"<h3>{e(title)}</h3>")
            if rows:
                out.append("<table class='actions'><tr>" + "".join(f"<th>{e(h)}</th>"
                                                                   for h in header) + "</tr>")
                out += ["<tr>" + "".join(f"<td>{e(str(c))}</td>" for c in r) + "</tr>"
                        for r in rows]
                out.append("</table>")
            else:
                out.append("<p class='muted'>No actions recorded yet.</p>")
    out.append(f"<footer>focuskit report · {e(report.campaign_id)} · {e(report.generated)}"
               "</footer></body></html>")
    return "".join(out)
