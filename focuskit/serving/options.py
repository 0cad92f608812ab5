"""``focuskit serve``'s options (their defaults are declared once, in focuskit.config.SERVE) and
the checks that turn a bad one into a sentence before anything starts."""

from __future__ import annotations

import errno
import ipaddress
import re
import socket
from dataclasses import dataclass, field
from pathlib import Path

from ..config import SERVE
from ..errors import FocuskitError

__all__ = ["ServeOptions", "check_options"]


@dataclass
class ServeOptions:
    """What ``focuskit serve`` is told; the defaults are config.SERVE's."""

    host: str = SERVE.host
    port: int = SERVE.port
    staff_port: int | None = None  # None: port + 1
    preheat: int = SERVE.preheat  # kernels kept ready for the questionnaire
    expected: int = SERVE.expected  # people expected at once: that many kernels ready (memory)
    staff_preheat: int = SERVE.staff_preheat  # kernels kept ready for the results dashboard
    max_kernels: int = SERVE.max_kernels  # respondent door: pages with a kernel at once
    staff_max_kernels: int = SERVE.staff_max_kernels
    # A preheated dashboard has read the answers when it started: replace it after this long.
    # (The questionnaire reads its campaign only once a visitor's link arrives.)
    staff_pool_max_age: int = SERVE.staff_preheat_max_age
    cull_idle: int = SERVE.cull_idle  # s before a kernel without a page is shut down
    cell_timeout: int = SERVE.cell_timeout  # s a cell may run while a page is prepared
    token: str | None = None  # None: token_file, else $FOCUSKIT_TOKEN, else a new random one
    token_file: Path | None = None  # a file holding the staff key (first line)
    notebooks: Path | None = None  # None: the notebooks inside the package (doors.NOTEBOOKS)
    db: str | None = None  # None: $FOCUSKIT_DB_URL, else the project's data/focuskit.db
    public_url: str | None = None  # respondents' address behind a proxy, e.g. https://survey.x
    connect_within: int = SERVE.connect_within  # s a sent page has to connect to its kernel
    per_client_kernels: int = SERVE.per_client_kernels  # never-connected kernels per client
    idle_close: int = SERVE.idle_close  # s a connected questionnaire may stay silent
    trusted_proxy: tuple[str, ...] = field(default=())  # proxies whose X-Forwarded-For counts
    kernel_memory: int = SERVE.kernel_memory  # MB of address space per respondent kernel


def check_options(o: ServeOptions) -> None:
    for name in ("preheat", "expected", "staff_preheat", "max_kernels", "staff_max_kernels", "cull_idle",
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
