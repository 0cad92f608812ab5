"""The set-up promises: environment.yml matches pyproject.toml, and the README's commands."""

import re
import tomllib

import yaml
from conftest import ROOT


def _norm(spec: str) -> tuple[str, str]:
    name, ver = re.match(r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?\s*(.*)$", spec.strip()).groups()
    return name.lower().replace("_", "-"), ver.replace(" ", "")


def test_environment_yml_names_the_same_dependencies_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {_norm(d) for d in project["dependencies"] + project["optional-dependencies"]["test"]}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = {_norm(d) for d in env["dependencies"] if isinstance(d, str)
             and not d.startswith(("python", "pip"))}
    assert conda == wanted
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "--editable ." in pip or "." in pip


def test_readme_gives_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    assert "make demo" in readme and "make test" in readme


def test_ci_runs_make_test_with_postgres():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci and "FOCUSKIT_TEST_PG_URL" in ci
