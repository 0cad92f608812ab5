"""A finding: one thing the numbers say, in a plain sentence, with the figures behind it."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Finding"]


@dataclass(frozen=True)
class Finding:
    """One thing to read.

    ``kind`` names what it is about ("standing", "gap", "disagreement", "next-step",
    "withheld", ...); ``numbers`` holds the figures the sentence states (rounded as shown),
    so two views can be compared without reading their words; ``sentence`` is what an
    executive reads; ``details`` the statistics behind it, shown on request. A finding meant
    for an overview card also has a ``title`` and a short ``value``.
    """

    kind: str
    sentence: str
    numbers: dict = field(default_factory=dict, hash=False)
    details: str = ""
    title: str = ""
    value: str = ""
    #: the card's small line under its value
    brief: str = ""
    item: str | None = None

    @property
    def card(self) -> bool:
        return bool(self.title)
