"""The programme page (``notebooks/programme.ipynb``): one picture across the lenses of an
assessment programme, what changed since the last wave, and the action register with
overdue marks and "did it work" lines.

- ``state``: ``ProgrammeState``, the picked programme and its summary (no widgets);
- ``view``: ``Programme``, a thin ipywidgets view over the state;
- ``style.css``: its look, scoped to ``.fk-prog``.
"""

from __future__ import annotations

from ...store import Store
from .state import DEFAULT, ProgrammeState
from .view import Programme

__all__ = ["DEFAULT", "Programme", "ProgrammeState", "programme"]


def programme(url: str | None = None, programme: str | None = None, **kw) -> Programme:
    """Build the programme page over the default store (or ``url``) and return it for
    display; ``programme`` picks one (default: the demo's, else the first)."""
    return Programme(ProgrammeState(Store(url), programme, **kw))
