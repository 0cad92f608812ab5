"""The doors against a visitor who does not play along.

Real ``focuskit serve`` processes (conftest.start_serve), spoken to with plain HTTP and
websocket clients: no browser is needed to attack a door. Every limit is set small here (a few
seconds) so that the tests run fast; the defaults are in focuskit/serving.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import stat
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest
import websocket
from conftest import ROOT, signed_query, start_serve, stop_serve

from focuskit.serving.clients import client_address
from focuskit.serving.request_log import scrub
from focuskit.serving.voila_main import own_path
from focuskit.testing import free_port, notebook

pytestmark = pytest.mark.slow

PAGE = "voila/render/take_assessment.ipynb?campaign=demo-focus-levels&group=self"
WAIT = 60  # s: a kernel starting on two busy cores


def get(base: str, path: str, headers: dict | None = None, source: str | None = None,
        timeout: float = 120):
    """(status, headers, body) of a GET, optionally from another local address."""
    u = urlsplit(base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout,
                                      source_address=(source, 0) if source else None)
    try:
        conn.request("GET", "/" + path.lstrip("/"), headers=headers or {})
        r = conn.getresponse()
        return r.status, r.headers, r.read().decode("utf-8", "replace")
    finally:
        conn.close()


def kernel_of(body: str) -> str:
    m = re.search(r'"kernelId":\s*"([0-9a-f-]{36})"', body)
    assert m, "the page names no kernel"
    return m.group(1)


def release(base: str, kernel_id: str) -> None:
    """Shut a page's kernel down as its tab does when it closes."""
    u = urlsplit(base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=WAIT)
    try:
        conn.request("POST", f"/voila/api/shutdown/{kernel_id}")
        conn.getresponse().read()
    finally:
        conn.close()


def kernel_alive(base: str, kernel_id: str) -> bool:
    return get(base, f"api/kernels/{kernel_id}")[0] == 200


