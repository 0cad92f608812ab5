"""Imports and exports: round trips, formula escaping, survey-tool mappings, error reports, fuzzing.

The import contract under test: every bad cell is reported as (row, column, value, reason) with
spreadsheet row numbers; nothing is stored while anything is wrong; only FocuskitError (or a
subclass) ever escapes, whatever the file holds.
"""

from __future__ import annotations

import copy
import csv
import io
import random
import re
import zipfile

import openpyxl
import pandas as pd
import pytest
import yaml
from conftest import full_answers
from hypothesis import HealthCheck, event, find, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from focuskit import FocuskitError, ImportFileError, Store, StoreError, load_instrument
from focuskit.cli import main
from focuskit.io.exports import escape_cells, export
from focuskit.io.imports import ImportResult, import_file

FIELDS = ["item", "facet", "value", "comment", "rater_group", "segment", "respondent"]
RISKY = ['=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)"]
FOCUS = [i.id for i in load_instrument("focus-levels").items]
LAYOUTS = [("csv", False), ("xlsx", False), ("csv", True), ("xlsx", True)]
LAYOUT_IDS = ["long-csv", "long-xlsx", "wide-csv", "wide-xlsx"]


# -- helpers --------------------------------------------------------------------------------

def seed(store, cid="orig"):
    """A blocks campaign (facets applies + optional root_cause) with 4 varied submissions.

    Covers what a round trip can lose: formula-like comments, a comment with quotes, commas,
    a newline and non-ASCII text, a numeric-looking comment and respondent ("12", "007"),
    skipped optional answers (blank wide cells), three rater groups, a missing segment.
    """
    camp = store.create_campaign(cid, "Original", "blocks", min_group_size=3)
    inst, ids = camp.instrument, [i.id for i in camp.instrument.items]

    def answers(value, comments=(), skip_root=()):
        a = full_answers(inst, value)
        for item in skip_root:
            del a[item]["root_cause"]
        for item, text in comments:
            a[item]["comment"] = text
        return a

    store.submit(cid, answers(4, zip(ids, RISKY, strict=False)), rater_group="self",
                 respondent="r1", segment="North")
    store.submit(cid, answers(2, [(ids[4], 'Says "often", then; not\nreally: Zürich ✓')],
                              skip_root=ids[:3]), rater_group="team", segment="South")
    store.submit(cid, answers(5, [(ids[5], "12")]), rater_group="internal", respondent="007",
                 segment="@HQ")
    store.submit(cid, answers(1, skip_root=ids), rater_group="team", respondent="r4")
    return camp


def submissions_of(store, campaign):
    """Each submission as a sorted list of answer tuples; ids and timestamps left out."""
    df = store.responses(campaign)
    df = df.astype(object).where(df.notna(), None)
    subs: dict[int, list] = {}
    for rec in df.to_dict("records"):
        subs.setdefault(rec["submission"], []).append(tuple(rec[f] for f in FIELDS))
    return sorted((sorted(v, key=repr) for v in subs.values()), key=repr)


def n_subs(store, campaign) -> int:
    return store.counts(campaign)["submissions"]


def write_csv(path, rows, delimiter=",", encoding="utf-8"):
    with open(path, "w", newline="", encoding=encoding) as f:
        csv.writer(f, delimiter=delimiter).writerows(rows)
    return path


def xlsx_bytes(rows) -> bytes:
    wb = openpyxl.Workbook()
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def wide_header(extra=()):
    return ["respondent", "rater_group", *[f"{i}:level" for i in FOCUS], *extra]


@pytest.fixture
def focus(store):
    """An open focus-levels campaign (8 items, one required facet) asking self and team."""
    return store.create_campaign("focus", "Focus", "focus-levels", rater_groups=["self", "team"],
                                 min_group_size=3)


@pytest.fixture
def lite(sqlite_url):
    """A SQLite store for tests whose subject is the file handling, not the database."""
    with Store(sqlite_url) as s:
        s.create_campaign("focus", "Focus", "focus-levels", rater_groups=["self", "team"],
                          min_group_size=3)
        yield s


# -- round trips ----------------------------------------------------------------------------

@pytest.mark.parametrize(("fmt", "wide"), LAYOUTS, ids=LAYOUT_IDS)
def test_export_then_import_round_trips_and_reimport_stores_nothing(store, tmp_path, fmt, wide):
    camp = seed(store)
    store.create_campaign("copy", "Copy", camp.instrument, min_group_size=3)
    path = export(store, "orig", tmp_path / f"orig.{fmt}", format=fmt, wide=wide)

    res = import_file(store, path, "copy")
    long_rows = len(store.responses("orig"))
    assert res == ImportResult(created=4, existing=0, rows=4 if wide else long_rows)
    assert submissions_of(store, "copy") == submissions_of(store, "orig")

    # Idempotent: the same file again (even a copy under another name) stores nothing new.
    twin = tmp_path / f"renamed.{fmt}"
    twin.write_bytes(path.read_bytes())
    for p in (path, twin):
        assert import_file(store, p, "copy") == ImportResult(0, 4, res.rows)
    assert n_subs(store, "copy") == 4


def info_of(store, campaign):
    """Each submission's tool time and flags beside its answers, ids and arrival left out."""
    info = store.submission_info(campaign).set_index("submission")
    df = store.responses(campaign)
    df = df.astype(object).where(df.notna(), None)
    out = []
    for sub, rows in df.groupby("submission"):
        answers = sorted((tuple(r[f] for f in FIELDS) for r in rows.to_dict("records")),
                         key=repr)
        tool = info.loc[sub, "source_submitted_at"]
        out.append((answers, None if pd.isna(tool) else tool.isoformat(),
                    info.loc[sub, "flags"]))
    return sorted(out, key=repr)


@pytest.mark.parametrize(("fmt", "wide"), LAYOUTS, ids=LAYOUT_IDS)
def test_an_export_keeps_the_tools_time_and_the_flags_through_an_import(lite, tmp_path, fmt,
                                                                         wide):
    ids = [i.id for i in lite.campaign("focus").instrument.items]
    tool = pd.Timestamp("2024-03-04 08:15:30", tz="UTC").to_pydatetime()
    lite.submit_many("focus", [
        dict(answers={i: {"level": 3} for i in ids}, rater_group="team", respondent="R_1",
             source_submitted_at=tool, flags="straight-lining,speeder"),
        dict(answers={i: {"level": 1 + n % 5} for n, i in enumerate(ids)}, rater_group="self",
             segment="NO", respondent="R_2", source_submitted_at=tool, flags="speeder"),
        dict(answers={i: {"level": 2 + n % 3} for n, i in enumerate(ids)}, rater_group="self",
             respondent="typed-in")])  # answered in focuskit: no tool time, no flags
    lite.create_campaign("copy", "Copy", "focus-levels", rater_groups=["self", "team"],
                         min_group_size=3)
    path = export(lite, "focus", tmp_path / f"o.{fmt}", format=fmt, wide=wide)
    header = (pd.read_csv(path, nrows=0) if fmt == "csv" else pd.read_excel(path, nrows=0))
    assert {"source_submitted_at", "flags"} <= set(header.columns)
    res = import_file(lite, path, "copy")
    assert res.created == 3
    assert info_of(lite, "copy") == info_of(lite, "focus")
    assert sorted(info_of(lite, "copy"), key=lambda r: r[2])[-1][1:] == (
        "2024-03-04T08:15:30+00:00", ("straight-lining", "speeder"))
    # The raw admin export is the same file.
    from focuskit.apps.admin import AdminState

    name, data = AdminState(lite).export("focus", fmt, wide=wide)
    assert data == path.read_bytes() or fmt == "xlsx"  # xlsx holds its own write time


AWKWARD = ["one\rtwo", "one\r\ntwo\nthree", "tab\tinside", "'quoted' start", '"', "a\x0bb",
           "\x01=cmd", "-"]


@pytest.mark.parametrize(("fmt", "wide"), LAYOUTS, ids=LAYOUT_IDS)
def test_awkward_comments_survive_export_and_import(lite, tmp_path, fmt, wide):
    # A bare "\r" (old Mac line end) once went unquoted in CSV and split its row; a control
    # character (Word's "\x0b" line break) once crashed the xlsx export. A worksheet cannot
    # hold control characters, so xlsx drops them, and "\x01=cmd" must still come out escaped;
    # XML turns "\r\n" and "\r" into "\n" (still a line break).
    inst = lite.campaign("focus").instrument
    answers = full_answers(inst)
    for item, text in zip(FOCUS, AWKWARD, strict=True):
        answers[item]["comment"] = text
    lite.submit("focus", answers, rater_group="self")
    lite.create_campaign("back", "Back", inst, min_group_size=3)
    path = export(lite, "focus", tmp_path / f"o.{fmt}", format=fmt, wide=wide)
    import_file(lite, path, "back")
    got = lite.responses("back").set_index("item")["comment"]
    want = AWKWARD if fmt == "csv" else [
        re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "", t).replace("\r\n", "\n").replace("\r", "\n")
        for t in AWKWARD]
    assert [got[i] for i in FOCUS] == want
    if fmt == "xlsx":
        ws = openpyxl.load_workbook(path).worksheets[0]
        assert "'=cmd" in [c.value for row in ws.iter_rows() for c in row]


