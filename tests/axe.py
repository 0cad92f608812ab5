"""axe-core, Deque's accessibility checker, run inside a page in Chromium.

``make browser`` (through ``make axe``) fetches axe.min.js from the npm registry at a pinned
version and checks its sha256; nothing of axe-core is committed. A test calls
``check_page(page, name)``: it loads axe into the page, runs the WCAG 2.0 to 2.2 A and AA rules,
writes every violation to test-artifacts/axe-NAME.json and fails on the serious and critical
ones, naming the rule and the first elements it found.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import ARTIFACTS, ROOT

AXE_VERSION = "4.11.0"  # the Makefile's AXE_VERSION
AXE_JS = ROOT / ".venv" / "share" / f"axe-core-{AXE_VERSION}" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING = ("serious", "critical")


def axe_script() -> Path:
    path = Path(os.environ.get("FOCUSKIT_AXE_JS", AXE_JS))
    if not path.exists():
        why = f"no axe-core at {path}: run `make axe`"
        if os.environ.get("CI") == "true":
            pytest.fail(f"the accessibility checks must run under CI, but {why}")
        pytest.skip(why)
    return path


def violations(page) -> list[dict]:
    """axe-core's violations on ``page`` as it stands, every impact."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(path=str(axe_script()))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})", TAGS)
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [{"target": n["target"], "summary": n.get("failureSummary", "")}
                       for n in v["nodes"]]}
            for v in result["violations"]]


def check_page(page, name: str) -> list[dict]:
    """Fail on serious or critical violations on ``page``; return them all (minor included)."""
    found = violations(page)
    (ARTIFACTS / f"axe-{name}.json").write_text(json.dumps(found, indent=1))
    bad = [v for v in found if v["impact"] in BLOCKING]
    lines = [f"{v['impact']} {v['id']} ({v['help']}), {len(v['nodes'])} element(s): "
             + "; ".join(str(n["target"]) for n in v["nodes"][:4]) for v in bad]
    assert not bad, f"axe-core on {name}:\n" + "\n".join(lines)
    return found
