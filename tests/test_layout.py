"""The package's layout: no import cycles between modules, no ``_private`` name taken from
another module, every module importable on its own, and every stylesheet shipped."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from fnmatch import fnmatch
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "focuskit"

#: Known findings, by message: none; nothing may join this list.
KNOWN: set[str] = set()


def modules() -> dict[str, Path]:
    out = {}
    for p in PKG.rglob("*.py"):
        parts = list(p.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = p
    return out


def imports(mods: dict[str, Path]):
    """(importer, imported module, name or None) for every import of a focuskit module."""
    for m, p in mods.items():
        is_pkg = p.name == "__init__.py"
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = m.split(".") if is_pkg else m.split(".")[:-1]
                    base = base[: len(base) - (node.level - 1)]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                if not target.startswith("focuskit"):
                    continue
                for a in node.names:
                    full = f"{target}.{a.name}"
                    yield m, (full if full in mods else target), (None if full in mods else a.name)
            elif isinstance(node, ast.Import):
                for a in node.names:
                    if a.name in mods:
                        yield m, a.name, None


def test_no_import_cycles():
    mods = modules()
    graph = {m: set() for m in mods}
    for m, dest, _name in imports(mods):
        # a package's __init__ imported by its own children is how Python loads them, not a cycle
        if dest in mods and dest != m and not m.startswith(dest + "."):
            graph[m].add(dest)
    cycles, state = [], {}

    def visit(v, path):
        state[v] = 1
        for w in sorted(graph[v]):
            if state.get(w) == 1:
                cycles.append(path[path.index(w):] + [w])
            elif w not in state:
                visit(w, path + [w])
        state[v] = 2

    for v in sorted(graph):
        if v not in state:
            visit(v, [v])
    found = {" -> ".join(c) for c in cycles} - KNOWN
    assert not found, "import cycles:\n" + "\n".join(sorted(found))


def test_no_private_names_across_modules():
    mods = modules()
    bad = []
    for m, dest, name in imports(mods):
        last, home = dest.rsplit(".", 1)[-1], dest.rsplit(".", 1)[0]
        private_module = last.startswith("_") and not last.startswith("__")
        # A private module is its package's shared inside: its package may use all of it,
        # and nobody else any of it.
        if private_module and not m.startswith(home + "."):
            bad.append(f"{m} imports the private module {dest}")
        elif name and name.startswith("_") and not name.startswith("__") and dest != m \
                and not private_module:
            bad.append(f"{m} takes {dest}.{name}")
    found = set(bad) - KNOWN
    assert not found, "\n".join(sorted(found))


def test_every_module_imports_on_its_own():
    # One interpreter, focuskit forgotten between modules: a module that works only when
    # another was imported first fails here. Third-party packages stay loaded, for speed.
    names = sorted(m for m in modules() if not m.endswith("__main__"))
    code = (
        "import importlib, sys, traceback\n"
        f"bad = []\nfor name in {names!r}:\n"
        "    for k in [k for k in sys.modules if k == 'focuskit' or k.startswith('focuskit.')]:\n"
        "        del sys.modules[k]\n"
        "    try:\n        importlib.import_module(name)\n"
        "    except Exception:\n        bad.append(name + ': ' + traceback.format_exc(limit=1))\n"
        "print('\\n'.join(bad)); sys.exit(1 if bad else 0)\n")
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr


def test_css_lives_in_files_and_ships():
    in_python = [str(p) for p in PKG.rglob("*.py") if "font-family" in p.read_text("utf-8")]
    assert not in_python, f"CSS in Python strings: {in_python}"
    data = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    shipped = data["tool"]["setuptools"]["package-data"]
    missing = []
    for css in PKG.rglob("*.css"):
        rel = css.relative_to(ROOT)
        ok = False
        for pkg, patterns in shipped.items():
            pdir = Path(*pkg.split("."))
            if rel.is_relative_to(pdir):
                sub = rel.relative_to(pdir).as_posix()
                ok = ok or any(fnmatch(sub, pat) and "/" not in sub.replace(pat.rsplit("/", 1)[0]
                               + "/", "", 1) for pat in patterns)
        if not ok:
            missing.append(str(rel))
    assert not missing, f"stylesheets pyproject.toml does not ship: {missing}"


def test_every_docstring_example_under_focuskit_runs_in_the_suite():
    """The examples analysts copy must stay true: pytest collects all of focuskit/ with
    --doctest-modules (names from tests/conftest.py), rather than a hand-picked list."""
    opts = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["pytest"][
        "ini_options"]
    assert "--doctest-modules" in opts["addopts"].split() and "focuskit" in opts["testpaths"]
    for name in ("agreement", "agenda", "reliability", "diagnostics", "benchmarking", "planner"):
        assert ">>>" in (PKG / "analysis" / f"{name}.py").read_text("utf-8"), name
