"""The programme page's state: the picked programme and its summary (no widgets).

The summary (``findings.programme.summary``) is kept per store state: ``refresh`` reads a
cheap stamp of the programme's campaigns, answers and actions, and computes a new summary
only when the stamp changed. The lens cards come first (``summary.lenses``); ``complete``
computes what changed between waves and the actions' "did it work", which read every wave.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from urllib.parse import urlencode

from traitlets import HasTraits, Int, Unicode

from ...findings.programme import ProgrammeSummary, stamp, summary

__all__ = ["DEFAULT", "ProgrammeState"]

DEFAULT = "demo-alder-valley"
#: Summaries kept, newest last (going back to a programme whose answers did not change
#: recomputes nothing).
KEEP = 4


class ProgrammeState(HasTraits):
    """The picked programme and what it says.

    A view observes ``programme_id``, ``version`` (counts each new summary), ``acts``
    (each change of the actions alone) and ``stage`` ("cards": the lenses are ready;
    "complete": the trend and the actions' effects too)."""

    programme_id = Unicode(None, allow_none=True)
    version = Int(0)
    stage = Unicode("")
    #: counts each reading of changed actions (the summary's answers unchanged)
    acts = Int(0)

    def __init__(self, store, programme: str | None = None, *, now=None, base=None):
        super().__init__()
        self.store, self._now, self._base = store, now, base
        self.summary: ProgrammeSummary | None = None
        self._key = self._acts = None
        #: (programme, answers' stamp, day) -> (summary, actions' stamp)
        self._kept: dict[tuple, tuple] = {}
        self.programmes = store.programmes()
        ids = [p.id for p in self.programmes]
        if programme is None:
            programme = DEFAULT if DEFAULT in ids else (ids[0] if ids else None)
        if programme is not None:
            self.pick(programme)

    @property
    def now(self) -> datetime:
        if self._now is None:
            return datetime.now(UTC)
        return self._now() if callable(self._now) else self._now

    @property
    def today(self) -> date:
        return self.now.date() if isinstance(self.now, datetime) else self.now

    # -- choices ---------------------------------------------------------------------------
    def pick(self, programme: str) -> None:
        """Show ``programme`` (an unknown id is refused by the store: a StoreError)."""
        self.store.programme(programme)
        with self.hold_trait_notifications():
            self.programme_id = programme
            self.refresh()

    def refresh(self) -> bool:
        """Read the store's stamp: a new summary when the answers changed (True); the
        actions read again when only they changed (``acts`` counts it)."""
        if self.programme_id is None:
            return False
        self.programmes = self.store.programmes()
        answers, acts = stamp(self.store, self.programme_id)
        key = (self.programme_id, answers, self.today)
        if self.summary is not None and key == self._key:
            if acts != self._acts:
                self._acts = acts
                self.summary.forget_actions()
                if self.stage == "complete":
                    self.summary.actions  # noqa: B018 - the effects again, while it is quick
                self.acts += 1
            return False
        kept, was = self._kept.pop(key, (None, None))
        if kept is None:  # lenses whose waves did not change are lent by the last summary
            kept = summary(self.store, self.programme_id, now=self.now, base=self._base,
                           previous=self.summary)
        elif was != acts:
            kept.forget_actions()
        self._kept[key] = (kept, acts)  # newest last
        while len(self._kept) > KEEP:
            del self._kept[next(iter(self._kept))]
        self._key, self._acts, self.summary = key, acts, kept
        with self.hold_trait_notifications():
            self.stage = "complete" if self.is_complete() else "cards"
            self.version += 1
        return True

    def is_complete(self) -> bool:
        return self.summary is not None and all(k in self.summary.__dict__
                                                for k in ("trend_by_lens", "trend", "actions"))

    def complete(self) -> None:
        """Compute what changed between waves and the actions' effects (the slow part)."""
        if self.summary is None:
            return
        s = self.summary
        s.trend_by_lens, s.trend, s.actions  # noqa: B018 - computed and kept on first use
        self.stage = "complete"

    # -- what the page shows ---------------------------------------------------------------
    @property
    def programme(self):
        return self.summary.programme if self.summary is not None else None

    @property
    def lenses(self):
        return self.summary.lenses if self.summary is not None else []

    def effects(self) -> dict:
        """Action id -> its "did it work" finding (once complete)."""
        if not self.is_complete():
            return {}
        return {a["id"]: a["effect"] for a in self.summary.actions if a["effect"] is not None}

    def campaign_words(self, campaign: str) -> str:
        """A campaign named by its lens and wave: "Customer focus levels, wave 2"."""
        for lens in self.lenses:
            if campaign in lens.waves:
                wave = lens.waves.index(campaign) + 1
                return f"{lens.title}, wave {wave}" if len(lens.waves) > 1 else lens.title
        return campaign

    @staticmethod
    def dashboard_href(campaign: str) -> str:
        """That campaign's dashboard, relative to this page."""
        return "results.ipynb?" + urlencode({"campaign": campaign})

    @staticmethod
    def programme_href(programme: str) -> str:
        return "programme.ipynb?" + urlencode({"programme": programme})

    def trend_plot(self, instrument: str, ax=None):
        """The lens's "then and now" profile (waves side by side, per item), or None when the
        lens has one wave."""
        data = self.summary.trends.get(instrument) if self.summary is not None else None
        if data is None or not len(data):
            return None
        from ... import plots as fp

        # The group with the most clear changes at the latest wave (our own people on a
        # tie): the plot shows what the findings beside it speak of.
        latest = data[data["wave"] == data["wave"].max()]
        moved = latest["verdict"].isin(("improved", "declined")).groupby(
            latest["rater_group"]).sum()
        groups = list(dict.fromkeys(data["rater_group"]))
        group = max(groups, key=lambda g: (int(moved.get(g, 0)), g == "self"))
        return fp.then_and_now(data=data, rater_group=group, ax=ax)
