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
from ...ui import parts as ui

#: Inputs whose ipywidgets <label> names them (a checkbox or button shows its own words).
NAMED = (w.Text, w.Textarea, w.Dropdown, w.IntText, w.BoundedIntText, w.RadioButtons,
         w.SelectMultiple, w.Select, w.Combobox)


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


def table_html(rows: list[dict]) -> str:
    if not rows:
        return ""  # the view says so under the (hidden) picker
    body = "".join(
        f"<tr><td><b>{escape(r['id'])}</b><span class='sub'>{escape(r['title'])}</span>"
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