def test_same_file_into_two_campaigns_is_two_imports(lite, tmp_path):
    # The idempotency key is per campaign: a file tried in a test campaign can go live later.
    lite.create_campaign("other", "Other", "focus-levels", min_group_size=3)
    path = write_csv(tmp_path / "a.csv", [wide_header(), ["r1", "self", *"34534534"]])
    assert import_file(lite, path, "focus").created == 1
    assert import_file(lite, path, "other").created == 1


def test_long_submission_keys_are_accepted(lite, tmp_path):
    # A long (190-character) submission key once overflowed the 200-character idempotency key.
    path = write_csv(tmp_path / "k.csv", [["submission", *wide_header()[1:]],
                                         ["k" * 190, "self", *"12345123"]])
    assert import_file(lite, path, "focus").created == 1


# -- formula escaping -----------------------------------------------------------------------

def test_escape_cells_touches_only_risky_text():
    df = pd.DataFrame({"t": ["=1+1", "+1", "-2", "@x", "ok", None, "a=b"], "n": [-1, 2, 3, 4, 5, 6, 7]})
    out = escape_cells(df)
    assert out["t"].tolist()[:5] == ["'=1+1", "'+1", "'-2", "'@x", "ok"]
    assert pd.isna(out["t"].iloc[5]) and out["t"].iloc[6] == "a=b"
    assert out["n"].tolist() == [-1, 2, 3, 4, 5, 6, 7]  # a negative number is not text


