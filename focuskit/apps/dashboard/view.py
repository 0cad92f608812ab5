"""The dashboard's ipywidgets view: a thin layer over ``DashboardState``.

Tabs are a wrapping row of buttons rather than ``ipywidgets.Tab``, so that they stay
reachable on a 390 px phone without sideways scrolling; a campaign shows only the tabs its
instrument supports. A tab draws its plots the first time it is opened; a filter change
redraws the open tab and forgets the others. The title says how fresh the answers are, and
Refresh reads the store again. With more than one wave, the Levels tab offers the trend
(drawn when switched on); the Actions tab holds the register of every wave
(``focuskit.ui.actions``), editable by admins. What the page does not need for its first plot
(the downloads, the trend, the register) is made when asked for: the page fetches every
widget its kernel holds before it draws anything.
"""

from __future__ import annotations

import os
from html import escape

import ipywidgets as w

from ... import findings as ff
from ...config import kernel_log
from ...names import readable
from ...ui import parts as ui
from ...ui.downloads import MIME, data_link, pdf_maker
from ...ui.style import style_tag
from ..roles import staff
from .state import ALL, DashboardState
from .tabs import ALWAYS, BY_KEY, WHAT

log = kernel_log("focuskit.dashboard")




def _offer(dropdown: w.Dropdown, options: list, value) -> None:
    """Show ``options`` with ``value`` picked. New options would pick their first at once
    (ipywidgets does), so the dropdown is emptied first: its observers see None, not a pick."""
    with dropdown.hold_sync():  # the page gets the end result, never the empty dropdown
        if [tuple(o) if isinstance(o, list) else o for o in dropdown.options] != options:
            dropdown.index = None
            dropdown.options = options
        dropdown.value = value


