"""The staff page's state without a browser: AdminState's actions on a real store (SQLite, and
PostgreSQL where configured: conftest's ``store`` fixture), with every kind of bad input."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import openpyxl
import pytest
import yaml

from focuskit import FocuskitError, ImportFileError, InstrumentError, StoreError
from focuskit.apps.admin import MAX_IMPORT_BYTES, AdminState, prompts_from_text, slug
from focuskit.instruments import load_instrument
from focuskit.links import check_link, parse_link

BASE = "https://survey.example.org/voila/render/take_assessment.ipynb"
FOCUS = [i.id for i in load_instrument("focus-levels").items]


@pytest.fixture
def state(store):
    return AdminState(store, base=BASE)


@pytest.fixture
def camp(state):
    return state.create("q1-leaders", "Leaders, Q1", "focus-levels", min_group_size=3).campaign


def answers_csv(n=3, value=3, group="self", bad=None) -> bytes:
    """A long CSV of ``n`` complete focus-levels submissions; ``bad`` = (row, field, value)."""
    buf = io.StringIO()
    wr = csv.writer(buf)
    wr.writerow(["submission", "rater_group", "segment", "item", "facet", "value"])
    rows = [[f"s{k}", group, "Retail", item, "level", value] for k in range(n) for item in FOCUS]
    if bad:
        r, col, v = bad
        rows[r][["submission", "rater_group", "segment", "item", "facet", "value"].index(col)] = v
    wr.writerows(rows)
    return buf.getvalue().encode()


def custom_yaml(iid="my-survey", **changes) -> bytes:
    data = load_instrument("expectations").to_dict()
    data.update(id=iid, title="Our own expectations", **changes)
    return yaml.safe_dump(data, sort_keys=False).encode()


def upload_value(name: str, data: bytes, mime="text/csv"):
    """What ipywidgets 8's FileUpload holds after a browser upload."""
    return ({"name": name, "type": mime, "size": len(data), "content": memoryview(data),
             "last_modified": datetime(2026, 1, 5, tzinfo=UTC)},)


# -- campaigns -------------------------------------------------------------------------------

def test_create_builtin_campaign_like_the_cli(state, store):
    res = state.create("spring", "Spring round", "say-do", organisation="Acme",
                       rater_groups=["self"], min_group_size=4, status="draft")
    c = store.campaign("spring")
    assert res.created and res.campaign.id == "spring"
    assert (c.instrument.id, c.rater_groups, c.min_group_size, c.status, c.organisation) == \
        ("say-do", ("self",), 4, "draft", "Acme")


def test_id_is_made_from_the_title_when_left_blank(state):
    assert state.create("", "Leaders, Q3 2026!", "blocks").campaign.id == "leaders-q3-2026"
    assert slug("É") == "" and slug("Q1") == "q1"


def test_same_request_twice_creates_once(state, store):
    first = state.create("dup", "Twice", "blocks")
    second = state.create("dup", "Twice", "blocks")  # a double click on Create
    assert first.created and not second.created
    assert [c.id for c in store.campaigns()] == ["dup"]


def test_another_request_for_a_taken_id_is_refused(state, camp):
    with pytest.raises(StoreError, match="exists already"):
        state.create(camp.id, "Someone else's", "blocks")


@pytest.mark.parametrize("cid, title, size, match", [
    ("Bad Id!", "T", 5, "lowercase letters"),
    ("ok-id", "  ", 5, "title must be non-empty"),
    ("ok-id", "T", 0, "min_group_size"),
    ("ok-id", "T", "many", "not a whole number"),
    ("", "", 5, "give the campaign an id"),
])
def test_bad_campaign_input_creates_nothing(state, store, cid, title, size, match):
    with pytest.raises(FocuskitError, match=match):
        state.create(cid, title, "blocks", min_group_size=size)
    assert store.campaigns() == []


def test_no_rater_group_ticked_is_refused(state):
    with pytest.raises(FocuskitError, match="at least one rater group"):
        state.create("x1", "T", "blocks", rater_groups=[])


def test_open_and_close(state, camp):
    assert state.set_status(camp.id, "closed").status == "closed"
    assert state.set_status(camp.id, "open").status == "open"
    with pytest.raises(StoreError, match="no campaign 'nope'"):
        state.set_status("nope", "open")


