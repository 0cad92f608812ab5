"""The dashboard's ipywidgets view: a thin layer over ``DashboardState``.

Tabs are a wrapping row of buttons rather than ``ipywidgets.Tab``, so that all nine stay
reachable on a 390 px phone without sideways scrolling. A tab draws its plots the first
time it is opened; a filter change redraws the open tab and forgets the others.
"""

from __future__ import annotations

import logging
from html import escape

import ipywidgets as w

from ...ui import parts as ui
from ...ui.downloads import MIME, data_link, pdf_maker
from ...ui.style import style_tag
from ..roles import staff
from .state import ALL, DashboardState
from .tabs import TABS, WHAT, not_applicable

log = logging.getLogger("focuskit.dashboard")




class Dashboard:
    """The executive dashboard; display ``.widget`` (or the object itself) in a notebook."""

    def __init__(self, state: DashboardState):
        self.state = state
        self.current = None
        self.rendered: dict[str, list] = {}
        self.redraws = 0
        if state.campaign_id is None:
            self.widget = ui.html(style_tag(__package__) + "<div class='fk-card'>No campaigns "
                                  "yet. Run <code>focuskit demo</code> to load the demo "
                                  "organisation.</div>", cls="fk-dash")
            return
        camps = [(f"{c.title} ({c.id})", c.id) for c in state.campaigns]
        box = dict(width="auto", max_width="100%", flex="1 1 220px")
        self.picker = w.Dropdown(options=camps, value=state.campaign_id, description="Campaign",
                                 layout=w.Layout(**{**box, "flex": "2 1 300px"}))
        self.segment = w.Dropdown(description="Segment", layout=w.Layout(**box))
        self.group = w.Dropdown(description="Rater group", layout=w.Layout(**box))
        for d in (self.picker, self.segment, self.group):
            d.style.description_width = "initial"
        self.controls = w.Box([self.picker, self.segment, self.group],
                              layout=w.Layout(flex_flow="row wrap",
                                              width="100%"))
        self.controls.add_class("fk-ctl")
        self.title = ui.html(cls="fk-dash")
        self.cards = ui.html(cls="fk-dash", width="100%")
        self.buttons = {}
        for t in TABS:
            b = w.Button(description=t.title, tooltip=t.title,
                         layout=w.Layout(width="auto", margin="2px"))
            b.add_class(f"fk-tab-{t.key}")
            b.on_click(lambda _b, key=t.key: self.select(key))
            self.buttons[t.key] = b
        self.tabbar = w.Box(list(self.buttons.values()),
                            layout=w.Layout(flex_flow="row wrap", width="100%",
                                            margin="10px 0 6px"))
        self.tabbar.add_class("fk-tabbar")
        # On a phone a plot fits the screen; this switch (shown on phones only) makes plots
        # larger, to pan inside their own frame, while the page itself never scrolls sideways.
        self.zoom = w.ToggleButton(value=False, description="Larger plots", icon="search-plus",
                                   layout=w.Layout(width="auto", margin="2px",
                                                   align_self="flex-start"))
        self.zoom.add_class("fk-zoombtn")
        self.zoom.observe(lambda c: (self.widget.add_class if c["new"]
                                     else self.widget.remove_class)("fk-zoom"), "value")
        self.panel = w.VBox(layout=w.Layout(width="100%"))
        self.panel.add_class("fk-panel")
        self.links = ui.html(cls="fk-dash")
        self.pdf = w.Button(description="Prepare the PDF report", icon="file-pdf-o",
                            layout=w.Layout(width="auto"))
        self.pdf.add_class("fk-pdf")
        self.pdf.on_click(lambda _b: self.prepare_pdf())
        self.pdf_link = ui.html(cls="fk-dash")
        self.downloads = w.VBox([ui.html("<h4>Downloads</h4>", cls="fk-dash"), self.links,
                                 w.Box([self.pdf, self.pdf_link],
                                       layout=w.Layout(flex_flow="row wrap"))])
        self.tab_name = w.Output(layout=w.Layout(display="none"))  # the browser tab's title
        self.widget = w.VBox([ui.html(style_tag(__package__)), self.tab_name, self.title,
                              self.controls,
                              self.cards, self.tabbar,
                              self.zoom, self.panel, self.downloads],
                             layout=w.Layout(width="100%", max_width="1100px"))
        self.widget.add_class("fk-dash")
        self.picker.observe(lambda c: self.pick(c["new"]), "value")
        self.segment.observe(lambda _c: self.filter(), "value")
        self.group.observe(lambda _c: self.filter(), "value")
        self._refresh(first=True)

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)
        # The page shows the first plot now; the download tables come after it, unseen.
        self.prepare_downloads()

    # -- actions ---------------------------------------------------------------------------
    def pick(self, campaign: str) -> None:
        self.state.pick(campaign)
        if self.picker.value != campaign:
            self.picker.value = campaign
        self._refresh(first=True)
        self.prepare_downloads()

    def filter(self, segment: str | None = None, rater_group: str | None = None) -> None:
        if self._quiet:
            return
        if segment is not None or rater_group is not None:
            self._quiet = True
            try:
                if segment is not None:
                    self.segment.value = segment
                if rater_group is not None:
                    self.group.value = rater_group
            finally:
                self._quiet = False
        self.state.set_filters(self.segment.value, self.group.value)
        # Other tabs are drawn again when opened; the open one is redrawn into its widgets.
        self.rendered = {k: v for k, v in self.rendered.items() if k == self.current}
        self.select(self.current, force=True)  # the plot first, then the cards
        self.cards.value = self._cards_html()

    def select(self, key: str, force: bool = False) -> None:
        self.current = key
        for k, b in self.buttons.items():
            b.button_style = "primary" if k == key else ""
            (b.remove_class if self.state.applies(k) else b.add_class)("fk-na")
        if key not in self.rendered or force:
            kept = self.rendered.get(key)
            shown = kept if kept and tuple(self.panel.children) == tuple(kept) else None
            if shown:
                # A redraw of what is on screen (a filter change) updates its widgets in
                # place: the browser swaps an image's pixels instead of building new views,
                # and the old plot stays, dimmed, until the new one comes.
                self.panel.add_class("fk-busy")
            else:
                self.panel.children = [ui.html("<p class='fk-note'>Drawing…</p>", cls="fk-dash")]
            try:
                self.rendered[key] = self._render(key, shown or ())
            finally:
                if shown:
                    self.panel.remove_class("fk-busy")
            self.redraws += 1
        if tuple(self.panel.children) != tuple(self.rendered[key]):
            self.panel.children = self.rendered[key]

    # -- drawing ---------------------------------------------------------------------------
    _quiet = False

    def _refresh(self, first: bool = False) -> None:
        s = self.state
        self._quiet = True
        try:
            self.segment.options = [ALL] + s.segments
            self.segment.value = ALL
            self.group.options = [ALL] + s.groups
            self.group.value = ALL
        finally:
            self._quiet = False
        c = s.campaign
        ui.tab_title(self.tab_name, f"Dashboard: {c.title}")
        self.title.value = (f"<h1>{escape(c.title)}</h1><p class='fk-lead'>"
                            f"{escape(c.organisation)} · asks about "
                            f"{escape(WHAT.get(s.instrument, c.instrument.title))} · groups "
                            f"under {s.k} are withheld</p>")
        self.cards.value = self._cards_html()
        for k, b in self.buttons.items():
            b.tooltip = TABS[[t.key for t in TABS].index(k)].title + (
                "" if s.applies(k) else " (not asked in this campaign)")
        self.rendered = {}
        self.links.value = ""
        self.pdf_link.value = ""
        self.pdf.disabled = pdf_maker() is None
        self.pdf.description = ("Prepare the PDF report" if not self.pdf.disabled
                                else "PDF report (not available yet)")
        self.select(s.tabs[0] if s.tabs else TABS[0].key, force=True)

    def _cards_html(self) -> str:
        cards = "".join(f"<div class='fk-card'><div class='t'>{escape(t)}</div>"
                        f"<div class='v'>{escape(v)}</div><div class='d'>{escape(d)}</div></div>"
                        for t, v, d in self.state.cards())
        return f"<div class='fk-cards'>{cards}</div>"

    def _render(self, key: str, reuse=()) -> list:
        """The tab's widgets; those in ``reuse`` (what the tab shows now) are updated in place
        where a part of the same kind sits at the same position."""
        reuse = list(reuse)

        def html(value, **layout):
            i = len(out)
            if i < len(reuse) and type(reuse[i]) is w.HTML:
                reuse[i].value = value
                return reuse[i]
            return ui.html(value, cls="fk-dash", **layout)

        out = []
        tab = next(t for t in TABS if t.key == key)
        if not self.state.applies(key):
            return [html(not_applicable(tab, self.state.instrument))]
        out.append(html(f"<p class='fk-read'>{escape(tab.read)}</p>"))
        data, hidden = self.state.restricted()
        try:
            if not len(self.state.frame):
                parts = ["<p class='fk-note'>Nobody has answered this campaign yet.</p>"]
            elif hidden:
                parts = [self.state.hidden_note("this selection")]
            else:
                parts = tab.draw(self.state)
        except ValueError as e:  # a filter that leaves nothing to compare
            if "self" in self.state.groups and "self" not in set(data["rater_group"]):
                parts = ["<p class='fk-note'>This tab looks at our own leaders' ratings (rater "
                         "group <i>self</i>), and the filters leave them out. Set Segment and "
                         "Rater group back to <i>All</i> to see it.</p>"]
            else:
                parts = [f"<p class='fk-note'>Nothing to show for this selection: "
                         f"{escape(str(e))}</p>"]
        for p in parts:
            if isinstance(p, str):
                out.append(html(p, width="100%"))
                continue
            i = len(out)
            if i < len(reuse) and "fk-plotbox" in getattr(reuse[i], "_dom_classes", ()):
                ui.update_plot(reuse[i], p)
                out.append(reuse[i])
                continue
            out.append(ui.plot_box(p))
        if out == reuse:
            return reuse  # the same widgets: nothing to send
        return out

    # -- downloads -------------------------------------------------------------------------
    def prepare_downloads(self) -> None:
        """Put the CSV and Excel links in place (run after the first plot is on screen): the
        tables behind what the dashboard shows, with the same figures withheld."""
        if self.state.campaign_id is None:
            return
        cid = self.state.campaign_id
        self.links.value = "".join(
            data_link(self.state.download(f), f"{cid}-tables.{f}", MIME[f], f"Tables ({label})")
            for f, label in (("csv", "CSV"), ("xlsx", "Excel")))

    def _log_report(self) -> None:
        # A preheated dashboard ran before its visitor came and cannot tell who it is; the
        # server's own "open" line names them.
        who = staff()
        try:
            self.state.store.log("export", self.state.campaign_id, "PDF report",
                                 actor=who.name if who.role else "dashboard visitor")
        except Exception:  # noqa: BLE001 - a log that cannot be written must not cost the report
            log.exception("audit log not written")

    def prepare_pdf(self) -> None:
        if pdf_maker() is None:
            self.pdf_link.value = ("<span class='fk-note'>The PDF report is not available in "
                                   "this installation yet.</span>")
            return
        self.pdf.disabled = True
        self.pdf_link.value = "<span class='fk-note'>Preparing the report…</span>"
        try:
            data = self.state.download("pdf")
            self._log_report()
            self.pdf_link.value = data_link(data, f"{self.state.campaign_id}.pdf", MIME["pdf"],
                                            "Download the PDF report")
        except Exception as e:  # noqa: BLE001 - a failed report must not break the page
            self.pdf_link.value = f"<span class='fk-note'>The report failed: {escape(str(e))}</span>"
        finally:
            self.pdf.disabled = False
