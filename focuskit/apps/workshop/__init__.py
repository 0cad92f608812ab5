"""The trainer's workshop board (``notebooks/workshop.ipynb``).

- ``state``: ``WorkshopState``, the round and everything the board shows (no widgets);
- ``live``: ``LiveCount``, which polls the store from a background thread;
- ``view``: ``WorkshopBoard``, a thin ipywidgets view; ``results``: what it shows after the
  reveal; ``words``: how it names groups and statuses; ``style.css``: its look.
"""

from __future__ import annotations

from ...store import Store
from .live import LiveCount
from .state import PREFIX, WorkshopState, parse_due
from .view import WorkshopBoard

__all__ = ["PREFIX", "LiveCount", "WorkshopBoard", "WorkshopState", "parse_due", "workshop"]


def workshop(url: str | None = None, round: str | None = None, **kw) -> WorkshopBoard:
    """Build the board over the default store (or ``url``) and return it for display.

    Without ``round``, ``?round=ID`` in the page's address picks it, else the newest round.
    Under ``focuskit serve`` the board also says how many phones the server is ready for.
    """
    import os
    from urllib.parse import parse_qs

    if round is None:
        asked = parse_qs(os.environ.get("QUERY_STRING", "")).get("round", [""])[0]
        round = asked if asked.startswith(PREFIX) else None
    from ...config import pool_status

    kw.setdefault("pool", pool_status)  # what serve's respondents' door has ready, if any
    store = Store(url)
    try:
        state = WorkshopState(store, round, **kw)
    except ValueError:  # a stale ?round= (deleted, another store): the newest one instead
        state = WorkshopState(store, None, **kw)
    return WorkshopBoard(state)
