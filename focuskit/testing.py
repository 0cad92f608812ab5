"""Servers for focuskit's own tests and benchmarks: a free port, a server started with its
output in a log file and waited for, ``focuskit serve`` with both doors, and a clean stop.

``tests/conftest.py`` and the benchmarks share these, so a change in how a server starts or
stops is made once. Standard library only; nothing here runs unless called.

>>> port = free_port()
>>> 1024 < port < 65536
True
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from .config import TOKEN_ENV

__all__ = ["Served", "free_port", "notebook", "start_serve", "start_server", "stop_server",
           "wait_for"]


_GIVEN: set[int] = set()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now and that this process has not handed
    out before (never hard-code one).

    It is drawn below the system's ephemeral range: the ports a kernel's ZMQ sockets get from the
    system come from that range, so a kernel starting in another server between this call and the
    server's own bind cannot take it (a CI run failed so). Drawn from the system's randomness, as
    a test may seed ``random``, and two suites side by side must not draw alike.
    """
    import random
    import socket

    low = _ephemeral_low()
    draw = random.SystemRandom()
    for _ in range(200 if low > 12000 else 0):
        port = draw.randrange(10000, low)
        if port in _GIVEN:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _GIVEN.add(port)
        return port
    with socket.socket() as s:  # no room below the ephemeral range: let the system choose
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ephemeral_low() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def notebook(*cells: str) -> str:
    """The JSON of a notebook with one code cell per source in ``cells``, for a test server.

    >>> import json
    >>> [c["source"] for c in json.loads(notebook("x = 1", "print(x)"))["cells"]]
    ['x = 1', 'print(x)']
    """
    return json.dumps({
        "cells": [{"cell_type": "code", "execution_count": None, "id": f"c{i}", "metadata": {},
                   "outputs": [], "source": src} for i, src in enumerate(cells)],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                    "name": "python3"}},
        "nbformat": 4, "nbformat_minor": 5})


def wait_for(url: str, proc: subprocess.Popen | None = None, *, timeout: float = 120,
             log: Path | None = None, request_timeout: float = 2.0) -> None:
    """Return once ``url`` answers with any HTTP status (a 403 or 404 page means the server is
    up); RuntimeError, naming ``log``, when ``proc`` exits first or ``timeout`` s pass."""
    see = f"; see {log}" if log else ""
    deadline = time.monotonic() + timeout
    while True:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{proc.args[:4]} exited with {proc.returncode}{see}")
        try:
            with urllib.request.urlopen(url, timeout=request_timeout):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"nothing answered on {url} within {timeout:g} s{see}") \
                    from None
            time.sleep(0.3)


def start_server(cmd: list[str], url: str, *, log: Path, env: dict | None = None,
                 cwd: Path | None = None, timeout: float = 120,
                 request_timeout: float = 2.0) -> subprocess.Popen:
    """Start ``cmd`` (a Voila, ``focuskit serve``...) with its output in ``log`` and wait until
    ``url`` answers. The process's ``log_file`` is the open log; ``stop_server`` closes it."""
    out = open(log, "wb")
    proc = subprocess.Popen(cmd, env={**os.environ, **(env or {})}, stdout=out,
                            stderr=subprocess.STDOUT, cwd=cwd)
    proc.log_file = out
    try:
        wait_for(url, proc, timeout=timeout, log=log, request_timeout=request_timeout)
    except BaseException:
        stop_server(proc)
        raise
    return proc


def stop_server(proc: subprocess.Popen, timeout: float = 40) -> None:
    """Terminate (``focuskit serve`` passes it on to its Voilas, which stop their kernels),
    kill after ``timeout`` s, close the log."""
    proc.terminate()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout)
    log = getattr(proc, "log_file", None)
    if log is not None:
        log.close()


class Served(str):
    """A running ``focuskit serve``: the string is the respondent door's base URL; ``staff`` is
    the staff door's base URL and ``token`` its access key; ``log`` the server's output file;
    ``proc`` the process."""

    staff: str
    token: str
    log: Path
    proc: subprocess.Popen

    def staff_url(self, path: str = "", token: bool = True) -> str:
        """``path`` on the staff door, with ``?token=`` (or ``&token=``) unless token=False."""
        if not token:
            return self.staff + path
        return f"{self.staff}{path}{'&' if '?' in path else '?'}token={self.token}"


def start_serve(args=(), env: dict | None = None, *, log_dir: Path, cwd: Path | None = None,
                timeout: float = 120) -> Served:
    """Start ``focuskit serve`` on two free ports with a fresh staff token; return once both
    doors answer (the staff door answers a visitor without the token with a 403: up too)."""
    token = secrets.token_urlsafe(16)
    for attempt in range(3):
        port, staff = free_port(), free_port()
        log = Path(log_dir) / f"serve-{port}.log"
        served = Served(f"http://127.0.0.1:{port}/")
        try:
            served.proc = start_server(
                [sys.executable, "-m", "focuskit.cli", "serve", f"--port={port}",
                 f"--staff-port={staff}", *args], f"{served}login", log=log,
                env={TOKEN_ENV: token, **(env or {})}, cwd=cwd, timeout=timeout)
            break
        except RuntimeError:
            # Another program may take a free port before serve binds it; serve then refuses
            # with "already in use". Anything else is the test's business.
            if attempt == 2 or "already in use" not in log.read_text(errors="replace"):
                raise
    served.staff, served.token, served.log = f"http://127.0.0.1:{staff}/", token, log
    try:
        wait_for(f"{served.staff}login", served.proc, timeout=timeout, log=log)
    except BaseException:
        stop_server(served.proc)
        raise
    return served
