"""``focuskit serve``: two Voila servers, one door for respondents and one for staff.

- The respondent door (``--port``, default 8866) serves the questionnaire and nothing else,
  to anyone with a link: its Voila's root is a folder holding a copy of take_assessment.ipynb
  alone, and voila_main drops every other route.
- The staff door (``--staff-port``, default port + 1) serves the notebooks folder (landing
  page, dashboards, workshop, admin) to whoever brings the token.

Both get the project's settings: preheated kernels, a cap on kernels, idle culling, a time
limit per cell, sources stripped, no tracebacks. They start and stop together.

Against visitors who do not play along (see voila_main): a page that does not connect to its
kernel within ``--connect-within`` loses it; one client address holds at most
``--per-client-kernels`` kernels of pages that never connected (the address a
``--trusted-proxy`` forwards, else the peer's); a questionnaire silent for ``--idle-close`` is
closed; respondent kernels run under a memory cap (``--kernel-memory``, kernel_launcher). The
staff key comes from $FOCUSKIT_TOKEN or ``--token-file``, never from a command line.
"""

from __future__ import annotations

import errno
import ipaddress
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..config import RESPONDENT_PORT, RESPONDENT_URL_ENV, STAFF_TOKEN_ENV
from ..config import TOKEN_ENV as OPERATOR_TOKEN_ENV
from ..errors import FocuskitError
from .reach import reach_note

__all__ = ["ServeOptions", "serve", "voila_command"]

RESPONDENT_NOTEBOOK = "take_assessment.ipynb"  # the only notebook of the respondent door
TOKEN_ENV = STAFF_TOKEN_ENV  # how the staff token reaches its Voila (not argv: ps shows it)
LANDING = "index.ipynb"
DASHBOARD = "results.ipynb"  # preheated on the staff door: its first plot comes much sooner
RENDER = "/voila/render/"
IOPUB_WAIT = 60  # s a cell's outputs may lag its reply under load (see voila_command)

#: Voila's "lab" template without the two Font Awesome stylesheets it fetches from
#: cdn.jsdelivr.net (Voila bundles Font Awesome anyway): they told a third party about every
#: respondent, and as render-blocking styles they hold the page up on a slow phone network
#: or a server without internet access.
_CDN_CSS = ('<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/@fortawesome/'
            'fontawesome-free@^5/css/{}.min.css" type="text/css" />')
VOILA_TEMPLATE = (
    "{%- extends 'lab/index.html.j2' -%}\n"
    "{%- block notebook_css -%}\n{%- set css = super() -%}\n"
    "{{ css | replace('" + _CDN_CSS.format("all") + "', '') | replace('"
    + _CDN_CSS.format("v4-shims") + "', '') }}\n{%- endblock notebook_css -%}\n"
    # The staff key leaves the address bar once the page has its cookie: a projected or
    # shared screen, a screenshot or a bookmark must not carry it.
    "{%- block footer_js -%}\n{{ super() }}\n<script>(function () {\n"
    "  var u = new URL(window.location.href);\n"
    "  if (u.searchParams.has('token')) {\n"
    "    u.searchParams.delete('token');\n"
    "    window.history.replaceState(window.history.state, '', u.toString());\n"
    "  }\n})();</script>\n{%- endblock footer_js -%}\n"
    # Before Voila's own scripts: when the server closes an idle page's kernel socket (close
    # code 4001, voila_main.IDLE_CLOSE_CODE), say so instead of leaving a page that no longer
    # answers. The answers are in the draft; a reload resumes from there.
    "{%- block html_head_js -%}\n{{ super() }}\n<style>" + "{{ focuskit_css }}" + "</style>"
    "<script>(function () {\n"
    "  var Native = window.WebSocket;\n"
    "  function Watched(url, protocols) {\n"
    "    var ws = protocols === undefined ? new Native(url) : new Native(url, protocols);\n"
    "    ws.addEventListener('close', function (e) {\n"
    "      if (e.code !== 4001 || document.getElementById('focuskit-closed')) { return; }\n"
    "      var box = document.createElement('div');\n"
    "      box.id = 'focuskit-closed'; box.setAttribute('role', 'alert');\n"
    "      box.innerHTML = '<p>This page was closed after a long pause, to free the server. '\n"
    "        + 'Your answers are kept.</p><button type=\"button\">Reload to go on</button>';\n"
    "      box.querySelector('button').onclick = function () { window.location.reload(); };\n"
    "      document.body.appendChild(box);\n"
    "    });\n"
    "    return ws;\n"
    "  }\n"
    "  Watched.prototype = Native.prototype;\n"
    "  ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED'].forEach(function (k) { Watched[k] = Native[k]; });\n"
    "  window.WebSocket = Watched;\n"
    "})();</script>\n{%- endblock html_head_js -%}\n")

