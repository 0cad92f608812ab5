"""The dashboard's state: the picked campaign and filters, and the analysis results they give.

No widgets here (tested without a browser); ``view.Dashboard`` is a thin view over it.
Statistics come from ``focuskit.analysis`` and pictures from ``focuskit.plots``; anonymity is
applied there.
"""

from __future__ import annotations

import io

from traitlets import HasTraits, Int, Tuple, Unicode

from ... import findings as ff
from ...findings import Results
from ...store import Store
from ...ui.downloads import pdf_maker

__all__ = ["ALL", "DashboardState"]

ALL = "All"
DEFAULT = "demo-focus-levels"
#: Marra's case, the contact planner's starting inputs: a chief executive visits 100 large
#: accounts a year, none of the rest. Every figure is an input on the Contact programme tab.
PLAN = {"Residential": 6_000_000, "Small business": 100_000, "Large accounts": 1_000}
PLANNED = {"Large accounts": 100}
#: Selections whose results are kept; the oldest is dropped beyond this.
MAX_CACHED_FILTERS = 16


class DashboardState(HasTraits):
    """The picked campaign and filters, and the analysis results they give (cached).

    A view observes ``campaign_id``, ``answers`` (counts each reading of the store that
    changed the answers) and ``filters``; a change made while notifications are held (a new
    campaign resets the filters) reaches it once everything is in place."""

    campaign_id = Unicode(None, allow_none=True)
    answers = Int(0)
    #: (segment, rater group): one value, so that changing both is one change
    filters = Tuple(Unicode(), Unicode(), default_value=(ALL, ALL))

    def __init__(self, store: Store, campaign: str | None = None, *, base=None,
                 min_group: int | None = None):
        super().__init__()
        self.store = store
        self._base = base
        self.min_group_override = min_group
        self.campaigns = store.campaigns()
        ids = [c.id for c in self.campaigns]
        if campaign is None:
            campaign = DEFAULT if DEFAULT in ids else (ids[0] if ids else None)
        #: the contact planner's inputs (Marra's case until someone types their own)
        self.planner = {"sizes": dict(PLAN), "planned": dict(PLANNED), "margin": 0.05,
                        "confidence": 0.95}
        if campaign is not None:
            self.pick(campaign)

    # -- choices ---------------------------------------------------------------------------
    def pick(self, campaign: str) -> None:
        self.campaign = self.store.campaign(campaign)
        with self.hold_trait_notifications():
            self.campaign_id = self.campaign.id
            self._read()
            self.filters = (ALL, ALL)

    @property
    def segment(self) -> str:
        return self.filters[0]

    @property
    def rater_group(self) -> str:
        return self.filters[1]

    def _read(self) -> None:
        """Read the campaign's answers from the store, and forget every result."""
        from ...analysis.anonymity import attach

        self.frame = self.store.responses(self.campaign_id)
        self._chain = None  # the waves and what changed between them, read when first asked
        if self.min_group_override is not None:
            # Stricter only: the campaign's own stays in campaign_min_group, and the
            # decision is built on its blocks (analysis.anonymity).
            from ...analysis.anonymity import threshold

            self.frame.attrs["min_group_size"] = threshold(self.frame, self.min_group_override)
        # Every filter and tab is judged against the whole campaign, never against a cut.
        attach(self.frame)
        # Results per filter, kept while the answers stay the same: going back to a
        # selection recomputes nothing.
        self._caches: dict[tuple[str, str], Results] = {}
        self.answers += 1

    def refresh(self) -> bool:
        """Read the store again; True when the answers changed (every result is then
        recomputed), False when they are the same (the results are kept)."""
        if self.campaign_id is None:
            return False
        self.campaigns = self.store.campaigns()
        self._chain = None  # a wave may have been added: the chain is read again when asked
        new = self.store.responses(self.campaign_id)
        old = self.frame
        same = (len(new) == len(old) and set(new["submission"]) == set(old["submission"])
                and (new.empty or new["submitted_at"].max() == old["submitted_at"].max()))
        if same:
            return False
        keep = self.filters
        with self.hold_trait_notifications():
            self._read()
            self.filters = (ALL, ALL)
            try:
                self.set_filters(*keep)
            except ValueError:  # the segment is gone from the released figures
                pass
        return True

    def set_filters(self, segment: str = ALL, rater_group: str = ALL) -> None:
        if segment != ALL and segment not in self.segments:
            raise ValueError(f"no segment {segment!r} in this campaign; pick one of "
                             f"{self.segments}")
        if rater_group != ALL and rater_group not in self.groups:
            raise ValueError(f"no rater group {rater_group!r} in this campaign; pick one of "
                             f"{self.groups}")
        self.filters = (segment, rater_group)

    def _results(self, segment: str, rater_group: str) -> Results:
        key = (segment, rater_group)
        if key not in self._caches and len(self._caches) >= MAX_CACHED_FILTERS:
            del self._caches[next(iter(self._caches))]  # the oldest selection
        if key not in self._caches:
            where = {k: v for k, v in (("segment", segment), ("rater_group", rater_group))
                     if v != ALL} or None
            self._caches[key] = Results(self.frame, self.inst, where=where, base=self.base,
                                        k=self.k)
        return self._caches[key]

    @property
    def results(self) -> Results:
        """The analyses of the picked selection (``focuskit.findings.Results``)."""
        return self._results(self.segment, self.rater_group)

    @property
    def instrument(self) -> str:
        return self.campaign.instrument.id

    @property
    def k(self) -> int:
        return int(self.frame.attrs["min_group_size"])

    @property
    def segments(self) -> list[str]:
        """Segments with released answers: a latecomer's new segment is not listed before
        their answers are in the figures."""
        shown = self._results(ALL, ALL).released()[0]
        return sorted(shown["segment"].dropna().unique())

    @property
    def groups(self) -> list[str]:
        return sorted(self.frame["rater_group"].dropna().unique())

    @property
    def where(self) -> dict | None:
        return self.results.where

    @property
    def tabs(self) -> list[str]:
        """Keys of the tabs the picked campaign's instrument supports, in order (the report's
        pages; the view adds the action register every campaign has)."""
        return list(ff.sections(self.instrument))

    def applies(self, key: str) -> bool:
        return key in self.tabs

    # -- analysis --------------------------------------------------------------------------
    def restricted(self):
        """The filtered answers the figures may use, and whether none may be shown."""
        return self.results.released()

    def too_few(self) -> bool:
        return self.results.too_few()

    @property
    def inst(self):
        """The campaign's own instrument, handed to every analysis: a campaign made with its
        own list of items (``with_items``) is not the built-in of the same id, and only the
        campaign knows which it asked."""
        return self.campaign.instrument

    @property
    def base(self):
        if self._base is None:
            from ...analysis import load_benchmark

            try:
                self._base = load_benchmark()
            except (OSError, ValueError):
                self._base = False
        return self._base if self._base is not False else None

    def result(self, name: str, *args):
        return self.results.get(name, *args)

    # -- findings --------------------------------------------------------------------------
    def findings(self, key: str) -> list:
        """The findings of tab ``key`` (``focuskit.findings.collect``)."""
        return ff.collect(self.results, key)

    def cards(self) -> list[tuple[str, str, str]]:
        """(title, value, detail) of the overview cards, from ``focuskit.findings.cards``."""
        return [(f.title, f.value, f.brief) for f in ff.cards(self.results)]

    def freshness(self) -> str:
        """'answers up to 14:32 UTC, 62 respondents': the newest released answer and the
        released count of the whole campaign (the landing page's count)."""
        whole = self._results(ALL, ALL)
        frame, hidden = whole.released()
        if self.frame.empty:
            return ff.freshness(None, 0)
        n = ff.respondents(whole).numbers["n"]
        latest = None if hidden or frame.empty else frame["submitted_at"].max()
        return ff.freshness(latest, n if n is not None else "not shown")

    # -- waves: what changed, and the actions agreed ---------------------------------------
    @property
    def waves(self) -> list:
        """The campaigns of the picked campaign's wave chain, oldest first (``Store.waves``);
        read when first asked, not before the first plot."""
        if self._chain is None:
            self._chain = {"waves": self.store.waves(self.campaign_id)}
        return self._chain["waves"]

    def has_trend(self) -> bool:
        """More than one wave, and a Levels tab to show the trend on."""
        return self.campaign_id is not None and self.applies("levels") and len(self.waves) > 1

    def wave_frames(self) -> list:
        """Each wave's answers, oldest first; the picked wave's are those already read."""
        if "frames" not in self._chain_read():
            self._chain["frames"] = [
                self.frame if c.id == self.campaign_id else self.store.responses(c.id)
                for c in self.waves]
        return self._chain["frames"]

    def _chain_read(self) -> dict:
        self.waves  # noqa: B018 - read on first use
        return self._chain

    def trend(self):
        """Each wave's level per dimension and rater group, and the change between waves
        (``focuskit.analysis.trend``), for the whole campaign: every segment, every group;
        the plots pick the group. None with a single wave."""
        if not self.has_trend():
            return None
        chain = self._chain_read()
        if "trend" not in chain:
            from ...analysis import trend

            chain["trend"] = trend(self.wave_frames(), by="item")
        return chain["trend"]

    def trend_findings(self) -> list:
        """What changed, in words (``focuskit.findings.trend.trend_findings``), for the
        rater group picked (every group with All)."""
        data = self.trend()
        if data is None:
            return []
        from ...findings.trend import since_words, trend_findings

        if self.rater_group != ALL:
            data = data[data["rater_group"] == self.rater_group]
        return trend_findings(data, self.inst, since=since_words(self.wave_frames()))

    def actions(self, *, editable: bool, actor: str | None = None):
        """The action register of the picked campaign's waves (``focuskit.ui.actions``):
        ``editable`` for an admin, read-only for a viewer."""
        from ...ui.actions import ActionRegister

        return ActionRegister(self.store, [c.id for c in self.waves], editable=editable,
                              actor=actor)

    def action_effects(self, actions: list[dict]) -> dict:
        """Action id -> its "did it work" finding at the next wave (before and after on its
        dimension, beside the dimensions without actions), where the chain has one."""
        if len(self.waves) < 2 or not actions:
            return {}
        from ...analysis import action_effects
        from ...findings.trend import action_findings

        frames = [f for f in self.wave_frames() if len(f)]
        # An action on a wave without answers yet (the register's default: the newest) has
        # nothing to measure; passed on, it made action_effects refuse the whole register.
        answered = {f.attrs.get("campaign") for f in frames}
        actions = [a for a in actions if a.get("campaign") in answered]
        if not frames or not actions:
            return {}
        found = action_findings(action_effects(frames, actions))
        by_id = {f.numbers.get("action"): f for f in found}
        if all(a["id"] in by_id for a in actions):
            return {a["id"]: by_id[a["id"]] for a in actions}
        # The findings come one per action, in order, where they do not name it.
        if len(found) == len(actions):
            return dict(zip((a["id"] for a in actions), found, strict=True))
        return {k: v for k, v in by_id.items() if k is not None}

    # -- the contact planner ---------------------------------------------------------------
    def plan(self):
        """The contact planner's table for the inputs in ``self.planner``."""
        from ...analysis import contact_plan

        p = self.planner
        sizes = {k: v for k, v in p["sizes"].items() if v > 0}
        if not sizes:
            raise ValueError("give at least one segment a size above 0")
        return contact_plan(sizes, margin=p["margin"], confidence=p["confidence"],
                            planned={k: v for k, v in p["planned"].items() if k in sizes})

    # -- downloads -------------------------------------------------------------------------
    def tables(self) -> dict:
        """The figures the dashboard shows for the picked campaign and filters, one table per
        result, exactly as the analysis released them: a withheld row keeps its reason
        (``n_shown``) and loses its figures. What the downloads hold; never a respondent's
        code, time, comment or single answer."""
        inst, out = self.instrument, {}

        def add(name, make):
            try:
                res = make()
            except ValueError:  # e.g. no such rater group here: the tab says so, no table
                return
            if res is not None:
                out[name] = res.drop(columns=["evidence"], errors="ignore")

        if inst == "focus-levels":
            add("levels", lambda: self.result("profile"))
            for other in ("customer", "partner"):
                if other in self.groups:
                    add(f"us_vs_{other}s", lambda o=other: self.result("perception_gaps", o))
        if inst == "say-do":
            add("say_do", lambda: self.result("say_do"))
        if inst == "expectations":
            add("priorities", lambda: self.result("importance_performance"))
        if inst in ("focus-levels", "say-do"):
            add("benchmark", lambda: self.result("benchmark"))
        data, withheld = self.restricted()
        if not withheld:
            if inst == "focus-levels" and "self" in set(data["rater_group"]):
                add("agreement", lambda: self.result("agenda"))
            if inst == "blocks":
                add("blocks", lambda: self.result("blocks"))
            if inst == "contact-programme":
                add("contact_review", lambda: self.result("adli"))
            if inst == "external-focus":
                add("external_focus", lambda: self.result("external_focus"))
        return out

    def download(self, fmt: str) -> bytes:
        """The dashboard's tables (``tables``) as CSV or Excel bytes, or the PDF report.

        CSV: one file, a ``table`` column naming each row's table; Excel: a sheet per table.
        Raw answers are an admin's export (the admin page, ``focuskit export``), not this."""
        if fmt == "pdf":
            report = pdf_maker()
            if report is None:
                raise ValueError("the PDF report is not available in this installation")
            return report(self.store, self.campaign_id)
        import pandas as pd

        from ...io.exports import escape_cells

        if fmt not in ("csv", "xlsx"):
            raise ValueError(f"format must be csv, xlsx or pdf, not {fmt!r}")
        tables = {name: escape_cells(t) for name, t in self.tables().items()}
        buf = io.BytesIO()
        if fmt == "csv":
            frames = [t.assign(table=name) for name, t in tables.items()]
            both = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
            both = both[["table", *[c for c in both.columns if c != "table"]]] if frames \
                else pd.DataFrame(columns=["table"])
            return both.to_csv(index=False, lineterminator="\r\n").encode("utf-8")
        with pd.ExcelWriter(buf, engine="openpyxl") as xl:
            for name, t in tables.items() or {"none": pd.DataFrame()}.items():
                t.to_excel(xl, sheet_name=name[:31], index=False)
        return buf.getvalue()