def wait_for(check, timeout=WAIT, what="the condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = check()
        if got:
            return got
        time.sleep(0.3)
    raise AssertionError(f"{what} did not happen within {timeout} s")


def log_text(served) -> str:
    return served.log.read_text(encoding="utf-8", errors="replace")


def open_socket(base: str, kernel_id: str) -> websocket.WebSocket:
    ws = websocket.create_connection(
        base.replace("http://", "ws://") + f"api/kernels/{kernel_id}/channels?session_id="
        + uuid.uuid4().hex, timeout=WAIT)
    return ws


def message(msg_type: str, content: dict, channel: str = "shell", metadata=None) -> str:
    """A kernel message in Jupyter's JSON websocket form (no subprotocol asked for)."""
    return json.dumps({
        "header": {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "username": "x",
                   "session": uuid.uuid4().hex, "date": "2026-01-01T00:00:00Z",
                   "version": "5.3"},
        "parent_header": {}, "metadata": metadata or {}, "content": content, "channel": channel,
        "buffers": []})


def reply_to(ws, msg_type: str, timeout: float = WAIT) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        raw = ws.recv()
        if isinstance(raw, str):
            msg = json.loads(raw)
            if msg.get("header", {}).get("msg_type") == msg_type:
                return msg
    raise AssertionError(f"no {msg_type}")


def closed_with(ws, timeout: float = WAIT) -> int | None:
    """Read until the server closes the socket; its close code."""
    ws.settimeout(timeout)
    while True:
        try:
            op, data = ws.recv_data(control_frame=True)
        except (websocket.WebSocketConnectionClosedException, ConnectionResetError):
            return None
        if op == websocket.ABNF.OPCODE_CLOSE:
            return int.from_bytes(data[:2], "big") if len(data) >= 2 else None


@pytest.fixture(scope="module")
def fast():
    """Short limits: pages must connect within 3 s, and a silent page is closed after 4 s;
    two questionnaire kernels at most; no per-client cap (tested on its own server)."""
    procs: list = []
    yield start_serve(procs, args=("--preheat=0", "--staff-preheat=0", "--max-kernels=2",
                                   "--per-client-kernels=0", "--connect-within=3",
                                   "--idle-close=4"))
    stop_serve(procs)


@pytest.fixture(scope="module")
def per_client():
    """Two never-connected pages per client; the proxy at 127.0.0.1 is trusted."""
    procs: list = []
    yield start_serve(procs, args=("--preheat=0", "--staff-preheat=0", "--max-kernels=20",
                                   "--per-client-kernels=2", "--connect-within=300",
                                   "--trusted-proxy=127.0.0.1"))
    stop_serve(procs)


PROBE = "PROBE-{}"


@pytest.fixture(scope="module")
def probes(tmp_path_factory):
    """Notebooks that report what their kernel sees; the key in a file, behind HTTPS."""
    d = tmp_path_factory.mktemp("probes")
    (d / "take_assessment.ipynb").write_text(notebook(
        "import resource\nprint('LIMIT', resource.getrlimit(resource.RLIMIT_AS)[0])",
        "try:\n    hog = bytearray(600 * 2**20)\n    print('GOT 600 MB')\n"
        "except MemoryError:\n    print('REFUSED 600 MB')"))
    (d / "env.ipynb").write_text(notebook(
        "import os\nprint('ENV', os.environ.get('QUERY_STRING'), "
        "os.environ.get('VOILA_REQUEST_URL'))"))
    key = "file-key-" + uuid.uuid4().hex
    (d / "key").write_text(key + "\n")
    procs: list = []
    served = start_serve(procs, args=("--preheat=0", "--staff-preheat=0", f"--notebooks={d}",
                                      "--kernel-memory=400", f"--token-file={d / 'key'}",
                                      "--public-url=https://survey.example.com"))
    served.token = key  # the file's key, not the environment's
    yield served
    stop_serve(procs)


# -- 1. the login page sends the key to this server only ----------------------------------------
@pytest.mark.parametrize("target", [
    "/\\evil.example/steal", "/%5Cevil.example/steal", "/%255Cevil.example", "//evil.example",
    "/%2F/evil.example", "https://evil.example/x", "evil.example", "/\t/evil.example",
    "/%09/evil.example", "javascript:alert(1)", "/\nevil", "", "http:/evil.example"])
def test_next_outside_this_server_falls_back_to_the_root(target):
    assert own_path(target) == "/"


@pytest.mark.parametrize("target", ["/", "/voila/render/results.ipynb?campaign=a&x=1",
                                    "/voila/render/admin.ipynb"])
def test_next_on_this_server_is_kept(target):
    assert own_path(target) == target


def test_the_login_form_never_posts_elsewhere(fast):
    for target in ("/%5Cevil.example/steal", "//evil.example/steal", "/%2F%2Fevil.example"):
        status, _, body = get(fast.staff, f"login?next={target}")
        assert status == 403
        assert re.findall(r'<form method="get" action="([^"]*)"', body) == ["/"], target


# -- 2. lockout --------------------------------------------------------------------------------
def test_a_page_that_never_connects_loses_its_kernel_and_frees_the_door(fast):
    # The finding: --max-kernels plain GETs (no websocket) locked everyone out until culling.
    kernels = [kernel_of(get(fast, PAGE)[2]) for _ in range(2)]
    status, _, body = get(fast, PAGE)
    assert status == 503 and "busy" in body  # the door is full for now...
    for k in kernels:
        wait_for(lambda k=k: not kernel_alive(fast, k), what="the unconnected kernel's end")
    assert "did not connect to kernel" in log_text(fast)
    status, _, body = get(fast, PAGE)  # ...and open again seconds later
    assert status == 200
    kernel_of(body)


def test_an_idle_page_is_closed_with_reload_to_go_on(fast):
    kernel = kernel_of(get(fast, PAGE)[2])
    ws = open_socket(fast, kernel)
    try:
        assert closed_with(ws) == 4001  # what the page's script reads as "reload to go on"
    finally:
        ws.close()
    wait_for(lambda: not kernel_alive(fast, kernel), what="the idle page's kernel end")


def test_a_connected_page_keeps_its_kernel_past_connect_within(fast):
    kernel = kernel_of(get(fast, PAGE)[2])
    ws = open_socket(fast, kernel)
    try:
        for _ in range(3):  # 4.5 s, past connect-within, each message before idle-close
            ws.send(message("kernel_info_request", {}))
            reply_to(ws, "kernel_info_reply")
            time.sleep(1.5)
        assert kernel_alive(fast, kernel)
    finally:
        ws.close()
        release(fast, kernel)


def _pages(base, headers=None, source=None, n=1):
    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(lambda _: get(base, PAGE, headers, source), range(n)))


