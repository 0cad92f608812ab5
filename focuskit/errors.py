"""The exceptions focuskit raises for input a person can fix.

Each is a ValueError whose message says what is wrong and where, and which keeps the
individual problems in ``.problems`` for callers (CLI, widgets) that list them.
"""

from __future__ import annotations

__all__ = ["FocuskitError", "InstrumentError", "StoreError", "ImportFileError"]


class FocuskitError(ValueError):
    """Base class: bad input, with every problem found (not only the first)."""

    def __init__(self, message: str, problems: list[str] | None = None):
        self.problems = list(problems or [])
        super().__init__(message)


class InstrumentError(FocuskitError):
    """An instrument file that cannot be used: YAML syntax or the item-bank schema."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{source}: {len(problems)} problem(s)\n{lines}", problems)


class StoreError(FocuskitError):
    """Anything the store refuses (bad submission, unknown or closed campaign); nothing was written."""

    def __init__(self, message: str, problems: list[str] | None = None):
        if problems:
            message = message + "\n" + "\n".join(f"  - {p}" for p in problems)
        super().__init__(message, problems)


class ImportFileError(FocuskitError):
    """An import that failed validation; nothing was stored.

    ``rows`` holds (row number, column, value, reason) for every bad cell found.
    """

    SHOWN = 50

    def __init__(self, source: str, rows: list[tuple[int, str, str, str]]):
        self.source = source
        self.rows = rows
        shown = [f"row {r}, column {c!r}, value {v!r}: {why}" for r, c, v, why in rows[: self.SHOWN]]
        more = len(rows) - len(shown)
        text = f"{source}: nothing imported, {len(rows)} problem(s)\n" + "\n".join(
            f"  - {s}" for s in shown
        )
        if more > 0:
            text += f"\n  ... and {more} more"
        super().__init__(text, shown)