@pytest.mark.parametrize("wide", [False, True], ids=["long", "wide"])
def test_csv_export_escapes_formulas_writes_numbers_and_imports_back(lite, tmp_path, wide):
    seed(lite)
    path = export(lite, "orig", tmp_path / "o.csv", wide=wide)
    with open(path, newline="", encoding="utf-8") as f:
        table = list(csv.DictReader(f))
    cells = [c for row in table for c in row.values()]
    for text in [*RISKY, "@HQ"]:
        assert "'" + text in cells and text not in cells
    assert not [c for c in cells if c.startswith(("=", "+", "-", "@"))]
    numbers = [v for row in table for k, v in row.items()
               if k == "value" or (":" in k and not k.endswith(":comment"))]
    assert numbers and all(re.fullmatch(r"[1-5]?", v) for v in numbers)  # 4, not '4 or 4.0

    lite.create_campaign("back", "Back", "blocks", min_group_size=3)
    import_file(lite, path, "back")
    comments = set(lite.responses("back")["comment"].dropna())
    assert set(RISKY) <= comments and "@HQ" in set(lite.responses("back")["segment"])


@pytest.mark.parametrize("wide", [False, True], ids=["long", "wide"])
def test_xlsx_export_has_no_formulas_and_numbers_stay_numbers(lite, tmp_path, wide):
    seed(lite)
    path = export(lite, "orig", tmp_path / "o.xlsx", format="xlsx", wide=wide)
    ws = openpyxl.load_workbook(path).worksheets[0]
    header = [c.value for c in ws[1]]
    cells = [c for row in ws.iter_rows(min_row=2) for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    texts = [c.value for c in cells if isinstance(c.value, str)]
    for text in [*RISKY, "@HQ"]:
        assert "'" + text in texts
    assert not [t for t in texts if t.startswith(("=", "+", "-", "@"))]
    answer_cols = [n for n, h in enumerate(header)
                   if h == "value" or (":" in h and not h.endswith(":comment"))]
    answers = [row[n] for row in ws.iter_rows(min_row=2) for n in answer_cols
               if row[n].value is not None]
    assert answers and all(c.data_type == "n" and isinstance(c.value, int) for c in answers)

    lite.create_campaign("back", "Back", "blocks", min_group_size=3)
    import_file(lite, path, "back")
    assert set(RISKY) <= set(lite.responses("back")["comment"].dropna())


# -- survey-tool wide exports with a mapping --------------------------------------------------

def survey_mapping(tmp_path, values):
    cols = "".join(f"  Q{n}: {item}:level\n" for n, item in enumerate(FOCUS, 1))
    text = (f"skip_rows: 1\nrater_group: customer\ncolumns:\n  ResponseId: respondent\n"
            f"  Region: segment\n{cols}  Q8_TEXT: training:comment\nvalues:\n{values}")
    path = tmp_path / "mapping.yaml"
    path.write_text(text)
    return path


SURVEY = [
    ["StartDate", "IPAddress", "ResponseId", "Region", *[f"Q{n}" for n in range(1, 9)],
     "Q8_TEXT", "", ""],
    ["Start Date", "IP Address", "Response ID", "Region",
     *[f"How do we do on {i}?" for i in FOCUS], "Anything else?", "", ""],
    ["2024-03-01 09:00", "10.0.0.1", "R_1", "North",
     "Casual", "moderate", " INTENSE ", "2", "4", "Moderate", "Casual", "Intense", "great, thanks",
     "", ""],
    ["2024-03-01 09:05", "10.0.0.2", "R_2", "South", *["Moderate"] * 8, "", "x", "y"],
]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_survey_tool_export_with_mapping(lite, tmp_path, fmt):
    lite.create_campaign("cust", "Customers", "focus-levels", min_group_size=3)
    mapping = survey_mapping(tmp_path, "  Casual: 1\n  Moderate: 3\n  Intense: 5\n")
    path = tmp_path / f"survey.{fmt}"
    if fmt == "csv":
        write_csv(path, SURVEY)
    else:  # numbers typed as numbers, as Excel holds them
        path.write_bytes(xlsx_bytes([[int(c) if c.isdigit() else c for c in r] for r in SURVEY]))

    # rows counts data rows: the question-text row is skipped, not imported.
    assert import_file(lite, path, "cust", mapping=mapping) == ImportResult(2, 0, 2)
    df = lite.responses("cust")
    first = df[df["respondent"] == "R_1"].set_index("item")
    assert first["value"].tolist() == [1, 3, 5, 2, 4, 3, 1, 5]
    assert first.loc["training", "comment"] == "great, thanks"
    assert set(df["rater_group"]) == {"customer"}  # the mapping's constant
    assert df.groupby("respondent")["segment"].first().to_dict() == {"R_1": "North",
                                                                      "R_2": "South"}
    # The CLI's --rater-group wins over the mapping's constant.
    lite.create_campaign("cust2", "Customers 2", "focus-levels", min_group_size=3)
    import_file(lite, path, "cust2", mapping=mapping, rater_group="partner")
    assert set(lite.responses("cust2")["rater_group"]) == {"partner"}


def test_survey_mapping_likert_labels_and_problems_name_the_source_column(lite, tmp_path):
    lite.create_campaign("sd", "Say-do", "say-do", rater_groups=["internal"], min_group_size=3)
    items = [i.id for i in load_instrument("say-do").items]
    cols = "".join(f"  {i}_S: {i}:say\n  {i}_D: {i}:do\n" for i in items)
    mapping = tmp_path / "m.yaml"
    mapping.write_text(f"skip_rows: 1\nrater_group: internal\ncolumns:\n{cols}values:\n"
                       "  Strongly disagree: 1\n  Disagree: 2\n  Neutral: 3\n  Agree: 4\n"
                       "  Strongly agree: 5\n")
    header = [c for i in items for c in (f"{i}_S", f"{i}_D")]
    good = ["Strongly agree", "Agree"] * len(items)
    bad = ["Neutral", "Kind of"] + ["Agree"] * (len(header) - 3) + [""]
    write_csv(tmp_path / "ok.csv", [header, header, good])
    assert import_file(lite, tmp_path / "ok.csv", "sd", mapping=mapping).created == 1
    assert set(lite.responses("sd")["value"]) == {5, 4}

    write_csv(tmp_path / "bad.csv", [header, header, good, bad])
    with pytest.raises(ImportFileError) as info:
        import_file(lite, tmp_path / "bad.csv", "sd", mapping=mapping)
    # Row 4: header, question text, one good row; columns as the survey tool names them.
    assert info.value.rows == [
        (4, f"{items[0]}_D ({items[0]}:do)", "Kind of", "not a number nor an answer in "
         "values (agree, disagree, neutral, strongly agree, strongly disagree)"),
        (4, f"{items[-1]}_D ({items[-1]}:do)", "", "required answer missing (add "
         "'incomplete: skip' to the mapping to leave such rows out)")]
    assert n_subs(lite, "sd") == 1


# -- error reports --------------------------------------------------------------------------

def test_long_file_reports_every_problem_with_spreadsheet_rows(store, focus, tmp_path):
    ok = [["s1", "self", item, "level", "3", ""] for item in FOCUS]
    rows = [
        ["submission", "rater_group", "item", "facet", "value", "comment", "colour", "comment"],
        [*ok[0], "", 'two\nlines'],  # row 2: a quoted newline is still one spreadsheet row
        ["s1", "self", "nosuch", "level", "3", "", "", ""],  # 3
        ["s1", "self", FOCUS[1], "depth", "3", "", "", ""],  # 4
        ["s1", "self", FOCUS[2], "level", "7", "", "", ""],  # 5
        ["s1", "self", FOCUS[3], "level", "lots", "", "", ""],  # 6
        ["s2", "boss", FOCUS[0], "level", "3", "", "", ""],  # 7
        ["s3", "customer", FOCUS[0], "level", "3", "", "", ""],  # 8
        ["s1", "self", FOCUS[4], "level", "3"],  # 9: five cells
        [*ok[0][:4], "4", "", "", ""],  # 10: answered twice
    ]
    path = write_csv(tmp_path / "bad.csv", rows)
    with pytest.raises(ImportFileError) as info:
        import_file(store, path, "focus")
    got = info.value.rows
    expected = [
        (1, "colour", "", "unknown column"),
        (1, "comment", "", "this column appears more than once"),
        (2, f"{FOCUS[7]}:level", "", "required answer missing"),
        (3, "item", "nosuch", "no such item in focus-levels"),
        (4, "facet", "depth", f"{FOCUS[1]} asks level"),
        (5, "value", "7", "not on the level scale (1, 2, 3, 4, 5)"),
        (6, "value", "lots", "not a number"),
        (7, "rater_group", "boss", "not a rater group"),
        (8, "rater_group", "customer", "this campaign asks self, team"),
        (9, "comment", "", "has 5 cells; the header has 8"),  # the first column it lacks
        (10, "facet", "level", f"{FOCUS[0]}.level answered twice in this submission"),
    ]
    for want in expected:
        assert any(g[:3] == want[:3] and g[3].startswith(want[3]) for g in got), want
    assert [g[0] for g in got] == sorted(g[0] for g in got)
    assert all(isinstance(r, int) and all(isinstance(x, str) for x in rest)
               for r, *rest in got)
    assert "row 5, column 'value', value '7': not on the level scale" in str(info.value)
    assert n_subs(store, "focus") == 0


def test_wide_xlsx_reports_header_and_cell_problems(lite, tmp_path):
    header = wide_header(["nosuch:level", f"{FOCUS[0]}:depth", "rater_group"])
    good = ["r1", "self", *"12345123", None, None, "self"]
    rows = [header, good, ["r2", "self", *"1234512", 9, None, None, "self"],
            [None] * len(header), ["r1", "team", *"12345123", None, None, "team"]]
    path = tmp_path / "w.xlsx"
    path.write_bytes(xlsx_bytes(rows))
    with pytest.raises(ImportFileError) as info:
        import_file(lite, path, "focus")
    got = [r[:3] for r in info.value.rows]
    assert (1, "rater_group", "") in got  # duplicate column
    assert (1, "nosuch:level", "") in got and (1, f"{FOCUS[0]}:depth", "") in got
    assert (3, f"{FOCUS[7]}:level", "9") in got
    assert (5, "respondent", "r1") in got  # same respondent as row 2: not dropped silently
    assert n_subs(lite, "focus") == 0


def test_more_than_fifty_problems_are_counted_not_listed(store, focus, tmp_path):
    rows = [wide_header()] + [[f"r{n}", "self", *"1234512", "6"] for n in range(60)]
    with pytest.raises(ImportFileError) as info:
        import_file(store, write_csv(tmp_path / "many.csv", rows), "focus")
    err = info.value
    assert len(err.rows) == 60 and len(err.problems) == 50
    assert [r[0] for r in err.rows] == list(range(2, 62))
    text = str(err)
    assert text.count("\n  - row ") == 50 and text.endswith("\n  ... and 10 more")
    assert "nothing imported, 60 problem(s)" in text
    assert n_subs(store, "focus") == 0


def test_store_refusals_keep_their_row_numbers(store, focus, tmp_path):
    # Lengths and token rules are the store's checks; the import still names the rows.
    rows = [wide_header([f"{FOCUS[0]}:comment"]), ["r1", "self", *"12345123", "fine"],
            ["r2", "self", *"12345123", "x" * 2100], ["t" * 200, "self", *"12345123", ""]]
    with pytest.raises(ImportFileError) as info:
        import_file(store, write_csv(tmp_path / "long.csv", rows), "focus")
    assert [r[0] for r in info.value.rows] == [3, 4]
    assert "2100 characters" in info.value.rows[0][3]
    assert n_subs(store, "focus") == 0


# -- malformed files --------------------------------------------------------------------------

def _real_xlsx():
    return xlsx_bytes([wide_header(), ["r1", "self", *[3] * 8]])


MALFORMED = {
    "empty.csv": (b"", "empty"),
    "blank-lines.csv": (b"\r\n\n , \n", "empty"),
    "header-only.csv": (",".join(wide_header()).encode() + b"\n", "no data rows"),
    "latin1.csv": ("respondent,rater_group,Région\nr1,self,Zürich\n".encode("latin-1"), "UTF-8"),
    "nul.csv": (b"respondent,rater_group\nr1\x00,self\n", "NUL"),
    "garbage.csv": (random.Random(1).randbytes(3000), "UTF-8"),
    "no-answers.csv": (b"rater_group,respondent\nself,bob\n", "no answer columns"),
    "not-items.csv": (b"name,age\nbob,3\n", "no such item"),
    "garbage.xlsx": (b"PK\x03\x04" + random.Random(2).randbytes(3000), "Excel"),
    "text.xlsx": (b"respondent,rater_group\nr1,self\n", "Excel"),
    "truncated.xlsx": (_real_xlsx()[:1500], "Excel"),
    "empty.xlsx": (b"", "Excel"),
    "blank-sheet.xlsx": (xlsx_bytes([]), "empty"),
    "header-only.xlsx": (xlsx_bytes([wide_header()]), "no data rows"),
}


@pytest.mark.parametrize("name", MALFORMED)
def test_malformed_files_raise_import_file_error(lite, tmp_path, name):
    data, reason = MALFORMED[name]
    (tmp_path / name).write_bytes(data)
    with pytest.raises(ImportFileError) as info:
        import_file(lite, tmp_path / name, "focus")
    assert reason in str(info.value) and info.value.rows
    assert n_subs(lite, "focus") == 0


def test_missing_file_and_directory_raise_import_file_error(lite, tmp_path):
    (tmp_path / "dir.csv").mkdir()
    for p in (tmp_path / "missing.csv", tmp_path / "dir.csv", tmp_path / "missing.xlsx"):
        with pytest.raises(ImportFileError, match="cannot be read|not a readable"):
            import_file(lite, p, "focus")


@pytest.mark.parametrize(("delimiter", "encoding"), [(";", "utf-8"), ("\t", "utf-8"),
                                                     (",", "utf-8-sig"), (";", "utf-8-sig")],
                         ids=["semicolon", "tab", "bom", "bom-semicolon"])
def test_spreadsheet_csv_dialects_import(lite, tmp_path, delimiter, encoding):
    # Excel in a comma-decimal locale writes ';' and may add a BOM; "4,0" is then four.
    rows = [[*wide_header(["segment"])], ["r1", "self", *"1234512", "4,0", "Zürich, CH"],
            ["r2", "team", *"55555555", "Süd"]]
    path = write_csv(tmp_path / "d.csv", rows, delimiter=delimiter, encoding=encoding)
    assert import_file(lite, path, "focus") == ImportResult(2, 0, 2)
    df = lite.responses("focus")
    assert set(df["segment"]) == {"Zürich, CH", "Süd"} and df["value"].iloc[7] == 4


def test_unknown_campaign_is_a_store_error(lite, tmp_path):
    path = write_csv(tmp_path / "a.csv", [wide_header(), ["r1", "self", *"12345123"]])
    with pytest.raises(StoreError, match="no campaign 'nope'"):
        import_file(lite, path, "nope")


BAD_MAPPINGS = {
    "not-yaml": "columns: [unclosed",
    "a-list": "- Q1\n- Q2\n",
    "no-columns": "skip_rows: 1\n",
    "empty-columns": "columns: {}\n",
    "typo-key": "colums: {Q1: data:level}\n",
    "text-values": "columns: {Q1: data:level}\nvalues: {Casual: low}\n",
    "bool-values": "columns: {Q1: data:level}\nvalues: {Casual: true}\n",
    "negative-skip": "columns: {Q1: data:level}\nskip_rows: -1\n",
    "huge-skip": "columns: {Q1: data:level}\nskip_rows: 1000\n",
}


@pytest.mark.parametrize("name", BAD_MAPPINGS)
def test_bad_mapping_files_raise_focuskit_error(lite, tmp_path, name):
    path = write_csv(tmp_path / "a.csv", [["Q1"], ["3"]])
    mapping = tmp_path / "m.yaml"
    mapping.write_text(BAD_MAPPINGS[name])
    with pytest.raises(FocuskitError, match="m.yaml"):
        import_file(lite, path, "focus", mapping=mapping)


def test_unreadable_mapping_files_raise_focuskit_error(lite, tmp_path):
    path = write_csv(tmp_path / "a.csv", [["Q1"], ["3"]])
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("columns: {Région: data:level}\n".encode("latin-1"))
    for bad in (tmp_path / "missing.yaml", tmp_path, latin):
        with pytest.raises(FocuskitError, match="cannot read the mapping"):
            import_file(lite, path, "focus", mapping=bad)


def test_mapping_to_an_unknown_item_is_reported_at_the_header(lite, tmp_path):
    mapping = tmp_path / "m.yaml"
    mapping.write_text("rater_group: self\ncolumns: {Q1: nosuch:level}\n")
    path = write_csv(tmp_path / "a.csv", [["Q1"], ["3"]])
    with pytest.raises(ImportFileError) as info:
        import_file(lite, path, "focus", mapping=mapping)
    assert info.value.rows[0][:2] == (1, "Q1 (nosuch:level)")


# -- CLI --------------------------------------------------------------------------------------

def test_cli_import_and_export(capsys, sqlite_url, tmp_path, monkeypatch):
    with Store(sqlite_url) as s:
        seed(s)
        s.create_campaign("copy", "Copy", "blocks", min_group_size=3)
    monkeypatch.chdir(tmp_path)

    assert main(["--db", sqlite_url, "export", "orig", "--wide"]) == 0
    assert capsys.readouterr().out.strip() == "Wrote orig-wide.csv"
    out = tmp_path / "x" / "orig.xlsx"
    assert main(["--db", sqlite_url, "export", "orig", "--format", "xlsx", "--out", str(out)]) == 0
    assert capsys.readouterr().out.strip() == f"Wrote {out}"

    for created, existing in [(4, 0), (0, 4)]:
        assert main(["--db", sqlite_url, "import", "orig-wide.csv", "--campaign", "copy"]) == 0
        captured = capsys.readouterr()
        assert captured.err == "" and captured.out.splitlines()[0] == (
            f"Imported {created} new submission(s) from 4 row(s) into copy; "
            f"{existing} were already imported.")
    with Store(sqlite_url) as s:
        assert n_subs(s, "copy") == 4


def test_cli_import_errors_exit_2_without_traceback(capsys, sqlite_url, tmp_path):
    with Store(sqlite_url) as s:
        s.create_campaign("focus", "Focus", "focus-levels", min_group_size=3)
    bad = write_csv(tmp_path / "bad.csv", [wide_header(), ["r1", "self", *"1234512", "9"]])
    (tmp_path / "junk.xlsx").write_bytes(b"not a workbook")
    cases = [
        (["import", str(bad), "--campaign", "focus"], "row 2, column 'training:level'"),
        (["import", str(tmp_path / "junk.xlsx"), "--campaign", "focus"], "not a readable Excel"),
        (["import", str(tmp_path), "--campaign", "focus"], "cannot be read"),
        (["import", str(bad), "--campaign", "nope"], "no campaign 'nope'"),
        (["import", str(bad), "--campaign", "focus", "--mapping", str(bad)], "mapping"),
        (["export", "nope"], "no campaign 'nope'"),
    ]
    for argv, needle in cases:
        assert main(["--db", sqlite_url, *argv]) == 2, argv
        captured = capsys.readouterr()
        assert captured.out == "" and captured.err.startswith("focuskit: ")
        assert needle in captured.err and "Traceback" not in captured.err
    with Store(sqlite_url) as s:
        assert n_subs(s, "focus") == 0


def test_cli_import_with_mapping_and_rater_group(capsys, sqlite_url, tmp_path):
    with Store(sqlite_url) as s:
        s.create_campaign("cust", "Customers", "focus-levels", min_group_size=3)
    mapping = survey_mapping(tmp_path, "  Casual: 1\n  Moderate: 3\n  Intense: 5\n")
    path = write_csv(tmp_path / "survey.csv", SURVEY)
    argv = ["--db", sqlite_url, "import", str(path), "--campaign", "cust", "--mapping",
            str(mapping), "--rater-group", "partner", "--segment", "ignored-when-given"]
    assert main(argv) == 0
    assert "Imported 2 new submission(s) from 2 row(s) into cust" in capsys.readouterr().out
    with Store(sqlite_url) as s:
        df = s.responses("cust")
    assert set(df["rater_group"]) == {"partner"} and set(df["segment"]) == {"North", "South"}


# -- fuzzing ----------------------------------------------------------------------------------

FUZZ = settings(deadline=None, max_examples=150,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
GROUPS = ["self", "team"]
SAFE_TEXT = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"),
                    max_size=25)
JUNK = st.one_of(
    st.sampled_from(["", " ", "0", "6", "-1", "3.5", "3,0", "1,000", "1e400", "nan", "inf",
                     "=1+1", "'=1", "'", '"', '""x"', ",", ";", "\n", "\r\n", "\t", "x" * 2100,
                     "Self", " team ", "customer", "boss", "level", "say", "comment",
                     "submission", "item:level", "\ufeff", "\x00", *FOCUS]),  # NUL: rarely
    st.integers(-20, 20).map(str),
    st.floats().map(str),
    SAFE_TEXT,
    st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=100, max_size=250),
)


