"""The Voila faults `focuskit serve` mends (focuskit/serving/voila_fixes.py), on a real tornado
server and real websockets."""

import asyncio
import contextlib
import json
import os
import threading
import time

import pytest
from conftest import signed_link
from tornado.web import Application
from voila.request_info_handler import RequestInfoSocketHandler

from focuskit import Store
from focuskit.serving.voila_fixes import patch_request_info, visitor_timeout


def _run(coro):
    """asyncio.run in a thread of its own: Playwright's sync API may hold this thread's loop."""
    box = {}

    def target():
        try:
            box["result"] = asyncio.run(coro)
        except BaseException as e:  # handed back to the test
            box["error"] = e

    thread = threading.Thread(target=target)
    thread.start()
    thread.join(60)
    if "error" in box:
        raise box["error"]
    return box["result"]


@pytest.fixture
def query_server():
    """Voila's /voila/query/<kernel> handler, mended, on a free port; yields (port, send)."""
    patch_request_info()
    RequestInfoSocketHandler._waiters.clear()
    RequestInfoSocketHandler._cache.clear()
    box, ready = {}, threading.Event()

    def run():
        async def main():
            app = Application([(r"/voila/query/(.*)", RequestInfoSocketHandler)])
            server = app.listen(0, "127.0.0.1")
            box["port"] = next(iter(server._sockets.values())).getsockname()[1]
            box["loop"], box["stop"] = asyncio.get_running_loop(), asyncio.Event()
            ready.set()
            await box["stop"].wait()
            server.stop()

        asyncio.run(main())

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert ready.wait(10)

    def send(kernel: str, query: str) -> None:  # what Voila does when a page takes a kernel
        done = threading.Event()

        def call():
            RequestInfoSocketHandler.send_updates({"kernel_id": kernel,
                                                   "payload": {"QUERY_STRING": query}})
            done.set()

        box["loop"].call_soon_threadsafe(call)
        assert done.wait(10)

    yield box["port"], send
    box["loop"].call_soon_threadsafe(box["stop"].set)
    thread.join(10)


def test_a_kernel_reconnecting_does_not_strand_another_kernel(query_server):
    from websockets.asyncio.client import connect

    port, send = query_server
    url = f"ws://127.0.0.1:{port}/voila/query/"

    async def scenario():
        b = await connect(url + "kernel-b")
        a1 = await connect(url + "kernel-a")
        a2 = await connect(url + "kernel-a")  # kernel a reconnects before its old socket closes
        await a1.close()
        await asyncio.sleep(0.2)  # let the server see the close
        await asyncio.to_thread(send, "kernel-b", "campaign=b")
        got_b = json.loads(await asyncio.wait_for(b.recv(), 5))
        await asyncio.to_thread(send, "kernel-a", "campaign=a")
        got_a = json.loads(await asyncio.wait_for(a2.recv(), 5))
        await b.close()
        await a2.close()
        return got_a, got_b

    got_a, got_b = _run(scenario())
    assert got_b == {"QUERY_STRING": "campaign=b"}
    assert got_a == {"QUERY_STRING": "campaign=a"}


def test_a_link_sent_before_the_kernel_connects_waits_for_it(query_server):
    from websockets.asyncio.client import connect

    port, send = query_server

    async def scenario():
        await asyncio.to_thread(send, "kernel-c", "campaign=c")
        async with connect(f"ws://127.0.0.1:{port}/voila/query/kernel-c") as ws:
            return json.loads(await asyncio.wait_for(ws.recv(), 5))

    assert _run(scenario()) == {"QUERY_STRING": "campaign=c"}


def test_only_the_cell_that_waits_for_a_visitor_has_no_timeout():
    from traitlets.config import Config

    config = Config()
    config.VoilaExecutor.timeout = 30
    visitor_timeout(config)
    func = config.VoilaExecutor.timeout_func
    assert func({"metadata": {"tags": ["waits-for-visitor"]}}) is None
    assert func({"metadata": {}}) == 30
    untouched = Config()
    visitor_timeout(untouched)
    assert "timeout_func" not in untouched.VoilaExecutor


