"""What changed between waves: each wave's level with its interval, the change from the wave
before with Welch's interval, a plain verdict, and the smallest change the waves could detect.

The waves of a campaign are independent samples: respondent codes are not carried over, so
nobody's answers are paired across waves and every change is a difference of two group means.
"""

from __future__ import annotations

import functools
import math

import pandas as pd

from ._data import instrument_of, threshold
from .anonymity import reason
from .profiles import profile

__all__ = ["CANNOT_TELL", "FIRST", "VERDICTS", "change_between", "detectable_change",
           "moved_too_few", "trend", "verdict_of", "wave_instrument"]

FIRST = "first wave"
CANNOT_TELL = "cannot tell"
VERDICTS = (FIRST, "improved", "declined", "no clear change", CANNOT_TELL)
#: Statistical power the ``detectable`` change is worked out for.
POWER = 0.8

_COLUMNS = ["wave", "campaign", "rater_group", None, "facet", "n", "mean", "sd", "ci_low",
            "ci_high", "band", "change", "change_low", "change_high", "detectable", "verdict",
            "released", "why"]


def change_between(m1, s1, n1, m2, s2, n2, level: float = 0.95):
    """The change from a first sample (mean ``m1``, sd ``s1``, size ``n1``) to a second, with
    Welch's interval: ``(change, low, high, why)``. ``why`` is "" when the interval is
    defined, else a sentence saying why it is not (its bounds are then NaN).

    ``se = sqrt(s1²/n1 + s2²/n2)``; ``df = se⁴ / ((s1²/n1)²/(n1-1) + (s2²/n2)²/(n2-1))``
    (Welch-Satterthwaite); the interval is ``change ± t(1-α/2, df)·se``, as
    ``scipy.stats.ttest_ind(after, before, equal_var=False).confidence_interval(level)``.
    """
    from scipy import stats

    n1, n2 = _count(n1), _count(n2)
    if n1 == 0 or n2 == 0:
        which = "the earlier wave" if n1 == 0 else "this wave"
        return math.nan, math.nan, math.nan, f"no answers in {which}"
    change = float(m2) - float(m1)
    if n1 < 2 or n2 < 2:
        which = "the earlier wave" if n1 < 2 else "this wave"
        return change, math.nan, math.nan, (f"only one answer in {which}: "
                                            "a single answer has no spread to judge by")
    v1, v2 = float(s1) ** 2 / n1, float(s2) ** 2 / n2
    se2 = v1 + v2
    if not se2 > 0:
        return change, math.nan, math.nan, ("everyone gave the same answer in both waves: "
                                            "there is no spread to judge a change by")
    df = se2 ** 2 / (v1 ** 2 / (n1 - 1) + v2 ** 2 / (n2 - 1))
    half = float(stats.t.ppf((1 + level) / 2, df)) * math.sqrt(se2)
    return change, change - half, change + half, ""


def _count(n) -> int:
    return 0 if n is None or pd.isna(n) else int(n)


@functools.lru_cache(maxsize=512)
def _noncentrality(df: int, level: float, power: float) -> float:
    """The noncentrality at which a two-sided t test at ``level`` on ``df`` degrees of
    freedom rejects with probability ``power``."""
    from scipy import optimize, stats

    crit = stats.t.ppf((1 + level) / 2, df)

    def short(ncp):
        got = stats.nct.sf(crit, df, ncp) + stats.nct.cdf(-crit, df, ncp)
        return (1.0 if math.isnan(got) else got) - power  # NaN far out in the tail: power 1

    high = 4.0
    while short(high) < 0:
        high *= 2
    return float(optimize.brentq(short, 0.0, high, xtol=1e-10))