@st.composite
def tables(draw):
    """A header and rows: a plausible long or wide file, with some junk mixed in."""
    rate = draw(st.sampled_from([0, 0, 3, 30]))  # percent of cells replaced by junk

    def cell(valid):
        return draw(JUNK) if rate and draw(st.integers(0, 99)) < rate else valid

    def valid(col, key, group, item):
        fixed = {"rater_group": group, "respondent": key, "submission": key, "item": item,
                 "facet": "level", "campaign": "orig", "section": "markets"}
        if col in fixed:
            return fixed[col]
        if col == "value" or col.endswith(":level"):
            return draw(st.sampled_from("12345"))
        if col == "segment":
            return draw(st.sampled_from(["", "North", "=cmd", "Zürich, CH"]))
        return draw(SAFE_TEXT)  # comments

    keys = draw(st.lists(st.sampled_from(["s1", "s2", "007", "-3"]), unique=True, max_size=3))
    if draw(st.booleans()):
        header = [f"{i}:level" for i in FOCUS] + ["rater_group"] + draw(st.lists(st.sampled_from(
            ["respondent", "submission", "segment", "campaign", f"{FOCUS[0]}:comment"]),
            unique=True, max_size=3))
        records = [(k, draw(st.sampled_from(GROUPS)), None) for k in keys]
    else:
        header = ["item", "facet", "value", "submission", "rater_group"] + draw(st.lists(
            st.sampled_from(["respondent", "segment", "comment", "section"]), unique=True,
            max_size=3))
        records = []
        for k in keys:
            g = draw(st.sampled_from(GROUPS))
            items = draw(st.sampled_from([FOCUS, FOCUS[:-1], FOCUS + FOCUS[:1]]))
            records += [(k, g, i) for i in items]
    if rate:
        header += draw(st.lists(JUNK, max_size=2))
    header = draw(st.permutations(header))
    rows = [[cell(valid(c, *rec)) for c in header] for rec in records]
    if rate:
        for junk in draw(st.lists(st.lists(JUNK, max_size=len(header) + 2), max_size=2)):
            rows.insert(draw(st.integers(0, len(rows))), junk)
    return [cell(h) for h in header], rows


