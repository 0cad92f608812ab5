"""What the report says: its sections, each with a plot and three readings written from the
numbers. No drawing or layout here (see ``focuskit.report.render``)."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pandas as pd

from .. import analysis as fa
from .. import plots as fp
from ..instruments import rater_group
from ..names import readable

__all__ = ["Report", "Section", "build"]


@dataclass
class Section:
    """One page: a title, what the chart shows, the chart, three readings and extras."""

    key: str
    title: str
    lead: str
    draw: Callable | None = None  # draw(ax) -> Axes
    readings: list[str] = field(default_factory=list)
    #: an optional list of (heading, text) notes under the readings (the discussion agenda)
    notes: list[tuple[str, str]] = field(default_factory=list)
    #: an optional table: (heading, header, rows)
    table: tuple[str, list[str], list[list[str]]] | None = None
    #: the tallest the chart may be, in inches (it otherwise fills what the text leaves)
    max_plot: float = 7.6
    #: an A4 landscape page, for a chart that needs the width
    landscape: bool = False


@dataclass
class Report:
    campaign_id: str
    title: str
    organisation: str
    instrument: str
    facts: list[tuple[str, str]]
    groups: list[tuple[str, str]]
    headlines: list[str]
    sections: list[Section]
    generated: str
    about: str = ""


# -- wording helpers ---------------------------------------------------------------------------
def _num(x, nd: int = 1) -> str:
    return f"{x:.{nd}f}"


def _pct(x) -> str:
    return f"{100 * x:.0f}%"


def _q(label: str) -> str:
    return f"'{label}'"


def _ord(q) -> str:
    return {1: "top quarter", 2: "second quarter", 3: "third quarter",
            4: "bottom quarter"}.get(int(q), f"quartile {q}")


def _ok(row) -> bool:
    return not bool(row.get("suppressed", False))


def _shown(df: pd.DataFrame) -> pd.DataFrame:
    if "suppressed" not in df.columns:
        return df
    return df[~df["suppressed"].astype(bool)]


def _p(p) -> str:
    text = "p < .001" if p < 0.001 else f"p = {p:.3f}".replace("0.", ".")
    return text.replace(" ", "\u00a0")  # never broken over two lines


class _Words:
    """Names for the campaign's items, sections and groups, and its anonymity threshold."""

    def __init__(self, camp, responses: pd.DataFrame):
        self.k = camp.min_group_size
        # The campaign's own instrument, for every analysis: a campaign made with its own
        # items (with_items) is not the built-in of the same id.
        self.inst = camp.instrument
        self.items = {i.id: i for i in camp.instrument.items}
        self.sections = {s.id: s.title for s in camp.instrument.sections}
        segs = {}
        if len(responses):
            # Named from the released answers only: a latecomer from another segment must not
            # rename the group before their answers are in any figure.
            from ..analysis.anonymity import release

            shown = release(responses, None, self.k).frame
            for g, s in shown.groupby("rater_group")["segment"]:
                vals = s.dropna().unique()
                segs[g] = vals[0] if len(vals) == 1 else None
        self.segs = segs

    def item(self, iid) -> str:
        return _q(readable(iid)) if iid is not None else "?"

    def section(self, sid) -> str:
        return self.sections.get(sid, readable(sid))

    def group(self, g, cap: bool = True) -> str:
        """'the leadership team' for a self group that is one segment, else 'Customers'."""
        seg = self.segs.get(g)
        if g == "self" and seg:
            name = f"the {seg[:1].lower()}{seg[1:]}"
        else:
            name = rater_group(g).plural
        return name[:1].upper() + name[1:] if cap else name

    def withheld(self, who: str, rows=None) -> str:
        """Why ``who``'s figures are missing: too few of them, or a smaller group beside."""
        own = rows is None or any(str(n).startswith("<") for n in rows.get("n_shown", []))
        if own:
            return (f"{who}: figures withheld (n < {self.k}), too few respondents to show "
                    "anonymously.")
        return (f"{who}: figures withheld to protect a group of fewer than {self.k} "
                f"(n < {self.k}) that could otherwise be worked out from them.")


