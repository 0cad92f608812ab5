"""The focuskit command: what a person types, what they read, and the exit codes."""

import subprocess
import sys

import pytest

from focuskit.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_instruments_list_names_all_six(capsys):
    code, out, _ = run(capsys, "instruments", "list")
    assert code == 0
    for iid in ("focus-levels", "blocks", "say-do", "external-focus", "contact-programme",
                "expectations"):
        assert iid in out


def test_instruments_show_prints_levels_and_source(capsys):
    code, out, _ = run(capsys, "instruments", "show", "focus-levels")
    assert code == 0
    assert "casual:" in out and "intense:" in out and "Clemmer" in out


def test_instruments_show_unknown_is_a_clear_error(capsys):
    code, out, err = run(capsys, "instruments", "show", "no-such-thing")
    assert code == 2 and "built-in" in err and "Traceback" not in err


def test_instruments_validate(capsys, tmp_path):
    good = tmp_path / "mine.yaml"
    good.write_text(
        "id: mine\nversion: '1'\ntitle: Mine\nsource: me\nminutes: 2\n"
        "scale: {points: 5}\nfacets: [{id: level, label: Level}]\n"
        "sections: [{id: s, title: S, items: [{id: a, prompt: How is it}]}]\n")
    bad = tmp_path / "broken.yaml"
    bad.write_text("id: broken\nversion: 1\nsections: []\n")
    code, out, _ = run(capsys, "instruments", "validate", str(good))
    assert code == 0 and f"OK {good}" in out
    code, out, _ = run(capsys, "instruments", "validate", str(good), str(bad))
    assert code == 1 and f"INVALID {bad}" in out
    assert "version: write the version as quoted text" in out and "title: is required" in out


def test_demo_then_campaigns_and_export(capsys, sqlite_url, tmp_path):
    code, out, _ = run(capsys, "--db", sqlite_url, "demo")
    assert code == 0 and "demo-focus-levels" in out
    code, out, _ = run(capsys, "--db", sqlite_url, "campaigns")
    assert code == 0 and "demo-say-do" in out
    target = tmp_path / "out.csv"
    code, out, _ = run(capsys, "--db", sqlite_url, "export", "demo-blocks", "--out", str(target))
    assert code == 0 and target.exists()


def test_unknown_campaign_and_bad_db_url(capsys, sqlite_url):
    code, _, err = run(capsys, "--db", sqlite_url, "export", "nope")
    assert code == 2 and "no campaign 'nope'" in err
    code, _, err = run(capsys, "--db", "mysql://x", "campaigns")
    assert code == 2 and "unsupported database" in err


