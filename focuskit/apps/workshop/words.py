"""How the workshop board names rater groups and action statuses (its look is ``style.css``)."""

from __future__ import annotations

from ...config import RATER_GROUPS
from ...instruments import rater_group

__all__ = ["GROUP_WORDS", "STATUS_WORDS"]

#: How the board names rater groups in sentences: the instruments' words, except that a
#: workshop's self-raters are the people in the room.
GROUP_WORDS = {**{g: rater_group(g).plural for g in RATER_GROUPS}, "self": "the room"}

#: The store's action statuses, as the board shows them.
STATUS_WORDS = {"open": "To do", "doing": "Under way", "done": "Done", "dropped": "Dropped"}
