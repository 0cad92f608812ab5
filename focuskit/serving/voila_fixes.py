"""Two faults under Voila 0.5.13 that ``focuskit serve`` works around, and a timeout rule.

A page hands its preheated kernel the link it was opened with over ``/voila/query/<kernel>``
(``RequestInfoSocketHandler``). When a socket closes after its kernel already reconnected, the
handler's ``on_close`` does not find it and unregisters whichever socket it looked at last:
another kernel then waits for its link for good, and its respondent sees "Executing 1 of 2"
until the browser gives up. A request written to a socket that is closing is also dropped
instead of kept for the next connection. Fixed here: a socket unregisters only itself, and every
request is kept, for the next connection of its kernel.

Voila runs a page's cells through a zmq.asyncio client, which waits for a reply by polling the
socket's edge-triggered descriptor. Now and then that wake-up is missed: the kernel has
replied and is idle, the reply sits in the socket, and the page waits on "Executing 1 of 2"
for good (5 of ~320 page loads in Chromium here, with ipykernel 6 and 7 alike; a cell without
a timeout never recovers). Fixed here: the client polls in slices of a second, and each new
poll reads the socket's events afresh, so a reply waits at most a second unnoticed.

And one of ours: the cell timeout (``--cell-timeout``) must not stop a preheated kernel that
waits for its visitor, which may take hours. A cell tagged ``waits-for-visitor`` has no
timeout; every other cell keeps the configured one.
"""

from __future__ import annotations

import logging
import time
from queue import Empty

import zmq
from jupyter_client.channels import AsyncZMQSocketChannel
from voila.request_info_handler import RequestInfoSocketHandler

__all__ = ["patch_missed_wakeups", "patch_request_info", "visitor_timeout"]

log = logging.getLogger("focuskit.serve")
# Links kept (a write can fail after it was handed over, so they stay); the oldest go first.
KEEP = 1000


def _on_close(self) -> None:
    for kernel_id, waiter in list(RequestInfoSocketHandler._waiters.items()):
        if waiter is self:
            del RequestInfoSocketHandler._waiters[kernel_id]


def _open(self, kernel_id: str) -> None:
    RequestInfoSocketHandler._waiters[kernel_id] = self
    if kernel_id in RequestInfoSocketHandler._cache:
        self._focuskit_send(kernel_id)


def _send(self, kernel_id: str) -> None:
    try:
        self.write_message(RequestInfoSocketHandler._cache[kernel_id])
    except Exception as e:  # closing: the kernel reconnects and is sent it then
        log.warning("link for kernel %s not sent yet: %r", kernel_id, e)


@classmethod
def _send_updates(cls, msg: dict) -> None:
    kernel_id = msg["kernel_id"]
    cache = RequestInfoSocketHandler._cache
    cache[kernel_id] = msg["payload"]
    while len(cache) > KEEP:  # a kernel that never connects must not grow this for ever
        cache.pop(next(iter(cache)))
    waiter = RequestInfoSocketHandler._waiters.get(kernel_id)
    if waiter is not None:
        waiter._focuskit_send(kernel_id)


def patch_request_info() -> None:
    """Mend the fault in Voila's handler class (it is called by name inside Voila)."""
    RequestInfoSocketHandler.open = _open
    RequestInfoSocketHandler.on_close = _on_close
    RequestInfoSocketHandler._focuskit_send = _send
    RequestInfoSocketHandler.send_updates = _send_updates


# Longest a reply already in its socket may wait unnoticed.
SLICE = 1.0


async def _get_msg(self, timeout: float | None = None) -> dict:
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        left = None if deadline is None else max(0.0, deadline - time.monotonic())
        step = SLICE if left is None else min(SLICE, left)
        if await self.socket.poll(int(step * 1000)):
            return await self._recv()
        if self.socket.get(zmq.EVENTS) & zmq.POLLIN:
            log.warning("a kernel message waited in its socket unnoticed (missed wake-up)")
            return await self._recv()
        if left is not None and left <= step:
            raise Empty


def patch_missed_wakeups() -> None:
    """Make the async kernel client (Voila's cell runner uses it) poll in slices."""
    AsyncZMQSocketChannel.get_msg = _get_msg


WAITS = "waits-for-visitor"


def visitor_timeout(config) -> None:
    """Exempt cells tagged ``waits-for-visitor`` from ``VoilaExecutor.timeout`` in ``config``."""
    limit = config.VoilaExecutor.get("timeout") if "VoilaExecutor" in config else None
    if not limit:
        return

    def timeout(cell):
        return None if WAITS in cell.get("metadata", {}).get("tags", ()) else limit

    config.VoilaExecutor.timeout_func = timeout
