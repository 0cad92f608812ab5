"""The admin page's "Programmes" card: each programme with its campaigns grouped by
questionnaire and chained into waves, adding a campaign to a programme, and a new programme.
A mixin of ``view.Admin``; the work is ``programmes.Programmes`` on the state.
"""

from __future__ import annotations

from html import escape

import ipywidgets as w

from ...errors import FocuskitError
from .parts import error_html, field, html, ok_html, row, section
from .state import slug


def wave_html(r: dict) -> str:
    n = r["submissions"]
    return (f"<li><b>{escape(r['id'])}</b> <span class='fk-wave-n'>wave {r['wave']}</span> "
            f"<span class='fk-badge {r['status']}'>{r['status']}</span> "
            f"<span class='fk-note'>{n} answer{'' if n == 1 else 's'}</span></li>")


def programmes_html(rows) -> str:
    """The programmes as HTML: a table per programme, a row per questionnaire, a line of waves
    (oldest first) per campaign chain."""
    if not rows:
        return "<p class='fk-note'>No programmes yet: create one below.</p>"
    out = []
    for p in rows:
        head = (f"<h3>{escape(p.title)}<span class='sub'>{escape(p.id)} · "
                f"{escape(p.organisation)}</span></h3>")
        if not p.lenses:
            out.append(f"<div class='fk-prog'>{head}<p class='fk-note'>No campaigns yet: add "
                       "one below.</p></div>")
            continue
        body = "".join(
            f"<tr><td>{escape(lens.title)}<span class='sub'>{escape(lens.instrument)}</span></td>"
            "<td>" + "".join(f"<ol class='fk-chain'>{''.join(map(wave_html, chain))}</ol>"
                             for chain in lens.chains) + "</td></tr>"
            for lens in p.lenses)
        out.append(f"<div class='fk-prog'>{head}<table class='fk-tbl fk-lenses'><thead><tr>"
                   "<th>Questionnaire</th><th>Waves, oldest first</th></tr></thead>"
                   f"<tbody>{body}</tbody></table></div>")
    # Many programmes scroll inside the card rather than push the rest of the page away.
    return ("<div class='fk-scroll fk-progs' tabindex='0' role='region' aria-label='Programmes'>"
            + "".join(out) + "</div>")


class ProgrammeCard:
    made_programme: str | None = None  # the programme last made here

    def _build_programmes(self):
        self.programmes_table = html()
        self.add_prog = w.Dropdown(layout=w.Layout(width="100%"))
        self.add_prog.observe(self._offer_campaigns, "value")
        self.add_camp = w.Dropdown(layout=w.Layout(width="100%"))
        self.add_btn = self._button("Add to programme", "fk-add-to-prog", self.add_campaign,
                                    "add_msg", icon="plus")
        self.add_msg = html()
        self.prog_title = w.Text(placeholder="e.g. Alder Valley assessment",
                                 layout=w.Layout(width="100%"))
        self.prog_id = w.Text(placeholder="made from the title", layout=w.Layout(width="100%"))
        self.prog_org = w.Text(placeholder="e.g. Alder Valley Utilities",
                               layout=w.Layout(width="100%"))
        for widget, cls in ((self.add_prog, "fk-add-prog"), (self.add_camp, "fk-add-camp"),
                            (self.prog_title, "fk-prog-title"), (self.prog_id, "fk-prog-id"),
                            (self.prog_org, "fk-prog-org")):
            widget.add_class(cls)
        self.prog_title.observe(lambda c: setattr(self.prog_id, "placeholder",
                                                         slug(c["new"]) or "made from the title"),
                               "value")
        self.prog_btn = self._button("Create programme", "fk-create-prog",
                                     self.create_programme, "prog_msg", icon="plus")
        self.prog_msg = html()
        self.add_note = html()
        self.add_camp_field = field("Campaign (only those in no programme yet)", self.add_camp,
                                    grow=2)
        self.add_pickers = row(field("Programme", self.add_prog), self.add_camp_field)
        self.add_row = row(self.add_btn)
        self.programmes_box = section(
            "Programmes", "A programme holds one organisation's campaigns across questionnaires, "
            "each with its waves. To repeat a campaign a year on, pick it under Campaigns and "
            "click New wave.",
            self.programmes_table,
            html("<h3>Add a campaign to a programme</h3>"),
            self.add_pickers,
            self.add_note, self.add_row, self.add_msg,
            html("<h3>New programme</h3>"),
            row(field("Title", self.prog_title, grow=2), field("Id", self.prog_id),
                field("Organisation", self.prog_org, grow=2)),
            row(self.prog_btn), self.prog_msg, cls="fk-programmes")

    def _show_programmes(self, _change=None) -> None:
        rows = self.state.programme_rows
        self.programmes_table.value = programmes_html(rows)
        progs = tuple((f"{p.title} ({p.id})", p.id) for p in rows)
        self._offer(self.add_prog, progs)
        self._offer_campaigns()

    @staticmethod
    def _offer(picker, options: tuple) -> None:
        if tuple(picker.options) != options:
            keep, values = picker.value, [v for _, v in options]
            picker.options = options
            # Keep the choice while it is offered, else the first (None offers nothing).
            picker.value = keep if keep in values else (values[0] if values else None)

    def _offer_campaigns(self, _change=None) -> None:
        """The campaigns the picked programme can take: in no programme, of its organisation."""
        camps = tuple(self.state.unplaced(self.add_prog.value))
        self._offer(self.add_camp, camps)
        note = ""
        if not self.add_prog.options:
            note = "Create a programme below first."
        elif not camps:
            note = ("No campaigns yet." if not self.state.campaign_rows else
                    "No campaign to add: every campaign is in a programme already, or names "
                    "another organisation.")
        self.add_note.value = f"<p class='fk-note'>{note}</p>" if note else ""
        # Nothing to add: the note says why, rather than an empty picker and a dead button.
        self.add_row.layout.display = self.add_camp_field.layout.display = "none" if note else ""
        self.add_pickers.layout.display = "none" if not self.add_prog.options else ""
        self.sync_programme_buttons()

    def sync_programme_buttons(self) -> None:
        self.add_btn.disabled = not (self.add_prog.options and self.add_camp.options)
        self.prog_btn.disabled = False

    def add_campaign(self) -> None:
        prog, camp = self.add_prog.value, self.add_camp.value
        try:
            added = self.state.add_to_programme(prog, camp)
        except FocuskitError as e:
            self.add_msg.value = error_html(e)
            return
        if not added:
            self.add_msg.value = ok_html(f"{camp} is in {prog} already: nothing changed.",
                                         cls="fk-same")
            return
        waves = " (a campaign comes with all its waves)" if len(added) > 1 else ""
        self.add_msg.value = ok_html(f"Added {', '.join(added)} to {prog}{waves}.")

    def create_programme(self) -> None:
        try:
            res = self.state.create_programme(self.prog_id.value, self.prog_title.value,
                                              self.prog_org.value)
        except FocuskitError as e:
            self.prog_msg.value = error_html(e)
            return
        p = res.programme
        if not res.created and self.made_programme == p.id:
            return  # the second click of a double click: the first one said it all
        self.made_programme = p.id
        what = "Created" if res.created else "Already created (nothing new)"
        self.prog_msg.value = ok_html(f"{what}: programme {p.id} ({p.title}) for "
                                      f"{p.organisation}. Add its campaigns above.")
        self.add_prog.value = p.id
