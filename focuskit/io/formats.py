"""What each survey tool's export looks like: header rows, metadata columns, unfinished and
preview rows, and how it writes times.

The layouts follow each tool's documentation of its CSV/Excel download:

* Qualtrics: three header rows (column codes; question text; ``{"ImportId": ...}``, which also
  names the time zone of the dates), ``ResponseId``, ``RecordedDate``, ``Finished`` (False or
  0: unfinished), ``Status`` (Survey Preview, Survey Test, spam: not real answers) and
  ``Duration (in seconds)``.
* SurveyMonkey: a two-row header (a matrix question once, then blank cells; its row labels
  in row 2; "Response" or "Open-Ended Response" under a single question), ``Respondent ID``,
  ``Collector ID``, ``Start Date`` and ``End Date`` as ``MM/DD/YYYY hh:mm:ss AM``.
* Google Forms: ``Timestamp`` first (``YYYY/MM/DD h:mm:ss AM GMT+1``), grids as
  ``Question [Row]``; no response id, so a response is known by its whole row.
* Microsoft Forms: ``ID``, ``Start time``, ``Completion time``, ``Email``, ``Name``.
* LimeSurvey: ``id``, ``submitdate`` (empty: unfinished), ``lastpage``, ``startlanguage``,
  ``startdate``, subquestions as ``Q1[SQ001]``.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone

from .readers import header_names

__all__ = ["FORMAT_NAMES", "LAYOUTS", "Layout", "Sheet", "detect_format", "parse_time", "preview", "sheet",
           "unfinished"]

GENERIC_LABELS = {"response", "open-ended response", "responses", "answer"}
_QUALTRICS_PREVIEW = {"survey preview", "survey test", "spam", "preview spam",
                      "offline survey preview", "1", "2", "8", "9", "12", "17"}
_GMT = re.compile(r"\s*(?:GMT|UTC)\s*([+-])(\d{1,2})(?::?(\d{2}))?\s*$", re.I)


@dataclass(frozen=True)
class Layout:
    name: str
    header_rows: int = 1  # rows that together name the columns
    skip_rows: int = 0  # rows below the header that hold no answers
    ids: tuple[str, ...] = ()  # the response id column
    submitted_at: str | None = None
    started_at: str | None = None
    duration: str | None = None  # seconds
    times: tuple[str, ...] = ()  # strptime formats, tried in turn
    unfinished: str | None = None  # column whose value tells an unfinished response
    status: str | None = None  # column telling a preview or test response


LAYOUTS = {
    "qualtrics": Layout("qualtrics", 1, 2, ("ResponseId", "ResponseID"), "RecordedDate",
                        "StartDate", "Duration (in seconds)", ("%Y-%m-%d %H:%M:%S",
                                                               "%m/%d/%Y %H:%M"),
                        unfinished="Finished", status="Status"),
    "surveymonkey": Layout("surveymonkey", 2, 0, ("Respondent ID",), "End Date", "Start Date",
                           None, ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S",
                                  "%d/%m/%Y %H:%M:%S")),
    "google-forms": Layout("google-forms", 1, 0, (), "Timestamp", None, None,
                           ("%Y/%m/%d %I:%M:%S %p", "%Y/%m/%d %H:%M:%S", "%m/%d/%Y %H:%M:%S",
                            "%d/%m/%Y %H:%M:%S")),
    "microsoft-forms": Layout("microsoft-forms", 1, 0, ("ID",), "Completion time", "Start time",
                              None, ("%Y-%m-%d %H:%M:%S", "%m/%d/%Y %H:%M:%S",
                                     "%m/%d/%y %H:%M:%S", "%m/%d/%y %H:%M")),
    "limesurvey": Layout("limesurvey", 1, 0, ("id",), "submitdate", "startdate", None,
                         ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"), unfinished="submitdate"),
}


FORMAT_NAMES = tuple(LAYOUTS)


def detect_format(rows: list[tuple[int, list]]) -> str | None:
    """The tool whose export this looks like, from its header; None for a plain table."""
    head = set(header_names(rows[0][1]))
    below = [str(c or "") for c in rows[2][1]] if len(rows) > 2 else []
    if {"ResponseId", "Finished"} <= head or (
            {"StartDate", "RecordedDate"} <= head and any('"ImportId"' in c for c in below)):
        return "qualtrics"
    if {"Respondent ID", "Collector ID"} <= head:
        return "surveymonkey"
    if {"id", "submitdate", "lastpage"} <= head:
        return "limesurvey"
    if {"ID", "Start time", "Completion time"} <= head:
        return "microsoft-forms"
    if header_names(rows[0][1])[:1] == ["Timestamp"]:
        return "google-forms"
    return None


@dataclass
class Sheet:
    """An export with its header understood: names, the names a mapping may use, data rows."""

    names: list[str]  # one name per column, as problems show it
    rows: list[tuple[int, list]]  # data rows below the header and the skipped rows
    layout: Layout | None = None
    timezone: str | None = None  # the time zone an export says its dates are in
    aliases: dict[str, int] = field(default_factory=dict)  # every usable name -> column
    twice: dict[str, list[int]] = field(default_factory=dict)  # names of several columns

    def find(self, name: str) -> int | None:
        """The column a mapping's name means: exact, else equal but for spaces and case."""
        if name in self.aliases:
            return self.aliases[name]
        loose = _loose(name)
        hits = {i for a, i in self.aliases.items() if _loose(a) == loose}
        return hits.pop() if len(hits) == 1 else None

    def closest(self, name: str, n: int = 3) -> list[str]:
        return difflib.get_close_matches(name, list(self.aliases), n=n, cutoff=0.5) or \
            difflib.get_close_matches(name, list(self.aliases), n=n, cutoff=0.0)


