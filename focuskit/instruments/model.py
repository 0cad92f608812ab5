"""The typed instrument model: what is asked, on which scale, of whom.

Objects are frozen so a campaign's snapshot of its instrument cannot drift after loading.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field

from ..config import RATER_GROUPS
from ..names import slug

__all__ = ["RATER_GROUPS", "Anchor", "Scale", "Facet", "Item", "RaterGroup", "Section", "Instrument",
           "anchor_key", "rater_group"]



@dataclass(frozen=True)
class RaterGroup:
    """One group of raters, in the words every page uses for it.

    - ``id``: as links, stores and instruments name it (``config.RATER_GROUPS``);
    - ``label``: the group on its own, in a legend, a heading or a filter: "Customers";
    - ``plural``: the group inside a sentence: "customers", "our own people";
    - ``respondent``: one of them, as the questionnaire tells a respondent who they answer
      as: "a customer".

    >>> g = rater_group("customer")
    >>> f"{g.label} (n=12)", f"Where {g.plural} see us differently", f"You answer as {g.respondent}"
    ('Customers (n=12)', 'Where customers see us differently', 'You answer as a customer')
    """

    id: str
    label: str
    plural: str
    respondent: str


_GROUPS = {g.id: g for g in (
    RaterGroup("self", "Our people", "our own people", "someone inside the organisation"),
    RaterGroup("team", "Team", "the team", "a member of the team"),
    RaterGroup("customer", "Customers", "customers", "a customer"),
    RaterGroup("partner", "Partners", "partners", "a partner"),
    RaterGroup("internal", "Internal reviewers", "internal reviewers", "an internal reviewer"),
)}


def rater_group(group: str) -> RaterGroup:
    """The words for rater group ``group``; a name focuskit does not know is spoken as given.

    >>> [rater_group(g).label for g in RATER_GROUPS]
    ['Our people', 'Team', 'Customers', 'Partners', 'Internal reviewers']
    >>> rater_group("board").plural
    'board'
    """
    found = _GROUPS.get(group)
    if found is None:
        name = str(group)
        return RaterGroup(name, name, name, name)
    return found


def anchor_key(label: str) -> str:
    """The key a level descriptor uses for an anchor label: 'Early systematic' -> 'early_systematic'."""
    return slug(label, "_")


@dataclass(frozen=True)
class Anchor:
    value: int
    label: str
    description: str | None = None

    @property
    def key(self) -> str:
        return anchor_key(self.label)


@dataclass(frozen=True)
class Scale:
    """Integer values from ``minimum`` to ``maximum``; ``choices`` scales allow only their codes.

    A rating scale (``kind == "rating"``) is ordered and may be anchored at some points; a
    choice scale (``kind == "choice"``) is nominal, each value a labelled category.
    """

    kind: str
    anchors: tuple[Anchor, ...]
    minimum: int = 1
    maximum: int = 5

    @property
    def values(self) -> tuple[int, ...]:
        if self.kind == "choice":
            return tuple(a.value for a in self.anchors)
        return tuple(range(self.minimum, self.maximum + 1))

    @property
    def points(self) -> int:
        return len(self.values)

    @property
    def is_anchored(self) -> bool:
        return self.kind == "rating" and bool(self.anchors)

    def bands(self) -> list[tuple[float, float, str]]:
        """(low, high, label) of each anchor's band on a rating scale, lowest first: the
        boundaries lie half way between anchors (on focus-levels 1-2 Casual, 2-4 Moderate,
        4-5 Intense; a mean on a boundary takes the higher band). Empty without anchors.

        The one banding rule: the analysis labels means by it and the plots shade by it."""
        anchors = sorted(self.anchors, key=lambda a: a.value)
        if self.kind != "rating" or not anchors:
            return []
        cuts = [(a.value + b.value) / 2 for a, b in zip(anchors, anchors[1:], strict=False)]
        edges = [self.minimum, *cuts, self.maximum]
        return [(lo, hi, a.label) for lo, hi, a in zip(edges[:-1], edges[1:], anchors, strict=True)]

    def label(self, value: int) -> str:
        for a in self.anchors:
            if a.value == value:
                return a.label
        return str(value)

    def accepts(self, value: object) -> bool:
        """True for a whole number on the scale; bools, NaN and fractions are refused."""
        if type(value) is int:  # the common case, without the abstract-class checks below
            return self.minimum <= value <= self.maximum if self.kind != "choice" \
                else value in self.values
        # numbers.Integral/Real so numpy scalars from pandas are judged like Python numbers.
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            return False
        if not isinstance(value, numbers.Integral):
            value = float(value)
            if not math.isfinite(value) or not value.is_integer():
                return False
        return int(value) in self.values

    def to_dict(self) -> dict:
        anchors = {a.value: ({"label": a.label, "description": a.description} if a.description
                             else a.label) for a in self.anchors}
        if self.kind == "choice":
            return {"choices": anchors}
        return {"points": self.points, "anchors": anchors}


@dataclass(frozen=True)
class Facet:
    id: str
    label: str
    scale: Scale
    required: bool = True


@dataclass(frozen=True)
class Item:
    id: str
    prompt: str
    section: str
    facets: tuple[str, ...]
    required: bool = True
    levels: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    items: tuple[Item, ...]
    intro: str | None = None


@dataclass(frozen=True)
class Instrument:
    id: str
    version: str
    title: str
    source: str
    minutes: int
    scale: Scale
    facets: tuple[Facet, ...]
    sections: tuple[Section, ...]
    description: str = ""
    audiences: tuple[str, ...] = RATER_GROUPS
    comment_label: str = "Comment (optional)"

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(i for s in self.sections for i in s.items)

    def __deepcopy__(self, memo):
        # Never changed once loaded (the store shares one per campaign too), so a copy would
        # be the same thing. It travels in a responses frame's attrs, which pandas
        # deep-copies on nearly every operation.
        return self

    def item(self, item_id: str) -> Item:
        for i in self.items:
            if i.id == item_id:
                return i
        raise KeyError(item_id)

    def facet(self, facet_id: str) -> Facet:
        for f in self.facets:
            if f.id == facet_id:
                return f
        raise KeyError(facet_id)

    def descriptor(self, item_id: str, value: int) -> str | None:
        """The level descriptor of the anchor at ``value`` for an item, if it has one."""
        item = self.item(item_id)
        for a in self.scale.anchors:
            if a.value == value:
                return item.levels.get(a.key)
        return None

    def to_dict(self) -> dict:
        """A plain mapping that ``parse_instrument`` turns back into an equal Instrument."""
        def facet(f: Facet) -> dict:
            d = {"id": f.id, "label": f.label, "required": f.required}
            if f.scale != self.scale:
                d["scale"] = f.scale.to_dict()
            return d

        def item(i: Item) -> dict:
            d = {"id": i.id, "prompt": i.prompt, "required": i.required}
            if i.facets != tuple(f.id for f in self.facets):
                d["facets"] = list(i.facets)
            if i.levels:
                d["levels"] = dict(i.levels)
            return d

        return {
            "id": self.id, "version": self.version, "title": self.title,
            **({"description": self.description} if self.description else {}),
            "source": self.source, "minutes": self.minutes,
            "audiences": list(self.audiences), "comment_label": self.comment_label,
            "scale": self.scale.to_dict(),
            "facets": [facet(f) for f in self.facets],
            "sections": [
                {"id": s.id, "title": s.title, **({"intro": s.intro} if s.intro else {}),
                 "items": [item(i) for i in s.items]}
                for s in self.sections
            ],
        }
