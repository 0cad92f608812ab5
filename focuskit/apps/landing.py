"""The staff door's landing page: the pages the visitor's role may open, the campaigns in the
store and the item banks. A viewer sees aggregates only: no draft counts, and the counts the
dashboard shows (the people its figures are about), never raw ones."""

from __future__ import annotations

from html import escape

from ..instruments import builtin_ids, load_instrument
from ..store import Store
from ..ui.style import style_tag
from .roles import ADMIN, pages_for, staff

__all__ = ["landing", "landing_html"]


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


def _programme_card(store: Store, p) -> str:
    """A link to a programme's page: its title, organisation, and how many lenses and waves
    it holds (no counts of people: those are the page's, as released)."""
    from urllib.parse import urlencode

    camps = [store.campaign(c) for c in p.campaigns]
    lenses = len({c.instrument.id for c in camps})
    waves = max((c.wave for c in camps), default=0)
    href = "programme.ipynb?" + urlencode({"programme": p.id})
    return (f'<a class="fk-card fk-go fk-prog-link" href="{escape(href)}"><h3>{escape(p.title)} '
            f'&rarr;</h3><div class="fk-meta">{escape(p.organisation) or "&nbsp;"} · '
            f"{lenses} lens{'' if lenses == 1 else 'es'} · {_count(waves, 'wave')}</div></a>")


def landing_html(store: Store, role: str | None = ADMIN, name: str = "") -> str:
    """HTML for the pages ``role`` may open, the store's campaigns (newest first) and the
    built-in instruments."""
    if role is None:  # e.g. a page prepared before its visitor came: show nothing
        return (style_tag("focuskit.apps", "landing.css") + '<div class="fk-page"><h1>For '
                'staff</h1><p>This page could not tell '
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
    programmes = "".join(_programme_card(store, p) for p in store.programmes())
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
    return (style_tag("focuskit.apps", "landing.css") + '<div class="fk-page"><h1>focuskit</h1>'
            '<p class="fk-lead">How customer-focused is the organisation, really? '
            "Campaigns in this store, and the questionnaires they can ask.</p>" + who +
            f'<div class="fk-cards">{pages}</div>'
            + (f'<h2>Programmes</h2><div class="fk-cards">{programmes}</div>'
               if programmes else "") +
            f'<h2>Campaigns</h2><div class="fk-cards">{"".join(cards)}</div>'
            f'<h2>Item banks</h2><div class="fk-cards">{"".join(banks)}</div></div>')


def landing(url: str | None = None):
    """The landing page as a widget (the default store unless ``url`` is given).

    A widget, not IPython's HTML output: JupyterLab's renderer, which Voila uses for outputs,
    rewrites relative links into file downloads, and the links to the staff pages would break.
    """
    import ipywidgets as widgets

    who = staff()
    with Store(url) as store:
        return widgets.HTML(landing_html(store, who.role,
                                          "" if who.name == "local" else who.name))
