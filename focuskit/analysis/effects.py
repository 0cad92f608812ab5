"""Did it work: each agreed action's dimension before and after, against the dimensions nobody
acted on (a difference-in-differences per respondent)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ._data import check_frame, threshold
from .anonymity import judge, reason, release
from .profiles import profile
from .trend import CANNOT_TELL, change_between, detectable_change, moved_too_few, wave_instrument

__all__ = ["EFFECT_VERDICTS", "action_effects", "acted_facet", "meaningful"]

NO_LATER = "no later wave yet"
EFFECT_VERDICTS = ("worked", "did not work", CANNOT_TELL, NO_LATER)
#: Facets an action is meant to move, where an instrument asks several: practice, not
#: intention; performance, not importance.
ACTED_ON = ("do", "performance")
#: The smallest effect worth having, as a share of the scale's range (0.5 on a 1-5 scale).
MEANINGFUL_SHARE = 1 / 8

#: One sentence for readers: what the effect compares.
EXPLAINED = ("An action's effect is how much more its dimension moved than the dimensions "
             "nobody acted on: each person's score on it minus their average on the others, "
             "compared between the two waves.")

_COLUMNS = ["action", "title", "campaign", "item", "section", "facet", "before", "after",
            "n_before", "n_after", "change", "change_low", "change_high", "others_change",
            "effect", "effect_low", "effect_high", "detectable", "verdict", "released", "why"]


def acted_facet(inst, facet=None) -> str:
    """The facet actions are judged on: ``facet`` if given, else "do" or "performance" where
    the instrument asks them, else its first rating facet."""
    rating = [f.id for f in inst.facets if f.scale.kind == "rating"]
    if facet is not None:
        if facet not in rating:
            raise ValueError(f"{inst.id} has no rating facet {facet!r} (it has "
                             f"{', '.join(rating)})")
        return facet
    for f in ACTED_ON:
        if f in rating:
            return f
    if not rating:
        raise ValueError(f"{inst.id} has no rating facet to judge actions on")
    return rating[0]


def meaningful(scale) -> float:
    """The smallest effect worth having on ``scale``: an eighth of its range."""
    return (scale.maximum - scale.minimum) * MEANINGFUL_SHARE


def action_effects(waves, actions, *, level=0.95, facet=None, instrument=None
                   ) -> pd.DataFrame:
    """Did each action work: its dimension before and after, beside the dimensions without
    an action.

    An action's effect is how much more its dimension moved than the dimensions nobody acted
    on: each person's score on it minus their average on the others, compared between the
    two waves.

    For an action recorded on wave ``w`` and linked to an item (or a section: a person's
    score is then their mean over its items), over every respondent of the wave (all rater
    groups together):

    * ``before``, ``after``: the dimension's mean in wave ``w`` and ``w+1``, as ``profile``
      releases it; ``change`` = after - before with Welch's interval (as ``trend``);
    * ``others_change``: the change of the respondents' mean over the items no action of
      wave ``w`` is linked to (directly or through its section);
    * ``effect``: per respondent ``dᵢ = scoreᵢ − mean of their no-action items``, and
      ``effect = mean(d, wave w+1) − mean(d, wave w)`` with Welch's interval; ``detectable``:
      the smallest effect the waves could detect at 80% power (``trend``'s formula on the
      ``d`` scores).
    * ``verdict``: "worked" when the effect's interval lies above 0; "did not work" when it
      lies below the smallest effect worth having (an eighth of the scale's range: 0.5 on a
      1-5 scale), so the data rule out a useful effect; "cannot tell" otherwise (the interval
      holds both no effect and a useful one: the waves were too small to tell) or when a
      figure is undefined or withheld (``why`` says which); "no later wave yet" for an action
      on the latest wave.

    Anonymity: before and after are released or withheld by each wave's own decision; the
    effect combines each person's answers over several items, so it is shown only when it
    holds whole blocks of the same people on every item (``anonymity.judge``); a change or
    effect is not shown when the people behind it moved by 1 to k-1 between the waves
    (docs/trend.md).

    Parameters
    ----------
    waves : list of DataFrame
        ``Store.responses(...)`` of each wave of one campaign, oldest first.
    actions : list of dict
        Actions as ``Store.actions`` gives them (``id``, ``title``, ``campaign``, ``item``,
        ``section``); each must belong to one of the waves.
    level : float
        Confidence level of the intervals.
    facet : str, optional
        The facet actions are judged on (default: "do" or "performance" where asked, else
        the instrument's first rating facet).
    instrument : Instrument or str, optional
        For frames that do not carry theirs (``Store.responses`` frames do).

    Returns
    -------
    DataFrame
        One row per action: ``action`` (its id), ``title``, ``campaign``, ``item``,
        ``section``, ``facet``, ``before``, ``after``, ``n_before``, ``n_after``, ``change``,
        ``change_low``, ``change_high``, ``others_change``, ``effect``, ``effect_low``,
        ``effect_high``, ``detectable``, ``verdict``, ``released`` (before and after are
        shown), ``why``.

    References
    ----------
    Angrist, J. D. & Pischke, J.-S. (2009). Mostly harmless econometrics, ch. 5
    (differences-in-differences). Welch, B. L. (1947), Biometrika 34, 28-35.

    Examples
    --------
    >>> acts = [dict(id=1, title="Share customer data", campaign="demo-focus-levels",
    ...              item="data", section=None)]
    >>> res = action_effects([responses, responses], acts)
    >>> float(res.loc[0, "effect"]), str(res.loc[0, "verdict"])
    (0.0, 'did not work')
    """
    inst, waves = wave_instrument(waves, instrument)
    fac = inst.facet(acted_facet(inst, facet))
    if actions is None or isinstance(actions, (str, dict)):
        raise ValueError("pass the actions as a list of dicts (Store.actions(campaign))")
    ids = [w.attrs.get("campaign") for w in waves]
    acts = [dict(a) for a in actions]
    for a in acts:
        if a.get("campaign") not in ids:
            raise ValueError(f"action {a.get('id')!r} belongs to campaign "
                             f"{a.get('campaign')!r}, which is not one of these waves "
                             f"({', '.join(map(str, ids))})")
        if a.get("item") and a["item"] not in {i.id for i in inst.items}:
            raise ValueError(f"action {a.get('id')!r} names item {a['item']!r}, which "
                             f"{inst.id} does not ask")
        if a.get("section") and a["section"] not in {s.id for s in inst.sections}:
            raise ValueError(f"action {a.get('id')!r} names section {a['section']!r}, which "
                             f"{inst.id} does not have")
    asked = [i for i in inst.items if fac.id in i.facets]
    waves_ = [_Wave(w, fac.id, level, inst) for w in waves]
    acted_on: dict[str, set] = {}  # per wave, the items some action of it is about
    for b in acts:
        acted_on.setdefault(b["campaign"], set()).update(_items_of(b, inst, asked))
    rows = []
    for a in acts:
        w = ids.index(a["campaign"])
        dims = _items_of(a, inst, asked)
        row = dict(action=a.get("id"), title=a.get("title"), campaign=a["campaign"],
                   item=a.get("item") or None, section=a.get("section") or None,
                   facet=fac.id, before=math.nan, after=math.nan, n_before=pd.NA,
                   n_after=pd.NA, change=math.nan, change_low=math.nan, change_high=math.nan,
                   others_change=math.nan, effect=math.nan, effect_low=math.nan,
                   effect_high=math.nan, detectable=math.nan, verdict=CANNOT_TELL,
                   released=False, why="")
        rows.append(row)
        if not dims:
            row["why"] = "the action is not linked to an item or a section to measure it by"
            continue
        acted = acted_on[a["campaign"]]
        others = [i.id for i in asked if i.id not in acted]
        _fill(row, a, waves_, w, dims, others, level, fac)
    out = pd.DataFrame(rows, columns=_COLUMNS)
    for col in ("n_before", "n_after"):
        out[col] = out[col].astype("Int64")
    out["released"] = out["released"].astype(bool)
    out.attrs["instrument"] = inst
    out.attrs["level"] = level
    return out


def _items_of(action, inst, asked) -> list[str]:
    """The items an action's dimension is scored on (those asking the judged facet)."""
    ids = {i.id for i in asked}
    if action.get("item"):
        return [action["item"]] if action["item"] in ids else []
    if action.get("section"):
        return [i.id for i in inst.items if i.section == action["section"] and i.id in ids]
    return []


class _Wave:
    """One wave's released answers on the judged facet, wide (respondent x item)."""

    def __init__(self, frame: pd.DataFrame, facet: str, level: float, inst):
        self.frame, self.facet, self.level, self.inst = frame, facet, level, inst
        self.k = threshold(frame, None)
        has = "facet" in frame and (frame["facet"] == facet).any()
        self.data = check_frame(frame, facets=[facet]) if has else frame.iloc[0:0]
        self.view = release(self.data, None, self.k)
        answered = self.view.frame[self.view.frame["value"].notna()]
        self.wide = answered.pivot_table(index="submission", columns="item", values="value",
                                         aggfunc="mean")
        self._profiles: dict = {}
        self._scores: dict = {}

    def figure(self, action) -> tuple[float, float, int, str]:
        """(mean, sd, n, why-withheld) of the action's dimension over everyone."""
        per = "item" if action.get("item") else "section"
        key = action.get("item") or action.get("section")
        if per not in self._profiles:
            self._profiles[per] = profile(self.data, by=[], per=per, facet=self.facet,
                                          confidence=self.level, instrument=self.inst) \
                if len(self.data) else pd.DataFrame(columns=[per])
        p = self._profiles[per]
        hit = p[p[per] == key]
        if hit.empty:
            return math.nan, math.nan, 0, "no answers"
        r = hit.iloc[0]
        if bool(r["suppressed"]):
            return math.nan, math.nan, 0, reason(r["n_shown"], self.k)
        return float(r["mean"]), float(r["sd"]), int(r["n"]), ""

    def scores(self, dims, others) -> tuple[pd.DataFrame, str]:
        """Per respondent: their score on ``dims``, their mean over ``others`` and the
        difference; with why it may not be shown ("" when it may). Kept per link: a register
        of many actions on the same few dimensions judges each dimension once."""
        key = (tuple(dims), tuple(others))
        if key not in self._scores:
            self._scores[key] = self._scores_of(dims, others)
        return self._scores[key]

    def _scores_of(self, dims, others) -> tuple[pd.DataFrame, str]:
        cols = [c for c in (*dims, *others) if c in self.wide.columns]
        if not others:
            return pd.DataFrame(), ("every item has an action on this wave, so there is "
                                    "nothing unacted to compare with")
        have_dims = [c for c in dims if c in self.wide.columns]
        have_others = [c for c in others if c in self.wide.columns]
        if not have_dims or not have_others:
            return pd.DataFrame(), "no answers"
        wide = self.wide[cols]
        # Someone who skipped one of these items is averaged over the rest: the item figures
        # (each over its own askers) and the effect together then give away the sum of their
        # other answers. Shown only when everyone who answered any of them answered all.
        if not wide.dropna(how="all").notna().all(axis=None):
            return pd.DataFrame(), (reason("withheld", self.k) + " (not everyone answered "
                                    "every item it combines)")
        s = pd.DataFrame({"score": wide[have_dims].mean(axis=1),
                          "others": wide[have_others].mean(axis=1)}).dropna()
        s["d"] = s["score"] - s["others"]
        # The effect combines each person's answers over these items: shown only when it
        # holds whole blocks of the same people on every one of them. Judged over everyone
        # who answered any of them: beside the items' own figures, an effect over only those
        # who answered all would give away the sum of those who skipped one.
        sub = self.view.frame[self.view.frame["item"].isin(cols)
                              & self.view.frame["value"].notna()]
        # (A one-row result with a column: a frame without columns counts as empty.)
        ok, small = judge(pd.DataFrame({"n": [len(s)]}), self.view, keys=[], data=sub)
        if not ok[0] or sub["submission"].nunique() != len(s):
            why = reason(f"< {self.k}" if small[0] else "withheld", self.k)
            if not small[0]:
                why += " (or not everyone answered every item it combines)"
            return s, why
        return s, ""


def _fill(row, action, waves, w, dims, others, level, fac) -> None:
    before = waves[w]
    m1, s1, n1, why1 = before.figure(action)
    if not why1:
        row.update(before=m1, n_before=n1, released=True)
    if w + 1 == len(waves):
        row["verdict"] = NO_LATER
        row["why"] = "" if not why1 else f"before: {why1}"
        return
    after = waves[w + 1]
    m2, s2, n2, why2 = after.figure(action)
    k = max(before.k, after.k)
    row["released"] = not why1 and not why2
    if why1 or why2:
        row["why"] = f"before: {why1}" if why1 else f"after: {why2}"
        if not why2:
            row.update(after=m2, n_after=n2)
        return
    row.update(after=m2, n_after=n2)
    if moved_too_few(n1, n2, k):
        row["why"] = ("no change shown: too few people joined or left since the last wave "
                      f"(fewer than {k}), and the change could single them out")
        return
    change, lo, hi, why = change_between(m1, s1, n1, m2, s2, n2, level)
    row.update(change=change, change_low=lo, change_high=hi)
    d1, whyd1 = before.scores(dims, others)
    d2, whyd2 = after.scores(dims, others)
    if whyd1 or whyd2:
        row["why"] = (f"no effect shown: {whyd1 or whyd2}" if "nothing unacted" in
                      (whyd1 or whyd2) else f"no effect shown ({'before' if whyd1 else 'after'}"
                      f"): {whyd1 or whyd2}")
        return
    if moved_too_few(len(d1), len(d2), k):
        row["why"] = ("no effect shown: too few people joined or left since the last wave "
                      f"(fewer than {k}), and the effect could single them out")
        return
    row["others_change"] = float(d2["others"].mean() - d1["others"].mean())
    eff, elo, ehi, whye = change_between(d1["d"].mean(), d1["d"].std(), len(d1),
                                         d2["d"].mean(), d2["d"].std(), len(d2), level)
    det = detectable_change(d1["d"].std(), len(d1), d2["d"].std(), len(d2), level)
    row.update(effect=eff, effect_low=elo, effect_high=ehi, detectable=det)
    if whye:
        row["why"] = whye
        return
    row["why"] = why  # the change's interval alone may be undefined (no spread on the item)
    useful = meaningful(fac.scale)
    if elo > 0:
        row["verdict"] = "worked"
    elif ehi < useful:
        row["verdict"] = "did not work"
    else:
        row["why"] = (f"the waves cannot tell an effect of {useful:.1f} from none: the "
                      f"effect's interval runs from {elo:.2f} to {ehi:.2f}"
                      + (f" (the smallest effect they could detect is {det:.2f})"
                         if np.isfinite(det) else ""))
