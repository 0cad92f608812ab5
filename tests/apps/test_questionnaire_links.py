"""Respondent links: parsing what a browser sends, and reading the query string like Voila does."""

import asyncio
import json
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from focuskit.questionnaire import Link, LinkError, check_link, make_link, new_code, parse_link
from focuskit.questionnaire.links import query_string


def test_a_full_link_is_read():
    link = parse_link("?campaign=q1-leaders&group=customer&segment=Small%20business"
                      "&code=Zq3_abc-DEF456&utm_source=mail")
    assert link == Link("q1-leaders", "customer", "Small business", "Zq3_abc-DEF456")


def test_group_segment_and_code_are_optional():
    assert parse_link("campaign=q1") == Link("q1")
    assert parse_link("campaign=q1&group=&segment=&code=") == Link("q1")


@pytest.mark.parametrize("query", [None, "", "?", "group=self", "campaign=&group=self"])
def test_no_campaign_is_an_incomplete_link(query):
    with pytest.raises(LinkError) as e:
        parse_link(query)
    assert e.value.kind == "incomplete"


@pytest.mark.parametrize("query", [
    "campaign=Q1",  # capitals: no campaign id can have them
    "campaign=a",
    "campaign=q1%00",
    "campaign=../../etc/passwd",
    "campaign=q1&campaign=q2",  # which one?
    "campaign=q1&group=boss",
    "campaign=q1&group=self&group=customer",
    "campaign=q1&code=abc",  # cut off
    "campaign=q1&code=has%20space%20in%20it",
    "campaign=q1&code=" + "x" * 65,
    "campaign=q1&segment=" + "s" * 101,
    "campaign=q1&segment=tab%09inside",
    "campaign=q1&code=" + "a" * 3000,
    "campaign=q1&segment=%ff%fe",  # not UTF-8
    "campaign=q1&sig=has%20space",
    "campaign=q1&sig=a&sig=b",
    "campaign=q1&sig=" + "s" * 65,
])
def test_a_link_that_cannot_be_right_is_malformed(query):
    with pytest.raises(LinkError) as e:
        parse_link(query)
    assert e.value.kind == "malformed"


def test_new_and_device_flags():
    assert parse_link("campaign=q1&new=1").new
    assert not parse_link("campaign=q1&new=0").new
    assert parse_link("campaign=q1&code=abcdefgh&device=1").device
    assert not parse_link("campaign=q1&device=1").device  # only a remembered code is "device"


SECRET = b"a-test-secret-of-enough-bytes-0123456789"


def test_made_links_round_trip_and_codes_are_fresh():
    codes = {new_code(SECRET, "q1-leaders", "customer", "Retail & trade", personal=True)
             for _ in range(200)}
    assert len(codes) == 200 and all(len(c) == 20 and c[0].isalnum() for c in codes)
    code = next(iter(codes))
    url = make_link("http://x/voila/render/take_assessment.ipynb", "q1-leaders", "customer",
                    "Retail & trade", code, secret=SECRET)
    link = parse_link(url.split("?", 1)[1])
    assert link == Link("q1-leaders", "customer", "Retail & trade", code, link.sig)
    assert len(link.sig) == 16 and check_link(SECRET, link) == "personal"
    with pytest.raises(LinkError):
        make_link("http://x/", "Bad Id", secret=SECRET)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_text_is_either_a_link_or_a_link_error(text):
    try:
        link = parse_link(text)
    except LinkError as e:
        assert e.kind in ("incomplete", "malformed")
    else:
        assert parse_link(link.query()) == link


# -- the query string, as voila.utils.get_query_string gives it ----------------------------------
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
    from focuskit.questionnaire import links

    box, stop = _serve_request_info({"QUERY_STRING": "campaign=q1"}, silent=2)
    try:
        monkeypatch.setattr(links, "RECHECK", 0.3)
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
