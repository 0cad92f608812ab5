"""Reading the tables an import starts from: CSV or Excel, from a path or from bytes in memory.

Cells come back normalised (None for empty, numbers as float, text stripped) with the row
numbers a spreadsheet shows (the header is row 1), so that every problem can name its row.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

from ..errors import ImportFileError

__all__ = ["DELIMITERS", "MAX_BYTES", "MAX_CELLS", "MAX_COLUMNS", "MAX_ROWS", "header_names",
           "num_text", "read_rows", "read_table", "sniff_delimiter"]

MAX_BYTES = 50 * 1024 * 1024
MAX_ROWS = 200_000
MAX_COLUMNS = 1000
MAX_CELLS = 5_000_000
MAX_INFLATED = 1_000_000_000  # bytes a workbook may unpack to
MAX_RATIO = 200  # real sheets pack 5 to 50 times; a zip bomb a thousand times
DELIMITERS = (",", ";", "\t")
_RISKY = ("=", "+", "-", "@", "\t", "\r")


def num_text(x: float) -> str:
    """A number read from a cell as its text: 3.0 as "3", 2.5 as "2.5"."""
    return str(int(x)) if x.is_integer() else str(x)


def _cell(v) -> str | float | None:
    """Normalise a cell: None for empty, numbers as float, text stripped and unescaped."""
    if v is None:
        return None
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, datetime):  # a workbook's date cell, as a survey tool's CSV writes it
        return v.strftime("%Y-%m-%d %H:%M:%S")
    s = str(v).strip()
    if len(s) > 1 and s[0] == "'" and s[1] in _RISKY:  # undo the export's formula escape
        s = s[1:]
    return s or None


def read_rows(source: str | Path | bytes, name: str | None = None) -> list[tuple[int, list]]:
    """Every row of a CSV or Excel file (header rows too), numbered as a spreadsheet shows them.

    ``source`` is a path or the file's bytes (an upload, read in memory, never written to a
    temporary file); ``name`` is the file name problems are reported under (for bytes, its
    suffix tells Excel from CSV).
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        data, label = bytes(source), name or "upload"
    else:
        path = Path(source)
        label = name or str(path)
        try:
            size = path.stat().st_size
            if size > MAX_BYTES:
                raise ImportFileError(label, [(0, "", "", f"is {size} bytes; at most {MAX_BYTES}")])
            data = path.read_bytes()
        except OSError as e:  # missing, a directory, or no permission to read
            raise ImportFileError(label, [(0, "", "", f"cannot be read: {e.strerror or e}")]
                                  ) from None
    if len(data) > MAX_BYTES:
        raise ImportFileError(label, [(0, "", "", f"is {len(data)} bytes; at most {MAX_BYTES}")])
    if Path(label).suffix.lower() in (".xlsx", ".xlsm"):
        table = _read_excel(data, label)
    else:
        table = _read_csv(data, label)
    if not table or not any(c is not None for c in table[0][1]):
        raise ImportFileError(label, [(1, "", "", "the file is empty: expected a header row")])
    if len(table) - 1 > MAX_ROWS:
        raise ImportFileError(label, [(0, "", "", f"has {len(table) - 1} rows; at most "
                                                  f"{MAX_ROWS}")])
    return table


def header_names(cells: list) -> list[str]:
    """A header row's cells as column names ("" for a blank cell)."""
    return ["" if h is None else num_text(h) if isinstance(h, float) else str(h) for h in cells]


