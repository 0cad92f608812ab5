"""The dashboard's state: the picked campaign and filters, and the analysis results they give.

No widgets here (tested without a browser); ``view.Dashboard`` is a thin view over it.
Statistics come from ``focuskit.analysis`` and pictures from ``focuskit.plots``; anonymity is
applied there.
"""

from __future__ import annotations

import io
from html import escape

from ...names import readable
from ...store import Store
from ...ui.downloads import pdf_maker
from .tabs import TABS

__all__ = ["ALL", "DashboardState"]

ALL = "All"
DEFAULT = "demo-focus-levels"
#: Selections whose results are kept; the oldest is dropped beyond this.
MAX_CACHED_FILTERS = 16


class DashboardState:
    """The picked campaign and filters, and the analysis results they give (cached)."""

    def __init__(self, store: Store, campaign: str | None = None, *, base=None,
                 min_group: int | None = None):
        self.store = store
        self._base = base
        self.min_group_override = min_group
        self.campaigns = store.campaigns()
        ids = [c.id for c in self.campaigns]
        if campaign is None:
            campaign = DEFAULT if DEFAULT in ids else (ids[0] if ids else None)
        self.segment = ALL
        self.rater_group = ALL
        self.campaign_id = None
        if campaign is not None:
            self.pick(campaign)

    # -- choices ---------------------------------------------------------------------------
    def pick(self, campaign: str) -> None:
        self.campaign = self.store.campaign(campaign)
        self.campaign_id = self.campaign.id
        from ...analysis.anonymity import attach

        self.frame = self.store.responses(campaign)
        if self.min_group_override is not None:
            # Stricter only: the campaign's own stays in campaign_min_group, and the
            # decision is built on its blocks (analysis.anonymity).
            from ...analysis.anonymity import threshold

            self.frame.attrs["min_group_size"] = threshold(self.frame, self.min_group_override)
        # Every filter and tab is judged against the whole campaign, never against a cut.
        attach(self.frame)
        self.segment = ALL
        self.rater_group = ALL
        # Results per filter, kept while the campaign stays picked (the frame does not change
        # under them): going back to a selection recomputes nothing.
        self._caches: dict[tuple[str, str], dict] = {}

    def set_filters(self, segment: str = ALL, rater_group: str = ALL) -> None:
        if segment != ALL and segment not in self.segments:
            raise ValueError(f"no segment {segment!r} in this campaign; pick one of "
                             f"{self.segments}")
        if rater_group != ALL and rater_group not in self.groups:
            raise ValueError(f"no rater group {rater_group!r} in this campaign; pick one of "
                             f"{self.groups}")
        self.segment, self.rater_group = segment, rater_group

    @property
    def _cache(self) -> dict:
        key = (self.segment, self.rater_group)
        if key not in self._caches and len(self._caches) >= MAX_CACHED_FILTERS:
            del self._caches[next(iter(self._caches))]  # the oldest selection
        return self._caches.setdefault(key, {})

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
        if "segments" not in self._cache:
            from ...analysis.anonymity import release

            shown = release(self.frame, None, self.k).frame
            self._cache["segments"] = sorted(shown["segment"].dropna().unique())
        return self._cache["segments"]

    @property
    def groups(self) -> list[str]:
        return sorted(self.frame["rater_group"].dropna().unique())

    @property
    def where(self) -> dict | None:
        w = {}
        if self.segment != ALL:
            w["segment"] = self.segment
        if self.rater_group != ALL:
            w["rater_group"] = self.rater_group
        return w or None

    def applies(self, key: str) -> bool:
        return self.instrument in next(t for t in TABS if t.key == key).instruments

    @property
    def tabs(self) -> list[str]:
        """Keys of the tabs that apply to the picked campaign's instrument."""
        return [t.key for t in TABS if self.instrument in t.instruments]

    # -- analysis --------------------------------------------------------------------------
    def restricted(self):
        """The filtered answers the figures may use, and whether none may be shown.
        Cached per filter: every tab and the cards ask for it."""
        if "restricted" not in self._cache:
            from ...analysis.anonymity import release

            view = release(self.frame, self.where, self.k)
            if self.where:  # a part of the campaign: its comments would point at that part
                view.frame.attrs["filtered"] = True
            self._cache["view"] = view
            self._cache["restricted"] = (view.frame, view.frame.empty)
        return self._cache["restricted"]

    def too_few(self) -> bool:
        """Whether this selection holds 1 to k-1 people (else it is withheld to protect a
        smaller group elsewhere). A selected segment is never said to be small: beside its
        neighbours' "withheld" that would pin its size (see ``analysis.anonymity``)."""
        self.restricted()
        return self.segment == ALL and \
            self._cache["view"].raw["submission"].nunique() < self.k

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
        key = (name, *args)
        if key not in self._cache:
            self._cache[key] = self._run(name, *args)
        return self._cache[key]

    def _run(self, name, *args):
        from ... import analysis as fa

        df, w, inst = self.frame, self.where, self.inst
        if name == "profile":
            return fa.profile(df, where=w, instrument=inst)
        if name == "perception_gaps":
            return fa.perception_gaps(df, "self", args[0], where=w, instrument=inst)
        if name == "say_do":
            return fa.say_do(df, where=w, instrument=inst)
        if name == "importance_performance":
            return fa.importance_performance(df, where=w, instrument=inst)
        if name == "benchmark":
            if self.base is None:
                return None
            from ...analysis.anonymity import withhold_all

            data, out = self.restricted()
            if not out:
                return fa.benchmark(data, self.base, instrument=inst)
            # Nothing may be shown: the rows say which figures are withheld, and why.
            res = fa.benchmark(self._cache["view"].raw, self.base, instrument=inst)
            return withhold_all(res, self.k, values=["value", "percentile", "quartile",
                                                     "distance"],
                                reason=f"< {self.k}" if self.too_few() else "withheld")
        if name == "agenda":
            data, out = self.restricted()
            return None if out else fa.discussion_agenda(data, group="self", instrument=inst)
        raise ValueError(f"unknown result {name!r}")

    # -- words -----------------------------------------------------------------------------
    def label(self, item, short: bool = False) -> str:
        if short:
            return readable(item)
        for it in self.campaign.instrument.items:
            if it.id == item:
                return it.prompt.rstrip("?.")
        return str(item).replace("_", " ")

    def hidden_note(self, who: str, res=None) -> str:
        """Why nothing is shown for ``who``: too few answered, or a smaller group elsewhere
        could be worked out (from ``res``'s rows, else from the selection)."""
        small = self.too_few() if res is None else \
            res["n_shown"].astype(str).str.startswith("<").all()
        if small:
            return (f"<p class='fk-withheld'>Fewer than {self.k} people answered for "
                    f"{escape(who)}, so their figures are not shown. Widen the filters to see "
                    "more.</p>")
        return (f"<p class='fk-withheld'>The figures for {escape(who)} are withheld: showing "
                f"them would let a group of fewer than {self.k} people be worked out. Widen "
                "the filters to see more.</p>")

    def withheld(self, res, col: str) -> list[str]:
        """Notes naming the withheld rows of ``res`` (by ``col``), with the reason, if any."""
        if res is None or "suppressed" not in res or not res["suppressed"].any():
            return []
        hidden = res[res["suppressed"]]
        small = hidden["n_shown"].astype(str).str.startswith("<")
        notes = []
        for part, why in ((hidden[small], f"fewer than {self.k} people answered"),
                          (hidden[~small], f"withheld: showing them would let a group of "
                                           f"fewer than {self.k} people be worked out")):
            if part.empty:
                continue
            names = sorted({str(v) for v in part[col].dropna()}) if col in part else []
            who = ", ".join(self.label(n) if col == "item" else n for n in names) or \
                "some groups"
            notes.append(f"<p class='fk-withheld'>Not shown: {escape(who)}. {why.capitalize()}"
                         ".</p>")
        return notes

    def cards(self) -> list[tuple[str, str, str]]:
        """(title, value, detail) for the overview cards that apply to this campaign."""
        from ...analysis.anonymity import respondents

        data, out = self.restricted()
        # Counts follow the same decision as every figure: a withheld group's size is not
        # shown, and the total counts only the people the figures are about.
        counts = respondents(self.frame, by="rater_group", where=self.where,
                             min_group=self.k)
        per = counts.iloc[1:]
        who = " · ".join(f"{r.rater_group} {r.n if not r.suppressed else 'not shown'}"
                         for r in per.itertuples())
        total = counts.iloc[0]
        if self._cache["view"].raw.empty:
            return [("Respondents", "0", "Nobody in this selection has answered.")]
        cards = [("Respondents", str(total["n"]) if not total["suppressed"] and not out
                  else f"< {self.k}" if self.too_few() else "not shown", who or "nobody yet")]
        if out:
            return cards + [("Figures withheld", "—",
                             f"Fewer than {self.k} people answered, so no figures are shown."
                             if self.too_few() else
                             f"Withheld: showing them would let a group of fewer than "
                             f"{self.k} people be worked out.")]
        for part in (self._bench_cards, self._gap_cards):
            try:
                cards += part(data)
            except ValueError:  # a filter that leaves an analysis nothing to compare
                pass
        return cards

    def _bench_cards(self, data) -> list:
        cards, inst = [], self.instrument
        if (inst in ("focus-levels", "say-do") and self.base is not None
                and "self" in set(data["rater_group"])):
            b = self.result("benchmark")
            o = b[(b["scope"] == "overall") & ~b["suppressed"]]
            if inst == "focus-levels" and len(o):
                r = o.iloc[0]
                cards.append(("Overall level (leaders)", f"{r.value:.1f} of 5",
                              f"average of {len(b) - 1} dimensions"))
            if inst == "say-do":
                o = o[o["measure"] == "gap"]
            if len(o):
                r = o.iloc[0]
                cards.append(("Benchmark quartile", f"Q{int(r.quartile)}",
                              f"percentile {r.percentile:.0f} of {r.n_base} organisations"
                              " (Q1 best)"))
        return cards

    def _gap_cards(self, data) -> list:
        from ... import analysis as fa

        cards, inst = [], self.instrument
        if inst == "focus-levels" and "self" in set(data["rater_group"]):
            for other in ("customer", "partner"):
                if other in self.groups:
                    g = self.result("perception_gaps", other)
                    g = g[~g["suppressed"]]
                    if len(g):
                        r = g.loc[g["gap"].abs().idxmax()]
                        cards.append(("Largest gap", f"{r.gap:+.1f}",
                                      f"{self.label(r['item'], short=True)}: us vs {other}s"))
                    break
            ag = self.result("agenda")
            if ag is not None and len(ag[~ag["suppressed"]]):
                r = ag[~ag["suppressed"]].iloc[0]
                cards.append(("Largest disagreement", f"{r.range:.0f} levels apart",
                              self.label(r['item'], short=True)))
        elif inst == "say-do":
            sd = self.result("say_do")
            o = sd[(sd["scope"] == "overall") & ~sd["suppressed"]]
            if len(o):
                cards.insert(0, ("Overall Say-Do gap", f"{o.iloc[0].gap:.1f}",
                                 f"say {o.iloc[0].say:.1f}, do {o.iloc[0].do:.1f}"))
            st = sd[(sd["scope"] == "statement") & ~sd["suppressed"]]
            if len(st):
                r = st.iloc[0]
                cards.append(("Largest gap", f"{r.gap:.1f}", self.label(r['item'], short=True)))
        elif inst == "expectations":
            ip = self.result("importance_performance")
            ip = ip[~ip["suppressed"]].sort_values("priority")
            if len(ip):
                r = ip.iloc[0]
                cards.append(("Largest gap", f"{r.gap:.1f}",
                              f"{self.label(r['item'], short=True)} (importance {r.importance:.1f})"))
        elif inst == "blocks":
            bl = fa.blocks(data, instrument=self.inst)
            bl = bl[(bl["scope"] == "block") & ~bl["suppressed"]].sort_values("rank")
            if len(bl):
                r = bl.iloc[0]
                cards.append(("Largest block", f"{r['mean']:.1f} of 5", self.label(r["item"], short=True)))
                r = bl.sort_values("agreement").iloc[0]
                cards.append(("Largest disagreement", f"agreement {r.agreement:.2f}",
                              self.label(r["item"], short=True)))
        elif inst == "external-focus":
            ef = fa.external_focus(data, instrument=self.inst)
            ef = ef[(ef["scope"] == "group") & ~ef["suppressed"]]
            for r in ef.itertuples():
                cards.append((f"Level ({r.rater_group})", str(r.band), f"{r.mean:.1f} of 5"))
        return cards

    # -- downloads -------------------------------------------------------------------------
    def tables(self) -> dict:
        """The figures the dashboard shows for the picked campaign and filters, one table per
        result, exactly as the analysis released them: a withheld row keeps its reason
        (``n_shown``) and loses its figures. What the downloads hold; never a respondent's
        code, time, comment or single answer."""
        from ... import analysis as fa

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
                add("blocks", lambda: fa.blocks(data, instrument=self.inst))
            if inst == "contact-programme":
                add("contact_review", lambda: fa.adli(data, instrument=self.inst))
            if inst == "external-focus":
                add("external_focus", lambda: fa.external_focus(data, instrument=self.inst))
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
