"""Checking answers against an instrument, before anything is written.

Answers come from widgets, imports and scripts, and a browser can send anything, so every
value is checked here in the store and not only in the questionnaire.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from itertools import repeat

from ..instruments import RATER_GROUPS, Instrument
from ..plain_text import text_problem

MAX_COMMENT = 2000
MAX_SEGMENT = 100
MAX_TOKEN = 128

#: One answer as stored: (item, facet, value or None, comment or None).
Row = tuple[str, str, "float | None", "str | None"]


def normalise(answers) -> tuple[dict[str, dict], list[str]]:
    """Accept ``{item: {facet: value, "comment": text}}`` or a list of answer records.

    Records are mappings with item, facet, value and optionally comment, or tuples
    ``(item, facet, value[, comment])``. Returns the mapping form and any shape problems.
    """
    problems: list[str] = []
    if isinstance(answers, Mapping):
        out = {}
        for item, facets in answers.items():
            if not isinstance(facets, Mapping):
                problems.append(f"{item}: expected a mapping of facet to value, "
                                f"got {type(facets).__name__}")
                continue
            # Read, never changed: no copy (an import checks 100,000 of these).
            out[item if type(item) is str else str(item)] = facets
        return out, problems
    if isinstance(answers, (str, bytes)) or not hasattr(answers, "__iter__"):
        return {}, [f"answers: expected a mapping or a list of records, got {type(answers).__name__}"]
    out: dict[str, dict] = {}
    for n, rec in enumerate(answers):
        if isinstance(rec, Mapping):
            item, facet, value, comment = (rec.get("item"), rec.get("facet"), rec.get("value"),
                                           rec.get("comment"))
        elif isinstance(rec, (tuple, list)) and len(rec) in (3, 4):
            item, facet, value, comment = (*rec, None)[:4]
        else:
            problems.append(f"answers[{n}]: expected (item, facet, value[, comment])")
            continue
        slot = out.setdefault(str(item), {})
        key = str(facet)
        if key in slot:
            problems.append(f"{item}.{facet}: answered twice")
        slot[key] = value
        if comment is not None:
            slot["comment"] = comment
    return out, problems


def check_answers(instrument: Instrument, answers, *, partial: bool = False
                  ) -> tuple[list[Row], list[str]]:
    """Rows to store and every problem found; required items are only enforced when complete.

    A value must be a whole number on its facet's scale; text such as "3" is refused here
    (imports convert text first), as are booleans, NaN and fractions.
    """
    mapping, problems = normalise(answers)
    known, scales, order = _plan(instrument)
    rows: list[Row] = []
    for item_id, given in mapping.items():
        item = known.get(item_id)
        if item is None:
            problems.append(f"{_short(item_id)}: no such item in {instrument.id} "
                            f"{instrument.version}")
            continue
        comment = given.get("comment")
        if comment is not None:
            if not isinstance(comment, str):
                problems.append(f"{item_id}: the comment must be text")
                comment = None
            elif len(comment) > MAX_COMMENT:
                problems.append(f"{item_id}: the comment has {len(comment)} characters; "
                                f"at most {MAX_COMMENT}")
                comment = None
            elif why := text_problem(comment):
                problems.append(f"{item_id}: the comment {why}")
                comment = None
            else:
                comment = comment.strip() or None
        item_rows = []
        for facet_id, value in given.items():
            if facet_id == "comment":
                continue
            if facet_id not in item.facets:
                problems.append(f"{item_id}: no facet {_short(facet_id)!r} "
                                f"(this item asks {', '.join(item.facets)})")
                continue
            if value is None:
                continue
            scale = scales[facet_id]
            if not scale.accepts(value):
                problems.append(f"{item_id}.{facet_id}: {_short(repr(value))} is not on the scale "
                                f"({_allowed(scale)})")
                continue
            item_rows.append((item_id, facet_id, float(value)))
        # The comment rides on the first facet in the instrument's order (the row responses()
        # lists first), not on whichever facet the caller happened to send first.
        if len(item_rows) > 1:
            item_rows.sort(key=lambda r: order[item_id][r[1]])
        for n, (i, f, v) in enumerate(item_rows):
            rows.append((i, f, v, comment if n == 0 else None))
        if comment and not item_rows:
            rows.append((item_id, item.facets[0], None, comment))
    if not partial:
        answered = {(r[0], r[1]) for r in rows if r[2] is not None}
        for item_id, facets in _required(instrument):
            if len(facets) == 1 and (item_id, facets[0]) in answered:
                continue  # the common case, without building a list
            missing = [f for f in facets if (item_id, f) not in answered]
            if missing:
                problems.append(f"{item_id}: required, no answer for {', '.join(missing)}")
    return rows, problems


def check_many(campaign, submissions, label) -> tuple[list, list[str]]:
    """Check a batch of submissions to ``campaign`` as ``submit`` would check each.

    Returns (submission, idempotency key or None, rows) for each good one and every problem
    (each prefixed with ``label(n)``). A batch of plain dicts is checked a column at a time
    first: each distinct rater group, segment, flag and answer once, lengths and characters
    of a whole column at once. Only when that finds nothing wrong is the batch taken on its
    strength; otherwise every submission is checked the long way, so that what is accepted
    and every message are those of ``check_respondent``, ``check_answers``, ``check_key`` and
    ``check_flags``. (Checked one by one, an import's 100,000 rows took a third of its
    reading time; the rows of one submission may come in another order, which nothing
    reads: each is its own answer.)
    """
    if len(submissions) > 1 and all(type(sub) is dict for sub in submissions):
        rows = _columns(campaign, submissions)
        if rows is not None:
            return [(sub, sub.get("idempotency_key"), r)
                    for sub, r in zip(submissions, rows, strict=True)], []
    prepared, problems = [], []
    inst = campaign.instrument
    for n, sub in enumerate(submissions):
        if not isinstance(sub, dict):
            problems.append(f"{label(n)}: expected a mapping with answers and rater_group")
            continue
        key = sub.get("idempotency_key")
        found = check_respondent(campaign, sub.get("rater_group"), sub.get("segment"),
                                 sub.get("respondent"))
        rows, bad = check_answers(inst, sub.get("answers"))
        found += bad + check_key(key) + check_flags(sub.get("flags"))
        if found:
            problems += [f"{label(n)}: {p}" for p in found]
        else:
            prepared.append((sub, key, rows))
    return prepared, problems


_TEXT = {str}
_TEXT_OR_NONE = {str, type(None)}
_NUMBER_OR_NONE = {int, float, type(None)}


def _good_texts(texts: list, most: int, *, blank: bool = True) -> bool:
    """Every one text of 1 to ``most`` characters, printable or storable, none blank unless
    ``blank``: judged on the column (a text is printable when all of them are)."""
    if not texts:
        return True
    lengths = set(map(len, texts))
    if min(lengths) < 1 or max(lengths) > most or text_problem("".join(texts)):
        return False
    return blank or all(map(str.strip, texts))


def _columns(campaign, subs: list[dict]) -> list[list[Row]] | None:
    """Each submission's rows when the whole batch is good, judged a column at a time; None
    when anything in it is wrong or unusual (then it is checked one by one)."""
    def column(dicts: list, key: str) -> list:  # map: no Python call per row
        if None in dicts:
            return [None if d is None else d.get(key) for d in dicts]
        return list(map(dict.get, dicts, repeat(key)))

    groups, segments, who, keys, flags, answers = (
        column(subs, k) for k in ("rater_group", "segment", "respondent", "idempotency_key",
                                  "flags", "answers"))
    if not (set(map(type, groups)) <= _TEXT and set(map(type, segments)) <= _TEXT_OR_NONE
            and set(map(type, who)) <= _TEXT_OR_NONE and set(map(type, keys)) <= _TEXT_OR_NONE
            and set(map(type, flags)) <= _TEXT_OR_NONE and set(map(type, answers)) == {dict}):
        return None
    if any(check_respondent(campaign, g, s, None) for g, s in set(zip(groups, segments, strict=True))) \
            or any(check_flags(f) for f in set(flags)):
        return None
    who = [w for w in who if w is not None]
    if not _good_texts(who, MAX_TOKEN, blank=False) or not "".join(who).isprintable():
        return None
    if not _good_texts([k for k in keys if k is not None], 200):
        return None
    inst = campaign.instrument
    known, scales, order = _plan(inst)
    given_items = set().union(*answers)
    if not given_items <= known.keys() or not set(map(type, given_items)) <= _TEXT:
        return None
    cols: list[list] = []  # per facet of each item: each submission's row or None
    required = dict(_required(inst))
    for item in inst.items:  # the instrument's order
        if item.id not in given_items:
            if item.id in required:
                return None
            continue
        given = column(answers, item.id)
        if not set(map(type, given)) <= {dict, type(None)}:
            return None
        present = [g for g in given if g is not None]
        facets = set().union(*present)
        if not facets <= {*item.facets, "comment"}:
            return None
        comments = column(given, "comment")
        texts = [c for c in comments if c is not None]
        if not set(map(type, texts)) <= _TEXT or not _good_texts(texts, MAX_COMMENT):
            return None
        comments = [c if c is None else c.strip() or None for c in comments] if texts \
            else comments
        waiting = comments  # the comment rides on the first facet answered
        for facet in item.facets:  # in the item's order, as check_answers sorts them
            values = column(given, facet)
            distinct = set(values)
            if not set(map(type, distinct)) <= _NUMBER_OR_NONE:
                return None
            distinct.discard(None)
            if not all(scales[facet].accepts(v) for v in distinct):
                return None
            if facet in required.get(item.id, ()) and None in set(values):
                return None
            as_float = {v: float(v) for v in distinct}
            cols.append([None if v is None else (item.id, facet, as_float[v], c)
                         for v, c in zip(values, waiting, strict=True)])
            if texts:
                waiting = [c if v is None else None for v, c in zip(values, waiting,
                                                                    strict=True)]
        if texts:  # a comment on an item left unanswered
            cols.append([(item.id, item.facets[0], None, c) if c else None for c in waiting])
    if not cols:
        return [[] for _ in subs]
    if any(None in col for col in cols):
        return [[r for r in rows if r is not None] for rows in zip(*cols, strict=True)]
    return [list(rows) for rows in zip(*cols, strict=True)]


_REQUIRED: dict[int, tuple] = {}
_PLANS: dict[int, tuple] = {}


def _plan(instrument: Instrument) -> tuple[dict, dict, dict]:
    """An instrument's items by id, scales by facet and facet order by item, worked out once
    per instrument (as ``_required``): building them for every one of an import's 100,000
    submissions was a fifth of the store's check."""
    got = _PLANS.get(id(instrument))
    if got is None or got[0] is not instrument:
        known = {i.id: i for i in instrument.items}
        scales = {f.id: f.scale for f in instrument.facets}
        order = {i.id: {f: n for n, f in enumerate(i.facets)} for i in instrument.items}
        got = _PLANS[id(instrument)] = (instrument, (known, scales, order))
        if len(_PLANS) > 64:
            _PLANS.pop(next(iter(_PLANS)))
    return got[1]


