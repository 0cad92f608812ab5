"""A programme's findings: one picture across the six lenses, what changed between waves,
and whether the agreed actions worked.

The programme page and the programme report both lay out ``summary``; neither words a
finding of its own. Each lens reads its latest wave through the campaign findings
(``campaign.collect`` over a ``Results``), so a lens card says exactly what that campaign's
dashboard says, and withholds exactly what it withholds.

The lens cards are cheap; what changed (``ProgrammeSummary.trend``) and the actions' "did it
work" (``ProgrammeSummary.actions``) read every wave and are computed the first time they are
asked for, so that a page can show the cards first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cached_property

from ..names import readable
from . import campaign as fc
from .model import Finding
from .results import Results

__all__ = ["LENSES", "Lens", "ProgrammeSummary", "is_overdue", "stamp", "summary"]

#: The lenses in the order an executive reads them: (instrument, what it answers).
LENSES = (
    ("focus-levels", "Where we stand, where our leaders disagree, and how customers and "
                     "partners see us"),
    ("blocks", "What blocks customer focus, and whether its roots are in systems or people"),
    ("say-do", "Whether we do what we say"),
    ("expectations", "Which customer expectations to work on first"),
    ("external-focus", "Whether we respond to customers, anticipate them, or shape their "
                       "needs"),
    ("contact-programme", "How mature our customer-contact programme is"),
)

#: Which of a campaign's findings make its lens, per instrument: the tab (``campaign``
#: section) and the kinds kept from it, in order. What a withheld or empty tab says is kept
#: too (it is the truthful answer).
PICK = {
    "focus-levels": (("levels", ("standing", "outside-view")), ("agreement", ("disagreement",)),
                     ("outside", ("gap",)), ("benchmark", ("benchmark",)),
                     ("next", ("next-step",))),
    "blocks": (("blocks", ("block", "root-cause")), ("next", ("next-step",))),
    "say-do": (("saydo", ("say-do", "say-do-area")), ("benchmark", ("benchmark",)),
               ("next", ("next-step",))),
    "expectations": (("priorities", ("priority", "concentrate")), ("next", ("next-step",))),
    "external-focus": (("outside", ("external-level", "external-gap")),
                       ("next", ("next-step",))),
    "contact-programme": (("contact", ("maturity", "adli-range")), ("next", ("next-step",))),
}
#: What a section says when it cannot say anything else: kept wherever it comes.
TRUTHFUL = ("withheld", "empty", "none")
#: How many findings of one kind a lens keeps (the first disagreement, the first next step).
ONCE = ("disagreement", "next-step")
OPEN_STATUSES = ("open", "doing")


@dataclass
class Lens:
    """One instrument's place in the programme.

    ``campaign`` is the latest wave's id (None: no campaign yet); ``waves`` the chain's ids,
    oldest first; ``findings`` what its latest answered wave says; ``missing`` whether the
    programme has no campaign for it (``findings`` then offers to create one)."""

    instrument: str
    title: str
    question: str
    campaign: str | None
    waves: list[str]
    findings: list[Finding]
    missing: bool
    #: the wave the findings are read from (the latest with answers)
    read_from: str | None = None
    freshness: str = ""
    #: released respondents of the wave read (None: withheld)
    n: int | None = None
    latest: datetime | None = None
    #: the lens's waves as read (``summary`` reuses a lens whose waves have not changed)
    stamp: tuple | None = field(default=None, repr=False)

    @property
    def headline(self) -> Finding | None:
        return self.findings[0] if self.findings else None


@dataclass
class ProgrammeSummary:
    """What a programme says. ``lenses`` are computed at once; ``trends`` (the tables),
    ``trend`` and ``trend_by_lens`` (the findings) and ``actions`` on first use (each reads
    every wave)."""

    programme: object
    lenses: list[Lens]
    freshness: str
    now: datetime
    store: object = field(repr=False, default=None)
    chains: dict = field(repr=False, default_factory=dict)

    # -- what changed --------------------------------------------------------------------
    @cached_property
    def trends(self) -> dict:
        """Per lens with more than one answered wave: its trend table (``analysis.trend``);
        a lens whose trend cannot be worked out is left out (``trend_by_lens`` says why)."""
        out, lent = {}, self.__dict__.get("_lent_trends", {})
        if all(len(lens.waves) < 2 for lens in self.lenses):
            return out
        from ..analysis import trend

        for lens in self.lenses:
            if lens.instrument in lent:
                out[lens.instrument] = lent[lens.instrument]
                continue
            frames = [f for f in (self._frame(c) for c in lens.waves) if len(f)]
            if len(frames) < 2:
                continue
            try:
                out[lens.instrument] = trend(frames, by="item")
            except ValueError as e:  # said in trend_by_lens, never a broken page
                self.__dict__.setdefault("_trend_errors", {})[lens.instrument] = str(e)
        return out

    @cached_property
    def trend_by_lens(self) -> dict[str, list[Finding]]:
        """What changed, per lens with more than one answered wave (``findings.trend``)."""
        if not self.trends and not self.__dict__.get("_trend_errors"):
            return {}
        from .trend import since_words, trend_findings

        out = {}
        for lens in self.lenses:
            if lens.instrument in self.trends:
                answered = [c for c in lens.waves if len(self._frame(c))]
                out[lens.instrument] = trend_findings(
                    self.trends[lens.instrument], self._campaign(lens.waves[-1]).instrument,
                    since=since_words([self._frame(c) for c in answered]))
            elif lens.instrument in self.__dict__.get("_trend_errors", {}):
                out[lens.instrument] = [Finding(
                    "trend-none", "What changed cannot be worked out for this lens: "
                    f"{self._trend_errors[lens.instrument]}.")]
        return out

    @cached_property
    def trend(self) -> list[Finding]:
        """What changed between waves, lens by lens, in the lenses' order."""
        return [f for found in self.trend_by_lens.values() for f in found]

    # -- actions -------------------------------------------------------------------------
    @cached_property
    def actions(self) -> list[dict]:
        """Every action of the programme, oldest first, each with ``overdue`` (due before
        today and still open or doing), ``lens`` (its instrument) and ``effect`` (the "did
        it work" finding, ``findings.trend.action_findings``; None where the action's
        campaign is in no wave chain of a lens)."""
        rows = [dict(a) for a in self.store.programme_actions(self.programme.id)]
        today = self.now.date()
        by_chain: dict[tuple, list[dict]] = {}
        for a in rows:
            a["overdue"] = is_overdue(a, today)
            chain = self.chains.get(a["campaign"])
            a["lens"] = self._campaign(a["campaign"]).instrument.id
            a["effect"] = None
            if chain is not None:
                by_chain.setdefault(chain, []).append(a)
        if by_chain:
            from ..analysis import action_effects
            from .trend import action_findings

            for chain, acts in by_chain.items():
                frames = [f for f in (self._frame(c) for c in chain) if len(f)]
                # An action on a wave without answers yet has nothing to measure (and would
                # make action_effects refuse every action of the chain).
                answered = {f.attrs.get("campaign") for f in frames}
                acts = [a for a in acts if a["campaign"] in answered]
                if not frames or not acts:
                    continue
                try:
                    found = action_findings(action_effects(frames, acts))
                except ValueError:  # e.g. an action on a wave without answers: no verdict
                    continue
                by_id = {f.numbers.get("action"): f for f in found}
                for i, a in enumerate(acts):  # by id where the finding names it, else in order
                    a["effect"] = by_id[a["id"]] if a["id"] in by_id else \
                        found[i] if len(found) == len(acts) else None
        return rows

    def forget_actions(self) -> None:
        """Read the actions again at the next use of ``actions`` (one was added or changed)."""
        self.__dict__.pop("actions", None)

    @property
    def overdue(self) -> list[dict]:
        return [a for a in self.actions if a["overdue"]]

    def lens(self, instrument: str) -> Lens:
        return next(x for x in self.lenses if x.instrument == instrument)

    # -- reading the store once ----------------------------------------------------------
    def _campaign(self, cid: str):
        cache = self.__dict__.setdefault("_campaigns", {})
        if cid not in cache:
            cache[cid] = self.store.campaign(cid)
        return cache[cid]

    def _frame(self, cid: str):
        cache = self.__dict__.setdefault("_frames", {})
        if cid not in cache:
            cache[cid] = self.store.responses(cid)
        return cache[cid]


