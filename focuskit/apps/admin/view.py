"""The staff page's ipywidgets view: a thin layer observing ``AdminState``.

The state's traits say which campaign is chosen, what the campaign table and the audit log hold,
and how the chosen campaign stands; the view draws them when they change, and hands what
the staff member does (pick, click, type) to the state.

Cards stacked in one column: the campaigns (pick, open, close, new wave), the programmes,
a new campaign, links,
import, raw export, anonymity thresholds, erasure and the audit log. Labels sit above their
fields and fields wrap, so the same page reads on a laptop and on a 390 px phone. Every
action writes its outcome into the message line under its own button; a refusal never clears
what the staff member typed or uploaded.
"""

from __future__ import annotations

import logging
from html import escape

import ipywidgets as w

from ...errors import FocuskitError
from ...io.formats import FORMAT_NAMES
from ...ui.downloads import MIME, data_link
from ...ui.reach import reach_warning
from ...ui.style import style_tag
from .new_campaign import NewCampaign
from .parts import error_html, field, html, link_widgets, ok_html, row, section, table_html, uploaded
from .programme_card import ProgrammeCard
from .records import Records
from .state import MAX_IMPORT_BYTES, MAX_LINKS, AdminState
from .wave_dialog import WaveDialog

log = logging.getLogger("focuskit.admin")


