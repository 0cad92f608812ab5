"""What ``focuskit serve`` says at start-up about phones reaching its links.

Decided from the respondents' URL itself, the one the links and QR codes carry: if only this
computer can open it (127.0.0.1, localhost, ::1), a room's phones cannot either.
"""

from __future__ import annotations

from ..links import loopback_host

__all__ = ["reach_note"]

EVERY_INTERFACE = ("", "0.0.0.0", "::")


def reach_note(respondent_url: str, host: str) -> str:
    """The start-up message's lines about phones opening ``respondent_url`` (served on
    ``--host host``); "" when they can."""
    shown = loopback_host(respondent_url)
    if shown is None:
        return ""
    if host in EVERY_INTERFACE:
        return ("  No network address was found (is this computer on a network?): the links "
                f"name {shown},\n  which phones cannot open. Join the room's network and "
                "start again, or give --public-url URL.\n\n")
    return (f"  Phones cannot open these links: {shown} is this computer only. To let a room "
            "in, start\n  again with --host 0.0.0.0 (phones on the same network) or "
            "--public-url URL (behind a proxy).\n\n")