def test_one_client_holds_few_unconnected_kernels_and_a_shared_address_still_gets_in(
        per_client):
    alice = {"X-Forwarded-For": "198.51.100.7"}
    firsts = _pages(per_client, alice, n=2)
    assert [s for s, _, _ in firsts] == [200, 200]
    status, _, body = get(per_client, PAGE, alice)
    assert status == 429 and "Too many pages opening" in body
    # Someone else behind the same proxy (an office behind one NAT) is not held up by it.
    assert get(per_client, PAGE, {"X-Forwarded-For": "198.51.100.8"})[0] == 200
    # Once alice's pages connect, they no longer count: she (or her office) may open more.
    sockets = [open_socket(per_client, kernel_of(b)) for _, _, b in firsts]
    try:
        for ws in sockets:
            ws.send(message("kernel_info_request", {}))
            reply_to(ws, "kernel_info_reply")
        assert get(per_client, PAGE, alice)[0] == 200
    finally:
        for ws in sockets:
            ws.close()


def test_a_forged_forwarded_for_from_an_untrusted_peer_is_ignored(per_client):
    # 127.0.0.2 is not the trusted proxy: its X-Forwarded-For is its own claim, and each
    # request claims another address. It is still one client.
    got = [get(per_client, PAGE, {"X-Forwarded-For": f"203.0.113.{n}"}, source="127.0.0.2")[0]
           for n in range(3)]
    assert got == [200, 200, 429]
    assert "127.0.0.2 holds 2 pages" in log_text(per_client)


def test_client_address_reads_the_forwarded_for_of_trusted_proxies_only():
    from tornado.httputil import HTTPHeaders, HTTPServerRequest, RequestStartLine

    from focuskit.serving.clients import trusted_networks

    def request(peer, *xff):
        headers = HTTPHeaders({"Host": "door.example"})
        for value in xff:
            headers.add("X-Forwarded-For", value)
        r = HTTPServerRequest(start_line=RequestStartLine("GET", "/", "HTTP/1.1"),
                              headers=headers)
        r.remote_ip = peer
        return r

    proxies = trusted_networks(["10.0.0.0/8", "127.0.0.1"])
    assert client_address(request("127.0.0.1", "198.51.100.1"), proxies) == "198.51.100.1"
    # The client's own forged entry stands left of what the proxy saw: the proxy's wins.
    assert client_address(request("127.0.0.1", "1.2.3.4, 198.51.100.1"), proxies) \
        == "198.51.100.1"
    assert client_address(request("127.0.0.1", "198.51.100.1, 10.1.1.1"), proxies) \
        == "198.51.100.1"
    assert client_address(request("192.0.2.9", "198.51.100.1"), proxies) == "192.0.2.9"
    assert client_address(request("127.0.0.1", "not an address"), proxies) == "127.0.0.1"
    assert client_address(request("127.0.0.1"), proxies) == "127.0.0.1"
    assert client_address(request("127.0.0.1", "198.51.100.1"), ()) == "127.0.0.1"


# -- 3. the kernel websocket on the respondent door -----------------------------------------------
def _comm_ids(ws) -> dict:
    ws.send(message("comm_info_request", {}))
    return reply_to(ws, "comm_info_reply")["content"]["comms"]


