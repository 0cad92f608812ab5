"""Names made from text, in one place: ids from titles (``slug``) and titles from ids
(``readable``). Ground floor: imports nothing of focuskit."""

from __future__ import annotations

import re

__all__ = ["readable", "slug"]


def slug(text, sep: str = "-", limit: int | None = None) -> str:
    """Lower-case letters and digits joined by ``sep``, at most ``limit`` characters.

    >>> slug("Q3 customers, Retail")
    'q3-customers-retail'
    >>> slug("How well do we listen?", sep="_", limit=12)
    'how_well_do'
    """
    s = re.sub(r"[^a-z0-9]+", sep, str(text).lower()).strip(sep)
    return s[:limit].strip(sep) if limit else s


def readable(ident) -> str:
    """An id as words, first letter capital.

    >>> readable("segments_and_partnerships")
    'Segments and partnerships'
    """
    text = str(ident).replace("_", " ").replace("-", " ").strip()
    return text[:1].upper() + text[1:]
