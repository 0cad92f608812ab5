"""What each part of a campaign's results says: a short list of findings per tab (the
report's page of the same name reads the same list).

Every function takes a ``Results`` and returns findings; none draws or lays anything out.
"""

from __future__ import annotations

import pandas as pd

from ..names import readable
from .model import Finding
from .words import agreement_word, difference_word, group_name, level_reached, next_anchor, num

__all__ = ["OTHERS", "benchmark_source", "priority_order", "standing_words", "withheld"]

#: The groups held against our own view, in this order.
OTHERS = ("customer", "partner")


def shown(df: pd.DataFrame | None) -> pd.DataFrame:
    if df is None:
        return pd.DataFrame()
    return df[~df["suppressed"].astype(bool)] if "suppressed" in df else df


def name(item) -> str:
    return readable(item) if item is not None else "?"


def _p(p) -> str:
    if p < 0.001:
        return "p < .001"
    if p < 0.05 <= round(p, 3):  # never print .050 for a p below .05
        return "p < .05"
    return f"p = {p:.3f}".replace("0.", ".", 1)


def withheld(r, who: str, rows: pd.DataFrame | None = None, group: str | None = None
             ) -> Finding:
    """Why nothing is shown for ``who``: too few answered, or a smaller group elsewhere could
    be worked out (from ``rows``' reasons, else the rater ``group``'s count, else the
    selection's). Never a count."""
    if rows is not None and "n_shown" in rows and len(rows):
        small = rows["n_shown"].astype(str).str.startswith("<").all()
    elif group is not None:
        counts = r.get("counts").iloc[1:]
        row = counts[counts["rater_group"] == group]
        small = bool(len(row)) and str(row["n_shown"].iloc[0]).startswith("<")
    else:
        small = r.too_few()
    if small:
        text = (f"Fewer than {r.k} people answered for {who}, so their figures are not shown. "
                "Widen the filters to see more.")
    else:
        text = (f"The figures for {who} are withheld: showing them would let a group of "
                f"fewer than {r.k} people be worked out. Widen the filters to see more.")
    return Finding("withheld", text, {"who": who, "small": bool(small)})


def withheld_rows(r, res: pd.DataFrame | None, col: str) -> list[Finding]:
    """One note per reason naming the withheld rows of ``res`` (by ``col``)."""
    if res is None or "suppressed" not in res or not res["suppressed"].any():
        return []
    hidden = res[res["suppressed"].astype(bool)]
    small = hidden["n_shown"].astype(str).str.startswith("<")
    notes = []
    for part, why in ((hidden[small], f"fewer than {r.k} people answered"),
                      (hidden[~small], f"withheld: showing them would let a group of fewer "
                                       f"than {r.k} people be worked out")):
        if part.empty:
            continue
        names = sorted({str(v) for v in part[col].dropna()}) if col in part else []
        who = ", ".join(group_name(n) if col == "rater_group" else name(n) for n in names) \
            or "some groups"
        notes.append(Finding("withheld", f"Not shown: {who}. {why[:1].upper()}{why[1:]}.",
                             {"who": who, "small": why.startswith("fewer")}))
    return notes


def standing_words(mean, scale) -> str:
    """'Moderate', or 'between Casual and Moderate': the level a mean has reached, named
    only once reached (the one level rule: see ``words.level_reached``)."""
    mean = round(float(mean), 1)
    got = level_reached(mean, scale)
    if got is None:
        return "not known"
    nxt = next_anchor(mean, scale)
    if nxt is None or mean - got.value < 0.05:
        return got.label
    return f"between {got.label} and {nxt.label}"


def _section(r, sid) -> str:
    return next((s.title for s in r.inst.sections if s.id == sid), readable(sid))


def _scale(r):
    return r.inst.facets[0].scale


