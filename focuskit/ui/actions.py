"""The action register as a widget, for the programme page and the dashboard: list the agreed
actions with their overdue marks and "did it work" lines; add one; change its owner, due date,
status or what it is about; close it.

``ActionRegister`` holds the register (no widgets; tested without a browser); every change
goes through the Store API, which writes it to the audit log under the staff member's name.
``ActionRegisterView`` is a thin view over it. A register made with ``editable=False`` (a
viewer's page) shows everything and changes nothing: the view offers no form, and the state
refuses any change, so a crafted message from the browser cannot write either.

The roles live in ``apps.roles``, above this layer: the page that embeds the register says
whether its visitor may change it (``editable``) and who they are (``actor``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from html import escape

import ipywidgets as w
from traitlets import Dict, HasTraits, Int, List, Unicode

from ..errors import FocuskitError
from ..names import readable
from . import parts as ui
from .style import style_tag

__all__ = ["STATUS_WORDS", "ActionRegister", "ActionRegisterView", "action_register"]

#: The register's statuses as a person reads them (the store keeps the keys).
STATUS_WORDS = {"open": "To do", "doing": "Under way", "done": "Done", "dropped": "Dropped"}
OPEN = ("open", "doing")
#: ``link`` values: "" (about nothing in particular), "item:<id>" or "section:<id>".
NO_LINK = ""
MAX_TITLE, MAX_OWNER = 300, 120
_KEEP = object()


class ActionRegister(HasTraits):
    """The actions of ``campaigns`` (ids), or of every campaign of ``programme``.

    ``rows`` are the store's action dicts (oldest first), each with ``campaign`` and
    ``overdue``; ``effects`` maps an action's id to its "did it work" finding (set by the
    page once computed); ``message`` says what the last change did or why it was refused.
    """

    rows = List()
    effects = Dict()
    message = Unicode("")
    #: counts the changes written through this register
    changes = Int(0)

    def __init__(self, store, campaigns: Sequence[str] = (), *, programme: str | None = None,
                 editable: bool = True, actor: str | None = None,
                 today: Callable[[], date] | date | None = None):
        super().__init__()
        self.store, self.programme, self.editable = store, programme, bool(editable)
        self._campaigns = list(campaigns)
        self.actor = actor
        self._today = today
        self.reload()

    # -- reading ---------------------------------------------------------------------------
    @property
    def today(self) -> date:
        if self._today is None:
            return datetime.now(UTC).date()
        return self._today() if callable(self._today) else self._today

    def campaign_ids(self) -> list[str]:
        if self.programme is not None:
            return list(self.store.programme(self.programme).campaigns)
        return list(self._campaigns)

    def reload(self) -> None:
        """Read the register from the store again."""
        if self.programme is not None:
            rows = [dict(a) for a in self.store.programme_actions(self.programme)]
        else:
            rows = [{**a, "campaign": a.get("campaign", c)}
                    for c in self._campaigns for a in self.store.actions(c)]
        today = self.today
        for a in rows:
            a["overdue"] = bool(a.get("due") and a["due"] < today and a["status"] in OPEN)
        self.rows = rows

    def action(self, id: int) -> dict:
        """One action of this register; an id from elsewhere is refused."""
        for a in self.rows:
            if a["id"] == id:
                return a
        raise FocuskitError(f"Action {id} is not in this register.")

    @property
    def overdue(self) -> list[dict]:
        return [a for a in self.rows if a["overdue"]]

    def campaign_choices(self) -> list[tuple[str, str]]:
        """(label, id) of the campaigns an action may be added to, newest wave last."""
        out = []
        for cid in self.campaign_ids():
            c = self.store.campaign(cid)
            out.append((f"{c.title} ({c.id})", c.id))
        return out

    def link_choices(self, campaign: str) -> list[tuple[str, str]]:
        """What an action on ``campaign`` can be about: nothing in particular, a section (a
        group of items) or an item (for focus levels, a dimension)."""
        inst = self.store.campaign(campaign).instrument
        word = "Dimension" if inst.id == "focus-levels" else "Item"
        out = [("Nothing in particular", NO_LINK)]
        if len(inst.sections) > 1:
            out += [(f"Section: {s.title}", f"section:{s.id}") for s in inst.sections]
        out += [(f"{word}: {readable(i.id)}", f"item:{i.id}") for i in inst.items]
        return out

    def about(self, a: dict) -> str:
        """What an action is about, in words."""
        if a.get("item"):
            return readable(a["item"])
        if a.get("section"):
            try:
                inst = self.store.campaign(a["campaign"]).instrument
                return next(s.title for s in inst.sections if s.id == a["section"])
            except (StopIteration, ValueError):
                return readable(a["section"])
        return "nothing in particular"

    # -- changing --------------------------------------------------------------------------
    def _may_change(self) -> None:
        if not self.editable:
            raise FocuskitError("Your key lets you read the actions, not change them: ask an "
                                "admin.")

    def _check(self, campaign: str, title, owner, due, link) -> tuple[list[str], dict]:
        problems, values = [], {}
        if title is not _KEEP:
            title = title.strip() if isinstance(title, str) else ""
            if not title:
                problems.append("Say what will be done (the action is empty).")
            elif len(title) > MAX_TITLE:
                problems.append(f"Keep the action under {MAX_TITLE} characters.")
            values["title"] = title
        if owner is not _KEEP:
            owner = owner.strip() if isinstance(owner, str) else ""
            if len(owner) > MAX_OWNER:
                problems.append(f"Keep the owner's name under {MAX_OWNER} characters.")
            values["owner"] = owner or None
        if due is not _KEEP:
            if due is not None and (not isinstance(due, date) or isinstance(due, datetime)):
                problems.append("Pick the due date from the calendar.")
            values["due"] = due
        if link is not _KEEP:
            link = link or NO_LINK
            if link not in {v for _, v in self.link_choices(campaign)}:
                problems.append("Pick what the action is about from the list.")
            kind, _, ident = link.partition(":")
            values["item"] = ident if kind == "item" else None
            values["section"] = ident if kind == "section" else None
        return problems, values

    def _as_actor(self) -> None:
        # The store writes each change to the audit log under its actor: this visitor.
        if self.actor:
            self.store.actor = self.actor

    def add(self, campaign: str, title: str, *, owner: str = "", due: date | None = None,
            link: str = NO_LINK, status: str = "open") -> dict:
        """Record an action on ``campaign``; returns it. Refused in words, storing nothing,
        when a field is wrong or the visitor may not change the register."""
        self._may_change()
        if campaign not in self.campaign_ids():
            raise FocuskitError("Pick a campaign of this register.")
        problems, v = self._check(campaign, title, owner, due, link)
        if status not in STATUS_WORDS:
            problems.append("Pick a status from the list.")
        if problems:
            raise FocuskitError(" ".join(problems), problems)
        self._as_actor()
        aid = self.store.add_action(campaign, v["title"], owner=v["owner"], due=v["due"],
                                    item=v["item"], section=v["section"], status=status)
        return self._changed(aid, f"Added: {v['title']}")

    def edit(self, id: int, *, title=_KEEP, owner=_KEEP, due=_KEEP, status: str | None = None,
             link=_KEEP) -> dict:
        """Change what is given of action ``id``; returns it."""
        self._may_change()
        a = self.action(id)
        problems, v = self._check(a["campaign"], title, owner, due, link)
        if status is not None and status not in STATUS_WORDS:
            problems.append("Pick a status from the list.")
        if problems:
            raise FocuskitError(" ".join(problems), problems)
        changed = {k: x for k, x in v.items() if a.get(k) != x}
        if status is not None and status != a["status"]:
            changed["status"] = status
        if not changed:
            return self._changed(id, "Nothing to change.", wrote=False)
        self._as_actor()
        self.store.update_action(id, **changed)
        return self._changed(id, f"Saved: {a['title'] if 'title' not in changed else changed['title']}")

    def close(self, id: int) -> dict:
        """Mark action ``id`` done."""
        return self.edit(id, status="done")

    def _changed(self, id: int, message: str, wrote: bool = True) -> dict:
        self.reload()
        self.message = message
        if wrote:
            self.changes += 1
        return self.action(id)

    # -- words -----------------------------------------------------------------------------
    def line(self, a: dict) -> str:
        """The action's small line: what it is about, owner, due date, status."""
        parts = [f"about {self.about(a)}",
                 f"owner: {a['owner']}" if a.get("owner") else "no owner yet",
                 f"due {a['due']:%d %b %Y}" if a.get("due") else "no date yet",
                 STATUS_WORDS.get(a["status"], a["status"])]
        return " · ".join(parts)


