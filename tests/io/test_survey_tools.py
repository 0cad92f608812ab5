"""Exports of Qualtrics, SurveyMonkey, Google Forms, Microsoft Forms and LimeSurvey, imported as
downloaded with only a mapping file, and compared with what each respondent answered."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from survey_exports import ITEMS, TOOLS, make, people, quirks, respondent_of

from focuskit import FocuskitError, ImportFileError, Store
from focuskit.analysis import profile
from focuskit.analysis.anonymity import counted_with
from focuskit.apps.admin import AdminState
from focuskit.cli import main
from focuskit.io.imports import import_file
from focuskit.io.mapping import read_mapping

EXPECTED_LEFT_OUT = {  # (skipped: unfinished or incomplete, dropped: preview/test/filter)
    "qualtrics": (2, 1), "surveymonkey": (2, 1), "google-forms": (1, 1),
    "microsoft-forms": (1, 1), "limesurvey": (2, 1)}


@pytest.fixture
def lite(sqlite_url):
    with Store(sqlite_url) as s:
        yield s


def campaign(store, cid="tools"):
    store.create_campaign(cid, "Tools", "focus-levels", rater_groups=["customer"])
    return cid


def write(tmp_path, tool, everyone, mapping=None):
    name, data, text = make(tool, everyone)
    (tmp_path / name).write_bytes(data)
    (tmp_path / "map.yaml").write_text(mapping if mapping is not None else text,
                                       encoding="utf-8")
    return tmp_path / name, tmp_path / "map.yaml"


def stored(store, cid):
    """{respondent code or tool time: (segment, levels, data comment, tool time, arrival)}"""
    df = store.responses(cid)
    info = store.submission_info(cid).set_index("submission")
    out = {}
    for sub, rows in df.groupby("submission"):
        levels = tuple(int(rows.loc[rows["item"] == i, "value"].iloc[0])
                       if (rows["item"] == i).any() else None for i in ITEMS)
        notes = rows.loc[rows["item"] == "data", "comment"].dropna()
        tool_time = info.loc[sub, "source_submitted_at"].to_pydatetime()
        key = rows["respondent"].iloc[0] or tool_time
        out[key] = (rows["segment"].iloc[0], levels, notes.iloc[0] if len(notes) else None,
                    tool_time, info.loc[sub, "submitted_at"].to_pydatetime())
    return out


def expected(tool, everyone):
    return {respondent_of(tool, p, everyone) or p.finished:
            (p.region, p.levels, p.comment, p.finished) for p in everyone}


@pytest.mark.parametrize("tool", list(TOOLS))
def test_each_tools_export_imports_as_downloaded(store, tool, tmp_path):
    cid = campaign(store)
    everyone = people(32)
    path, mapping = write(tmp_path, tool, everyone)
    before = datetime.now(UTC)
    res = import_file(store, path, cid, mapping=mapping)
    assert (res.created, res.existing) == (32, 0), res.describe()
    assert (len(res.skipped), len(res.dropped)) == EXPECTED_LEFT_OUT[tool], res.describe()
    assert res.format == tool and res.detected == (tool == "microsoft-forms")
    got = stored(store, cid)
    want = expected(tool, everyone)
    assert set(got) == set(want)
    for key, (region, levels, comment, finished) in want.items():
        seg, lv, note, tool_time, arrival = got[key]
        assert (seg, lv, note, tool_time) == (region, levels, comment, finished), key
        # The tool's time is kept apart; the arrival time is the import's own.
        assert arrival >= before.replace(microsecond=0)
    # Unfinished, incomplete and test responses are listed with their rows, not stored.
    text = "\n".join(res.describe())
    assert "required answer missing: innovation:level" in text
    if tool in ("qualtrics", "limesurvey"):
        assert "unfinished response" in text
    assert store.counts(cid)["submissions"] == 32


@pytest.mark.parametrize("tool", list(TOOLS))
def test_the_format_is_detected_and_said(lite, tool, tmp_path):
    cid = campaign(lite)
    _, _, text = make(tool, people(4))
    text = "\n".join(line for line in text.splitlines() if not line.startswith("format:"))
    path, mapping = write(tmp_path, tool, people(4), text + "\n")
    res = import_file(lite, path, cid, mapping=mapping, check=True)
    assert (res.format, res.detected, res.checked, res.created) == (tool, True, True, 4)
    assert f"Format: {tool} (assumed from the file's header" in res.describe()[0]
    assert lite.counts(cid)["submissions"] == 0


@pytest.mark.parametrize("tool", ["qualtrics", "google-forms", "limesurvey"])
def test_a_cumulative_re_export_adds_only_the_new_respondents(store, tool, tmp_path):
    cid = campaign(store)
    everyone = people(32)
    path, mapping = write(tmp_path, tool, everyone[:20])
    assert import_file(store, path, cid, mapping=mapping).created == 20
    first = store.submission_info(cid)
    path, mapping = write(tmp_path, tool, everyone)  # weeks 1 and 2
    res = import_file(store, path, cid, mapping=mapping)
    assert (res.created, res.existing) == (12, 20)
    assert set(stored(store, cid)) == set(expected(tool, everyone))
    again = store.submission_info(cid).set_index("submission")
    # The first week's answers keep their arrival time: nothing they released moves.
    for sub, arrived in zip(first["submission"], first["submitted_at"], strict=True):
        assert again.loc[sub, "submitted_at"] == arrived


def test_a_changed_answer_is_reported_and_replaced_only_when_asked(store, tmp_path):
    cid = campaign(store)
    everyone = people(10)
    path, mapping = write(tmp_path, "qualtrics", everyone)
    import_file(store, path, cid, mapping=mapping)
    arrival = store.submission_info(cid).set_index("respondent")["submitted_at"]
    p = everyone[3]
    changed = [*everyone]
    changed[3] = type(p)(p.id, p.region, (5, 5, 5, 5, 5, 5, 5, 4), p.comment, p.started,
                         p.seconds)
    path, mapping = write(tmp_path, "qualtrics", changed)
    res = import_file(store, path, cid, mapping=mapping)
    assert (res.created, res.existing, res.replaced) == (0, 10, 0)
    [(row, who, changes)] = res.changed
    assert who == f"R_{p.id}xYz" and row == 4 + 3
    new = (5, 5, 5, 5, 5, 5, 5, 4)
    assert changes == sorted(f"{i}:level {a} → {b}" for i, a, b in zip(ITEMS, p.levels, new,
                                                                        strict=True) if a != b)
    assert stored(store, cid)[who][1] == p.levels  # kept as stored
    with pytest.raises(ValueError, match="counted_with"):  # never without the rule
        import_file(store, path, cid, mapping=mapping, replace=True)
    before = profile(store.responses(cid), by="rater_group")
    res = import_file(store, path, cid, mapping=mapping, replace=True,
                      counted_with=counted_with)
    assert res.replaced == 1 and store.counts(cid)["submissions"] == 10
    assert stored(store, cid)[who][1] == (5, 5, 5, 5, 5, 5, 5, 4)
    after = store.submission_info(cid).set_index("respondent")["submitted_at"]
    assert after[who] >= arrival[who]  # a new arrival, as a new answer would be
    # The figures before and after differ by whole blocks (here: the ten imported together
    # are withheld), never by one person's change of answers.
    now = profile(store.responses(cid), by="rater_group")
    assert not before["suppressed"].any() and now["suppressed"].all()
    assert import_file(store, path, cid, mapping=mapping).changed == ()


def test_a_mapped_column_not_in_the_file_is_an_error_with_the_closest_names(lite, tmp_path):
    cid = campaign(lite)
    _, _, text = make("limesurvey", people(4))
    text = text.replace("  G01Q01: segment", "  G01Q1: segment").replace(
        "keep:\n  startlanguage: [en]", "keep:\n  startlangauge: [en]")
    path, mapping = write(tmp_path, "limesurvey", people(4), text)
    with pytest.raises(ImportFileError) as info:
        import_file(lite, path, cid, mapping=mapping)
    rows = info.value.rows
    assert rows[0][:2] == (1, "G01Q1") and "closest: 'G01Q01'" in rows[0][3]
    assert rows[1][:2] == (1, "startlangauge") and "closest: 'startlanguage'" in rows[1][3]
    assert lite.counts(cid)["submissions"] == 0


def test_quotes_only_in_the_last_column_with_windows_line_endings(lite, tmp_path):
    cid = campaign(lite)
    cols = [f"{i}:level" for i in ITEMS]
    lines = ["respondent,rater_group," + ",".join(cols) + ",data:comment"]
    lines += [f"r{k},customer," + ",".join("3" * 8) + ',"They promised ""soon""; still, no"'
              for k in range(3)]
    path = tmp_path / "last.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode())
    assert import_file(lite, path, cid).created == 3
    notes = lite.responses(cid)["comment"].dropna().tolist()
    assert notes == ['They promised "soon"; still, no'] * 3


def test_norway_and_yes_no_stay_text(lite, tmp_path):
    mp = tmp_path / "m.yaml"
    mp.write_text("segment: NO\nvalues: {Yes: 1, No: 0}\ncolumns:\n  NO: data:level\n"
                  "  Q: respondent\n")
    m = read_mapping(mp)
    assert m.segment == "NO" and m.values == {"yes": 1.0, "no": 0.0}
    assert m.columns == {"NO": "data:level", "Q": "respondent"}
    cid = campaign(lite)
    _, _, text = make("qualtrics", people(4))
    path, mapping = write(tmp_path, "qualtrics", people(4),
                          text.replace("  Q1: segment\n", "").replace(
                              "recode:\n  Q1: {1: NO, 2: SE, 3: DK, 4: FI}\n", "segment: NO\n"))
    import_file(lite, path, cid, mapping=mapping)
    assert set(lite.responses(cid)["segment"]) == {"NO"}


def test_a_google_forms_header_with_colons_needs_quotes_and_says_so(lite, tmp_path):
    mp = tmp_path / "m.yaml"
    mp.write_text("columns:\n  Rate us: speed [Now]: data:level\n")
    with pytest.raises(FocuskitError, match="put a column name in double quotes"):
        read_mapping(mp)
    mp.write_text("columns:\n  Rate each area [Data]: data:level\n")  # brackets alone are fine
    assert read_mapping(mp).columns == {"Rate each area [Data]": "data:level"}


def test_errors_name_the_source_row_column_and_value(lite, tmp_path):
    cid = campaign(lite)
    everyone = people(6)
    name, data, text = make("qualtrics", everyone)
    rows = data.decode("utf-8-sig").split("\r\n")
    bad = rows[4].rsplit(",", 1)[0] + ',"' + "x" * 2100 + '"'
    rows[4] = bad  # row 5: a comment over 2,000 characters
    rows[5] = rows[5].replace("R_0003xYz", "R_\x07bell")  # row 6: a control character in the id
    path = tmp_path / name
    path.write_bytes("\r\n".join(rows).encode())
    (tmp_path / "m.yaml").write_text(text.replace("{1: NO,", "{1: " + "N" * 101 + ","))
    with pytest.raises(ImportFileError) as info:
        import_file(lite, path, cid, mapping=tmp_path / "m.yaml")
    got = {(r, c): (v, why) for r, c, v, why in info.value.rows}
    assert got[(5, "Q3 (data:comment)")][1] == "the comment has 2100 characters; at most 2000"
    assert got[(6, "ResponseId (respondent)")][0] == "R_\\x07bell"
    assert got[(4, "Q1 (segment)")][1].startswith("a segment has at most 100 characters")
    assert all(c for _, c, _, _ in info.value.rows)
    assert lite.counts(cid)["submissions"] == 0


def test_an_unclosed_quote_says_where_it_opened(lite, tmp_path):
    cid = campaign(lite)
    cols = ",".join(f"{i}:level" for i in ITEMS)
    text = (f"respondent,rater_group,{cols},data:comment\r\n"
            f"r1,customer,{','.join('3' * 8)},fine\r\n"
            f'r2,customer,{",".join("3" * 8)},"never closed\r\n'
            f"r3,customer,{','.join('3' * 8)},fine\r\n")
    (tmp_path / "q.csv").write_text(text, newline="")
    with pytest.raises(ImportFileError) as info:
        import_file(lite, tmp_path / "q.csv", cid)
    [(row, col, value, why)] = info.value.rows
    assert row == 3 and "quote" in why and "line 3" in why


def test_refuse_is_the_default_and_names_the_rows(lite, tmp_path):
    cid = campaign(lite)
    _, _, text = make("qualtrics", people(4))
    path, mapping = write(tmp_path, "qualtrics", people(4), text.replace("incomplete: skip\n",
                                                                         ""))
    with pytest.raises(ImportFileError) as info:
        import_file(lite, path, cid, mapping=mapping)
    rows = info.value.rows
    assert rows[0][:3] == (8, "Finished", "False") and "unfinished" in rows[0][3]
    assert rows[1][:2] == (9, "Q2_5 (innovation:level)")
    assert lite.counts(cid)["submissions"] == 0


def test_quality_flags_are_kept_not_applied(lite, tmp_path):
    cid = campaign(lite)
    everyone = people(12)
    flat = everyone[2]
    everyone[2] = type(flat)(flat.id, flat.region, (4,) * 8, None, flat.started, flat.seconds)
    fast = everyone[5]
    everyone[5] = type(fast)(fast.id, fast.region, fast.levels, None, fast.started, 30)
    path, mapping = write(tmp_path, "qualtrics", everyone)
    res = import_file(lite, path, cid, mapping=mapping, check=True)
    flagged = {who: f for _, who, f in res.flagged}
    assert flagged == {f"R_{flat.id}xYz": ("straight-lining",),
                       f"R_{fast.id}xYz": ("speeder",)}
    import_file(lite, path, cid, mapping=mapping)
    info = lite.submission_info(cid).set_index("respondent")
    assert info.loc[f"R_{fast.id}xYz", "flags"] == ("speeder",)
    assert lite.counts(cid)["submissions"] == 12  # flagged rows are stored


def test_cli_check_prints_the_report_and_stores_nothing(capsys, sqlite_url, tmp_path):
    with Store(sqlite_url) as s:
        cid = campaign(s)
    path, mapping = write(tmp_path, "surveymonkey", people(5))
    code = main(["--db", sqlite_url, "import", str(path), "--campaign", cid, "--mapping",
                 str(mapping), "--check"])
    out = capsys.readouterr().out
    assert code == 0
    assert f"Would import 5 new submission(s) from 8 row(s) into {cid}" in out
    assert "Left out 1 row(s):" in out and "drop: Collector ID = '999'" in out
    assert "row 9: required answer missing: innovation:level" in out
    assert "First rows as answers:" in out and "Nothing stored (--check)." in out
    with Store(sqlite_url) as s:
        assert s.counts(cid)["submissions"] == 0
    assert main(["--db", sqlite_url, "import", str(path), "--campaign", cid, "--mapping",
                 str(mapping)]) == 0
    assert "Imported 5 new submission(s)" in capsys.readouterr().out


def test_the_admin_page_imports_bytes_with_format_and_dry_run(lite, tmp_path, monkeypatch):
    import tempfile

    cid = campaign(lite)
    name, data, text = make("google-forms", people(6))
    made = []
    real = tempfile.TemporaryDirectory
    monkeypatch.setattr(tempfile, "TemporaryDirectory", lambda *a, **k: made.append(1) or
                        real(*a, **k))
    state = AdminState(lite, actor="ada")
    res = state.import_upload(cid, name, data, mapping=("m.yaml", text.encode()),
                              format="google-forms", check=True)
    assert res.checked and res.created == 6 and lite.counts(cid)["submissions"] == 0
    res = state.import_upload(cid, name, data, mapping=("m.yaml", text.encode()))
    assert res.created == 6 and lite.counts(cid)["submissions"] == 6
    assert made == []  # read in memory, never written to a file
    with pytest.raises(ImportFileError) as info:
        state.import_upload(cid, name, data, mapping=("m.yaml", text.replace(
            "Where are you based?: segment", "Where are you baesd?: segment").encode()))
    assert name in str(info.value) and "closest: 'Where are you based?'" in str(info.value)


def test_quirks_are_what_the_samples_hold():
    unfinished, skipped, test = quirks()
    assert len(unfinished.levels) == 3 and skipped.levels[4] is None and test.comment


# -- hypothesis: any mapping with any file ---------------------------------------------------
_CELLS = ["1", "3", "5", "7", "", "Intense", "Casual", "NO", "R1", "yes", "x;y", 'say "hi"',
          "two\nlines", "\x07", "=cmd", "é", "1,5", "2024-03-04 10:00:00", "True", "False",
          "Survey Preview", "n" * 150]
_NAMES = ["ResponseId", "Finished", "Status", "RecordedDate", "Q1", "Q2", "Q3", "id",
          "submitdate", "Timestamp", "Region", "Respondent ID", "Collector ID", ""]
_TARGETS = [f"{i}:level" for i in ITEMS[:3]] + ["data:comment", "respondent", "segment",
                                                 "submitted_at", "rater_group", "nosuch:level",
                                                 "data:depth", "duration"]


def test_any_mapping_and_file_is_imported_whole_or_refused_in_words(tmp_path_factory):
    import csv
    import io

    import yaml
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    store = Store(f"sqlite:///{tmp_path_factory.mktemp('h') / 'h.db'}")
    counter = iter(range(10_000))
    outcomes = {"stored": 0, "refused": 0}

    @st.composite
    def cases(draw):
        # A table that a mapping can take whole, then spoilt in a few drawn ways.
        extra = draw(st.lists(st.sampled_from(_NAMES), max_size=3))
        header = ["Id", "Region", *[f"Q{k}" for k in range(1, 9)], "Note", *extra]
        good = st.sampled_from(["1", "2", "3", "4", "5"])
        rows = []
        for k in range(draw(st.integers(0 if draw(st.integers(0, 9)) == 0 else 1, 6))):
            cells = [f"r{k}", draw(st.sampled_from(["NO", "R1", "1", ""]))]
            cells += [draw(good) for _ in range(8)]
            cells += [draw(st.sampled_from(_CELLS[:13])) for _ in range(1 + len(extra))]
            if draw(st.integers(0, 4)) == 0:  # one cell of anything, anywhere
                cells[draw(st.integers(0, len(cells) - 1))] = draw(st.sampled_from(_CELLS))
            if draw(st.integers(0, 9)) == 0:
                cells = cells[:-1] if draw(st.booleans()) else cells + ["x"]
            rows.append(cells)
        cols = {"Id": "respondent", "Note": "data:comment",
                **{f"Q{k}": f"{i}:level" for k, i in enumerate(ITEMS, 1)}}
        if draw(st.booleans()):
            cols.update(draw(st.dictionaries(st.sampled_from([*header, "Regoin"]),
                                             st.sampled_from(_TARGETS), max_size=2)))
        mapping = {"columns": cols, "incomplete": draw(st.sampled_from(["skip", "refuse"])),
                   "rater_group": draw(st.sampled_from(["customer", "customer", "NO"]))}
        if draw(st.integers(0, 3)) == 0:
            mapping["format"] = draw(st.sampled_from(list(TOOLS)))
        if draw(st.booleans()):
            mapping["values"] = {"Intense": 5, "Casual": draw(st.sampled_from([1, 1, 1, "x"]))}
        if draw(st.booleans()):
            mapping["recode"] = {"Region": {"R1": "NO", "1": "SE", "NO": "NO"}}
        for key in ("keep", "drop"):
            if draw(st.booleans()):
                mapping[key] = {draw(st.sampled_from(header)): [draw(st.sampled_from(_CELLS))]}
        delimiter = draw(st.sampled_from([",", ";", "\t"]))
        ending = draw(st.sampled_from(["\r\n", "\n"]))
        buf = io.StringIO()
        csv.writer(buf, delimiter=delimiter, lineterminator=ending).writerows([header, *rows])
        bom = draw(st.booleans())
        return (b"\xef\xbb\xbf" if bom else b"") + buf.getvalue().encode(), \
            yaml.safe_dump(mapping, allow_unicode=True)

    @settings(max_examples=150, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(cases())
    def check(case):
        data, mapping = case
        cid = f"h{next(counter)}"
        store.create_campaign(cid, "H", "focus-levels", rater_groups=["customer", "self"])
        try:
            res = import_file(store, data, cid, name="file.csv", mapping=mapping.encode(),
                              mapping_name="m.yaml")
        except FocuskitError as e:
            assert str(e)
            assert store.counts(cid)["submissions"] == 0  # never part of a file
            # Every problem in a data row names its source row, column and value (a blank
            # value is a missing one), and the row is one the file has.
            for row, col, value, why in getattr(e, "rows", ()):
                if row > 1 and why != "no data rows below the header":  # said of the file
                    assert col and why and row <= data.count(b"\n") + 1, (row, col, value, why)
            outcomes["refused"] += 1
            return
        assert store.counts(cid)["submissions"] == res.created
        outcomes["stored"] += res.created > 0

    try:
        check()
    finally:
        store.close()
    assert outcomes["stored"] and outcomes["refused"], outcomes


def test_a_column_may_have_its_own_values_beside_the_global_table(lite, tmp_path):
    # "Often" means 4 on the frequency questions (the global table) but 2 in the one
    # reversed question, which gets a table of its own; text is matched whatever its case.
    cid = campaign(lite)
    head = ["Id", *[f"Q{k}" for k in range(1, 9)]]
    rows = [head, ["a", "often", "never", "Often", "often", "often", "often", "often", "3"],
            ["b", "never", "often", "never", "NEVER", "often", "never", "often", "often"]]
    (tmp_path / "f.csv").write_text("\r\n".join(",".join(r) for r in rows) + "\r\n")
    cols = "".join(f"  Q{k}: {i}:level\n" for k, i in enumerate(ITEMS, 1))
    (tmp_path / "m.yaml").write_text(
        "rater_group: customer\ncolumns:\n  Id: respondent\n" + cols
        + "values:\n  often: 4\n  never: 1\n  Q2: {often: 2, never: 5}\n  Q8: {often: 5}\n")
    res = import_file(lite, tmp_path / "f.csv", cid, mapping=tmp_path / "m.yaml")
    assert res.created == 2
    df = lite.responses(cid)
    got = {r: tuple(int(v) for v in g.set_index("item").loc[ITEMS, "value"])
           for r, g in df.groupby("respondent")}
    assert got == {"a": (4, 5, 4, 4, 4, 4, 4, 3), "b": (1, 2, 1, 1, 4, 1, 4, 5)}
    # A column's own table names a column the file must have.
    (tmp_path / "m.yaml").write_text(
        "rater_group: customer\ncolumns:\n  Id: respondent\n" + cols
        + "values:\n  often: 4\n  never: 1\n  Q22: {often: 2}\n")
    with pytest.raises(ImportFileError) as info:
        import_file(lite, tmp_path / "f.csv", cid, mapping=tmp_path / "m.yaml")
    [(row, col, _, why)] = info.value.rows
    assert (row, col) == (1, "Q22") and "values: no column 'Q22'" in why and "'Q2'" in why


def test_a_surveymonkey_row_label_under_two_questions_is_named_with_its_question(lite):
    # "Data" is a row of two matrix questions: the label alone names no column, and the
    # error offers the full names; "question - label" picks one.
    cid = campaign(lite)
    rows = [["Respondent ID", "Collector ID", "Start Date", "End Date", "Now", "", "Later", ""],
            ["", "", "", "", "Data", "Contact", "Data", "Contact"],
            ["1", "5", "03/04/2024 08:00:00 AM", "03/04/2024 08:05:00 AM", "3", "4", "1", "2"]]
    data = ("\r\n".join(",".join(r) for r in rows) + "\r\n").encode()
    head = ("format: surveymonkey\nrater_group: customer\nincomplete: skip\ncolumns:\n"
            "  Respondent ID: respondent\n")
    with pytest.raises(ImportFileError) as info:
        import_file(lite, data, cid, name="sm.csv", mapping=(head + "  Data: data:level\n")
                    .encode(), mapping_name="m.yaml", check=True)
    [(row, col, _, why)] = info.value.rows
    assert (row, col) == (1, "Data") and "'Now - Data', 'Later - Data'" in why
    res = import_file(lite, data, cid, name="sm.csv", mapping=(
        head + "  Later - Data: data:level\n  Now - Contact: contact:level\n").encode(),
        mapping_name="m.yaml", check=True)
    # focus-levels asks eight items, so the row is left out; the two named were found.
    [(row, why)] = res.skipped
    assert row == 3 and why.startswith("required answer missing: segments_and_partnerships")
    assert "data:level" not in why and "contact:level" not in why