# -- focus levels ------------------------------------------------------------------------------
def levels(r) -> list[Finding]:
    prof = r.get("profile")
    sh = shown(prof)
    groups = list(dict.fromkeys(prof["rater_group"]))
    first = "self" if "self" in groups else groups[0]
    out = []
    mine = sh[sh["rater_group"] == first]
    scale = _scale(r)
    if len(mine):
        avg = round(float(mine["mean"].mean()), 1)  # worded as printed
        where = standing_words(avg, scale)
        out.append(Finding(
            "standing", f"{group_name(first, cap=True)} place the organisation at "
            f"{num(avg)} of {scale.maximum:g} on average across the {len(mine)} dimensions: "
            f"{where}.", {"group": first, "mean": round(avg, 1), "level": where},
            details=f"Mean of the {len(mine)} dimension means; each dimension's mean is over "
                    "its raters, with a 95% interval on the chart.",
            title=f"Where {group_name(first)} place us", value=f"{num(avg)} of "
            f"{scale.maximum:g}", brief=f"{where}; average of {len(mine)} dimensions"))
        hi, lo = mine.loc[mine["mean"].idxmax()], mine.loc[mine["mean"].idxmin()]
        out.append(Finding(
            "range", f"Highest on {name(hi['item'])} ({num(hi['mean'])}), lowest on "
            f"{name(lo['item'])} ({num(lo['mean'])}).",
            {"high": hi["item"], "low": lo["item"], "high_mean": round(float(hi["mean"]), 1),
             "low_mean": round(float(lo["mean"]), 1)}))
    else:
        out.append(withheld(r, group_name(first), prof[prof["rater_group"] == first]))
    parts, nums = [], {}
    for g in groups:
        rows = sh[sh["rater_group"] == g]
        if g == first or not len(rows):
            continue
        nums[g] = round(float(rows["mean"].mean()), 1)
        parts.append(f"{group_name(g)} {num(rows['mean'].mean())}")
    if parts and len(mine):
        out.append(Finding(
            "outside-view", "Seen from outside, on average: " + ", ".join(parts) +
            f", against {num(mine['mean'].mean())} from {group_name(first)}.", nums))
    out += withheld_rows(r, prof, "rater_group")
    return out


def agreement(r) -> list[Finding]:
    ag = r.get("agenda")
    if ag is None:
        return [withheld(r, group_name("self"))]
    sh = shown(ag)
    if not len(sh):
        return [withheld(r, group_name("self"), ag)]
    out = []
    for i, row in enumerate(sh.head(2).itertuples()):
        word = agreement_word(row.rwg)
        text = (f"{group_name('self', cap=True)} disagree{' most' if i == 0 else ''} on "
                f"{name(row.item)}: answers run from {int(row.low)} to {int(row.high)} "
                f"(agreement: {word}).")
        out.append(Finding(
            "disagreement", text, {"item": row.item, "low": int(row.low),
                                   "high": int(row.high), "agreement": word},
            details=f"Answers {row.spread}; sd {num(row.sd, 2)}, within-group agreement "
                    f"rwg {num(row.rwg, 2)}, n = {int(row.n)}.",
            title=f"Where {group_name('self')} disagree most" if i == 0 else "",
            value=f"{int(row.range)} levels apart" if i == 0 else "",
            brief=f"{name(row.item)}; agreement: {word}" if i == 0 else "", item=row.item))
    words = [agreement_word(x) for x in sh["rwg"]]
    counts = {w: words.count(w) for w in ("strong", "moderate", "weak", "none") if w in words}
    out.append(Finding(
        "agreement", f"Across the {len(sh)} dimensions, agreement is "
        + ", ".join(f"{w} on {n}" for w, n in counts.items()) + ".", counts,
        details="Agreement is rwg (James, Demaree & Wolf 1984), in the words of LeBreton & "
                "Senter (2008): strong from .71, moderate .51-.70, weak .31-.50, none below."))
    return out + withheld_rows(r, ag, "item")


