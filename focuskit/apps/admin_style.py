"""Look and small building blocks of the staff page: cards, labelled fields, messages, tables.

Messages are built here from focuskit's errors: the headline of the error, then every problem
it carries (an import's (row, column, value, reason) as a table), so nothing is hidden.
"""

from __future__ import annotations

from html import escape

import ipywidgets as w

from ..errors import FocuskitError, ImportFileError

CSS = """
<style>
.fk-admin{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2933;
  line-height:1.45;box-sizing:border-box}
.fk-admin h1{font-size:1.5rem;margin:.2em 0}.fk-lead{color:#52606d;margin:0 0 .6em}
.fk-sec{border:1px solid #d9e2ec;border-radius:8px;padding:10px 14px 12px;margin:0 0 14px;
  background:#fff;box-sizing:border-box}
.fk-sec h2{font-size:1.15rem;margin:.1em 0 .1em}.fk-sec .fk-hint{color:#52606d;margin:0 0 .5em}
.fk-field{min-width:0}
.fk-sec>.widget-html,.fk-sec>.widget-box,.fk-sec .widget-html{min-width:0;max-width:100%}
.fk-field>.fk-lab{font-size:.86rem;color:#334e68;font-weight:600}
.fk-admin p,.fk-admin li,.fk-admin .widget-html-content{line-height:1.4}
.fk-row{gap:4px 16px;align-items:flex-end}
.fk-admin .widget-text,.fk-admin .widget-textarea,.fk-admin .widget-dropdown{margin:2px 0}
.fk-admin .widget-checkbox{min-width:0}
.fk-admin .widget-radio-box label{white-space:normal}
.fk-msg{padding:6px 10px;border-radius:6px;margin:.4em 0;overflow-wrap:anywhere}
.fk-ok{background:#e3f9e5;border-left:4px solid #3ebd93;color:#014d40}
.fk-same{background:#e3f8ff;border-left:4px solid #2680c2;color:#035388}
.fk-err{background:#ffe3e3;border-left:4px solid #e12d39;color:#610316}
.fk-err ul{margin:.3em 0 0;padding-left:1.2em}
.fk-note{color:#52606d;margin:.2em 0}.fk-status{margin:.2em 0}
.fk-scroll{overflow-x:auto;max-width:100%}.fk-scroll.tall{max-height:320px;overflow-y:auto}
.fk-tbl{border-collapse:collapse;font-size:.88rem;width:100%}
.fk-tbl th,.fk-tbl td{border-bottom:1px solid #e4e7eb;padding:4px 8px;text-align:left;
  vertical-align:top}
.fk-tbl th{background:#f5f7fa;color:#334e68;position:sticky;top:0}
.fk-tbl td.n,.fk-tbl th.n{text-align:right}
.fk-tbl .sub{display:block;color:#52606d;font-size:.8rem;line-height:1.2}
.fk-camps td{padding:3px 8px}.fk-scroll.tall{margin-bottom:8px}
.fk-badge{display:inline-block;border-radius:10px;padding:0 8px;font-size:.8rem;
  background:#e3f9e5;color:#014d40}
.fk-badge.closed{background:#f0f4f8;color:#52606d}.fk-badge.draft{background:#fffbea;color:#8d2b0b}
.fk-dl{display:inline-block;border:1px solid #2680c2;border-radius:6px;padding:4px 12px;
  margin:4px 8px 6px 0;color:#035388;text-decoration:none;background:#e3f8ff}
.fk-admin .widget-upload{width:auto;max-width:100%}
.fk-admin .fk-link input{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.82rem}
.fk-admin .fk-all-links textarea{font-family:ui-monospace,Menlo,Consolas,monospace;
  font-size:.8rem;white-space:pre;overflow-wrap:normal;tab-size:12}
@media (max-width:600px){.fk-sec{padding:8px 10px}.fk-admin h1{font-size:1.3rem}
  .fk-tbl .wide{display:none}.fk-tbl{font-size:.8rem}
  .fk-tbl th,.fk-tbl td{padding:3px 5px}.fk-problems td{overflow-wrap:anywhere}}
</style>
"""


def html(value: str = "", cls: str | None = None) -> w.HTML:
    h = w.HTML(value, layout=w.Layout(width="100%", max_width="100%"))
    if cls:
        h.add_class(cls)
    return h


def field(label: str, widget, grow: int = 1) -> w.VBox:
    """A label above its input; in a row, ``grow`` shares the width (0: as narrow as it is)."""
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
        return (f"<div class='fk-msg fk-err'>{head}</div><div class='fk-scroll tall'>"
                "<table class='fk-tbl fk-problems'><thead><tr><th>Row</th><th>Column</th>"
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
    return ("<div class='fk-scroll tall'><table class='fk-tbl fk-camps'><thead><tr>"
            "<th>Campaign</th><th>Status</th><th class='wide'>Questionnaire</th>"
            "<th class='wide'>Rater groups</th><th class='n'>Answers</th></tr></thead>"
            f"<tbody>{body}</tbody></table></div>")


def uploaded(widget) -> tuple[str, bytes] | None:
    """(name, bytes) of the file in a FileUpload (ipywidgets 8 value), or None."""
    if not widget.value:
        return None
    f = widget.value[0]
    return f["name"], bytes(f["content"])
