"""The admin page's "New wave" dialog, opened from the Campaigns card on the picked campaign:
a title and an optional id; once made, the new wave is picked and its signed links shown as
"Make links" shows a campaign's. A mixin of ``view.Admin``; the work is
``programmes.Programmes.new_wave`` on the state.
"""

from __future__ import annotations

import re
from html import escape

import ipywidgets as w

from ...errors import FocuskitError
from .parts import error_html, field, html, link_widgets, ok_html, row

WAVE_N = re.compile(r",? wave \d+$")  # a wave number at the end of a title


class WaveDialog:
    wave_of: str | None = None  # the campaign the dialog was opened on (then a new one is picked)
    made_wave: str | None = None  # the wave this dialog made, so that a repeat says nothing

    def _build_wave(self):
        self.wave_btn = self._button("New wave", "fk-new-wave", self.open_wave, "campaign_msg",
                                     icon="repeat")
        self.wave_btn.tooltip = "Repeat the picked campaign: same questions, groups and rules"
        self.wave_head = html()
        self.wave_title = w.Text(layout=w.Layout(width="100%"))
        self.wave_id = w.Text(layout=w.Layout(width="100%"))
        self.wave_title.add_class("fk-wave-title")
        self.wave_id.add_class("fk-wave-id")
        self.wave_go = self._button("Create wave", "fk-create-wave", self.new_wave, "wave_msg",
                                    style="primary", icon="plus")
        # Cancel under the form while it is filled in; Close under the links once made.
        self.wave_cancel, self.wave_close = (
            w.Button(description=text, layout=w.Layout(width="auto", min_width="96px"))
            for text in ("Cancel", "Close"))
        self.wave_cancel.add_class("fk-cancel-wave")
        self.wave_close.add_class("fk-close-wave")
        for b in (self.wave_cancel, self.wave_close):
            b.on_click(lambda _b: self.close_wave())
        self.wave_form = w.VBox([row(field("Title of the new wave", self.wave_title, grow=2),
                                     field("Id (optional)", self.wave_id)),
                                 row(self.wave_go, self.wave_cancel)],
                                layout=w.Layout(width="100%"))
        self.wave_msg = html()
        self.wave_links = w.VBox(layout=w.Layout(width="100%"))
        self.wave_latest = self._button("Start after the latest wave", "fk-wave-latest",
                                        self.pick_latest, "wave_msg", style="primary",
                                        icon="forward")
        self.wave_done = row(self.wave_latest, self.wave_close)
        self.wave_box = w.VBox([self.wave_head, self.wave_form, self.wave_msg, self.wave_links,
                                self.wave_done], layout=w.Layout(width="100%", display="none"))
        self.wave_box.add_class("fk-wave-dialog")

    def open_wave(self) -> None:
        """Show the dialog for the picked campaign, its title filled in; for a campaign with
        a next wave, say so and offer to start after the latest wave instead."""
        c = self.state.picked.campaign
        later = self.state.next_wave(c.id)
        self.wave_of, self.made_wave = c.id, None
        self.wave_msg.value = ""
        self.wave_links.children = []
        self.wave_box.layout.display = ""
        self.wave_form.layout.display = "none" if later else ""
        self.wave_done.layout.display = "" if later else "none"
        self.wave_latest.layout.display = "" if later else "none"
        if later is not None:
            latest = self.state.store.waves(c.id)[-1]
            self.wave_latest.description = f"Start the wave after {latest.id}"
            self.wave_latest.fk_pick = latest.id
            self.wave_head.value = f"<h3>{escape(c.id)} has its next wave</h3>"
            self.wave_msg.value = ok_html(
                f"{c.id} was repeated already as {later.id} ({later.title}). A new wave "
                f"follows the latest one, {latest.id}.", cls="fk-same")
            return
        self.wave_head.value = (
            f"<h3>New wave of {escape(c.id)}</h3><p class='fk-hint'>Wave {c.wave + 1}: the same "
            f"questionnaire ({escape(c.instrument.title)} {escape(c.instrument.version)}), "
            "rater groups, segments and anonymity rules. Respondent codes, unfinished answers "
            f"and answers stay with {escape(c.id)}." + (
                "" if c.status != "draft" else f" {escape(c.id)} has not been opened yet: a "
                "wave usually follows a campaign that has run.") + "</p>")
        # A suggestion to edit: the title without a wave number it was given, and the new one.
        self.wave_title.value = f"{WAVE_N.sub('', c.title)}, wave {c.wave + 1}"
        self.wave_id.value = ""
        self.wave_id.placeholder = f"left blank: {self.state.default_wave_id(c)}"

    def pick_latest(self) -> None:
        self.state.chosen = self.wave_latest.fk_pick  # closes the dialog: open it on that one
        self.open_wave()

    def close_wave(self) -> None:
        self.wave_box.layout.display = "none"
        self.made_wave = None

    def new_wave(self) -> None:
        try:
            # Not self.current: once made, the new wave is picked, and a queued second click
            # must ask for the same wave again, not for the one after it.
            res = self.state.new_wave(self.wave_of, self.wave_title.value, self.wave_id.value)
        except FocuskitError as e:
            self.wave_msg.value = error_html(e)
            return
        c = res.campaign
        if not res.created and self.made_wave == c.id:
            return  # the second click of a double click: the first one's links are shown
        self.made_wave = c.id
        self.wave_box.layout.display = ""  # picking the new wave closed it
        self.wave_form.layout.display, self.wave_done.layout.display = "none", ""
        self.wave_latest.layout.display = "none"
        self.wave_head.value = f"<h3>Wave {c.wave} of {escape(c.previous or '')}</h3>"
        what = "Created" if res.created else "Already created (nothing new)"
        text = f"{what}: {c.id} ({c.title}), {c.status}, picked above."
        try:
            rows = self.state.links(c.id)
        except FocuskitError as e:  # the wave exists: say so, and why its links did not come
            self.wave_msg.value = ok_html(text) + error_html(e)
            return
        self.wave_links.children = link_widgets(rows, self.state.base,
                                                self.state.links_csv(rows), c.id)
        after = ("" if c.status == "open" else f" It is {c.status}: open it before sending "
                 "them, or respondents are turned away.")
        self.wave_msg.value = ok_html(
            f"{text} Its links are below, one per rater group{' and segment' if c.segments else ''}"
            f"; for other segments or more personal links, use Respondent links.{after}")
