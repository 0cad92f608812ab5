"""``focuskit serve``'s two doors in a real Chromium against real Voila servers.

Without the token nothing of the staff door opens; the respondent door serves the
questionnaire and nothing else; the kernel cap turns a visitor away with a friendly page; a
cell that runs too long is stopped; a closed tab's kernel is culled while an idle open page
keeps its own, and a respondent whose kernel was culled resumes from the draft. Screenshots go
to test-artifacts/serve-*.png.
"""

from __future__ import annotations

import os
import re
import time

import pytest
from conftest import ARTIFACTS, ROOT, signed_link
from playwright.sync_api import expect

from focuskit.testing import free_port, notebook

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LONG = 150_000  # ms: a cold kernel on two busy cores


def questionnaire(code: bool = False) -> tuple[str, str | None]:
    """(path, code) of a link to the demo's focus-levels questionnaire, signed with the secret
    of the servers' store (FOCUSKIT_DB_URL); with ``code``, as a browser holding one reopens it."""
    from focuskit import Store

    with Store(os.environ["FOCUSKIT_DB_URL"]) as store:
        link = signed_link(store, "demo-focus-levels", "self", visit=code)
    return "voila/render/take_assessment.ipynb?" + link.query(), link.code

SIZES = [(1280, "laptop"), (390, "phone")]


BUTTON = notebook(
    "import ipywidgets as w\nn = 0\nlabel = w.Label('clicked 0')\nb = w.Button(description='Click')\n"
    "def on(_):\n    global n\n    n += 1\n    label.value = f'clicked {n}'\n"
    "b.on_click(on)\nw.VBox([b, label])")


@pytest.fixture(scope="module")
def served(voila_module_server):
    return voila_module_server()


@pytest.fixture(scope="module")
def test_notebooks(tmp_path_factory):
    """A notebooks folder for the cap, timeout and culling tests: the questionnaire, a button
    and a cell that never ends in time."""
    d = tmp_path_factory.mktemp("notebooks")
    (d / "take_assessment.ipynb").write_bytes((ROOT / "notebooks/take_assessment.ipynb")
                                              .read_bytes())
    (d / "button.ipynb").write_text(BUTTON)
    (d / "env.ipynb").write_text(notebook(
        "import os\nfrom focuskit.config import respondent_base\n"
        "print('KEYS', sorted(k for k in os.environ if 'FOCUSKIT' in k or 'TOKEN' in k))\n"
        "print('VALUES', [v for k, v in os.environ.items()\n"
        "                 if k not in ('QUERY_STRING', 'VOILA_REQUEST_URL')])\n"
        "print('BASE', respondent_base())"))
    (d / "slow.ipynb").write_text(notebook("import time\ntime.sleep(120)",
                                           "print('finished' + ' the slow cell')"))
    return d


def _goto(page, url):
    return page.goto(url, wait_until="domcontentloaded", timeout=LONG)


STAFF_PATHS = ["", "voila/render/index.ipynb", "voila/render/results.ipynb",
               "voila/render/workshop.ipynb", "voila/render/admin.ipynb",
               "voila/render/analysis.ipynb", "voila/tree", "voila/api/contents",
               "voila/api/contents/results.ipynb", "api/kernels", "api/contents",
               "voila/files/data/focuskit.db", "voila/files/../data/focuskit.db",
               "data/focuskit.db", "files/data/focuskit.db"]


def test_without_the_token_the_staff_door_refuses_everything(chromium, served):
    context = chromium.new_context()
    page = context.new_page()
    try:
        for path in STAFF_PATHS:
            response = _goto(page, served.staff_url(path, token=False))
            body = page.content()
            assert response.status in (403, 404), (path, response.status)
            assert "SQLite format" not in body and "Where we stand" not in body, path
            assert '"content"' not in body and "kernel" not in body.lower(), path
            assert "Traceback" not in body, path
        # A wrong token is refused the same way.
        _goto(page, served.staff_url("voila/render/index.ipynb").replace(served.token, "x" * 22))
        expect(page.get_by_role("heading", name="For staff only")).to_be_visible()
        for width, name in SIZES:
            page.set_viewport_size({"width": width, "height": 800})
            _goto(page, served.staff_url("voila/render/results.ipynb", token=False))
            expect(page.get_by_role("heading", name="For staff only")).to_be_visible()
            assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
            page.screenshot(path=str(ARTIFACTS / f"serve-refused-{name}.png"), full_page=True)
        # The page's own form takes the key and opens the page asked for.
        page.get_by_placeholder("Access key").fill(served.token)
        page.get_by_role("button", name="Open").click()
        page.locator("img.fk-plot").first.wait_for(timeout=LONG)
        assert "/voila/render/results.ipynb" in page.url
    finally:
        context.close()