@st.composite
def csv_files(draw):
    header, rows = draw(tables())
    delimiter = draw(st.sampled_from([",", ",", ";", "\t"]))
    if draw(st.integers(0, 9)) == 0:  # unquoted: broken quoting, ragged rows
        text = "\n".join(delimiter.join(r) for r in [header, *rows])
    else:
        buf = io.StringIO()
        csv.writer(buf, delimiter=delimiter).writerows([header, *rows])
        text = buf.getvalue()
    return (draw(st.sampled_from(["", "", "\ufeff"])) + text).encode("utf-8")


@st.composite
def xlsx_files(draw):
    header, rows = draw(tables())
    as_number = draw(st.booleans())  # Excel holds typed answers as numbers

    def put(c):
        c = ILLEGAL_CHARACTERS_RE.sub("", c)
        return int(c) if as_number and re.fullmatch(r"-?\d{1,6}", c) else c

    return xlsx_bytes([[put(c) for c in r] for r in [header, *rows]])


@pytest.fixture(scope="module")
def fuzz_store(tmp_path_factory):
    """One SQLite store for all examples: checks compare submission counts before and after."""
    d = tmp_path_factory.mktemp("fuzz")
    with Store(f"sqlite:///{d / 'fuzz.db'}") as s:
        s.create_campaign("focus", "Focus", "focus-levels", rater_groups=GROUPS,
                          min_group_size=3)
        yield s, d