def _required(instrument: Instrument) -> list[tuple[str, list[str]]]:
    """(item, required facets) of an instrument's required items, worked out once per
    instrument: an import checks 100,000 submissions against the same one."""
    got = _REQUIRED.get(id(instrument))
    if got is None or got[0] is not instrument:
        pairs = [(item.id, [f for f in item.facets if instrument.facet(f).required])
                 for item in instrument.items if item.required]
        got = _REQUIRED[id(instrument)] = (instrument, [p for p in pairs if p[1]])
        if len(_REQUIRED) > 64:  # instruments are few; keep the table small all the same
            _REQUIRED.pop(next(iter(_REQUIRED)))
    return got[1]


def check_respondent(campaign, rater_group, segment, respondent) -> list[str]:
    problems = []
    if rater_group not in RATER_GROUPS:
        problems.append(f"rater group {_short(repr(rater_group))} is not one of "
                        f"{', '.join(RATER_GROUPS)}")
    elif rater_group not in campaign.rater_groups:
        problems.append(f"campaign {campaign.id!r} does not ask the {rater_group!r} group "
                        f"(it asks {', '.join(campaign.rater_groups)})")
    if segment is not None and (not isinstance(segment, str) or not segment.strip()
                                or len(segment) > MAX_SEGMENT):
        problems.append(f"segment must be non-empty text of at most {MAX_SEGMENT} characters")
    elif segment is not None and (why := text_problem(segment)):
        problems.append(f"segment {why}")
    elif segment is not None and campaign.segments is not None \
            and segment not in campaign.segments:
        # A fixed list keeps an invented segment from changing what the real ones show.
        problems.append(f"segment {_short(repr(segment))} is not one of the segments of "
                        f"campaign {campaign.id!r} ({', '.join(campaign.segments)})")
    if respondent is not None and (not isinstance(respondent, str) or not respondent.strip()
                                   or len(respondent) > MAX_TOKEN
                                   or not respondent.isprintable()):
        problems.append(f"respondent token must be printable text of at most {MAX_TOKEN} "
                        "characters")
    return problems