# -- sections per analysis ---------------------------------------------------------------------
def _levels(r, w: _Words) -> Section:
    prof = fa.profile(r, instrument=w.inst)
    groups = list(dict.fromkeys(prof["rater_group"]))
    first = "self" if "self" in groups else groups[0]
    sh = _shown(prof)
    read = []
    mine = sh[sh["rater_group"] == first]
    if len(mine):
        hi, lo = mine.loc[mine["mean"].idxmax()], mine.loc[mine["mean"].idxmin()]
        avg = mine["mean"].mean()
        read.append(f"{w.group(first)} place the organisation at {_num(avg)} on average across "
                    f"the {len(mine)} dimensions: highest on {w.item(hi['item'])} "
                    f"({_num(hi['mean'])}, {hi['band']}), lowest on {w.item(lo['item'])} "
                    f"({_num(lo['mean'])}).")
    else:
        read.append(w.withheld(w.group(first), prof[prof["rater_group"] == first]))
    others = []
    for g in groups:
        if g == first:
            continue
        rows = sh[sh["rater_group"] == g]
        if len(rows):
            lo = rows.loc[rows["mean"].idxmin()]
            others.append(f"{w.group(g, False)} average {_num(rows['mean'].mean())} "
                          f"(lowest on {w.item(lo['item'])}, {_num(lo['mean'])})")
        else:
            others.append(f"{w.group(g, False)} are withheld (n < {w.k})")
    if others:
        read.append("Seen from outside: " + "; ".join(others) + ".")
    else:
        read.append("Only one rater group answered, so there is no outside view to compare.")
    wide = sh.pivot_table(index="item", columns="rater_group", values="mean")
    if wide.shape[1] >= 2:
        spread = (wide.max(axis=1) - wide.min(axis=1)).sort_values(ascending=False)
        item = spread.index[0]
        lo_g, hi_g = wide.loc[item].idxmin(), wide.loc[item].idxmax()
        read.append(f"The groups differ most on {w.item(item)}: from {_num(wide.loc[item, lo_g])} "
                    f"({w.group(lo_g, False)}) to {_num(wide.loc[item, hi_g])} "
                    f"({w.group(hi_g, False)}), {_num(spread.iloc[0])} levels apart.")
    elif len(mine):
        band = mine["band"].value_counts()
        read.append(f"{int(band.iloc[0])} of {len(mine)} dimensions sit in the "
                    f"{band.index[0]} band.")
    return Section("levels", "Where we stand", "Each group's mean level per dimension with its "
                   "95% interval, on the Casual, Moderate and Intense bands.",
                   lambda ax: fp.level_profile(data=prof, ax=ax), read)


def _spread(r, w: _Words, group: str = "self") -> Section | None:
    if group not in set(r["rater_group"]):
        return None
    ag = fa.discussion_agenda(r, group=group, instrument=w.inst)
    who = w.group(group)
    sh = _shown(ag)
    read, notes = [], []
    if not len(sh):
        read = [w.withheld(who, ag), "The discussion agenda needs a group large enough to show "
                "its spread anonymously: invite more raters."]
    else:
        for _, row in sh.head(2).iterrows():
            read.append(f"{who} disagree{'s' if group != 'self' else ''} on {w.item(row['item'])}: "
                        f"ratings run from {int(row['low'])} to {int(row['high'])} "
                        f"(sd {_num(row['sd'])}, agreement rwg {_num(row['rwg'], 2)}"
                        f"{_chosen(row)}).")
        best = sh.sort_values(["rwg", "sd"], ascending=[False, True]).iloc[0]
        within = (f"all {int(best['n'])} ratings within {int(best['range'])} level"
                  f"{'' if int(best['range']) == 1 else 's'}")
        if best["rwg"] >= 0.5:
            read.append(f"Most agreement is on {w.item(best['item'])} "
                        f"(rwg {_num(best['rwg'], 2)}): {within}.")
        else:
            read.append(f"Agreement is weak on every dimension: even on "
                        f"{w.item(best['item'])}, the closest, rwg is {_num(best['rwg'], 2)} "
                        f"({within}).")
        for _, row in sh.head(3).iterrows():
            notes.append((f"{int(row['rank'])}. {readable(row['item'])} "
                          f"(levels {int(row['low'])} to {int(row['high'])})",
                          f"At the low end ({row['low_label']}): {row['low_descriptor']}\n"
                          f"At the high end ({row['high_label']}): {row['high_descriptor']}"))
    return Section("spread", "Where we disagree", "Every rating of the team as an anonymous dot "
                   "per dimension, most disputed first, with the group's agreement (rwg).",
                   lambda ax: fp.team_spread(data=ag, ax=ax), read,
                   notes=[("Discussion agenda: start with these", "")] + notes if notes else [],
                   max_plot=5.6)