def _loose(s: str) -> str:
    return " ".join(s.split()).casefold()


def sheet(rows: list[tuple[int, list]], layout: Layout | None, skip_rows: int | None) -> Sheet:
    """The export's column names (with each tool's naming rules) and its data rows."""
    header_rows = layout.header_rows if layout else 1
    head = [header_names(cells) for _, cells in rows[:header_rows]]
    skip = skip_rows if skip_rows is not None else (layout.skip_rows if layout else 0)
    below = rows[header_rows:header_rows + skip]
    data = [(n, c) for n, c in rows[header_rows + skip:] if any(x is not None for x in c)]
    width = len(head[0])
    names, aliases = list(head[0]), {}
    ambiguous: set[str] = set()

    twice: dict[str, list[int]] = {}

    def offer(alias: str, i: int) -> None:
        if not alias:
            return
        if alias in aliases and aliases[alias] != i:
            ambiguous.add(alias)
            twice.setdefault(alias, [aliases[alias]]).append(i)
        aliases.setdefault(alias, i)

    if layout is not None and layout.name == "surveymonkey" and len(head) > 1:
        labels = head[1] + [""] * (width - len(head[1]))
        question = ""
        counts: dict[str, int] = {}
        for lab in labels:
            counts[lab] = counts.get(lab, 0) + 1
        for i in range(width):
            # A matrix question is written once, over blank cells for its other rows.
            question = head[0][i] or (question if labels[i] else "")
            lab = labels[i].strip()
            if not lab or lab.casefold() in GENERIC_LABELS:
                names[i] = question
                offer(question, i)
            else:
                names[i] = f"{question} - {lab}" if question else lab
                offer(names[i], i)
                if counts[labels[i]] == 1:
                    offer(lab, i)
    else:
        for i, h in enumerate(names):
            offer(h, i)
    tz = None
    if layout is not None and layout.name == "qualtrics":
        texts = header_names(below[0][1]) if below else []
        for i, t in enumerate(texts[:width]):
            if t and texts.count(t) == 1 and t not in aliases:
                offer(t, i)  # a question's text stands for its code
        for _, cells in below[1:2]:
            for c in cells:
                if isinstance(c, str) and c.startswith("{"):
                    try:
                        tz = json.loads(c).get("timeZone") or tz
                    except (ValueError, AttributeError):
                        pass
    for a in ambiguous:
        # A label given twice names no column alone; its full name still does.
        if names.count(a) != 1:
            aliases.pop(a, None)
        else:
            twice.pop(a, None)
    return Sheet(names, data, layout, tz, aliases, twice)


def parse_time(text, formats: tuple[str, ...], zone) -> datetime | None:
    """A tool's timestamp as a UTC time; None when it is not one of the tool's formats.

    ``zone`` (a tzinfo) is the time zone of times that do not carry their own offset.
    """
    if isinstance(text, float):
        return None
    s = str(text).strip()
    offset = None
    # The pattern is tried only where it can match: searched on every cell of an export's
    # two time columns, it was a fifth of reading a time.
    m = _GMT.search(s) if "GMT" in s.upper() or "UTC" in s.upper() else None
    if m:  # Google's "GMT+1", "GMT-05:30"
        sign = 1 if m[1] == "+" else -1
        offset = timezone(sign * timedelta(hours=int(m[2]), minutes=int(m[3] or 0)))
        s = s[:m.start()]
    elif s.endswith(("GMT", "UTC")):
        offset, s = UTC, s[:-3].strip()
    try:  # ISO 8601, as most tools write it, read fast
        moment = datetime.fromisoformat(s) if len(s) >= 10 and s[4] == "-" else None
    except ValueError:
        moment = None
    for f in formats if moment is None else ():
        try:
            moment = datetime.strptime(s, f)
            break
        except ValueError:
            continue
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=offset or zone)
    return moment.astimezone(UTC)


def unfinished(layout: Layout | None, sheet_: Sheet, cells: list) -> str | None:
    """Why the tool marks this row as an unfinished response, or None."""
    if layout is None or layout.unfinished is None:
        return None
    i = sheet_.aliases.get(layout.unfinished)
    if i is None:
        return None
    v = cells[i] if i < len(cells) else None
    if layout.name == "limesurvey":
        return "unfinished response (submitdate is empty)" if v is None else None
    text = "" if v is None else str(v).strip().lower()
    if text in ("false", "0", "0.0"):
        return f"unfinished response ({layout.unfinished} = {v if isinstance(v, str) else 0})"
    return None


def preview(layout: Layout | None, sheet_: Sheet, cells: list) -> str | None:
    """Why the tool marks this row as a preview, test or spam response, or None."""
    if layout is None or layout.status is None:
        return None
    i = sheet_.aliases.get(layout.status)
    v = cells[i] if i is not None and i < len(cells) else None
    if v is None:
        return None
    text = str(int(v)) if isinstance(v, float) and v.is_integer() else str(v).strip()
    if text.lower() in _QUALTRICS_PREVIEW:
        return f"not a real response ({layout.status} = {text})"
    return None