def test_console_script_is_installed():
    res = subprocess.run([sys.executable, "-m", "focuskit.cli", "instruments", "list"],
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 0 and "say-do" in res.stdout


def test_bad_arguments_exit_2_with_usage(capsys):
    with pytest.raises(SystemExit) as e:
        main(["export"])
    assert e.value.code == 2
    assert "usage" in capsys.readouterr().err


def test_campaign_new_with_own_expectations_then_close(capsys, sqlite_url, tmp_path):
    items = tmp_path / "expectations.txt"
    items.write_text("# our list\nAnswer within one hour\nInvoice correct first time\n\n")
    code, out, err = run(capsys, "--db", sqlite_url, "campaign", "new", "our-exp", "--title",
                         "Our expectations", "--instrument", "expectations", "--items", str(items),
                         "--groups", "customer,partner", "--min-group-size", "3")
    assert code == 0, err
    assert "2 items" in out and "1.0.0+custom" in out
    code, out, _ = run(capsys, "--db", sqlite_url, "campaign", "close", "our-exp")
    assert code == 0 and "closed" in out
    code, _, err = run(capsys, "--db", sqlite_url, "campaign", "new", "our-exp", "--title", "x",
                       "--instrument", "blocks")
    assert code == 2 and "exists already" in err
    code, _, err = run(capsys, "--db", sqlite_url, "campaign", "new", "Bad Id", "--title", "x",
                       "--instrument", "blocks", "--groups", "ceo")
    assert code == 2 and "lowercase" in err and "ceo" in err


# -- programmes and waves ---------------------------------------------------------------------

def test_programme_new_add_list_and_campaign_wave(capsys, sqlite_url):
    db = ("--db", sqlite_url)
    code, out, _ = run(capsys, *db, "programme", "list")
    assert code == 0 and "No programmes yet" in out and "focuskit programme new" in out
    assert run(capsys, *db, "campaign", "new", "fl", "--title", "Levels 2025",
               "--instrument", "focus-levels", "--organisation", "Acme")[0] == 0
    code, out, _ = run(capsys, *db, "programme", "new", "acme", "--title", "Acme programme",
                       "--org", "Acme")
    assert code == 0 and "Created programme acme: Acme programme, of Acme" in out
    code, out, _ = run(capsys, *db, "programme", "add", "acme", "fl")
    assert code == 0 and "Added fl to acme; it holds 1 campaign(s)" in out
    code, out, _ = run(capsys, *db, "programme", "add", "acme", "fl")
    assert code == 0 and "fl is in acme already; nothing changed" in out
    code, out, _ = run(capsys, *db, "campaign", "wave", "fl", "--title", "Levels 2026")
    assert code == 0 and "Created fl-w2 (open): wave 2, after fl, in programme acme" in out
    assert "focuskit link fl-w2 --group" in out
    code, out, _ = run(capsys, *db, "campaign", "wave", "fl-w2", "--title", "Levels 2027",
                       "--id", "fl-2027")
    assert code == 0 and "Created fl-2027 (open): wave 3, after fl-w2" in out
    code, out, _ = run(capsys, *db, "programme", "list")
    assert code == 0 and "acme: Acme programme, of Acme; 3 campaign(s)" in out
    lines = out.splitlines()
    assert [line.split()[:3] for line in lines[3:]] == [
        ["fl", "1", "focus-levels"], ["fl-w2", "2", "fl"], ["fl-2027", "3", "fl-w2"]]


def test_programme_and_wave_errors_are_clear(capsys, sqlite_url):
    db = ("--db", sqlite_url)
    run(capsys, *db, "campaign", "new", "fl", "--title", "L", "--instrument", "focus-levels",
        "--organisation", "Acme")
    run(capsys, *db, "campaign", "new", "theirs", "--title", "T", "--instrument",
        "focus-levels", "--organisation", "Globex")
    run(capsys, *db, "programme", "new", "acme", "--title", "A", "--org", "Acme")
    cases = [
        (("programme", "new", "Bad_Id", "--title", "T", "--org", "O"), "programme id 'Bad_Id'"),
        (("programme", "new", "acme", "--title", "T", "--org", "Acme"), "exists already"),
        (("programme", "new", "x2", "--title", "T", "--org", " "), "organisation must be"),
        (("programme", "add", "ghost", "fl"), "no programme 'ghost'. Known: acme."),
        (("programme", "add", "acme", "ghost"), "no campaign 'ghost'"),
        (("programme", "add", "acme", "theirs"), "a programme holds one organisation's"),
        (("campaign", "wave", "ghost", "--title", "T"), "no campaign 'ghost'"),
        (("campaign", "wave", "fl", "--title", "T", "--id", "fl;drop"), "id 'fl;drop' must"),
        (("campaign", "wave", "fl", "--title", "  "), "title must be non-empty"),
    ]
    for argv, message in cases:
        code, out, err = run(capsys, *db, *argv)
        assert (code, out) == (2, ""), argv
        assert message in err and "Traceback" not in err, (argv, err)
    assert run(capsys, *db, "campaign", "wave", "fl", "--title", "Next")[0] == 0
    code, _, err = run(capsys, *db, "campaign", "wave", "fl", "--title", "Again")
    assert code == 2 and "has a next wave already ('fl-w2')" in err
    with pytest.raises(SystemExit) as e:  # --title is required, as for campaign new
        main(["--db", sqlite_url, "campaign", "wave", "fl"])
    assert e.value.code == 2