def _chosen(row) -> str:
    parts = [f"{int(row[f'n_{v}'])} at level {v}" for v in range(1, 10)
             if f"n_{v}" in row and row[f"n_{v}"] == row[f"n_{v}"] and int(row[f"n_{v}"])]
    return "; " + ", ".join(parts) if parts else ""


def _gap_sentence(w, row, a, b) -> str:
    gap = row["gap"]
    lower = "below" if gap > 0 else "above"
    text = (f"{w.group(b)} rate {w.item(row['item'])} {_num(abs(gap))} points {lower} "
            f"{w.group(a, False)} ({_num(row['mean_b'])} against {_num(row['mean_a'])})")
    flag = row.get("flag") or ""
    return text + (f": a {flag}." if flag else ".")


def _gaps(r, w: _Words) -> Section | None:
    groups = set(r["rater_group"])
    if "self" not in groups:
        return None
    others = [g for g in ("customer", "partner", "team", "internal") if g in groups]
    if not others:
        return None
    b = others[0]
    g = fa.perception_gaps(r, "self", b, instrument=w.inst)
    sh = _shown(g)
    read = []
    if not len(sh):
        read.append(w.withheld(f"{w.group('self')} against {w.group(b, False)}", g))
    else:
        top = sh.sort_values("gap", ascending=False).iloc[0]
        low = sh.sort_values("gap").iloc[0]
        read.append(_gap_sentence(w, top, "self", b))
        if low["gap"] < 0:
            read.append(_gap_sentence(w, low, "self", b))
        else:
            read.append(f"{w.group(b)} rate no dimension above {w.group('self', False)}.")
    if len(others) > 1:
        g2 = fa.perception_gaps(r, "self", others[1], instrument=w.inst)
        sh2 = _shown(g2)
        if len(sh2):
            row = sh2.loc[sh2["gap"].abs().idxmax()]
            read.append(_gap_sentence(w, row, "self", others[1]).rstrip(".")
                        + f"; their widest gap ({_p(row['pval'])}).")
        else:
            read.append(w.withheld(w.group(others[1]), g2))
    elif len(sh):
        sig = sh[sh["pval"] < 0.05]
        read.append(f"{len(sig)} of {len(sh)} dimensions differ at p < .05 (Welch's t).")
    return Section("gaps", f"{w.group(b)} and us", f"Per dimension, {w.group('self', False)} "
                   f"against {w.group(b, False)}: a bar joins the two means, widest gap first.",
                   lambda ax: fp.gap_dumbbell(data=g, ax=ax), read[:3])


def _say_do(r, w: _Words) -> Section:
    s = fa.say_do(r, instrument=w.inst)
    sh = _shown(s)
    read = []
    ov = sh[sh["scope"] == "overall"]
    if not len(ov):
        read = [w.withheld("Say-Do", s)]
    else:
        o = ov.iloc[0]
        read.append(f"Overall, the team says {_num(o['say'])} and does {_num(o['do'])}: a Say-Do "
                    f"gap of {_num(o['gap'])} points (95% interval {_num(o['ci_low'])} to "
                    f"{_num(o['ci_high'])}).")
        ar = sh[sh["scope"] == "area"].sort_values("gap", ascending=False)
        if len(ar):
            hi, lo = ar.iloc[0], ar.iloc[-1]
            read.append(f"The gap is widest in {w.section(hi['section'])} ({_num(hi['gap'])}) "
                        f"and narrowest in {w.section(lo['section'])} ({_num(lo['gap'])}).")
        st = sh[sh["scope"] == "statement"].sort_values("gap", ascending=False)
        if len(st):
            t = st.iloc[0]
            read.append(f"The widest single gap: {w.item(t['item'])}, intended at "
                        f"{_num(t['say'])} but practised at {_num(t['do'])} "
                        f"(gap {_num(t['gap'])}).")
    return Section("say-do", "Say and Do", "Per statement, what the team intends (Say, hollow) "
                   "against what it does (Do, solid), widest gap first.",
                   lambda ax: fp.gap_dumbbell(data=s, ax=ax), read)


