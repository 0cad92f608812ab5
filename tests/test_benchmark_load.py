"""`focuskit benchmark load FILE --source TEXT`: a user's own base, checked row by row, and
its source said wherever it is used."""

import csv
import time

import pytest

from focuskit.analysis import load_benchmark
from focuskit.analysis.benchmarking import check_base_file, save_benchmark
from focuskit.cli import main
from focuskit.demo import BENCHMARK_COLUMNS, benchmark_rows


def _write(path, rows):
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=BENCHMARK_COLUMNS)
        w.writeheader()
        w.writerows(rows)
    return path


def test_load_a_base_and_its_source(tmp_path, capsys):
    src = _write(tmp_path / "mine.csv", benchmark_rows(n=40))
    dest = tmp_path / "data" / "benchmark.csv"
    path, n = save_benchmark(src, "Utility benchmark club 2025", date="2025-11-30", dest=dest)
    assert n == 40
    base = load_benchmark(path)
    assert base.attrs["source"] == "Utility benchmark club 2025"
    assert base.attrs["date"] == "2025-11-30" and base.attrs["synthetic"] is False
    from focuskit.findings import benchmark_source

    assert benchmark_source(base) == "Utility benchmark club 2025, 40 organisations, 2025-11-30"


@pytest.mark.parametrize("row,col,value,why", [
    (5, "value", "seven", "must be a number"),
    (9, "value", "7.5", "from 1 to 5"),
    (3, "instrument", "nps", "must be one of"),
    (4, "measure", "colour", "not a measure of"),
    (6, "facet", "say", "must be level"),
])
def test_bad_files_are_refused_naming_row_column_value_and_reason(tmp_path, row, col, value,
                                                                  why):
    rows = benchmark_rows(n=10)
    rows = [r for r in rows if r["instrument"] == "focus-levels"]
    rows[row - 2] = {**rows[row - 2], col: value}
    src = _write(tmp_path / "bad.csv", rows)
    dest = tmp_path / "benchmark.csv"
    dest.write_text("kept\n")
    start = time.perf_counter()
    with pytest.raises(ValueError) as e:
        save_benchmark(src, "Mine", dest=dest)
    assert time.perf_counter() - start < 1
    msg = str(e.value)
    assert f"row {row}, column {col}, value {value!r}" in msg and why in msg
    assert dest.read_text() == "kept\n"  # nothing replaced


def test_missing_columns_and_no_source_are_refused(tmp_path, capsys):
    src = tmp_path / "x.csv"
    src.write_text("organisation,value\nA,3\n")
    with pytest.raises(ValueError, match="missing column"):
        check_base_file(src)
    good = _write(tmp_path / "g.csv", benchmark_rows(n=5))
    assert main(["benchmark", "load", str(good), "--source", " "]) == 2
    assert "--source" in capsys.readouterr().err


def test_cli_loads_into_the_project_data(tmp_path, monkeypatch, capsys):
    from focuskit import config

    monkeypatch.setattr(config, "project_data_dir", lambda: tmp_path / "data")
    good = _write(tmp_path / "g.csv", benchmark_rows(n=12))
    assert main(["benchmark", "load", str(good), "--source", "Sector survey 2024"]) == 0
    out = capsys.readouterr().out
    assert "12 organisations" in out and "Sector survey 2024" in out
    base = load_benchmark(tmp_path / "data" / "benchmark.csv")
    assert base.attrs["source"] == "Sector survey 2024"


def test_the_demo_base_says_it_is_synthetic(tmp_path):
    from focuskit.demo import write_benchmark

    base = load_benchmark(write_benchmark(tmp_path))
    assert "synthetic demo base" in base.attrs["source"] and base.attrs["synthetic"] is True


HEADER = ",".join(BENCHMARK_COLUMNS) + "\n"
GOOD = "Org {n},retail,100,3.5,focus-levels,{m},level,3\n"


def _hostile(tmp_path):
    """Files an attacker (or a broken export) hands to `focuskit benchmark load`: each is
    (file name, bytes, the text the refusal must hold)."""
    from focuskit.instruments import load_instrument

    m = load_instrument("focus-levels").items[0].id
    good = GOOD.format(n=1, m=m)
    many = "".join(GOOD.format(n=i, m=m) for i in range(49_000))
    return [
        ("wide.csv", ",".join("x" * 10**6) + "\n", "row 1"),
        ("wide60.csv", ",".join(f"c{i}" for i in range(60)) + "\n", "row 1, column 51"),
        ("big.csv", HEADER + good * 120_000, "at most 5242880 bytes"),
        ("cell.csv", HEADER + "A" * 5_000_000 + good[5:], "row 2, column organisation"),
        ("ctrl.csv", HEADER + "Org\x1b[31mA" + good[5:], "control character"),
        ("formula.csv", HEADER + '"=HYPERLINK(""http://evil"",""x"")"' + good[5:],
         "row 2, column organisation, value '=HYPERLINK("),
        ("sector.csv", HEADER + good.replace("retail", "@SUM(A1)"), "row 2, column sector"),
        ("late.csv", HEADER + many + good.replace(",3\n", ",9\n"),
         "row 49002, column value, value '9'"),
    ]


@pytest.mark.parametrize("case", range(8))
def test_hostile_bases_are_refused_in_under_a_second(tmp_path, case):
    """Attack: a million columns, a 40 MB file, a 5 MB cell, terminal escapes, formulas a
    spreadsheet would run when the copied base is opened, a bad value in the last of 49,000
    rows. Each refused in under a second, naming row, column, value and reason; the base in
    use is kept."""
    name, text, want = _hostile(tmp_path)[case]
    src = tmp_path / name
    src.write_text(text, encoding="utf-8")
    dest = tmp_path / "benchmark.csv"
    dest.write_text("kept\n")
    start = time.perf_counter()
    with pytest.raises(ValueError) as e:
        save_benchmark(src, "Mine", dest=dest)
    took = time.perf_counter() - start
    assert want in str(e.value)
    assert took < 1, f"{name}: {took:.2f} s (a busy machine)"
    assert len(str(e.value)) < 2000  # the value is quoted short, not 5 MB of it
    assert dest.read_text() == "kept\n"
