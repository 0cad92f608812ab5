"""The analysis results a campaign's findings are read from, computed once per selection.

The dashboard keeps one ``Results`` per filter; the report makes one for the whole campaign
(or for the same filter): both read the very same tables.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["Results"]


class Results:
    """The analyses of ``frame`` (a whole campaign's answers) for the selection ``where``."""

    def __init__(self, frame: pd.DataFrame, instrument, *, where: dict | None = None,
                 base: pd.DataFrame | None = None, k: int | None = None):
        from ..analysis.anonymity import attach

        if "disclosure" not in frame.attrs:
            attach(frame)  # every cut is judged against the whole campaign
        self.frame, self.inst, self.where, self.base = frame, instrument, where or None, base
        self.k = int(k if k is not None else frame.attrs.get("min_group_size", 5))
        self._memo: dict = {}

    @property
    def instrument(self) -> str:
        return self.inst.id

    def _view(self):
        if "view" not in self._memo:
            from ..analysis.anonymity import release

            view = release(self.frame, self.where, self.k)
            if self.where:  # a part of the campaign: its comments would point at that part
                view.frame.attrs["filtered"] = True
            self._memo["view"] = view
        return self._memo["view"]

    def released(self) -> tuple[pd.DataFrame, bool]:
        """The answers the figures may use, and whether none may be shown."""
        frame = self._view().frame
        return frame, frame.empty

    def raw(self) -> pd.DataFrame:
        return self._view().raw

    def too_few(self) -> bool:
        """Whether the selection holds 1 to k-1 people. A selected segment is never said to
        be small: beside its neighbours' "withheld" that would pin its size."""
        seg = (self.where or {}).get("segment")
        return seg is None and self.raw()["submission"].nunique() < self.k

    @property
    def groups(self) -> list[str]:
        return sorted(self.frame["rater_group"].dropna().unique())

    def get(self, name: str, *args):
        key = (name, *args)
        if key not in self._memo:
            self._memo[key] = self._run(name, *args)
        return self._memo[key]

    def _run(self, name, *args):
        from .. import analysis as fa

        df, w, inst = self.frame, self.where, self.inst
        data, out = self.released()
        if name == "counts":
            return fa.respondents(df, by="rater_group", where=w, min_group=self.k)
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
            if not out:
                return fa.benchmark(data, self.base, instrument=inst)
            from ..analysis.anonymity import withhold_all

            # Nothing may be shown: the rows say which figures are withheld, and why.
            res = fa.benchmark(self.raw(), self.base, instrument=inst)
            return withhold_all(res, self.k, values=["value", "percentile", "quartile",
                                                     "distance"],
                                reason=f"< {self.k}" if self.too_few() else "withheld")
        if out:
            return None
        if name == "agenda":
            return fa.discussion_agenda(data, group="self", instrument=inst)
        if name == "next_steps":
            return fa.next_steps(data, group="self", instrument=inst)
        if name == "blocks":
            return fa.blocks(data, instrument=inst)
        if name == "adli":
            return fa.adli(data, instrument=inst)
        if name == "external_focus":
            return fa.external_focus(data, instrument=inst)
        if name == "external_items":
            return fa.external_focus(data, by="item", instrument=inst)
        raise ValueError(f"unknown result {name!r}")