def _ipa(r, w: _Words) -> Section:
    ip = fa.importance_performance(r, instrument=w.inst)
    sh = _shown(ip).sort_values("priority")
    read = []
    if not len(sh):
        read.append(w.withheld("Importance and performance", ip))
    else:
        t = sh.iloc[0]
        read.append(f"{w.item(t['item'])} comes first: importance "
                    f"{_num(t['importance'])}, performance {_num(t['performance'])}, a weighted "
                    f"gap of {_num(t['weighted_gap'])}.")
        conc = sh[sh["quadrant"] == "Concentrate here"]
        if len(conc):
            read.append(f"{len(conc)} of {len(sh)} expectations fall in 'Concentrate here' "
                        f"(important, poorly delivered): "
                        + ", ".join(w.item(i) for i in conc["item"]) + ".")
        else:
            read.append("No expectation falls in 'Concentrate here'.")
        over = sh[sh["quadrant"] == "Possible overkill"].sort_values("gap")
        if len(over):
            o = over.iloc[0]
            read.append(f"{w.item(o['item'])} may be overkill: performance "
                        f"{_num(o['performance'])} exceeds its importance "
                        f"{_num(o['importance'])}; effort there could move to the priorities.")
        else:
            read.append("No expectation looks overdone: nothing rates high on performance and "
                        "low on importance.")
    return Section("ipa", "What matters, and how we deliver", "Each expectation by importance "
                   "and performance; the cross-hairs sit at the means.",
                   lambda ax: fp.ip_quadrant(data=ip, ax=ax), read, max_plot=6.2)


def _blocks(r, w: _Words) -> Section:
    bl = fa.blocks(r, instrument=w.inst)
    sh = _shown(bl)
    blk = sh[sh["scope"] == "block"].sort_values("mean", ascending=False)
    ov = sh[sh["scope"] == "overall"]
    read = []
    if not len(blk):
        read.append(w.withheld("Blocks", bl))
    else:
        t = blk.iloc[0]
        agree = ("but the team is split on it" if t["agreement"] < 0.5
                 else "and the team largely agrees")
        read.append(f"The strongest block is {w.item(t['item'])} ({_num(t['mean'])} of 5), "
                    f"{agree} (agreement {_num(t['agreement'], 2)}).")
        if len(ov):
            o = ov.iloc[0]
            read.append(f"The team places {_pct(o['share_people'])} of root causes in people; "
                        f"the 85/15 rule expects about {_pct(o['expected_people'])}, with the "
                        "rest in systems and processes.")
        mis = blk[blk["misattributed"].astype(bool)].sort_values("share_people",
                                                                  ascending=False)
        if len(mis):
            m = mis.iloc[0]
            read.append(f"{w.item(m['item'])} is blamed on people by {_pct(m['share_people'])} "
                        f"of the team ({len(mis)} blocks in all lean on people): look at the "
                        "system around it first.")
        else:
            read.append("No block is blamed on people much beyond the 85/15 rule.")
    return Section("blocks", "What blocks our customer focus", "Each block by how strongly it "
                   "holds (1-5), beside where the team puts its root cause.",
                   lambda ax: fp.blocks_chart(data=bl, ax=ax), read, landscape=True)


