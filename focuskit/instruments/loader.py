"""Reading item banks: YAML in, a validated Instrument out, or every problem with its path."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

from ..errors import InstrumentError
from ..names import slug
from ..plain_text import text_problem
from .model import RATER_GROUPS, Anchor, Facet, Instrument, Item, Scale, Section

__all__ = ["builtin_ids", "load_instrument", "parse_instrument", "prompts_from_text",
           "validate_file", "with_items"]

_ID = re.compile(r"^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$")
_INT_KEY = re.compile(r"-?[0-9]{1,18}")  # an anchor value that JSON turned into text
_MAX_TEXT = 2000


class _Checker:
    """Collects problems as 'path: what is wrong' instead of stopping at the first."""

    def __init__(self):
        self.problems: list[str] = []

    def bad(self, path: str, why: str) -> None:
        self.problems.append(f"{path}: {why}" if path else why)

    def mapping(self, value, path: str) -> dict | None:
        if not isinstance(value, dict):
            self.bad(path, f"expected a mapping of keys to values, got {_kind(value)}")
            return None
        return value

    def unknown_keys(self, data: dict, allowed: set[str], path: str) -> None:
        for k in data:
            if k not in allowed:
                self.bad(_join(path, str(k)), f"unknown key (allowed: {', '.join(sorted(allowed))})")

    def text(self, data: dict, key: str, path: str, required: bool = True) -> str | None:
        value = data.get(key)
        if value is None:
            if required:
                self.bad(_join(path, key), "is required")
            return None
        if not isinstance(value, str) or not value.strip():
            self.bad(_join(path, key), f"expected non-empty text, got {_kind(value)}")
            return None
        if len(value) > _MAX_TEXT:
            self.bad(_join(path, key), f"is {len(value)} characters; at most {_MAX_TEXT}")
        why = text_problem(value)
        if why:
            self.bad(_join(path, key), why)
            return None
        return value.strip()

    def ident(self, data: dict, key: str, path: str) -> str | None:
        value = self.text(data, key, path)
        if value is not None and not _ID.fullmatch(value):
            self.bad(_join(path, key), f"{value!r} is not a valid id (lowercase letters, digits, "
                                       "single '-' or '_' between them)")
            return None
        return value

    def flag(self, data: dict, key: str, path: str, default: bool) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.bad(_join(path, key), f"expected true or false, got {_kind(value)}")
            return default
        return value

    def listing(self, data: dict, key: str, path: str) -> list:
        value = data.get(key)
        if value is None:
            self.bad(_join(path, key), "is required")
            return []
        if not isinstance(value, list) or not value:
            self.bad(_join(path, key), f"expected a non-empty list, got {_kind(value)}")
            return []
        return value


def _kind(value) -> str:
    if value is None:
        return "nothing"
    return {dict: "a mapping", list: "a list", str: f"text {value!r}", bool: f"{value}"}.get(
        type(value), f"{type(value).__name__} {value!r}")


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _scale(c: _Checker, raw, path: str) -> Scale | None:
    data = c.mapping(raw, path)
    if data is None:
        return None
    c.unknown_keys(data, {"points", "anchors", "choices"}, path)
    if "choices" in data:
        if "points" in data or "anchors" in data:
            c.bad(path, "give either choices or points/anchors, not both")
        anchors = _anchors(c, data["choices"], _join(path, "choices"), None)
        if anchors is not None and len(anchors) < 2:
            c.bad(_join(path, "choices"), "needs at least two choices")
        return Scale("choice", tuple(anchors or ()), 0, 0) if anchors else None
    points = data.get("points")
    if isinstance(points, bool) or not isinstance(points, int) or not 2 <= points <= 11:
        c.bad(_join(path, "points"), f"expected a whole number from 2 to 11, got {_kind(points)}")
        return None
    anchors = _anchors(c, data.get("anchors", {}), _join(path, "anchors"), points)
    return Scale("rating", tuple(anchors or ()), 1, points)


def _anchors(c: _Checker, raw, path: str, points: int | None) -> list[Anchor] | None:
    data = c.mapping(raw, path)
    if data is None:
        return None
    out, keys, values = [], set(), set()
    for value, spec in data.items():
        here = _join(path, str(value))
        if isinstance(value, str) and _INT_KEY.fullmatch(value):  # JSON turns keys into text
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            c.bad(here, "anchor values must be whole numbers")
            continue
        if value in values:
            c.bad(here, f"value {value} is given twice")
            continue
        values.add(value)
        if points is not None and not 1 <= value <= points:
            c.bad(here, f"is outside the scale 1..{points}")
            continue
        if isinstance(spec, str):
            spec = {"label": spec}
        spec = c.mapping(spec, here)
        if spec is None:
            continue
        c.unknown_keys(spec, {"label", "description"}, here)
        label = c.text(spec, "label", here)
        desc = c.text(spec, "description", here, required=False)
        if label is None:
            continue
        anchor = Anchor(value, label, desc)
        if anchor.key in keys:
            c.bad(here, f"label {label!r} is used twice")
        keys.add(anchor.key)
        out.append(anchor)
    return sorted(out, key=lambda a: a.value)


def parse_instrument(data, source: str = "<instrument>") -> Instrument:
    """Validate a mapping (as loaded from YAML) and build the Instrument.

    Raises InstrumentError listing every problem as ``path: what is wrong``, with paths such
    as ``sections[2].items[4].levels.intense``.
    """
    c = _Checker()
    data = c.mapping(data, "")
    if data is None:
        raise InstrumentError(source, c.problems)
    c.unknown_keys(data, {"id", "version", "title", "description", "source", "minutes",
                          "audiences", "comment_label", "scale", "facets", "sections"}, "")
    iid = c.ident(data, "id", "")
    version = data.get("version")
    if isinstance(version, (int, float)) and not isinstance(version, bool):
        c.bad("version", f"write the version as quoted text, e.g. \"{version}\"")
        version = None
    else:
        version = c.text(data, "version", "")
    title = c.text(data, "title", "")
    description = c.text(data, "description", "", required=False) or ""
    cite = c.text(data, "source", "")
    comment_label = c.text(data, "comment_label", "", required=False) or "Comment (optional)"
    minutes = data.get("minutes")
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= 120:
        c.bad("minutes", f"expected whole minutes from 1 to 120, got {_kind(minutes)}")
    audiences = data.get("audiences", list(RATER_GROUPS))
    if not isinstance(audiences, list) or not audiences:
        c.bad("audiences", "expected a non-empty list of rater groups")
        audiences = list(RATER_GROUPS)
    for n, a in enumerate(audiences):
        if a not in RATER_GROUPS:
            c.bad(f"audiences[{n}]", f"{a!r} is not a rater group ({', '.join(RATER_GROUPS)})")

    scale = _scale(c, data["scale"], "scale") if "scale" in data else None
    if "scale" not in data:
        c.bad("scale", "is required")

    facets: list[Facet] = []
    for n, raw in enumerate(c.listing(data, "facets", "")):
        path = f"facets[{n}]"
        f = c.mapping(raw, path)
        if f is None:
            continue
        c.unknown_keys(f, {"id", "label", "required", "scale"}, path)
        fid, label = c.ident(f, "id", path), c.text(f, "label", path)
        fscale = _scale(c, f["scale"], _join(path, "scale")) if "scale" in f else scale
        if fid == "comment":
            c.bad(_join(path, "id"), "'comment' is reserved for the free-text box")
        elif fid and any(x.id == fid for x in facets):
            c.bad(_join(path, "id"), f"facet {fid!r} is defined twice")
        elif fid and label and fscale:
            facets.append(Facet(fid, label, fscale, c.flag(f, "required", path, True)))
    facet_ids = tuple(f.id for f in facets)

    sections: list[Section] = []
    seen_items: set[str] = set()
    seen_sections: set[str] = set()
    for s_n, raw in enumerate(c.listing(data, "sections", "")):
        path = f"sections[{s_n}]"
        s = c.mapping(raw, path)
        if s is None:
            continue
        c.unknown_keys(s, {"id", "title", "intro", "items"}, path)
        sid, stitle = c.ident(s, "id", path), c.text(s, "title", path)
        intro = c.text(s, "intro", path, required=False)
        if sid and sid in seen_sections:
            c.bad(_join(path, "id"), f"section {sid!r} is defined twice")
        seen_sections.add(sid)
        items = []
        for i_n, raw_item in enumerate(c.listing(s, "items", path)):
            item = _item(c, raw_item, f"{path}.items[{i_n}]", sid or "", facet_ids, scale)
            if item is None:
                continue
            if item.id in seen_items:
                c.bad(f"{path}.items[{i_n}].id", f"item {item.id!r} is used twice")
            seen_items.add(item.id)
            items.append(item)
        if sid and stitle:
            sections.append(Section(sid, stitle, tuple(items), intro))

    if c.problems:
        raise InstrumentError(source, c.problems)
    return Instrument(id=iid, version=version, title=title, source=cite, minutes=minutes,
                      scale=scale, facets=tuple(facets), sections=tuple(sections),
                      description=description, audiences=tuple(audiences),
                      comment_label=comment_label)


def _item(c: _Checker, raw, path: str, section: str, facet_ids, scale) -> Item | None:
    d = c.mapping(raw, path)
    if d is None:
        return None
    c.unknown_keys(d, {"id", "prompt", "required", "facets", "levels"}, path)
    iid, prompt = c.ident(d, "id", path), c.text(d, "prompt", path)
    required = c.flag(d, "required", path, True)
    facets = d.get("facets", list(facet_ids))
    if not isinstance(facets, list) or not facets:
        c.bad(_join(path, "facets"), "expected a non-empty list of facet ids")
        facets = list(facet_ids)
    for n, f in enumerate(facets):
        if f not in facet_ids:
            c.bad(f"{path}.facets[{n}]", f"{f!r} is not one of the facets {list(facet_ids)}")
        elif f in facets[:n]:
            c.bad(f"{path}.facets[{n}]", f"{f!r} is listed twice")
    levels: dict[str, str] = {}
    if "levels" in d:
        lv = c.mapping(d["levels"], _join(path, "levels"))
        if lv is not None and scale is not None:
            if not scale.is_anchored:
                c.bad(_join(path, "levels"), "level descriptors need an anchored scale")
            wanted = [a.key for a in scale.anchors]
            for key in wanted:
                if key not in lv:
                    c.bad(f"{path}.levels.{key}", "is missing (one descriptor per anchor)")
            for key in lv:
                if key not in wanted:
                    c.bad(f"{path}.levels.{key}", f"is not an anchor of the scale ({wanted})")
                else:
                    text = c.text(lv, key, _join(path, "levels"))
                    if text:
                        levels[key] = text
    if iid is None or prompt is None:
        return None
    return Item(iid, prompt, section, tuple(facets), required, levels)


def _banks():
    return resources.files("focuskit.instruments") / "banks"


def builtin_ids() -> list[str]:
    """Ids of the instruments shipped with focuskit, sorted."""
    return sorted(p.name[:-5] for p in _banks().iterdir() if p.name.endswith(".yaml"))


def _read_yaml(text: str, source: str):
    # Imported here: a respondent's kernel reads campaigns' instruments as JSON, never YAML.
    from ..errors import FocuskitError
    from ..safe_yaml import load_yaml

    try:
        return load_yaml(text)
    except FocuskitError as e:  # aliases, deep nesting, size, syntax: refused before parsing on
        raise InstrumentError(source, e.problems) from None


def load_instrument(ref: str | Path) -> Instrument:
    """Load a built-in instrument by id, or a user's YAML file by path.

    A file's ``id`` must match its name (``my-survey.yaml`` holds ``id: my-survey``) so that a
    campaign's instrument can always be traced back to its file.
    """
    ref_s = str(ref)
    if ref_s in builtin_ids():
        source = f"focuskit/instruments/banks/{ref_s}.yaml"
        text = (_banks() / f"{ref_s}.yaml").read_text(encoding="utf-8")
    else:
        path = Path(ref_s)
        source = str(path)
        if not path.is_file():
            raise InstrumentError(source, [
                f"no such file, and not a built-in instrument ({', '.join(builtin_ids())})"])
        from ..safe_yaml import MAX_CHARS

        try:
            size = path.stat().st_size
            if size > 4 * MAX_CHARS:  # refuse before reading a huge file into memory
                raise InstrumentError(source, [f"is {size} bytes; an instrument file has at "
                                               f"most {MAX_CHARS} characters"])
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise InstrumentError(source, [f"cannot be read: {e}"]) from None
    inst = parse_instrument(_read_yaml(text, source), source)
    stem = Path(source).name.rsplit(".", 1)[0]
    if inst.id != stem:
        raise InstrumentError(source, [f"id: {inst.id!r} does not match the file name {stem!r}"])
    return inst


def validate_file(path: str | Path) -> list[str]:
    """Every problem in an instrument file as text; an empty list when it is valid."""
    from ..errors import InstrumentError as _E

    try:
        load_instrument(Path(path))
    except _E as e:
        return [f"{e.source}: {p}" for p in e.problems]
    return []


def prompts_from_text(text: str) -> list[str]:
    """An item list written as text: one prompt per non-blank line, '#' lines skipped.

    The format of ``focuskit campaign new --items`` and of the admin page's own-list box.
    """
    return [ln.strip() for ln in str(text).splitlines() if ln.strip() and not ln.startswith("#")]


def with_items(instrument: Instrument, prompts: list[str] | dict[str, str],
               section: str | None = None) -> Instrument:
    """The same instrument with its item list replaced, e.g. a campaign's own expectations.

    ``prompts`` is a list of prompts (ids are made from them) or a mapping of id to prompt.
    The version gains a ``+custom`` suffix so that results never mix with the default list.
    """
    if isinstance(prompts, dict):
        pairs = list(prompts.items())
    else:
        pairs, used = [], set()
        for p in prompts:
            base = slug(p, "_", 40) or "item"
            if not base[0].isalpha():  # an id starts with a letter: '24/7 support'
                base = f"item_{base}"
            iid, n = base, 2
            while iid in used:
                iid, n = f"{base}_{n}", n + 1
            used.add(iid)
            pairs.append((iid, p))
    data = instrument.to_dict()
    target = section or data["sections"][0]["id"]
    data["sections"] = [{"id": target, "title": instrument.sections[0].title,
                         "items": [{"id": i, "prompt": p} for i, p in pairs]}]
    data["version"] = instrument.version.split("+")[0] + "+custom"
    # The time it takes follows the items asked: 4 of the 12 expectations are 2 minutes, not 6.
    data["minutes"] = min(120, max(1, round(instrument.minutes * len(pairs)
                                            / max(1, len(instrument.items)))))
    return parse_instrument(data, f"{instrument.id} with a custom item list")
