"""What text focuskit stores: Unicode without NUL bytes or lone surrogates.

PostgreSQL refuses a NUL byte in any text column, and neither SQLite nor PostgreSQL can
encode a lone surrogate (half of a UTF-16 pair, as a broken browser or file can send), so
one such character made a submission fail on every retry. Every place that takes text from
a person (store checks, imports, instrument files) asks ``text_problem`` first, so that the
same input is refused with the same message on both backends.
"""

from __future__ import annotations

import re

__all__ = ["text_problem"]

_BAD = re.compile("[\x00\ud800-\udfff]")


def text_problem(value: str) -> str | None:
    """Why ``value`` cannot be stored, naming the first bad character and where; else None.

    Examples
    --------
    >>> text_problem("Costs $5")
    >>> text_problem("a\\x00b")
    'holds a NUL character (U+0000) at position 2; remove it'
    """
    m = _BAD.search(value)
    if m is None:
        return None
    ch = m.group()
    what = "a NUL character" if ch == "\x00" else "a lone surrogate, not a Unicode character,"
    return f"holds {what} (U+{ord(ch):04X}) at position {m.start() + 1}; remove it"
