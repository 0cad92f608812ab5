"""The trainer's workshop board (``notebooks/workshop.ipynb``): create or pick a round, put its
join link and QR code on the projector, watch the count rise, reveal the room's results when
everyone is done, lead the discussion of disagreements, and keep an action register.

``WorkshopState`` holds the round and everything the board shows: a traitlets HasTraits with
no widget in sight (tested without a browser), whose ``rounds`` and ``round`` traits a thin
ipywidgets view (``view.WorkshopBoard``) observes; ``LiveCount`` polls the store from a
background thread.

A round is an ordinary campaign whose id starts with ``ws-``: the marker travels in the join
link and the store needs no new column, and the board lists only such campaigns, so a trainer
never opens (or reveals) an organisation's survey by mistake. The round's first rater group is
the room (``self`` unless chosen otherwise); its other groups can be asked through other links
(customers, partners) and show up as gaps after the reveal.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime

from traitlets import HasTraits, Instance, List

from ...config import respondent_base
from ...instruments import builtin_ids, load_instrument
from ...links import join_url, loopback_host
from ...names import readable
from ...names import slug as make_slug
from ...store import Campaign, Store
from ..questionnaire.invites import shared_link
from .live import LiveCount

__all__ = ["PREFIX", "LiveCount", "RoomResults", "WorkshopState", "parse_due"]

PREFIX = "ws-"
DEFAULT_INSTRUMENT = "focus-levels"
MAX_EXPECTED = 1000  # people in one room; the store's own limit
MIN_K = 3  # below three, two people who talk can work out the third one's answers
OTHERS = ("customer", "partner", "internal")  # groups compared with the room after the reveal
DISCUSS = 3  # items put up for discussion
_DATE_FORMATS = ("%Y-%m-%d", "%d %b %Y", "%d %B %Y", "%b %d %Y", "%B %d %Y")


def parse_due(text, today: date | None = None) -> date | None:
    """A due date typed by a person: ``2026-12-31`` or ``31 Dec 2026``; blank gives None.

    Raises ValueError saying how to write it. Slashed dates are refused: 03/04 is March in
    one room and April in the next.
    """
    if isinstance(text, date) and not isinstance(text, datetime):
        day = text
    else:
        s = re.sub(r"\s+", " ", str(text or "").replace(",", " ")).strip()
        if not s:
            return None
        for fmt in _DATE_FORMATS:
            try:
                day = datetime.strptime(s, fmt).date()
                break
            except ValueError:
                continue
        else:
            raise ValueError(f"“{s[:40]}” is not a date I can read. Write it like 2026-12-31 "
                             "or 31 Dec 2026.")
    if today is not None and day < today:
        raise ValueError(f"{day:%d %b %Y} has already passed. Pick today or a later day.")
    return day


def item_label(item_id: str) -> str:
    return readable(item_id)


@dataclass
class RoomResults:
    """What the reveal shows. Figures the analysis withholds come with the reason, not values."""

    room: str
    k: int
    n: int  # the room's submissions the figures are about
    waiting: int = 0  # sent, but held back until enough more have arrived
    agenda: object = None  # discussion_agenda's frame, or None when there is nothing to rank
    withheld: str | None = None  # why the room's figures are hidden, in plain words
    discuss: list[dict] = field(default_factory=list)
    gaps: dict = field(default_factory=dict)  # other group -> perception_gaps frame
    gaps_withheld: dict = field(default_factory=dict)  # other group -> reason


class WorkshopState(HasTraits):
    """The picked round, its live count, the reveal gate and the action register.

    ``rounds`` (the store's rounds, newest first) and ``round`` (the picked one, as last read:
    its ``revealed`` and ``expected`` too) are replaced, never mutated, so observers fire: the
    view redraws the stage when another round is picked, and the results when the same round
    is revealed or hidden.
    """

    rounds = List()
    round = Instance(Campaign, allow_none=True)

    def __init__(self, store: Store, round: str | None = None, *, base: str | None = None,
                 today=date.today, pool=None):
        super().__init__()
        self.store = store
        # What the respondents' door has ready ({"ready": 28, "wanted": 30, "note": ""}, or
        # None): a callable, so the board reads it at every poll; None where nobody tells.
        self._pool = pool
        self._base = base
        self._today = today
        self._results = None
        self.refresh_rounds()
        if round is None and self.rounds:
            round = self.rounds[0].id
        if round is not None:
            self.pick(round)

    # -- rounds ----------------------------------------------------------------------------
    def refresh_rounds(self) -> list:
        self.rounds = [c for c in self.store.campaigns() if c.id.startswith(PREFIX)]
        return self.rounds

    def organisation(self) -> str:
        """The organisation of the newest campaign that names one: the new round's default."""
        return next((c.organisation for c in self.store.campaigns() if c.organisation), "")

    @staticmethod
    def instruments() -> list[tuple[str, str]]:
        """(title, id) of the built-in instruments, the usual workshop one first."""
        ids = sorted(builtin_ids(), key=lambda i: (i != DEFAULT_INSTRUMENT, i))
        return [(load_instrument(i).title, i) for i in ids]

    def new_id(self, title: str) -> str:
        slug = make_slug(title, "-", 40)
        tail = "".join(secrets.choice("abcdefghjkmnpqrstuvwxyz23456789") for _ in range(4))
        return f"{PREFIX}{slug + '-' if slug else ''}{tail}"

    def create_round(self, title: str, instrument: str = DEFAULT_INSTRUMENT,
                     min_group_size: int = MIN_K, room: str = "self", organisation: str = "",
                     expected: int | None = None):
        """Create a round and pick it. Raises ValueError listing what to fix.

        ``organisation`` is who "we" and "our" mean in the questions (shown to respondents);
        ``expected`` how many people are in the room (None or 0: not said), for "24 of 30".
        """
        problems = []
        if expected in (0, None, ""):
            expected = None
        elif isinstance(expected, bool) or not isinstance(expected, int) \
                or not 1 <= expected <= MAX_EXPECTED:
            problems.append(f"The number of people expected must be a whole number from 1 to "
                            f"{MAX_EXPECTED} (or 0 if you do not know).")
        organisation = organisation.strip() if isinstance(organisation, str) else ""
        if len(organisation) > 120:
            problems.append("Keep the organisation’s name under 120 characters.")
        title = title.strip() if isinstance(title, str) else ""
        if not title:
            problems.append("Give the round a name, e.g. “Leadership team, 12 March”.")
        elif len(title) > 120:
            problems.append("Keep the name under 120 characters.")
        if isinstance(min_group_size, bool) or not isinstance(min_group_size, int) \
                or not MIN_K <= min_group_size <= 100:
            problems.append(f"The smallest group must be a whole number from {MIN_K} to 100: "
                            f"with fewer than {MIN_K}, people could work out each other’s "
                            "answers.")
        try:
            inst = load_instrument(instrument)
        except ValueError:
            problems.append(f"There is no questionnaire called {instrument!r}.")
            inst = None
        if inst is not None and room not in inst.audiences:
            problems.append(f"{inst.title} is not asked of the group {room!r}.")
        if problems:
            raise ValueError(" ".join(problems))
        groups = [room] + [g for g in inst.audiences if g != room]
        camp = self.store.create_campaign(self.new_id(title), title, inst, rater_groups=groups,
                                          min_group_size=min_group_size,
                                          organisation=organisation, expected=expected)
        self.refresh_rounds()
        self.pick(camp.id)
        return camp

    def pick(self, round: str) -> None:
        """Pick the round ``round`` (or read the picked one again: a reveal elsewhere)."""
        self._results = None  # before the change: an observer may draw the results at once
        self.round = self.store.campaign(round)

    def _need_round(self):
        if self.round is None:
            raise ValueError("No round is picked yet. Create one first.")
        return self.round

    @property
    def room(self) -> str:
        """The rater group of the people in the room (the round's first group)."""
        return self._need_round().rater_groups[0]

    # -- joining ---------------------------------------------------------------------------
    @property
    def base(self) -> str:
        return self._base or respondent_base()

    @property
    def join_link(self) -> str:
        """The shared link: each person who opens it is given a code of their own."""
        return shared_link(self.store, self._need_round().id, self.room, base=self.base)

    @property
    def join_code(self) -> str:
        """The round's join code (``7KQ4MX``): the same on every board and server of this
        store, made the first time a board shows the round."""
        return self.store.join_code(self._need_round().id, self.room)

    @property
    def join_short(self) -> str:
        """The code's short address on the respondents' door (``http://HOST:8866/j/7KQ4MX``)."""
        return join_url(self.base, self.join_code)

    @property
    def reach_problem(self) -> str | None:
        """The host of the join link when only this computer can open it (127.0.0.1,
        localhost), else None: the board then tells the trainer how to restart the server."""
        return loopback_host(self.base)

    def qr_svg(self) -> str:
        """The join link's QR code as inline SVG that scales to its box (no fixed size)."""
        import segno

        qr = segno.make(self.join_link, error="m")
        return qr.svg_inline(scale=1, border=2, omitsize=True, dark="#102a43",
                             svgclass="fk-qr-svg", title="QR code of the join link")

    def counts(self) -> dict:
        """People of the room answering now (a draft saved in the last two minutes) and
        people of the room who have sent their answers, against how many are expected (None:
        not said); other rater groups' answers sent, only for groups of at least the minimum
        size: a smaller group is not named at all, since "fewer than 3 customers" would
        already say that a customer took part."""
        rnd = self._need_round()
        c = self.store.counts(rnd.id)
        k = rnd.min_group_size
        groups = {g: n for g, n in c["groups"].items() if g == self.room or n >= k}
        # The stored reveal and expected number too: another screen (the trainer's phone) may
        # reveal, hide, or correct the number.
        now = self.store.campaign(rnd.id)
        return {"answering": self.store.answering(rnd.id, rater_group=self.room),
                "sent": c["groups"].get(self.room, 0), "expected": now.expected,
                "groups": groups, "revealed": now.revealed, "ready": self.pool()}

    def pool(self) -> dict | None:
        """How many questionnaires the server has ready, and for how many people, as the
        server says it ({"ready": 28, "wanted": 30, "note": why fewer}); None when unknown."""
        try:
            got = self._pool() if self._pool is not None else None
        except Exception:  # noqa: BLE001 - a missing or garbled status is only left out
            return None
        if not isinstance(got, dict) or not all(
                isinstance(got.get(k), int) and not isinstance(got.get(k), bool)
                for k in ("ready", "wanted")):
            return None
        return {"ready": got["ready"], "wanted": got["wanted"],
                "note": str(got.get("note") or "")[:300]}

    def set_expected(self, expected: int | None) -> None:
        """Change how many people the round expects (None or 0: not said)."""
        self.round = self.store.set_expected(self._need_round().id, expected or None)

    # -- the reveal ------------------------------------------------------------------------
    @property
    def revealed(self) -> bool:
        return self.round is not None and self.round.revealed

    def reveal(self, revealed: bool = True) -> None:
        """Show (or hide again) the room's results; stored, so a reload keeps it."""
        self._results = None
        self.round = self.store.reveal(self._need_round().id, revealed)

    def results(self, refresh: bool = False) -> RoomResults | None:
        """The room's results, computed only once revealed: None before, never a figure."""
        if not self.revealed:
            return None
        if self._results is None or refresh:
            self._results = self._compute()
        return self._results

    def _compute(self) -> RoomResults:
        from ... import analysis as fa

        camp, room = self.round, self.room
        frame = self.store.responses(camp.id)
        k = int(frame.attrs["min_group_size"])
        sent = int(frame.loc[frame["rater_group"] == room, "submission"].nunique())
        if sent == 0:
            res = RoomResults(room=room, k=k, n=0)
            res.withheld = "Nobody in the room has sent their answers yet."
            return res
        # The room's figures refresh only in steps of k answers (the one disclosure rule):
        # a latecomer's answers wait until k-1 more have come, or comparing the board before
        # and after would give them away.
        counts = fa.respondents(frame, by=[], where={"rater_group": room})
        shown = 0 if counts["suppressed"].iloc[0] else int(counts["n"].iloc[0])
        res = RoomResults(room=room, k=k, n=shown or sent, waiting=sent - shown if shown else 0)
        res.agenda = agenda = fa.discussion_agenda(frame, group=room)
        if agenda["suppressed"].all():
            # The live count already shows how many sent; their answers stay hidden.
            n = sent
            res.withheld = (f"Only {n} {'person has' if n == 1 else 'people have'} sent their "
                            f"answers. The room’s results stay hidden until at least {k} have, "
                            "so that nobody’s answers can be picked out.")
        else:
            res.discuss = self._discussion(agenda)
        for other in OTHERS:
            if other == room or not (frame["rater_group"] == other).any():
                continue
            gaps = fa.perception_gaps(frame, room, other)
            if gaps["suppressed"].all():
                res.gaps_withheld[other] = (f"Fewer than {k} {other}s rated this round, so "
                                            "their view stays hidden to keep it anonymous.")
            else:
                res.gaps[other] = gaps
        return res

    def _discussion(self, agenda) -> list[dict]:
        """The most disputed items, each with every level descriptor of the item and which
        ones the room's lowest and highest ratings sit nearest."""
        inst = self.round.instrument
        scale = inst.facet(inst.facets[0].id).scale
        out = []
        for r in agenda[~agenda["suppressed"] & (agenda["range"] > 0)].head(DISCUSS).itertuples():
            item = inst.item(r.item)
            levels = [dict(label=a.label, text=item.levels.get(a.key),
                           low=a.label == r.low_label, high=a.label == r.high_label)
                      for a in sorted(scale.anchors, key=lambda a: a.value)]
            out.append(dict(item=r.item, name=item_label(r.item), prompt=item.prompt,
                            spread=str(r.spread), low=int(r.low), high=int(r.high),
                            low_label=r.low_label, high_label=r.high_label,
                            levels=[lv for lv in levels if lv["text"]]))
        return out

    # -- the action register ---------------------------------------------------------------
    def item_choices(self) -> list[tuple[str, str]]:
        """(label, item id) for the action form; the whole round ("") first."""
        items = [(item_label(i.id), i.id) for i in self._need_round().instrument.items]
        return [("The round as a whole", "")] + items

    def actions(self) -> list[dict]:
        return self.store.actions(self._need_round().id) if self.round is not None else []

    def add_action(self, title: str, owner: str = "", due="", item: str | None = None) -> dict:
        """Record an agreed action. Raises ValueError with every problem; stores nothing then."""
        camp = self._need_round()
        problems = []
        title = title.strip() if isinstance(title, str) else ""
        if not title:
            problems.append("Say what will be done (the action is empty).")
        elif len(title) > 300:
            problems.append("Keep the action under 300 characters.")
        owner = owner.strip() if isinstance(owner, str) else ""
        if len(owner) > 120:
            problems.append("Keep the owner’s name under 120 characters.")
        try:
            due = parse_due(due, today=self._today())
        except ValueError as e:
            problems.append(str(e))
        item = item or None  # "" is the form's "the round as a whole"
        if item is not None and item not in {i.id for i in camp.instrument.items}:
            problems.append("Pick the dimension from the list.")
        if problems:
            raise ValueError(" ".join(problems))
        aid = self.store.add_action(camp.id, title, owner=owner or None, due=due, item=item)
        return next(a for a in self.actions() if a["id"] == aid)

    def set_status(self, action_id: int, status: str) -> dict:
        if action_id not in {a["id"] for a in self.actions()}:
            raise ValueError("That action is not in this round.")
        return self.store.update_action(action_id, status=status)

    def actions_csv(self) -> bytes:
        """The register as CSV (UTF-8, CRLF), cells escaped so a spreadsheet runs nothing."""
        import pandas as pd

        from ...io.exports import escape_cells

        cols = ["id", "item", "title", "owner", "due", "status", "created_at"]
        df = pd.DataFrame(self.actions(), columns=cols + ["campaign"])[cols]
        df["due"] = df["due"].map(lambda d: d.isoformat() if d else "")
        df["created_at"] = df["created_at"].map(
            lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ") if d is not None else "")
        return escape_cells(df).to_csv(index=False, lineterminator="\r\n").encode("utf-8")
