"""What changed since the last wave, and which actions worked: findings from ``trend`` and
``action_effects`` (``focuskit.analysis``), for the dashboard, the programme page and the
programme report alike.
"""

from __future__ import annotations

import math

import pandas as pd

from ..names import readable
from .model import Finding
from .words import group_name, num

__all__ = ["action_findings", "since_words", "trend_findings"]

CHANGED = ("improved", "declined")


def _pct(df: pd.DataFrame) -> str:
    return f"{round(100 * float(df.attrs.get('level', 0.95)))}%"


def _signed(x, nd: int = 1) -> str:
    s = num(abs(x), nd)
    return s if s == num(0, nd) else f"{'+' if x > 0 else '−'}{s}"


def _pair(a, b) -> tuple[str, str]:
    """Two means as printed: one decimal, two where one would make them look equal."""
    nd = 1 if num(a) != num(b) else 2
    return num(a, nd), num(b, nd)


def _dimension(value, by: str, inst) -> str:
    if inst is not None and by == "section":
        return next((s.title for s in inst.sections if s.id == value), readable(value))
    return readable(value)


def _facet_words(facet, inst) -> str:
    """" (Do)" where the instrument asks several facets, else ""."""
    if inst is None or len([f for f in inst.facets if f.scale.kind == "rating"]) < 2:
        return ""
    return f" ({readable(facet)})"


def since_words(waves) -> str:
    """How the wave before the latest is named in a sentence: "a year ago" when the last two
    answered waves' latest answers are about a year apart, else "at the last wave". ``waves``
    are the chain's responses frames, oldest first; the dashboard and the programme page
    both call this, so they word the same change the same way."""
    answered = [w for w in waves if len(w)]
    if len(answered) < 2:
        return "at the last wave"
    a, b = answered[-2]["submitted_at"].max(), answered[-1]["submitted_at"].max()
    return "a year ago" if 300 <= (b - a).days <= 430 else "at the last wave"


def trend_findings(trend_df: pd.DataFrame, instrument=None, *, since: str = "at the last wave"
                   ) -> list[Finding]:
    """What changed between the last two waves, in plain sentences.

    One finding per clear change (improved or declined), largest first ("Customers rate
    Leadership higher than at the last wave: 2.4 → 3.0."), with the interval, the counts and
    the detectable change in ``details``; then one summary ("Since the last wave: 3 figures
    improved, 1 declined, 20 show no clear change."), and one note per reason a change is
    not shown. ``instrument`` names sections and facets (default: the frame's attrs);
    ``since`` words the earlier wave ("a year ago", where the waves are a year apart).
    """
    inst = instrument if instrument is not None else trend_df.attrs.get("instrument")
    if isinstance(inst, str):
        from ..instruments import load_instrument

        inst = load_instrument(inst)
    if trend_df is None or trend_df.empty:
        return [Finding("trend-none", "No answers yet to show a trend.")]
    by = "section" if "section" in trend_df.columns and "item" not in trend_df.columns \
        else "item"
    last = int(trend_df["wave"].max())
    if last < 2:
        return [Finding("trend-none", "Only one wave so far: what changed shows here once "
                                      "the campaign has been asked again.")]
    now = trend_df[trend_df["wave"] == last]
    then = trend_df[trend_df["wave"] == last - 1].set_index(["rater_group", by, "facet"])
    pct = _pct(trend_df)
    clear = now[now["verdict"].isin(CHANGED)].copy()
    clear = clear.reindex(clear["change"].abs().sort_values(ascending=False).index)
    out = []
    for _, r in clear.iterrows():
        before = then.loc[(r["rater_group"], r[by], r["facet"])]
        dim = _dimension(r[by], by, inst) + _facet_words(r["facet"], inst)
        a, b = _pair(before["mean"], r["mean"])
        word = "higher" if r["verdict"] == "improved" else "lower"
        out.append(Finding(
            "trend", f"{group_name(r['rater_group'], cap=True)} rate {dim} {word} than "
                     f"{since}: {a} → {b}.",
            {"group": r["rater_group"], by: r[by], "facet": r["facet"], "before": float(a),
             "after": float(b), "change": round(float(r["change"]), 1),
             "verdict": r["verdict"]},
            details=f"Change {_signed(r['change'], 2)} ({pct} interval "
                    f"{_signed(r['change_low'], 2)} to {_signed(r['change_high'], 2)}, "
                    f"Welch's test); n = {int(before['n'])} then {int(r['n'])}; the waves "
                    f"could detect a change of {num(r['detectable'], 2)} or more (80% power).",
            item=r[by] if by == "item" else None))
    counts = now["verdict"].value_counts()
    up, down, flat = (int(counts.get(v, 0)) for v in ("improved", "declined",
                                                     "no clear change"))
    unknown = int(counts.get("cannot tell", 0))
    parts = [f"{up} improved", f"{down} declined", f"{flat} show no clear change"]
    if unknown:
        parts.append(f"{unknown} cannot be told")
    flat_rows = now[now["verdict"] == "no clear change"]
    detect = (f" Where there is no clear change, the waves could detect changes of about "
              f"{num(flat_rows['detectable'].median(), 1)} or more (median; 80% power)."
              if len(flat_rows) else "")
    out.append(Finding(
        "trend-summary", f"Since the last wave: {', '.join(parts[:-1])} and {parts[-1]} "
                         f"(of {len(now)} figures).",
        {"improved": up, "declined": down, "no clear change": flat, "cannot tell": unknown,
         "of": len(now)},
        details=f"Per group and {by}, each wave's mean with its {pct} interval; a change is "
                "clear when its interval (Welch's test) lies above or below 0." + detect,
        title="Since the last wave", value=f"{up} up, {down} down",
        brief=f"of {len(now)} figures; the rest no clear change" if not unknown else
              f"of {len(now)} figures; {unknown} cannot be told"))
    out += _not_shown(now)
    return out


