"""Data quality flags for imported responses: kept with each submission, never a filter.

* ``straight-lining``: the same answer to every item of a facet, over at least
  ``MIN_STRAIGHT`` items (someone clicking down one column);
* ``speeder``: done in less than a third of the median time of the file's responses, where
  the export gives durations (or start and end times).
"""

from __future__ import annotations

from statistics import median

__all__ = ["MIN_STRAIGHT", "SPEED_FRACTION", "flags"]

MIN_STRAIGHT = 5
SPEED_FRACTION = 1 / 3


def flags(subs: list[dict], durations: list[float | None]) -> list[tuple[str, ...]]:
    """The flags of each submission (``answers`` nested as the store takes them), in order.

    ``durations`` are seconds (None where unknown); the median is over the known ones.
    """
    known = [d for d in durations if d is not None and d >= 0]
    cut = median(known) * SPEED_FRACTION if len(known) >= 3 else None
    out = []
    for sub, took in zip(subs, durations, strict=True):
        found = []
        pairs = [(facet, v) for given in sub["answers"].values() for facet, v in given.items()
                 if facet != "comment" and v is not None]
        if len(pairs) >= MIN_STRAIGHT and _straight(pairs):
            found.append("straight-lining")
        if cut is not None and took is not None and took < cut:
            found.append("speeder")
        out.append(tuple(found))
    return out


def _straight(pairs: list[tuple[str, object]]) -> bool:
    """The same answer to every one of at least MIN_STRAIGHT items of some facet."""
    if len({f for f, _ in pairs}) == 1:  # one facet (most instruments), at least MIN_STRAIGHT
        return len({v for _, v in pairs}) == 1
    per_facet: dict[str, list] = {}
    for facet, v in pairs:
        per_facet.setdefault(facet, []).append(v)
    return any(len(vs) >= MIN_STRAIGHT and len(set(vs)) == 1 for vs in per_facet.values())
