"""Imports of answers from CSV or Excel: every row is checked, then the file is stored whole.

Three layouts are read:

* long: one row per answer, with columns ``item``, ``facet``, ``value`` and optionally
  ``submission`` (groups rows into submissions), ``respondent``, ``rater_group``,
  ``segment``, ``comment``;
* wide: one row per submission, answers in ``item:facet`` columns and comments in
  ``item:comment`` (focuskit's own wide export);
* a survey tool's export (Qualtrics, SurveyMonkey, Google Forms, Microsoft Forms,
  LimeSurvey, or any table) with a YAML mapping file (``focuskit.io.mapping``), as
  downloaded: the tool's header rows, unfinished and preview responses are understood.

Every bad cell is reported as (row, column, value, reason), rows numbered as a spreadsheet
shows them and columns named as the file names them. Nothing is stored while anything is
wrong. A respondent is known by their response id: importing a file again, or a cumulative
re-export, stores only the respondents not stored yet; a changed answer under a stored id is
reported, and replaces the stored submission only when asked (``replace=True``).
"""

from __future__ import annotations

import gc
import hashlib
import math
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from ..errors import ImportFileError, StoreError
from ..instruments import RATER_GROUPS
from ..plain_text import text_problem
from ..store.checks import FLAGS, MAX_COMMENT, MAX_SEGMENT, MAX_TOKEN
from .formats import LAYOUTS, Sheet, detect_format, parse_time, preview, sheet, unfinished
from .mapping import Mapping, read_mapping
from .quality import flags as quality_flags
from .readers import num_text, read_rows, read_table

__all__ = ["ImportResult", "import_file", "read_mapping", "read_table"]

# focuskit's own exports also carry source_submitted_at and flags: kept when imported again.
LONG_META = {"submission", "respondent", "rater_group", "segment", "comment", "campaign",
             "submitted_at", "section", "source_submitted_at", "flags"}
WIDE_META = {"submission", "respondent", "rater_group", "segment", "campaign", "submitted_at",
             "started_at", "duration", "source_submitted_at", "flags"}
PREVIEW_ROWS = 3
MAX_PROBLEMS = 10_000  # a file with more is refused without checking the rest
_DECIMAL_COMMA = re.compile(r"^-?\d+,\d{1,2}$")
_BAD = object()  # a value already reported; counts as given so it is not also "missing"
_IGNORED = "\x00ignored:"


@dataclass(frozen=True)
class ImportResult:
    """What an import stored (or, for a dry run, would store), and why rows were left out."""

    created: int  # new submissions stored (a dry run: that would be stored)
    existing: int  # rows whose respondent was already stored
    rows: int  # data rows read
    format: str | None = field(default=None, compare=False)  # the layout read
    detected: bool = field(default=False, compare=False)  # the format was assumed, not given
    checked: bool = field(default=False, compare=False)  # a dry run: nothing was stored
    skipped: tuple = field(default=(), compare=False)  # (row, why): unfinished, incomplete
    dropped: tuple = field(default=(), compare=False)  # (row, why): previews, keep/drop
    changed: tuple = field(default=(), compare=False)  # (row, respondent, [changes])
    replaced: int = field(default=0, compare=False)
    flagged: tuple = field(default=(), compare=False)  # (row, respondent, flags)
    preview: tuple = field(default=(), compare=False)  # (row, {"item:facet": value})

    def describe(self, campaign: str | None = None) -> list[str]:
        """The report as lines of plain text (the CLI prints them; the admin page shows them)."""
        out = []
        if self.format:
            how = ("assumed from the file's header; write format: "
                   f"{self.format} in the mapping to say so") if self.detected else "as given"
            out.append(f"Format: {self.format} ({how}).")
        into = f" into {campaign}" if campaign else ""
        if self.checked:
            out.append(f"Would import {self.created} new submission(s) from {self.rows} row(s)"
                       f"{into}; {self.existing} were already imported.")
        else:
            out.append(f"Imported {self.created} new submission(s) from {self.rows} row(s)"
                       f"{into}; {self.existing} were already imported.")
        for title, rows in (("Skipped", self.skipped), ("Left out", self.dropped)):
            if rows:
                out.append(f"{title} {len(rows)} row(s):")
                out += [f"  row {n}: {why}" for n, why in rows[:50]]
                if len(rows) > 50:
                    out.append(f"  ... and {len(rows) - 50} more")
        if self.changed:
            done = "replaced" if self.replaced else "kept as stored (use --replace to replace)"
            out.append(f"{len(self.changed)} respondent(s) already stored answered "
                       f"differently in this file; {done}:")
            out += [f"  row {n} ({who}): {'; '.join(ch[:5])}" for n, who, ch in self.changed[:50]]
        if self.flagged:
            out.append(f"Flagged {len(self.flagged)} row(s) (kept, with the flag; filter on "
                       "Store.submission_info):")
            out += [f"  row {n} ({who}): {', '.join(f)}" for n, who, f in self.flagged[:50]]
        if self.preview and self.checked:
            out.append("First rows as answers:")
            out += [f"  row {n}: " + ", ".join(f"{k}={v}" for k, v in answers.items())
                    for n, answers in self.preview]
        return out