def _not_shown(now: pd.DataFrame) -> list[Finding]:
    """One note per kind of reason a change is not shown, never with a count of people."""
    held = now[now["verdict"] == "cannot tell"]
    notes = []
    kinds = (("joined or left", "too few people joined or left a group since the last wave "
                                "for its change to be shown without pointing at them"),
             ("withheld", "showing them would let a small group be worked out"),
             ("fewer than", "too few people answered in one of the waves"),
             ("no answers", "one of the waves has no answers for them"),
             ("", "there is no spread in the answers to judge a change by"))
    left = held
    for key, words in kinds:
        part = left[left["why"].str.contains(key, regex=False)] if key else left
        left = left.drop(part.index)
        if part.empty:
            continue
        groups = ", ".join(dict.fromkeys(group_name(g) for g in part["rater_group"]))
        notes.append(Finding("trend-withheld", f"Some changes are not shown ({groups}): "
                                               f"{words}.", {"figures": len(part)}))
    return notes


def action_findings(effects_df: pd.DataFrame) -> list[Finding]:
    """Did each action work, one finding per action in the frame's order.

    "worked": its dimension moved clearly more than those without an action; "did not work":
    the waves rule out an effect worth having; "cannot tell": they could not tell; "no
    later wave yet". ``details`` explain the comparison in one sentence, with the interval,
    the counts and the smallest effect the waves could detect.
    """
    from ..analysis.effects import EXPLAINED  # the analysis words its own comparison

    if effects_df is None or effects_df.empty:
        return []
    inst = effects_df.attrs.get("instrument")
    pct = _pct(effects_df)
    out = []
    for _, r in effects_df.iterrows():
        title = f"\u201c{r['title']}\u201d"
        if r["item"] is not None and not pd.isna(r["item"]):
            dim = _dimension(r["item"], "item", inst)
        elif r["section"] is not None and not pd.isna(r["section"]):
            dim = _dimension(r["section"], "section", inst)
        else:
            dim = None
        verdict = r["verdict"]
        have = not math.isnan(r["before"]) and not math.isnan(r["after"])
        moved = f" ({' → '.join(_pair(r['before'], r['after']))}" if have else ""
        others = (f"; the others {_signed(r['others_change'])})" if have and not
                  math.isnan(r["others_change"]) else (")" if have else ""))
        if verdict == "worked":
            how = "rose" if r["change"] > 0 else "held up"
            more = "more" if r["change"] > 0 else "better"
            text = (f"{title} worked: {dim} {how} {num(r['effect'])} {more} than the "
                    f"dimensions without an action{moved}{others}.")
        elif verdict == "did not work" and r["effect_high"] < 0:
            text = (f"{title} did not work: {dim} fell {num(-r['effect'])} behind the "
                    f"dimensions without an action{moved}{others}.")
        elif verdict == "did not work":
            text = (f"{title} did not work: {dim} moved no more than the dimensions without "
                    f"an action{moved}{others}.")
        elif verdict == "no later wave yet":
            now = f" ({dim} now {num(r['before'])})" if dim and not math.isnan(r["before"]) \
                else ""
            text = f"{title}: no later wave yet to tell whether it worked{now}."
        elif dim is None:
            text = f"{title} is not linked to a dimension, so the answers cannot tell whether " \
                   "it worked."
        else:
            text = f"{title}: the answers cannot tell yet whether it worked{moved}{others}."
        numbers = {"action": r["action"], "verdict": verdict}
        for col in ("before", "after", "change", "others_change", "effect"):
            if not math.isnan(r[col]):
                numbers[col] = round(float(r[col]), 1)
        details = [EXPLAINED]
        if not math.isnan(r["effect"]):
            details.append(f"Effect {_signed(r['effect'], 2)} ({pct} interval "
                           f"{_signed(r['effect_low'], 2)} to {_signed(r['effect_high'], 2)}, "
                           "Welch's test on each person's difference).")
        if not pd.isna(r["n_before"]) and not pd.isna(r["n_after"]):
            details.append(f"n = {int(r['n_before'])} then {int(r['n_after'])}.")
        if not math.isnan(r["detectable"]):
            details.append(f"The smallest effect the waves could detect: "
                           f"{num(r['detectable'], 2)} (80% power).")
        if r["why"]:
            details.append(f"{r['why'][:1].upper()}{r['why'][1:]}.")
        out.append(Finding("action-effect", text, numbers, details=" ".join(details),
                           item=r["item"] if isinstance(r["item"], str) else None))
    return out
