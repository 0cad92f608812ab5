"""Imports of answers from CSV or Excel: all rows are stored, or none.

Three layouts are read:

* long: one row per answer, with columns ``item``, ``facet``, ``value`` and optionally
  ``submission`` (groups rows into submissions), ``respondent``, ``rater_group``,
  ``segment``, ``comment``;
* wide: one row per submission, answers in ``item:facet`` columns and comments in
  ``item:comment`` (focuskit's own wide export);
* a survey tool's wide export, with a YAML mapping file (see ``focuskit.io.readers.read_mapping``).

Every bad cell is reported as (row, column, value, reason), rows numbered as a spreadsheet
shows them (the header is row 1). Nothing is stored while anything is wrong. Importing the
same file twice stores nothing new: each submission's idempotency key is made from a hash of
the file and the submission's key.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import ImportFileError, StoreError
from ..instruments import RATER_GROUPS
from ..plain_text import text_problem
from .readers import num_text, read_mapping, read_table

__all__ = ["ImportResult", "import_file", "read_mapping", "read_table"]

LONG_META = {"submission", "respondent", "rater_group", "segment", "comment", "campaign",
             "submitted_at", "section"}
WIDE_META = {"submission", "respondent", "rater_group", "segment", "campaign", "submitted_at"}
_DECIMAL_COMMA = re.compile(r"^-?\d+,\d{1,2}$")
_BAD = object()  # a value already reported; counts as given so it is not also "missing"


@dataclass(frozen=True)
class ImportResult:
    created: int  # new submissions stored
    existing: int  # submissions this file had already stored before
    rows: int  # data rows read


def import_file(store, path: str | Path, campaign: str, *, mapping: str | Path | None = None,
                rater_group: str | None = None, segment: str | None = None,
                progress=None) -> ImportResult:
    """Validate every row of ``path``, then store its submissions, all of them or none.

    ``rater_group`` and ``segment`` apply to rows that do not give their own. Raises
    ImportFileError listing every bad cell (first 50, then a count); nothing is stored then.
    Every row is checked before anything is written; a large file is then written in short
    transactions (``Store.submit_many``), so respondents answering meanwhile are not held
    up, and ``progress(done, total)`` is called after each.
    """
    camp = store.campaign(campaign)
    path = Path(path)
    mp = read_mapping(mapping) if mapping is not None else None
    header, rows = read_table(path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:20]
    if mp is not None:
        rows = rows[mp.skip_rows:]
        rater_group = rater_group or mp.rater_group
        segment = segment or mp.segment
        source, header = header, [mp.columns.get(h, f"\x00ignored:{h}") for h in header]
        # Problems name the column as the user's file does: "Q3 (data:level)".
        shown = {m: f"{h} ({m})" for m, h in zip(header, source, strict=True) if m != h}
    default = {"rater_group": rater_group, "segment": segment}
    problems: list[tuple[int, str, str, str]] = []
    if not rows:
        raise ImportFileError(str(path), [(2, "", "", "no data rows below the header")])
    named = [h for h in header if h and not h.startswith("\x00ignored:")]
    if len(set(named)) != len(named):
        dup = sorted({h for h in named if named.count(h) > 1})
        problems.append((1, dup[0], "", "this column appears more than once"))
    if {"item", "facet", "value"} <= set(header):
        subs = _long(camp, header, rows, default, problems)
    else:
        subs = _wide(camp, header, rows, default, problems, values=mp.values if mp else {})
    if problems:
        if mp is not None:
            problems = [(n, shown.get(c, c), v, why) for n, c, v, why in problems]
        raise ImportFileError(str(path), sorted(problems, key=lambda p: p[0]))
    for s in subs:
        key = hashlib.sha256(s.pop("_key").encode("utf-8", "surrogatepass")).hexdigest()[:20]
        s["idempotency_key"] = f"import:{camp.id}:{digest}:{key}"
    firsts = [s.pop("_row") for s in subs]
    try:
        receipts = store.submit_many(camp.id, subs, label=lambda n: f"row {firsts[n]}",
                                     progress=progress)
    except StoreError as e:
        # The store's checks (text lengths, printable tokens) label problems "row N: ...".
        rows = [(int(m[1]), "", "", m[2]) if (m := re.match(r"row (\d+): (.*)", p, re.S))
                else (0, "", "", p) for p in e.problems or [str(e)]]
        raise ImportFileError(str(path), rows) from None
    created = sum(r.created for r in receipts)
    return ImportResult(created, len(receipts) - created, len(rows))


def _number(raw, values: dict[str, float]):
    if raw is None:
        return None, None
    if isinstance(raw, float):
        return raw, None
    s = raw.strip()
    if s.lower() in values:
        return values[s.lower()], None
    try:
        # "4,0" from a European spreadsheet is a decimal comma; "1,000" is not read as 1.
        x = float(s.replace(",", ".")) if _DECIMAL_COMMA.match(s) else float(s)
    except ValueError:
        return None, "not a number"
    if not math.isfinite(x):
        return None, "not a number"
    return x, None


def _check_value(camp, item, facet, raw, n, col, problems, values):
    inst = camp.instrument
    x, why = _number(raw, values)
    if why:
        problems.append((n, col, str(raw)[:80], why))
        return _BAD
    if x is None:
        return None
    scale = inst.facet(facet).scale
    if not scale.accepts(x):
        allowed = ", ".join(str(v) for v in scale.values)
        problems.append((n, col, _num_or_text(raw)[:80], f"not on the {facet} scale ({allowed})"))
        return _BAD
    return int(x)


def _meta(row: dict, n: int, camp, default: dict, problems) -> dict:
    group = row.get("rater_group") or default["rater_group"]
    seg = row.get("segment") or default["segment"]
    if group is None:
        problems.append((n, "rater_group", "", "no rater group: add a rater_group column or "
                                               "pass --rater-group"))
    elif group not in camp.rater_groups:
        reason = ("not a rater group" if group not in RATER_GROUPS
                  else f"this campaign asks {', '.join(camp.rater_groups)}")
        problems.append((n, "rater_group", str(group)[:80], reason))
    if seg is not None and camp.segments is not None and _num_or_text(seg) not in camp.segments:
        problems.append((n, "segment", _num_or_text(seg)[:80],
                         f"this campaign takes only {', '.join(camp.segments)}"))
    respondent = row.get("respondent")
    for col in ("respondent", "segment", "rater_group"):
        _text_ok(row.get(col), n, col, problems)
    return {"rater_group": group, "segment": None if seg is None else _num_or_text(seg),
            "respondent": None if respondent is None else _num_or_text(respondent)}


def _text_ok(value, n: int, col: str, problems) -> bool:
    """False (and a problem naming row, column and value) for text no database can store."""
    why = text_problem(value) if isinstance(value, str) else None
    if why:
        problems.append((n, col, ascii(value)[1:-1][:80], why))
    return why is None


def _num_or_text(v) -> str:
    return num_text(v) if isinstance(v, float) else str(v)


def _records(header, rows, problems):
    """(row number, {column: cell}) for each row with as many cells as the header."""
    for n, cells in rows:
        if len(cells) != len(header):
            problems.append((n, "", "", f"has {len(cells)} cells; the header has {len(header)}"))
            continue
        yield n, dict(zip(header, cells, strict=True))


def _long(camp, header, rows, default, problems) -> list[dict]:
    unknown = [h for h in header if h and h not in LONG_META | {"item", "facet", "value"}]
    for h in unknown:
        problems.append((1, h, "", "unknown column (long format expects item, facet, value, "
                                   "submission, respondent, rater_group, segment, comment)"))
    inst = camp.instrument
    items = {i.id: i for i in inst.items}
    groups: dict[str, dict] = {}
    for n, row in _records(header, rows, problems):
        key = row.get("submission") or row.get("respondent")
        if key is None:
            problems.append((n, "submission", "", "each row needs a submission or respondent "
                                                  "to group answers into submissions"))
            continue
        key = _num_or_text(key)
        sub = groups.get(key)
        if sub is None:
            sub = groups[key] = {**_meta(row, n, camp, default, problems), "answers": {},
                                 "_key": key, "_row": n}
        else:
            here = _meta(row, n, camp, default, [])
            for col in ("rater_group", "segment", "respondent"):
                if here[col] != sub[col]:
                    problems.append((n, col, str(row.get(col) or "")[:80],
                                     f"differs from row {sub['_row']} of the same submission"))
        item_id, facet = row.get("item"), row.get("facet")
        item_id = None if item_id is None else _num_or_text(item_id)
        if item_id not in items:
            problems.append((n, "item", str(item_id)[:80], f"no such item in {inst.id}"))
            continue
        if facet not in items[item_id].facets:
            problems.append((n, "facet", str(facet)[:80],
                             f"{item_id} asks {', '.join(items[item_id].facets)}"))
            continue
        slot = sub["answers"].setdefault(item_id, {})
        if facet in slot:
            problems.append((n, "facet", facet, f"{item_id}.{facet} answered twice in this "
                                                "submission"))
            continue
        value = _check_value(camp, item_id, facet, row.get("value"), n, "value", problems, {})
        if value is not None:
            slot[facet] = value
        if row.get("comment") is not None and _text_ok(row["comment"], n, "comment", problems):
            slot["comment"] = _num_or_text(row["comment"])
    subs = list(groups.values())
    _required(camp, subs, problems)
    return subs


def _wide(camp, header, rows, default, problems, values) -> list[dict]:
    inst = camp.instrument
    items = {i.id: i for i in inst.items}
    answer_cols = {}
    for h in header:
        if h in WIDE_META or h.startswith("\x00ignored:") or not h:
            continue
        item_id, _, facet = h.partition(":")
        if item_id not in items:
            problems.append((1, h, "", f"no such item in {inst.id} (expected item:facet columns,"
                                       " or a long file with item, facet and value)"))
        elif facet != "comment" and facet not in items[item_id].facets:
            problems.append((1, h, "", f"{item_id} asks {', '.join(items[item_id].facets)}"))
        else:
            answer_cols[h] = (item_id, facet)
    if not answer_cols and not problems:
        problems.append((1, "", "", "no answer columns: expected item:facet columns, or item, "
                                    "facet and value columns"))
    subs = []
    seen: dict[str, int] = {}
    for n, row in _records(header, rows, problems):
        key = row.get("submission") or row.get("respondent")
        if key is not None:
            k = _num_or_text(key)
            if k in seen:
                col = "submission" if row.get("submission") is not None else "respondent"
                problems.append((n, col, k[:80], f"row {seen[k]} has the same {col}; "
                                                 "a wide file has one row per submission"))
            seen.setdefault(k, n)
        sub = {**_meta(row, n, camp, default, problems), "answers": {},
               "_key": _num_or_text(key) if key is not None else f"row{n}", "_row": n}
        for col, (item_id, facet) in answer_cols.items():
            raw = row.get(col)
            slot = sub["answers"].setdefault(item_id, {})
            if facet == "comment":
                if raw is not None and _text_ok(raw, n, col, problems):
                    slot["comment"] = _num_or_text(raw)
                continue
            value = _check_value(camp, item_id, facet, raw, n, col, problems, values)
            if value is not None:
                slot[facet] = value
        subs.append(sub)
    _required(camp, subs, problems)
    return subs


def _required(camp, subs, problems) -> None:
    inst = camp.instrument
    for sub in subs:
        for item in inst.items:
            if not item.required:
                continue
            given = sub["answers"].get(item.id, {})
            for f in item.facets:
                if inst.facet(f).required and f not in given:
                    problems.append((sub["_row"], f"{item.id}:{f}", "",
                                     "required answer missing"))