class Admin(Records, NewCampaign, ProgrammeCard, WaveDialog):
    """The staff page; display ``.widget`` (or the object itself) in a notebook."""

    def __init__(self, state: AdminState):
        self.state = state
        self.link_rows = []
        self._busy: list = []
        self._build_wave()
        self._build_campaigns()
        self._build_programmes()
        self._build_new()
        self._build_links()
        self._build_import()
        self._build_export()
        self._build_rules()
        self._build_erase()
        self._build_audit()
        head = html("<h1>Campaign administration</h1><p class='fk-lead'>Create campaigns, hand "
                    "out links, and move answers in and out. Respondents never see this page."
                    "</p>")
        self.widget = w.VBox([html(style_tag(__package__)), head, self.campaigns_box,
                              self.programmes_box, self.new_box,
                              self.links_box,
                              self.import_box, self.export_box, self.rules_box,
                              self.erase_box, self.audit_box],
                             layout=w.Layout(width="100%", max_width="1100px"))
        self.widget.add_class("fk-admin")
        state.observe(self._show_campaign_rows, "campaign_rows")
        state.observe(self._chosen_changed, "chosen")
        state.observe(self._show_picked, "picked")
        state.observe(self._show_audit_lines, "audit_lines")
        state.observe(self._show_programmes, ["campaign_rows", "programme_rows"])
        self._show_campaign_rows()
        self._show_picked()
        self._show_audit_lines()
        self._show_programmes()

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)

    # -- building ----------------------------------------------------------------------------
    def _button(self, text, cls, action, msg, style="", icon=""):
        b = w.Button(description=text, button_style=style, icon=icon,
                     layout=w.Layout(width="auto", min_width="96px"))
        b.add_class(cls)
        b.on_click(lambda _b: self._guard(b, action, msg))
        return b

    def _guard(self, button, action, msg):
        # The kernel runs clicks one after another, so a double click runs an action twice in
        # a row: AdminState.create remembers finished requests, which makes the second one
        # harmless. Disabling the button only shows the browser that it is busy.
        if button in self._busy:
            return
        self._busy.append(button)
        button.disabled = True
        try:
            action()
        except Exception as e:  # noqa: BLE001 - e.g. a database that went away: say so
            log.exception("admin action failed")
            getattr(self, msg).value = error_html(RuntimeError(
                f"That did not work ({type(e).__name__}: {e}). Nothing you typed is lost; "
                "try again, or reload the page."))
        finally:
            self._busy.remove(button)
            self._sync_buttons()

    def _sync_buttons(self) -> None:
        picked = self.state.picked
        none = picked is None
        status = None if none else picked.campaign.status
        for b in (self.links_btn, self.import_btn, self.check_btn, self.export_btn, self.rules_btn,
                  self.erase_btn, self.archive_btn, self.delete_btn):
            b.disabled = none
        self.open_btn.disabled = none or status == "open"
        self.close_btn.disabled = none or status == "closed"
        self.wave_btn.disabled = none
        self.create_btn.disabled = self.reload_btn.disabled = self.audit_btn.disabled = False
        self.sync_programme_buttons()

    def _build_campaigns(self):
        self.table = html()
        self.picker = w.Dropdown(layout=w.Layout(width="100%"))
        self.picker.add_class("fk-picker")
        self.picker.observe(self._picker_changed, "value")
        self.status = html()
        self.open_btn = self._button("Open", "fk-open", lambda: self.set_status("open"),
                                     "campaign_msg", icon="play")
        self.close_btn = self._button("Close", "fk-close", lambda: self.set_status("closed"),
                                      "campaign_msg", icon="stop")
        self.campaign_msg = html()
        self.reload_btn = self._button("Reload", "fk-reload", self.refresh, "campaign_msg",
                                       icon="refresh")
        self.reload_btn.tooltip = "Read the campaigns and counts again (others may have changed them)"
        self.picker_field = field("Campaign", self.picker, grow=3)
        self.status_btns = row(self.open_btn, self.close_btn, self.wave_btn, self.reload_btn)
        self.campaigns_box = section(
            "Campaigns", "Pick a campaign to open, close, repeat in a new wave, link to, import "
            "into or export.",
            self.table, row(self.picker_field, self.status), self.status_btns,
            self.campaign_msg, self.wave_box, cls="fk-campaigns")

    def _build_links(self):
        self.link_groups = w.Box(layout=w.Layout(flex_flow="row wrap"))
        self.segments = w.Textarea(placeholder="optional: one per line or comma-separated, "
                                   "e.g. Retail, Wholesale", layout=w.Layout(width="100%",
                                                                             height="64px"))
        self.segments.add_class("fk-segments")
        self.links_btn = self._button("Make links", "fk-make-links", self.make_links, "links_msg",
                                      style="primary", icon="link")
        self.links_msg = html()
        self.links_out = w.VBox(layout=w.Layout(width="100%"))
        # Only for a campaign with personal links: how many invitees per group and segment.
        self.per_link = w.BoundedIntText(value=1, min=1, max=MAX_LINKS,
                                         layout=w.Layout(width="100px"))
        self.per_link_field = field("Personal links per group and segment", self.per_link)
        self.per_link_field.layout.display = "none"
        self.links_box = section(
            "Respondent links", "Signed links per rater group and segment: an edited link "
            "does not open. Nobody can see another person's answers through one.",
            html(reach_warning(self.state.base)), field("Rater groups", self.link_groups),
            field("Segments", self.segments),
            self.per_link_field, row(self.links_btn), self.links_msg, self.links_out,
            cls="fk-links")

    def _build_import(self):
        self.upload = w.FileUpload(accept=".csv,.xlsx,.xlsm", multiple=False,
                                   description="Choose CSV or Excel file",
                                   tooltip="Answers in focuskit's long or wide layout",
                                   layout=w.Layout(width="auto"))
        self.upload.add_class("fk-upload")
        self.upload_name = html()
        self.upload.observe(lambda _c: self._show_upload(), "value")
        self.mapping = w.FileUpload(accept=".yaml,.yml", multiple=False,
                                    description="Choose mapping", tooltip="Only for a survey "
                                    "tool's own export: which column holds which answer",
                                    layout=w.Layout(width="auto"))
        self.mapping.add_class("fk-mapping")
        self.mapping_name = html()
        self.mapping.observe(lambda _c: self._show_upload(), "value")
        self.mapping_clear = w.Button(description="No mapping", icon="times",
                                      layout=w.Layout(width="auto", display="none"))
        self.mapping_clear.on_click(lambda _b: setattr(self.mapping, "value", ()))
        self.import_group = w.Dropdown(layout=w.Layout(width="100%"))
        self.import_segment = w.Text(placeholder="optional", layout=w.Layout(width="100%"))
        self.import_format = w.Dropdown(
            options=[("Detect from the file", "")] + [(f, f) for f in FORMAT_NAMES],
            value="", layout=w.Layout(width="100%"))
        self.import_btn = self._button("Import", "fk-import", self.do_import, "import_msg", style="primary",
                                       icon="upload")
        self.check_btn = self._button("Check (store nothing)", "fk-import-check",
                                      lambda: self.do_import(check=True), "import_msg",
                                      icon="search")
        self.import_msg = html()
        self.import_box = section(
            "Import answers", "A CSV or Excel file in focuskit's long or wide layout, or a "
            "survey tool's export as downloaded with a column mapping, up to "
            f"{MAX_IMPORT_BYTES // 1024 // 1024} MB (a file over 10 MB never reaches this page: "
            "use 'focuskit import' on the server). All rows are stored, or none; the same "
            "file imported twice stores nothing new.",
            field("Answers file", row(self.upload, self.upload_name)),
            field("Column mapping (YAML), only for a survey tool's export",
                  row(self.mapping, self.mapping_clear, self.mapping_name)),
            row(field("Rater group for rows without one", self.import_group),
                field("Segment for rows without one", self.import_segment),
                field("Survey tool (with a mapping)", self.import_format)),
            row(self.check_btn, self.import_btn), self.import_msg, cls="fk-import-box")

    def _build_export(self):
        self.wide = w.Checkbox(value=False, description="One row per respondent (wide)",
                               indent=False, layout=w.Layout(width="auto"))
        self.export_btn = self._button("Prepare downloads", "fk-export", self.prepare_export, "export_out",
                                       icon="download")
        self.export_out = html()
        self.export_box = section(
            "Export raw answers", "Every answer of the campaign, one row each, with respondent "
            "codes, times and comments: no anonymity rule applies, so keep the file among "
            "admins (the export is logged). Cells a spreadsheet would run as formulas are "
            "escaped.",
            row(self.wide, self.export_btn), self.export_out, cls="fk-export-box")

    # -- campaigns -----------------------------------------------------------------------------
    @property
    def current(self) -> str | None:
        return self.state.chosen

    def refresh(self, pick: str | None = None) -> None:
        """Read the store again (others may have changed it), choosing ``pick``."""
        self.state.reload(pick)

    def _picker_changed(self, change) -> None:
        if change["new"] is not None:
            self.state.chosen = change["new"]

    def _show_campaign_rows(self, _change=None) -> None:
        rows = self.state.campaign_rows
        self.table.value = table_html(rows)
        options = tuple((f"{r['title']} ({r['id']})", r["id"]) for r in rows)
        if tuple(self.picker.options) != options:
            # New options select the first one, unless nothing is selected: so select
            # nothing first, and then the state's choice (a picker at None is ignored).
            self.picker.index = None
            self.picker.options = options
        self.picker.value = self.state.chosen

    def _chosen_changed(self, change) -> None:
        if change["new"] is not None and self.picker.value != change["new"]:
            self.picker.value = change["new"]
        # Links and downloads belong to the campaign they were made for.
        self.links_out.children, self.link_rows = [], []
        self.links_msg.value = self.export_out.value = self.import_msg.value = ""
        self.rules_msg.value = self.erase_msg.value = ""
        self.close_wave()  # the dialog belongs to the campaign it was opened on

    def _show_picked(self, _change=None) -> None:
        picked = self.state.picked
        for part in (self.picker_field, self.status_btns):
            part.layout.display = "none" if picked is None else ""
        if picked is None:
            self.status.value = "<p class='fk-note'>No campaigns yet: create one below.</p>"
            self._sync_buttons()
            return
        c = picked.campaign
        self.show_rules(c)
        self.status.value = (f"<p class='fk-status'><span class='fk-badge {c.status}'>"
                             f"{c.status}</span> {picked.submissions} submission(s), "
                             f"{picked.drafts} unfinished · asks {escape(c.instrument.title)}"
                             + (f" · wave {c.wave}" if c.wave > 1 else "")
                             + (f" · in programme {escape(c.programme)}" if c.programme else "")
                             + "</p>")
        self._sync_buttons()
        self.per_link_field.layout.display = "" if c.link_mode == "personal" else "none"
        if [b.description for b in self.link_groups.children] != list(c.rater_groups):
            self.link_groups.children = [
                w.Checkbox(value=True, description=g, indent=False,
                           layout=w.Layout(width="auto", margin="0 12px 0 0"))
                for g in c.rater_groups]
        options = [("From the file", "")] + [(g, g) for g in c.rater_groups]
        if list(self.import_group.options) != options:
            self.import_group.options = options
            self.import_group.value = ""

    def set_status(self, status: str) -> None:
        try:
            c = self.state.set_status(self.current, status)
        except FocuskitError as e:
            self.campaign_msg.value = error_html(e)
            return
        verb = "takes answers now" if c.status == "open" else "takes no more answers"
        self.campaign_msg.value = ok_html(f"{c.id} is {c.status}: it {verb}.")

    # -- links -------------------------------------------------------------------------------
    def make_links(self) -> None:
        groups = [b.description for b in self.link_groups.children if b.value]
        try:
            if not groups:
                raise FocuskitError("tick at least one rater group")
            rows = self.state.links(self.current, groups, self.segments.value,
                                    count=self.per_link.value)
        except FocuskitError as e:
            self.links_msg.value = error_html(e)
            return
        self.link_rows = rows
        self.links_out.children = link_widgets(rows, self.state.base,
                                               self.state.links_csv(rows), self.current)
        status = self.state.campaign(self.current).status
        self.links_msg.value = ok_html(f"{len(rows)} link(s) for {self.current}. Click a link "
                                       "box and copy it." + ("" if status == "open" else
                                       f" The campaign is {status}: open it before sending "
                                       "them, or respondents are turned away."))

    # -- import and export ---------------------------------------------------------------------
    def _show_upload(self) -> None:
        for up, out in ((self.upload, self.upload_name), (self.mapping, self.mapping_name)):
            got = uploaded(up)
            out.value = ("" if got is None else f"<p class='fk-note'>{escape(got[0])} "
                         f"({len(got[1]) / 1024:.1f} KB) chosen</p>")
        self.mapping_clear.layout.display = "" if self.mapping.value else "none"
        self.import_msg.value = ""

    def do_import(self, check: bool = False) -> None:
        got = uploaded(self.upload)
        cid = self.current
        try:
            if got is None:
                raise FocuskitError("choose a CSV or Excel file first")
            res = self.state.import_upload(cid, *got, rater_group=self.import_group.value,
                                           segment=self.import_segment.value,
                                           mapping=uploaded(self.mapping),
                                           format=self.import_format.value or None, check=check)
        except FocuskitError as e:  # ImportFileError too: its rows become a table
            self.import_msg.value = error_html(e)
            return
        lines = res.describe(cid)  # word for word what 'focuskit import --check' prints
        if check:
            self.import_msg.value = ok_html("Checked: nothing stored.", cls="fk-checked") + \
                "<pre class='fk-import-report'>" + escape("\n".join(lines)) + "</pre>"
            return
        # The message below says what was stored; the report adds what was left out and why.
        lines = [x for x in lines if not x.startswith("Imported ")]
        report = ("<pre class='fk-import-report'>" + escape("\n".join(lines)) + "</pre>"
                  if lines else "")
        total = self.state.picked.submissions
        if res.created:
            self.export_out.value = ""  # downloads made before hold the answers before
        if res.created == 0:
            msg = (f"Nothing new stored: all {res.existing} submission(s) in {got[0]} were "
                   f"imported before. {cid} holds {total} submission(s).")
            self.import_msg.value = ok_html(msg, cls="fk-same") + report
            return
        again = f"; {res.existing} were already there" if res.existing else ""
        self.import_msg.value = ok_html(
            f"Imported {res.created} new submission(s) from {res.rows} row(s) of {got[0]}"
            f"{again}. {cid} now holds {total} submission(s).") + report

    def prepare_export(self) -> None:
        links = []
        try:
            for fmt, label in (("csv", "CSV"), ("xlsx", "Excel")):
                name, data = self.state.export(self.current, fmt, wide=self.wide.value)
                links.append(data_link(data, name, MIME[fmt], f"Answers ({label})"))
        except FocuskitError as e:
            self.export_out.value = error_html(e)
            return
        self.export_out.value = "".join(links)