def test_the_staff_link_opens_the_landing_page_and_sets_a_cookie(chromium, served):
    context = chromium.new_context()
    page = context.new_page()
    try:
        _goto(page, served.staff_url("voila/render/index.ipynb"))
        page.get_by_text("Where we stand: eight dimensions of customer focus", exact=True).wait_for(
            timeout=LONG)
        assert page.get_by_text("Traceback").count() == 0
        # The cookie set by the token opens the other staff pages without it.
        response = _goto(page, served.staff_url("", token=False))
        assert response.status == 200 and "/login" not in page.url
    finally:
        context.close()


RESPONDENT_PATHS = ["", "voila/render/results.ipynb", "voila/render/index.ipynb",
                    "voila/render/admin.ipynb", "voila/render/workshop.ipynb",
                    "voila/render/take_assessment.ipynb/../results.ipynb", "voila/tree",
                    "api/contents", "voila/api/contents", "api/kernels", "login",
                    "voila/files/data/focuskit.db", "voila/files/take_assessment.ipynb",
                    "data/focuskit.db", "voila/render/", "?token=" + "x" * 20]


def test_the_respondent_door_serves_the_questionnaire_only(chromium, served):
    page = chromium.new_page()
    try:
        for path in RESPONDENT_PATHS:
            response = _goto(page, served + path)
            body = page.content()
            assert response.status in (200, 404), (path, response.status)
            assert "take_assessment" not in body and "results.ipynb" not in body, path
            assert "SQLite format" not in body and "Where we stand" not in body, path
            assert "Traceback" not in body, path
            if path in ("", "?token=" + "x" * 20):
                expect(page.get_by_role("heading", name="Questionnaires")).to_be_visible()
            else:
                assert response.status == 404, path
                expect(page.get_by_role("heading", name="Nothing here")).to_be_visible()
        # ... and the questionnaire, to anyone with the link, without a token.
        _goto(page, served + questionnaire()[0])
        page.locator(".fk-q h1, .fk-q h2").first.wait_for(timeout=LONG)
        assert page.get_by_text("Traceback").count() == 0
        assert page.get_by_text("QuestionnaireApp").count() == 0  # sources stripped
    finally:
        page.close()


def test_a_visitor_past_the_kernel_cap_gets_the_busy_page(chromium, voila_server, test_notebooks):
    served = voila_server(args=("--notebooks", str(test_notebooks), "--max-kernels", "2",
                                "--preheat", "1", "--staff-preheat", "0"))
    context = chromium.new_context()
    pages = []
    try:
        for _ in range(2):
            page = context.new_page()
            pages.append(page)
            # Personal links: a shared one is redirected to one with a code (a second render).
            response = _goto(page, served + questionnaire(code=True)[0])
            assert response.status == 200
            page.locator(".fk-q h1, .fk-q h2").first.wait_for(timeout=LONG)
        third = context.new_page()
        pages.append(third)
        response = _goto(third, served + questionnaire(code=True)[0])
        assert response.status == 503
        assert response.headers.get("retry-after") == "60"
        expect(third.get_by_role("heading", name="The server is busy")).to_be_visible()
        for width, name in SIZES:
            third.set_viewport_size({"width": width, "height": 800})
            third.screenshot(path=str(ARTIFACTS / f"serve-busy-{name}.png"), full_page=True)
            assert third.evaluate("document.documentElement.scrollWidth") <= width + 1
        # Nothing crashed: the two pages let in still answer, and once one is closed (its
        # kernel shut down on unload) the "Try again" button gets a questionnaire.
        assert served.proc.poll() is None
        pages[0].close(run_before_unload=True)
        deadline = time.monotonic() + 120
        while True:
            third.get_by_role("link", name="Try again").click()
            third.wait_for_load_state("domcontentloaded", timeout=LONG)
            if third.locator(".fk-q").count() or third.get_by_role(
                    "heading", name="The server is busy").count() == 0:
                break
            assert time.monotonic() < deadline, "the kernel of the closed page was not freed"
            time.sleep(3)
        third.locator(".fk-q h1, .fk-q h2").first.wait_for(timeout=LONG)
        assert "campaign=demo-focus-levels" in third.url
    finally:
        context.close()
    log = served.log.read_text(errors="replace")
    assert "kernel cap (2) reached" in log
    assert "Traceback" not in log