def is_overdue(action: dict, today: date) -> bool:
    """Due before ``today`` and still open or being done."""
    due = action.get("due")
    if isinstance(due, datetime):
        due = due.date()
    return due is not None and due < today and action.get("status") in OPEN_STATUSES


def _now(now) -> datetime:
    if now is None:
        return datetime.now(UTC)
    if isinstance(now, datetime):
        return now if now.tzinfo else now.replace(tzinfo=UTC)
    return datetime(now.year, now.month, now.day, tzinfo=UTC)  # a date


def _chains(store, programme) -> dict[tuple, object]:
    """The programme's wave chains (ids oldest first) with their campaigns: the programme
    lists every wave, so each chain is read once."""
    chains, seen = {}, set()
    for cid in programme.campaigns:
        if cid in seen:
            continue
        waves = store.waves(cid)
        ids = tuple(c.id for c in waves)
        seen.update(ids)
        chains[ids] = waves
    return chains


def _lens_findings(r: Results) -> list[Finding]:
    """The lens's findings from a campaign's results, as its dashboard words them."""
    out: list[Finding] = []
    for key, kinds in PICK[r.instrument]:
        if key not in fc.sections(r.instrument):
            continue
        try:
            found = fc.collect(r, key)
        except ValueError as e:  # nothing to compare (say, no leaders answered)
            found = [fc.left_out(r, e)]
        if key == "next":
            found = found[:1]
        for f in found:
            if f.kind in TRUTHFUL:
                if f.kind in ("empty", "withheld") and any(g.sentence == f.sentence
                                                             for g in out):
                    continue  # one "withheld" per lens is enough
                out.append(f)
            elif f.kind in kinds and not (f.kind in ONCE and any(g.kind == f.kind
                                                                 for g in out)):
                out.append(f)
    return out