class ActionRegisterView:
    """The register on a page; display ``.widget``. ``campaign_words`` names a campaign in
    a row and in the form (default: its title and id); ``campaign`` is the form's first
    choice (default: the last campaign of the register)."""

    def __init__(self, state: ActionRegister, *, heading: str = "Actions",
                 campaign_words: Callable[[str], str] | None = None,
                 campaign: str | None = None):
        self.state = state
        self.editing: int | None = None
        self._names = campaign_words
        self._default = campaign
        self.head = ui.html(cls="fk-acts")
        self.list = w.VBox(layout=w.Layout(width="100%"))
        self.list.add_class("fk-acts-list")
        self.msg = ui.html(cls="fk-acts")
        self.heading = heading
        children = [ui.html(style_tag("focuskit.ui", "static/actions.css")), self.head,
                    self.list]
        if state.editable:
            self.form = self._form()
            children += [self.form, self.msg]
        self.widget = w.VBox(children, layout=w.Layout(width="100%"))
        self.widget.add_class("fk-acts")
        state.observe(lambda _c: self.show(), ["rows", "effects"])
        state.observe(lambda c: setattr(self.msg, "value", _msg(c["new"])), "message")
        self.show()

    # -- the form --------------------------------------------------------------------------
    def _form(self) -> w.Widget:
        s = self.state
        box = dict(layout=w.Layout(width="auto", max_width="100%", flex="1 1 240px"),
                   style={"description_width": "initial"})
        camps = s.campaign_choices()
        if self._names:
            camps = [(self._names(cid), cid) for _, cid in camps]
        ids = [cid for _, cid in camps]
        first = self._default if self._default in ids else (ids[-1] if ids else None)
        self.f_campaign = w.Dropdown(options=camps, value=first, description="Campaign",
                                     **box)
        self.f_title = w.Text(description="Action", placeholder="What will be done",
                              **{**box, "layout": w.Layout(width="auto", max_width="100%",
                                                           flex="2 1 320px")})
        self.f_owner = w.Text(description="Owner", placeholder="Who sees it through", **box)
        self.f_due = w.DatePicker(description="Due", **box)
        self.f_link = w.Dropdown(description="About", **box)
        self.f_status = w.Dropdown(options=[(v, k) for k, v in STATUS_WORDS.items()],
                                   value="open", description="Status", **box)
        self.f_save = w.Button(description="Add action", button_style="primary", icon="plus",
                               layout=w.Layout(width="auto"))
        self.f_cancel = w.Button(description="Cancel", layout=w.Layout(width="auto",
                                                                       display="none"))
        self.f_save.add_class("fk-acts-save")
        self.f_cancel.add_class("fk-acts-cancel")
        for x, cls in ((self.f_campaign, "campaign"), (self.f_title, "title"),
                       (self.f_owner, "owner"), (self.f_due, "due"), (self.f_link, "link"),
                       (self.f_status, "status")):
            x.add_class(f"fk-acts-{cls}")
        self.f_campaign.observe(lambda c: self._links(c["new"]), "value")
        self._links(self.f_campaign.value)
        self.f_save.on_click(lambda _b: self.save())
        self.f_cancel.on_click(lambda _b: self.cancel())
        self.f_head = ui.html("<h4>Add an action</h4>", cls="fk-acts")
        fields = w.Box([self.f_campaign, self.f_title, self.f_owner, self.f_due, self.f_link,
                        self.f_status], layout=w.Layout(flex_flow="row wrap", width="100%"))
        form = w.VBox([self.f_head, fields, w.Box([self.f_save, self.f_cancel],
                                                  layout=w.Layout(flex_flow="row wrap"))])
        form.add_class("fk-acts-form")
        return form

    def _links(self, campaign, value=NO_LINK) -> None:
        if campaign is None:
            self.f_link.options = [("Nothing in particular", NO_LINK)]
            return
        self.f_link.options = self.state.link_choices(campaign)
        self.f_link.value = value

    def start_edit(self, id: int) -> None:
        """Fill the form with action ``id``; Save changes it."""
        a = self.state.action(id)
        self.editing = id
        self.f_campaign.value = a["campaign"]
        self.f_campaign.disabled = True  # an action stays with its campaign
        link = f"item:{a['item']}" if a.get("item") else \
            f"section:{a['section']}" if a.get("section") else NO_LINK
        self._links(a["campaign"], link)
        self.f_title.value = a["title"]
        self.f_owner.value = a.get("owner") or ""
        self.f_due.value = a.get("due")
        self.f_status.value = a["status"]
        self.f_head.value = f"<h4>Change: {escape(a['title'])}</h4>"
        self.f_save.description, self.f_save.icon = "Save changes", "check"
        self.f_cancel.layout.display = None

    def cancel(self) -> None:
        self.editing = None
        self.f_campaign.disabled = False
        self.f_title.value = self.f_owner.value = ""
        self.f_due.value = None
        self.f_status.value = "open"
        self._links(self.f_campaign.value)
        self.f_head.value = "<h4>Add an action</h4>"
        self.f_save.description, self.f_save.icon = "Add action", "plus"
        self.f_cancel.layout.display = "none"

    def save(self) -> None:
        s = self.state
        try:
            if self.editing is None:
                s.add(self.f_campaign.value, self.f_title.value, owner=self.f_owner.value,
                      due=self.f_due.value, link=self.f_link.value, status=self.f_status.value)
            else:
                s.edit(self.editing, title=self.f_title.value, owner=self.f_owner.value,
                       due=self.f_due.value, link=self.f_link.value, status=self.f_status.value)
        except (FocuskitError, ValueError) as e:  # the fields keep what was typed
            self.msg.value = _msg(str(e), bad=True)
            return
        self.cancel()

    def close(self, id: int) -> None:
        try:
            self.state.close(id)
        except (FocuskitError, ValueError) as e:
            self.msg.value = _msg(str(e), bad=True)

    # -- the list --------------------------------------------------------------------------
    def show(self) -> None:
        s = self.state
        late = len(s.overdue)
        self.head.value = (f"<h3>{escape(self.heading)}</h3><p class='fk-acts-sum'>"
                           + (f"{len(s.rows)} action{'' if len(s.rows) == 1 else 's'}"
                              + (f"; <b class='fk-late'>{late} overdue</b>" if late else
                                 "; none overdue") if s.rows else
                              "No actions yet." + (" Add the first one below."
                                                   if s.editable else ""))
                           + "</p>")
        rows = []
        for a in sorted(s.rows, key=lambda a: (not a["overdue"], a["status"] not in OPEN,
                                               a.get("due") or date.max, a["id"])):
            card = ui.html(self.card_html(a), cls="fk-acts", flex="1 1 260px")
            kids = [card]
            if s.editable:
                edit = w.Button(description="Edit", icon="pencil",
                                tooltip=f"Change {a['title']}", layout=w.Layout(width="auto"))
                edit.add_class("fk-acts-edit")
                edit.on_click(lambda _b, i=a["id"]: self.start_edit(i))
                kids.append(edit)
                if a["status"] in OPEN:
                    done = w.Button(description="Close", icon="check",
                                    tooltip=f"Mark {a['title']} done",
                                    layout=w.Layout(width="auto"))
                    done.add_class("fk-acts-close")
                    done.on_click(lambda _b, i=a["id"]: self.close(i))
                    kids.append(done)
            row = ui.box(kids, "fk-acts-row", width="100%", align_items="flex-start")
            row.add_class(f"fk-act-{a['id']}")
            rows.append(row)
        self.list.children = rows

    def card_html(self, a: dict) -> str:
        s = self.state
        name = self._names(a["campaign"]) if self._names else a["campaign"]
        late = "<span class='fk-late'>Overdue</span> " if a["overdue"] else ""
        out = (f"<div class='fk-act {escape(a['status'])}{' late' if a['overdue'] else ''}'>"
               f"<div class='fk-act-t'>{late}<b>{escape(a['title'])}</b></div>"
               f"<div class='fk-act-m'>{escape(name)} · {escape(s.line(a))}</div>")
        f = s.effects.get(a["id"])
        if f is not None:
            out += (f"<div class='fk-act-e'><span class='fk-act-q'>Did it work?</span> "
                    f"{escape(f.sentence)}</div>")
            if f.details:
                out += (f"<details class='fk-act-d'><summary>How we can tell</summary>"
                        f"{escape(f.details)}</details>")
        return out + "</div>"


def _msg(text: str, bad: bool = False) -> str:
    if not text:
        return ""
    cls = "fk-acts-bad" if bad else "fk-acts-ok"
    return f"<p class='{cls}' role='status'>{escape(text)}</p>"


def action_register(store, campaigns: Sequence[str] = (), *, programme: str | None = None,
                    editable: bool = True, actor: str | None = None,
                    heading: str = "Actions") -> ActionRegisterView:
    """The register's view over a new state (see ``ActionRegister``)."""
    return ActionRegisterView(ActionRegister(store, campaigns, programme=programme,
                                             editable=editable, actor=actor), heading=heading)