def test_rows_list_campaigns_with_counts(state, camp):
    state.import_upload(camp.id, "a.csv", answers_csv())
    (r,) = state.rows()
    assert (r["id"], r["status"], r["submissions"], r["instrument"]) == \
        ("q1-leaders", "open", 3, "focus-levels")


# -- custom instruments and item lists -------------------------------------------------------

def test_uploaded_instrument_is_used(state):
    inst = state.read_instrument("my-survey.yaml", custom_yaml())
    c = state.create("own", "Own", inst).campaign
    assert c.instrument.id == "my-survey" and c.instrument.title == "Our own expectations"


def test_uploaded_instrument_lists_every_problem_with_its_path(state):
    data = load_instrument("expectations").to_dict()
    data["id"] = "my-survey"
    data["colour"] = "blue"
    data["sections"][0]["items"][0].pop("prompt")
    data["sections"][0]["items"][1]["id"] = "Bad Id"
    raw = yaml.safe_dump(data).encode()
    with pytest.raises(InstrumentError) as e:
        state.read_instrument("my-survey.yaml", raw)
    text = "\n".join(e.value.problems)
    assert e.value.source == "my-survey.yaml"
    assert "colour: unknown key" in text
    assert "sections[0].items[0].prompt: is required" in text
    assert "sections[0].items[1].id" in text
    assert len(e.value.problems) >= 3


@pytest.mark.parametrize("name, data, match", [
    ("notes.txt", b"id: x", "must be a .yaml or .yml file"),
    ("my-survey.yaml", b"id: [unclosed", "not valid YAML"),
    ("other-name.yaml", custom_yaml(), "does not match the file name"),
    ("my-survey.yaml", b"", "is empty"),
    ("my-survey.yaml", b"#" * (600 * 1024), "is 600 KB; the page takes files up to 512 KB"),
])
def test_bad_instrument_files(state, name, data, match):
    with pytest.raises(FocuskitError, match=match):
        state.read_instrument(name, data)


def test_a_folder_in_the_upload_name_is_dropped(state):
    inst = state.read_instrument("../../etc/my-survey.yaml", custom_yaml())
    assert inst.id == "my-survey"


def test_own_expectations_list(state):
    text = "# our list\nAnswers the first time\n\n  Delivers on the date promised  \n"
    assert prompts_from_text(text) == ["Answers the first time", "Delivers on the date promised"]
    c = state.create("exp", "Expectations", "expectations", items=text).campaign
    assert [i.prompt for i in c.instrument.items] == prompts_from_text(text)
    assert c.instrument.version.endswith("+custom")
    with pytest.raises(FocuskitError, match="empty"):
        state.with_prompts(load_instrument("expectations"), "# only a comment\n")


# -- links -----------------------------------------------------------------------------------

def test_links_per_group_and_segment(state, store, camp):
    rows = state.links(camp.id, ["self", "customer"], "Retail, Wholesale\nRetail")
    assert [(r.group, r.segment) for r in rows] == [
        ("self", "Retail"), ("self", "Wholesale"), ("customer", "Retail"),
        ("customer", "Wholesale")]
    assert rows[0].url.startswith(f"{BASE}?campaign=q1-leaders&group=self&segment=Retail&sig=")
    for r in rows:  # signed with the store's secret: the questionnaire takes each as it is
        assert check_link(store.link_secret(), parse_link(r.url.split("?", 1)[1])) == "shared"
    got = list(csv.reader(io.StringIO(state.links_csv(rows).decode())))
    assert got[0] == ["rater_group", "segment", "link", "join_code"] and got[1][2] == rows[0].url
    # Each shared link has its join code, the one the respondents' door resolves.
    assert got[1][3] == rows[0].join and store.find_join_code(rows[0].join) == (
        "q1-leaders", "self", "Retail")
    assert len({r.join for r in rows}) == 4


