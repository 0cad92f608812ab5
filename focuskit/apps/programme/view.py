"""The programme page's ipywidgets view: a thin layer over ``ProgrammeState``.

First the lens cards (one per instrument, each with its headline, a link to its campaign's
dashboard, or an offer to create the campaign), with how fresh the answers are; then, once
computed, what changed since the last wave and the action register with its "did it work"
lines. Every sentence is a finding from ``findings.programme``; statistics sit under
"details", on request.
"""

from __future__ import annotations

import os
from html import escape
from urllib.parse import parse_qs

import ipywidgets as w

from ...config import kernel_log
from ...errors import StoreError
from ...ui import parts as ui
from ...ui.actions import ActionRegister, ActionRegisterView
from ...ui.style import style_tag
from ..roles import staff
from .state import ProgrammeState

log = kernel_log("focuskit.programme")

__all__ = ["Programme", "finding_html"]

#: Findings under a lens's headline before "More"
SHOWN = 2


def finding_html(f, *, tag: str = "li") -> str:
    """A finding's sentence, its statistics on request."""
    more = (f" <details><summary>details</summary>{escape(f.details)}</details>"
            if f.details else "")
    return f"<{tag} class='fk-f fk-f-{escape(f.kind)}'>{escape(f.sentence)}{more}</{tag}>"


