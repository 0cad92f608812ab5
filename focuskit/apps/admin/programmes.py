"""The admin page's work on programmes and waves, a mixin of ``state.AdminState``.

A programme holds one organisation's campaigns across instruments; a wave repeats a campaign
a year (or so) later. The store keeps both and writes the audit log; this part adds what a
page needs: refusals in plain words before the store is asked, a double click or a resent
message that changes nothing, and the programme table (``programme_rows``) kept up to date
with the campaigns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from traitlets import HasTraits, List

from ...errors import FocuskitError
from ...names import slug
from ...store.records import Campaign, Programme

__all__ = ["Lens", "ProgrammeMade", "ProgrammeRow", "Programmes", "WaveMade"]

#: The store's rule for ids, said here first so that the page can suggest a fix.
ID = re.compile(r"[a-z0-9][a-z0-9-]{0,62}[a-z0-9]")


@dataclass(frozen=True)
class ProgrammeMade:
    """What ``create_programme`` did: False when this exact request was already done."""

    programme: Programme
    created: bool


@dataclass(frozen=True)
class WaveMade:
    """What ``new_wave`` did: the wave, and False when this exact request was already done."""

    campaign: Campaign
    created: bool


@dataclass(frozen=True)
class Lens:
    """One instrument's campaigns in a programme: each chain of waves, oldest wave first
    (rows as ``AdminState.rows`` makes them)."""

    instrument: str
    title: str
    chains: tuple[tuple[dict, ...], ...]


@dataclass(frozen=True)
class ProgrammeRow:
    id: str
    title: str
    organisation: str
    lenses: tuple[Lens, ...]  # in the order their first campaign was added


def _id_problem(what: str, id: str) -> str | None:
    if ID.fullmatch(id):
        return None
    hint = slug(id, "-", 64)
    return (f"the {what} id {id!r} may hold only lowercase letters, digits and hyphens, 2 to "
            "64 of them" + (f": try {hint!r}" if len(hint) >= 2 else ""))


def _refuse(head: str, problems: list[str]) -> FocuskitError:
    """One refusal naming every problem, in its message too (as the store's errors do)."""
    return FocuskitError(head + "\n" + "\n".join(f"  - {p}" for p in problems), problems)


def _same(a: str, b: str) -> bool:
    """Whether the store takes a campaign of organisation ``a`` into a programme of ``b``:
    one name holds the other, case and spacing aside (the store's rule, said again here to
    offer only what it takes)."""
    a, b = (" ".join(x.split()).casefold() for x in (a, b))
    return a in b or b in a


class Programmes(HasTraits):
    """Programmes and waves on ``self.store``; needs ``reload``, ``campaign`` and ``_done``
    from ``AdminState``."""

    #: ``programme_table()``: one ProgrammeRow per programme, in the store's order.
    programme_rows = List()

    # -- reading ---------------------------------------------------------------------------
    def programme_table(self, rows: list[dict]) -> list[ProgrammeRow]:
        """The programmes, their campaigns grouped by instrument and chained into waves;
        ``rows`` are the campaign rows (which carry the counts), so nothing is read twice."""
        by_id = {r["id"]: r for r in rows}
        out = []
        for p in self.store.programmes():
            mine = [by_id[c] for c in p.campaigns if c in by_id]
            nexts = {r["previous"]: r for r in mine if r["previous"]}
            lenses: dict[str, list] = {}
            for r in mine:
                if r["previous"] in {m["id"] for m in mine}:
                    continue  # a later wave: its chain starts at its first wave
                chain = [r]
                while chain[-1]["id"] in nexts and len(chain) <= len(mine):
                    chain.append(nexts[chain[-1]["id"]])
                lenses.setdefault(r["instrument"], []).append(tuple(chain))
            out.append(ProgrammeRow(p.id, p.title, p.organisation, tuple(
                Lens(iid, chains[0][0]["instrument_title"], tuple(chains))
                for iid, chains in lenses.items())))
        return out

    def unplaced(self, programme: str | None = None) -> list[tuple[str, str]]:
        """(label, id) of the campaigns in no programme yet, for a picker; with a
        ``programme``, only those of its organisation (or of none named), as the store takes."""
        org = next((p.organisation for p in self.programme_rows if p.id == programme), None)
        return [(f"{r['title']} ({r['id']})" + (f" · wave {r['wave']}" if r["wave"] > 1 else ""),
                 r["id"]) for r in self.campaign_rows if not r["programme"]
                and (org is None or not r["organisation"].strip()
                     or _same(r["organisation"], org))]

    def next_wave(self, campaign: str) -> Campaign | None:
        """The wave after ``campaign``, or None when it is the latest."""
        return next((c for c in self.store.waves(campaign) if c.previous == campaign), None)

    def default_wave_id(self, campaign: Campaign) -> str:
        """The id the store gives ``campaign``'s next wave when none is typed."""
        return f"{self.store.waves(campaign.id)[0].id}-w{campaign.wave + 1}"

    # -- programmes ------------------------------------------------------------------------
    def create_programme(self, id: str, title: str, organisation: str) -> ProgrammeMade:
        """A new programme (``focuskit programme new``); the id is made from the title when
        left blank. The same request twice returns the first with ``created=False``."""
        title = str(title or "").strip()
        organisation = str(organisation or "").strip()
        id = str(id or "").strip() or slug(title, "-", 64)
        problems = []
        if not title:
            problems.append("give the programme a title, e.g. 'Alder Valley assessment'")
        if not organisation:
            problems.append("name the organisation the programme assesses")
        if id:
            problems.append(_id_problem("programme", id))
        elif title:
            problems.append("give the programme an id: the title has no letters or digits "
                            "to make one from")
        problems = [p for p in problems if p]
        if problems:
            raise _refuse("no programme created:", problems)
        key = ("programme", id, title, organisation)
        if self._done.get(key) == id:
            try:
                return ProgrammeMade(self.store.programme(id), False)
            except FocuskitError:  # deleted behind our back: create it again below
                pass
        if any(p.id == id for p in self.store.programmes()):
            raise FocuskitError(f"a programme {id!r} exists already: choose another id, or add "
                                "campaigns to that one below")
        made = self.store.create_programme(id, title, organisation=organisation)
        self._done[key] = id
        self.reload()
        return ProgrammeMade(made, True)

    def add_to_programme(self, programme: str, campaign: str) -> list[str]:
        """Put ``campaign`` and every wave of it into ``programme``
        (``focuskit programme add``); returns the campaign ids added (none when they were
        in it already, e.g. after a double click)."""
        if not programme:
            raise FocuskitError("create a programme first, then add campaigns to it")
        if not campaign:
            raise FocuskitError("pick a campaign to add: every campaign is in a programme "
                                "already, or there is none yet")
        prog = self.store.programme(programme)
        camp = self.campaign(campaign)
        if camp.programme == prog.id:
            self.reload()
            return []
        if camp.programme:
            other = self.store.programme(camp.programme)
            raise FocuskitError(f"{camp.id} is in the programme {other.title!r} ({other.id}) "
                                "already, and a campaign belongs to one programme at most; "
                                "nothing was changed")
        after = self.store.add_to_programme(prog.id, camp.id)
        self.reload()
        return [c for c in after.campaigns if c not in prog.campaigns]

    # -- waves -----------------------------------------------------------------------------
    def new_wave(self, campaign: str, title: str, id: str = "") -> WaveMade:
        """The next wave of ``campaign`` (``focuskit campaign wave``): the same questionnaire,
        rater groups, segments and thresholds, no codes or answers. Refused when the campaign
        has a next wave already, unless this exact request made it (a double click)."""
        camp = self.campaign(campaign)
        title = str(title or "").strip()
        id = str(id or "").strip()
        problems = [] if title else [f"give the new wave a title, e.g. '{camp.title}, next year'"]
        if id:
            problems.append(_id_problem("wave", id))
        elif len(self.default_wave_id(camp)) > 64:  # the store would point at a CLI flag
            problems.append(f"the id made for it, {self.default_wave_id(camp)!r}, is longer "
                            "than 64 characters: type a shorter one under Id")
        problems = [p for p in problems if p]
        if problems:
            raise _refuse("no wave created:", problems)
        key = ("wave", camp.id, title, id)
        later = self.next_wave(camp.id)
        if later is not None:
            if self._done.get(key) == later.id:
                self.reload(later.id)
                return WaveMade(later, False)
            self.reload()  # another tab or person made it: show it
            last = self.store.waves(camp.id)[-1]
            tip = "" if last.id == later.id else f"; the latest wave is {last.id}"
            raise FocuskitError(f"{camp.id} has its next wave already, {later.id} "
                                f"({later.title}){tip}. Nothing was made: pick the latest "
                                "wave to start the one after it.")
        try:
            made = self.store.create_wave(camp.id, title=title, id=id or None)
        except FocuskitError:
            self.reload()  # e.g. another tab's wave got there first: show it
            raise
        self._done[key] = made.id
        self.reload(made.id)
        return WaveMade(made, True)
