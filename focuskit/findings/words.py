"""The plain words findings use: how far a group agrees, whether two groups clearly differ,
the level a mean has reached, and what each rater group is called.

Each rule is here once, so a card, a tab and a report page can never word the same number
differently.
"""

from __future__ import annotations

import math

__all__ = ["AGREEMENT", "agreement_word", "difference_word", "group_label", "group_name",
           "level_reached", "next_anchor", "num"]

#: rwg cut-offs, highest first: (lowest rwg, word). Half a hundredth below each published
#: boundary, so that the word always agrees with the rwg printed to two decimals.
AGREEMENT = ((0.705, "strong"), (0.505, "moderate"), (0.305, "weak"), (-math.inf, "none"))


def agreement_word(rwg) -> str:
    """How far a group agrees, from its within-group agreement rwg (James, Demaree & Wolf
    1984: rwg = 1 - s²/σ²_EU, 1 when everyone gives the same answer, 0 when answers are as
    spread as random ones).

    The words follow LeBreton & Senter (2008, "Answers to 20 questions about interrater
    reliability and interrater agreement", Organizational Research Methods 11(4), Table 3),
    with their top two steps ("strong", "very strong") read as one:

    - rwg .71 and above: "strong" (.70 is also the customary cut-off for enough agreement
      to speak of the group's view; Lance, Butts & Michels 2006 trace where it comes from);
    - .51 to .70: "moderate";
    - .31 to .50: "weak";
    - .30 and below, or negative: "none".

    An undefined rwg (one rater, or no spread possible) reads "not known", never as a number.

    >>> [agreement_word(x) for x in (0.95, 0.72, 0.6, 0.43, 0.2, float("nan"))]
    ['strong', 'strong', 'moderate', 'weak', 'none', 'not known']
    """
    if rwg is None or rwg != rwg:
        return "not known"
    return next(word for cut, word in AGREEMENT if rwg >= cut)


def difference_word(p, d=None) -> str:
    """Whether two groups' means clearly differ: "clear difference" when the test's
    two-sided p < .05; "possible difference" when p < .20, or when the effect is at least
    medium (|Cohen's d| ≥ 0.5, Cohen 1988) though p ≥ .05 (a real gap a small sample cannot
    yet confirm); else "no clear difference". An untestable pair (p missing) reads "not
    tested".

    >>> difference_word(0.009), difference_word(0.12), difference_word(0.4, 0.7)
    ('clear difference', 'possible difference', 'possible difference')
    >>> difference_word(0.6, 0.1)
    'no clear difference'
    """
    if p is None or p != p:
        return "not tested"
    if p < 0.05:
        return "clear difference"
    if p < 0.20 or (d is not None and d == d and abs(d) >= 0.5):
        return "possible difference"
    return "no clear difference"


def level_reached(mean, scale):
    """The highest anchor a mean has reached (2.2 on a 1/3/5 scale: the first, not yet the
    second), or None for a missing mean. The one rule for a group's level: a level is named
    only once it is reached, so the next step is always the very next anchor."""
    if mean is None or mean != mean:
        return None
    anchors = sorted(scale.anchors, key=lambda a: a.value)
    reached = [a for a in anchors if mean >= a.value - 1e-9]
    return reached[-1] if reached else anchors[0]


def next_anchor(mean, scale):
    """The first anchor above ``mean`` (one level at a time), None at the top."""
    anchors = sorted(scale.anchors, key=lambda a: a.value)
    return next((a for a in anchors if a.value > mean + 1e-9), None)


def num(x, nd: int = 1) -> str:
    """A figure as printed: one decimal unless told."""
    return f"{x:.{nd}f}"


# -- rater groups ----------------------------------------------------------------------------
def group_name(group: str, *, cap: bool = False) -> str:
    """A rater group inside a sentence ("customers", "our own people"; ``cap``: at its
    start), from the one vocabulary the instruments define (``instruments.rater_group``)."""
    from ..instruments import rater_group

    plural = rater_group(str(group)).plural
    return plural[:1].upper() + plural[1:] if cap else plural


def group_label(group: str) -> str:
    """A rater group on its own, in a heading or a legend: "Customers", "Our people"."""
    from ..instruments import rater_group

    return rater_group(str(group)).label