# What a visitor reads when a cell fails or runs out of time (Voila's default tells them to
# restart Voila with --show_tracebacks=True).
CELL_ERROR = ("This page could not be prepared. Please reload it in a minute; if it fails "
              "again, tell the person who sent you the link.")


@dataclass
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = RESPONDENT_PORT
    staff_port: int | None = None  # None: port + 1
    preheat: int = 2  # kernels kept ready for the questionnaire
    staff_preheat: int = 1  # kernels kept ready for the results dashboard
    max_kernels: int = 40  # respondent door: pages with a kernel at once
    staff_max_kernels: int = 10
    # A preheated dashboard has read the answers when it started: replace it after this long.
    # (The questionnaire reads its campaign only once a visitor's link arrives.)
    staff_pool_max_age: int = 600
    cull_idle: int = 600  # seconds before a kernel without a page is shut down (0: never)
    cell_timeout: int = 300  # seconds a cell may run while a page is prepared (0: no limit)
    token: str | None = None  # None: token_file, else $FOCUSKIT_TOKEN, else a new random one
    token_file: Path | None = None  # a file holding the staff key (first line)
    notebooks: Path | None = None  # None: the project's notebooks/
    db: str | None = None  # None: $FOCUSKIT_DB_URL, else the project's data/focuskit.db
    public_url: str | None = None  # respondents' address behind a proxy, e.g. https://survey.x
    connect_within: int = 30  # s a page, once sent, has to connect to its kernel (0: no limit)
    per_client_kernels: int = 3  # kernels of never-connected pages per client address (0: any)
    idle_close: int = 1800  # s a connected questionnaire may stay silent before it is closed
    trusted_proxy: tuple[str, ...] = field(default=())  # proxies whose X-Forwarded-For counts
    kernel_memory: int = 512  # MB of address space per respondent kernel (0: no cap)