def _adli(r, w: _Words) -> Section:
    a = fa.adli(r, instrument=w.inst)
    sh = _shown(a)
    read = []
    ov = sh[sh["scope"] == "overall"]
    if not len(ov):
        read.append(w.withheld("The review", a))
    else:
        o = ov.iloc[0]
        read.append(f"The programme's overall maturity is {_num(o['mean'])} of 4: "
                    f"{o['band']}.")
        dims = sh[sh["scope"] == "dimension"].sort_values("mean")
        if len(dims):
            lo, hi = dims.iloc[0], dims.iloc[-1]
            read.append(f"Weakest on {lo['dimension']} ({_num(lo['mean'])}, {lo['band']}); "
                        f"strongest on {hi['dimension']} ({_num(hi['mean'])}).")
        qs = sh[sh["scope"] == "question"].sort_values("mean")
        if len(qs):
            q = qs.iloc[0]
            ev = q["evidence"]
            ev = ev[0] if isinstance(ev, list | tuple) and ev else None
            read.append(f"The lowest question is {w.item(q['item'])} ({_num(q['mean'])})"
                        + (f"; the evidence: \u201c{ev.rstrip('.')}\u201d" if ev else "") + ".")
    return Section("adli", "The contact programme, reviewed", "Each question of the review "
                   "scored on Approach, Deployment, Learning and Integration (1-4).",
                   lambda ax: fp.adli_rubric(data=a, ax=ax), read)


def _external(r, w: _Words) -> Section:
    e = fa.external_focus(r, instrument=w.inst)
    sh = _shown(e)
    gr = sh[sh["scope"] == "group"]
    lv = sh[sh["scope"] == "level"]
    read = []
    selfg = gr[gr["role"] == "self"]
    oth = gr[gr["role"] != "self"]
    if len(selfg):
        s = selfg.iloc[0]
        text = (f"{w.group(s['rater_group'])} place the organisation at {_num(s['mean'])} "
                f"({s['band']})")
        for _, o in oth.iterrows():
            text += (f"; {w.group(o['rater_group'], False)} at {_num(o['mean'])} "
                     f"({_num(abs(o['mean_vs_self']))} "
                     f"{'lower' if o['mean_vs_self'] < 0 else 'higher'})")
        read.append(text + ".")
    withheld = e[(e["scope"] == "group") & e["suppressed"].astype(bool)]
    for g in withheld["rater_group"]:
        read.append(w.withheld(w.group(g)))
    for level in ("Responding", "Shaping"):
        rows = lv[lv["level"] == level]
        if len(rows):
            parts = [f"{_pct(x['share'])} of {w.group(x['rater_group'], False)}'s answers"
                     .replace("s's", "s'") for _, x in rows.iterrows()]
            read.append(f"{level}: " + " against ".join(parts) + ".")
    return Section("external", "How far our external focus reaches", "The share of answers at "
                   "each level, Responding, Anticipating and Shaping, per rater group.",
                   lambda ax: fp.external_focus_chart(data=e, ax=ax), read[:3],
                   max_plot=3.6)


def _benchmark(r, w: _Words, inst: str) -> Section | None:
    try:
        b = fa.benchmark(r, instrument=w.inst)
    except Exception:  # no benchmark base to compare with: leave the page out
        return None
    sh = _shown(b)
    read = []
    if inst == "say-do":
        gaps = sh[sh["measure"] == "gap"]
        ov = gaps[gaps["scope"] == "overall"]
        if len(ov):
            o = ov.iloc[0]
            read.append(f"Our overall Say-Do gap of {_num(o['value'], 2)} is narrower than "
                        f"{_num(o['percentile'], 0)}% of the {int(o['n_base'])} "
                        f"organisations: the {_ord(o['quartile'])} (a narrow gap is better).")
        else:
            read.append(w.withheld("The benchmark", b))
        dims = gaps[gaps["scope"] == "dimension"].sort_values("distance", ascending=False)
        if len(dims):
            d = dims.iloc[0]
            read.append(f"Furthest from the best: {w.section(d['dimension'])}, a gap of "
                        f"{_num(d['value'], 2)} against {_num(d['top_median'], 2)} for the top "
                        f"quarter's median.")
        try:
            qq = fa.say_do_quartiles()
            o = qq[qq["scope"] == "overall"].iloc[0]
            read.append(f"In the base, the top-performing quarter's gap is "
                        f"{_num(o['gap_top'], 2)} against {_num(o['gap_rest'], 2)} for the rest "
                        f"({_p(o['pval'])}): closing the gap goes with performing well.")
        except Exception:
            pass
        n = int(b["n_base"].max())
        opts = dict(data=b, measure="gap", title=f"Say-Do gap against {n} organisations")
    else:
        ov = sh[sh["scope"] == "overall"]
        if len(ov):
            o = ov.iloc[0]
            read.append(f"Overall, {w.group('self', False)}'s mean of {_num(o['value'])} is in "
                        f"the {_ord(o['quartile'])} of {int(o['n_base'])} organisations, above "
                        f"{_num(o['percentile'], 0)}% of them.")
        else:
            read.append(w.withheld("The benchmark", b))
        dims = sh[sh["scope"] == "dimension"]
        if len(dims):
            best = dims.loc[dims["percentile"].idxmax()]
            far = dims.loc[dims["distance"].idxmax()]
            read.append(f"Strongest against others: {w.item(best['dimension'])}, above "
                        f"{_num(best['percentile'], 0)}% of the base.")
            read.append(f"Furthest from the top quarter: {w.item(far['dimension'])}, "
                        f"{_num(far['value'])} against their median of "
                        f"{_num(far['top_median'])}.")
        opts = dict(data=b)
    return Section("benchmark", "How we compare", "Per dimension, the benchmark base's four "
                   "quarters as bands, our mean as a marker, the top quarter's median as a tick. "
                   "The base holds self-assessments, so ours is the self-rating.",
                   lambda ax: fp.benchmark_position(ax=ax, **opts), read[:3])


