"""The "focuskit" Voila template both doors render their pages with: Voila's "lab" template
without its CDN stylesheets, with the staff key taken out of the address bar and a notice for a
page closed after a long pause."""

from __future__ import annotations

from pathlib import Path

__all__ = ["VOILA_TEMPLATE", "write_template"]

#: Voila's "lab" template without the two Font Awesome stylesheets it fetches from
#: cdn.jsdelivr.net (Voila bundles Font Awesome anyway): they told a third party about every
#: respondent, and as render-blocking styles they hold the page up on a slow phone network
#: or a server without internet access.
_CDN_CSS = ('<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/@fortawesome/'
            'fontawesome-free@^5/css/{}.min.css" type="text/css" />')
VOILA_TEMPLATE = (
    "{%- extends 'lab/index.html.j2' -%}\n"
    "{%- block notebook_css -%}\n{%- set css = super() -%}\n"
    "{{ css | replace('" + _CDN_CSS.format("all") + "', '') | replace('"
    + _CDN_CSS.format("v4-shims") + "', '') }}\n{%- endblock notebook_css -%}\n"
    # The staff key leaves the address bar once the page has its cookie: a projected or
    # shared screen, a screenshot or a bookmark must not carry it.
    "{%- block footer_js -%}\n{{ super() }}\n<script>(function () {\n"
    "  var u = new URL(window.location.href);\n"
    "  if (u.searchParams.has('token')) {\n"
    "    u.searchParams.delete('token');\n"
    "    window.history.replaceState(window.history.state, '', u.toString());\n"
    "  }\n})();</script>\n{%- endblock footer_js -%}\n"
    # Before Voila's own scripts: when the server closes an idle page's kernel socket (close
    # code 4001, voila_main.IDLE_CLOSE_CODE), say so instead of leaving a page that no longer
    # answers. The answers are in the draft; a reload resumes from there.
    "{%- block html_head_js -%}\n{{ super() }}\n<style>" + "{{ focuskit_css }}" + "</style>"
    "<script>(function () {\n"
    "  var Native = window.WebSocket;\n"
    "  function Watched(url, protocols) {\n"
    "    var ws = protocols === undefined ? new Native(url) : new Native(url, protocols);\n"
    "    ws.addEventListener('close', function (e) {\n"
    "      if (e.code !== 4001 || document.getElementById('focuskit-closed')) { return; }\n"
    "      var box = document.createElement('div');\n"
    "      box.id = 'focuskit-closed'; box.setAttribute('role', 'alert');\n"
    "      box.innerHTML = '<p>This page was closed after a long pause, to free the server. '\n"
    "        + 'Your answers are kept.</p><button type=\"button\">Reload to go on</button>';\n"
    "      box.querySelector('button').onclick = function () { window.location.reload(); };\n"
    "      document.body.appendChild(box);\n"
    "    });\n"
    "    return ws;\n"
    "  }\n"
    "  Watched.prototype = Native.prototype;\n"
    "  ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED'].forEach(function (k) { Watched[k] = Native[k]; });\n"
    "  window.WebSocket = Watched;\n"
    "})();</script>\n{%- endblock html_head_js -%}\n")


def write_template(root: Path) -> None:
    """The "focuskit" Voila template under ``root`` (a Jupyter data directory)."""
    folder = root / "voila" / "templates" / "focuskit"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "conf.json").write_text('{"base_template": "lab"}\n', encoding="utf-8")
    css = (Path(__file__).with_name("closed_page.css")).read_text(encoding="utf-8")
    (folder / "index.html.j2").write_text(VOILA_TEMPLATE.replace("{{ focuskit_css }}", css),
                                          encoding="utf-8")
