"""Links that reach phones: ``focuskit serve`` says when its links name this computer only,
and with ``--host 0.0.0.0`` it puts the machine's network address in them (the staff apps
read it as their respondent base, so the board's QR code and join code carry it too)."""

from __future__ import annotations

import re
import time

import pytest

from focuskit.serving.reach import reach_note


def test_the_note_says_when_phones_cannot_open_the_links():
    for url in ("http://127.0.0.1:8866/voila/render/take_assessment.ipynb",
                "http://localhost:8866/voila/render/take_assessment.ipynb",
                "http://[::1]:8866/voila/render/take_assessment.ipynb"):
        note = reach_note(url, "127.0.0.1")
        assert "Phones cannot open these links" in note, url
        assert "--host 0.0.0.0" in note and "--public-url URL" in note
    for url in ("http://10.1.2.3:8866/voila/render/take_assessment.ipynb",
                "https://survey.example.com/voila/render/take_assessment.ipynb"):
        assert reach_note(url, "0.0.0.0") == "" and reach_note(url, "127.0.0.1") == ""
    # --host 0.0.0.0 on a machine without a network: the links fell back to 127.0.0.1.
    note = reach_note("http://127.0.0.1:8866/voila/render/take_assessment.ipynb", "0.0.0.0")
    assert "No network address was found" in note


def lan_address() -> str | None:
    """This machine's address on its network, found here as any program would (a UDP socket
    "connected" to a private address sends nothing and names the outgoing interface)."""
    import socket

    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("10.255.255.255", 1))
            ip = s.getsockname()[0]
    except OSError:
        return None
    return None if ip.startswith("127.") else ip


def _banner(served) -> str:
    deadline = time.monotonic() + 60
    while "focuskit is serving" not in served.log.read_text():
        assert time.monotonic() < deadline, served.log.read_text()[-2000:]
        time.sleep(0.3)
    return served.log.read_text()


@pytest.mark.slow
def test_serve_prints_and_uses_the_network_address(voila_server, tmp_path):
    lan = lan_address()
    if lan is None:
        pytest.skip("this machine has no network address besides 127.0.0.1")
    env = {"FOCUSKIT_DB_URL": f"sqlite:///{tmp_path / 'reach.db'}"}
    quiet = ("--preheat", "0", "--staff-preheat", "0")
    local = _banner(voila_server(env, quiet))
    assert "Phones cannot open these links: 127.0.0.1 is this computer only" in local
    shared = _banner(voila_server(env, ("--host", "0.0.0.0", *quiet)))
    assert re.search(rf"Respondents:.*\n\s+http://{re.escape(lan)}:\d+/voila/render/"
                     "take_assessment.ipynb", shared)
    assert "Phones cannot open" not in shared and "No network address" not in shared