MAX_SEGMENTS = 200


def check_segment_list(segments) -> tuple[list[str] | None, list[str]]:
    """A campaign's fixed segments as a list (None: not fixed) and any problems with them.

    Takes a list or comma-separated text; blanks and repeats are dropped.
    """
    if segments is None:
        return None, []
    if isinstance(segments, str):
        segments = segments.split(",")
    try:
        items = list(segments)
    except TypeError:
        return None, ["segments must be a list of names or comma-separated text"]
    out, problems = [], []
    for s in items:
        if not isinstance(s, str):
            problems.append(f"segment {_short(repr(s))} must be text")
            continue
        s = s.strip()
        if not s:
            continue
        if len(s) > MAX_SEGMENT or not s.isprintable():
            problems.append(f"segment {_short(repr(s))} must be printable text of at most "
                            f"{MAX_SEGMENT} characters")
        elif s not in out:
            out.append(s)
    if not out and not problems:
        problems.append("segments: give at least one name, or none at all to take any segment")
    if len(out) > MAX_SEGMENTS:
        problems.append(f"segments: {len(out)} given; at most {MAX_SEGMENTS}")
    return out, problems


def read_segment_list(stored) -> tuple[str, ...] | None:
    """The stored form (JSON list or NULL) as a tuple or None."""
    if stored is None:
        return None
    return tuple(json.loads(stored))


