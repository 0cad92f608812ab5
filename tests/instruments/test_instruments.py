"""Item banks: the six built-ins, the round trip campaigns rely on, and the loader's errors.

An instrument file is edited by people who do not read Python, so every broken file must
end in an InstrumentError that names the file and the exact place, never in a traceback.
"""

from __future__ import annotations

import copy
import json
import math
import re
import shutil

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from focuskit.errors import InstrumentError
from focuskit.instruments import (
    Instrument,
    builtin_ids,
    load_instrument,
    parse_instrument,
    validate_file,
    with_items,
)
from focuskit.instruments.loader import _banks

BUILTINS = ["blocks", "contact-programme", "expectations", "external-focus", "focus-levels",
            "say-do"]
CMI = ("casual", "moderate", "intense")


def base() -> dict:
    """A small valid instrument as YAML would give it; each broken-file case spoils one thing."""
    return {
        "id": "my-survey",
        "version": "1.0",
        "title": "My survey",
        "source": "Written for the tests.",
        "minutes": 3,
        "audiences": ["self", "team"],
        "scale": {"points": 5, "anchors": {1: "Casual", 3: "Moderate", 5: "Intense"}},
        "facets": [{"id": "say", "label": "Say"}, {"id": "do", "label": "Do"}],
        "sections": [
            {"id": "first", "title": "First", "items": [
                {"id": "a", "prompt": "Item A?",
                 "levels": {"casual": "c", "moderate": "m", "intense": "i"}},
                {"id": "b", "prompt": "Item B?", "facets": ["say"]},
            ]},
            {"id": "second", "title": "Second", "items": [{"id": "c", "prompt": "Item C?"}]},
        ],
    }


def write(tmp_path, data, name="my-survey.yaml"):
    path = tmp_path / name
    if isinstance(data, bytes):
        path.write_bytes(data)
    elif isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def load_error(path) -> InstrumentError:
    with pytest.raises(InstrumentError) as info:
        load_instrument(path)
    return info.value


# --- the built-ins -------------------------------------------------------------------------

def test_builtin_ids_are_the_six_banks():
    assert builtin_ids() == BUILTINS


@pytest.mark.parametrize("iid", BUILTINS)
def test_builtin_loads_with_citation_and_minutes(iid):
    inst = load_instrument(iid)
    assert inst.id == iid
    # The design asks every bank to cite its seed; minutes are shown to respondents up front.
    assert inst.source.strip()
    assert isinstance(inst.minutes, int) and inst.minutes > 0
    assert inst.items and all(i.prompt.strip() for i in inst.items)


def anchors(scale):
    return [(a.value, a.label) for a in scale.anchors]


def test_focus_levels_eight_dimensions_casual_moderate_intense():
    inst = load_instrument("focus-levels")
    assert len(inst.items) == 8
    assert inst.scale.points == 5
    assert anchors(inst.scale) == [(1, "Casual"), (3, "Moderate"), (5, "Intense")]
    for item in inst.items:
        # The workshop shows the three descriptors side by side, so none may be missing.
        assert set(item.levels) == set(CMI), item.id
        assert all(item.levels[k].strip() for k in CMI)
        assert inst.descriptor(item.id, 5) == item.levels["intense"]
    assert inst.descriptor(inst.items[0].id, 2) is None  # unanchored point


def test_blocks_nine_items_applies_and_root_cause_choice():
    inst = load_instrument("blocks")
    assert len(inst.items) == 9
    assert [f.id for f in inst.facets] == ["applies", "root_cause"]
    assert inst.facet("applies").scale.kind == "rating"
    root = inst.facet("root_cause").scale
    # The 85/15 rule: is the block in systems/processes/structures or in people? Nominal.
    assert root.kind == "choice"
    labels = [a.label.lower() for a in root.anchors]
    assert len(labels) == 2
    assert all(w in labels[0] for w in ("systems", "processes", "structures"))
    assert labels[1] == "people"
    assert all(i.facets == ("applies", "root_cause") for i in inst.items)


def test_say_do_sections_and_facets():
    inst = load_instrument("say-do")
    assert len(inst.items) >= 15
    assert [s.id for s in inst.sections] == ["leadership", "processes", "people"]
    assert all(s.items for s in inst.sections)
    # The gap is Say minus Do per statement, so every item must carry both.
    assert all(i.facets == ("say", "do") for i in inst.items)


def test_external_focus_three_levels():
    inst = load_instrument("external-focus")
    assert anchors(inst.scale) == [(1, "Responding"), (3, "Anticipating"), (5, "Shaping")]
    assert all(set(i.levels) == {"responding", "anticipating", "shaping"} for i in inst.items)