def read_table(source: str | Path | bytes, name: str | None = None
               ) -> tuple[list[str], list[tuple[int, list]]]:
    """Header and the non-blank rows below it (with their spreadsheet row numbers)."""
    (_, header), *rows = read_rows(source, name)
    return header_names(header), [(n, cells) for n, cells in rows
                                  if any(c is not None for c in cells)]


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first rows into as many cells as the header, most often.

    Each candidate is tried with standard quoting (a quoted cell may hold the delimiter, a
    line break and doubled quotes), so quoting is decided from the data in every column.
    The standard library's sniffer guesses quoting from one column, and a file whose only
    quoted cells were in the last column, with Windows line endings, fooled it.
    """
    sample = text[:65536]
    cut = len(text) > len(sample)
    best, score = ",", (-1.0, 0)
    for d in DELIMITERS:
        rows = []
        try:
            for row in csv.reader(io.StringIO(sample, newline=""), delimiter=d):
                rows.append(row)
                if len(rows) > 100:
                    break
        except csv.Error:
            continue
        if cut and len(rows) > 1:
            rows = rows[:-1]  # the sample may end inside its last row
        widths = [len(r) for r in rows if any(c.strip() for c in r)]
        if not widths or widths[0] < 2:
            continue
        here = (sum(w == widths[0] for w in widths) / len(widths), widths[0])
        if here > score:
            best, score = d, here
    return best


def _read_csv(raw: bytes, label: str):
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        raise ImportFileError(label, [(line, "", ascii(raw[e.start:e.start + 4])[2:-1],
                                       f"is not UTF-8 text (line {line}, byte {e.start}); "
                                       "save it as 'CSV UTF-8'")]) from None
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    out, width, line = [], None, 0
    try:
        for n, row in enumerate(reader, start=1):
            if len(row) > MAX_COLUMNS:
                raise ImportFileError(label, [(n, "", "", f"has {len(row)} columns; at "
                                                          f"most {MAX_COLUMNS}")])
            width = len(row) if width is None else width
            # A row over several lines, of the wrong width, whose multi-line cell holds the
            # delimiter: a quote left open swallowed the rows after it.
            col = next((i for i, c in enumerate(row) if "\n" in c and delimiter in c), None) \
                if len(row) != width and reader.line_num - line > 1 else None
            if col is not None:
                raise ImportFileError(label, [(n, f"column {col + 1}", row[col][:40],
                                               "a quote opened in this cell is not closed: the "
                                               f"row runs from line {line + 1} to line "
                                               f"{reader.line_num} and has {len(row)} cells; "
                                               f"the header has {width}")])
            line = reader.line_num
            # _cell inlined for text: a 100,000-row export has millions of cells.
            row = [c.strip() for c in row]
            out.append((n, [(c[1:] if c[0] == "'" and c[1:2] in _RISKY and len(c) > 1 else c)
                            if c else None for c in row]))
    except csv.Error as e:
        if "field larger than field limit" in str(e):  # one huge cell, not a stray quote
            raise ImportFileError(label, [(len(out) + 1, "", "", f"a cell on line {line + 1} "
                                           f"holds more than {csv.field_size_limit()} "
                                           "characters; a cell holds an answer or a comment"
                                           )]) from None
        raise ImportFileError(label, [(len(out) + 1, "", "", f"malformed CSV from line {line + 1}"
                                                             f" ({e}): a quote opened there may "
                                                             "not be closed")]) from None
    return out


def _zip_bomb(data: bytes) -> str | None:
    """Why a workbook's archive looks like a zip bomb, before openpyxl inflates any of it."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
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


def _read_excel(data: bytes, label: str):
    why = _zip_bomb(data)
    if why:
        raise ImportFileError(label, [(0, "", "", why)])
    try:
        import openpyxl

        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            ws = wb.worksheets[0]
            # Rows as long as their last cell, not padded to the sheet's widest row: one cell
            # in column XFD made a 20 KB file 49 million cells (14 s) before this.
            ws.reset_dimensions()
            out, cells = [], 0
            # A real sheet needs a few bytes of file per cell; a zip bomb far less.
            limit = min(MAX_CELLS, 100_000 + len(data))
            for n, row in enumerate(ws.iter_rows(values_only=True), start=1):
                if n > MAX_ROWS + 1:
                    raise ImportFileError(label, [(n, "", "", f"has more than {MAX_ROWS} rows")])
                if len(row) > MAX_COLUMNS:
                    raise ImportFileError(label, [(n, "", "", f"has {len(row)} columns; at "
                                                              f"most {MAX_COLUMNS}")])
                cells += len(row)
                if cells > limit:  # a zip bomb: a small file of very many cells
                    raise ImportFileError(label, [(n, "", "", f"has more than {limit} cells "
                                                              "for its size")])
                out.append((n, [_cell(c) for c in row]))
            # A sheet's rows end at their last filled cell: pad them to the header's width.
            width = len(out[0][1]) if out else 0
            return [(n, cells + [None] * (width - len(cells))) for n, cells in out]
        finally:
            wb.close()
    except ImportFileError:
        raise
    except Exception as e:  # openpyxl raises many types for a damaged workbook
        raise ImportFileError(label, [(0, "", "", f"is not a readable Excel workbook "
                                                  f"({type(e).__name__})")]) from None