def test_personal_links_per_group_and_segment_and_a_fixed_segment_list(state, store):
    store.create_campaign("invite", "Invited", "focus-levels", rater_groups=["customer"],
                          segments=["North", "South"], link_mode="personal")
    rows = state.links("invite", count=2)  # no segment typed: the campaign's own list
    assert [(r.group, r.segment) for r in rows] == [("customer", "North")] * 2 + \
        [("customer", "South")] * 2
    assert len({r.code for r in rows}) == 4 and all(f"code={r.code}" in r.url for r in rows)
    for r in rows:
        assert check_link(store.link_secret(), parse_link(r.url.split("?", 1)[1])) == "personal"
    got = list(csv.reader(io.StringIO(state.links_csv(rows).decode())))
    assert got[0] == ["rater_group", "segment", "link", "code"] and got[1][3] == rows[0].code
    with pytest.raises(FocuskitError, match="no links made") as e:
        state.links("invite", segments="North, West")
    assert "'West' is not one of invite's segments (North, South)" in e.value.problems[0]


def test_links_without_segments_use_every_group(state, camp):
    rows = state.links(camp.id)
    assert [r.group for r in rows] == list(camp.rater_groups)
    assert all(r.segment is None and "segment=" not in r.url for r in rows)


def test_links_default_to_the_respondent_door(store, monkeypatch):
    monkeypatch.setenv("FOCUSKIT_RESPONDENT_URL", "https://door.example/take.ipynb?x=1")
    assert AdminState(store).base == "https://door.example/take.ipynb"


def test_bad_link_requests(state, camp):
    state.create("own-only", "Self only", "blocks", rater_groups=["self"])
    with pytest.raises(FocuskitError, match="own-only asks self; not customer, boss"):
        state.links("own-only", ["customer", "boss"])
    with pytest.raises(FocuskitError, match="no links made") as e:
        state.links(camp.id, ["self"], ["x" * 150, "ok"])
    assert "xxx" in e.value.problems[0]
    with pytest.raises(StoreError, match="no campaign"):
        state.links("no-such", ["self"])


def test_a_segment_that_looks_like_a_formula_is_escaped_in_the_csv(state, camp):
    rows = state.links(camp.id, ["self"], ["=cmd"])
    assert ",'=cmd," in state.links_csv(rows).decode()


# -- import and export -----------------------------------------------------------------------

def test_import_then_the_same_file_again_stores_nothing_new(state, store, camp):
    data = answers_csv()
    res = state.import_upload(camp.id, "answers.csv", data)
    assert (res.created, res.existing) == (3, 0)
    again = state.import_upload(camp.id, "answers.csv", data)
    assert (again.created, again.existing) == (0, 3)
    assert store.counts(camp.id)["submissions"] == 3


def test_import_excel_with_a_default_group(state, store, camp):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["respondent", "item", "facet", "value"])
    for item in FOCUS:
        ws.append(["r1", item, "level", 4])
    buf = io.BytesIO()
    wb.save(buf)
    res = state.import_upload(camp.id, "book.xlsx", buf.getvalue(), rater_group="customer",
                              segment=" Retail ")
    assert res.created == 1
    df = store.responses(camp.id)
    assert set(df["rater_group"]) == {"customer"} and set(df["segment"]) == {"Retail"}


@pytest.mark.parametrize("bad, col, reason", [
    ((0, "item", "no_such_item"), "item", "no such item"),
    ((1, "value", "9"), "value", "not on the level scale"),
    ((2, "value", "lots"), "value", "not a number"),
    ((0, "rater_group", "boss"), "rater_group", "not a rater group"),
])
def test_bad_cells_store_nothing_and_name_row_column_value(state, store, camp, bad, col,
                                                            reason):
    with pytest.raises(ImportFileError) as e:
        state.import_upload(camp.id, "answers.csv", answers_csv(bad=bad))
    assert e.value.source == "answers.csv"
    row, column, value, why = e.value.rows[0]
    assert (row, column, value) == (bad[0] + 2, col, bad[2]) and reason in why
    assert store.counts(camp.id)["submissions"] == 0


@pytest.mark.parametrize("name, data, match", [
    ("answers.csv", b"", "empty"),
    ("answers.csv", b"\xff\xfe\x00garbage\x00,,\n\x00", "nothing imported"),
    ("answers.csv", b"item,facet\n", "nothing imported"),
    ("answers.xlsx", b"not really a workbook", "nothing imported"),
    ("answers.pdf", b"%PDF", "must be a .csv"),
    ("answers.csv", b"x" * (MAX_IMPORT_BYTES + 1), "up to 5 MB"),
])
def test_malformed_or_oversized_files_are_refused(state, store, camp, name, data, match):
    with pytest.raises(FocuskitError, match=match):
        state.import_upload(camp.id, name, data)
    assert store.counts(camp.id)["submissions"] == 0