def test_a_cell_running_too_long_is_stopped(chromium, voila_server, test_notebooks):
    served = voila_server(args=("--notebooks", str(test_notebooks), "--cell-timeout", "5",
                                "--preheat", "0", "--staff-preheat", "0"))
    page = chromium.new_page()
    try:
        # By the way: staff kernels know the respondents' address, and never see the token.
        _goto(page, served.staff_url("voila/render/env.ipynb"))
        page.get_by_text("BASE").wait_for(timeout=LONG)
        text = page.inner_text("body")
        assert f"BASE {served}voila/render/take_assessment.ipynb" in text
        assert "FOCUSKIT_RESPONDENT_URL" in text and "FOCUSKIT_DB_URL" in text
        assert "FOCUSKIT_TOKEN" not in text and "FOCUSKIT_STAFF_TOKEN" not in text
        # (Voila hands the page's own address, ?token= included, to its kernel as
        # QUERY_STRING and VOILA_REQUEST_URL; nothing else in its environment holds it.)
        values = next(line for line in text.splitlines() if line.startswith("VALUES"))
        assert served.token not in values
        _goto(page, served.staff_url("voila/render/slow.ipynb"))
        page.get_by_text("This page could not be prepared").wait_for(timeout=LONG)
        page.screenshot(path=str(ARTIFACTS / "serve-timeout-laptop.png"), full_page=True)
        assert page.get_by_text("finished the slow cell").count() == 0
        assert page.get_by_text("Traceback").count() == 0
        assert page.get_by_text("--show_tracebacks").count() == 0
        assert page.get_by_text("executing cell").count() == 0
    finally:
        page.close()
    log = served.log.read_text(errors="replace")
    assert "Timeout waiting for execute reply (5s)" in log
    assert "Interrupting kernel" in log


def test_a_preheated_dashboard_is_replaced_when_it_gets_old(chromium, voila_server, tmp_path):
    (tmp_path / "take_assessment.ipynb").write_bytes((ROOT / "notebooks/take_assessment.ipynb")
                                                     .read_bytes())
    (tmp_path / "results.ipynb").write_text(notebook("import time\nprint('RAN', time.time())"))
    started = time.time()
    served = voila_server(args=("--notebooks", str(tmp_path), "--preheat", "0",
                                "--staff-preheat", "1", "--staff-preheat-max-age", "5"))
    deadline = time.monotonic() + 120
    while "replacing preheated kernel" not in served.log.read_text(errors="replace"):
        assert time.monotonic() < deadline, "the preheated kernel was never replaced"
        time.sleep(1)
    page = chromium.new_page()
    try:
        _goto(page, served.staff_url("voila/render/results.ipynb"))
        page.get_by_text("RAN").wait_for(timeout=LONG)
        ran = float(page.inner_text("body").split("RAN", 1)[1].split()[0])
        assert ran > started + 5  # rendered by a kernel started after the first was replaced
    finally:
        page.close()
    assert "Traceback" not in served.log.read_text(errors="replace")


def _kernel_ids(log_text: str, what: str) -> list[str]:
    return re.findall(what + r"[^\n]*?([0-9a-f]{8}-[0-9a-f-]{27})", log_text)


def test_a_closed_tab_is_culled_and_an_idle_open_page_is_not(chromium, voila_server,
                                                              test_notebooks):
    served = voila_server(args=("--notebooks", str(test_notebooks), "--cull-idle", "30",
                                "--preheat", "0", "--staff-preheat", "0"))
    context = chromium.new_context()
    try:
        stays, leaves = context.new_page(), context.new_page()
        for page in (stays, leaves):
            _goto(page, served.staff_url("voila/render/button.ipynb"))
            page.get_by_role("button", name="Click").wait_for(timeout=LONG)
        # The tab is closed without its unload handler: its socket closes, and the staff door
        # shuts the kernel down after a short grace (voila_main.RECONNECT_GRACE), or culling
        # does after --cull-idle.
        leaves.close()
        freed = "(?:Culling 'idle' kernel|staff page of kernel)"
        deadline = time.monotonic() + 180
        while not _kernel_ids(served.log.read_text(errors="replace"), freed):
            assert time.monotonic() < deadline, "the closed tab's kernel was never freed"
            time.sleep(2)
        time.sleep(40)  # the open page has now been idle well past the limit as well
        log = served.log.read_text(errors="replace")
        assert len(_kernel_ids(log, freed)) == 1
        stays.get_by_role("button", name="Click").click()
        stays.get_by_text("clicked 1").wait_for(timeout=60_000)
    finally:
        context.close()