def test_contact_programme_baldrige_factors_on_maturity_scale():
    inst = load_instrument("contact-programme")
    assert len(inst.items) == 6
    assert [f.id for f in inst.facets] == ["approach", "deployment", "learning", "integration"]
    assert inst.scale.kind == "rating" and inst.scale.values == (1, 2, 3, 4)
    assert [a.value for a in inst.scale.anchors] == [1, 2, 3, 4]  # every stage named
    assert all(f.scale == inst.scale for f in inst.facets)


def test_expectations_importance_and_performance_differ():
    inst = load_instrument("expectations")
    imp, perf = inst.facet("importance").scale, inst.facet("performance").scale
    assert imp.points == perf.points == 5
    # Same numbers, different meanings: a chart must not label importance "Poor..Excellent".
    assert {a.label for a in imp.anchors}.isdisjoint({a.label for a in perf.anchors})


# --- round trip (campaigns store a JSON snapshot of their instrument) ----------------------

@pytest.mark.parametrize("iid", BUILTINS)
def test_to_dict_round_trips_also_through_json(iid):
    inst = load_instrument(iid)
    assert parse_instrument(inst.to_dict()) == inst
    # JSON turns anchor keys 1, 3, 5 into "1", "3", "5"; the snapshot must still parse equal.
    assert parse_instrument(json.loads(json.dumps(inst.to_dict()))) == inst


def test_round_trip_without_optional_fields_and_negative_choice_codes():
    # No description, and a 'don't know' code of -1: both once broke the JSON snapshot.
    data = base()
    data["facets"][1]["scale"] = {"choices": {-1: "Don't know", 1: "Yes", 2: "No"}}
    inst = parse_instrument(data)
    assert inst.description == ""
    assert parse_instrument(json.loads(json.dumps(inst.to_dict()))) == inst


# --- with_items ----------------------------------------------------------------------------

def test_with_items_from_list_gives_unique_ids_and_custom_version():
    exp = load_instrument("expectations")
    prompts = ["Fast delivery", "Fast delivery", "FAST delivery!", "24/7 support", "???"]
    custom = with_items(exp, prompts)
    ids = [i.id for i in custom.items]
    assert [i.prompt for i in custom.items] == prompts
    assert len(set(ids)) == len(ids)  # answers are keyed by item id
    assert ids[0] == "fast_delivery"
    assert custom.version == "1.0.0+custom"  # results never mix with the default list
    assert custom.facets == exp.facets and custom.scale == exp.scale
    # Applying it again does not stack suffixes.
    assert with_items(custom, ["x"]).version == "1.0.0+custom"


def test_with_items_from_dict_keeps_ids():
    exp = load_instrument("expectations")
    custom = with_items(exp, {"speed": "Fast delivery", "price": "A fair price"})
    assert [(i.id, i.prompt) for i in custom.items] == [("speed", "Fast delivery"),
                                                        ("price", "A fair price")]
    assert [s.id for s in custom.sections] == ["expectations"]
    assert parse_instrument(json.loads(json.dumps(custom.to_dict()))) == custom


def test_with_items_bad_id_in_dict_is_an_instrument_error():
    with pytest.raises(InstrumentError, match="not a valid id"):
        with_items(load_instrument("expectations"), {"Bad Id": "x"})


# --- a user's own file ---------------------------------------------------------------------

def test_user_yaml_loads_by_path(tmp_path):
    path = write(tmp_path, base())
    assert load_instrument(path) == parse_instrument(base())
    assert load_instrument(str(path)) == parse_instrument(base())
    assert validate_file(path) == []


def test_copied_builtin_loads_by_path_the_same(tmp_path):
    path = tmp_path / "focus-levels.yaml"
    shutil.copy(_banks() / "focus-levels.yaml", path)
    assert load_instrument(path) == load_instrument("focus-levels")


def test_user_yaml_id_must_match_file_name(tmp_path):
    err = load_error(write(tmp_path, base(), "other.yaml"))
    assert "other.yaml" in str(err) and "does not match the file name" in str(err)


# --- validation errors ---------------------------------------------------------------------

def test_error_names_file_and_exact_nested_path(tmp_path):
    data = base()
    item = {"id": "x", "prompt": "X?", "levels": {"casual": "c", "moderate": "m", "intense": "i"}}
    items = [{**item, "id": f"x{n}", "levels": dict(item["levels"])} for n in range(5)]
    del items[4]["levels"]["intense"]
    data["sections"].append({"id": "third", "title": "Third", "items": items})
    path = write(tmp_path, data)
    err = load_error(path)
    assert isinstance(err, ValueError)  # callers may catch ValueError as DESIGN says
    assert str(path) in str(err)
    assert "sections[2].items[4].levels.intense: is missing" in str(err)
    assert err.problems == ["sections[2].items[4].levels.intense: is missing (one descriptor "
                            "per anchor)"]


