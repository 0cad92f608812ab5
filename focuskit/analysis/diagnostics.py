"""Diagnostics: the blocks to customer focus, and a Baldrige-style (ADLI) review of a
customer-contact programme (external focus lives in ``external.py``).

Each function takes the long responses frame (``Store.responses``) and returns one tidy
DataFrame. Figures about a group smaller than the campaign's minimum are withheld through
:mod:`focuskit.analysis.anonymity` (``suppressed`` and ``n_shown`` columns).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._carry import carries_instrument
from ._data import check_by, check_frame, instrument_of, level_band
from ._data import min_group as _threshold
from ._ratings import _rwg_from_var
from ._summaries import _finish, _need_facets, _order, _person_means, _summary
from .anonymity import judge, restrict, source, withhold, withhold_all
from .comments import comments

__all__ = ["blocks", "adli", "EXPECTED_PEOPLE_SHARE", "MISATTRIBUTION_TOLERANCE"]

#: The 85/15 rule: about 15 in 100 service breakdowns start with people, 85 with systems,
#: processes or structures (Clemmer, "Blocks to Customer Focus").
EXPECTED_PEOPLE_SHARE = 0.15
#: How far above the rule's 15% a group's people share must be before a block is flagged as
#: misattributed: 0.20, i.e. more than 35% of answers blame people. With the small groups a
#: management team makes (5 to 12 people), a share within 20 points of 15% is within one or
#: two answers of the rule; beyond it, the team blames people at over twice the rule's rate.
MISATTRIBUTION_TOLERANCE = 0.20
#: root_cause codes of the blocks instrument.
SYSTEMS, PEOPLE = 1, 2
ADLI = ("approach", "deployment", "learning", "integration")


# -- blocks ------------------------------------------------------------------------------------
@carries_instrument
def blocks(data: pd.DataFrame, *, by=None, min_group: int | None = None, instrument=None,
           tolerance: float = MISATTRIBUTION_TOLERANCE) -> pd.DataFrame:
    """Blocks to customer focus, ranked by severity and agreement, beside the 85/15 rule.

    For each block (item) and group: how strongly it holds (facet ``applies``), how far the
    group agrees on that, and where the group places its root cause (facet ``root_cause``:
    1 systems, processes and structures; 2 people). An ``overall`` row per group pools every
    block and sets the group's systems/people split beside the 85/15 rule.

    Parameters
    ----------
    data : DataFrame
        Long responses of a ``blocks`` campaign (``Store.responses``).
    by : str or list of str, optional
        Slice by ``rater_group`` and/or ``segment``.
    min_group : int, optional
        Anonymity threshold; defaults to the campaign's (``data.attrs``), else 5.
    instrument : Instrument or str, optional
        Defaults to the instrument named in ``data.attrs``.
    tolerance : float, default 0.20
        A block is ``misattributed`` when ``share_people > 0.15 + tolerance`` (default: more
        than 35% of the group's root-cause answers blame people).

    Returns
    -------
    DataFrame
        One row per group and block (``scope`` "block"), then one per group (``scope``
        "overall"). Columns: scope, the ``by`` columns, section, item, n (respondents),
        mean (severity on the 1-5 scale), sd, agreement, n_cause (root-cause answers),
        share_systems, share_people, expected_people (0.15), pval (of the people share),
        misattributed, rank, suppressed, n_shown.

    Notes
    -----
    - ``agreement`` is rwg = 1 - s²/σ²_EU with σ²_EU = (A² - 1)/12, the variance of a
      uniform answer on an A-point scale (A = 5: σ²_EU = 2), truncated at 0 (James, Demaree
      & Wolf 1984). 1 is full agreement; NaN for a single respondent.
    - ``share_people`` = answers coding the cause as people / root-cause answers;
      ``share_systems`` = 1 - share_people. The 85/15 rule (Clemmer, "Blocks to Customer
      Focus") expects people in about 15% of breakdowns.
    - ``pval`` is the one-sided exact binomial test (``scipy.stats.binomtest``) that the
      group's people share exceeds 0.15; it is left empty on the overall row, whose answers
      are not independent (each respondent answers every block).
    - ``rank`` orders blocks within a group by mean severity (highest first), ties broken by
      agreement (highest first); equal on both, equal rank. Withheld rows are not ranked.
    - The overall row's mean and sd are over respondents' mean severity across blocks.

    Examples
    --------
    >>> from focuskit import Store
    >>> from focuskit.demo import seed_store
    >>> store = Store("sqlite:///:memory:"); _ = seed_store(store)
    >>> res = blocks(store.responses("demo-blocks"))
    >>> overall = res[res["scope"] == "overall"].iloc[0]
    >>> round(float(overall["share_people"]), 3), bool(overall["misattributed"])
    (0.375, True)
    """
    frame = check_frame(data)
    inst = instrument_of(data, instrument)
    _need_facets(inst, ("applies", "root_cause"), "blocks")
    by = check_by(frame, by, allowed=("rater_group", "segment"))
    k = _threshold(data, min_group)
    if not isinstance(tolerance, (int, float)) or not 0 <= tolerance < 1 - EXPECTED_PEOPLE_SHARE:
        raise ValueError(f"tolerance must be a share between 0 and 0.85, not {tolerance!r}")
    _, view = restrict(frame, None, k)
    frame, few = source(view)
    applies = frame[frame["facet"] == "applies"]
    if applies.empty:
        raise ValueError("no 'applies' answers in this frame: pass the responses of a blocks "
                         "campaign (store.responses(campaign))")
    cause = frame[frame["facet"] == "root_cause"]
    odd = sorted(set(cause["value"].unique()) - {SYSTEMS, PEOPLE})
    if odd:
        raise ValueError(f"root_cause must be {SYSTEMS} (systems) or {PEOPLE} (people); "
                         f"found {odd}")
    points = inst.facet("applies").scale.points
    section = {i.id: i.section for i in inst.items}
    items = [i.id for i in inst.items]

    # Block rows.
    keys = [*by, "item"]
    blk = _summary(applies, keys).drop(columns=["ci_low", "ci_high"])
    blk["agreement"] = _rwg_from_var(blk["sd"] ** 2, points, truncate=True)
    causes = cause.assign(people=cause["value"] == PEOPLE).groupby(keys, dropna=False)
    causes = causes.agg(n_cause=("people", "size"), n_people=("people", "sum")).reset_index()
    blk = blk.merge(causes, on=keys, how="left")
    blk[["n_cause", "n_people"]] = blk[["n_cause", "n_people"]].fillna(0)
    from scipy import stats

    blk["pval"] = [stats.binomtest(int(p), int(c), EXPECTED_PEOPLE_SHARE,
                                       alternative="greater").pvalue if c else np.nan
                       for p, c in zip(blk["n_people"], blk["n_cause"], strict=True)]
    blk.insert(0, "scope", "block")
    blk["section"] = blk["item"].map(section)
    blk = blk.assign(_o=_order(blk, "item", items)).sort_values([*by, "_o"]) \
        .drop(columns="_o").reset_index(drop=True)

    # Overall rows: every block pooled, per group.
    ov = _summary(_person_means(applies, by), by).drop(columns=["ci_low", "ci_high"])
    ov["agreement"] = np.nan
    pooled = cause.assign(people=cause["value"] == PEOPLE)
    if by:
        pooled = pooled.groupby(by, dropna=False).agg(
            n_cause=("people", "size"), n_people=("people", "sum")).reset_index()
        ov = ov.merge(pooled, on=by, how="left")
    else:
        ov["n_cause"], ov["n_people"] = len(pooled), pooled["people"].sum()
    ov[["n_cause", "n_people"]] = ov[["n_cause", "n_people"]].fillna(0)
    ov["pval"] = np.nan
    ov.insert(0, "scope", "overall")
    ov["section"], ov["item"] = None, None
    if by:
        ov = ov.sort_values(by).reset_index(drop=True)

    parts = []
    for part, pkeys in ((blk, keys), (ov, by)):
        with np.errstate(invalid="ignore", divide="ignore"):
            part["share_people"] = part["n_people"] / part["n_cause"].where(part["n_cause"] > 0)
        part["share_systems"] = 1 - part["share_people"]
        part = part.drop(columns="n_people")
        values = ["mean", "sd", "agreement", "n_cause", "share_systems", "share_people",
                  "pval"]
        if few:
            parts.append(withhold_all(part, k, values=values, reason=f"< {k}"))
            continue
        # Severity is about who rated how strongly a block applies; the causes (an optional
        # answer) are counts judged on who gave one. Counts add up, so they need not come
        # from the same people on every block.
        cause_cols = ["n_cause", "share_systems", "share_people", "pval"]
        cause_ok, few_causes = judge(part, view, keys=pkeys, data=cause, together=False,
                                     raw=view.raw[view.raw["facet"] == "root_cause"])
        cause_ok |= ~few_causes & (part["n_cause"].to_numpy() == 0)  # nobody gave a cause
        part = withhold(part, k, keys=pkeys, view=view, data=applies, values=values[:3])
        part.loc[~cause_ok, cause_cols] = np.nan
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    out["n_cause"] = out["n_cause"].astype("Int64")
    out["expected_people"] = EXPECTED_PEOPLE_SHARE
    out["misattributed"] = pd.array(
        [pd.NA if pd.isna(s) else bool(s > EXPECTED_PEOPLE_SHARE + tolerance)
         for s in out["share_people"]], dtype="boolean")
    out["rank"] = _rank(out, by)
    is_block = out["scope"] == "block"
    out["_r"] = out["rank"].astype(float).fillna(np.inf)
    out["_b"] = (~is_block).astype(int)
    out = out.sort_values(["_b", *by, "_r"], kind="stable").drop(columns=["_r", "_b"])
    out["n"] = out["n"].astype("Int64")
    return out.reset_index(drop=True)[[
        "scope", *by, "section", "item", "n", "mean", "sd", "agreement", "n_cause",
        "share_systems", "share_people", "expected_people", "pval", "misattributed",
        "rank", "suppressed", "n_shown"]]


def _rank(out: pd.DataFrame, by: list[str]) -> pd.Series:
    """Rank of each shown block within its group: severity first, then agreement."""
    rank = pd.Series(pd.NA, index=out.index, dtype="Int64")
    shown = out[(out["scope"] == "block") & out["mean"].notna()]
    if shown.empty:
        return rank
    order = shown.assign(_a=shown["agreement"].fillna(-np.inf)).sort_values(
        [*by, "mean", "_a"], ascending=[True] * len(by) + [False, False], kind="stable")
    pos = (order.groupby(by, sort=False).cumcount() + 1) if by else \
        pd.Series(np.arange(1, len(order) + 1), index=order.index)
    ties = order.assign(_p=pos).groupby([*by, "mean", "_a"], dropna=False)["_p"].transform("min")
    rank.loc[ties.index] = ties.astype(int)
    return rank


# -- ADLI --------------------------------------------------------------------------------------
@carries_instrument
def adli(data: pd.DataFrame, *, by=None, min_group: int | None = None, instrument=None,
         confidence: float = 0.95) -> pd.DataFrame:
    """Scores of a customer-contact programme review per question and A/D/L/I dimension.

    Reviewers score each question on approach, deployment, learning and integration, on the
    4-point maturity scale 1 Reacting, 2 Early systematic, 3 Aligned, 4 Integrated, and note
    their evidence in the question's comment.

    Parameters
    ----------
    data : DataFrame
        Long responses of a ``contact-programme`` campaign (``Store.responses``).
    by : str or list of str, optional
        Slice by ``rater_group`` and/or ``segment`` (e.g. reviewers from different units).
    min_group : int, optional
        Anonymity threshold; defaults to the campaign's (``data.attrs``), else 5.
    instrument : Instrument or str, optional
        Defaults to the instrument named in ``data.attrs``.
    confidence : float, default 0.95
        Level of the t interval of each mean.

    Returns
    -------
    DataFrame
        Rows of four scopes, per group: ``cell`` (question × dimension), ``question`` (a
        question over its four dimensions), ``dimension`` (a dimension over all questions)
        and ``overall`` (the whole programme: its maturity). Columns: scope, the ``by``
        columns, section, item, dimension (missing where a row pools over it), n
        (reviewers), mean, sd, ci_low, ci_high, band (the anchor label nearest the mean),
        descriptor (that anchor's description), evidence (question rows: the list of
        evidence notes as ``focuskit.analysis.comments`` releases them: only without ``by``,
        only from at least the comment threshold of reviewers, in the order of their text;
        None when held back), suppressed, n_shown.

    Notes
    -----
    - A pooled mean is the mean over reviewers of each reviewer's mean, e.g. for question q,
      mean_q = (1/n) Σ_r (1/|D_r|) Σ_{d ∈ D_r} x_{r,q,d}; with every dimension answered it
      equals the mean of all answers. sd and the t interval are across reviewers, so n is
      the number of reviewers, not of answers.
    - band: boundaries half way between anchors (1.5, 2.5, 3.5), ties going up
      (``focuskit.analysis._data.level_band``). The overall row's band is the programme's
      maturity.
    - The four factors and maturity stages follow the approach, deployment, learning and
      integration (ADLI) evaluation factors of the Baldrige Excellence Framework (NIST,
      Baldrige Performance Excellence Program, process scoring guidelines); Baldrige
      examiners score holistically, so these means are a guide to the discussion, not a
      Baldrige score. The questions follow Marra's review of a customer-visit programme.

    Examples
    --------
    >>> from focuskit import Store
    >>> from focuskit.demo import seed_store
    >>> store = Store("sqlite:///:memory:"); _ = seed_store(store)
    >>> res = adli(store.responses("demo-contact-review"))
    >>> res.loc[res["scope"] == "overall", "band"].item()
    'Early systematic'
    """
    frame = check_frame(data)
    inst = instrument_of(data, instrument)
    _need_facets(inst, ADLI, "contact-programme")
    by = check_by(frame, by, allowed=("rater_group", "segment"))
    k = _threshold(data, min_group)
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie between 0 and 1, not {confidence!r}")
    frame = frame[frame["facet"].isin(ADLI)]
    empty = frame.empty
    _, view = restrict(frame, None, k)
    frame, few = source(view)
    if empty:
        raise ValueError("no approach/deployment/learning/integration answers in this frame: "
                         "pass the responses of a contact-programme campaign")
    frame = frame.rename(columns={"facet": "dimension"})
    scale = inst.scale
    items = [i.id for i in inst.items]
    section = {i.id: i.section for i in inst.items}

    cell = _summary(frame, [*by, "item", "dimension"], confidence)
    question = _summary(_person_means(frame, [*by, "item"]), [*by, "item"], confidence)
    dimension = _summary(_person_means(frame, [*by, "dimension"]), [*by, "dimension"],
                         confidence)
    overall = _summary(_person_means(frame, by), by, confidence)

    # Evidence notes are comments: through the comment gate, never per group or segment.
    notes, held = {}, set()
    if not by:
        released = comments(data, min_group=k)
        held = set(released.attrs["withheld"])
        for item, g in released.groupby("item", sort=False):
            notes[item] = list(g["comment"])
    question["evidence"] = [None if by or item in held else notes.get(item, [])
                            for item in question["item"]]

    values = ["mean", "sd", "ci_low", "ci_high"]
    parts = []
    for scope, part, keys in (("cell", cell, [*by, "item", "dimension"]),
                              ("question", question, [*by, "item"]),
                              ("dimension", dimension, [*by, "dimension"]),
                              ("overall", overall, by)):
        part = part.copy()
        part.insert(0, "scope", scope)
        for col in ("item", "dimension", "evidence"):
            if col not in part.columns:
                part[col] = None
        part["section"] = part["item"].map(section) if scope in ("cell", "question") else None
        part["_i"] = _order(part, "item", items) if scope in ("cell", "question") else 0
        part["_d"] = _order(part, "dimension", ADLI) if scope in ("cell", "dimension") else 0
        part = part.sort_values([*by, "_i", "_d"]).drop(columns=["_i", "_d"])
        blank = values + (["evidence"] if scope == "question" else [])
        part = withhold_all(part.reset_index(drop=True), k, values=blank, reason=f"< {k}") \
            if few else withhold(part.reset_index(drop=True), k, keys=keys, view=view,
                                 values=blank)
        part["evidence"] = [v if isinstance(v, list) else None for v in part["evidence"]]
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    out["band"] = level_band(out["mean"], scale)
    desc = {a.label: a.description for a in scale.anchors}
    out["descriptor"] = out["band"].map(lambda b: desc.get(b) if b else None)
    return _finish([out], ["scope", *by, "section", "item", "dimension", "n", *values, "band",
                           "descriptor", "evidence", "suppressed", "n_shown"])


# -- external focus ----------------------------------------------------------------------------
