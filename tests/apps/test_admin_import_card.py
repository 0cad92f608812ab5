"""The admin page's import card, driven through its widgets: a survey tool's export and its
mapping uploaded, the format chosen (or detected), "Check" clicked, the report read; the
report is the one 'focuskit import --check' prints, and no temporary file is written."""

from __future__ import annotations

import html
import re
import tempfile

import pytest
from survey_exports import make, people
from test_admin import upload_value

from focuskit import Store
from focuskit.apps.admin import Admin, AdminState
from focuskit.cli import main


@pytest.fixture
def store(tmp_path):
    s = Store(f"sqlite:///{tmp_path / 'admin.db'}")
    s.create_campaign("tools", "Tools", "focus-levels", rater_groups=["customer"])
    yield s
    s.close()


def _report(value: str) -> list[str]:
    found = re.search(r"<pre class='fk-import-report'>(.*?)</pre>", value, re.S)
    assert found, value
    return html.unescape(found[1]).splitlines()


@pytest.mark.parametrize(("tool", "chosen"), [("qualtrics", "qualtrics"),
                                              ("surveymonkey", "surveymonkey"),
                                              ("google-forms", ""), ("limesurvey", "")])
def test_check_in_the_import_card_shows_the_clis_report(store, tmp_path, capsys, monkeypatch,
                                                        tool, chosen):
    name, data, mapping = make(tool, people(6))
    # The format comes from the card's menu, or is detected: never from the mapping here.
    mapping = "\n".join(x for x in mapping.splitlines() if not x.startswith("format:")) + "\n"
    page = Admin(AdminState(store))
    page.refresh("tools")
    assert ("Detect from the file", "") in page.import_format.options
    assert (tool, tool) in page.import_format.options
    with monkeypatch.context() as m:
        for fn in ("mkstemp", "mkdtemp", "NamedTemporaryFile", "TemporaryFile",
                   "SpooledTemporaryFile", "TemporaryDirectory"):
            m.setattr(tempfile, fn, lambda *a, **k: pytest.fail("a temporary file was written"))
        page.upload.value = upload_value(name, data)
        page.mapping.value = upload_value("map.yaml", mapping.encode(), "application/yaml")
        page.import_format.value = chosen
        page.check_btn.click()
        shown = page.import_msg.value
    assert "Checked: nothing stored." in shown and "fk-checked" in shown
    assert store.counts("tools")["submissions"] == 0
    lines = _report(shown)
    how = "as given" if chosen else "assumed from the file's header"
    assert lines[0].startswith(f"Format: {tool} ({how}")
    assert "Would import 6 new submission(s)" in lines[1] and "First rows as answers:" in lines

    # The command line, given the same files and format, prints the same lines.
    (tmp_path / name).write_bytes(data)
    (tmp_path / "map.yaml").write_text(mapping, encoding="utf-8")
    argv = ["--db", store.engine.url.render_as_string(hide_password=False), "import",
            str(tmp_path / name), "--campaign", "tools", "--mapping", str(tmp_path / "map.yaml"),
            "--check"] + (["--format", chosen] if chosen else [])
    capsys.readouterr()
    assert main(argv) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[-1] == "Nothing stored (--check)."
    assert printed[:-1] == lines

    # Import stores what the check said it would, still without a temporary file.
    with monkeypatch.context() as m:
        m.setattr(tempfile, "TemporaryDirectory",
                  lambda *a, **k: pytest.fail("a temporary file was written"))
        page.import_btn.click()
    assert "Imported 6 new submission(s)" in page.import_msg.value
    assert store.counts("tools")["submissions"] == 6


def test_a_bad_cell_found_by_check_names_row_column_and_value(store):
    name, data, mapping = make("qualtrics", people(4))
    page = Admin(AdminState(store))
    page.refresh("tools")
    page.upload.value = upload_value(name, data)
    # Region code 4 (Finland) left out of the recode table: row 7 is the fourth response.
    bad = mapping.replace("{1: NO, 2: SE, 3: DK, 4: FI}", "{1: NO, 2: SE, 3: DK}")
    page.mapping.value = upload_value("map.yaml", bad.encode(), "application/yaml")
    page.check_btn.click()
    shown = html.unescape(page.import_msg.value)
    assert "fk-problems" in shown, shown
    row = re.search(r"<tr><td class='n'>7</td><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>", shown)
    assert row, shown
    assert row.groups() == ("Q1 (segment)", "4", "not a code in recode (1, 2, 3)")
    assert store.counts("tools")["submissions"] == 0