def _base():
    from ..analysis import load_benchmark

    try:
        return load_benchmark()
    except (OSError, ValueError):
        return None


def _read_lens(store, inst_id, question, chain, base) -> Lens:
    """A lens from the latest answered wave of ``chain`` (campaigns, oldest first)."""
    latest = chain[-1]
    ids = [c.id for c in chain]
    frames = {}
    read = None
    for c in reversed(chain):  # the latest wave with answers
        frames[c.id] = store.responses(c.id)
        if len(frames[c.id]):
            read = c
            break
    found: list[Finding] = []
    if read is None:
        read = latest
    if read.id != latest.id:
        found.append(Finding(
            "wave-note", f"{latest.title} has no answers yet; the figures below are from "
            f"{read.title}.", {"campaign": latest.id, "read_from": read.id}))
    frame = frames[read.id]
    r = Results(frame, read.instrument, base=base)
    found += _lens_findings(r)
    n, when = None, None
    if len(frame):
        n = fc.respondents(r).numbers["n"]
        shown, hidden = r.released()
        when = None if hidden or shown.empty else shown["submitted_at"].max()
    if not len(frame):
        fresh = fc.freshness(None, 0)
    elif when is None:  # nothing released: no time, no count (either could give a size away)
        fresh = "answers withheld"
    else:
        fresh = fc.freshness(when, n if n is not None else "not shown")
    return Lens(inst_id, read.instrument.title, question, latest.id, ids, found, False,
                read_from=read.id, freshness=fresh, n=n,
                latest=None if when is None else when.to_pydatetime())


def _missing(inst_id, question) -> Lens:
    from ..instruments import load_instrument

    title = load_instrument(inst_id).title
    return Lens(inst_id, title, question, None, [], [Finding(
        "missing", "No campaign in this programme asks this yet: create one to see "
        f"{question[:1].lower()}{question[1:]}.", {"instrument": inst_id},
        title=title, value="No campaign yet", brief="create one")], True)


