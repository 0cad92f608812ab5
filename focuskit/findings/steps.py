"""Next steps: what to do first, from the same results as the readings, one level at a time."""

from __future__ import annotations

from .model import Finding
from .readings import name, priority_order, shown, standing_words, withheld
from .words import group_name, next_anchor, num

__all__ = ["next_steps"]


def _levels(r) -> list[Finding]:
    ns = r.get("next_steps")
    if ns is None:
        return [withheld(r, "this selection")]
    scale = r.inst.facets[0].scale
    items = {i.id: i for i in r.inst.items}
    out = []
    for x in shown(ns).itertuples():
        # The very next level above the mean as printed, never one beyond it.
        nxt = next_anchor(round(float(x.mean), 1), scale)
        if nxt is None:
            continue
        desc = items[x.item].levels.get(nxt.key) if x.item in items else None
        out.append(Finding(
            "next-step", f"{name(x.item)} (now {num(x.mean)}, "
            f"{standing_words(x.mean, scale)}): move toward {nxt.label}."
            + (f" {desc}" if desc else ""), {"item": x.item, "toward": nxt.label,
                                              "mean": round(float(x.mean), 1)},
            details=f"Mean of {group_name('self')}: {num(x.mean, 2)}, n = {int(x.n)}"
                    + ("; order: lowest level first, then the widest gap to customers, then "
                       "the widest spread." if not out else "."), item=x.item))
    return out


def _say_do(r) -> list[Finding]:
    st = shown(r.get("say_do"))
    st = st[st["scope"] == "statement"].sort_values("rank")
    return [Finding("next-step", f"Close the gap on {name(x['item'])}: intended at "
                    f"{num(x['say'])}, practised at {num(x['do'])}.",
                    {"item": x["item"]}, item=x["item"]) for _, x in st.iterrows()]


def _expectations(r) -> list[Finding]:
    order = priority_order(r.get("importance_performance"))
    return [Finding("next-step", f"Improve {name(x['item'])}: importance "
                    f"{num(x['importance'])}, delivered at {num(x['performance'])} "
                    f"({x['quadrant']}).", {"item": x["item"], "quadrant": x["quadrant"]},
                    item=x["item"]) for _, x in order.iterrows()]


def _blocks(r) -> list[Finding]:
    bl = r.get("blocks")
    if bl is None:
        return [withheld(r, "this selection")]
    bl = shown(bl)
    bl = bl[bl["scope"] == "block"].sort_values("rank")
    return [Finding("next-step", f"{name(x['item'])} (holds at {num(x['mean'])} of 5): "
                    + ("fix the system around it before blaming people."
                       if x["misattributed"] else "name an owner for removing it."),
                    {"item": x["item"]}, item=x["item"]) for _, x in bl.iterrows()]


def _contact(r) -> list[Finding]:
    a = r.get("adli")
    if a is None:
        return [withheld(r, "this selection")]
    qs = shown(a)
    qs = qs[qs["scope"] == "question"].sort_values("mean")
    scale = r.inst.facets[0].scale
    out = []
    for _, x in qs.iterrows():
        nxt = next_anchor(round(float(x["mean"]), 1), scale)
        if nxt is not None:
            out.append(Finding("next-step", f"Raise {name(x['item'])} from {num(x['mean'])} "
                               f"toward {nxt.label}.", {"item": x["item"],
                                                        "toward": nxt.label}, item=x["item"]))
    return out


def _external(r) -> list[Finding]:
    it = r.get("external_items")
    if it is None:
        return [withheld(r, "this selection")]
    it = shown(it)
    it = it[(it["scope"] == "group") & (it["role"] == "other")].sort_values("mean")
    scale = r.inst.facets[0].scale
    out = []
    for _, x in it.iterrows():
        nxt = next_anchor(round(float(x["mean"]), 1), scale)
        if nxt is not None and x["item"] not in {f.item for f in out}:
            out.append(Finding("next-step", f"Move {name(x['item'])} toward {nxt.label}: "
                               f"{group_name(x['rater_group'])} rate it {num(x['mean'])} of 5.",
                               {"item": x["item"], "toward": nxt.label}, item=x["item"]))
    return out


_STEPS = {"focus-levels": _levels, "say-do": _say_do, "expectations": _expectations,
          "blocks": _blocks, "contact-programme": _contact, "external-focus": _external}


def next_steps(r, top: int = 3) -> list[Finding]:
    """The first ``top`` things to do for the campaign's instrument; a withheld note when
    nothing may be shown."""
    make = _STEPS.get(r.instrument)
    if make is None:
        return []
    _, hidden = r.released()
    if hidden:
        return [withheld(r, "this selection")]
    if r.instrument == "focus-levels" and "self" not in set(r.released()[0]["rater_group"]):
        raise ValueError("no answers from rater group 'self' in this selection")
    steps = make(r)
    return steps[:top] if steps and steps[0].kind != "withheld" else steps