def _next_steps(r, w: _Words, inst: str, actions: list[dict]) -> Section:
    steps = []
    try:
        if inst == "focus-levels" and "self" in set(r["rater_group"]):
            ns = _shown(fa.next_steps(r, instrument=w.inst))
            for _, x in ns.head(3).iterrows():
                nxt = x["next_descriptor"] if isinstance(x["next_descriptor"], str) else ""
                steps.append(f"{w.item(x['item'])} (now {_num(x['mean'])}, {x['band']}): "
                             f"move toward {x['next_level']}. {nxt}")
        elif inst == "say-do":
            st = _shown(fa.say_do(r, instrument=w.inst))
            st = st[st["scope"] == "statement"].sort_values("gap", ascending=False)
            for _, x in st.head(3).iterrows():
                steps.append(f"Close the gap on {w.item(x['item'])}: practised at "
                             f"{_num(x['do'])}, intended at {_num(x['say'])}.")
        elif inst == "expectations":
            ip = _shown(fa.importance_performance(r, instrument=w.inst)).sort_values("priority")
            for _, x in ip[ip["quadrant"] == "Concentrate here"].head(3).iterrows():
                steps.append(f"Improve {w.item(x['item'])}: performance {_num(x['performance'])} "
                             f"against importance {_num(x['importance'])}.")
        elif inst == "blocks":
            bl = _shown(fa.blocks(r, instrument=w.inst))
            bl = bl[bl["scope"] == "block"].sort_values("mean", ascending=False)
            for _, x in bl.head(3).iterrows():
                how = ("fix the system around it before blaming people"
                       if x["misattributed"] else "name an owner for removing it")
                steps.append(f"{w.item(x['item'])} (holds at {_num(x['mean'])} of 5): {how}.")
        elif inst == "contact-programme":
            a = _shown(fa.adli(r, instrument=w.inst))
            for _, x in a[a["scope"] == "question"].sort_values("mean").head(3).iterrows():
                steps.append(f"Raise {w.item(x['item'])} from {_num(x['mean'])} "
                             f"({x['band']}) toward a systematic, shared method.")
        elif inst == "external-focus":
            it = _shown(fa.external_focus(r, by="item", instrument=w.inst))
            it = it[(it["scope"] == "group") & (it["role"] == "other")].sort_values("mean")
            for _, x in it.head(3).iterrows():
                nxt = {"Responding": "anticipating", "Anticipating": "shaping"}.get(x["band"])
                if nxt:
                    steps.append(f"Move {w.item(x['item'])} from {x['band'].lower()} toward "
                                 f"{nxt}: others rate it {_num(x['mean'])} of 5.")
    except Exception:  # a next step we cannot word is left out, never a broken page
        pass
    if not steps:
        steps.append("Agree in the team which finding to act on first, and record it below.")
    rows = [[str(i + 1), a["title"], a.get("owner") or "", str(a.get("due") or ""),
             a.get("status") or "", readable(a["item"]) if a.get("item") else ""]
            for i, a in enumerate(actions)]
    return Section("next", "Next steps and actions", "What the numbers suggest doing first, and "
                   "the actions the team has agreed.", None, steps,
                   table=("Action register", ["#", "Action", "Owner", "Due", "Status", "About"],
                          rows))


