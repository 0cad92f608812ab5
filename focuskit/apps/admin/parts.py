"""Small building blocks of the admin page: labelled fields, rows, messages, tables (its look
is ``style.css``).

Messages are built here from focuskit's errors: the headline of the error, then every problem
it carries (an import's (row, column, value, reason) as a table), so nothing is hidden.
"""

from __future__ import annotations

import re
from html import escape

import ipywidgets as w

from ...errors import FocuskitError, ImportFileError
from ...links import join_url
from ...ui import parts as ui
from ...ui.downloads import MIME, data_link

#: Inputs whose ipywidgets <label> names them (a checkbox or button shows its own words).
NAMED = (w.Text, w.Textarea, w.Dropdown, w.IntText, w.BoundedIntText, w.RadioButtons,
         w.SelectMultiple, w.Select, w.Combobox)
SHOWN_LINKS = 30  # link boxes on the page; more would only slow it (the rest are in the big box)


def html(value: str = "", cls: str | None = None) -> w.HTML:
    return ui.html(value, cls, width="100%", max_width="100%")


def field(label: str, widget, grow: int = 1) -> w.VBox:
    """A label above its input; in a row, ``grow`` shares the width (0: as narrow as it is)."""
    if isinstance(widget, NAMED) and not widget.description:
        # The input's own <label>, hidden from sight by style.css (the text above shows it):
        # without it a screen reader announces a nameless box.
        widget.description = re.sub(r"<[^>]+>", "", label)
        widget.add_class("fk-named")
    lab = w.HTML(f"<span>{label}</span>")
    lab.add_class("fk-lab")
    box = w.VBox([lab, widget], layout=w.Layout(min_width="0", max_width="100%"))
    box.add_class("fk-field")
    box.fk_flex = f"{grow} 1 {'auto' if grow == 0 else '220px'}"
    return box


def row(*children) -> w.Box:
    """Children side by side, wrapping onto new lines on a narrow screen."""
    for c in children:
        if hasattr(c, "fk_flex"):  # a flex basis is a width only inside a row
            c.layout.flex = c.fk_flex
    box = w.Box(list(children), layout=w.Layout(flex_flow="row wrap", width="100%"))
    box.add_class("fk-row")
    return box


def section(title: str, hint: str, *children, cls: str) -> w.VBox:
    head = html(f"<h2>{escape(title)}</h2><p class='fk-hint'>{escape(hint)}</p>")
    box = w.VBox([head, *children], layout=w.Layout(width="100%"))
    box.add_class("fk-sec")
    box.add_class(cls)
    return box


def ok_html(text: str, cls: str = "fk-ok") -> str:
    return f"<div class='fk-msg {cls}'>{escape(text)}</div>"


def error_html(e: Exception) -> str:
    """A refusal: its headline and every problem it lists."""
    if isinstance(e, ImportFileError):
        n = len(e.rows)
        head = (f"Nothing imported from {escape(e.source)}: {n} problem{'s' if n != 1 else ''}."
                " Fix the file and choose it again; nothing was stored.")
        body = "".join(
            f"<tr><td class='n'>{r or ''}</td><td>{escape(str(c))}</td>"
            f"<td>{escape(str(v))}</td><td>{escape(str(why))}</td></tr>"
            for r, c, v, why in e.rows)
        return (f"<div class='fk-msg fk-err'>{head}</div><div class='fk-scroll tall' tabindex='0' "
                "role='region' aria-label='Problems found'><table class='fk-tbl fk-problems'>"
                "<thead><tr><th>Row</th><th>Column</th>"
                f"<th>Value</th><th>Problem</th></tr></thead><tbody>{body}</tbody></table></div>")
    text = str(e)
    problems = getattr(e, "problems", None) if isinstance(e, FocuskitError) else None
    if problems:
        head = text.splitlines()[0]
        items = "".join(f"<li>{escape(p)}</li>" for p in problems)
        return f"<div class='fk-msg fk-err'>{escape(head)}<ul>{items}</ul></div>"
    return f"<div class='fk-msg fk-err'>{escape(text)}</div>"


def wave_note(r: dict) -> str:
    """' · wave 2' after a later wave's title; nothing for a first wave."""
    return f" · wave {r['wave']}" if r.get("wave", 1) > 1 else ""


def table_html(rows: list[dict]) -> str:
    if not rows:
        return ""  # the view says so under the (hidden) picker
    body = "".join(
        f"<tr><td><b>{escape(r['id'])}</b><span class='sub'>{escape(r['title'])}"
        f"{wave_note(r)}</span>"
        f"</td><td><span class='fk-badge {r['status']}'>{r['status']}</span></td>"
        f"<td class='wide'>{escape(r['instrument'])}</td><td class='wide'>{escape(r['groups'])}"
        f"</td><td class='n'>{r['submissions']}</td></tr>" for r in rows)
    return ("<div class='fk-scroll tall' tabindex='0' role='region' aria-label='Campaigns'>"
            "<table class='fk-tbl fk-camps'><thead><tr>"
            "<th>Campaign</th><th>Status</th><th class='wide'>Questionnaire</th>"
            "<th class='wide'>Rater groups</th><th class='n'>Answers</th></tr></thead>"
            f"<tbody>{body}</tbody></table></div>")


def uploaded(widget) -> tuple[str, bytes] | None:
    """(name, bytes) of the file in a FileUpload (ipywidgets 8 value), or None."""
    if not widget.value:
        return None
    f = widget.value[0]
    return f["name"], bytes(f["content"])


def link_widgets(rows, base: str, csv_data: bytes, campaign: str) -> list:
    """A campaign's links (``AdminState.links`` rows) as the page shows them: a box per link to
    click and copy, with its join code, then all of them tab-separated and as a CSV download."""
    boxes = []
    for r in rows[:SHOWN_LINKS]:
        text = w.Text(value=r.url, layout=w.Layout(width="100%"))
        text.add_class("fk-link")
        label = escape(r.group) + (f" · {escape(r.segment)}" if r.segment else "")
        if r.join:  # what a person can type instead: the door's /j/ and the code
            short = join_url(base, r.join)
            label += (f" · join code <b class='fk-join-code'>{escape(r.join)}</b> "
                      f"(<a href='{escape(short)}' target='_blank' rel='noopener'>"
                      f"{escape(short.split('://', 1)[-1])}</a>)")
        boxes.append(field(label, text, grow=1))
    all_text = w.Textarea(value="\n".join(f"{r.group}\t{r.segment or ''}\t{r.url}"
                                          + (f"\t{r.join}" if r.join else "") for r in rows),
                          layout=w.Layout(width="100%", height=f"{min(len(rows), 8) * 17 + 20}px"))
    all_text.add_class("fk-all-links")
    more = len(rows) - len(boxes)
    if more > 0:
        boxes.append(html(f"<p class='fk-note'>… and {more} more in the box below.</p>"))
    csv_link = html(data_link(csv_data, f"{campaign}-links.csv", MIME["csv"],
                              "Download all links (CSV)"))
    return [*boxes, field("All links (tab-separated, paste into a spreadsheet)", all_text),
            csv_link]
