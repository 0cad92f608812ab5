"""Where the doors listen and what address their links name: the machine's network address for
``--host 0.0.0.0``, brackets for IPv6, and the loopback a kernel uses to reach its own Voila."""

from __future__ import annotations

import ipaddress
import socket

__all__ = ["answers", "lan_address", "link_host", "loopback_for"]


def lan_address() -> str | None:
    """This machine's address on its network (best effort): what a phone in the room opens."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("10.255.255.255", 1))  # UDP connect sends nothing; it picks a route
            ip = s.getsockname()[0]
    except OSError:
        return None
    return None if ip.startswith("127.") else ip


def link_host(host: str) -> str:
    if host in ("", "0.0.0.0", "::"):
        return lan_address() or "127.0.0.1"
    try:
        if ipaddress.ip_address(host).version == 6:
            return f"[{host}]"
    except ValueError:
        pass
    return host


def loopback_for(host: str) -> str:
    """Where a preheated kernel reaches its own Voila (VOILA_APP_IP; Voila assumes 127.0.0.1)."""
    if host in ("", "0.0.0.0", "localhost"):
        return "127.0.0.1"
    return "::1" if host == "::" else host


def answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((loopback_for(host), port), timeout=1):
            return True
    except OSError:
        return False