def test_the_kernel_websocket_has_tcp_nodelay(chromium, test_notebooks, tmp_path):
    """The launcher's websocket sets TCP_NODELAY: read back from the socket by a wrapper that
    reports it (the real launcher and Voila, a real page's websocket)."""
    import os
    import subprocess
    import urllib.request

    from focuskit.serving import voila_command, write_template

    write_template(tmp_path / "jupyter")  # as focuskit serve does
    port = free_port()
    cmd = voila_command(test_notebooks, port, "127.0.0.1", door="staff")
    i = cmd.index("-m")
    cmd[i:i + 2] = ["-c", (
        "import socket, sys\nfrom focuskit.serving import voila_main as v\n"
        "opened = v.NoDelayKernelWebsocket.open\n"
        "async def report(self, kernel_id):\n"
        "    await opened(self, kernel_id)\n"
        "    s = self.ws_connection.stream.socket\n"
        "    print('NODELAY', s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY), flush=True)\n"
        "v.NoDelayKernelWebsocket.open = report\nsys.argv[0] = 'voila'\nsys.exit(v.main())")]
    log = tmp_path / "voila.log"
    with open(log, "wb") as out:
        # A staff door without any key lets nobody in: give it one (as focuskit serve does).
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT,
                                env={**os.environ, "JUPYTER_PATH": str(tmp_path / "jupyter"),
                                     "FOCUSKIT_STAFF_TOKEN": "nodelay-test-key-0123"})
    page = chromium.new_page()
    try:
        url = f"http://127.0.0.1:{port}/voila/render/button.ipynb?token=nodelay-test-key-0123"
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/voila/static/", timeout=2)
                break
            except urllib.error.HTTPError:
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
                time.sleep(0.3)
        _goto(page, url)
        page.get_by_role("button", name="Click").click()
        page.get_by_text("clicked 1").wait_for(timeout=LONG)
        assert "NODELAY 1" in log.read_text()
    finally:
        page.close()
        proc.terminate()
        proc.wait(30)


def test_a_respondent_whose_kernel_was_culled_resumes_from_the_draft(chromium, voila_server):
    """A phone put away mid-questionnaire: its page is gone, culling shuts the kernel down, and
    the same link later opens where the respondent left off (drafts live in the store)."""
    import os
    import random

    from respondent import Respondent, address

    from focuskit import Store, load_instrument

    inst = load_instrument("focus-levels")
    served = voila_server(args=("--cull-idle", "30", "--preheat", "1", "--staff-preheat", "0"))
    path, code = questionnaire(code=True)
    url = served + path
    context = chromium.new_context(viewport={"width": 390, "height": 900})
    try:
        r = Respondent(context.new_page(), inst, 390)
        r.open(url)
        r.wait_heading(inst.sections[0].title)
        r.answer_page(random.Random(7))
        given = dict(r.given)
        with Store(os.environ["FOCUSKIT_DB_URL"]) as store:  # the server's store
            deadline = time.monotonic() + 60
            while not ((d := store.draft("demo-focus-levels", code))
                       and d.answers == given):
                assert time.monotonic() < deadline, "the draft was not saved"
                time.sleep(0.3)
        link = address(r.page) or url
        r.page.close()  # no unload: only culling frees this kernel
        deadline = time.monotonic() + 180
        while not _kernel_ids(served.log.read_text(errors="replace"), "Culling 'idle' kernel"):
            assert time.monotonic() < deadline, "the kernel of the closed page was never culled"
            time.sleep(2)
        again = Respondent(context.new_page(), inst, 390)
        again.open(link)
        again.wait_heading(inst.sections[0].title)
        assert again.checked() == {i: given[i] for i in again.items_shown() if i in given}
        assert again.checked()
    finally:
        context.close()
