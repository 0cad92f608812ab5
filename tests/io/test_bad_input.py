"""Bad input must not hurt others: hostile files, huge imports, odd characters, races, "$".

Each test here was written against a finding of the trust review and failed before its fix:
a "billion laughs" instrument took 35 s and 1.2 GB to refuse, an import held SQLite's write
lock for minutes, a NUL byte made Submit fail forever on PostgreSQL, concurrent first drafts
raised UniqueViolation, and "Costs $5 to $10" printed as mathematics in the PDF.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import threading

import pytest
from conftest import full_answers

from focuskit import FocuskitError, ImportFileError, InstrumentError, Store, StoreError
from focuskit.analysis.anonymity import counted_with
from focuskit.apps.admin import AdminState
from focuskit.instruments import load_instrument
from focuskit.io.imports import import_file
from focuskit.io.mapping import read_mapping
from focuskit.store import store as store_module
from focuskit.store.respondent import RespondentStore

LAUGHS = ('a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
          + "".join(f"{c}: &{c} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n"
                    for p, c in zip("abcdefgh", "bcdefghi", strict=True)))
BRACKETS = "[" * 20000 + "]" * 20000
BAD_TEXT = {"nul": "before\x00after", "surrogate": "before\ud800after"}


# -- YAML: instrument files and import mappings ---------------------------------------------

@pytest.mark.parametrize("text,why", [
    (LAUGHS, "anchors and aliases (& and *) are not allowed"),
    ("id: my-survey\ntitle: &t My survey\nsource: *t\n", "anchors and aliases"),
    (BRACKETS, "nest"),  # libyaml says "exceeded maximum nesting depth", we say "nested"
    ("x:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 60)), "nested more than 50"),
    ("[" + ",".join(["1"] * 60000) + "]", "holds more than 50000 values"),
    ("title: " + "x" * 600_000, "at most 524288"),
    ("id: a\nid: b\n", "given twice"),
])
def test_hostile_instrument_files_are_refused_with_a_reason(tmp_path, text, why):
    path = tmp_path / "my-survey.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InstrumentError) as info:
        load_instrument(path)
    assert why in str(info.value)
    # The admin page's upload reads the same way, naming the user's file.
    with pytest.raises(InstrumentError) as info:
        AdminState.read_instrument("my-survey.yaml", text.encode()[:500_000])
    assert str(info.value).startswith("my-survey.yaml: ")


def test_instrument_text_is_read_as_text_not_yaml_1_1_booleans_or_dates(tmp_path):
    path = tmp_path / "my-survey.yaml"
    path.write_text("""\
id: my-survey
version: '1'
title: No
source: 2024-01-01
minutes: 3
scale:
  choices:
    1: Yes
    2: No
    3: Off
facets: [{id: applies, label: On}]
sections:
  - id: first
    title: Yes
    items: [{id: a, prompt: 12:30}]
