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


STAFF = ("index", "results", "workshop", "admin", "analysis")


def _title(nb: str) -> str:
    """The <title> Voila gives notebook ``nb``: its metadata's title, else its name."""
    import json

    meta = json.loads((ROOT / "focuskit" / "notebooks" / f"{nb}.ipynb").read_text())["metadata"]
    return f"<title>{meta.get('title', nb)}</title>".lower()


def _raw(base: str, path: str, headers: dict | None = None) -> tuple[int, str]:
    """GET ``path`` exactly as written (no client-side clean-up of ``..`` or ``%2F``)."""
    import http.client
    import urllib.parse

    u = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
    try:
        conn.putrequest("GET", path, skip_accept_encoding=True)
        for k, v in (headers or {}).items():
            conn.putheader(k, v)
        conn.endheaders()
        r = conn.getresponse()
        return r.status, r.read().decode("utf-8", "replace")
    finally:
        conn.close()


def test_no_path_trick_reaches_a_staff_notebook_through_the_respondents_door(voila_server):
    """Attack: the notebooks now live in the package; from the respondents' door, ask for
    each staff notebook by every spelling a path parser might resolve differently from the
    route's pattern: dot segments kept verbatim, encoded slashes and dots, a NUL, a double
    slash, a semicolon, a backslash, a detour through the join door."""
    served = voila_server(None, ("--preheat", "0", "--staff-preheat", "0"))
    q = "/voila/render/take_assessment.ipynb"
    tricks = []
    for nb in STAFF:
        f = f"{nb}.ipynb"
        tricks += [f"/voila/render/{f}", f"/voila/render/./{f}", f"/voila/render//{f}",
                   f"{q}/../{f}", f"{q}/..%2F{f}", f"{q}%2F..%2F{f}", f"{q}%2f%2e%2e%2f{f}",
                   f"/voila/render/%2E/{f}", f"/voila/render/notebooks/{f}",
                   f"/voila/render/../notebooks/{f}", f"/voila/render/%2E%2E%2Fnotebooks%2F{f}",
                   f"/voila/render/{f}%00", f"{q}%00/../{f}", f"{q};/../{f}",
                   f"/voila/render/{nb}.IPYNB", f"/voila/render\\{f}", f"/j/../voila/render/{f}",
                   f"/j/..%2Fvoila%2Frender%2F{f}", f"/j/%2E%2E/voila/render/{f}",
                   f"/voila/files/{f}", f"/voila/files/notebooks/{f}", f"/files/{f}",
                   f"/voila/api/contents/{f}", f"/api/contents/{f}", f"/voila/nbconvert/{f}",
                   f"/voila/templates/lab/static/../../../notebooks/{f}",
                   f"/voila/templates/lab/static/..%2F..%2F..%2Fnotebooks%2F{f}",
                   f"/voila/static/..%2F{f}", f"/voila/render/{f}?voila-template=lab"]
    tricks += ["/voila/tree", "/tree", "/voila/tree/notebooks", "/api/kernels",
               "/voila/api/kernels", "/api/kernelspecs", "/voila/render/"]
    for path in tricks:
        status, body = _raw(served, path)
        assert status != 500 and "Traceback" not in body, path
        # A staff page is a rendered notebook with its name as the page's title.
        for nb in STAFF:
            assert _title(nb) not in body.lower(), (path, status)
        if status == 200:
            assert "application/vnd.jupyter.widget-view+json" not in body or \
                "take_assessment" in body, (path, status)
    # The questionnaire itself still opens (a control: the tricks did not just break the door).
    status, body = _raw(served, q)
    assert status == 200 and _title("take_assessment") in body.lower()
    # And a staff notebook does carry the title looked for above, on the staff door.
    status, body = _raw(served.staff, "/voila/render/admin.ipynb?token=" + served.token)
    assert status == 200 and _title("admin") in body.lower()