def _check(o: ServeOptions) -> None:
    for name in ("preheat", "staff_preheat", "max_kernels", "staff_max_kernels", "cull_idle",
                 "cell_timeout", "staff_pool_max_age", "connect_within", "per_client_kernels",
                 "idle_close", "kernel_memory"):
        if getattr(o, name) < 0:
            flag = "--" + name.replace("_", "-").replace("pool-max", "preheat-max")
            raise FocuskitError(f"{flag} must be 0 or more, not {getattr(o, name)}")
    for flag, port in (("--port", o.port), ("--staff-port", o.staff_port)):
        if not 1 <= port <= 65535:
            raise FocuskitError(f"{flag} must be a port number from 1 to 65535, not {port}")
    if o.port == o.staff_port:
        raise FocuskitError("--port and --staff-port must differ: they are two doors")
    if o.token is not None and len(o.token) < 16:
        raise FocuskitError("the staff token must have at least 16 characters; leave it out "
                            "to get a random one")
    if o.public_url is not None and not re.match(r"^https?://[^/?#\s]+/?$", o.public_url):
        raise FocuskitError(f"--public-url {o.public_url!r}: give the scheme and host only, "
                            "e.g. https://survey.example.com")
    for proxy in o.trusted_proxy:
        try:
            ipaddress.ip_network(proxy.strip(), strict=False)
        except ValueError:
            raise FocuskitError(f"--trusted-proxy {proxy!r} is not an address or network, e.g. "
                                "127.0.0.1 or 10.0.0.0/8") from None
    if 0 < o.kernel_memory < 256:
        raise FocuskitError("--kernel-memory below 256 MB leaves a kernel no room to start; "
                            "give 256 or more (0: no cap)")
    if 0 < o.cull_idle < 30:
        raise FocuskitError("--cull-idle below 30 seconds would shut down the kernels of "
                            "people still reading their page; give 30 or more (0: never)")
    try:
        infos = socket.getaddrinfo(o.host, o.port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise FocuskitError(f"--host {o.host!r} is not an address or name of this machine; "
                            "use 127.0.0.1 (this machine only) or 0.0.0.0 (the network)") from None
    family, _, _, _, addr = infos[0]
    for flag, port in (("--port", o.port), ("--staff-port", o.staff_port)):
        with socket.socket(family, socket.SOCK_STREAM) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as tornado does
            try:
                s.bind((addr[0], port, *addr[2:]))
            except OSError as e:
                if e.errno == errno.EADDRINUSE:
                    raise FocuskitError(f"{flag} {port} is already in use (another focuskit "
                                        f"serve?); choose another with {flag}") from None
                if e.errno == errno.EADDRNOTAVAIL:
                    raise FocuskitError(f"--host {o.host!r} is not an address of this machine"
                                        ) from None
                if e.errno == errno.EACCES:
                    raise FocuskitError(f"{flag} {port}: not allowed to listen there (ports "
                                        "below 1024 need root); use e.g. 8866") from None
                raise FocuskitError(f"cannot listen on {o.host}:{port}: {e.strerror}") from None


def lan_address() -> str | None:
    """This machine's address on its network (best effort): what a phone in the room opens."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("10.255.255.255", 1))  # UDP connect sends nothing; it picks a route
            ip = s.getsockname()[0]
    except OSError:
        return None
    return None if ip.startswith("127.") else ip


def _link_host(host: str) -> str:
    if host in ("", "0.0.0.0", "::"):
        return lan_address() or "127.0.0.1"
    try:
        if ipaddress.ip_address(host).version == 6:
            return f"[{host}]"
    except ValueError:
        pass
    return host


def _loopback_for(host: str) -> str:
    """Where a preheated kernel reaches its own Voila (VOILA_APP_IP; Voila assumes 127.0.0.1)."""
    if host in ("", "0.0.0.0", "localhost"):
        return "127.0.0.1"
    return "::1" if host == "::" else host


def _write_template(root: Path) -> None:
    """The "focuskit" Voila template under ``root`` (a Jupyter data directory)."""
    folder = root / "voila" / "templates" / "focuskit"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "conf.json").write_text('{"base_template": "lab"}\n', encoding="utf-8")
    css = (Path(__file__).with_name("closed_page.css")).read_text(encoding="utf-8")
    (folder / "index.html.j2").write_text(VOILA_TEMPLATE.replace("{{ focuskit_css }}", css),
                                          encoding="utf-8")


def voila_command(root: Path, port: int, host: str, *, door: str, max_kernels: int = 0,
                  pools: dict[str, int] | None = None, cull_idle: int = 0,
                  cell_timeout: int = 0, pool_max_age: int = 0, connect_within: int = 30,
                  per_client_kernels: int = 3, idle_close: int = 1800,
                  trusted_proxy: tuple[str, ...] = (), secure_cookies: bool = False
                  ) -> list[str]:
    """The command line of one door's Voila (also used by benchmarks/bench_roundtrip.py)."""
    cmd = [sys.executable, "-m", "focuskit.serving.voila_main", str(root), f"--port={port}",
           f"--Voila.ip={host}", "--Voila.port_retries=0", "--no-browser",
           "--strip_sources=True", "--show_tracebacks=False", "--template=focuskit",
           # Not ?template=lab from a visitor: back would come the CDN fonts and the token in
           # the address bar, and away the idle notice.
           "--VoilaConfiguration.allow_template_override=NO",
           f"--FocuskitVoila.door={door}", f"--FocuskitVoila.max_kernels={max_kernels}",
           f"--FocuskitVoila.connect_within={connect_within}",
           f"--FocuskitVoila.per_client_kernels={per_client_kernels}",
           f"--FocuskitVoila.idle_close={idle_close}",
           *(f"--FocuskitVoila.trusted_proxies={p.strip()}" for p in trusted_proxy),
           f"--FocuskitVoila.secure_cookies={secure_cookies}",
           f"--VoilaExecutor.cell_error_instruction={CELL_ERROR}",
           # A cell's outputs reach Voila after its reply. nbclient waits 4 s for them and
           # then drops them silently: with 30 kernels starting on two cores, 12 of 30
           # questionnaires came out blank (benchmarks/bench_burst.py). Wait longer, and if
           # they still do not come, show the visitor the error's instruction, not a blank page.
           f"--VoilaExecutor.iopub_timeout={IOPUB_WAIT}",
           "--VoilaExecutor.raise_on_iopub_timeout=True"]
    if cull_idle:
        # Only kernels without a page connected: someone reading a long question keeps theirs;
        # a closed tab (or a page that never connected) frees its kernel after cull_idle.
        cmd += [f"--MappingKernelManager.cull_idle_timeout={cull_idle}",
                f"--MappingKernelManager.cull_interval={max(1, min(60, cull_idle // 4))}",
                "--MappingKernelManager.cull_connected=False"]
    if cell_timeout:
        # Interrupt the kernel too: without it the runaway cell keeps the kernel busy (and a
        # busy kernel is never culled) after the page has given up.
        cmd += [f"--VoilaExecutor.timeout={cell_timeout}",
                "--VoilaExecutor.interrupt_on_timeout=True"]
    pools = {nb: n for nb, n in (pools or {}).items() if n and (root / nb).exists()}
    if pools:
        config = {"default": {"pool_size": 0}} | {nb: {"pool_size": n} for nb, n in pools.items()}
        cmd += ["--preheat_kernel=True",
                f"--VoilaKernelManager.kernel_pools_config={json.dumps(config)}",
                f"--FocuskitVoila.pool_max_age={pool_max_age}"]
    return cmd


def _token_from_file(path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as e:
        raise FocuskitError(f"--token-file {path}: cannot read it ({e.strerror})") from None
    key = text.strip().splitlines()[0].strip() if text.strip() else ""
    if not key:
        raise FocuskitError(f"--token-file {path} is empty; write the staff key on its first line")
    return key


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((_loopback_for(host), port), timeout=1):
            return True
    except OSError:
        return False


def serve(o: ServeOptions) -> int:
    """Run both doors until Ctrl-C or SIGTERM; 0 then, non-zero when a door died."""
    from ..config import DB_URL_ENV as ENV_URL
    from ..config import default_url, project_data_dir

    o.staff_port = o.port + 1 if o.staff_port is None else o.staff_port
    _check(o)
    notebooks = Path(o.notebooks) if o.notebooks else project_data_dir().parent / "notebooks"
    if not (notebooks / RESPONDENT_NOTEBOOK).is_file():
        raise FocuskitError(f"no {RESPONDENT_NOTEBOOK} in {notebooks}: run this inside the "
                            "project, or give --notebooks DIR")
    given = o.token or _token_from_file(o.token_file) or os.environ.get(OPERATOR_TOKEN_ENV) or None
    if given is not None and len(given) < 16:
        where = f"--token-file {o.token_file}" if o.token_file else OPERATOR_TOKEN_ENV
        raise FocuskitError(f"{where}: the staff key must have at least 16 characters")
    token = given or secrets.token_urlsafe(24)

    work = Path(tempfile.mkdtemp(prefix="focuskit-serve-"))
    try:
        _write_template(work / "jupyter")
        if o.kernel_memory:  # the respondent door's python3: a kernel with a memory cap
            from .kernel_launcher import kernel_spec

            spec = work / "respondent-jupyter" / "kernels" / "python3"
            spec.mkdir(parents=True)
            (spec / "kernel.json").write_text(json.dumps(kernel_spec(o.kernel_memory)))
        respondents = work / "respondents"  # the respondent door's whole root
        respondents.mkdir()
        shutil.copy2(notebooks / RESPONDENT_NOTEBOOK, respondents / RESPONDENT_NOTEBOOK)

        env = {k: v for k, v in os.environ.items() if k not in (OPERATOR_TOKEN_ENV, TOKEN_ENV)}
        # Explicit and absolute: the respondent door's kernels run in the temporary folder,
        # where the default (data/ of the project around the cwd) would find nothing.
        env[ENV_URL] = o.db or os.environ.get(ENV_URL) or default_url()
        env["VOILA_APP_IP"] = _loopback_for(o.host)
        env["JUPYTER_PATH"] = os.pathsep.join(
            p for p in (str(work / "jupyter"), env.get("JUPYTER_PATH")) if p)
        shown = _link_host(o.host)
        respondent_url = (f"{o.public_url.rstrip('/')}{RENDER}{RESPONDENT_NOTEBOOK}"
                          if o.public_url else
                          f"http://{shown}:{o.port}{RENDER}{RESPONDENT_NOTEBOOK}")
        staff_url = f"http://{shown}:{o.staff_port}{RENDER}{LANDING}"
        common = {"host": o.host, "cull_idle": o.cull_idle, "cell_timeout": o.cell_timeout,
                  "connect_within": o.connect_within, "trusted_proxy": tuple(o.trusted_proxy),
                  "secure_cookies": bool(o.public_url and o.public_url.startswith("https:"))}
        respondent_env = env | {"JUPYTER_PATH": os.pathsep.join(
            p for p in (str(work / "respondent-jupyter"), env["JUPYTER_PATH"]) if p)}
        doors = {
            "respondent door": (voila_command(
                respondents, o.port, door="respondent", max_kernels=o.max_kernels,
                pools={RESPONDENT_NOTEBOOK: o.preheat}, per_client_kernels=o.per_client_kernels,
                idle_close=o.idle_close, **common), respondent_env),
            "staff door": (voila_command(
                notebooks, o.staff_port, door="staff", max_kernels=o.staff_max_kernels,
                pools={DASHBOARD: o.staff_preheat}, pool_max_age=o.staff_pool_max_age, **common),
                env | {TOKEN_ENV: token, RESPONDENT_URL_ENV: respondent_url}),
        }
        return _run(doors, o, respondent_url, staff_url, token if given is None else None)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _run(doors: dict, o: ServeOptions, respondent_url: str, staff_url: str,
         new_token: str | None) -> int:
    procs: dict[str, subprocess.Popen] = {}
    stopping = []

    def on_term(signum, frame):
        stopping.append(signum)

    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        for name, (cmd, env) in doors.items():
            # A session of its own: the signal to stop comes from us alone, once. (A service
            # manager or `timeout` signals the whole group, and Voila hit by a second SIGTERM
            # while shutting down prints tracebacks.)
            procs[name] = subprocess.Popen(cmd, env=env, start_new_session=True)
        printed = False
        while not stopping:
            for name, proc in procs.items():
                if proc.poll() is not None:
                    print(f"focuskit: the {name} stopped (exit code {proc.returncode}); "
                          "stopping the other one", file=sys.stderr, flush=True)
                    _stop(procs)
                    return proc.returncode or 1
            if not printed and _answers(o.host, o.port) and _answers(o.host, o.staff_port):
                printed = True
                key = new_token if new_token else "<the token you set>"
                print(f"\nfocuskit is serving (Ctrl-C stops it)\n\n"
                      f"  Respondents: anyone with a link; they can open the questionnaire only\n"
                      f"    {respondent_url}?campaign=ID&group=GROUP&sig=...\n"
                      f"    (signed links: focuskit link ID --group GROUP --base-url URL)\n\n"
                      f"{reach_note(respondent_url, o.host)}"
                      f"  Staff: the landing page, dashboards, workshop and admin. Keep this "
                      f"link private, it holds the access key:\n"
                      f"    {staff_url}?token={key}\n"
                      f"  Landing page without the key (asks for it): {staff_url}\n",
                      flush=True)
            time.sleep(0.3)
        _stop(procs)
        return 0
    except KeyboardInterrupt:
        _stop(procs)
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)


def _stop(procs: dict[str, subprocess.Popen]) -> None:
    """Stop both doors; Voila shuts its kernels down on SIGTERM."""
    for proc in procs.values():
        if proc.poll() is None:
            proc.terminate()
    deadline = time.monotonic() + 30
    for proc in procs.values():
        try:
            proc.wait(max(0.1, deadline - time.monotonic()))
        except (subprocess.TimeoutExpired, KeyboardInterrupt):
            proc.kill()
            proc.wait()
