"""``focuskit serve``: start both doors with the project's settings, say where they are, and stop
them together (a door that dies stops the other)."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ..config import POOL_STATUS_ENV, RESPONDENT_URL_ENV
from ..config import TOKEN_ENV as OPERATOR_TOKEN_ENV
from ..errors import FocuskitError
from .addresses import answers, link_host, loopback_for
from .doors import (
    DASHBOARD,
    LANDING,
    NOTEBOOKS,
    PROGRAMME,
    RENDER,
    RESPONDENT_NOTEBOOK,
    TOKEN_ENV,
    voila_command,
)
from .options import ServeOptions, check_options
from .page_template import write_template
from .reach import reach_note

__all__ = ["room_pool", "serve", "token_from_file"]


def room_pool(o: ServeOptions) -> int:
    """Kernels to keep ready for the questionnaire: --preheat, or --expected within memory."""
    from .room import available_mb, fits_in_memory, room_note

    if o.expected <= o.preheat:
        return o.preheat
    free = available_mb()
    size = max(o.preheat, fits_in_memory(o.expected, free_mb=free))
    note = room_note(o.expected, size, free)
    if note:
        print(f"focuskit: {note}", file=sys.stderr, flush=True)
    return size


def token_from_file(path: Path | None) -> str | None:
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


def serve(o: ServeOptions) -> int:
    """Run both doors until Ctrl-C or SIGTERM; 0 then, non-zero when a door died."""
    from ..config import DB_URL_ENV as ENV_URL
    from ..config import default_url

    o.staff_port = o.port + 1 if o.staff_port is None else o.staff_port
    check_options(o)
    notebooks = Path(o.notebooks) if o.notebooks else NOTEBOOKS
    if not (notebooks / RESPONDENT_NOTEBOOK).is_file():
        raise FocuskitError(f"no {RESPONDENT_NOTEBOOK} in {notebooks}: give --notebooks DIR, a "
                            "folder holding it (or leave --notebooks out: focuskit's own)")
    given = o.token or token_from_file(o.token_file) or os.environ.get(OPERATOR_TOKEN_ENV) or None
    if given is not None and len(given) < 16:
        where = f"--token-file {o.token_file}" if o.token_file else OPERATOR_TOKEN_ENV
        raise FocuskitError(f"{where}: the staff key must have at least 16 characters")
    token = given or secrets.token_urlsafe(24)

    work = Path(tempfile.mkdtemp(prefix="focuskit-serve-"))
    try:
        write_template(work / "jupyter")
        if o.kernel_memory:  # the respondent door's python3: a kernel with a memory cap
            from .kernel_launcher import kernel_spec

            spec = work / "respondent-jupyter" / "kernels" / "python3"
            spec.mkdir(parents=True)
            (spec / "kernel.json").write_text(json.dumps(kernel_spec(o.kernel_memory)))
        pool = room_pool(o)
        respondents = work / "respondents"  # the respondent door's whole root
        respondents.mkdir()
        shutil.copy2(notebooks / RESPONDENT_NOTEBOOK, respondents / RESPONDENT_NOTEBOOK)

        env = {k: v for k, v in os.environ.items() if k not in (OPERATOR_TOKEN_ENV, TOKEN_ENV)}
        # Explicit and absolute: the respondent door's kernels run in the temporary folder,
        # where the default (data/ of the project around the cwd) would find nothing.
        env[ENV_URL] = o.db or os.environ.get(ENV_URL) or default_url()
        env["VOILA_APP_IP"] = loopback_for(o.host)
        env[POOL_STATUS_ENV] = str(work / "pool.json")
        env["JUPYTER_PATH"] = os.pathsep.join(
            p for p in (str(work / "jupyter"), env.get("JUPYTER_PATH")) if p)
        shown = link_host(o.host)
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
                pools={RESPONDENT_NOTEBOOK: pool}, per_client_kernels=o.per_client_kernels,
                idle_close=o.idle_close, pool_status=work / "pool.json", **common),
                respondent_env),
            "staff door": (voila_command(
                notebooks, o.staff_port, door="staff", max_kernels=o.staff_max_kernels,
                pools={DASHBOARD: o.staff_preheat, PROGRAMME: o.staff_preheat},
                pool_max_age=o.staff_pool_max_age, **common),
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
            if not printed and answers(o.host, o.port) and answers(o.host, o.staff_port):
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
