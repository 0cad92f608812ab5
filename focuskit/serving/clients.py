"""Who a request comes from, and what each client holds on the respondent door.

Behind a reverse proxy every request arrives from the proxy, so the client is the address that
proxy forwards in X-Forwarded-For, but only when the peer is a proxy the operator named
(``--trusted-proxy``): from anyone else the header is the visitor's own claim and is ignored.

A whole office or workshop can share one address (NAT), so the per-client limit counts the
kernels an address holds *without ever connecting their page* (what a script that fetches
pages does), not the pages it has open: connected people never count against their colleagues.
"""

from __future__ import annotations

import ipaddress
import time
from dataclasses import dataclass, field

__all__ = ["ClientLedger", "client_address", "trusted_networks"]


def trusted_networks(specs) -> tuple:
    """``--trusted-proxy`` values (addresses or networks such as 10.0.0.0/8) as networks."""
    return tuple(ipaddress.ip_network(s.strip(), strict=False) for s in specs if s.strip())


def _is_trusted(address: str, trusted: tuple) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in trusted)


def client_address(request, trusted: tuple) -> str:
    """The client of ``request`` (a tornado request; tornado runs without xheaders, so
    ``remote_ip`` is the socket's peer)."""
    peer = request.remote_ip or ""
    if not trusted or not _is_trusted(peer, trusted):
        return peer
    hops = [h.strip() for line in request.headers.get_list("X-Forwarded-For")
            for h in line.split(",") if h.strip()]
    # Read from the right: each trusted proxy appends the address it saw; the first one that
    # is not a trusted proxy is the client (anything left of it the client may have forged).
    for hop in reversed(hops):
        if _is_trusted(hop, trusted):
            continue
        try:
            return str(ipaddress.ip_address(hop))
        except ValueError:
            return peer  # garbage where an address belongs: count it on the proxy
    return peer


@dataclass
class _Pending:
    client: str
    deadline: float | None = None  # None while the page is still being sent


@dataclass
class ClientLedger:
    """Kernels given to pages that have not connected yet, by client."""

    pending: dict[str, _Pending] = field(default_factory=dict)  # kernel id -> who, until when

    def given(self, kernel_id: str, client: str) -> None:
        self.pending[kernel_id] = _Pending(client)

    def page_sent(self, kernel_id: str, connect_within: float) -> None:
        entry = self.pending.get(kernel_id)
        if entry is not None and connect_within:
            entry.deadline = time.monotonic() + connect_within

    def connected(self, kernel_id: str) -> None:
        self.pending.pop(kernel_id, None)

    def held_by(self, client: str, alive: set[str]) -> int:
        for kernel_id in set(self.pending) - alive:  # shut down meanwhile (culled, closed tab)
            del self.pending[kernel_id]
        return sum(1 for e in self.pending.values() if e.client == client)

    def overdue(self) -> list[tuple[str, str]]:
        """(kernel id, client) of pages sent whose kernel has not connected in time."""
        now = time.monotonic()
        late = [(k, e.client) for k, e in self.pending.items()
                if e.deadline is not None and now > e.deadline]
        for kernel_id, _ in late:
            del self.pending[kernel_id]
        return late
