"""What the board shows after the reveal: the team spread, the discussion agenda with the
level descriptors of the most disputed items, and the gaps to customers and partners.

Everything comes from ``WorkshopState.results()`` (the analysis layer, anonymity applied) and
``focuskit.plots``; this module only lays it out.
"""

from __future__ import annotations

from html import escape

import ipywidgets as w

from ...ui import parts as ui
from .words import GROUP_WORDS

__all__ = ["discussion_html", "results_widgets"]

HOW_TO = ("<p class='fk-note'>For each one: ask someone who chose a low level and someone who "
          "chose a high level what they see day to day. Agree which description fits us "
          "<i>today</i>, then what it would take to move one level up. That is often the "
          "first action.</p>")


def _html(value, cls="fk-ws"):
    return ui.html(value, cls, width="100%")


def _plot(ax) -> w.Box:
    box = ui.plot_box(ax, max_width="900px")
    # On a phone the chart keeps a readable size and pans inside its own frame.
    return w.VBox([box, _html("<p class='fk-phone'>Swipe the chart sideways to see all of "
                              "it.</p>")], layout=w.Layout(width="100%"))


def discussion_html(discuss: list[dict]) -> str:
    """The agenda: each disputed item with its spread and every level's description, the
    room's lowest and highest ratings marked."""
    if not discuss:
        return ("<h3>Talk about these first</h3><p class='fk-note'>The room agrees on every "
                "dimension: everyone chose the same level. Talk about what would move you one "
                "level up.</p>")
    out = ["<h3>Talk about these first</h3>", HOW_TO, "<ol class='fk-agenda'>"]
    for d in discuss:
        levels = []
        for lv in d["levels"]:
            tags = [t for t, on in (("lowest rating", lv["low"]), ("highest rating", lv["high"]))
                    if on]
            cls = "lv" + (" on" if tags else "")
            tag = "".join(f"<em>{t}</em>" for t in tags)
            levels.append(f"<div class='{cls}'><b>{escape(lv['label'])}</b>{tag}"
                          f"<span>{escape(lv['text'])}</span></div>")
        out.append(f"<li><h4>{escape(d['name'])}</h4><p class='q'>{escape(d['prompt'])}</p>"
                   f"<p class='fk-spread'>Ratings given (level × people): "
                   f"{escape(d['spread'])}</p>{''.join(levels)}</li>")
    return "".join(out) + "</ol>"


def results_widgets(state, res) -> list:
    """Widgets for the revealed results; an empty list before the reveal."""
    if res is None:
        return []
    from ... import plots as fp

    room = GROUP_WORDS.get(res.room, res.room)
    n = f"{res.n} {'answer' if res.n == 1 else 'answers'} from {escape(room)}"
    if res.waiting:
        n += (f". {res.waiting} more {'is' if res.waiting == 1 else 'are'} held back until "
              f"{res.k} new answers have come in, so that nobody’s answers can be picked out "
              "by comparing the board before and after")
    parts = [_html(f"<h2>The room’s results</h2><p class='fk-lead'>{n}</p>")]
    if res.withheld:
        parts.append(_html(f"<p class='fk-withheld'>{escape(res.withheld)}</p>"))
    else:
        parts.append(_plot(fp.team_spread(data=res.agenda, group=res.room,
                                          title="Where we disagree: one dot per person")))
        parts.append(_html(discussion_html(res.discuss)))
    if res.gaps or res.gaps_withheld:
        parts.append(_html("<h3>Where others see us differently</h3><p class='fk-note'>Each "
                           "bar joins the room’s average level to theirs; the widest gaps are "
                           "at the top. A gap is worth a question: what do they see that we "
                           "do not?</p>"))
    for other, gaps in res.gaps.items():
        who = GROUP_WORDS.get(other, other)
        parts.append(_plot(fp.gap_dumbbell(data=gaps, a=res.room, b=other,
                                           title=f"Us against {who}")))
    for _other, reason in res.gaps_withheld.items():
        parts.append(_html(f"<p class='fk-withheld'>{escape(reason)}</p>"))
    return parts
