"""The YAML mapping file that says how a survey tool's export becomes focuskit answers.

Every key is documented in the README ("Importing from survey tools"). The file is read with
every scalar as text (``NO`` stays Norway, ``Yes: 1`` keeps the key ``Yes``); numbers are
parsed here, where the key says a number is meant.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import FocuskitError
from ..plain_text import text_problem
from ..safe_yaml import MAX_CHARS, load_yaml
from .formats import FORMAT_NAMES

__all__ = ["FORMAT_NAMES", "KEYS", "META_TARGETS", "Mapping", "read_mapping"]

KEYS = ("format", "columns", "values", "recode", "keep", "drop", "incomplete", "skip_rows",
        "rater_group", "segment", "timezone")
#: What a column may be mapped to besides ``ITEM:FACET`` and ``ITEM:comment``.
META_TARGETS = ("respondent", "rater_group", "segment", "submitted_at", "started_at",
                "duration", "submission", "item", "facet", "value", "comment")
INCOMPLETE = ("refuse", "skip")


@dataclass(frozen=True)
class Mapping:
    columns: dict[str, str] = field(default_factory=dict)  # source column -> target
    values: dict[str, float] = field(default_factory=dict)  # answer text (lower case) -> number
    column_values: dict[str, dict[str, float]] = field(default_factory=dict)  # per column
    recode: dict[str, dict[str, str]] = field(default_factory=dict)  # column -> code -> label
    keep: dict[str, tuple[str, ...]] = field(default_factory=dict)
    drop: dict[str, tuple[str, ...]] = field(default_factory=dict)
    format: str | None = None
    incomplete: str = "refuse"
    skip_rows: int | None = None  # None: as the format says (0 for a plain file)
    rater_group: str | None = None
    segment: str | None = None
    timezone: str | None = None


def read_mapping(source: str | Path | bytes, name: str | None = None) -> Mapping:
    """Read and check a mapping file (a path, or an upload's bytes named ``name``).

    Raises FocuskitError naming the file and listing every problem. Whether each named
    column is in the export is checked later, against the export (see ``imports``).
    """
    label = name or (str(source) if not isinstance(source, (bytes, bytearray)) else "mapping")
    try:
        if isinstance(source, (bytes, bytearray)):
            if len(source) > 4 * MAX_CHARS:
                raise FocuskitError(f"is {len(source)} bytes; a mapping file has at most "
                                    f"{MAX_CHARS} characters")
            text = bytes(source).decode("utf-8-sig")
        else:
            size = Path(source).stat().st_size
            if size > 4 * MAX_CHARS:  # refuse before reading a huge file into memory
                raise FocuskitError(f"is {size} bytes; a mapping file has at most "
                                    f"{MAX_CHARS} characters")
            text = Path(source).read_text(encoding="utf-8-sig")
        data = load_yaml(text, as_text=True)
    except (OSError, UnicodeDecodeError) as e:
        raise FocuskitError(f"{label}: cannot read the mapping file: {e}") from None
    except FocuskitError as e:
        hint = ""
        if "not valid YAML" in str(e):
            hint = (" (put a column name in double quotes when it holds ': ' or ' #', or "
                    "starts with [ { * & ! | > ' \" % @ or `)")
        raise FocuskitError(f"{label}: cannot read the mapping file: {e}{hint}") from None
    if not isinstance(data, dict):
        raise FocuskitError(f"{label}: expected a mapping with a 'columns' key")
    problems: list[str] = []
    for k in data:
        if k not in KEYS:
            problems.append(f"unknown key {str(k)[:60]!r} (the keys are {', '.join(KEYS)})")
    cols = _pairs(data, "columns", "source column -> item:facet", problems)
    if not cols and not any(p.startswith("columns") for p in problems):
        problems.append("columns: expected source column -> item:facet pairs")
    for src, target in cols.items():
        if not target or (target not in META_TARGETS and ":" not in target):
            problems.append(f"columns: {src[:60]!r} maps to {target[:60]!r}; expected "
                            f"ITEM:FACET, ITEM:comment or one of {', '.join(META_TARGETS)}")
    values, per_column = {}, {}
    raw_values = data.get("values") or {}
    if not isinstance(raw_values, dict):
        problems.append("values: expected answer text -> number pairs")
        raw_values = {}
    for k, v in raw_values.items():
        if isinstance(v, dict):
            per_column[k] = {str(a).strip().lower(): x for a, b in v.items()
                             if (x := _number(b, f"values: {k}: {a}", problems)) is not None}
        else:
            x = _number(v, f"values: {k}", problems)
            if x is not None:
                values[k.strip().lower()] = x
    recode = {}
    raw_recode = data.get("recode") or {}
    if not isinstance(raw_recode, dict) or not all(isinstance(v, dict)
                                                   for v in raw_recode.values()):
        problems.append("recode: expected COLUMN: {code: label} pairs")
        raw_recode = {}
    for col, table in raw_recode.items():
        recode[col] = {str(a).strip(): str(b).strip() for a, b in table.items()}
    filters = {}
    for key in ("keep", "drop"):
        raw = data.get(key) or {}
        if not isinstance(raw, dict):
            problems.append(f"{key}: expected COLUMN: [values] pairs")
            raw = {}
        out = {}
        for col, vals in raw.items():
            vals = vals if isinstance(vals, list) else [vals]
            if not all(isinstance(v, str) for v in vals):
                problems.append(f"{key}: {col[:60]!r}: expected a list of values")
                continue
            out[col] = tuple(v.strip() for v in vals)
        filters[key] = out
    fmt = _text(data, "format", problems)
    if fmt is not None and fmt not in FORMAT_NAMES:
        problems.append(f"format: {fmt[:40]!r} is not one of {', '.join(FORMAT_NAMES)}")
    incomplete = _text(data, "incomplete", problems) or "refuse"
    if incomplete not in INCOMPLETE:
        problems.append(f"incomplete: {incomplete[:40]!r}; expected refuse or skip")
    skip = _text(data, "skip_rows", problems)
    if skip is not None and not (skip.isdigit() and 0 <= int(skip) <= 20):
        problems.append("skip_rows: expected a whole number from 0 to 20")
        skip = None
    tz = _text(data, "timezone", problems)
    if tz is not None:
        try:
            from zoneinfo import ZoneInfo

            ZoneInfo(tz)
        except (ValueError, KeyError, OSError):
            problems.append(f"timezone: {tz[:60]!r} is not a time zone name such as "
                            "Europe/Oslo or UTC")
    constants = {k: _text(data, k, problems) for k in ("rater_group", "segment")}
    every = [*cols.items(), *raw_values.items(), *recode.items(), *constants.items(),
             *filters["keep"].items(), *filters["drop"].items()]
    for text in (str(x) for pair in every for x in pair if isinstance(x, str)):
        if (why := text_problem(text)) is not None:
            problems.append(f"{ascii(text[:60])} {why}")
    if problems:
        raise FocuskitError(f"{label}: " + "; ".join(problems))
    return Mapping(columns=cols, values=values, column_values=per_column, recode=recode,
                   keep=filters["keep"], drop=filters["drop"], format=fmt,
                   incomplete=incomplete, skip_rows=None if skip is None else int(skip),
                   rater_group=constants["rater_group"], segment=constants["segment"],
                   timezone=tz)


def _pairs(data: dict, key: str, what: str, problems: list[str]) -> dict[str, str]:
    raw = data.get(key)
    if raw is None or raw == "":
        return {}
    if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
        problems.append(f"{key}: expected {what} pairs")
        return {}
    return {k: v.strip() for k, v in raw.items()}


def _text(data: dict, key: str, problems: list[str]) -> str | None:
    v = data.get(key)
    if v is None or v == "":
        return None
    if not isinstance(v, str):
        problems.append(f"{key}: expected text")
        return None
    return v.strip()


def _number(v, where: str, problems: list[str]) -> float | None:
    try:
        x = float(v) if isinstance(v, str) else math.nan
    except ValueError:
        x = math.nan
    if not math.isfinite(x):
        problems.append(f"values: expected answer text -> number pairs ({where[8:88]}: "
                        f"{str(v)[:40]!r} is not a number)")
        return None
    return x