def test_the_browser_cannot_open_widgets_in_the_kernel(fast):
    kernel = kernel_of(get(fast, PAGE)[2])
    ws = open_socket(fast, kernel)
    try:
        forged, control = uuid.uuid4().hex, uuid.uuid4().hex
        ws.send(message("comm_open", {"comm_id": forged, "target_name": "jupyter.widget",
                                      "data": {"state": {"_model_name": "TextModel",
                                                         "_model_module": "@jupyter-widgets/controls",
                                                         "value": "x" * 1000},
                                               "buffer_paths": []}}))
        assert forged not in _comm_ids(ws)
        # What ipywidgets' front end needs still gets through: the control comm, which
        # answers with the state of the kernel's widgets.
        ws.send(message("comm_open", {"comm_id": control,
                                      "target_name": "jupyter.widget.control", "data": {}},
                        metadata={"version": "1.0.0"}))
        ws.send(message("comm_msg", {"comm_id": control, "data": {"method": "request_states"}}))
        reply = reply_to(ws, "comm_msg")
        assert reply["content"]["comm_id"] == control
        assert reply["content"]["data"]["method"] == "update_states"
    finally:
        ws.close()
        release(fast, kernel)
    assert "comm_open to 'jupyter.widget' from 127.0.0.1 dropped" in log_text(fast)


def test_comm_open_target_reads_both_websocket_protocols():
    from jupyter_server.services.kernels.connection.base import serialize_msg_to_ws_v1

    from focuskit.serving.socket_guard import comm_open_target, frame_is_sane

    def v1(msg_type, content):
        m = json.loads(message(msg_type, content))
        return serialize_msg_to_ws_v1([json.dumps(m[k]).encode() for k in
                                       ("header", "parent_header", "metadata", "content")],
                                      "shell")

    opened = {"comm_id": "c", "target_name": "jupyter.widget", "data": {}}
    assert comm_open_target(v1("comm_open", opened)) == "jupyter.widget"
    assert comm_open_target(message("comm_open", opened)) == "jupyter.widget"
    assert comm_open_target(v1("comm_msg", {"comm_id": "c", "data": {}})) is None
    assert comm_open_target(message("kernel_info_request", {})) is None
    assert comm_open_target(b"\x05garbage") == ""  # unreadable: refused like a stranger
    assert comm_open_target("{not json") == ""
    assert frame_is_sane(v1("comm_open", opened), v1=True)
    assert not frame_is_sane((2**40).to_bytes(8, "little") + b"x" * 16, v1=True)
    assert not frame_is_sane((2**31 - 1).to_bytes(4, "big") + b"x" * 16, v1=False)
    assert not frame_is_sane(b"\x01", v1=True) and frame_is_sane("text", v1=True)


@pytest.mark.parametrize("v1", [True, False])
def test_a_frame_announcing_more_parts_than_it_holds_does_not_stall_the_door(fast, v1):
    # Before: jupyter_server built a list of 2**40 offsets; the door stopped answering anyone.
    kernel = kernel_of(get(fast, PAGE)[2])
    ws = websocket.create_connection(
        fast.replace("http://", "ws://") + f"api/kernels/{kernel}/channels",
        subprotocols=["v1.kernel.websocket.jupyter.org"] if v1 else None, timeout=WAIT)
    try:
        count = (2**40).to_bytes(8, "little") if v1 else (2**31 - 1).to_bytes(4, "big")
        ws.send_binary(count + b"x" * 16)
        assert closed_with(ws) in (1007, None)
        assert get(fast, "voila/templates/x", timeout=10)[0] == 404  # the door still answers
    finally:
        ws.close()
        release(fast, kernel)


def test_a_big_message_closes_the_socket(fast):
    kernel = kernel_of(get(fast, PAGE)[2])
    ws = open_socket(fast, kernel)
    try:
        ws.send(message("comm_msg", {"comm_id": "x", "data": {"v": "x" * 70_000}}))
        # 1009: message too big (tornado may drop the connection before the client reads it)
        assert closed_with(ws) in (1009, None)
    finally:
        ws.close()
        release(fast, kernel)