def discuss(r) -> list[Finding]:
    """The discussion agenda's top three: the two ends of what the leaders chose."""
    ag = r.get("agenda")
    out = []
    for row in shown(ag).head(3).itertuples():
        out.append(Finding(
            "discuss", f"{name(row.item)} (answers {int(row.low)} to {int(row.high)}): some "
            f"say \u201c{str(row.low_descriptor).rstrip('.')}\u201d; others say "
            f"\u201c{str(row.high_descriptor).rstrip('.')}\u201d.",
            {"item": row.item, "rank": int(row.rank)}, item=row.item))
    return out


def _gap_finding(r, row, other, *, card: bool) -> Finding:
    item, gap, d, pval = row["item"], float(row["gap"]), row["d"], row["pval"]
    lower = gap > 0
    word = difference_word(pval, d)
    flag = {"blind spot": "; a blind spot: we think better of ourselves than "
                          f"{group_name(other)} do",
            "hidden strength": f"; a hidden strength: {group_name(other)} think better of "
                               "us than we do"}.get(row["flag"] or "", "")
    text = (f"{group_name(other, cap=True)} rate {name(item)} {num(abs(gap))} "
            f"{'lower' if lower else 'higher'} than {group_name('self')} do "
            f"({num(row['mean_b'])} against {num(row['mean_a'])}): {word}{flag}.")
    return Finding(
        "gap", text, {"item": item, "other": other, "gap": round(gap, 1), "difference": word},
        details=f"Welch's t = {num(row['statistic'], 2)}, df = {num(row['df'], 1)}, "
                f"{_p(pval)}; n = {int(row['n_a'])} and {int(row['n_b'])}; Cohen's d = "
                f"{num(d, 2)}.",
        title=f"Largest gap with {group_name(other)}" if card else "",
        value=f"{num(abs(gap))} {'lower' if lower else 'higher'}" if card else "",
        brief=f"{name(item)}: {group_name(other)} {num(row['mean_b'])}, "
              f"{group_name('self')} {num(row['mean_a'])}; {word}" if card else "",
        item=item)


def outside(r, *, first_only: bool = False) -> list[Finding]:
    """Our view against customers' and partners' (``first_only``: the first group only, all
    the overview card needs)."""
    if r.instrument == "external-focus":
        return external(r)
    out = []
    present = [g for g in OTHERS if g in r.groups]
    for other in present[:1] if first_only else present:
        try:
            res = r.get("perception_gaps", other)
        except ValueError:  # the filter leaves one of the two groups out
            continue
        sh = shown(res)
        if not len(sh):
            out.append(withheld(r, group_name(other), res if len(res) else None, other))
            continue
        top = sh.loc[sh["gap"].abs().idxmax()]
        out.append(_gap_finding(r, top, other, card=other == present[0]))
        words = [difference_word(p, d) for p, d in zip(sh["pval"], sh["d"], strict=True)]
        clear, maybe = words.count("clear difference"), words.count("possible difference")
        out.append(Finding(
            "gap-count", f"{group_name(other, cap=True)} see us clearly differently on {clear}"
            f" of {len(sh)} dimensions, possibly on {maybe} more.",
            {"other": other, "clear": clear, "possible": maybe, "of": len(sh)},
            details="Per dimension, Welch's t test of the two groups' means: clear where "
                    "p < .05; possible where p < .20 or the effect is at least medium "
                    "(|d| ≥ 0.5)."))
    if not present:
        out.append(Finding("none", "No customers or partners rated this campaign."))
    return out