def check_key(key) -> list[str]:
    """Problems with a caller's idempotency key (None is fine: one is made up)."""
    if key is None:
        return []
    if not isinstance(key, str) or not 0 < len(key) <= 200:
        return ["idempotency_key must be text of 1 to 200 characters"]
    why = text_problem(key)
    return [f"idempotency_key {why}"] if why else []


FLAGS = ("straight-lining", "speeder")


def check_flags(flags) -> list[str]:
    """Problems with a submission's data quality flags (comma-separated names from FLAGS)."""
    if flags is None or flags == "":
        return []
    if not isinstance(flags, str) or any(f not in FLAGS for f in flags.split(",")):
        return [f"flags must be comma-separated names from {', '.join(FLAGS)}"]
    return []


def check_text(**fields) -> list[str]:
    """Problems with free text a person typed (titles, owners), named by field.

    None and non-text values are left to the caller's own checks.
    """
    return [f"{name} {why}" for name, value in fields.items()
            if isinstance(value, str) and (why := text_problem(value))]


def _allowed(scale) -> str:
    if scale.kind == "choice":
        return ", ".join(f"{a.value} {a.label}" for a in scale.anchors)
    return f"whole numbers {scale.minimum} to {scale.maximum}"


def _short(text: str, n: int = 60) -> str:
    text = str(text)
    return text if len(text) <= n else text[: n - 1] + "…"