def test_a_flood_of_messages_closes_the_socket(fast):
    kernel = kernel_of(get(fast, PAGE)[2])
    ws = open_socket(fast, kernel)
    try:
        for _ in range(301):
            ws.send(message("comm_msg", {"comm_id": "none", "data": {"method": "request_state"}}))
        assert closed_with(ws) == 1008
    except (BrokenPipeError, ConnectionResetError, websocket.WebSocketConnectionClosedException):
        pass  # closed while we were still sending: the same verdict
    finally:
        ws.close()
        release(fast, kernel)
    assert "more than 300 messages in a minute" in log_text(fast)


def test_a_respondent_kernel_has_a_memory_cap(probes):
    status, _, body = get(probes, "voila/render/take_assessment.ipynb")
    assert status == 200
    assert f"LIMIT {400 * 2**20}" in body
    assert "REFUSED 600 MB" in body and "GOT 600 MB" not in body


# -- 4. the staff key stays secret ---------------------------------------------------------------
def test_the_key_is_not_in_the_log(fast):
    t = fast.token
    for path in (f"nothing?token={t}", f"voila/templates/x?token={t}", f"logout?token={t}",
                 f"voila/render/nothing.ipynb?token={t}", f"api/kernels/{uuid.uuid4()}?token={t}",
                 f"voila/render/index.ipynb?token={t}"):
        get(fast.staff, path)
    get(fast, f"nothing?token={t}&code=secret-code-123")
    text = log_text(fast)
    assert "token=[secret]" in text
    assert t not in text and "secret-code-123" not in text


def test_the_key_is_not_in_a_staff_kernels_environment(probes):
    status, _, body = get(probes.staff, f"voila/render/env.ipynb?x=1&token={probes.token}")
    assert status == 200
    env_line = re.search(r"ENV [^<]*", body).group(0)
    assert "x=1" in env_line and probes.token not in env_line


def test_the_key_comes_from_a_file_and_is_never_on_a_command_line(probes):
    assert get(probes.staff, f"voila/render/env.ipynb?token={probes.token}")[0] == 200
    others = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                cmdline = open(f"/proc/{pid}/cmdline", "rb").read().decode("utf-8", "replace")
            except OSError:
                continue
            if probes.token in cmdline:
                others.append(pid)
    assert others == []


def test_the_key_on_the_command_line_is_refused():
    out = subprocess.run([sys.executable, "-m", "focuskit.cli", "serve", "--token",
                          "a-key-long-enough-1234", f"--port={free_port()}",
                          f"--staff-port={free_port()}"], capture_output=True, text=True,
                         cwd=ROOT, timeout=60)
    assert out.returncode == 2 and "--token-file" in out.stderr and "Traceback" not in out.stderr


def test_a_short_key_in_the_key_file_is_refused(tmp_path):
    (tmp_path / "key").write_text("short\n")
    out = subprocess.run([sys.executable, "-m", "focuskit.cli", "serve", "--token-file",
                          str(tmp_path / "key"), f"--port={free_port()}",
                          f"--staff-port={free_port()}"], capture_output=True, text=True,
                         cwd=ROOT, timeout=60)
    assert out.returncode == 2 and "at least 16 characters" in out.stderr
    assert f"--token-file {tmp_path / 'key'}" in out.stderr


def test_wrong_keys_are_slowed_and_logged_without_the_key(fast):
    wrong = [f"wrong-key-{n}-{uuid.uuid4().hex}" for n in range(4)]
    for key in wrong:
        assert get(fast.staff, f"voila/render/index.ipynb?token={key}")[0] in (302, 403)
    text = log_text(fast)
    waits = [float(w) for w in re.findall(
        r"wrong staff key from 127\.0\.0\.1 \(\d+ in a row\); its next key waits ([\d.]+) s",
        text)]
    assert len(waits) >= 4 and waits[-4:] == sorted(waits[-4:]) and waits[-1] > waits[-4]
    assert not any(key in text for key in wrong)
    # The right key still opens the door (after its wait), and forgives the address.
    assert get(fast.staff, f"voila/render/index.ipynb?token={fast.token}")[0] == 200


def test_scrub_hides_secret_parameters():
    assert scrub("/a?x=1&token=abc&code=z") == "/a?x=1&token=[secret]&code=[secret]"
    assert scrub("/a") == "/a"