def external(r) -> list[Finding]:
    ef = r.get("external_focus")
    if ef is None:
        return [withheld(r, "this selection")]
    sh = shown(ef)
    lv, gr = sh[sh["scope"] == "level"], sh[sh["scope"] == "group"]
    out = []
    for g in gr.itertuples():
        shares = lv[lv["rater_group"] == g.rater_group]
        if not len(shares):
            continue
        top = shares.loc[shares["share"].astype(float).idxmax()]
        # The one rule: a group's level is where most of its answers are, as the chart shows.
        out.append(Finding(
            "external-level", f"{group_name(g.rater_group, cap=True)}: mostly "
            f"{top['level']} ({top['share']:.0%} of their answers); average {num(g.mean)} "
            f"of 5.", {"group": g.rater_group, "level": top["level"],
                       "share": round(float(top["share"]), 2)},
            details=f"n = {int(g.n)}; mean {num(g.mean, 2)} (95% interval "
                    f"{num(g.ci_low, 2)} to {num(g.ci_high, 2)}); each answer counts at the "
                    "highest level it reaches (1-2 Responding, 3-4 Anticipating, 5 Shaping).",
            title=f"Level: {group_name(g.rater_group)}", value=str(top["level"]),
            brief=f"{top['share']:.0%} of answers; average {num(g.mean)} of 5"))
    selfg = gr[gr["role"] == "self"]
    for o in gr[gr["role"] != "self"].itertuples():
        if len(selfg) and o.mean_vs_self == o.mean_vs_self:
            out.append(Finding(
                "external-gap", f"{group_name(o.rater_group, cap=True)} place us "
                f"{num(abs(o.mean_vs_self))} {'lower' if o.mean_vs_self < 0 else 'higher'} "
                f"than {group_name('self')} do ({num(o.mean)} against "
                f"{num(selfg.iloc[0]['mean'])}).",
                {"group": o.rater_group, "gap": round(float(o.mean_vs_self), 1)}))
    return out + withheld_rows(r, ef[ef["scope"] == "group"], "rater_group")


# -- say-do, expectations, blocks, contact -----------------------------------------------------
def say_do(r) -> list[Finding]:
    sd = r.get("say_do")
    sh = shown(sd)
    ov = sh[sh["scope"] == "overall"]
    if not len(ov):
        return [withheld(r, "this selection", sd)]
    o = ov.iloc[0]
    out = [Finding(
        "say-do", f"We say more than we do: intention {num(o['say'])}, practice "
        f"{num(o['do'])}, a gap of {num(o['gap'])} points on the 1-5 scale.",
        {"say": round(float(o["say"]), 1), "do": round(float(o["do"]), 1),
         "gap": round(float(o["gap"]), 1)},
        details=f"Mean of each respondent's Say minus Do; 95% interval {num(o['ci_low'], 2)} "
                f"to {num(o['ci_high'], 2)}, n = {int(o['n'])}.",
        title="Say-Do gap", value=num(o["gap"]),
        brief=f"say {num(o['say'])}, do {num(o['do'])}")]
    ar = sh[sh["scope"] == "area"].sort_values("gap", ascending=False)
    if len(ar):
        hi, lo = ar.iloc[0], ar.iloc[-1]
        out.append(Finding(
            "say-do-area", f"The gap is widest in {_section(r, hi['section'])} "
            f"({num(hi['gap'])}) and narrowest in {_section(r, lo['section'])} "
            f"({num(lo['gap'])}).",
            {"widest": hi["section"], "narrowest": lo["section"]}))
    st = sh[sh["scope"] == "statement"].sort_values("rank")
    if len(st):
        t = st.iloc[0]
        out.append(Finding(
            "say-do-item", f"The widest single gap: {name(t['item'])}, intended at "
            f"{num(t['say'])} but practised at {num(t['do'])}.",
            {"item": t["item"], "gap": round(float(t["gap"]), 1)},
            title="Widest single gap", value=num(t["gap"]), brief=name(t["item"]),
            item=t["item"]))
    return out + withheld_rows(r, sd[sd["scope"] == "statement"], "item")


def priority_order(ip: pd.DataFrame) -> pd.DataFrame:
    """The one order of expectations to act on: those in "Concentrate here" (important,
    poorly delivered) first, then the rest; within each, the largest weighted gap first
    (``priority``). The Priorities tab, its card, the next steps and the report all use it."""
    sh = shown(ip)
    return sh.assign(_c=sh["quadrant"] != "Concentrate here").sort_values(
        ["_c", "priority"], kind="stable").drop(columns="_c")


