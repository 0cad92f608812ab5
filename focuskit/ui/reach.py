"""Whether the links staff hand out can reach the people they are for, in plain words.

``focuskit serve`` listens on 127.0.0.1 unless told otherwise, and its links then name
127.0.0.1: on a phone that address is the phone itself. The workshop board and the admin page
say so above the links, with the two ways to fix it.
"""

from __future__ import annotations

from html import escape

from ..links import loopback_host

__all__ = ["reach_warning"]


def reach_warning(url: str) -> str:
    """HTML saying that ``url`` opens on this computer only, and how to change that; "" when
    another device can reach it."""
    host = loopback_host(url)
    if host is None:
        return ""
    return (
        "<div class='fk-reach' role='alert'><p><b>Phones cannot open these links yet.</b> "
        f"They point to <code>{escape(host)}</code>, which on a phone or another computer "
        "means that device itself.</p><p>Stop the server (Ctrl-C) and start it again so that "
        "the room can reach it:</p><ul>"
        "<li><code>focuskit serve --host 0.0.0.0</code> when the phones are on the same "
        "network (Wi-Fi) as this computer: the links then carry its network address;</li>"
        "<li><code>focuskit serve --public-url https://survey.example.com</code> when the "
        "server is reached through a proxy or a public name.</li></ul>"
        "<p>Then reload this page: the links and the QR code change with it.</p></div>")
