"""The staff door's landing page: the pages the visitor's role may open, the campaigns in the
store and the item banks. A viewer sees aggregates only: no draft counts, and the counts the
dashboard shows (the people its figures are about), never raw ones."""

from __future__ import annotations

from html import escape

from ..instruments import builtin_ids, load_instrument
from ..store import Store
from .roles import ADMIN, pages_for, staff

__all__ = ["overview", "overview_html"]

_CSS = """
<style>
.fk-page{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2933;
  max-width:1100px;line-height:1.45}
.fk-page h1{font-size:1.6rem;margin:.2em 0}.fk-page h2{font-size:1.2rem;margin:1.2em 0 .4em}
.fk-lead{color:#52606d;margin:0 0 1em}
.fk-cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:12px}
.fk-card{border:1px solid #d9e2ec;border-radius:8px;padding:12px 14px;background:#fff}
.fk-card h3{font-size:1.02rem;margin:0 0 .3em;overflow-wrap:anywhere}
.fk-meta{color:#52606d;font-size:.88rem;overflow-wrap:anywhere}
.fk-badge{display:inline-block;border-radius:10px;padding:0 8px;font-size:.8rem;
  background:#e3f8ff;color:#035388;margin-right:6px}
.fk-badge.closed{background:#f0f4f8;color:#52606d}.fk-badge.draft{background:#fffbea;color:#8d2b0b}
a.fk-go{display:block;text-decoration:none;color:inherit}a.fk-go:hover{border-color:#1d4ed8}
a.fk-go h3{color:#1d4ed8}
.fk-page ul.fk-groups{margin:.5em 0 0;padding:0;list-style:none;display:flex;flex-wrap:wrap;gap:6px}
.fk-page ul.fk-groups li{list-style:none;margin:0;background:#f0f4f8;border-radius:6px;
  padding:2px 8px;font-size:.85rem}
</style>
"""


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _released(store: Store, campaign: str) -> dict:
    """Counts for a viewer: the people the figures are about, under the same decision as the
    dashboard (a raw count beside the dashboard's total would give away the size of a
    withheld group, or of the answers withheld after an erasure)."""
    from ..analysis.anonymity import respondents

    frame = store.responses(campaign)
    if frame.empty:
        return {"submissions": 0, "groups": {}}
    counts = respondents(frame, by="rater_group")
    per = counts.iloc[1:]
    return {"submissions": int(counts["n"].iloc[0]) if not counts["suppressed"].iloc[0] else 0,
            "groups": {r.rater_group: int(r.n) for r in per.itertuples() if not r.suppressed}}


def overview_html(store: Store, role: str | None = ADMIN, name: str = "") -> str:
    """HTML for the pages ``role`` may open, the store's campaigns (newest first) and the
    built-in instruments."""
    if role is None:  # e.g. a page prepared before its visitor came: show nothing
        return (_CSS + '<div class="fk-page"><h1>For staff</h1><p>This page could not tell '
                "who opened it. Open your staff link again.</p></div>")
    cards = []
    for c in store.campaigns():
        n = store.counts(c.id) if role == ADMIN else _released(store, c.id)
        shown = n["groups"].items()
        groups = "".join(f"<li>{escape(g)} {k}</li>" for g, k in sorted(shown))
        drafts = f", {_count(n['drafts'], 'draft')}" if role == ADMIN else ""
        cards.append(
            f'<div class="fk-card"><h3>{escape(c.title)}</h3>'
            f'<div class="fk-meta"><span class="fk-badge {escape(c.status)}">{escape(c.status)}'
            f"</span>{escape(c.instrument.title)} · v{escape(c.instrument.version)}</div>"
            f'<div class="fk-meta">{escape(c.organisation) or "&nbsp;"} · id <code>{escape(c.id)}'
            f"</code> · {_count(n['submissions'], 'response')}{drafts}</div>"
            f'<ul class="fk-groups">{groups}</ul></div>')
    if not cards:
        cards.append('<div class="fk-card">No campaigns yet. Run <code>focuskit demo</code> '
                     "to load the demo organisation.</div>")
    banks = []
    for iid in builtin_ids():
        inst = load_instrument(iid)
        banks.append(
            f'<div class="fk-card"><h3>{escape(inst.title)}</h3>'
            f'<div class="fk-meta"><code>{escape(iid)}</code> · {len(inst.items)} items · '
            f"about {inst.minutes} min · for {escape(', '.join(inst.audiences))}</div>"
            f'<p class="fk-meta">{escape(inst.description)}</p></div>')
    # Links relative to this page, so that they work behind any base URL.
    pages = "".join(f'<a class="fk-card fk-go" href="{href}"><h3>{escape(title)} &rarr;</h3>'
                    f'<div class="fk-meta">{escape(text)}</div></a>'
                    for href, title, text in pages_for(role))
    who = (f'<p class="fk-meta fk-role">Signed in as <b>{escape(name)}</b> ({escape(role)}): '
           + ("every page below is open to you." if role == ADMIN else "dashboards and "
              "reports; campaigns, raw answers and erasure are for admins.") + "</p>"
           if name else "")
    return (_CSS + '<div class="fk-page"><h1>focuskit</h1>'
            '<p class="fk-lead">How customer-focused is the organisation, really? '
            "Campaigns in this store, and the questionnaires they can ask.</p>" + who +
            f'<div class="fk-cards">{pages}</div>'
            f'<h2>Campaigns</h2><div class="fk-cards">{"".join(cards)}</div>'
            f'<h2>Item banks</h2><div class="fk-cards">{"".join(banks)}</div></div>')


def overview(url: str | None = None):
    """The overview as a widget (the default store unless ``url`` is given).

    A widget, not IPython's HTML output: JupyterLab's renderer, which Voila uses for outputs,
    rewrites relative links into file downloads, and the links to the staff pages would break.
    """
    import ipywidgets as widgets

    who = staff()
    with Store(url) as store:
        return widgets.HTML(overview_html(store, who.role,
                                          "" if who.name == "local" else who.name))
