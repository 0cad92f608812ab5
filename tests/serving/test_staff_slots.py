"""A staff page that vanishes without closing (a phone asleep, a laptop lid shut) gives its
kernel back within a minute, so the next staff page gets in instead of the "busy" page.

The vanished page is a real kernel websocket that did its handshake and then never reads
again: it answers no ping and sends no close, as a sleeping phone does. One staff slot only,
so the reload can get in only once that kernel is gone. The server runs with its defaults for
pings and grace (voila_main.STAFF_PING, STAFF_PONG_WITHIN, RECONNECT_GRACE).
"""

from __future__ import annotations

import base64
import os
import socket
import time
import uuid
from urllib.parse import urlsplit

import pytest
from conftest import start_serve, stop_serve
from test_serve_hardening import get, kernel_of, log_text

from focuskit.serving.voila_main import RECONNECT_GRACE, STAFF_PING, STAFF_PONG_WITHIN

pytestmark = pytest.mark.slow

WITHIN = 60  # s: the promise


@pytest.fixture(scope="module")
def one_slot():
    procs: list = []
    yield start_serve(procs, args=("--preheat=0", "--staff-preheat=0", "--staff-max-kernels=1"))
    stop_serve(procs)


def silent_socket(base: str, kernel_id: str, token: str) -> socket.socket:
    """Open the kernel's websocket as a page does, then never read from it again."""
    u = urlsplit(base)
    s = socket.create_connection((u.hostname, u.port), timeout=30)
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall((f"GET /api/kernels/{kernel_id}/channels?session_id={uuid.uuid4().hex}"
               f"&token={token} HTTP/1.1\r\nHost: {u.hostname}:{u.port}\r\n"
               "Upgrade: websocket\r\nConnection: Upgrade\r\n"
               f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        head += s.recv(1)
    assert head.startswith(b"HTTP/1.1 101"), head[:200]
    return s


def test_the_promise_fits_in_a_minute():
    # the last pong just before the page vanished; the check at the ping after the timeout;
    # tornado's 5 s wait for a closing frame; the grace for a reconnection
    assert STAFF_PONG_WITHIN + STAFF_PING + 5 + RECONNECT_GRACE < WITHIN


def test_a_vanished_staff_page_frees_its_slot_within_a_minute(one_slot):
    page = f"voila/render/index.ipynb?token={one_slot.token}"
    status, _, body = get(one_slot.staff, page)
    assert status == 200
    kernel = kernel_of(body)
    sock = silent_socket(one_slot.staff, kernel, one_slot.token)
    try:
        quiet_since = time.monotonic()
        status, _, body = get(one_slot.staff, page)
        assert status == 503 and "busy" in body  # the one slot is held by the vanished page
        deadline = quiet_since + WITHIN
        while time.monotonic() < deadline:
            status, _, body = get(one_slot.staff, page)
            if status == 200:
                break
            time.sleep(2)
        waited = time.monotonic() - quiet_since
        assert status == 200, f"the reload still got the busy page after {waited:.0f} s"
        assert kernel_of(body) != kernel
        assert f"staff page of kernel {kernel} gone" in log_text(one_slot)
    finally:
        sock.close()