def import_checked(fuzz_store, data: bytes, name: str, **kw):
    """Import ``data``: a result with exactly that many new submissions, or a clean refusal."""
    store, d = fuzz_store
    path = d / name
    path.write_bytes(data)
    before = n_subs(store, "focus")
    try:
        res = import_file(store, path, "focus", **kw)
    except FocuskitError as e:
        # --hypothesis-show-statistics lists these: what the fuzzer reached.
        event(f"refused: {re.sub(r'[0-9]+', 'N', (e.problems or [str(e)])[0][-40:])}")
        assert n_subs(store, "focus") == before  # never a partial import
        assert str(e)
        if isinstance(e, ImportFileError):
            assert e.rows and all(isinstance(r, int) and r >= 0 and all(
                isinstance(x, str) for x in rest) for r, *rest in e.rows)
        return None
    event("accepted")
    assert res.created >= 0 and res.existing >= 0 and res.rows >= 1
    assert n_subs(store, "focus") == before + res.created
    # Whatever was accepted once is recognised the second time.
    again = import_file(store, path, "focus", **kw)
    assert again == ImportResult(0, res.created + res.existing, res.rows)
    return res


@pytest.mark.slow
@FUZZ
@given(data=csv_files())
def test_fuzz_csv_import_is_all_or_nothing(fuzz_store, data):
    import_checked(fuzz_store, data, "fuzz.csv")