_PAGES = {
    "focus-levels": ("levels", "spread", "gaps", "benchmark"),
    "say-do": ("say-do", "benchmark"),
    "expectations": ("ipa",),
    "blocks": ("blocks",),
    "contact-programme": ("adli",),
    "external-focus": ("external",),
}


def build(store, campaign_id: str) -> Report:
    """The report's content for ``campaign_id`` (StoreError when there is no such campaign)."""
    camp = store.campaign(campaign_id)
    r = store.responses(camp.id)
    w = _Words(camp, r)
    inst = camp.instrument.id
    # The same counts as the figures: a group's size shows only where its figures do.
    from ..analysis import respondents

    counted = respondents(r, by="rater_group") if len(r) else None
    shown_total = 0 if counted is None or counted["suppressed"].iloc[0] else \
        int(counted["n"].iloc[0])
    counts = {} if counted is None else \
        {row.rater_group: row for row in counted.iloc[1:].itertuples()}
    groups = []
    for g in camp.rater_groups or sorted(counts):
        row = counts.get(g)
        n = 0 if row is None or row.suppressed else int(row.n)
        shown = str(n) if row is not None and not row.suppressed else (
            "none yet" if row is None else f"n < {camp.min_group_size} (withheld)"
            if str(row.n_shown).startswith("<") else "withheld")
        seg = w.segs.get(g)
        label = rater_group(g).label
        name = label + (f" ({seg})" if seg and seg.lower() != label.lower()
                        and n >= camp.min_group_size else "")
        groups.append((name, shown))
    sections: list[Section] = []
    if len(r):
        makers = {"levels": lambda: _levels(r, w), "spread": lambda: _spread(r, w),
                  "gaps": lambda: _gaps(r, w), "say-do": lambda: _say_do(r, w),
                  "ipa": lambda: _ipa(r, w), "blocks": lambda: _blocks(r, w),
                  "adli": lambda: _adli(r, w), "external": lambda: _external(r, w),
                  "benchmark": lambda: _benchmark(r, w, inst)}
        for key in _PAGES.get(inst, ()):
            sec = makers[key]()
            if sec is not None:
                sections.append(sec)
    sections.append(_next_steps(r, w, inst, store.actions(camp.id)))
    found = [s.readings for s in sections if s.readings and s.key != "next"]
    headlines = [r[0] for r in found]
    for extra in (r[k] for k in (1, 2) for r in found if len(r) > k):
        if len(headlines) >= 3:
            break
        headlines.append(extra)
    if not len(r):
        headlines = ["No answers yet: the analyses appear once respondents have submitted."]
    facts = [("Organisation", camp.organisation or "(not named)"),
             ("Campaign", f"{camp.title} ({camp.id})"),
             ("Instrument", f"{camp.instrument.title}, version {camp.instrument.version}"),
             ("Status", f"{camp.status}; {shown_total} responses in the figures"),
             ("Anonymity", f"figures about fewer than {camp.min_group_size} people are withheld")]
    about = (f"Each page that follows shows one analysis of the answers, its chart, and the "
             f"three things to read from it. The answers come from the questionnaire "
             f"\u201c{camp.instrument.title}\u201d ({len(camp.instrument.items)} items). Figures "
             f"about fewer than {camp.min_group_size} respondents, and any figure from which "
             f"they could be worked out, are withheld and read \"n < {camp.min_group_size}\"; "
             "the intervals are 95% intervals of the mean.")
    return Report(camp.id, camp.title, camp.organisation, camp.instrument.title, facts, groups,
                  headlines, sections, datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
                  about)


def wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width=width, break_long_words=False) or [""]