def priorities(r) -> list[Finding]:
    ip = r.get("importance_performance")
    order = priority_order(ip)
    if not len(order):
        return [withheld(r, "this selection", ip)]
    t = order.iloc[0]
    out = [Finding(
        "priority", f"{name(t['item'])} comes first: importance {num(t['importance'])}, "
        f"delivered at {num(t['performance'])} ({t['quadrant']}).",
        {"item": t["item"], "quadrant": t["quadrant"]},
        details=f"Weighted gap (importance - performance) × importance / 5 = "
                f"{num(t['weighted_gap'], 2)}; n = {int(t['n'])}.",
        title="First priority", value=name(t["item"]),
        brief=f"importance {num(t['importance'])}, delivered at {num(t['performance'])}",
        item=t["item"])]
    conc = order[order["quadrant"] == "Concentrate here"]
    out.append(Finding(
        "concentrate", f"{len(conc)} of {len(order)} expectations are important and poorly "
        "delivered ('Concentrate here')" + (": " + ", ".join(name(i) for i in conc["item"])
                                              if len(conc) else "") + ".",
        {"n": len(conc), "of": len(order), "items": list(conc["item"])}))
    over = order[order["quadrant"] == "Possible overkill"]
    if len(over):
        o = over.sort_values("gap").iloc[0]
        out.append(Finding(
            "overkill", f"{name(o['item'])} may get more effort than it needs: delivered at "
            f"{num(o['performance'])}, importance {num(o['importance'])}.",
            {"item": o["item"]}))
    else:
        out.append(Finding("overkill", "No expectation looks overdone: nothing is delivered "
                           "well while mattering little.", {"item": None}))
    return out + withheld_rows(r, ip, "item")


def blocks(r) -> list[Finding]:
    bl = r.get("blocks")
    if bl is None:
        return [withheld(r, "this selection")]
    sh = shown(bl)
    blk = sh[sh["scope"] == "block"].sort_values("rank")
    if not len(blk):
        return [withheld(r, "this selection", bl)]
    t = blk.iloc[0]
    word = agreement_word(t["agreement"])
    out = [Finding(
        "block", f"The strongest block is {name(t['item'])} ({num(t['mean'])} of 5); "
        f"agreement on it: {word}.", {"item": t["item"], "agreement": word},
        details=f"Mean severity {num(t['mean'], 2)}, sd {num(t['sd'], 2)}, rwg "
                f"{num(t['agreement'], 2)}, n = {int(t['n'])}.",
        title="Strongest block", value=f"{num(t['mean'])} of 5", brief=name(t["item"]),
        item=t["item"])]
    low = blk.sort_values("agreement").iloc[0]
    lw = agreement_word(low["agreement"])
    out.append(Finding(
        "disagreement", f"The team agrees least on {name(low['item'])} (agreement: {lw}).",
        {"item": low["item"], "agreement": lw},
        details=f"rwg {num(low['agreement'], 2)}, sd {num(low['sd'], 2)}, n = {int(low['n'])}.",
        title="Least agreement", value=lw.capitalize(), brief=name(low["item"]),
        item=low["item"]))
    ov = sh[sh["scope"] == "overall"]
    if len(ov):
        o = ov.iloc[0]
        out.append(Finding(
            "root-cause", f"The team places {o['share_people']:.0%} of root causes in people; "
            f"the 85/15 rule expects about {o['expected_people']:.0%}, the rest in systems.",
            {"people": round(float(o["share_people"]), 2)}))
    return out + withheld_rows(r, bl[bl["scope"] == "block"], "item")


