"""The workshop board's ipywidgets view: a thin layer over ``WorkshopState``.

Laid out for three screens: a projector (a big QR code and big numbers), a laptop, and a
390 px phone (everything stacks; nothing scrolls sideways). Results are drawn only after
the reveal, from ``WorkshopState.results()``, which computes nothing before it.
"""

from __future__ import annotations

import json
from datetime import datetime
from html import escape

import ipywidgets as w
from IPython.display import Javascript, display

from ...ui import parts as ui
from ...ui.downloads import data_link
from ...ui.reach import reach_warning
from ...ui.style import style_tag
from .live import LiveCount, say_error
from .state import MAX_EXPECTED, MIN_K, WorkshopState
from .words import GROUP_WORDS, STATUS_WORDS

__all__ = ["WorkshopBoard"]




class WorkshopBoard:
    """The trainer's board; display ``.widget`` (or the object itself) in a notebook."""

    def __init__(self, state: WorkshopState, interval: float = 2.0):
        self.state = state
        self.interval = interval
        self.live: LiveCount | None = None
        self.displayed = False  # counting runs only for a board on a page
        field = dict(width="auto", max_width="100%", flex="1 1 220px")

        # The round: pick one, or open the form for a new one.
        self.picker = w.Dropdown(description="Round", layout=w.Layout(
            width="auto", max_width="100%", flex="0 1 560px"))
        self.picker.style.description_width = "initial"
        self.picker.observe(self._on_pick, "value")
        self.new_toggle = w.ToggleButton(description="New round", icon="plus",
                                         layout=w.Layout(width="auto"))
        self.new_toggle.observe(lambda c: self._show_form(c["new"]), "value")
        self.bar = ui.box([self.picker, self.new_toggle], "fk-ws-bar", width="100%")
        self.new_title = w.Text(description="Name of the round",
                                placeholder="e.g. Leadership team, 12 March",
                                layout=w.Layout(**{**field, "flex": "3 1 260px"}))
        self.new_org = w.Text(value=state.organisation(), description="Organisation",
                              placeholder="Who “we” means", layout=w.Layout(**field))
        self.new_instrument = w.Dropdown(options=state.instruments(), description="Questionnaire",
                                         layout=w.Layout(**{**field, "flex": "0 1 520px"}))
        self.new_k = w.BoundedIntText(value=MIN_K, min=MIN_K, max=100,
                                      description="Smallest group shown",
                                      layout=w.Layout(width="230px", max_width="100%"))
        self.new_expected = w.BoundedIntText(value=0, min=0, max=MAX_EXPECTED,
                                             description="How many people do you expect?",
                                             layout=w.Layout(width="300px", max_width="100%"))
        for x, cls in ((self.new_title, "title"), (self.new_org, "org"),
                       (self.new_instrument, "instrument"), (self.new_k, "k"),
                       (self.new_expected, "expected")):
            x.style.description_width = "initial"
            x.add_class(f"fk-ws-new-{cls}")
        self.create = w.Button(description="Create the round", button_style="primary",
                               icon="check", layout=w.Layout(width="auto"))
        self.create.add_class("fk-ws-create")
        self.create.on_click(lambda _b: self.create_round())
        self.new_msg = ui.html(cls="fk-ws", width="100%")
        self.form = w.VBox([ui.html("<h3>A new round</h3><p class='fk-note'>Each person answers "
                                  "alone on their phone; the room then compares. Groups "
                                  f"smaller than the number below (at least {MIN_K}) stay "
                                  "hidden, so nobody’s answers can be picked out.</p>"),
                            ui.box([self.new_title, self.new_org], "fk-ws-row", width="100%"),
                            ui.box([self.new_instrument, self.new_k], "fk-ws-row", width="100%"),
                            ui.box([self.new_expected, ui.html(
                                "<span class='fk-note'>0 if you do not know. The board then "
                                "says “24 of 30 have answered”, and the server keeps that "
                                "many questionnaires ready while the round is open.</span>")],
                                "fk-ws-row", width="100%"),
                            ui.box([self.create], "fk-ws-row"), self.new_msg],
                           layout=w.Layout(width="100%"))
        self.form.add_class("fk-ws-form")

        # The stage: join link and QR code beside the live count and the reveal.
        self.title = ui.html(cls="fk-ws", width="100%")
        self.join = ui.html(cls="fk-ws-join")
        self.count = ui.html(cls="fk-ws-count", width="100%")
        self.checked = ui.html(cls="fk-ws-checked", width="100%")
        self.count_error = ui.html(cls="fk-ws-error", width="100%")
        self.reveal_button = w.Button(description="Reveal the results", icon="eye",
                                      button_style="success", layout=w.Layout(width="auto"))
        self.reveal_button.add_class("fk-ws-reveal")
        self.reveal_button.on_click(lambda _b: self.reveal())
        self.hide_button = w.Button(description="Hide the results again", icon="eye-slash",
                                    layout=w.Layout(width="auto"))
        self.hide_button.add_class("fk-ws-hide")
        self.hide_button.on_click(lambda _b: self.reveal(False))
        self.refresh_button = w.Button(description="Include new answers", icon="refresh",
                                       layout=w.Layout(width="auto"))
        self.refresh_button.add_class("fk-ws-refresh")
        self.refresh_button.on_click(lambda _b: self.show_results(refresh=True))
        self.gate_note = ui.html(cls="fk-ws", width="100%")
        self.sync_button = w.Button(description="Show the results here", icon="eye",
                                    button_style="success", layout=w.Layout(width="auto",
                                                                            display="none"))
        self.sync_button.add_class("fk-ws-sync")
        self.sync_button.on_click(lambda _b: self.sync())
        self.steps = ui.html(cls="fk-ws", width="100%")
        live = w.VBox([ui.html("<h2>Answers so far</h2>"), self.count, self.checked,
                       self.count_error,
                       self.gate_note, ui.box([self.reveal_button, self.sync_button,
                                             self.refresh_button, self.hide_button],
                                            "fk-ws-row"), self.steps])
        live.add_class("fk-ws-live")
        self.stage = ui.box([self.join, live], "fk-ws-stage", width="100%")

        self.results = w.VBox(layout=w.Layout(width="100%"))
        self.results.add_class("fk-ws-results")

        # The action register.
        self.act_title = w.Text(description="Action", placeholder="What will be done?",
                                layout=w.Layout(**{**field, "flex": "3 1 300px"}))
        self.act_item = w.Dropdown(description="About", layout=w.Layout(**field))
        self.act_owner = w.Text(description="Owner", placeholder="Who makes it happen?",
                                layout=w.Layout(**field))
        self.act_due = w.Text(description="Due by", placeholder="e.g. 2026-12-31",
                              layout=w.Layout(**field))
        for x, cls in ((self.act_title, "title"), (self.act_item, "item"),
                       (self.act_owner, "owner"), (self.act_due, "due")):
            x.style.description_width = "initial"
            x.add_class(f"fk-ws-act-{cls}")
        self.act_add = w.Button(description="Add the action", icon="plus",
                                button_style="primary", layout=w.Layout(width="auto"))
        self.act_add.add_class("fk-ws-add")
        self.act_add.on_click(lambda _b: self.add_action())
        self.act_msg = ui.html(cls="fk-ws", width="100%")
        self.act_table = w.VBox(layout=w.Layout(width="100%"))
        self.act_table.add_class("fk-ws-table")
        self.act_csv = ui.html(cls="fk-ws")
        self.actions = w.VBox([
            ui.html("<h2>Action register</h2><p class='fk-note'>What the room agrees to do, "
                  "who does it and by when. It is kept with the round and appears in the PDF "
                  "report.</p>"),
            ui.box([self.act_title, self.act_item, self.act_owner, self.act_due], "fk-ws-row",
                 width="100%"),
            ui.box([self.act_add], "fk-ws-row"), self.act_msg, self.act_table, self.act_csv],
            layout=w.Layout(width="100%"))
        self.actions.add_class("fk-ws-actions")

        self.scripts = w.Output(layout=w.Layout(height="0px", overflow="hidden"))
        self.body = w.VBox([self.stage, self.results, self.actions],
                           layout=w.Layout(width="100%"))
        self.tab_name = w.Output(layout=w.Layout(display="none"))  # the browser tab's title
        self.widget = w.VBox([ui.html(style_tag(__package__)),
                              ui.html("<h1>Workshop board</h1>", cls="fk-ws"),
                              self.bar, self.form, self.title, self.body, self.scripts,
                              self.tab_name],
                             layout=w.Layout(width="100%"))
        self.widget.add_class("fk-ws")
        self.widget.add_class("fk-ws-root")
        self._fill_picker()
        self._show_round()
        state.observe(self._fill_picker, "rounds")
        state.observe(self._on_round, "round")

    def _ipython_display_(self):
        display(self.widget)
        self.displayed = True
        self.start()

    # -- the live count --------------------------------------------------------------------
    def start(self) -> None:
        """Start counting in the background (the board does this when it is displayed)."""
        self.stop()
        if self.state.round is None:
            return
        self.live = LiveCount(self.state.counts, self._show_count, self._show_count_error,
                              self.interval)
        self.live.start()

    def stop(self) -> None:
        if self.live is not None:
            self.live.stop()
            self.live = None

    def poll_once(self) -> None:
        """Read the count now, in this thread (tests; the first paint)."""
        try:
            self._show_count(self.state.counts())
        except Exception as e:  # noqa: BLE001 - shown like the thread's errors
            self._show_count_error(say_error(e))

    def _show_count(self, c: dict) -> None:
        k = self.state.round.min_group_size
        # Only groups the state lets through (at least k people): a smaller one is not named.
        others = {g: n for g, n in c["groups"].items() if g != self.state.room}
        extra = "".join(f"<span>{n} {escape(GROUP_WORDS.get(g, g))}</span>"
                        for g, n in sorted(others.items()))
        expected = c.get("expected")
        sent = (f"<b>{c['sent']}</b><span>of {expected} have answered</span>" if expected
                else f"<b>{c['sent']}</b><span>have answered</span>")
        numbers = (
            "<div class='fk-nums'>"
            f"<div class='fk-num sent'>{sent}</div>"
            f"<div class='fk-num'><b>{c['answering']}</b><span>answering now</span></div></div>"
            + (f"<p class='fk-others'>Also rated this round: {extra}</p>" if extra else ""))
        if expected:  # the server's pool follows the rounds' expected numbers
            numbers += self._ready(c.get("ready"), more=bool(c["sent"] or c["answering"]))
        if self.count.value != numbers:  # unchanged numbers are not sent to the page again
            self.count.value = numbers
        # Every poll, changed or not: a board that shows the time of its last look is alive.
        self.checked.value = (f"<p class='fk-live'><i></i>Live · checked at "
                              f"{datetime.now():%H:%M:%S}</p>")
        self.count_error.value = ""
        elsewhere = c.get("revealed")
        if elsewhere is not None and elsewhere != self.state.revealed:
            if not elsewhere:  # hidden on another screen: hide here at once (draws nothing)
                self.sync()
            else:  # revealed elsewhere: drawing belongs to the trainer's click, not a thread
                self.reveal_button.layout.display = "none"
                self.sync_button.layout.display = None
                self.gate_note.value = ("<p class='fk-note'>The results were revealed on "
                                        "another screen.</p>")
                return
        if not self.state.revealed:
            if c["sent"] < k:
                need = k - c["sent"]
                self.gate_note.value = (
                    f"<p class='fk-note'>Results stay hidden until you reveal them. At least "
                    f"{k} answers are needed before any result shows: {need} more to go.</p>")
            else:
                self.gate_note.value = ("<p class='fk-note'>Results stay hidden until you "
                                        "reveal them. When everyone has sent their answers, "
                                        "press Reveal.</p>")

    def _ready(self, pool: dict | None, more: bool = False) -> str:
        """"Ready for 30 phones": how many the server has a questionnaire waiting for (those
        expected who have not begun yet; "more" once some have)."""
        if not pool or pool["wanted"] <= 0 or self.state.revealed:
            return ""
        ready, wanted = pool["ready"], pool["wanted"]
        phones = ("more " if more else "") + ("phone" if wanted == 1 else "phones")
        text = (f"Ready for {wanted} {phones}" if ready >= wanted
                else f"Getting ready: {ready} of {wanted} {phones}")
        note = f" <span>{escape(pool['note'])}</span>" if pool["note"] else ""
        cls = "fk-ready" + ("" if ready >= wanted else " warming")
        return f"<p class='{cls}'><i></i>{text}.{note}</p>"

    def _show_count_error(self, message: str) -> None:
        self.count_error.value = (f"<p>The count cannot be read right now ({escape(message)})."
                                  " The board keeps trying; answers are not lost.</p>")

    # -- rounds ----------------------------------------------------------------------------
    def _fill_picker(self, change=None) -> None:
        """The picker lists the state's rounds and shows its round."""
        # With nothing selected, new options select nothing by themselves (ipywidgets would
        # pick the first, and with it another round); the value then follows the state's.
        self.picker.index = None
        self.picker.options = [(f"{c.title} · {c.created_at:%d %b %Y}", c.id)
                               for c in self.state.rounds]
        self.picker.value = self.state.round.id if self.state.round else None
        self.picker.layout.display = None if self.state.rounds else "none"
        self.new_toggle.layout.display = None if self.state.rounds else "none"
        self._show_form(not self.state.rounds or self.new_toggle.value)

    def _show_form(self, show: bool) -> None:
        self.form.layout.display = None if show else "none"

    def _on_pick(self, change) -> None:
        """The trainer picked a round: the state picks it (the picker only follows it)."""
        new = change["new"]
        if new is not None and (self.state.round is None or new != self.state.round.id):
            self.state.pick(new)

    def _on_round(self, change) -> None:
        """Another round: the whole stage, and its count; the same round revealed or hidden
        (here or on another screen): the results."""
        old, new = change["old"], change["new"]
        if new is not None and new.id in [v for _, v in self.picker.options]:
            self.picker.value = new.id  # (unchanged, or _on_pick finds the state has it)
        if old is None or new is None or old.id != new.id:
            self._show_round()
            if self.displayed:
                self.start()
        elif old.revealed != new.revealed:
            self.show_results()

    def pick(self, round_id: str) -> None:
        self.state.pick(round_id)

    def create_round(self) -> None:
        try:
            self.state.create_round(self.new_title.value, self.new_instrument.value,
                                    self.new_k.value, organisation=self.new_org.value,
                                    expected=self.new_expected.value or None)
        except ValueError as e:
            self.new_msg.value = f"<p class='fk-ws-bad'>{escape(str(e))}</p>"
            return
        self.new_msg.value = ""
        self.new_title.value = ""
        self.new_toggle.value = False  # (the new round reached the picker and the stage)

    def _show_round(self) -> None:
        s = self.state
        self.body.layout.display = "none" if s.round is None else None
        if s.round is None:
            self.title.value = ("<p class='fk-lead'>No workshop round yet. Give the first one a "
                                "name below and press Create.</p>")
            return
        c = s.round
        ui.tab_title(self.tab_name, f"Workshop board: {c.title}")
        self.title.value = (f"<h2 class='fk-ws-name'>{escape(c.title)}</h2><p class='fk-lead'>"
                            f"{escape(c.instrument.title)} · groups under {c.min_group_size} "
                            "stay hidden</p>")
        minutes = getattr(c.instrument, "minutes", None)
        self.steps.value = (
            "<ol class='fk-steps'><li>Everyone answers alone, on their own phone"
            + (f" (about {minutes} minutes)" if minutes else "") + ".</li>"
            "<li>When the answers sent match the people in the room, the results are "
            "revealed.</li><li>Together we look at where we disagree most, and agree what to "
            "do.</li></ol>")
        link, code, short = s.join_link, s.join_code, s.join_short
        door = short.rsplit("/", 1)[0].split("://", 1)[-1]  # what a phone's address bar needs
        self.join.value = (
            reach_warning(s.base)
            + "<h2>Join on your phone</h2>"
            "<div class='fk-join'>"
            f"<div class='fk-qr'>{s.qr_svg()}</div>"
            "<div class='fk-code-box'><p class='fk-how'>Scan the QR code with your phone’s "
            f"camera, or open</p><p class='fk-door'><a href='{escape(short)}' target='_blank' "
            f"rel='noopener'>{escape(door)}</a></p><p class='fk-how'>and type the code</p>"
            f"<p class='fk-code' aria-label='Join code {' '.join(code)}'>"
            f"<span>{escape(code[:3])}</span><span>{escape(code[3:])}</span></p></div></div>"
            "<p class='fk-note fk-alone'>Answer on your own; nobody sees your answers.</p>"
            f"<details class='fk-link'><summary>The full link</summary><a href='{escape(link)}' "
            f"target='_blank' rel='noopener'>{escape(link)}</a></details>")
        self.act_item.options = s.item_choices()
        self.act_item.value = ""  # ipywidgets 8 leaves a new option list unselected
        self.act_msg.value = ""
        self.poll_once()
        self.show_results()
        self.show_actions()
        self.scripts.clear_output()
        # The round goes into the address, so a reload opens it again; the staff key leaves
        # it (the login cookie keeps the trainer signed in), so a projector never shows it.
        with self.scripts:
            display(Javascript(
                "(function(){try{var u=new URL(window.location.href);"
                f"u.searchParams.set('round',{json.dumps(c.id)});u.searchParams.delete('token');"
                "window.history.replaceState(window.history.state,'',u.toString());}"
                "catch(e){}})();"))

    # -- the reveal ------------------------------------------------------------------------
    def sync(self) -> None:
        """Catch up with a reveal (or hide) made on another screen (the round's observer
        draws or clears the results)."""
        self.state.pick(self.state.round.id)

    def reveal(self, revealed: bool = True) -> None:
        self.state.reveal(revealed)  # the round's observer draws or clears the results
        self.poll_once()

    def show_results(self, refresh: bool = False) -> None:
        from .results import results_widgets

        shown = self.state.revealed
        # Once revealed, the QR code shrinks (latecomers can still scan it) to make room.
        (self.widget.add_class if shown else self.widget.remove_class)("fk-revealed")
        self.reveal_button.layout.display = "none" if shown else None
        self.sync_button.layout.display = "none"
        self.hide_button.layout.display = None if shown else "none"
        self.refresh_button.layout.display = None if shown else "none"
        self.steps.layout.display = "none" if shown else None
        if shown:
            self.gate_note.value = ("<p class='fk-note'>The results are showing. Answers sent "
                                    "after the reveal join them when you press “Include new "
                                    "answers”.</p>")
            self.results.children = [ui.html("<p class='fk-note'>Drawing the results…</p>",
                                           cls="fk-ws")]
            try:
                self.results.children = results_widgets(self.state, self.state.results(refresh))
            except Exception as e:  # noqa: BLE001 - the board stays usable; say what failed
                self.results.children = [ui.html(
                    f"<p class='fk-ws-bad'>The results could not be drawn ({escape(say_error(e))}). "
                    "Press “Include new answers” to try again.</p>", cls="fk-ws")]
        else:
            self.results.children = []  # nothing computed, nothing sent to the page

    # -- the action register ---------------------------------------------------------------
    def add_action(self) -> None:
        try:
            a = self.state.add_action(self.act_title.value, self.act_owner.value,
                                      self.act_due.value, self.act_item.value)
        except ValueError as e:  # the fields keep what was typed
            self.act_msg.value = f"<p class='fk-ws-bad'>{escape(str(e))}</p>"
            return
        self.act_msg.value = f"<p class='fk-ws-ok'>Added: {escape(a['title'])}</p>"
        self.act_title.value = ""
        self.act_owner.value = ""
        self.act_due.value = ""
        self.show_actions()

    def set_status(self, action_id: int, status: str) -> None:
        try:
            self.state.set_status(action_id, status)
        except ValueError as e:
            self.act_msg.value = f"<p class='fk-ws-bad'>{escape(str(e))}</p>"
        self.show_actions()

    def show_actions(self) -> None:

        rows = []
        labels = {i: label for label, i in self.state.item_choices()}
        for a in self.state.actions():
            status = w.Dropdown(options=[(v, k) for k, v in STATUS_WORDS.items()],
                                value=a["status"], layout=w.Layout(width="120px"),
                                description=f"Status of {a['title']}")  # read aloud, not shown
            status.add_class("fk-ws-status")
            status.add_class(f"fk-ws-status-{a['id']}")
            status.observe(lambda c, i=a["id"]: self.set_status(i, c["new"]), "value")
            about = labels.get(a["item"]) or "The round as a whole"
            meta = " · ".join(x for x in (
                escape(about), f"owner: {escape(a['owner'])}" if a["owner"] else "no owner yet",
                f"due {a['due']:%d %b %Y}" if a["due"] else "no date yet") if x)
            text = ui.html(f"<div class='fk-act {escape(a['status'])}'><b>{escape(a['title'])}</b>"
                         f"<span>{meta}</span></div>", flex="1 1 240px")
            rows.append(ui.box([text, status], "fk-ws-act", width="100%"))
        self.act_table.children = rows or [ui.html("<p class='fk-note'>No actions yet. Agree the "
                                                 "first one after the discussion.</p>")]
        if rows:
            cid = self.state.round.id
            self.act_csv.value = data_link(self.state.actions_csv(), f"{cid}-actions.csv",
                                           "text/csv", "Download the actions (CSV)")
        else:
            self.act_csv.value = ""