def test_import_into_a_closed_or_unknown_campaign(state, camp):
    state.set_status(camp.id, "closed")
    with pytest.raises(FocuskitError, match="q1-leaders is closed: open it to import"):
        state.import_upload(camp.id, "a.csv", answers_csv())
    with pytest.raises(StoreError, match="no campaign"):
        state.import_upload("nope", "a.csv", answers_csv())


def test_export_csv_and_excel(state, camp):
    state.import_upload(camp.id, "a.csv", answers_csv())
    name, data = state.export(camp.id, "csv")
    assert name == "q1-leaders.csv" and data.startswith(b"campaign,submission,")
    name, data = state.export(camp.id, "xlsx", wide=True)
    assert name == "q1-leaders-wide.xlsx"
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    assert ws.max_row == 4
    with pytest.raises(FocuskitError, match="format"):
        state.export(camp.id, "pdf")


SURVEY_MAPPING = ("skip_rows: 1\nrater_group: customer\ncolumns:\n  ResponseId: respondent\n"
                  + "".join(f"  Q{n}: {item}:level\n" for n, item in enumerate(FOCUS, 1))
                  + "values:\n  Casual: 1\n  Moderate: 3\n  Intense: 5\n").encode()


def survey_csv() -> bytes:
    """A survey tool's export: its own column names, a question-text row, answers as words."""
    rows = [["ResponseId", *[f"Q{n}" for n in range(1, 9)]],
            ["Response ID", *[f"How do we do on {i}?" for i in FOCUS]],
            ["R_1", *["Moderate"] * 8], ["R_2", *["Intense"] * 8]]
    return "".join(",".join(r) + "\n" for r in rows).encode()


def test_import_a_survey_tool_export_with_a_mapping(state, store, camp):
    res = state.import_upload(camp.id, "survey.csv", survey_csv(),
                              mapping=("tool.yaml", SURVEY_MAPPING))
    assert (res.created, res.rows) == (2, 2)
    df = store.responses(camp.id)
    assert set(df["rater_group"]) == {"customer"} and set(df["value"]) == {3.0, 5.0}


def test_a_bad_mapping_names_the_uploaded_file(state, store, camp):
    with pytest.raises(FocuskitError, match=r"^tool\.yaml: .*columns") as e:
        state.import_upload(camp.id, "survey.csv", survey_csv(),
                            mapping=("tool.yaml", b"values: {}\n"))
    assert "focuskit-admin" not in str(e.value)
    with pytest.raises(FocuskitError, match="must be a .yaml"):
        state.import_upload(camp.id, "survey.csv", survey_csv(), mapping=("tool.txt", b"x"))
    assert store.counts(camp.id)["submissions"] == 0


def test_the_state_is_traits_that_follow_every_change_made_through_it(state):
    """What a view observes, without any view: the chosen campaign, the campaign table, that
    campaign as stored with its counts, and the newest audit lines."""
    assert state.chosen is None and state.picked is None and state.campaign_rows == []
    chosen = []
    state.observe(lambda c: chosen.append(c["new"]), "chosen")
    state.create("first", "First", "focus-levels", min_group_size=3)
    state.create("second", "Second", "focus-levels", min_group_size=3)
    assert chosen == ["first", "second"] and [r["id"] for r in state.campaign_rows] == \
        ["second", "first"]
    state.chosen = "first"
    assert state.picked.campaign.id == "first" and state.picked.submissions == 0
    state.import_upload("first", "a.csv", answers_csv())
    assert state.picked.submissions == 3 and state.audit_lines[0]["action"] == "import"
    state.set_status("first", "closed")
    assert state.picked.campaign.status == "closed" and state.chosen == "first"
    state.links("second", ["self"])  # logged: the audit lines follow, the choice does not
    assert state.audit_lines[0]["action"] == "links" and state.chosen == "first"
    state.delete("first", "first")
    assert state.chosen == "second" and [r["id"] for r in state.campaign_rows] == ["second"]
    assert chosen == ["first", "second", "first", "second"]