def import_file(store, source: str | Path | bytes, campaign: str, *,
                mapping: str | Path | bytes | Mapping | None = None, name: str | None = None,
                mapping_name: str | None = None, rater_group: str | None = None,
                segment: str | None = None, format: str | None = None, check: bool = False,
                replace: bool = False, counted_with=None, progress=None) -> ImportResult:
    """Validate every row of ``source`` (a path, or bytes named ``name``), then store it whole.

    ``mapping`` is a YAML mapping file (path, bytes named ``mapping_name``, or a Mapping);
    ``format`` overrides its ``format`` key. ``rater_group`` and ``segment`` apply to rows
    that do not give their own. ``check=True`` is a dry run: the report, nothing stored.
    ``replace=True`` replaces stored submissions whose respondent answered differently, in one
    transaction, as new arrivals; ``counted_with`` (``analysis.anonymity.counted_with``,
    required then) works out whom the old answers were counted with, to withhold them as an
    erasure does (``Store.replace_submissions``). Raises ImportFileError listing every bad
    cell (first 50, then a count); nothing is stored then. A large file is written in short
    transactions (``Store.submit_many``), so respondents answering meanwhile are not held up;
    ``progress(done, total)`` is called after each. Should a later one fail, the chunks
    already in are taken back as an erasure would (with ``counted_with``), or kept and said
    so in the error (without it), never deleted silently.
    """
    with _no_gc():
        return _import(store, source, campaign, mapping=mapping, name=name,
                       mapping_name=mapping_name, rater_group=rater_group, segment=segment,
                       format=format, check=check, replace=replace, counted_with=counted_with,
                       progress=progress)