class Programme:
    """The programme page; display ``.widget`` (or the object itself) in a notebook.

    ``editable``/``actor``: whether the visitor may change the action register, and their
    name for the audit log (default: from their staff role, ``apps.roles.staff``)."""

    def __init__(self, state: ProgrammeState, *, editable: bool | None = None,
                 actor: str | None = None):
        self.state = state
        who = staff()
        self.admin = who.admin if editable is None else bool(editable)
        self.actor = actor or who.name
        self.register: ActionRegister | None = None
        self.register_view: ActionRegisterView | None = None
        self.note = ui.html(cls="fk-prog")
        if state.programme_id is None:
            self.widget = ui.html(style_tag(__package__) + "<div class='fk-prog'><h1>Programme"
                                  "</h1><p>No programme yet. Run <code>focuskit demo</code>, or "
                                  "make one with <code>focuskit programme new</code>.</p></div>",
                                  cls="fk-prog")
            return
        self.tab_name = w.Output(layout=w.Layout(display="none"))  # the browser tab's title
        self.title = ui.html(cls="fk-prog")
        self.fresh = ui.html(cls="fk-prog")
        self.refresh_button = w.Button(description="Refresh", icon="refresh",
                                       tooltip="Read the newest answers and actions",
                                       layout=w.Layout(width="auto", margin="0 0 0 8px"))
        self.refresh_button.add_class("fk-refresh")
        self.refresh_button.on_click(lambda _b: self.refresh())
        self.freshbar = w.Box([self.fresh, self.refresh_button],
                              layout=w.Layout(flex_flow="row wrap", align_items="center"))
        progs = [(p.title, p.id) for p in state.programmes]
        self.picker = w.Dropdown(options=progs, value=state.programme_id,
                                 description="Programme",
                                 layout=w.Layout(width="auto", max_width="100%",
                                                 display=None if len(progs) > 1 else "none"))
        self.picker.style.description_width = "initial"
        self.picker.observe(lambda c: c["new"] in (None, state.programme_id)
                            or state.pick(c["new"]), "value")
        self.cards = ui.html(cls="fk-prog", width="100%")
        self.changed = w.VBox(layout=w.Layout(width="100%"))
        self.changed.add_class("fk-prog-changed")
        self.actions = w.VBox(layout=w.Layout(width="100%"))
        self.actions.add_class("fk-prog-actions")
        self.widget = w.VBox([ui.html(style_tag(__package__)), self.tab_name, self.title,
                              self.note, self.picker, self.freshbar, self.cards, self.changed,
                              self.actions],
                             layout=w.Layout(width="100%", max_width="1100px"))
        self.widget.add_class("fk-prog")
        self._shown = None
        state.observe(self._show, ["programme_id", "version", "stage", "acts"])
        self._show()

    # -- Voila -----------------------------------------------------------------------------
    def _ipython_display_(self):
        from IPython.display import display

        from ...serving.kernel_query import query_string

        prepared = os.environ.get("VOILA_PREHEAT", "False") != "False"
        if prepared and self.state.summary is not None:  # nobody waits yet: the slow part too
            self.complete()
            log.info("programme prepared (%s); waiting for its visitor", self.state.programme_id)
        query = query_string()
        who = staff()  # known once the visitor's request has come
        self.admin, self.actor = who.admin, who.name
        wanted = (parse_qs(query or "").get("programme") or [None])[0]
        if self.state.programme_id is not None or wanted:
            self.visit(wanted)
        log.info("visitor arrived; the programme page shows %s", self.state.programme_id)
        display(self.widget)
        if self.state.programme_id is not None and not self.state.is_complete():
            self._after_the_cell(self._complete_after)

    def _complete_after(self) -> None:
        self.complete()
        log.info("the programme page shows what changed (%s)", self.state.stage)

    def visit(self, wanted: str | None) -> None:
        """Show ``wanted`` (from the page's link) or read the store again."""
        self.note.value = ""
        if wanted and wanted != self.state.programme_id:
            try:
                self.state.pick(wanted)
            except StoreError:
                self.note.value = (f"<p class='fk-note'>There is no programme "
                                   f"\u201c{escape(wanted[:80])}\u201d; here is "
                                   f"\u201c{escape(self.state.programme.title)}\u201d.</p>"
                                   if self.state.programme is not None else "")
                self.state.refresh()
        else:
            self.state.refresh()
        self._show(force=True)

    @staticmethod
    def _after_the_cell(job) -> None:
        """Run ``job`` once this cell is done (the page fetches its widgets first); at once
        outside a running kernel loop."""
        import asyncio

        try:
            asyncio.get_running_loop().call_later(0.2, job)
        except RuntimeError:
            job()

    # -- actions ---------------------------------------------------------------------------
    def refresh(self) -> bool:
        changed = self.state.refresh()
        if changed and not self.state.is_complete():
            self._after_the_cell(self.complete)
        self.fresh.value = self._fresh_html()
        return changed

    def complete(self) -> None:
        """Compute what changed and the actions' effects, then draw them."""
        try:
            self.state.complete()  # drawn by _show
        except Exception as e:  # noqa: BLE001 - the cards stay; say what failed
            log.exception("the programme's trend failed")
            self.changed.children = [ui.html(
                f"<p class='fk-note'>What changed could not be worked out "
                f"({escape(str(e)[:200])}). Press Refresh to try again.</p>", cls="fk-prog")]

    # -- drawing ---------------------------------------------------------------------------
    def _show(self, _change=None, force: bool = False) -> None:
        """Draw what the state holds: the cards for a new summary, the register anew for a
        new programme or visitor, what changed once complete."""
        s = self.state
        now = (s.programme_id, s.version, s.stage, s.acts, self.admin)
        before, self._shown = self._shown, now
        if (before == now and not force) or s.programme_id is None:
            return
        if force or before is None or before[:2] != now[:2]:
            self._draw_cards()
        if force or before is None or before[0] != now[0] or before[4] != now[4] \
                or self.register is None:
            self._draw_register()
        elif before[1] != now[1] or before[3] != now[3]:
            self.register.reload()
        if s.stage == "complete":
            if force or before is None or before[1:3] != now[1:3]:
                self._draw_changed()
            self.register.effects = s.effects()
        else:
            self.changed.children = [ui.html(
                "<h2>What changed since the last wave</h2><p class='fk-note'>Working out what "
                "changed and whether the actions worked…</p>", cls="fk-prog")]

    def _draw_cards(self) -> None:
        s = self.state
        p = s.programme
        ui.tab_title(self.tab_name, f"Programme: {p.title}")
        waves = max((len(x.waves) for x in s.lenses), default=0)
        have = sum(1 for x in s.lenses if not x.missing)
        self.title.value = (f"<h1>Programme: {escape(p.title)}</h1><p class='fk-lead'>"
                            f"{escape(p.organisation)} · {have} of {len(s.lenses)} lenses "
                            f"with a campaign · {waves} wave{'' if waves == 1 else 's'}</p>")
        if self.picker.value != s.programme_id:
            self.picker.value = s.programme_id
        self.fresh.value = self._fresh_html()
        self.cards.value = ("<h2>Where we stand</h2><div class='fk-lenses fk-standing'>"
                            + "".join(self._lens_html(x) for x in s.lenses) + "</div>")

    def _fresh_html(self) -> str:
        text = self.state.summary.freshness if self.state.summary else ""
        return f"<p class='fk-fresh'>{escape(text[:1].upper() + text[1:])}</p>"

    def _lens_html(self, lens) -> str:
        s = self.state
        head = f"<h3>{escape(lens.title)}</h3><p class='fk-q'>{escape(lens.question)}</p>"
        if lens.missing:
            offer = ("<a class='fk-go' href='admin.ipynb'>Create one on the admin page "
                     "&rarr;</a>" if self.admin else
                     "<span class='fk-note'>Ask an admin to create one.</span>")
            return (f"<div class='fk-lens missing fk-lens-{escape(lens.instrument)}'>{head}"
                    f"<p class='fk-none'>No campaign yet.</p>"
                    f"<p class='fk-note'>{escape(lens.findings[0].sentence)}</p>{offer}</div>")
        found = lens.findings
        first, rest = (found[0], found[1:]) if found else (None, [])
        top = finding_html(first, tag="div").replace("class='fk-f ", "class='fk-head fk-f ", 1) \
            if first else ""
        listed = "".join(finding_html(f) for f in rest[:SHOWN])
        more = ("<details class='fk-more'><summary>"
                f"{len(rest) - SHOWN} more</summary><ul>"
                + "".join(finding_html(f) for f in rest[SHOWN:]) + "</ul></details>"
                if len(rest) > SHOWN else "")
        wave = (f" · wave {lens.waves.index(lens.read_from) + 1} of {len(lens.waves)}"
                if len(lens.waves) > 1 and lens.read_from in lens.waves else "")
        fresh = lens.freshness[:1].upper() + lens.freshness[1:]
        link = (f"<a class='fk-go' href='{escape(s.dashboard_href(lens.read_from))}'>Open its "
                f"dashboard &rarr;</a>")
        return (f"<div class='fk-lens fk-lens-{escape(lens.instrument)}'>{head}{top}"
                f"<ul class='fk-list'>{listed}</ul>{more}"
                f"<p class='fk-meta'>{escape(fresh)}{escape(wave)}</p>{link}</div>")

    def _draw_changed(self) -> None:
        """A card per lens with its changes (the count first, the clear changes next), and
        one lens's "then and now" plot, picked from a list."""
        s = self.state
        by_lens = s.summary.trend_by_lens
        head = ui.html("<h2>What changed since the last wave</h2>", cls="fk-prog")
        if not by_lens:
            more = (" Create the next wave of a campaign on the admin page when it is time to "
                    "ask again." if self.admin else "")
            self.changed.children = [head, ui.html(
                "<p class='fk-note'>Each lens has one wave so far, so there is nothing to "
                "compare yet." + more + "</p>", cls="fk-prog")]
            return
        cards = []
        for lens in s.lenses:
            found = by_lens.get(lens.instrument)
            if found is None:
                continue
            first = [f for f in found if f.kind == "trend-summary"] or found[:1]
            rest = [f for f in found if f not in first]
            top = finding_html(first[0], tag="div").replace("class='fk-f ",
                                                            "class='fk-head fk-f ", 1)
            listed = "".join(finding_html(f) for f in rest[:SHOWN])
            more = ("<details class='fk-more'><summary>"
                    f"{len(rest) - SHOWN} more</summary><ul>"
                    + "".join(finding_html(f) for f in rest[SHOWN:]) + "</ul></details>"
                    if len(rest) > SHOWN else "")
            cards.append(f"<div class='fk-lens fk-trend-{escape(lens.instrument)}'><h3>"
                         f"{escape(lens.title)}</h3>{top}<ul class='fk-list'>{listed}</ul>"
                         f"{more}</div>")
        grid = ui.html(f"<div class='fk-lenses'>{''.join(cards)}</div>", cls="fk-prog",
                       width="100%")
        drawn = [x for x in s.lenses if x.instrument in s.summary.trends]
        parts = [head, grid]
        if drawn:
            self.chart_pick = w.Dropdown(options=[(x.title, x.instrument) for x in drawn],
                                         value=drawn[0].instrument,
                                         description="Then and now",
                                         layout=w.Layout(width="auto", max_width="min(520px, "
                                                         "100%)"))
            self.chart_pick.style.description_width = "initial"
            self.chart_pick.add_class("fk-chart-pick")
            self.chart = w.Box(layout=w.Layout(width="100%"))
            self.chart_pick.observe(lambda c: self._draw_chart(c["new"]), "value")
            self._draw_chart(drawn[0].instrument)
            parts += [self.chart_pick, self.chart]
        self.changed.children = parts

    def _draw_chart(self, instrument: str) -> None:
        """The lens's "then and now" profile, its first finding as the alt text."""
        s = self.state
        try:
            ax = s.trend_plot(instrument)
        except ValueError as e:  # nothing released to draw
            self.chart.children = [ui.html(f"<p class='fk-note'>No chart: {escape(str(e))}"
                                           "</p>", cls="fk-prog")]
            return
        if ax is None:
            self.chart.children = []
            return
        found = [f for f in s.summary.trend_by_lens.get(instrument, []) if f.kind == "trend"]
        self.chart.children = [ui.plot_box(ax, alt=found[0].sentence if found else None)]

    def _draw_register(self) -> None:
        s = self.state
        self.register = ActionRegister(s.store, programme=s.programme_id, editable=self.admin,
                                       actor=self.actor, today=lambda: s.today)
        if s.stage == "complete":
            self.register.effects = s.effects()
        first = next((x.campaign for x in s.lenses if not x.missing), None)
        self.register_view = ActionRegisterView(self.register, heading="Actions",
                                                campaign_words=s.campaign_words,
                                                campaign=first)
        # A change made here: the effects are read again (the answers, unchanged, are kept).
        self.register.observe(lambda _c: self.state.refresh(), "changes")
        self.actions.children = [self.register_view.widget]