""", encoding="utf-8")
    inst = load_instrument(path)
    assert (inst.title, inst.source) == ("No", "2024-01-01")
    assert [a.label for a in inst.facet("applies").scale.anchors] == ["Yes", "No", "Off"]
    assert inst.items[0].prompt == "12:30"


@pytest.mark.parametrize("kind", BAD_TEXT)
def test_instrument_text_with_nul_or_surrogate_escapes_is_refused(tmp_path, kind):
    escape = {"nul": "\\0", "surrogate": "\\ud800"}[kind]
    path = tmp_path / "my-survey.yaml"
    path.write_text(f'id: my-survey\ntitle: "a{escape}b"\n', encoding="utf-8")
    with pytest.raises(InstrumentError, match="title: holds a NUL|not valid YAML"):
        load_instrument(path)


@pytest.mark.parametrize("text,why", [
    (LAUGHS, "anchors and aliases"),
    (BRACKETS, "nest"),
    ("columns: {Q1: data:level}\nvalues: {x: .nan}\n", "values: expected answer text"),
    ('columns: {"a\\0b": data:level}\n', "NUL"),
])
def test_hostile_mapping_files_are_refused(tmp_path, text, why):
    path = tmp_path / "m.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FocuskitError, match=why):
        read_mapping(path)


def test_mapping_reads_yes_no_and_segments_as_text(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text("columns: {Q1: data:level, On: segment}\nsegment: NO\nrater_group: customer\n"
                    "values: {Yes: 5, No: 1, Off: 2}\n", encoding="utf-8")
    m = read_mapping(path)
    assert m.segment == "NO" and m.rater_group == "customer"
    assert m.values == {"yes": 5.0, "no": 1.0, "off": 2.0}
    assert m.columns == {"Q1": "data:level", "On": "segment"}


# -- NUL bytes and lone surrogates: refused alike by both stores and by imports --------------

@pytest.fixture
def camp(store):
    return store.create_campaign("fl", "Focus", "focus-levels", rater_groups=["self", "team"],
                                 min_group_size=3)


def _refusal(call) -> str:
    with pytest.raises(StoreError) as info:
        call()
    return str(info.value)


@pytest.mark.parametrize("kind", BAD_TEXT)
def test_bad_characters_are_refused_the_same_by_both_stores(store, db_url, camp, kind):
    bad = BAD_TEXT[kind]
    first = camp.instrument.items[0].id
    answers = full_answers(camp.instrument)
    answers[first]["comment"] = bad
    rstore = RespondentStore(db_url)
    try:
        for field, kwargs in (("comment", {}), ("segment", {"segment": bad}),
                              ("respondent", {"respondent": bad}),
                              ("idempotency_key", {"idempotency_key": bad})):
            given = answers if field == "comment" else full_answers(camp.instrument)
            seen = {_refusal(lambda s=s, g=given, kw=kwargs: s.submit(
                "fl", g, rater_group="self", **kw)) for s in (store, rstore)}
            assert len(seen) == 1, seen  # the same message from both
            assert f"U+{ord(bad[6]):04X}" in seen.pop() or field == "respondent"
            if field == "idempotency_key":
                continue  # drafts have none
            drafts = {_refusal(lambda s=s, g=given, kw=kwargs: s.save_draft(
                "fl", kw.get("respondent", "tok"), g, segment=kw.get("segment")))
                for s in (store, rstore)}
            assert len(drafts) == 1 and "draft not saved" in drafts.pop()
    finally:
        rstore.close()
    assert "position 7" in _refusal(lambda: store.add_action("fl", bad))
    assert "owner" in _refusal(lambda: store.add_action("fl", "Act", owner=bad))
    aid = store.add_action("fl", "Act")
    assert "title" in _refusal(lambda: store.update_action(aid, title=bad))
    assert "title" in _refusal(lambda: store.create_campaign("x2", bad, "blocks"))
    # Nothing half-written: a clean submit still works, and nothing else was stored.
    store.submit("fl", full_answers(camp.instrument), rater_group="self")
    assert store.counts("fl") == {"drafts": 0, "submissions": 1, "groups": {"self": 1}}


@pytest.mark.parametrize("kind", BAD_TEXT)
def test_imports_name_row_column_and_value_of_bad_characters(store, camp, tmp_path, kind):
    items = [i.id for i in camp.instrument.items]
    header = ["respondent", "rater_group", "segment", *[f"{i}:level" for i in items],
              f"{items[0]}:comment"]
    good = ["r1", "self", "North", *["3"] * len(items), "fine"]
    bad_seg = ["r2", "self", f"So{BAD_TEXT[kind]}", *["3"] * len(items), "ok"]
    bad_comment = ["r3", "self", "North", *["3"] * len(items), BAD_TEXT[kind]]
    path = tmp_path / "answers.csv"
    # A lone surrogate written into a file is not UTF-8: the file is refused at its line.
    with open(path, "w", newline="", encoding="utf-8", errors="surrogatepass") as f:
        csv.writer(f).writerows([header, good, bad_seg, bad_comment])
    with pytest.raises(ImportFileError) as info:
        import_file(store, path, "fl")
    if kind == "surrogate":
        assert info.value.rows[0][0] == 3 and "not UTF-8 text (line 3" in str(info.value)
    else:
        rows = {(r, c, v) for r, c, v, why in info.value.rows if "U+0000" in why}
        assert rows == {(3, "segment", "Sobefore\\x00after"),
                        (4, f"{items[0]}:comment", "before\\x00after")}
    assert store.counts("fl")["submissions"] == 0


# -- large imports: short transactions, all or nothing ----------------------------------------

def _wide_csv(path, camp, n: int):
    items = [i.id for i in camp.instrument.items]
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["respondent", "rater_group", *[f"{i}:level" for i in items]])
        w.writerows([f"p{k}", "team", *[str(1 + (k + j) % 5) for j in range(len(items))]]
                    for k in range(n))


def test_a_draft_saved_during_a_large_import_succeeds(store, db_url, camp, tmp_path,
                                                      monkeypatch):
    monkeypatch.setattr(store_module, "CHUNK", 100)
    monkeypatch.setattr(store_module, "HOLD", 3600)  # chunks of exactly 100, however slow
    _wide_csv(tmp_path / "big.csv", camp, 600)
    first = camp.instrument.items[0].id
    saved, failed = [], []

    def saver():
        # As a respondent's kernel and a dashboard would: their own connections.
        try:
            with RespondentStore(db_url) as rs, Store(db_url) as other:
                for n in range(5):
                    rs.save_draft("fl", f"kernel-{n}", {first: {"level": 2}})
                    other.save_draft("fl", f"tab-{n}", {first: {"level": 4}})
                    saved.append(n)
        except Exception as e:  # reported below, in the test's thread
            failed.append(e)

    thread = threading.Thread(target=saver)
    calls = []

    def progress(done, total):
        calls.append((done, total))
        if done == 100:
            thread.start()  # saves while the next chunks are written
        elif done == 400:
            thread.join(120)  # the import goes on only once every save has returned

    result = import_file(store, tmp_path / "big.csv", "fl", progress=progress)
    assert not failed, failed
    assert saved == list(range(5))
    assert result.created == 600
    assert calls == [(d, 600) for d in range(100, 700, 100)]  # six short transactions
    assert store.counts("fl") == {"drafts": 10, "submissions": 600, "groups": {"team": 600}}
    assert store.draft("fl", "kernel-4").answers == {first: {"level": 2}}


def test_a_large_import_that_fails_late_is_taken_back(store, camp, tmp_path, monkeypatch):
    monkeypatch.setattr(store_module, "CHUNK", 100)
    monkeypatch.setattr(store_module, "HOLD", 3600)  # chunks of exactly 100, however slow
    _wide_csv(tmp_path / "big.csv", camp, 350)
    store.save_draft("fl", "p7", {}, rater_group="team")  # someone in the file has a draft

    def progress(done, total):
        if done == 200:
            raise ConnectionError("the database went away")

    with pytest.raises(ConnectionError) as info:
        import_file(store, tmp_path / "big.csv", "fl", progress=progress,
                    counted_with=counted_with)
    assert "200 submission(s) stored before the failure were taken back" in \
        " ".join(info.value.__notes__)
    assert store.counts("fl")["submissions"] == 0  # the first two chunks were taken back
    assert store.draft("fl", "p7") is not None  # and no one's draft was lost
    assert "import undone" in store.audit_log(campaign="fl")["action"].tolist()
    # Importing again stores it all, and the imported respondent's draft goes.
    assert import_file(store, tmp_path / "big.csv", "fl").created == 350
    assert store.counts("fl")["submissions"] == 350 and store.draft("fl", "p7") is None


def test_without_the_disclosure_rule_a_late_failure_keeps_what_was_stored(store, camp, tmp_path,
                                                                          monkeypatch):
    # The store cannot work out whom the stored chunks were counted with: deleting them
    # silently could let a figure seen meanwhile be differenced, so they stay, and it says so.
    monkeypatch.setattr(store_module, "CHUNK", 100)
    monkeypatch.setattr(store_module, "HOLD", 3600)
    _wide_csv(tmp_path / "big.csv", camp, 350)

    def progress(done, total):
        if done == 200:
            raise ConnectionError("the database went away")

    with pytest.raises(ConnectionError) as info:
        import_file(store, tmp_path / "big.csv", "fl", progress=progress)
    assert "200 submission(s) stored before the failure are kept" in \
        " ".join(info.value.__notes__)
    assert store.counts("fl")["submissions"] == 200
    result = import_file(store, tmp_path / "big.csv", "fl")  # the rest, nothing twice
    assert (result.created, result.existing) == (150, 200)


def test_a_key_clash_in_a_late_chunk_stores_nothing(store, camp, monkeypatch):
    monkeypatch.setattr(store_module, "CHUNK", 2)
    other = store.create_campaign("other", "Other", "blocks", min_group_size=3)
    store.submit("other", full_answers(other.instrument), rater_group="self",
                 idempotency_key="taken")
    subs = [dict(answers=full_answers(camp.instrument), rater_group="self",
                 idempotency_key=k) for k in ("k1", "k2", "k3", "k1", "taken")]
    with pytest.raises(StoreError, match="already used in campaign 'other'"):
        store.submit_many("fl", subs, counted_with=counted_with)
    assert store.counts("fl")["submissions"] == 0  # the first chunks were taken back
    receipts = store.submit_many("fl", subs[:4])  # a key repeated in one batch stores once
    assert [r.created for r in receipts] == [True, True, True, False]
    assert receipts[3].submission == receipts[0].submission


# -- concurrent first drafts are upserts -------------------------------------------------------

def test_eighty_simultaneous_first_drafts_all_succeed(store, db_url, camp):
    first = camp.instrument.items[0].id
    start = threading.Barrier(80)
    errors = []
    rstores = [RespondentStore(db_url) for _ in range(40)]

    def save(n):
        # Half through the shared Store (its pool), half through kernels' own connections;
        # eight respondents, each opening ten tabs at once.
        target = store if n % 2 else rstores[n // 2]
        try:
            start.wait(60)
            target.save_draft("fl", f"tok-{n % 8}", {first: {"level": 1 + n % 5}},
                              rater_group="self", page=n % 3)
        except Exception as e:
            errors.append(e)

    threads = [threading.Thread(target=save, args=(n,)) for n in range(80)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
    finally:
        for r in rstores:
            r.close()
    assert not errors, errors[:3]
    assert store.counts("fl")["drafts"] == 8
    for k in range(8):
        d = store.draft("fl", f"tok-{k}")
        assert d.answers[first]["level"] in {1 + n % 5 for n in range(k, 80, 8)}


# -- "$" in people's text is text, not mathematics ---------------------------------------------

def test_dollars_in_titles_and_actions_print_as_written(tmp_path):
    from focuskit.report import pdf_bytes

    if shutil.which("pdftotext") is None:
        pytest.skip("needs pdftotext (apt-get install -y poppler-utils)")
    with Store(f"sqlite:///{tmp_path / 'r.db'}") as s:
        s.create_campaign("cost", "Costs $5 to $10", "focus-levels", min_group_size=3,
                          organisation="A$B Ltd")
        s.add_action("cost", "Cut visit costs from $50 to $20 each", owner="CFO")
        pdf = tmp_path / "r.pdf"
        pdf.write_bytes(pdf_bytes(s, "cost"))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    assert "Costs $5 to $10" in text
    assert "Cut visit costs from $50 to $20 each" in text
    assert "A$B Ltd" in text


def test_dollars_in_plot_labels_are_not_mathtext():
    import matplotlib.pyplot as plt
    from matplotlib.text import Text

    from focuskit.plots.theme import theme

    with theme():
        fig, ax = plt.subplots()
        ax.set_title("Costs $5 to $10")
        ax.set_yticks([0, 1], ["$5 a head", "$10 a head"])
    try:
        fig.canvas.draw()  # outside the theme, as a notebook draws it later
        texts = fig.findobj(Text)
        assert {"Costs $5 to $10", "$5 a head", "$10 a head"} <= {t.get_text() for t in texts}
        assert all(t.get_parse_math() is False for t in texts if "$" in t.get_text())
    finally:
        plt.close(fig)


# -- spreadsheets that are small on disk and huge in memory ------------------------------------

def test_one_far_right_cell_does_not_blow_up_an_excel_import(store, camp, tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    for r in range(1, 3001):
        wb.active.cell(r, 1, "x")
    wb.active.cell(2, 16384, "far")  # column XFD: 3,000 rows padded to 49 million cells
    wb.save(tmp_path / "wide.xlsx")
    with pytest.raises(ImportFileError) as info:
        import_file(store, tmp_path / "wide.xlsx", "fl")
    assert info.value.rows == [(2, "", "", "has 16384 columns; at most 1000")]


def test_a_csv_of_a_million_columns_is_refused_at_its_row(store, camp, tmp_path):
    (tmp_path / "wide.csv").write_text("respondent,rater_group\n" + "," * 1_000_000 + "\n")
    with pytest.raises(ImportFileError, match="row 2, .*has 1000001 columns; at most 1000"):
        import_file(store, tmp_path / "wide.csv", "fl")


def test_a_csv_that_troubles_the_dialect_sniffer_is_read_at_once(store, camp, tmp_path):
    # 8 KB of ',"' kept csv.Sniffer busy for seconds; it now looks at the first 2 KB only.
    (tmp_path / "odd.csv").write_text(',"' * 4096 + "\n")
    with pytest.raises(ImportFileError):
        import_file(store, tmp_path / "odd.csv", "fl")


def test_a_zip_bomb_workbook_is_refused_before_it_is_unpacked(store, camp, tmp_path):
    import zipfile

    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["respondent", "rater_group"])
    wb.save(tmp_path / "real.xlsx")
    with zipfile.ZipFile(tmp_path / "real.xlsx") as src, \
            zipfile.ZipFile(tmp_path / "bomb.xlsx", "w", zipfile.ZIP_DEFLATED) as out:
        for m in src.infolist():
            data = src.read(m.filename)
            if m.filename == "xl/worksheets/sheet1.xml":  # 20 MB of blanks pack into 20 KB
                data = data.replace(b"</sheetData>", b"<!--" + b" " * 20_000_000 + b"-->"
                                    b"</sheetData>")
            out.writestr(m.filename, data)
    with pytest.raises(ImportFileError, match="times smaller than its 2000"):
        import_file(store, tmp_path / "bomb.xlsx", "fl")


def _hostile(kind: str, tmp_path):
    """(file, mapping or None) for one hostile upload."""
    header = "respondent,rater_group," + ",".join(
        f"{i.id}:level" for i in load_instrument("focus-levels").items) + "\n"
    if kind == "million-columns":
        return header.encode() + b"," * 1_000_000 + b"\n", None
    if kind == "sniffer":
        return b',"' * 4096 + b"\n", None
    if kind == "unclosed-quote":  # 5 MB that never closes the quote opened in row 2
        return header.encode() + b'"' + b"x" * 5_000_000 + b"\n", None
    if kind == "many-bad-rows":  # 60,000 rows, every one off the scale
        return header.encode() + b"".join(b"p%d,team," % k + b",".join([b"9"] * 8) + b"\n"
                                          for k in range(60_000)), None
    if kind == "laughs-mapping":
        return header.encode() + b"p1,team," + b",".join([b"3"] * 8) + b"\n", LAUGHS.encode()
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", ["million-columns", "sniffer", "unclosed-quote",
                                  "many-bad-rows", "laughs-mapping"])
def test_a_hostile_upload_is_refused_in_under_a_second_with_its_place(tmp_path, kind):
    import time

    data, mapping = _hostile(kind, tmp_path)
    with Store(f"sqlite:///{tmp_path / 'h.db'}") as s:
        s.create_campaign("fl", "Focus", "focus-levels", rater_groups=["team"])
        # CPU seconds of this process: what the refusal costs, whatever else the machine runs.
        began = time.process_time()
        with pytest.raises(FocuskitError) as info:
            import_file(s, data, "fl", name="up.csv", mapping=mapping, mapping_name="m.yaml")
        took = time.process_time() - began
        assert s.counts("fl")["submissions"] == 0
    assert took < 1.0, f"{kind}: {took:.2f} s"
    rows = getattr(info.value, "rows", None)
    if rows:  # a file's problem names its row (and, for a cell, its column and value)
        assert all(r >= 1 for r, _, _, _ in rows)
        if kind == "many-bad-rows":
            assert rows[0] == (2, f"{load_instrument('focus-levels').items[0].id}:level", "9",
                               "not on the level scale (1, 2, 3, 4, 5)")
    else:
        assert "line 1" in str(info.value) or "anchors" in str(info.value)


HEADER_WITH_A_BLANK_LAST_NAME = (
    b"Id,Region,Q1,Q2,Q3,Q4,Q5,Q6,Q7,Q8,Note,\r\n"
    b"r0,NO,1,2,3,4,5,1,2,3,fine,\r\n"
    b"r1,NO,1,2,3,4,5,1,2,3,short\r\n"
    b"r2,NO,1,2,3,4,5,1,2\r\n")
BLANK_LAST_NAME_MAPPING = (
    "columns:\n  Id: respondent\n  Region: segment\n  Note: data:comment\n"
    + "".join(f"  Q{i + 1}: {d}:level\n" for i, d in enumerate(
        ("segments_and_partnerships", "expectations", "data", "contact", "innovation",
         "budgets", "structure", "training")))
    + "incomplete: skip\nrater_group: customer\n")


def test_a_row_short_only_of_an_unnamed_last_column_is_whole(tmp_path):
    """Found by the hypothesis test: a header ending in a blank name (a trailing comma) and a
    row without that cell was refused as missing a column with no name; a row short of a named
    column is still refused, naming it."""
    with Store(f"sqlite:///{tmp_path}/s.db") as store:
        store.create_campaign("cc", "C", "focus-levels", rater_groups=["customer"])
        with pytest.raises(ImportFileError) as e:
            import_file(store, HEADER_WITH_A_BLANK_LAST_NAME, "cc", name="f.csv",
                        mapping=BLANK_LAST_NAME_MAPPING.encode(), mapping_name="m.yaml",
                        counted_with=counted_with)
        assert [(r, c.split()[0]) for r, c, _, _ in e.value.rows] == [(4, "Q8")]
        assert store.counts("cc")["submissions"] == 0
        res = import_file(store, HEADER_WITH_A_BLANK_LAST_NAME.rsplit(b"r2", 1)[0], "cc",
                          name="f.csv", mapping=BLANK_LAST_NAME_MAPPING.encode(),
                          mapping_name="m.yaml", counted_with=counted_with)
        assert res.created == 2