@contextmanager
def _no_gc():
    """Python's cycle collector paused while a file is read, checked and stored: an import
    makes millions of small objects (cells, answers, rows), none in a cycle, and the
    collector walked all of them again and again (a quarter of the reading and checking)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _import(store, source, campaign: str, *, mapping, name, mapping_name, rater_group,
            segment, format, check, replace, counted_with, progress) -> ImportResult:
    camp = store.campaign(campaign)
    label = name or (str(source) if not isinstance(source, (bytes, bytearray)) else "upload")
    if mapping is not None and not isinstance(mapping, Mapping):
        mapping = read_mapping(mapping, mapping_name)
    rows = read_rows(source, label)
    fmt, detected = format or (mapping.format if mapping else None), False
    if fmt is not None and fmt not in LAYOUTS:
        raise ImportFileError(label, [(0, "", fmt, f"not a format ({', '.join(LAYOUTS)})")])
    if fmt is None and mapping is not None:
        fmt = detect_format(rows)
        detected = fmt is not None
    layout = LAYOUTS.get(fmt) if fmt else None
    sh = sheet(rows, layout, mapping.skip_rows if mapping else None)
    problems: list[tuple[int, str, str, str]] = []
    if not sh.rows:
        raise ImportFileError(label, [(len(rows) + 1, "", "", "no data rows below the header")])
    run = _Run(camp, sh, mapping or Mapping(), problems,
               {"rater_group": rater_group or (mapping.rater_group if mapping else None),
                "segment": segment or (mapping.segment if mapping else None)})
    subs = run.build(plain=mapping is None)
    if problems:
        raise ImportFileError(label, sorted(problems, key=lambda p: p[0])[:MAX_PROBLEMS + 1])
    digest = None
    for s in subs:
        ident = s.pop("_id")
        if ident is None and digest is None:  # no id: known by the file and its row
            digest = hashlib.sha256(repr(rows).encode("utf-8", "surrogatepass")).hexdigest()[:20]
        s["idempotency_key"] = (f"import:{camp.id}:{_hash(ident)}" if ident is not None
                                else f"import:{camp.id}:{digest}:row{s['_row']}")
    stored = store.stored_by_key(camp.id, [s["idempotency_key"] for s in subs])
    new, changed, same = [], [], 0
    for s in subs:
        old = stored.get(s["idempotency_key"])
        if old is None:
            new.append(s)
        elif _differences(old, s):
            changed.append(s)
        else:
            same += 1
    result = dict(format=fmt, detected=detected, skipped=tuple(run.skipped),
                  dropped=tuple(run.dropped),
                  changed=tuple((s["_row"], s["_who"], _differences(stored[s["idempotency_key"]],
                                                                    s)) for s in changed),
                  flagged=tuple((s["_row"], s["_who"], tuple(s["flags"].split(",")))
                                for s in subs if s.get("flags")),
                  preview=tuple((s["_row"], _flat(s["answers"])) for s in subs[:PREVIEW_ROWS]))
    if check:
        return ImportResult(len(new), same + len(changed), len(sh.rows), checked=True, **result)
    firsts = [s["_row"] for s in new]
    for s in subs:
        s.pop("_row"), s.pop("_who")
    try:
        replaced = 0
        if replace and changed:
            if counted_with is None:
                raise ValueError("replacing stored answers needs the disclosure rule: pass "
                                 "counted_with=focuskit.analysis.anonymity.counted_with")
            olds = {stored[s["idempotency_key"]]["submission"] for s in changed}
            others = counted_with(store.responses(camp.id), olds) - olds
            store.replace_submissions(camp.id, changed, withhold=others)
            replaced = len(changed)
        receipts = store.submit_many(camp.id, new, label=lambda n: f"row {firsts[n]}",
                                     progress=progress, counted_with=counted_with) if new else []
    except StoreError as e:
        # The checks above name the column; this is the store's last word on anything else.
        bad = [(int(m[1]), "", "", m[2]) if (m := re.match(r"row (\d+): (.*)", p, re.S))
               else (0, "", "", p) for p in e.problems or [str(e)]]
        raise ImportFileError(label, bad) from None
    created = sum(r.created for r in receipts)
    return ImportResult(created, same + len(changed) + len(receipts) - created, len(sh.rows),
                        replaced=replaced, **result)


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:24]


def _flat(answers: dict) -> dict:
    return {f"{i}:{f}": (v if f == "comment" else int(v)) for i, given in answers.items()
            for f, v in given.items()}


def _differences(old: dict, new: dict) -> list[str]:
    """What a stored submission and a row of the file disagree on, as "item:facet a → b"."""
    out = []
    for col in ("rater_group", "segment"):
        if old[col] != new.get(col):
            out.append(f"{col} {old[col]} → {new.get(col)}")
    a, b = _flat(old["answers"]), _flat({i: {f: v for f, v in g.items() if v is not None}
                                         for i, g in new["answers"].items()})
    for k in sorted(set(a) | set(b)):
        if a.get(k) != b.get(k):
            out.append(f"{k} {a.get(k, '(none)')} → {b.get(k, '(none)')}")
    return out


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
        known = ", ".join(sorted(values)[:8])
        return None, "not a number" + (f" nor an answer in values ({known})" if known else "")
    if not math.isfinite(x):
        return None, "not a number"
    return x, None


def _num_or_text(v) -> str:
    return num_text(v) if isinstance(v, float) else str(v)


class _Run:
    """One import's reading of the rows: filters, recoding, checks, and what was left out."""

    def __init__(self, camp, sh: Sheet, mp: Mapping, problems: list, default: dict):
        self.camp, self.sh, self.mp, self.problems, self.default = camp, sh, mp, problems, default
        self.skipped: list[tuple[int, str]] = []
        self.dropped: list[tuple[int, str]] = []
        layout = sh.layout
        zone = mp.timezone or sh.timezone or "UTC"
        try:
            self.zone = ZoneInfo(zone)
        except (ValueError, KeyError, OSError):
            self.zone = ZoneInfo("UTC")
        self.times = layout.times if layout else ()
        self._seen: dict = {}

    def problem(self, n: int, col: int | str | None, value, why: str) -> None:
        name = col if isinstance(col, str) else ("" if col is None else self.shown[col])
        # A value that cannot be shown as it is (a control character) is shown escaped.
        v = "" if value is None else ascii(value)[1:-1] if isinstance(value, str) and (
            text_problem(value) or not value.isprintable()) else _num_or_text(value)
        self.problems.append((n, name, v[:80], why))

    def find_all(self) -> dict[str, int]:
        """Every column name the mapping uses, found in the file (else a problem naming it)."""
        mp, sh = self.mp, self.sh
        where = {}
        named = [("columns", c) for c in mp.columns] + [("keep", c) for c in mp.keep] + \
            [("drop", c) for c in mp.drop] + [("recode", c) for c in mp.recode] + \
            [("values", c) for c in mp.column_values]
        for key, name in named:
            i = sh.find(name)
            if name in sh.twice:
                where_ = ", ".join(str(k + 1) for k in sh.twice[name][:5])
                self.problems.append((1, name[:80], "", f"{key}: the file has "
                                                       f"{len(sh.twice[name])} columns named "
                                                       f"{name[:80]!r} (columns {where_}): "
                                                       "rename all but one"))
            elif i is None:
                close = ", ".join(repr(c) for c in sh.closest(name))
                self.problems.append((1, name[:80], "", f"{key}: no column {name[:80]!r} in "
                                                        f"the file; closest: {close}"))
            else:
                where[name] = i
        return where

    def build(self, plain: bool) -> list[dict]:
        sh, mp = self.sh, self.mp
        names = sh.names
        self.shown = list(names)
        self.where: dict[str, int] = {}
        if plain:  # focuskit's own long or wide file: the header names items and facets
            targets = {i: h for i, h in enumerate(names) if h}
        else:
            where = self.find_all()
            targets = {where[c]: t for c, t in mp.columns.items() if c in where}
            layout = sh.layout
            for role in ("submitted_at", "started_at", "duration"):
                col = getattr(layout, role, None) if layout else None
                if col and role not in targets.values() and col in sh.aliases:
                    targets[sh.aliases[col]] = role
            for i, t in targets.items():
                if t != names[i]:
                    self.shown[i] = f"{names[i]} ({t})"
            self.where = where
        self.recode_at = {self.where[c]: t for c, t in mp.recode.items() if c in self.where}
        self.values_at = {self.where[c]: {**mp.values, **t} for c, t in mp.column_values.items()
                          if c in self.where}
        ids = [sh.aliases[c] for c in (sh.layout.ids if sh.layout else ()) if c in sh.aliases]
        self.id_col = next((i for t in ("submission", "respondent")
                            for i, x in targets.items() if x == t), ids[0] if ids else None)
        header = [targets.get(i, _IGNORED + names[i]) for i in range(len(names))]
        self.column_of = {h: i for i, h in enumerate(header)}
        dup = [h for h in header if h and not h.startswith(_IGNORED)]
        for h in sorted({h for h in dup if dup.count(h) > 1}):
            cols = [self.shown[i] for i, x in enumerate(header) if x == h]
            self.problems.append((1, h, "", "this column appears more than once" if plain else
                                  f"{len(cols)} columns map to it: {', '.join(cols[:5])}"))
        if {"item", "facet", "value"} <= set(header):
            return self._long(header)
        return self._wide(header, targets, plain)

    # -- rows ---------------------------------------------------------------------------------
    def _rows(self, width: int):
        """(row number, cells) for each row with as many cells as the header, filtered."""
        mp, sh = self.mp, self.sh
        for n, cells in sh.rows:
            if len(self.problems) >= MAX_PROBLEMS:
                # A file wrong throughout (or made to be) is refused at once, not after
                # listing every cell: what is listed is the start of the file.
                self.problems.append((n, "", "", f"checking stopped at row {n}, after "
                                                 f"{MAX_PROBLEMS:,} problems; fix those and "
                                                 "import again"))
                return
            if len(cells) != width:
                # Trailing blank cells that some tools add or leave off are not a problem.
                if len(cells) > width and all(c is None for c in cells[width:]):
                    cells = cells[:width]
                elif len(cells) < width and not any(self.shown[len(cells):]):
                    cells = [*cells, *[None] * (width - len(cells))]  # only unnamed columns
                elif len(cells) < width:
                    lacks = self.shown[len(cells)] or f"column {len(cells) + 1}"
                    self.problems.append((n, lacks[:80], "",
                                          f"has {len(cells)} cells; the header has "
                                          f"{width} (no cell for {lacks[:60]} and after)"))
                    continue
                else:
                    self.problems.append((n, f"column {width + 1}", _num_or_text(cells[width])
                                          [:80], f"has {len(cells)} cells; the header has "
                                                 f"{width} (a cell holding the delimiter "
                                                 "without quotes?)"))
                    continue
            why = preview(sh.layout, sh, cells)
            if why:
                self.dropped.append((n, why))
                continue
            why = self._filtered(cells)
            if why:
                self.dropped.append((n, why))
                continue
            why = unfinished(sh.layout, sh, cells)
            if why:
                if mp.incomplete == "skip":
                    self.skipped.append((n, why))
                else:
                    col = sh.aliases[sh.layout.unfinished]
                    self.problem(n, col, cells[col], f"{why}; add 'incomplete: skip' to the "
                                                     "mapping to leave such rows out")
                continue
            yield n, cells

    def _filtered(self, cells) -> str | None:
        for key, table in (("keep", self.mp.keep), ("drop", self.mp.drop)):
            for name, wanted in table.items():
                i = self.where.get(name)
                if i is None:
                    continue
                v = cells[i]
                text = "" if v is None else _num_or_text(v)
                hit = text in wanted
                if key == "keep" and not hit:
                    return f"keep: {name} = {text!r} is not one of {', '.join(wanted)}"
                if key == "drop" and hit:
                    return f"drop: {name} = {text!r}"
        return None

    def _recoded(self, n: int, i: int, v):
        table = self.recode_at.get(i)
        if table is None or v is None:
            return v
        text = _num_or_text(v)
        if text in table:
            return table[text]
        self.problem(n, i, v, f"not a code in recode ({', '.join(list(table)[:10])})")
        return _BAD

    def _values(self, i: int) -> dict[str, float]:
        return self.values_at.get(i, self.mp.values)

    def _time(self, n: int, i: int, v):
        if v is None:
            return None
        moment = parse_time(v, self.times, self.zone)
        if moment is None:
            self.problem(n, i, v, "not a date and time this file's format writes")
            return _BAD
        return moment

    def _meta(self, n: int, row: dict, cols: dict) -> dict:
        camp = self.camp
        group = row.get("rater_group") or self.default["rater_group"]
        seg = row.get("segment") or self.default["segment"]
        if group is _BAD or seg is _BAD:
            return {"rater_group": None, "segment": None, "respondent": None}
        gcol = cols.get("rater_group", "rater_group")
        scol = cols.get("segment", "segment")
        if group is None:
            self.problem(n, gcol, None, "no rater group: add a rater_group column or pass "
                                        "--rater-group")
        elif group not in camp.rater_groups:
            reason = ("not a rater group" if group not in RATER_GROUPS
                      else f"this campaign asks {', '.join(camp.rater_groups)}")
            self.problem(n, gcol, group, reason)
        if seg is not None:
            seg = _num_or_text(seg)
            if len(seg) > MAX_SEGMENT:
                self.problem(n, scol, seg, f"a segment has at most {MAX_SEGMENT} characters; "
                                           f"this one has {len(seg)}")
            elif text_problem(seg):
                self.problem(n, scol, seg, text_problem(seg))
            elif camp.segments is not None and seg not in camp.segments:
                self.problem(n, scol, seg, f"this campaign takes only "
                                           f"{', '.join(camp.segments)}")
        respondent = row.get("respondent")
        if respondent is not None:
            respondent = _num_or_text(respondent)
            rcol = cols.get("respondent", "respondent")
            if len(respondent) > MAX_TOKEN:
                self.problem(n, rcol, respondent, f"a respondent code has at most {MAX_TOKEN} "
                                                  f"characters; this one has {len(respondent)}")
            elif text_problem(respondent) or not respondent.isprintable():
                self.problem(n, rcol, respondent, text_problem(respondent)
                             or "holds a control character")
        return {"rater_group": group, "segment": seg, "respondent": respondent}

    def _comment(self, n: int, col, raw) -> str | None:
        text = _num_or_text(raw)
        if len(text) > MAX_COMMENT:
            self.problem(n, col, text[:40] + "…", f"the comment has {len(text)} characters; "
                                                  f"at most {MAX_COMMENT}")
            return None
        if why := text_problem(text):
            self.problem(n, col, text, why)
            return None
        return text

    def _value(self, n: int, col, facet: str, raw, values):
        # A column holds a handful of distinct answers: read each once (a third of the time
        # of a 100,000-row import went to reading "3" again).
        key = (col, raw)
        got = self._seen.get(key)
        if got is None:
            got = self._seen[key] = self._read_value(facet, raw, values)
        value, why = got
        if why:
            self.problem(n, col, raw, why)
        return value

    def _read_value(self, facet: str, raw, values):
        x, why = _number(raw, values)
        if why:
            return _BAD, why
        if x is None:
            return None, None
        scale = self.camp.instrument.facet(facet).scale
        if not scale.accepts(x):
            allowed = ", ".join(str(v) for v in scale.values)
            return _BAD, f"not on the {facet} scale ({allowed})"
        return int(x), None

    def _ident(self, n: int, cells: list) -> str | None:
        if self.id_col is not None:
            v = cells[self.id_col]
            return None if v is None else "id:" + _num_or_text(v)
        if self.sh.layout is not None:  # an export without ids (Google Forms): the whole row
            return "row:" + "\x1f".join("" if c is None else _num_or_text(c) for c in cells)
        return None

    def _wide(self, header: list[str], targets: dict[int, str], plain: bool) -> list[dict]:
        inst = self.camp.instrument
        items = {i.id: i for i in inst.items}
        answer_cols, meta_cols = {}, {}
        for i, h in enumerate(header):
            if h.startswith(_IGNORED) or not h:
                continue
            if h in WIDE_META:
                meta_cols[h] = i
                continue
            item_id, _, facet = h.partition(":")
            if item_id not in items:
                self.problem(1, i, None, f"no such item {item_id!r} in {inst.id} (expected "
                                         "item:facet columns, or a long file with item, facet "
                                         "and value)")
            elif facet != "comment" and facet not in items[item_id].facets:
                self.problem(1, i, None, f"{item_id} asks {', '.join(items[item_id].facets)}")
            else:
                answer_cols[i] = (item_id, facet)
        if not answer_cols and not self.problems:
            self.problems.append((1, "", "", "no answer columns: expected item:facet columns, "
                                             "or item, facet and value columns"))
        subs, durations, seen, occurrences = [], [], {}, {}
        plan = [(i, item_id, facet, self._values(i), {})
                for i, (item_id, facet) in answer_cols.items()]
        for n, cells in self._rows(len(header)):
            row = {}
            for h, i in meta_cols.items():
                v = cells[i]
                if h in ("rater_group", "segment"):
                    v = self._recoded(n, i, v)
                elif h in ("submitted_at", "started_at", "source_submitted_at"):
                    v = self._time(n, i, v)
                elif h == "flags":
                    v = self._flags(n, i, v)
                elif h == "duration" and v is not None:
                    x, _ = _number(v, {})
                    v = x if x is not None else self.problem(n, i, v, "not a number of "
                                                                      "seconds") or _BAD
                row[h] = v
            ident = self._ident(n, cells)
            if ident is not None:
                if ident.startswith("row:"):  # identical rows: the k-th of them is its own
                    k = occurrences[ident] = occurrences.get(ident, 0) + 1
                    ident += f"\x1f{k}"
                elif ident in seen:
                    self.problem(n, self.id_col, ident[3:], f"row {seen[ident]} has the same "
                                                            "id; a respondent answers once")
                seen.setdefault(ident, n)
            sub = {**self._meta(n, row, meta_cols), "answers": {}, "_id": ident, "_row": n,
                   "_who": ident[3:40] if ident and ident.startswith("id:") else f"row {n}"}
            self._times(sub, row)
            took = row.get("duration")
            if took in (None, _BAD) and row.get("submitted_at") not in (None, _BAD) \
                    and row.get("started_at") not in (None, _BAD):
                took = (row["submitted_at"] - row["started_at"]).total_seconds()
            durations.append(None if took is _BAD else took)
            answers = sub["answers"]
            for i, item_id, facet, values, read in plan:
                raw = cells[i]
                if raw is None:  # unanswered: _complete finds it missing if it is required
                    continue
                slot = answers.get(item_id)
                if slot is None:
                    slot = answers[item_id] = {}
                if facet == "comment":
                    if (text := self._comment(n, i, raw)) is not None:
                        slot["comment"] = text
                    continue
                # A column holds a handful of distinct answers: each is read once (a third
                # of the time of a 100,000-row import went to reading "3" again).
                got = read.get(raw)
                if got is None:
                    got = read[raw] = self._read_value(facet, raw, values)
                if got[1]:
                    self.problem(n, i, raw, got[1])
                if got[0] is not None:
                    slot[facet] = got[0]
            subs.append(sub)
        return self._complete(subs, durations)

    @staticmethod
    def _times(sub: dict, row: dict) -> None:
        """The tool's times of a submission: its submitted_at, unless the file is a focuskit
        export, whose source_submitted_at is the tool's time (submitted_at: its arrival)."""
        source = "source_submitted_at" if "source_submitted_at" in row else "submitted_at"
        for key, to in ((source, "source_submitted_at"), ("started_at", "started_at")):
            if row.get(key) not in (None, _BAD):
                sub[to] = row[key]
        if row.get("flags") not in (None, _BAD):
            sub["_flags"] = row["flags"]

    def _flags(self, n: int, col, raw):
        """A focuskit export's flags cell, as a tuple of known flag names."""
        if raw is None:
            return None
        given = tuple(f.strip() for f in _num_or_text(raw).split(",") if f.strip())
        unknown = [f for f in given if f not in FLAGS]
        if unknown:
            self.problem(n, col, raw, f"not a data quality flag ({', '.join(FLAGS)})")
            return _BAD
        return given

    def _complete(self, subs: list[dict], durations: list) -> list[dict]:
        """Rows missing a required answer: problems (refuse) or left out and listed (skip)."""
        inst = self.camp.instrument
        required = [(item.id, f) for item in inst.items if item.required
                    for f in item.facets if inst.facet(f).required]
        kept, kept_durations = [], []
        empty: dict = {}
        for sub, took in zip(subs, durations, strict=True):
            answers = sub["answers"]
            missing = [f"{i}:{f}" for i, f in required if f not in answers.get(i, empty)]
            for slot in sub["answers"].values() if self.problems else ():
                # values already reported count as given (and the file is refused)
                for f in [f for f, v in slot.items() if v is _BAD]:
                    del slot[f]
            if missing and self.mp.incomplete == "skip":
                self.skipped.append((sub["_row"], "required answer missing: "
                                                  + ", ".join(missing)))
                continue
            hint = (" (add 'incomplete: skip' to the mapping to leave such rows out)"
                    if self.mp.columns else "")
            for m in missing:
                i = self.column_of.get(m)
                self.problems.append((sub["_row"], m if i is None else self.shown[i], "",
                                      "required answer missing" + hint))
            sub["answers"] = {i: g for i, g in sub["answers"].items() if g}
            kept.append(sub)
            kept_durations.append(took)
        for sub, found in zip(kept, quality_flags(kept, kept_durations), strict=True):
            # An exported flag the file cannot show again (speeder: no durations) is kept.
            given = sub.pop("_flags", ())
            found = [f for f in FLAGS if f in found or f in given]
            if found:
                sub["flags"] = ",".join(found)
        self.skipped.sort()
        return kept

    def _long(self, header: list[str]) -> list[dict]:
        inst = self.camp.instrument
        items = {i.id: i for i in inst.items}
        for i, h in enumerate(header):
            if h and not h.startswith(_IGNORED) and h not in LONG_META | {"item", "facet",
                                                                           "value"}:
                self.problem(1, i, None, "unknown column (long format expects item, facet, "
                                         "value, submission, respondent, rater_group, segment, "
                                         "comment)")
        col = {h: i for i, h in enumerate(header)}
        groups: dict[str, dict] = {}
        for n, cells in self._rows(len(header)):
            row = {h: cells[i] for h, i in col.items() if not h.startswith(_IGNORED)}
            key = row.get("submission") or row.get("respondent")
            if key is None:
                self.problem(n, "submission", None, "each row needs a submission or respondent "
                                                    "to group answers into submissions")
                continue
            key = _num_or_text(key)
            sub = groups.get(key)
            if sub is None:
                sub = groups[key] = {**self._meta(n, row, col), "answers": {}, "_id": "id:" + key,
                                     "_row": n, "_who": key[:40]}
                times = {h: self._time(n, col[h], row[h]) for h in ("submitted_at",
                                                                    "source_submitted_at")
                         if h in row}
                if "flags" in row:
                    times["flags"] = self._flags(n, col["flags"], row["flags"])
                self._times(sub, times)
            else:
                saved, self.problems = self.problems, []
                here = self._meta(n, row, col)
                self.problems = saved
                for c in ("rater_group", "segment", "respondent"):
                    if here[c] != sub[c]:
                        self.problem(n, c, row.get(c) or "",
                                     f"differs from row {sub['_row']} of the same submission")
            item_id, facet = row.get("item"), row.get("facet")
            item_id = None if item_id is None else _num_or_text(item_id)
            if item_id not in items:
                self.problem(n, "item", item_id or "", f"no such item in {inst.id}")
                continue
            if facet not in items[item_id].facets:
                self.problem(n, "facet", facet or "", f"{item_id} asks "
                                                      f"{', '.join(items[item_id].facets)}")
                continue
            slot = sub["answers"].setdefault(item_id, {})
            if facet in slot:
                self.problem(n, "facet", facet, f"{item_id}.{facet} answered twice in this "
                                                "submission")
                continue
            value = self._value(n, "value", facet, row.get("value"), self.mp.values)
            if value is not None:
                slot[facet] = value
            if row.get("comment") is not None:
                text = self._comment(n, "comment", row["comment"])
                if text is not None:
                    slot["comment"] = text
        subs = list(groups.values())
        return self._complete(subs, [None] * len(subs))

