"""``pip install focuskit`` and then ``focuskit serve`` from any folder: the notebooks ship in the
package. A wheel is built from a copy of the sources (no network, no build isolation),
installed on its own (``--no-deps --target``: the dependencies are this environment's), and its
``focuskit serve`` runs from an empty temporary folder; the questionnaire and the staff
landing page come back whole. ``--notebooks DIR`` still overrides the packaged ones."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
import zipfile

import pytest
from conftest import ROOT, signed_query

from focuskit.testing import free_port

pytestmark = pytest.mark.slow

NOTEBOOKS = ("take_assessment.ipynb", "index.ipynb", "results.ipynb", "workshop.ipynb",
             "admin.ipynb", "analysis.ipynb")


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(site folder holding the installed wheel, the wheel's file names)."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    src.mkdir()
    shutil.copytree(ROOT / "focuskit", src / "focuskit", symlinks=True,
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                    "-w", str(tmp / "dist"), str(src)], check=True, capture_output=True)
    wheel = next((tmp / "dist").glob("focuskit-*.whl"))
    site = tmp / "site"
    subprocess.run([*pip, "install", "--no-deps", "--no-index", "--target", str(site),
                    str(wheel)], check=True, capture_output=True)
    return site, zipfile.ZipFile(wheel).namelist()


def test_the_wheel_holds_the_notebooks(installed):
    _, names = installed
    for nb in NOTEBOOKS:
        assert f"focuskit/notebooks/{nb}" in names


def _get(url: str, timeout: float = 120) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")


def test_serve_from_an_empty_folder_after_a_wheel_install(installed, tmp_path):
    from focuskit import Store

    site, _ = installed
    anywhere = tmp_path / "anywhere"
    anywhere.mkdir()
    port, staff = free_port(), free_port()
    env = {**os.environ, "PYTHONPATH": str(site), "FOCUSKIT_TOKEN": "packaged-key-0123456789"}
    log = open(tmp_path / "serve.log", "wb")
    proc = subprocess.Popen([str(site / "bin" / "focuskit"), "serve", f"--port={port}",
                             f"--staff-port={staff}", "--preheat=0", "--staff-preheat=0"],
                            cwd=anywhere, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).close()
                break
            except OSError:
                assert proc.poll() is None, (tmp_path / "serve.log").read_text()
                time.sleep(0.5)
        with Store(os.environ["FOCUSKIT_DB_URL"]) as store:
            query = signed_query(store, "demo-focus-levels", "self")
        status, body = _get(f"http://127.0.0.1:{port}/voila/render/take_assessment.ipynb?"
                            + query)
        assert status == 200 and "application/vnd.jupyter.widget-view+json" in body
        status, body = _get(f"http://127.0.0.1:{staff}/voila/render/index.ipynb"
                            "?token=packaged-key-0123456789")
        assert status == 200 and "application/vnd.jupyter.widget-view+json" in body
        # the server ran the installed copy, not this checkout
        shown = subprocess.run([sys.executable, "-c", "import focuskit; print(focuskit.__file__)"],
                               cwd=anywhere, env=env, capture_output=True, text=True).stdout
        assert shown.startswith(str(site))
    finally:
        proc.terminate()
        try:
            proc.wait(40)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