def edit(fn):
    data = base()
    fn(data)
    return data


def _set(d, keys, value):
    for k in keys[:-1]:
        d = d[k]
    d[keys[-1]] = value


def spoil(*keys, value):
    return edit(lambda d: _set(d, keys, value))


def drop(*keys):
    def fn(d):
        for k in keys[:-1]:
            d = d[k]
        del d[keys[-1]]
    return edit(fn)


BROKEN = {
    "list-not-mapping": ("- id: my-survey\n- title: x\n", "expected a mapping"),
    "empty-file": ("", "expected a mapping of keys to values, got nothing"),
    "missing-title": (drop("title"), "title: is required"),
    "missing-sections": (drop("sections"), "sections: is required"),
    "unknown-key": (spoil("colour", value="red"), "colour: unknown key"),
    "unknown-item-key": (spoil("sections", 0, "items", 0, "hint", value="x"),
                         "sections[0].items[0].hint: unknown key"),
    "bad-id": (spoil("id", value="My Survey"), "id: 'My Survey' is not a valid id"),
    "duplicate-item-across-sections": (spoil("sections", 1, "items", 0, "id", value="a"),
                                       "sections[1].items[0].id: item 'a' is used twice"),
    "duplicate-section": (spoil("sections", 1, "id", value="first"),
                          "sections[1].id: section 'first' is defined twice"),
    "duplicate-facet": (spoil("facets", 1, "id", value="say"),
                        "facets[1].id: facet 'say' is defined twice"),
    "facet-comment": (spoil("facets", 1, "id", value="comment"),
                      "facets[1].id: 'comment' is reserved"),
    "unknown-item-facet": (spoil("sections", 0, "items", 1, "facets", value=["say", "act"]),
                           "sections[0].items[1].facets[1]: 'act' is not one of the facets"),
    "item-facet-twice": (spoil("sections", 0, "items", 1, "facets", value=["say", "say"]),
                         "sections[0].items[1].facets[1]: 'say' is listed twice"),
    "anchor-outside-points": (spoil("scale", "anchors", 7, value="Extreme"),
                              "scale.anchors.7: is outside the scale 1..5"),
    "anchor-value-twice": (spoil("scale", "anchors", "1", value="Low"),
                           "scale.anchors.1: value 1 is given twice"),
    "points-1": (spoil("scale", "points", value=1), "scale.points: expected a whole number"),
    "points-12": (spoil("scale", "points", value=12), "scale.points: expected a whole number"),
    "version-number": (spoil("version", value=1.0), 'version: write the version as quoted text'),
    "version-bool": (spoil("version", value=True), "version: expected non-empty text"),
    "version-list": (spoil("version", value=["1"]), "version: expected non-empty text"),
    "levels-unanchored": (spoil("scale", value={"points": 5}),
                          "sections[0].items[0].levels: level descriptors need an anchored"),
    "levels-not-anchor": (spoil("sections", 0, "items", 0, "levels", "extreme", value="x"),
                          "sections[0].items[0].levels.extreme: is not an anchor"),
    "empty-sections": (spoil("sections", value=[]), "sections: expected a non-empty list"),
    "empty-items": (spoil("sections", 1, "items", value=[]),
                    "sections[1].items: expected a non-empty list"),
    "unknown-audience": (spoil("audiences", value=["self", "managers"]),
                         "audiences[1]: 'managers' is not a rater group"),
    "minutes-text": (spoil("minutes", value="ten"), "minutes: expected whole minutes"),
    "choice-and-points": (spoil("facets", 0, "scale", value={"points": 3, "choices": {1: "A",
                                                                                       2: "B"}}),
                          "facets[0].scale: give either choices or points/anchors"),
    "non-utf8": ("id: caf\xe9\n".encode("latin-1"), "cannot be read"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_file_names_file_and_path(tmp_path, case):
    content, expected = BROKEN[case]
    path = write(tmp_path, content)
    err = load_error(path)
    assert str(path) in str(err)
    assert expected in str(err), str(err)
    assert "Traceback" not in str(err)
    # validate_file gives the same problems as plain lines, each naming the file.
    found = validate_file(path)
    assert found and all(isinstance(p, str) and p.startswith(str(path)) for p in found)
    assert any(expected in p for p in found)


def test_yaml_syntax_error_gives_line_and_column(tmp_path):
    path = write(tmp_path, "id: my-survey\nversion: '1'\ntitle: a: b\n")
    err = load_error(path)
    assert str(path) in str(err)
    assert "line 3, column 9: not valid YAML (mapping values are not allowed" in str(err)
    assert "Traceback" not in str(err) and err.__suppress_context__


def test_missing_file_lists_the_builtins(tmp_path):
    err = load_error(tmp_path / "nope.yaml")
    assert "nope.yaml" in str(err) and "no such file" in str(err)
    assert all(i in str(err) for i in BUILTINS)  # tells the user what they could have meant


def test_every_problem_is_reported_not_only_the_first(tmp_path):
    data = base()
    data["id"] = "Bad"
    del data["title"]
    data["scale"]["points"] = 12
    data["audiences"] = ["board"]
    data["sections"][0]["items"][1]["facets"] = ["nope"]
    data["sections"][1]["items"][0]["id"] = "a"
    err = load_error(write(tmp_path, data))
    wanted = ["id: 'Bad' is not a valid id", "title: is required", "scale.points:",
              "audiences[0]: 'board'", "sections[0].items[1].facets[0]: 'nope'",
              "sections[1].items[0].id: item 'a' is used twice"]
    for w in wanted:
        assert any(p.startswith(w) for p in err.problems), (w, err.problems)
    assert f"{len(err.problems)} problem(s)" in str(err)


def test_sections_without_ids_are_not_reported_as_duplicates():
    data = base()
    for s in data["sections"]:
        del s["id"]
    with pytest.raises(InstrumentError) as info:
        parse_instrument(data)
    assert info.value.problems == ["sections[0].id: is required", "sections[1].id: is required"]


# --- Scale.accepts -------------------------------------------------------------------------

RATING = load_instrument("focus-levels").scale
CHOICE = load_instrument("blocks").facet("root_cause").scale


@pytest.mark.parametrize("value", [1, 2, 3, 4, 5, 3.0])
def test_rating_scale_accepts_whole_numbers_on_it(value):
    assert RATING.accepts(value)


@pytest.mark.parametrize("value", [0, 6, -1, 2.5, math.nan, math.inf, -math.inf, True, False,
                                   "3", None, [3]])
def test_rating_scale_refuses_everything_else(value):
    # True == 1 in Python; a checkbox value must never pass as a rating.
    assert not RATING.accepts(value)


def test_choice_scale_accepts_only_its_codes():
    codes = CHOICE.values
    assert codes == (1, 2)
    assert all(CHOICE.accepts(c) for c in codes)
    assert not any(CHOICE.accepts(v) for v in (0, 3, 1.5, True, "1", None))


# --- fuzzing: whatever the data, only InstrumentError ---------------------------------------

JUNK = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
    | st.sampled_from(["", "1", "²", "-1", "id", "comment", "Casual", "casual", "self", "say"]),
    lambda kids: st.lists(kids, max_size=4)
    | st.dictionaries(st.text(max_size=8) | st.integers(-3, 12) | st.sampled_from(
        ["id", "title", "items", "levels", "scale", "points", "anchors", "choices", "facets"]),
        kids, max_size=4),
    max_leaves=20,
)
VALID = [load_instrument(i).to_dict() for i in BUILTINS] + [base()]
FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def parse_or_error(data):
    try:
        inst = parse_instrument(data, "fuzz.yaml")
    except InstrumentError as e:
        assert e.problems and "fuzz.yaml" in str(e)
        return None
    assert isinstance(inst, Instrument)
    return inst


@FUZZ
@given(JUNK)
def test_random_data_only_raises_instrument_error(data):
    parse_or_error(data)


@st.composite
def mutated(draw):
    """A valid instrument with one subtree replaced by junk: reaches the deep checks."""
    data = copy.deepcopy(draw(st.sampled_from(VALID)))
    node = data
    while True:
        key = draw(st.sampled_from(list(node) if isinstance(node, dict) else range(len(node))))
        child = node[key]
        if isinstance(child, (dict, list)) and child and draw(st.booleans()):
            node = child
            continue
        node[key] = draw(JUNK)
        return data


@FUZZ
@given(mutated())
def test_mutated_instrument_only_raises_instrument_error_and_round_trips(data):
    inst = parse_or_error(data)
    if inst is not None:  # whatever the loader accepts, a campaign snapshot must reproduce
        assert parse_instrument(json.loads(json.dumps(inst.to_dict()))) == inst


def test_problem_paths_use_brackets_and_dots():
    # The path format promised in the docstring: sections[n].items[n].key, no spaces.
    with pytest.raises(InstrumentError) as info:
        parse_instrument(spoil("sections", 0, "items", 0, "prompt", value=""))
    assert re.match(r"^sections\[0\]\.items\[0\]\.prompt: ", info.value.problems[0])


def test_rater_groups_are_named_once_with_their_words():
    from focuskit.config import RATER_GROUPS as IDS
    from focuskit.instruments import RATER_GROUPS, rater_group

    assert RATER_GROUPS == IDS
    for g in RATER_GROUPS:
        words = rater_group(g)
        assert words.id == g and words.label and words.plural and words.respondent
    assert rater_group("customer").plural == "customers"
    assert rater_group("nobody-knows").label == "nobody-knows"