@pytest.mark.slow
@settings(FUZZ, max_examples=80)
@given(data=xlsx_files())
def test_fuzz_xlsx_import_is_all_or_nothing(fuzz_store, data):
    import_checked(fuzz_store, data, "fuzz.xlsx")


@settings(FUZZ, max_examples=100)
@given(data=st.binary(max_size=3000), suffix=st.sampled_from([".csv", ".xlsx", ".txt"]))
def test_fuzz_random_bytes_never_crash(fuzz_store, data, suffix):
    import_checked(fuzz_store, data, f"raw{suffix}")


@st.composite
def damaged_workbooks(draw):
    """A real workbook with one XML part spoiled, re-zipped: reaches openpyxl's parsers.

    Flipping bytes of the file itself only ever reaches zipfile's CRC check.
    """
    src = zipfile.ZipFile(io.BytesIO(_real_xlsx()))
    names = src.namelist()
    victim = draw(st.sampled_from(names))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for name in names:
            data = src.read(name)
            if name == victim:
                a = draw(st.integers(0, len(data)))
                b = draw(st.integers(a, min(len(data), a + 40)))
                junk = draw(st.sampled_from([b"", b"<", b"</x>", b'"', b"&amp;", b"\xff\xfe",
                                             b"<c r=\"ZZZ99999999\"><v>1</v></c>", b"999999"]))
                data = data[:a] + junk + data[b:]
            if name != victim or draw(st.integers(0, 9)):  # sometimes drop the part entirely
                z.writestr(name, data)
    return out.getvalue()


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::UserWarning")  # openpyxl's remarks on a broken part
@settings(FUZZ, max_examples=100)
@given(data=damaged_workbooks())
def test_fuzz_damaged_workbooks_never_crash(fuzz_store, data):
    import_checked(fuzz_store, data, "damaged.xlsx")


