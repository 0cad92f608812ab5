"""Exports of a campaign's answers: long (one row per answer) or wide (one row per submission)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["FORMATS", "escape_cells", "export", "wide_frame", "with_submission_info"]

FORMATS = ("csv", "xlsx")
META = ["campaign", "submission", "respondent", "rater_group", "segment", "submitted_at",
        "source_submitted_at", "flags"]
TIMES = ("submitted_at", "source_submitted_at")
_RISKY = ("=", "+", "-", "@", "\t", "\r")


def _whole_numbers(df):
    """Answers are whole numbers; write 4, not 4.0, keeping blanks for missing ones."""
    for col in df.columns:
        if df[col].dtype.kind == "f":
            vals = df[col].dropna()
            if len(vals) and (vals == vals.round()).all():
                df[col] = df[col].astype("Int64")
    return df


def escape_cells(df):
    """Prefix text cells that a spreadsheet would run as a formula with a quote.

    Only text is touched: numbers stay numbers, so a value of -1 is not mangled.
    """
    out = df.copy()
    for col in out.columns:
        if out[col].dtype.kind in "OSU" or str(out[col].dtype) in ("string", "str"):
            out[col] = out[col].map(
                lambda v: "'" + v if isinstance(v, str) and v.startswith(_RISKY) else v)
    return out


def _excel_safe(df):
    """Drop the control characters a worksheet cannot hold (openpyxl refuses the cell).

    Word's manual line break (\\x0b) pasted into a comment is the usual one. Done before
    escape_cells, so that "\\x01=cmd" cannot turn into an unescaped "=cmd".
    """
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    for col in df.columns:
        if df[col].dtype.kind in "OSU" or str(df[col].dtype) in ("string", "str"):
            df[col] = df[col].map(
                lambda v: ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v)
    return df


def wide_frame(long, instrument):
    """One row per submission; answers in ``item:facet`` columns, comments in ``item:comment``.

    Columns follow the instrument's order; comment columns appear only for items that have
    a comment somewhere, so a wide export stays readable.
    """
    import pandas as pd

    values = long.dropna(subset=["value"])
    grid = values.pivot_table(index="submission", columns=["item", "facet"], values="value",
                              aggfunc="first")
    cols = []
    for item in instrument.items:
        cols += [(item.id, f) for f in item.facets]
    grid = grid.reindex(columns=pd.MultiIndex.from_tuples(cols, names=["item", "facet"]))
    grid.columns = [f"{i}:{f}" for i, f in grid.columns]
    comments = long.dropna(subset=["comment"])
    if len(comments):
        notes = comments.pivot_table(index="submission", columns="item", values="comment",
                                     aggfunc="first")
        notes = notes[[i.id for i in instrument.items if i.id in notes.columns]]
        notes.columns = [f"{i}:comment" for i in notes.columns]
        grid = grid.join(notes)
    meta = long[META].drop_duplicates("submission").set_index("submission")
    out = meta.join(grid).reset_index()
    return out[META + [c for c in out.columns if c not in META]]


def with_submission_info(store, campaign: str, long):
    """``long`` with each submission's ``source_submitted_at`` (the survey tool's time of an
    imported answer, UTC) and ``flags`` (data quality flags, comma-separated) beside
    ``submitted_at``: an export imported again keeps both."""
    info = store.submission_info(campaign)[["submission", "source_submitted_at", "flags"]]
    info = info.assign(flags=info["flags"].map(",".join))
    out = long.merge(info, on="submission", how="left")
    out.attrs = long.attrs
    return out


def export(store, campaign: str, out: str | Path, *, format: str = "csv",
           wide: bool = False) -> Path:
    """Write the campaign's answers to ``out`` as CSV or Excel; returns the path written.

    Besides the answers, each row has the submission's ``submitted_at`` (its arrival in this
    store), ``source_submitted_at`` (the survey tool's time, for an import) and ``flags``
    (data quality flags); importing the file again keeps the last two. Timestamps are
    written in UTC (ISO 8601). Cells that start with ``=``, ``+``, ``-`` or
    ``@`` are escaped so that opening the file in a spreadsheet runs nothing.
    """
    from ..errors import FocuskitError

    if format not in FORMATS:
        raise FocuskitError(f"format must be one of {', '.join(FORMATS)}, not {format!r}")
    camp = store.campaign(campaign)
    long = with_submission_info(store, camp.id, store.responses(camp.id))
    df = wide_frame(long, camp.instrument) if wide else long
    df = df.assign(**{c: df[c].dt.strftime("%Y-%m-%dT%H:%M:%SZ") for c in TIMES})
    if format == "xlsx":
        df = _excel_safe(df)
    df = escape_cells(_whole_numbers(df))
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if format == "csv":
        # CRLF (RFC 4180): the csv module quotes only the terminator's characters, so with
        # "\n" a comment holding a bare "\r" was written unquoted and split its row.
        df.to_csv(out, index=False, lineterminator="\r\n")
    else:
        df.to_excel(out, index=False, sheet_name="answers"[:31], engine="openpyxl")
    return out
