"""The query string of the page a Voila kernel serves, read without ``voila.utils``.

The respondent's kernel imports this: it loads only the standard library until a preheated
kernel waits for its visitor, and then ``websockets`` (never nbconvert, jupyter_server or
requests, which ``voila.utils`` would bring).
"""

from __future__ import annotations

import json
import logging
import os
import threading

__all__ = ["query_string"]

log = logging.getLogger("focuskit.questionnaire")

RECHECK = 10.0  # s a quiet wait lasts before it reconnects; see query_string


def query_string(timeout: float = 30.0) -> str | None:
    """The query string of the page that runs this kernel; None outside Voila.

    What ``voila.utils.get_query_string`` does, without importing ``voila.utils``: that module
    pulls in nbconvert, jupyter_server and requests, ~45 MB in every respondent's kernel.
    Voila gives an on-demand kernel the request in ``QUERY_STRING``; a preheated kernel
    (``VOILA_PREHEAT=True``) has no request yet, so it waits on Voila's ``/voila/query/<kernel>``
    websocket, which sends the request's details once a browser is given this kernel.
    ``tests/serving/test_kernel_query.py`` holds this to voila's own function.
    """
    if os.environ.get("VOILA_PREHEAT", "False") == "False":
        return os.environ.get("QUERY_STRING")
    protocol = os.environ.get("VOILA_WS_PROTOCOL", "ws")
    ip = os.environ.get("VOILA_APP_IP", "127.0.0.1")
    port = os.environ.get("VOILA_APP_PORT", "8866")
    base = os.environ.get("VOILA_WS_BASE_URL", os.environ.get("VOILA_SERVER_URL", "/"))
    url = f"{protocol}://{ip}:{port}{base}voila/query/{os.environ.get('VOILA_KERNEL_ID')}"
    got: list[str] = []

    def receive():  # in a thread: the kernel's own event loop is busy running this cell
        import asyncio

        from websockets.asyncio.client import connect

        log.info("waiting for the page's link on %s", url)

        async def wait():
            # A preheated kernel may wait hours for a visitor. No client pings (Voila's server
            # pings, and a slow reply under load must not drop us); a dropped connection is
            # opened again, and Voila then sends a request that arrived meanwhile.
            # Voila 0.5 can lose track of a waiting socket (its on_close may unregister another
            # kernel's socket), and then keeps the request for the next connection: so a quiet
            # connection is also closed and opened again, which bounds that loss to RECHECK s.
            failures = 0
            while not got:
                try:
                    async with connect(url, open_timeout=timeout, ping_interval=None) as ws:
                        failures = 0
                        try:
                            got.append(await asyncio.wait_for(ws.recv(), RECHECK))
                        except TimeoutError:
                            continue
                        log.info("received the page's link")
                except Exception as e:
                    failures += 1
                    log.warning("waiting for the page's link: %r (attempt %d)", e, failures)
                    if failures >= 5:  # Voila is gone: the caller shows a friendly page
                        return
                    await asyncio.sleep(min(2.0 * failures, 10.0))

        asyncio.run(wait())

    thread = threading.Thread(target=receive, name="focuskit-query", daemon=True)
    thread.start()
    thread.join()
    if got:
        for key, value in json.loads(got[0]).items():
            os.environ[key] = value
    return os.environ.get("QUERY_STRING")
