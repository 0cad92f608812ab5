"""How the workshop board names rater groups and action statuses (its look is ``style.css``)."""

from __future__ import annotations

__all__ = ["GROUP_WORDS", "STATUS_WORDS"]

#: How the board names rater groups in sentences.
GROUP_WORDS = {"self": "the room", "team": "the team", "customer": "customers",
               "partner": "partners", "internal": "internal customers"}

#: The store's action statuses, as the board shows them.
STATUS_WORDS = {"open": "To do", "doing": "Under way", "done": "Done", "dropped": "Dropped"}