def detectable_change(s1, n1, s2, n2, level: float = 0.95, power: float = POWER) -> float:
    """The smallest true change two independent samples of ``n1`` and ``n2`` could detect
    with probability ``power`` by a two-sided t test at ``level``.

    ``detectable = λ · s_p · sqrt(1/n1 + 1/n2)`` with the pooled standard deviation
    ``s_p = sqrt(((n1-1)·s1² + (n2-1)·s2²) / (n1+n2-2))`` and ``λ`` the noncentrality at
    which the noncentral t on ``n1+n2-2`` degrees of freedom exceeds the test's critical
    value ``t(1-α/2)`` in absolute value with probability ``power`` (Cohen 1988, ch. 2; for
    large samples ``λ ≈ z(1-α/2) + z(power)`` = 2.80 at 95% and 80%). NaN when undefined
    (fewer than two answers in a wave, or no spread in either).
    """
    n1, n2 = _count(n1), _count(n2)
    if n1 < 2 or n2 < 2 or pd.isna(s1) or pd.isna(s2):
        return math.nan
    df = n1 + n2 - 2
    sp = math.sqrt(((n1 - 1) * float(s1) ** 2 + (n2 - 1) * float(s2) ** 2) / df)
    if not sp > 0:
        return math.nan
    return _noncentrality(df, float(level), float(power)) * sp * math.sqrt(1 / n1 + 1 / n2)


def moved_too_few(n1, n2, k: int) -> bool:
    """The cross-wave rule: a group whose count moved by 1 to k-1 between two waves shows no
    change figure (see docs/trend.md)."""
    return 0 < abs(_count(n2) - _count(n1)) < k


def wave_instrument(waves, instrument=None):
    """The one instrument every wave answers (checked), and the waves as a list:
    ``instrument`` when given (an Instrument or a built-in's id), else the frames' own."""
    if isinstance(waves, pd.DataFrame) or not isinstance(waves, (list, tuple)):
        raise ValueError("pass the waves as a list of Store.responses(...) frames, oldest "
                         "first (one per wave, even if there is only one)")
    if not waves:
        raise ValueError("no waves given: pass at least one Store.responses(...) frame")
    for n, w in enumerate(waves, start=1):
        if not isinstance(w, pd.DataFrame):
            raise ValueError(f"wave {n} is a {type(w).__name__}, not a Store.responses frame")
    for n, (a, b) in enumerate(zip(waves, waves[1:], strict=False), start=1):
        if "submitted_at" in a and "submitted_at" in b and len(a) and len(b) \
                and a["submitted_at"].min() > b["submitted_at"].max():
            raise ValueError(f"wave {n} was answered after wave {n + 1}: pass the waves "
                             "oldest first (as Store.waves lists them)")
    inst = instrument_of(waves[0], instrument)
    for n, w in enumerate(waves[1:], start=2):
        other = instrument_of(w, instrument)
        if (other.id, other.version) != (inst.id, inst.version):
            raise ValueError(f"wave {n} answers {other.id} {other.version}, wave 1 answers "
                             f"{inst.id} {inst.version}: waves compare only the same "
                             "instrument version")
    return inst, list(waves)


def verdict_of(low, high) -> str:
    if pd.isna(low) or pd.isna(high):
        return CANNOT_TELL
    if low > 0:
        return "improved"
    if high < 0:
        return "declined"
    return "no clear change"


