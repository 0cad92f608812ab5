"""Reading the files an import starts from: CSV or Excel tables, and YAML column mappings.

Cells come back normalised (None for empty, numbers as float, text stripped) with the row
numbers a spreadsheet shows (the header is row 1), so that every problem can name its row.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path

from ..errors import FocuskitError, ImportFileError
from ..plain_text import text_problem
from ..safe_yaml import MAX_CHARS, load_yaml

__all__ = ["Mapping", "read_mapping", "read_table", "MAX_BYTES", "MAX_CELLS", "MAX_COLUMNS",
           "MAX_ROWS", "num_text"]

MAX_BYTES = 50 * 1024 * 1024
MAX_ROWS = 200_000
MAX_COLUMNS = 1000
MAX_CELLS = 5_000_000
MAX_INFLATED = 1_000_000_000  # bytes a workbook may unpack to
MAX_RATIO = 200  # real sheets pack 5 to 50 times; a zip bomb a thousand times
_RISKY = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Mapping:
    columns: dict[str, str]
    values: dict[str, float]
    skip_rows: int = 0
    rater_group: str | None = None
    segment: str | None = None


def _cell(v) -> str | float | None:
    """Normalise a cell: None for empty, numbers as float, text stripped and unescaped."""
    if v is None:
        return None
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, (int, float)):
        return float(v)
    s = str(v).strip()
    if len(s) > 1 and s[0] == "'" and s[1] in _RISKY:  # undo the export's formula escape
        s = s[1:]
    return s or None


def read_table(path: str | Path) -> tuple[list[str], list[tuple[int, list]]]:
    """Header and rows (with their spreadsheet row numbers) of a CSV or Excel file."""
    path = Path(path)
    source = str(path)
    try:
        size = path.stat().st_size
    except OSError as e:
        raise ImportFileError(source, [(0, "", "", f"cannot be read: {e.strerror or e}")]) from None
    if size > MAX_BYTES:
        raise ImportFileError(source, [(0, "", "", f"is {size} bytes; at most {MAX_BYTES}")])
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        table = _read_excel(path)
    else:
        table = _read_csv(path)
    if not table or not any(c is not None for c in table[0][1]):
        raise ImportFileError(source, [(1, "", "", "the file is empty: expected a header row")])
    (_, header), rows = table[0], table[1:]
    if len(rows) > MAX_ROWS:
        raise ImportFileError(source, [(0, "", "", f"has {len(rows)} rows; at most {MAX_ROWS}")])
    names = ["" if h is None else str(h if not isinstance(h, float) else num_text(h))
             for h in header]
    return names, [(n, cells) for n, cells in rows if any(c is not None for c in cells)]


def num_text(x: float) -> str:
    return str(int(x)) if x.is_integer() else str(x)


def _read_csv(path: Path):
    try:
        raw = path.read_bytes()
    except OSError as e:  # a directory, or no permission to read
        raise ImportFileError(str(path), [(0, "", "", f"cannot be read: {e.strerror or e}")]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        raise ImportFileError(str(path), [(line, "", ascii(raw[e.start:e.start + 4])[2:-1],
                                           f"is not UTF-8 text (line {line}, byte {e.start}); "
                                           "save it as 'CSV UTF-8'")]) from None
    try:
        # The sniffer's regular expressions are quadratic: 8 KB of ',"' took 2.5 s, 2 KB 0.15 s.
        dialect = csv.Sniffer().sniff(text[:2048], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    out = []
    try:
        for n, row in enumerate(csv.reader(io.StringIO(text, newline=""), dialect), start=1):
            if len(row) > MAX_COLUMNS:
                raise ImportFileError(str(path), [(n, "", "", f"has {len(row)} columns; at "
                                                               f"most {MAX_COLUMNS}")])
            out.append((n, [_cell(c) for c in row]))
    except csv.Error as e:
        raise ImportFileError(str(path), [(len(out) + 1, "", "", f"malformed CSV: {e}")]) from None
    return out


def _zip_bomb(path: Path) -> str | None:
    """Why a workbook's archive looks like a zip bomb, before openpyxl inflates any of it."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as z:
            members = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None  # not a zip at all: openpyxl says so in its own words
    total = sum(m.file_size for m in members)
    if total > MAX_INFLATED:
        return f"unpacks to {total} bytes; at most {MAX_INFLATED}"
    for m in members:
        if m.file_size > 10_000_000 and m.file_size > MAX_RATIO * max(m.compress_size, 1):
            return (f"holds {m.filename[:60]}, packed {m.file_size // max(m.compress_size, 1)} "
                    f"times smaller than its {m.file_size} bytes: not a workbook a spreadsheet "
                    "or survey tool writes")
    return None