def _discard(widget: w.Widget) -> None:
    """Close a widget gone from the page, with its layout and style: a page fetches every
    widget its kernel holds before it draws anything."""
    for part in (getattr(widget, "layout", None), getattr(widget, "style", None), widget):
        if part is not None:
            part.close()


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
        self.fresh = ui.html(cls="fk-dash")
        self.fresh.add_class("fk-fresh")
        self.refresh_button = w.Button(description="Refresh", icon="refresh",
                                       tooltip="Read the newest answers",
                                       layout=w.Layout(width="auto", margin="0 0 0 8px"))
        self.refresh_button.add_class("fk-refresh")
        self.refresh_button.on_click(lambda _b: self.refresh())
        self.freshbar = w.Box([self.fresh, self.refresh_button],
                              layout=w.Layout(flex_flow="row wrap", align_items="center"))
        self.cards = ui.html(cls="fk-dash", width="100%")
        # Tab buttons are made when a campaign first needs them, and share one layout and
        # one style: every widget the kernel holds is fetched by the page before it draws
        # the first plot, so fewer widgets and models draw it sooner.
        self.buttons: dict[str, w.Button] = {}
        self._tab_look = dict(layout=w.Layout(width="auto", margin="2px"),
                              style=w.ButtonStyle())
        self.tabbar = w.Box([], layout=w.Layout(flex_flow="row wrap", width="100%",
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
        # Downloads: one button until opened (the links hold the tables as data, ~35 KB the
        # page would otherwise fetch before its first plot); opened, the links and the PDF.
        self.links = self.pdf = self.pdf_link = None
        self._links_html: str | None = None  # made ahead, shown when the box is opened
        self.open_downloads_button = w.Button(
            description="Downloads: tables and the PDF report", icon="download",
            tooltip="The figures shown here as CSV or Excel, and the PDF report",
            layout=w.Layout(width="auto", align_self="flex-start", margin="12px 2px 4px"))
        self.open_downloads_button.add_class("fk-open-dl")
        self.open_downloads_button.on_click(lambda _b: self.open_downloads())
        self.downloads = w.VBox([self.open_downloads_button])
        self.downloads.add_class("fk-downloads")
        self._planner = None
        self._trend = None
        self._actions = None
        self.tab_name = w.Output(layout=w.Layout(display="none"))  # the browser tab's title
        self.widget = w.VBox([ui.html(style_tag(__package__)), self.tab_name, self.title,
                              self.freshbar,
                              self.controls,
                              self.cards, self.tabbar,
                              self.zoom, self.panel, self.downloads],
                             layout=w.Layout(width="100%", max_width="1100px"))
        self.widget.add_class("fk-dash")
        # A dropdown emptied while its options are replaced (value None) picks nothing.
        self.picker.observe(lambda c: c["new"] in (None, state.campaign_id)
                            or self.pick(c["new"]), "value")
        self.segment.observe(lambda c: c["new"] is None
                             or state.set_filters(c["new"], state.rater_group), "value")
        self.group.observe(lambda c: c["new"] is None
                           or state.set_filters(state.segment, c["new"]), "value")
        self._shown = None
        state.observe(self._show, ["campaign_id", "answers", "filters"])
        self._show()

    def _ipython_display_(self):
        from IPython.display import display

        # A kernel Voila prepared ahead waits here for its visitor, then reads the store
        # again: the page shows the answers as they are when it is opened, not when the
        # kernel started (the figures computed ahead are kept when nothing changed).
        from ...serving.kernel_query import query_string

        prepared = os.environ.get("VOILA_PREHEAT", "False") != "False"
        if prepared:  # the download tables too, while nobody waits
            self.prepare_downloads()
            log.info("dashboard prepared from %s answers; waiting for its visitor", len(
                self.state.frame) if self.state.campaign_id else 0)
        query = query_string()
        self.refresh(downloads=False)
        # A link from the programme page names its campaign (?campaign=ID).
        from urllib.parse import parse_qs

        wanted = (parse_qs(query or "").get("campaign") or [None])[0]
        if wanted and wanted != self.state.campaign_id and \
                wanted in {c.id for c in self.state.campaigns}:
            self.pick(wanted)
        log.info("visitor arrived; the dashboard shows %s", self.state.freshness()
                 if self.state.campaign_id else "no campaign")
        display(self.widget)

    # -- actions ---------------------------------------------------------------------------
    def refresh(self, downloads: bool = True) -> bool:
        """Read the store again; redraw what changed (nothing when no answer came). True
        when answers changed; the download links are then made again (``downloads``)."""
        if self.state.campaign_id is None:
            return False
        changed = self.state.refresh()  # redrawn by _show when answers changed
        camps = [(f"{c.title} ({c.id})", c.id) for c in self.state.campaigns]
        _offer(self.picker, camps, self.state.campaign_id)  # a campaign was added
        if changed and downloads and self.links is not None:
            self.prepare_downloads()
        self.fresh.value = self._fresh_html()
        return changed

    def pick(self, campaign: str) -> None:
        self.state.pick(campaign)  # drawn by _show
        if self.links is not None:  # the downloads are open: their links follow
            self.prepare_downloads()

    def filter(self, segment: str | None = None, rater_group: str | None = None) -> None:
        """Filter by a segment or rater group (None keeps the present one); drawn by _show."""
        s = self.state
        s.set_filters(s.segment if segment is None else segment,
                      s.rater_group if rater_group is None else rater_group)

    def _show(self, _change=None) -> None:
        """Draw what the state holds: everything for a new campaign or new answers, the open
        tab and the cards for new filters. Notifications held together (a new campaign
        resets the filters) draw once: the first finds everything in place."""
        s = self.state
        now = (s.campaign_id, s.answers, s.filters)
        before, self._shown = self._shown, now
        if before == now or s.campaign_id is None:
            return
        if before is None or before[:2] != now[:2]:  # the options follow the answers
            _offer(self.segment, [ALL] + s.segments, s.segment)
            _offer(self.group, [ALL] + s.groups, s.rater_group)
        else:
            self.segment.value, self.group.value = s.filters
        if before is None or before[0] != now[0]:
            self.picker.value = s.campaign_id
            self._refresh(first=True)
        elif before[1] != now[1]:
            key = self.current
            self._refresh(first=False)
            if key in self.tabs:
                self.select(key, force=True)
        else:
            # Other tabs are drawn again when opened; the open one is redrawn into its widgets.
            self.rendered = {k: v for k, v in self.rendered.items() if k == self.current}
            self.select(self.current, force=True)  # the plot first, then the cards
            self.cards.value = self._cards_html()

    @property
    def tabs(self) -> list[str]:
        """The tabs shown: the instrument's (``state.tabs``), then the action register."""
        return [*self.state.tabs, *ALWAYS]

    def select(self, key: str, force: bool = False) -> None:
        if key not in self.tabs:
            key = self.tabs[0]  # a tab this campaign does not have is not there
        self.current = key
        for k, b in self.buttons.items():
            b.button_style = "primary" if k == key else ""
        if key not in self.rendered or force:
            kept = self.rendered.get(key)
            shown = kept if kept and tuple(self.panel.children) == tuple(kept) else None
            if shown:
                # A redraw of what is on screen (a filter change) updates its widgets in
                # place: the browser swaps an image's pixels instead of building new views,
                # and the old plot stays, dimmed, until the new one comes.
                self.panel.add_class("fk-busy")
                drawing = None
            else:
                drawing = ui.html("<p class='fk-note'>Drawing…</p>", cls="fk-dash")
                self.panel.children = [drawing]
            try:
                self.rendered[key] = self._render(key, shown or ())
            finally:
                if shown:
                    self.panel.remove_class("fk-busy")
                if drawing is not None:  # gone from the page: not fetched by the next one
                    self.panel.children = self.rendered.get(key, ())
                    _discard(drawing)
            self.redraws += 1
        if tuple(self.panel.children) != tuple(self.rendered[key]):
            self.panel.children = self.rendered[key]

    # -- drawing ---------------------------------------------------------------------------
    def _refresh(self, first: bool = False) -> None:
        s = self.state
        c = s.campaign
        ui.tab_title(self.tab_name, f"Dashboard: {c.title}")
        self.title.value = (f"<h1>{escape(c.title)}</h1><p class='fk-lead'>"
                            f"{escape(c.organisation)} · asks about "
                            f"{escape(WHAT.get(s.instrument, c.instrument.title))} · groups "
                            f"under {s.k} are withheld</p>")
        self.fresh.value = self._fresh_html()
        self.cards.value = self._cards_html()
        # Only the tabs this campaign's instrument supports: nothing greyed, nothing to
        # click that says "not here".
        self.tabbar.children = [self._button(k) for k in self.tabs]
        self.rendered = {}
        self._links_html = None
        if self.links is not None:
            self.links.value = ""
            self.pdf_link.value = ""
        if first:
            self.select(self.tabs[0], force=True)

    def _button(self, key: str) -> w.Button:
        if key not in self.buttons:
            title = BY_KEY[key].title
            b = w.Button(description=title, tooltip=title, **self._tab_look)
            b.add_class(f"fk-tab-{key}")
            b.on_click(lambda _b: self.select(key))
            self.buttons[key] = b
        return self.buttons[key]

    def _fresh_html(self) -> str:
        text = self.state.freshness()
        return f"<p class='fk-fresh'>{escape(text[:1].upper() + text[1:])}</p>"

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
        tab = BY_KEY[key]
        out.append(html(f"<p class='fk-read'>{escape(tab.read)}</p>"))
        if key == "actions":  # the register: no figure of this selection, no filter
            return [*out, *self._actions_widgets()]
        data, hidden = self.state.restricted()
        try:
            if not len(self.state.frame):
                parts = ["<p class='fk-note'>Nobody has answered this campaign yet.</p>"]
            elif hidden:
                from .tabs import findings_html

                parts = [findings_html(self.state.findings(key))]
            else:
                parts = tab.draw(self.state)
                if key == "contact":  # the planner's inputs are widgets, kept by the view
                    parts = [*parts, *self._planner_widgets()]
                if key == "levels" and self.state.has_trend():  # drawn when asked for
                    parts = [*parts, *self._trend_widgets()]
        except ValueError as e:  # a filter that leaves nothing to compare
            from .tabs import findings_html

            parts = [findings_html([ff.left_out(self.state.results, e)])]
        alt = self._plot_sentence(key)
        for p in parts:
            if isinstance(p, str):
                out.append(html(p, width="100%"))
                continue
            i = len(out)
            if isinstance(p, w.Widget):  # the planner's inputs: kept as they are
                out.append(p)
                continue
            if i < len(reuse) and "fk-plotbox" in getattr(reuse[i], "_dom_classes", ()):
                ui.update_plot(reuse[i], p, alt)
                out.append(reuse[i])
            else:
                out.append(ui.plot_box(p, alt=alt))
            alt = None  # the tab's first finding is about its first plot
        if out == reuse:
            return reuse  # the same widgets: nothing to send
        return out

    def _plot_sentence(self, key: str) -> str | None:
        """The tab's first finding, in its plain sentence: the start of its plot's alt text
        (a screen reader hears what the plot shows, then what is drawn)."""
        try:
            found = self.state.findings(key)
        except ValueError:  # a filter that leaves nothing to compare: no finding to read
            return None
        return next((f.sentence for f in found
                     if f.kind not in ("withheld", "empty", "none", "no-base")), None)

    # -- the contact planner -----------------------------------------------------------------
    def _planner_widgets(self) -> list:
        """The planner's inputs (segment sizes, planned visits, margin, confidence) and its
        plot; a change of any input redraws the plot."""
        if self._planner is None:
            p = self.state.planner
            box = dict(layout=w.Layout(width="auto", max_width="100%"),
                       style={"description_width": "initial"})
            sizes = {seg: w.BoundedIntText(value=n, min=0, max=10**9, description=f"{seg}: "
                                           "customers", **box) for seg, n in p["sizes"].items()}
            visits = {seg: w.BoundedIntText(value=p["planned"].get(seg, 0), min=0,
                                            max=10**7, description="planned visits", **box)
                      for seg in p["sizes"]}
            margin = w.BoundedFloatText(value=p["margin"] * 100, min=0.5, max=50, step=0.5,
                                        description="Margin of error (± points)", **box)
            conf = w.Dropdown(options=[("90%", 0.90), ("95%", 0.95), ("99%", 0.99)],
                              value=p["confidence"], description="Confidence", **box)
            plot = w.Box(layout=w.Layout(width="100%"))
            note = ui.html(cls="fk-dash")
            rows = [w.Box([sizes[s], visits[s]], layout=w.Layout(flex_flow="row wrap"))
                    for s in sizes]
            inputs = w.VBox([*rows, w.Box([margin, conf], layout=w.Layout(flex_flow="row "
                                                                                   "wrap"))])
            inputs.add_class("fk-planner")

            def redraw(_change=None):
                p["sizes"] = {s: int(x.value or 0) for s, x in sizes.items()}
                p["planned"] = {s: int(x.value or 0) for s, x in visits.items()}
                p["margin"] = float(margin.value) / 100
                p["confidence"] = float(conf.value)
                from ... import plots as fp

                try:
                    plot.children = [ui.plot_box(fp.contact_planner(data=self.state.plan()))]
                    note.value = ""
                except ValueError as e:
                    plot.children = []
                    note.value = f"<p class='fk-note'>{escape(str(e))}</p>"
                self.planner_redraws += 1

            for x in [*sizes.values(), *visits.values(), margin, conf]:
                x.observe(redraw, "value")
            head = ui.html("<h4>Contact planner</h4><p class='fk-note'>Type your own "
                           "segment sizes, planned visits, margin and confidence: the plot "
                           "follows. It answers \u201cwhy 100 visits?\u201d.</p>",
                           cls="fk-dash")
            self.planner_inputs = dict(sizes=sizes, visits=visits, margin=margin,
                                       confidence=conf)
            redraw()
            self._planner = [head, inputs, note, plot]
        return self._planner

    planner_redraws = 0

    # -- what changed since the last wave (the Levels tab) -------------------------------------
    def _trend_widgets(self) -> list:
        """A switch that shows the trend under the levels: a "then and now" profile, what
        changed in words, and one dimension's waves at a time. Drawn when switched on, never
        before the first plot; redrawn for a new rater group while on."""
        s = self.state
        if self._trend is None or self._trend["campaign"] != s.campaign_id:
            show = f"Show what changed over {len(s.waves)} waves"
            switch = w.ToggleButton(value=False, icon="line-chart", description=show,
                                    tooltip="Each wave's level, and the change since the one "
                                    "before",
                                    layout=w.Layout(width="auto", max_width="100%",
                                                    align_self="flex-start", margin="8px 2px"))
            switch.add_class("fk-trend-switch")
            box = w.VBox(layout=w.Layout(width="100%"))
            box.add_class("fk-trend")
            self._trend = {"campaign": s.campaign_id, "switch": switch, "box": box,
                           "drawn": None, "item": None}


            def flip(change):
                switch.description = "Hide what changed" if change["new"] else show
                if change["new"]:
                    self._draw_trend()
                else:
                    box.children = ()

            switch.observe(flip, "value")
        t = self._trend
        if t["switch"].value and t["drawn"] != (s.answers, s.rater_group):
            self._draw_trend()
        return [t["switch"], t["box"]]

    def _draw_trend(self) -> None:
        s, t = self.state, self._trend
        group = None if s.rater_group == ALL else s.rater_group
        who = "Every segment" if group is None else \
            f"{ff.group_name(group, cap=True)}, every segment"
        head = ui.html(f"<h4>What changed over {len(s.waves)} waves</h4><p class='fk-note'>"
                       f"{escape(who)}. A change is shown only where both waves' figures "
                       "are.</p>", cls="fk-dash", width="100%")
        try:
            from ... import plots as fp
            from .tabs import findings_html

            data = s.trend()
            found = s.trend_findings()
            first = next((f.sentence for f in found if f.kind not in
                          ("withheld", "empty", "none")), None)
            parts = [head, ui.plot_box(fp.then_and_now(data=data, rater_group=group),
                                       alt=first),
                     ui.html(findings_html(found, "What changed"), cls="fk-dash",
                             width="100%")]
            items = [i.id for i in s.inst.items if i.id in set(data["item"])]
            if items:
                pick = w.Dropdown(options=[(readable(i), i) for i in items],
                                  value=t["item"] if t["item"] in items else items[0],
                                  description="Dimension, wave by wave",
                                  style={"description_width": "initial"},
                                  layout=w.Layout(width="100%", max_width="520px"))
                pick.add_class("fk-trend-item")
                one = w.Box(layout=w.Layout(width="100%"))

                def draw_one(_change=None):
                    t["item"] = pick.value
                    # drawn at its own size: a small figure stretched to 820 px reads huge
                    one.children = [ui.plot_box(fp.trend_plot(data=data, item=pick.value,
                                                              rater_group=group),
                                                max_width="560px")]

                pick.observe(draw_one, "value")
                draw_one()
                parts += [pick, one]
        except ImportError:  # the trend's findings or plots are not in this installation
            parts = [head, ui.html("<p class='fk-note'>The trend is not available in this "
                                   "installation yet.</p>", cls="fk-dash")]
        except ValueError as e:  # e.g. this group answered one wave only
            parts = [head, ui.html(f"<p class='fk-note'>{escape(str(e))}</p>", cls="fk-dash")]
        t["box"].children = parts
        t["drawn"] = (s.answers, s.rater_group)
        self.trend_redraws += 1

    trend_redraws = 0

    # -- the action register (the Actions tab) ------------------------------------------------
    def _actions_widgets(self) -> list:
        """The register of the campaign's waves: an admin adds, edits and closes actions; a
        viewer reads them. Each shows overdue marks and, at the next wave, whether it worked.
        Made when the tab is first opened, once the visitor (and their role) is known."""
        s = self.state
        if self._actions is None or self._actions["campaign"] != s.campaign_id:
            from ...ui.actions import ActionRegisterView

            who = staff()
            register = s.actions(editable=who.admin, actor=who.name)
            # "Wave 2 of 2" rather than the titles, which differ by a few words at the end
            titles = {c.id: f"Wave {i} of {len(s.waves)}" if len(s.waves) > 1 else c.title
                      for i, c in enumerate(s.waves, 1)}

            def effects(_change=None):
                try:
                    register.effects = s.action_effects(register.rows)
                except ImportError:  # "did it work" is not in this installation yet
                    register.effects = {}

            view = ActionRegisterView(register, heading="Actions agreed",
                                      campaign_words=lambda c: titles.get(c, c))
            effects()
            register.observe(effects, "changes")  # a new or changed action: judged again
            self._actions = {"campaign": s.campaign_id, "register": register, "view": view}
        return [self._actions["view"].widget]

    # -- downloads -------------------------------------------------------------------------
    def open_downloads(self) -> None:
        """Open the downloads: the CSV and Excel links (made now unless made ahead) and the
        PDF report's button."""
        if self.links is None:
            self.links = ui.html(cls="fk-dash")
            self.pdf = w.Button(description="Prepare the PDF report", icon="file-pdf-o",
                                layout=w.Layout(width="auto"))
            self.pdf.add_class("fk-pdf")
            self.pdf.on_click(lambda _b: self.prepare_pdf())
            self.pdf_link = ui.html(cls="fk-dash")
            self.pdf.disabled = pdf_maker() is None
            self.pdf.description = ("Prepare the PDF report" if not self.pdf.disabled
                                    else "PDF report (not available yet)")
            self.downloads.children = [
                ui.html("<h4>Downloads</h4>", cls="fk-dash"), self.links,
                w.Box([self.pdf, self.pdf_link], layout=w.Layout(flex_flow="row wrap"))]
        if self._links_html is None:
            self.prepare_downloads()
        self.links.value = self._links_html or ""

    def prepare_downloads(self) -> None:
        """Make the CSV and Excel links (run while nobody waits: before the visitor of a
        kept kernel, or after the first plot): the tables behind what the dashboard shows,
        with the same figures withheld. Shown once the downloads are opened."""
        if self.state.campaign_id is None:
            return
        cid = self.state.campaign_id
        self._links_html = "".join(
            data_link(self.state.download(f), f"{cid}-tables.{f}", MIME[f], f"Tables ({label})")
            for f, label in (("csv", "CSV"), ("xlsx", "Excel")))
        if self.links is not None:
            self.links.value = self._links_html

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
        if self.pdf is None:
            self.open_downloads()
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