def trend(waves, *, by="item", level=0.95, instrument=None) -> pd.DataFrame:
    """What changed between waves, per rater group and dimension (item or section).

    For every wave, rater group, item (or section) and rating facet: ``n`` respondents, the
    ``mean``, ``sd`` and its t interval, as ``profile`` gives them under that wave's own
    disclosure decision. For every wave after the first, the ``change`` from the wave before
    with Welch's interval, a plain ``verdict`` and the ``detectable`` change.

    Waves are independent samples (respondent codes are not carried over), so a change is a
    difference of two group means with unequal variances (Welch 1947):

    * ``change = mean₂ - mean₁``; ``se = sqrt(sd₁²/n₁ + sd₂²/n₂)``;
      ``df = se⁴ / ((sd₁²/n₁)²/(n₁-1) + (sd₂²/n₂)²/(n₂-1))``;
      ``change_low, change_high = change ∓ t(1-α/2, df)·se``, with ``1-α = level``.
    * ``verdict``: "improved" when the interval lies above 0, "declined" when below,
      "no clear change" when it holds 0, "cannot tell" when there is no interval (a figure
      withheld, fewer than two answers, no spread in either wave, a wave without answers:
      ``why`` says which), "first wave" on wave 1.
    * ``detectable``: the smallest true change the two waves' sizes could detect with 80%
      power by a two-sided t test at ``level``: ``λ·s_p·sqrt(1/n₁ + 1/n₂)``, with the pooled
      ``s_p = sqrt(((n₁-1)sd₁² + (n₂-1)sd₂²)/(n₁+n₂-2))`` and ``λ`` the noncentrality of a
      t on ``n₁+n₂-2`` degrees of freedom with that power (≈ 2.8 for large waves; Cohen
      1988). A "no clear change" with a large ``detectable`` says the waves were too small
      to see a change of that size, not that nothing changed.

    With ``by="section"`` a respondent's score is their mean over the section's items.

    Anonymity: each wave's figures are released or withheld by its own decision
    (``focuskit.analysis.anonymity``). A change is shown only where both waves' figures are
    released and the group's count did not move by 1 to k-1 between them (a change about
    a handful of people who joined or left would point at them); see docs/trend.md for
    what a viewer of both waves can still learn.

    Parameters
    ----------
    waves : list of DataFrame
        ``Store.responses(...)`` of each wave of one campaign, oldest first (``Store.waves``).
    by : {"item", "section"}
    level : float
        Confidence level of every interval, and the test level of ``detectable``.
    instrument : Instrument or str, optional
        For frames that do not carry theirs (``Store.responses`` frames do).

    Returns
    -------
    DataFrame
        One row per wave x rater_group x item (or section) x facet: ``wave`` (1, 2, ...),
        ``campaign``, ``rater_group``, ``item`` or ``section``, ``facet``, ``n``, ``mean``,
        ``sd``, ``ci_low``, ``ci_high``, ``band``, ``change``, ``change_low``,
        ``change_high``, ``detectable``, ``verdict``, ``released`` (this wave's figures are
        shown), ``why`` (why a figure or the change is not shown, else "").

    References
    ----------
    Welch, B. L. (1947). The generalization of "Student's" problem when several different
    population variances are involved. Biometrika 34, 28-35.
    Cohen, J. (1988). Statistical power analysis for the behavioral sciences (2nd ed.).

    Examples
    --------
    The waves of a campaign are ``[store.responses(c.id) for c in store.waves(campaign)]``.
    The same answers twice show no change:

    >>> t = trend([responses, responses])
    >>> t.query("wave == 2")["verdict"].unique().tolist()
    ['no clear change']
    >>> float(t.query("wave == 2")["change"].abs().max())
    0.0
    """
    inst, waves = wave_instrument(waves, instrument)
    if by not in ("item", "section"):
        raise ValueError(f"by must be 'item' or 'section', not {by!r}")
    if not 0 < level < 1:
        raise ValueError(f"level must lie between 0 and 1 (0.95 for 95%), not {level!r}")
    rating = [f for f in inst.facets if f.scale.kind == "rating"]
    per_wave, ks = [], []
    for n, frame in enumerate(waves, start=1):
        ks.append(threshold(frame, None))
        parts = []
        for fac in rating:
            have = "facet" in frame and (frame["facet"] == fac.id).any()
            if not have:
                continue
            p = profile(frame, by="rater_group", per=by, facet=fac.id, confidence=level,
                        instrument=inst)
            parts.append(p.assign(facet=fac.id))  # a held-back group's row lacks it
        prof = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
            columns=[by, "rater_group", "facet", "n", "mean", "sd", "ci_low", "ci_high",
                     "band", "n_shown", "suppressed"])
        prof["wave"] = n
        prof["campaign"] = frame.attrs.get("campaign")
        per_wave.append(prof)
    keys = ["rater_group", by, "facet"]
    seen = pd.concat([p[keys] for p in per_wave], ignore_index=True).drop_duplicates()
    rows = []
    for _, key in seen.iterrows():
        before = None
        for n, prof in enumerate(per_wave, start=1):
            hit = prof[(prof["rater_group"] == key["rater_group"]) & (prof[by] == key[by])
                       & (prof["facet"] == key["facet"])]
            row = _wave_row(hit, key, n, waves[n - 1], ks[n - 1], by)
            _change(row, before, max(ks[n - 1], ks[n - 2] if n > 1 else 0), level)
            rows.append(row)
            before = row
    out = pd.DataFrame(rows, columns=[by if c is None else c for c in _COLUMNS])
    order = {v: i for i, v in enumerate(
        [i.id for i in inst.items] if by == "item" else [s.id for s in inst.sections])}
    groups = {g: i for i, g in enumerate(dict.fromkeys(
        [*inst.audiences, *sorted(out["rater_group"].dropna().astype(str).unique())]))}
    facets = {f.id: i for i, f in enumerate(inst.facets)}
    out = out.assign(_g=out["rater_group"].map(groups), _o=out[by].map(order),
                     _f=out["facet"].map(facets)) \
        .sort_values(["_g", "_o", "_f", "wave"]).drop(columns=["_g", "_o", "_f"])
    out["n"] = out["n"].astype("Int64")
    out["released"] = out["released"].astype(bool)
    out = out.reset_index(drop=True)
    out.attrs["instrument"] = inst
    out.attrs["level"] = level
    # For readers comparing waves that are not neighbours (then and now): rule 2's k.
    out.attrs["min_group_size"] = max(ks)
    return out