def _read_excel(path: Path):
    why = _zip_bomb(path)
    if why:
        raise ImportFileError(str(path), [(0, "", "", why)])
    try:
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            ws = wb.worksheets[0]
            # Rows as long as their last cell, not padded to the sheet's widest row: one cell
            # in column XFD made a 20 KB file 49 million cells (14 s) before this.
            ws.reset_dimensions()
            out, cells = [], 0
            # A real sheet needs a few bytes of file per cell; a zip bomb far less.
            limit = min(MAX_CELLS, 100_000 + path.stat().st_size)
            for n, row in enumerate(ws.iter_rows(values_only=True), start=1):
                if n > MAX_ROWS + 1:
                    raise ImportFileError(str(path), [(n, "", "", f"has more than {MAX_ROWS} "
                                                                   "rows")])
                if len(row) > MAX_COLUMNS:
                    raise ImportFileError(str(path), [(n, "", "", f"has {len(row)} columns; at "
                                                                   f"most {MAX_COLUMNS}")])
                cells += len(row)
                if cells > limit:  # a zip bomb: a small file of very many cells
                    raise ImportFileError(str(path), [(n, "", "", f"has more than {limit} "
                                                                   "cells for its size")])
                out.append((n, [_cell(c) for c in row]))
            return out
        finally:
            wb.close()
    except ImportFileError:
        raise
    except Exception as e:  # openpyxl raises many types for a damaged workbook
        raise ImportFileError(str(path), [(0, "", "", f"is not a readable Excel workbook "
                                                     f"({type(e).__name__})")]) from None


def read_mapping(path: str | Path) -> Mapping:
    """Read a YAML column mapping for a survey tool's wide export.

    Keys: ``columns`` (source column -> ``item:facet``, ``item:comment``, ``respondent``,
    ``rater_group`` or ``segment``; required), ``values`` (answer text -> number, e.g.
    ``Strongly agree: 5``), ``skip_rows`` (lines after the header that hold no answers, such
    as the question-text row some tools add), and constants ``rater_group`` and ``segment``
    for every row. Columns that are not mapped are ignored.
    """
    source = str(path)
    try:
        size = Path(path).stat().st_size
        if size > 4 * MAX_CHARS:  # refuse before reading a huge file into memory
            raise FocuskitError(f"{source}: is {size} bytes; a mapping file has at most "
                                f"{MAX_CHARS} characters")
        data = load_yaml(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        raise FocuskitError(f"{source}: cannot read the mapping file: {e}") from None
    except FocuskitError as e:
        raise FocuskitError(f"{source}: cannot read the mapping file: {e}") from None
    problems = []
    if not isinstance(data, dict):
        raise FocuskitError(f"{source}: expected a mapping with a 'columns' key")
    for k in data:
        if k not in {"columns", "values", "skip_rows", "rater_group", "segment"}:
            problems.append(f"unknown key {str(k)[:60]!r}")
    cols = data.get("columns")
    if not isinstance(cols, dict) or not cols:
        problems.append("columns: expected source column -> item:facet pairs")
        cols = {}
    values = data.get("values") or {}
    if not isinstance(values, dict) or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
            for v in values.values()):
        problems.append("values: expected answer text -> number pairs")
        values = {}
    skip = data.get("skip_rows", 0)
    if isinstance(skip, bool) or not isinstance(skip, int) or not 0 <= skip <= 20:
        problems.append("skip_rows: expected a whole number from 0 to 20")
        skip = 0
    constants = {}
    for key in ("rater_group", "segment"):
        v = data.get(key)
        if v is not None and (isinstance(v, bool) or not isinstance(v, (str, int, float))):
            problems.append(f"{key}: expected text")
            v = None
        constants[key] = None if v is None else num_text(v) if isinstance(v, float) else str(v)
    pairs = [*cols.items(), *values.items(), *constants.items()]
    for text in (str(x) for pair in pairs for x in pair if x is not None):
        if (why := text_problem(text)) is not None:
            problems.append(f"{text[:60]!r} {why}")
    if problems:
        raise FocuskitError(f"{source}: " + "; ".join(problems))
    return Mapping({str(k): str(v) for k, v in cols.items()},
                   {str(k).strip().lower(): float(v) for k, v in values.items()},
                   skip, constants["rater_group"], constants["segment"])