MAPPING_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 30) | st.floats() | JUNK,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(JUNK, inner, max_size=3),
    max_leaves=8)


VALID_MAPPING = {
    "skip_rows": 1, "rater_group": "self",
    "columns": {"ResponseId": "respondent", "Region": "segment", "Q8_TEXT": "training:comment",
                **{f"Q{n}": f"{i}:level" for n, i in enumerate(FOCUS, 1)}},
    "values": {"Casual": 1, "Moderate": 3, "Intense": 5},
}


@st.composite
def mappings(draw):
    """The survey mapping with up to three keys or entries replaced by junk."""
    m = copy.deepcopy(VALID_MAPPING)
    for _ in range(draw(st.integers(0, 3))):
        key = draw(st.sampled_from([*m, "segment", "colour"]))
        inner = m.get(key)
        if isinstance(inner, dict) and inner and draw(st.booleans()):
            inner[draw(st.sampled_from(sorted(inner)))] = draw(MAPPING_VALUES)
        else:
            m[key] = draw(MAPPING_VALUES)
    return m


@settings(FUZZ, max_examples=100)
@given(mapping=mappings())
def test_fuzz_mapping_files_never_crash(fuzz_store, mapping):
    store, d = fuzz_store
    (d / "fuzz-map.yaml").write_text(yaml.safe_dump(mapping, allow_unicode=True),
                                     encoding="utf-8")
    buf = io.StringIO()
    csv.writer(buf).writerows(SURVEY)
    import_checked(fuzz_store, buf.getvalue().encode(), "fuzz-survey.csv",
                   mapping=d / "fuzz-map.yaml")


def test_fuzz_strategy_reaches_successful_imports(fuzz_store):
    # Guard against a vacuous fuzzer: csv_files() must also produce files that import.
    found = find(csv_files(), lambda data: import_checked(fuzz_store, data, "probe.csv") is not None,
                 settings=settings(deadline=None, max_examples=300, database=None,
                                   suppress_health_check=list(HealthCheck)))
    assert found


def test_thousands_separator_is_not_read_as_a_small_number(tmp_path):
    from focuskit.io.imports import _number

    assert _number("4,0", {}) == (4.0, None)
    assert _number("1,000", {})[1] == "not a number"