def summary(store, programme_id: str, *, now=None, base=None,
            previous: ProgrammeSummary | None = None) -> ProgrammeSummary:
    """What the programme ``programme_id`` says, lens by lens (see ``ProgrammeSummary``).

    Each lens reads the chain of waves whose latest wave is newest among the programme's
    campaigns of its instrument; ``now`` (a datetime or date, UTC; default: now) decides
    which actions are overdue; ``base`` is the benchmark base (default: the loaded one, as
    the dashboard reads it). ``previous``, a summary of the same programme made the same
    day, lends the lenses whose waves have not changed since (one new answer recomputes one
    lens, not six).

    >>> s = summary(store, "demo-alder-valley")  # doctest: +SKIP
    >>> [lens.instrument for lens in s.lenses]  # doctest: +SKIP
    ['focus-levels', 'blocks', 'say-do', 'expectations', 'external-focus', 'contact-programme']
    """
    prog = store.programme(programme_id)
    chains = _chains(store, prog)
    by_inst: dict[str, list] = {}
    for waves in chains.values():
        by_inst.setdefault(waves[-1].instrument.id, []).append(waves)
    base = _base() if base is None else base
    when = _now(now)
    kept = {x.instrument: x for x in previous.lenses if x.stamp is not None} \
        if previous is not None and previous.programme.id == programme_id \
        and previous.now.date() == when.date() else {}

    def lens(inst_id, question, options):
        chain = max(options, key=lambda ws: (ws[-1].created_at, ws[-1].id))
        key = tuple(_campaign_stamp(store, c) for c in chain)
        old = kept.get(inst_id)
        if old is not None and old.stamp == key:
            return old
        out = _read_lens(store, inst_id, question, chain, base)
        out.stamp = key
        return out

    lenses = [lens(i, q, by_inst[i]) if i in by_inst else _missing(i, q) for i, q in LENSES]
    known = {i for i, _ in LENSES}
    # A campaign of an instrument the six lenses do not cover (a custom bank) is not lost.
    lenses += [lens(i, readable(i), options) for i, options in by_inst.items()
               if i not in known and i in fc.SECTIONS]
    answered = [x for x in lenses if not x.missing and x.n is not None]
    whens = [x.latest for x in answered if x.latest is not None]
    fresh = fc.freshness(max(whens) if whens else None, sum(x.n for x in answered))
    hidden = sum(1 for x in lenses if not x.missing and x.n is None
                 and x.freshness != "no answers yet")
    if hidden:
        note = "one campaign's answers are withheld" if hidden == 1 else \
            f"{hidden} campaigns' answers are withheld"
        fresh = f"{fresh} ({note})" if whens else f"no answers shown yet; {note}"
    by_id = {c.id: ids for ids, ws in chains.items() for c in ws}
    s = ProgrammeSummary(prog, lenses, fresh, when, store=store, chains=by_id)
    s.__dict__["_campaigns"] = {c.id: c for ws in chains.values() for c in ws}
    if kept and "trends" in previous.__dict__:  # the unchanged lenses' trend tables too
        s.__dict__["_lent_trends"] = {x.instrument: previous.trends[x.instrument]
                                      for x in lenses if kept.get(x.instrument) is x
                                      and x.instrument in previous.trends}
    return s


def _campaign_stamp(store, c) -> tuple:
    """A campaign's settings that decide what may be shown, and its submissions."""
    info = store.submission_info(c.id)
    return (c.id, c.title, c.min_group_size, c.comment_threshold, c.status, len(info),
            int(info["submission"].sum()) if len(info) else 0,
            str(info["submitted_at"].max()) if len(info) else "")


def stamp(store, programme_id: str) -> tuple[tuple, tuple]:
    """What the summary depends on, read cheaply, in two parts: the answers (the programme's
    campaigns, their settings and their submissions' ids and times) and the actions. Equal
    answer parts give equal lenses and trend; a changed action part changes only
    ``ProgrammeSummary.actions`` (see ``forget_actions``)."""
    prog = store.programme(programme_id)
    answers = [tuple(prog.campaigns)]
    answers += [_campaign_stamp(store, store.campaign(cid)) for cid in prog.campaigns]
    acts = tuple((a["id"], a.get("campaign"), a.get("status"), str(a.get("due")),
                  a.get("owner"), a.get("title"), a.get("item"), a.get("section"),
                  str(a.get("updated_at"))) for a in store.programme_actions(programme_id))
    return tuple(answers), acts