@pytest.mark.slow
def test_a_preheated_kernel_outlives_the_cell_timeout_while_it_waits(voila_server):
    """Served for real: a kernel preheated long before its visitor still shows the page."""
    import urllib.request

    served = voila_server(args=("--cell-timeout", "5", "--preheat", "1", "--staff-preheat", "0"))
    time.sleep(20)  # the pool's kernel waits for a visitor for longer than the cell timeout
    with Store(os.environ["FOCUSKIT_DB_URL"]) as store:  # the server's store
        query = signed_link(store, "demo-focus-levels", "self").query()
    url = served + "voila/render/take_assessment.ipynb?" + query
    with urllib.request.urlopen(url, timeout=120) as r:
        page = r.read().decode()
    assert "could not be prepared" not in page
    assert "application/vnd.jupyter.widget-view+json" in page
    assert "Timeout waiting" not in served.log.read_text()


@contextlib.contextmanager
def _kernel_and_client():
    """A kernel-side socket and Voila's kind of client channel to it: real zmq over TCP.
    Yields (session, kernel socket, client channel); call it inside a running event loop."""
    import zmq
    import zmq.asyncio
    from jupyter_client.channels import AsyncZMQSocketChannel
    from jupyter_client.session import Session

    session = Session(key=b"k")
    kernel = zmq.Context.instance().socket(zmq.PAIR)
    port = kernel.bind_to_random_port("tcp://127.0.0.1")
    client = zmq.asyncio.Context.instance().socket(zmq.PAIR)
    client.connect(f"tcp://127.0.0.1:{port}")
    try:
        yield session, kernel, AsyncZMQSocketChannel(client, session)
    finally:
        client.close(linger=0)
        kernel.close(linger=0)


async def _missed_wakeup(get_msg) -> dict:
    """A reply lands while the client waits, and its wake-up is consumed before the event
    loop sees it (what zmq.asyncio now and then does by itself)."""
    import zmq

    with _kernel_and_client() as (session, kernel, channel):
        waiting = asyncio.ensure_future(get_msg(channel, timeout=None))
        await asyncio.sleep(0.2)  # the client now polls its socket
        session.send(kernel, "execute_reply", content={"status": "ok"})
        time.sleep(0.2)  # the loop does not run: the reply arrives and signals the socket
        # Read the socket's events bypassing zmq.asyncio: that consumes the signal unseen.
        zmq.Socket.shadow(channel.socket.underlying).get(zmq.EVENTS)
        return await asyncio.wait_for(waiting, 5)


def test_a_missed_wakeup_costs_a_second_not_the_page():
    from jupyter_client.channels import AsyncZMQSocketChannel

    from focuskit.serving.voila_fixes import _get_msg

    with pytest.raises(asyncio.TimeoutError):  # unmended: the reply is never read
        _run(_missed_wakeup(AsyncZMQSocketChannel.get_msg))
    msg = _run(_missed_wakeup(_get_msg))
    assert msg["msg_type"] == "execute_reply" and msg["content"] == {"status": "ok"}


def test_the_sliced_poll_still_times_out_and_returns_at_once():
    from queue import Empty

    from focuskit.serving.voila_fixes import _get_msg

    async def scenario():
        with _kernel_and_client() as (session, kernel, channel):
            start = time.monotonic()
            with pytest.raises(Empty):
                await _get_msg(channel, timeout=2.5)
            waited = time.monotonic() - start
            session.send(kernel, "status", content={"execution_state": "idle"})
            start = time.monotonic()
            msg = await _get_msg(channel, timeout=None)
            return waited, time.monotonic() - start, msg

    waited, took, msg = _run(scenario())
    assert 2.4 < waited < 3.5  # the timeout is kept, not rounded to whole slices
    assert took < 0.5 and msg["content"] == {"execution_state": "idle"}