def _wave_row(hit: pd.DataFrame, key, n: int, frame: pd.DataFrame, k: int, by: str) -> dict:
    row = dict(wave=n, campaign=frame.attrs.get("campaign"), rater_group=key["rater_group"],
               facet=key["facet"], n=pd.NA, mean=math.nan, sd=math.nan, ci_low=math.nan,
               ci_high=math.nan, band=None, change=math.nan, change_low=math.nan,
               change_high=math.nan, detectable=math.nan, verdict=FIRST if n == 1 else None,
               released=False, why="")
    row[by] = key[by]
    if hit.empty:
        row["why"] = f"no answers in wave {n}"
        return row
    r = hit.iloc[0]
    if bool(r["suppressed"]):
        row["why"] = f"in wave {n}, {reason(r['n_shown'], k)}"
        return row
    row.update(n=int(r["n"]), mean=float(r["mean"]), sd=float(r["sd"]),
               ci_low=float(r["ci_low"]), ci_high=float(r["ci_high"]), band=r["band"],
               released=True)
    if int(r["n"]) < 2:
        row["why"] = f"only one answer in wave {n}: no interval"
    return row


def _change(row: dict, before: dict | None, k: int, level: float) -> None:
    """Fill ``row``'s change from ``before`` (the same key's row of the wave before)."""
    if before is None:
        return
    row["verdict"] = CANNOT_TELL
    if not before["released"] or not row["released"]:
        if not row["why"]:
            row["why"] = f"no change shown: {before['why'] or 'the earlier wave is withheld'}"
        return
    if moved_too_few(before["n"], row["n"], k):
        row["why"] = ("no change shown: too few people joined or left since the last wave "
                      f"(fewer than {k}), and the change could single them out")
        return
    change, low, high, why = change_between(before["mean"], before["sd"], before["n"],
                                            row["mean"], row["sd"], row["n"], level)
    row.update(change=change, change_low=low, change_high=high,
               detectable=detectable_change(before["sd"], before["n"], row["sd"], row["n"],
                                            level))
    if why:
        row["why"] = why
        return
    row["verdict"] = verdict_of(low, high)

