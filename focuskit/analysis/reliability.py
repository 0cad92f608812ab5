"""Reliability: the six Shrout & Fleiss intraclass correlations and Cronbach's alpha.

They take an analyst's own rater-by-target or item frame and see no groups of people, so no
anonymity threshold applies here.
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd

__all__ = ["cronbach_alpha", "icc"]

_ICC_TYPES = ("ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k")
_ICC_DESCRIPTIONS = ("Single raters absolute", "Single random raters", "Single fixed raters",
                     "Average raters absolute", "Average random raters", "Average fixed raters")


def _confidence(confidence) -> float:
    if (isinstance(confidence, bool) or not isinstance(confidence, numbers.Real)
            or not 0 < confidence < 1):
        raise ValueError(f"confidence must be a level between 0 and 1 (0.95 for a 95% interval), "
                         f"not {confidence!r}")
    return float(confidence)


def _numeric_column(data: pd.DataFrame, col: str, role: str) -> None:
    if data[col].dtype.kind not in "biuf":
        raise ValueError(f"the {role} column {col!r} holds {data[col].dtype} values, not numbers; "
                         f"convert it first, e.g. data[{col!r}] = pd.to_numeric(data[{col!r}])")


def icc(data, targets, raters, ratings, *, confidence=0.95):
    r"""The six intraclass correlations of Shrout & Fleiss (1979) for a rater x target design.

    From the two-way ANOVA of n targets each rated by the same k raters, with mean squares
    MSB (between targets), MSJ (between raters), MSE (residual) and MSW (within targets,
    pooling raters and residual):

    .. math::

        ICC1 = \frac{MSB - MSW}{MSB + (k-1)MSW} \qquad
        ICC1k = \frac{MSB - MSW}{MSB}

        ICC2 = \frac{MSB - MSE}{MSB + (k-1)MSE + k(MSJ - MSE)/n} \qquad
        ICC2k = \frac{MSB - MSE}{MSB + (MSJ - MSE)/n}

        ICC3 = \frac{MSB - MSE}{MSB + (k-1)MSE} \qquad
        ICC3k = \frac{MSB - MSE}{MSB}

    ICC1 and ICC1k are tested with F = MSB/MSW on (n-1, n(k-1)) degrees of freedom, the
    others with F = MSB/MSE on (n-1, (n-1)(k-1)). Intervals follow Shrout & Fleiss (1979) and
    McGraw & Wong (1996): exact F bounds for ICC1 and ICC3, Satterthwaite's approximation for
    ICC2; the k-forms come from the same bounds (as ``pingouin.intraclass_corr`` does).

    Parameters
    ----------
    data : DataFrame
        Long frame, one row per rating.
    targets, raters, ratings : str
        Columns naming the rated target, the rater, and the numeric rating.
    confidence : float, default 0.95
        Level of the intervals.

    Returns
    -------
    DataFrame
        One row per form: ``Type`` (ICC1, ICC2, ICC3, ICC1k, ICC2k, ICC3k), ``Description``,
        ``ICC``, ``statistic`` (the F ratio), ``df1``, ``df2``, ``pval``, ``ci_low``, ``ci_high``.

    Notes
    -----
    The design must be complete and balanced: every rater rates every target exactly once,
    with no missing rating. This function does not drop targets for you; the error message
    says which targets are incomplete and how to keep only the complete ones.

    References
    ----------
    Shrout, P. E., & Fleiss, J. L. (1979). Intraclass correlations: uses in assessing rater
    reliability. *Psychological Bulletin*, 86(2), 420-428.

    McGraw, K. O., & Wong, S. P. (1996). Forming inferences about some intraclass correlation
    coefficients. *Psychological Methods*, 1(1), 30-46.

    Examples
    --------
    Shrout & Fleiss's own example: 6 targets, 4 judges.

    >>> import pandas as pd
    >>> from focuskit.analysis import icc
    >>> wide = pd.DataFrame([[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6],
    ...                      [10, 5, 6, 9], [6, 2, 4, 7]], columns=list("ABCD"))
    >>> long = wide.rename_axis("target").reset_index().melt(
    ...     id_vars="target", var_name="judge", value_name="rating")
    >>> icc(long, "target", "judge", "rating").set_index("Type")["ICC"].round(2).tolist()
    [0.17, 0.29, 0.71, 0.44, 0.62, 0.91]
    """
    from scipy.stats import f as fdist

    if not isinstance(data, pd.DataFrame):
        raise ValueError(f"icc takes a long DataFrame with one row per rating, "
                         f"not {type(data).__name__}")
    for role, col in (("targets", targets), ("raters", raters), ("ratings", ratings)):
        if not isinstance(col, str) or col not in data.columns:
            raise ValueError(f"{role}={col!r} is not a column of the frame; "
                             f"its columns are {list(data.columns)}")
    if len({targets, raters, ratings}) < 3:
        raise ValueError("targets, raters and ratings must name three different columns")
    conf = _confidence(confidence)
    _numeric_column(data, ratings, "ratings")
    if data[[targets, raters]].isna().any().any():
        raise ValueError(f"some rows have no {targets!r} or {raters!r}; every rating needs both")
    missing = data[ratings].isna()
    if missing.any():
        first = data[missing].iloc[0]
        raise ValueError(f"{int(missing.sum())} rating(s) are missing (first: target "
                         f"{first[targets]!r}, rater {first[raters]!r}); the ICC needs every "
                         "rater to rate every target. Drop the incomplete targets, e.g. "
                         f"data[~data[{targets!r}].isin(data.loc[data[{ratings!r}].isna(), "
                         f"{targets!r}])]")
    dup = data.duplicated([targets, raters])
    if dup.any():
        first = data[dup].iloc[0]
        raise ValueError(f"rater {first[raters]!r} rated target {first[targets]!r} more than once; "
                         "keep one rating per target and rater, e.g. "
                         f"data.groupby([{targets!r}, {raters!r}], as_index=False)"
                         f"[{ratings!r}].mean()")
    wide = data.pivot(index=targets, columns=raters, values=ratings)
    holes = wide.isna()
    if holes.any().any():
        incomplete = wide.index[holes.any(axis=1)]
        t0 = incomplete[0]
        r0 = wide.columns[holes.loc[t0].to_numpy()][0]
        raise ValueError(f"unbalanced design: {len(incomplete)} of {len(wide)} targets were not "
                         f"rated by every rater (first: target {t0!r} has no rating from "
                         f"{r0!r}). The ICC needs every rater to rate every target; keep the "
                         f"complete targets with data[data[{targets!r}].isin(data.pivot("
                         f"index={targets!r}, columns={raters!r}, values={ratings!r})"
                         ".dropna().index)]")
    n, k = wide.shape
    if n < 2 or k < 2:
        raise ValueError(f"the ICC needs at least 2 targets and 2 raters; this frame has {n} "
                         f"target(s) and {k} rater(s)")
    y = wide.to_numpy(dtype=float)
    if np.isinf(y).any():
        raise ValueError("ratings must be finite numbers")

    grand = y.mean()
    ss_targets = k * ((y.mean(axis=1) - grand) ** 2).sum()
    ss_raters = n * ((y.mean(axis=0) - grand) ** 2).sum()
    ss_error = ((y - grand) ** 2).sum() - ss_targets - ss_raters
    df_b, df_j, df_e, df_w = n - 1, k - 1, (n - 1) * (k - 1), n * (k - 1)
    msb, msj, mse = ss_targets / df_b, ss_raters / df_j, ss_error / df_e
    msw = (ss_raters + ss_error) / df_w
    a = 1 - conf

    with np.errstate(divide="ignore", invalid="ignore"):
        icc1 = (msb - msw) / (msb + (k - 1) * msw)
        icc2 = (msb - mse) / (msb + (k - 1) * mse + k * (msj - mse) / n)
        icc3 = (msb - mse) / (msb + (k - 1) * mse)
        icc1k = (msb - msw) / msb
        icc2k = (msb - mse) / (msb + (msj - mse) / n)
        icc3k = (msb - mse) / msb
        f1, f3 = msb / msw, msb / mse
        p1, p3 = fdist.sf(f1, df_b, df_w), fdist.sf(f3, df_b, df_e)

        # One-way model and consistency: exact bounds from the F distribution.
        f1_lo = f1 / fdist.ppf(1 - a / 2, df_b, df_w)
        f1_hi = f1 * fdist.ppf(1 - a / 2, df_w, df_b)
        f3_lo = f3 / fdist.ppf(1 - a / 2, df_b, df_e)
        f3_hi = f3 * fdist.ppf(1 - a / 2, df_e, df_b)
        ci1 = ((f1_lo - 1) / (f1_lo + k - 1), (f1_hi - 1) / (f1_hi + k - 1))
        ci3 = ((f3_lo - 1) / (f3_lo + k - 1), (f3_hi - 1) / (f3_hi + k - 1))
        # Absolute agreement: Satterthwaite's degrees of freedom for the denominator.
        fj = msj / mse
        base = n * (1 + (k - 1) * icc2) - k * icc2
        v = (df_e * (k * icc2 * fj + base) ** 2) / (df_b * k ** 2 * icc2 ** 2 * fj ** 2 + base ** 2)
        f_u = fdist.ppf(1 - a / 2, df_b, v)
        f_l = fdist.ppf(1 - a / 2, v, df_b)
        spread = k * msj + (k * n - k - n) * mse
        lo2 = n * (msb - f_u * mse) / (f_u * spread + n * msb)
        hi2 = n * (f_l * msb - mse) / (spread + n * f_l * msb)
        ci2 = (lo2, hi2)
        ci1k = (1 - 1 / f1_lo, 1 - 1 / f1_hi)
        ci2k = tuple(b * k / (1 + b * (k - 1)) for b in ci2)
        ci3k = (1 - 1 / f3_lo, 1 - 1 / f3_hi)

    cis = (ci1, ci2, ci3, ci1k, ci2k, ci3k)
    return pd.DataFrame({
        "Type": list(_ICC_TYPES),
        "Description": list(_ICC_DESCRIPTIONS),
        "ICC": np.array([icc1, icc2, icc3, icc1k, icc2k, icc3k], dtype=float),
        "statistic": np.array([f1, f3, f3, f1, f3, f3], dtype=float),
        "df1": [df_b] * 6,
        "df2": [df_w, df_e, df_e, df_w, df_e, df_e],
        "pval": np.array([p1, p3, p3, p1, p3, p3], dtype=float),
        "ci_low": np.array([c[0] for c in cis], dtype=float),
        "ci_high": np.array([c[1] for c in cis], dtype=float),
    })


# -- Cronbach's alpha --------------------------------------------------------------------------
def cronbach_alpha(data, *, items=None, scores=None, subject=None, confidence=0.95):
    r"""Internal consistency of a multi-item scale, Cronbach's (1951) alpha, with Feldt's interval.

    .. math::

        \alpha = \frac{k}{k-1}\left(1 - \frac{\sum_i s^2_i}{s^2_X}\right)

    where k is the number of items, :math:`s^2_i` the variance of item i and :math:`s^2_X`
    the variance of the respondents' total scores. The interval is Feldt's (Feldt, Woodruff
    & Salih 1987), with :math:`F` on (n-1, (n-1)(k-1)) degrees of freedom:

    .. math::

        \left[1 - (1-\alpha) F_{1-a/2},\; 1 - (1-\alpha) F_{a/2}\right], \qquad a = 1 - c

    Parameters
    ----------
    data : DataFrame
        Wide (one numeric column per item, one row per respondent) or long (with ``items``,
        ``scores`` and ``subject``).
    items, scores, subject : str, optional
        For a long frame, the columns naming the item, the score and the respondent. With the
        responses frame of one facet: ``items="item", scores="value", subject="submission"``.
    confidence : float, default 0.95
        Level of the interval.

    Returns
    -------
    DataFrame
        One row: ``n`` (respondents used), ``items`` (k), ``alpha``, ``ci_low``, ``ci_high``.

    Notes
    -----
    Respondents who skipped any item are left out (listwise deletion), so every variance and
    covariance comes from the same people and ``n`` is the number actually used. This matches
    ``pingouin.cronbach_alpha(..., nan_policy="listwise")`` for alpha; pingouin's interval,
    unlike this one, still counts the dropped respondents in its degrees of freedom.

    References
    ----------
    Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
    *Psychometrika*, 16(3), 297-334.

    Feldt, L. S., Woodruff, D. J., & Salih, F. A. (1987). Statistical inference for
    coefficient alpha. *Applied Psychological Measurement*, 11(1), 93-103.

    Examples
    --------
    >>> import pandas as pd
    >>> from focuskit.analysis import cronbach_alpha
    >>> wide = pd.DataFrame({"q1": [1, 2, 3, 4, 5], "q2": [2, 2, 3, 5, 4],
    ...                      "q3": [1, 3, 3, 4, 5]})
    >>> cronbach_alpha(wide).round(3)
       n  items  alpha  ci_low  ci_high
    0  5      3  0.945   0.723    0.994
    """
    from scipy.stats import f as fdist

    if not isinstance(data, pd.DataFrame):
        raise ValueError(f"cronbach_alpha takes a DataFrame (wide: one column per item; or long "
                         f"with items=, scores=, subject=), not {type(data).__name__}")
    conf = _confidence(confidence)
    long = {"items": items, "scores": scores, "subject": subject}
    if any(v is not None for v in long.values()):
        lacking = [name for name, v in long.items() if v is None]
        if lacking:
            raise ValueError(f"a long frame needs items=, scores= and subject=; "
                             f"{', '.join(lacking)} missing")
        for role, col in long.items():
            if not isinstance(col, str) or col not in data.columns:
                raise ValueError(f"{role}={col!r} is not a column of the frame; "
                                 f"its columns are {list(data.columns)}")
        _numeric_column(data, scores, "scores")
        dup = data.duplicated([subject, items])
        if dup.any():
            first = data[dup].iloc[0]
            raise ValueError(f"respondent {first[subject]!r} has more than one score for item "
                             f"{first[items]!r}; keep one score per respondent and item")
        wide = data.pivot(index=subject, columns=items, values=scores)
    else:
        wide = data
        bad = [c for c in wide.columns if wide[c].dtype.kind not in "biuf"]
        if bad:
            raise ValueError(f"a wide frame must hold one numeric column per item; column(s) "
                             f"{bad} are not numeric. Drop them, or pass a long frame with "
                             "items=, scores= and subject=")
    k = wide.shape[1]
    if k < 2:
        raise ValueError(f"Cronbach's alpha needs at least 2 items; this frame has {k}")
    x = wide.to_numpy(dtype=float, na_value=np.nan)
    if np.isinf(x).any():
        raise ValueError("scores must be finite numbers")
    x = x[~np.isnan(x).any(axis=1)]  # listwise deletion
    n = len(x)
    if n < 2:
        raise ValueError(f"Cronbach's alpha needs at least 2 respondents who answered every "
                         f"item; {n} did (those who skipped an item are left out)")
    cov = np.cov(x, rowvar=False, ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = k / (k - 1) * (1 - np.trace(cov) / cov.sum())
    a = 1 - conf
    df1, df2 = n - 1, (n - 1) * (k - 1)
    lower = 1 - (1 - alpha) * fdist.isf(a / 2, df1, df2)
    upper = 1 - (1 - alpha) * fdist.isf(1 - a / 2, df1, df2)
    return pd.DataFrame({"n": [n], "items": [k], "alpha": [float(alpha)],
                         "ci_low": [float(lower)], "ci_high": [float(upper)]})


# -- agreement table and discussion agenda -----------------------------------------------------