def contact(r) -> list[Finding]:
    a = r.get("adli")
    if a is None:
        return [withheld(r, "this selection")]
    sh = shown(a)
    ov = sh[sh["scope"] == "overall"]
    if not len(ov):
        return [withheld(r, "this selection", a)]
    o = ov.iloc[0]
    out = [Finding("maturity", f"The programme's overall maturity is {num(o['mean'])} of 4: "
                   f"{o['band']}.", {"mean": round(float(o["mean"]), 1), "band": o["band"]},
                   title="Programme maturity", value=f"{num(o['mean'])} of 4",
                   brief=str(o["band"]))]
    dims = sh[sh["scope"] == "dimension"].sort_values("mean")
    if len(dims):
        lo, hi = dims.iloc[0], dims.iloc[-1]
        out.append(Finding("adli-range", f"Weakest on {lo['dimension']} ({num(lo['mean'])}); "
                           f"strongest on {hi['dimension']} ({num(hi['mean'])}).",
                           {"weakest": lo["dimension"], "strongest": hi["dimension"]}))
    qs = sh[sh["scope"] == "question"].sort_values("mean")
    if len(qs):
        q = qs.iloc[0]
        ev = q["evidence"] if "evidence" in q else None
        ev = ev[0] if isinstance(ev, list | tuple) and ev else None
        out.append(Finding("adli-low", f"The lowest question is {name(q['item'])} "
                           f"({num(q['mean'])})" + (f"; the evidence: \u201c"
                                                    f"{ev.rstrip('.')}\u201d" if ev else "")
                           + ".", {"item": q["item"]}, item=q["item"]))
    return out + withheld_rows(r, a[a["scope"] == "question"], "item")


# -- benchmark -------------------------------------------------------------------------------
def benchmark_source(base) -> str:
    """Where the base comes from, its date and size: 'synthetic demo base, 300
    organisations, 2026-12-05'. Said wherever the base is used."""
    if base is None:
        return ""
    src = base.attrs.get("source") or "source not recorded"
    date = base.attrs.get("date")
    n = base["organisation"].nunique()
    return f"{src}, {n} organisations" + (f", {date}" if date else "")


_QUARTER = {1: "top quarter", 2: "second quarter", 3: "third quarter", 4: "bottom quarter"}


def benchmark(r) -> list[Finding]:
    b = r.get("benchmark")
    if b is None:
        return [Finding("no-base", "No benchmark base is loaded: load one with 'focuskit "
                        "benchmark load FILE --source TEXT'.")]
    src = benchmark_source(r.base)
    sh = shown(b)
    say_do_ = r.instrument == "say-do"
    sh = sh[sh["measure"] == "gap"] if say_do_ else sh
    ov = sh[sh["scope"] == "overall"]
    if not len(ov):
        return [withheld(r, group_name("self"), b)]
    o = ov.iloc[0]
    q = _QUARTER.get(int(o["quartile"]), f"quarter {o['quartile']}")
    what = "Say-Do gap is narrower than" if say_do_ else "level is above"
    out = [Finding(
        "benchmark", f"Our {what} {o['percentile']:.0f}% of the {int(o['n_base'])} "
        f"organisations in the base: the {q} (base: {src}).",
        {"quartile": int(o["quartile"]), "percentile": round(float(o["percentile"])),
         "source": src},
        details=f"Our value {num(o['value'], 2)}; the base's quartiles {num(o['q25'], 2)}, "
                f"{num(o['median'], 2)}, {num(o['q75'], 2)}; top quarter's median "
                f"{num(o['top_median'], 2)}.",
        title="Against other organisations", value=q.capitalize(),
        brief=f"better than {o['percentile']:.0f}% · {src}")]
    dims = sh[sh["scope"] == "dimension"]
    if len(dims):
        far = dims.loc[dims["distance"].astype(float).idxmax()]
        label = _section(r, far["dimension"]) if say_do_ else name(far["dimension"])
        out.append(Finding(
            "benchmark-far", f"Furthest from the top quarter: {label}, {num(far['value'])} "
            f"against their median of {num(far['top_median'])}.",
            {"dimension": far["dimension"]}))
    return out