# -- 5. cookies, the SQLite file, and errors without a traceback ---------------------------------
def _cookies(headers) -> list[str]:
    return headers.get_all("Set-Cookie") or []


def test_cookies_are_same_site_lax(fast):
    status, headers, _ = get(fast.staff, f"voila/render/index.ipynb?token={fast.token}")
    login = [c for c in _cookies(headers) if c.startswith("username-")]
    assert status == 200 and login
    assert all("SameSite=Lax" in c and "Secure" not in c for c in login)


def test_cookies_are_secure_behind_https(probes):
    status, headers, _ = get(probes.staff, f"voila/render/env.ipynb?token={probes.token}")
    login = [c for c in _cookies(headers) if c.startswith("username-")]
    assert status == 200 and login
    assert all("SameSite=Lax" in c and "Secure" in c for c in login)


def test_the_sqlite_file_and_its_wal_are_for_their_owner_only(tmp_path):
    from focuskit import Store

    url = f"sqlite:///{tmp_path / 'new' / 'answers.db'}"
    with Store(url) as store:
        store.create_campaign("c1", "A campaign", "focus-levels")
        files = sorted(p.name for p in (tmp_path / "new").iterdir())
        assert files == ["answers.db", "answers.db-shm", "answers.db-wal"]
        for p in (tmp_path / "new").iterdir():
            assert stat.S_IMODE(p.stat().st_mode) == 0o600, p.name


def test_a_visitor_cannot_choose_another_template(fast):
    status, _, body = get(fast, PAGE + "&template=lab")
    try:
        assert status == 200 and "cdn.jsdelivr.net" not in body and "focuskit-closed" in body
    finally:
        release(fast, kernel_of(body))


def test_odd_addresses_get_a_plain_page_and_no_traceback(fast):
    before = len(log_text(fast))
    for base, path, want in [(fast, "voila/templates/", 404), (fast, "voila/templates/x", 404),
                             (fast.staff, "voila/templates/", 404),
                             (fast.staff, "voila/templates/lab/x", 404),
                             (fast.staff, "voila/templates/../../etc/passwd", 404),
                             (fast.staff, "logout", 200), (fast, "logout", 404)]:
        status, _, body = get(base, path)
        assert status == want, path
        assert "Traceback" not in body
    assert get(fast, "voila/templates/lab/static/voila.js")[0] == 200  # the page needs it
    new = log_text(fast)[before:]
    assert "Traceback" not in new and " 500 " not in new


# -- in a browser: the questionnaire works behind the guard, and an idle page says what to do ----
@pytest.mark.browser
def test_an_idle_questionnaire_says_reload_and_the_reload_goes_on(chromium, voila_server):
    from playwright.sync_api import expect

    served = voila_server(args=("--preheat=1", "--staff-preheat=0", "--idle-close=6"))
    context = chromium.new_context(viewport={"width": 390, "height": 800})
    page = context.new_page()
    try:
        from focuskit import Store

        with Store(os.environ["FOCUSKIT_DB_URL"]) as store:  # the servers' store signs it
            link = "voila/render/take_assessment.ipynb?" + signed_query(
                store, "demo-focus-levels", "self")
        page.goto(served + link, wait_until="domcontentloaded", timeout=120_000)
        radios = page.locator(".fk-item .widget-radio-box label")
        expect(radios.first).to_be_visible(timeout=120_000)
        radios.first.click()  # one message; then the page stays silent
        notice = page.get_by_role("alert")
        expect(notice).to_contain_text("closed after a long pause", timeout=60_000)
        page.screenshot(path=str(ROOT / "test-artifacts" / "serve-idle-closed.png"))
        notice.get_by_role("button", name="Reload to go on").click()
        expect(radios.first).to_be_visible(timeout=120_000)
        expect(page.get_by_role("alert")).to_have_count(0)
        # The answer given before the pause is still there (the draft).
        expect(page.locator(".fk-item .widget-radio-box input").first).to_be_checked(
            timeout=60_000)
    finally:
        context.close()
