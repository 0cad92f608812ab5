"""Reading the page's query string in a Voila kernel, as ``voila.utils.get_query_string`` does."""

import asyncio
import json
import threading

import pytest

from focuskit.serving.kernel_query import query_string


def test_query_string_outside_voila_and_in_an_on_demand_kernel(monkeypatch):
    from voila.utils import get_query_string

    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    monkeypatch.delenv("QUERY_STRING", raising=False)
    assert query_string() is None and get_query_string() is None
    monkeypatch.setenv("VOILA_PREHEAT", "False")
    monkeypatch.setenv("QUERY_STRING", "campaign=q1&group=self")
    assert query_string() == get_query_string() == "campaign=q1&group=self"


def _serve_request_info(payload: dict, silent: int = 0):
    """A stand-in for Voila's /voila/query/<kernel> websocket; returns (box, stop). The first
    ``silent`` connections never get the request, as when Voila loses track of a socket."""
    from websockets.asyncio.server import serve

    ready, box = threading.Event(), {"silent": silent}

    def run():
        async def handler(ws):
            box["path"] = ws.request.path
            box["connections"] = box.get("connections", 0) + 1
            if box["connections"] <= box.get("silent", 0):  # a request Voila failed to deliver
                await ws.wait_closed()
                return
            await ws.send(json.dumps(payload))

        async def main():
            async with serve(handler, "127.0.0.1", 0) as server:
                box["port"] = server.sockets[0].getsockname()[1]
                box["stop"] = asyncio.get_running_loop().create_future()
                box["loop"] = asyncio.get_running_loop()
                ready.set()
                await box["stop"]

        asyncio.run(main())

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    ready.wait(10)

    def stop():
        box["loop"].call_soon_threadsafe(box["stop"].set_result, None)
        thread.join(10)

    return box, stop


@pytest.mark.parametrize("reader", ["focuskit", "voila"])
def test_query_string_in_a_preheated_kernel_waits_for_the_request(monkeypatch, reader):
    """Our reader and voila's own read the same thing from the same socket."""
    from voila.utils import get_query_string

    box, stop = _serve_request_info({"QUERY_STRING": "campaign=q1&code=abcdefgh",
                                     "SCRIPT_NAME": "/voila/render/take_assessment.ipynb"})
    try:
        monkeypatch.setenv("VOILA_PREHEAT", "True")
        monkeypatch.setenv("VOILA_APP_PORT", str(box["port"]))
        monkeypatch.setenv("VOILA_APP_IP", "127.0.0.1")
        monkeypatch.setenv("VOILA_SERVER_URL", "/")
        monkeypatch.setenv("VOILA_KERNEL_ID", "kernel-123")
        monkeypatch.delenv("VOILA_WS_BASE_URL", raising=False)
        monkeypatch.delenv("QUERY_STRING", raising=False)
        monkeypatch.delenv("SCRIPT_NAME", raising=False)
        got = query_string() if reader == "focuskit" else get_query_string()
        assert got == "campaign=q1&code=abcdefgh"
        assert box["path"] == "/voila/query/kernel-123"
        import os

        assert os.environ["SCRIPT_NAME"] == "/voila/render/take_assessment.ipynb"
    finally:
        stop()


def test_a_request_voila_failed_to_deliver_arrives_on_the_next_connection(monkeypatch):
    """Voila 0.5 keeps a request whose socket it lost for the next connection; a quiet wait
    reconnects, so the respondent is not left on "Executing 1 of 2" for good."""
    from focuskit.serving import kernel_query

    box, stop = _serve_request_info({"QUERY_STRING": "campaign=q1"}, silent=2)
    try:
        monkeypatch.setattr(kernel_query, "RECHECK", 0.3)
        for name, value in {"VOILA_PREHEAT": "True", "VOILA_APP_PORT": str(box["port"]),
                            "VOILA_APP_IP": "127.0.0.1", "VOILA_SERVER_URL": "/",
                            "VOILA_KERNEL_ID": "kernel-9"}.items():
            monkeypatch.setenv(name, value)
        monkeypatch.delenv("VOILA_WS_BASE_URL", raising=False)
        monkeypatch.delenv("QUERY_STRING", raising=False)
        assert query_string() == "campaign=q1"
        assert box["connections"] == 3
    finally:
        stop()
