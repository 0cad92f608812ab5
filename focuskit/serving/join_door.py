"""The respondents' door's short path: ``/j/7KQ2MX`` sends a phone to the signed shared link of
the round (or campaign link) whose join code that is.

A code is six characters from an alphabet without look-alikes (focuskit.links), typed from a
projector: the lookup forgives case, spaces and dashes. Everything else is hostile input:

- an unknown code, a code of a closed campaign, and a code that could never exist all get the
  same plain page, with the same status, so a miss tells nothing about similar codes;
- misses are counted per client (the address a trusted proxy forwards, else the peer's; an
  IPv6 client by its /64, which one household or phone holds whole): past ``limit`` misses in
  ``window`` seconds, that client's lookups are refused (429) until the oldest miss is
  ``window`` seconds old, right codes too (else a refusal would not stop the guessing). A hit
  never counts, so a room behind one NAT is not locked out by its own people; and the QR code
  on the board carries the signed link itself, which needs no lookup.
- misses are also counted over all clients: past ``total`` in ``window`` (many addresses
  guessing together), a client is held to ``strained`` misses (3) instead of ``limit``, until
  the window clears; a client whose code hit in the window (a room behind one NAT, where
  some typed it right) keeps ``limit``. A client that has not missed yet (a phone in the
  room) still gets its code: were every typed code refused, anyone able to spend the ceiling
  could switch typing off for a whole workshop.

The space: 25 symbols, 6 places, 25**6 = 244 million codes. With 50 rounds open at once, one
guess finds one with chance 2e-7. One client gets 20 misses per 10 minutes, 2,880 a day: 1
chance in 1,700 a day. All clients together get 1,000 per 10 minutes, then 3 more per
address (of at most ``clients``, 10,000, remembered): a guesser with 1,000 addresses gets 4,000
per 10 minutes, 1 chance in 9 a day; one with 10,000 addresses 31,000, about 1 chance in 1
a day, of reaching a questionnaire that the room's projector shows anyway (a join code opens a
shared link; it never shows anyone's answers). tests/serving/test_join_codes.py tries it.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import os
import threading
import time
from collections import deque

from jupyter_server.utils import url_path_join
from tornado import web

from ..config import DB_URL_ENV
from ..links import make_link

__all__ = ["JoinCodes", "JoinMisses", "JoinPage", "join_routes"]

log = logging.getLogger("focuskit.serve")


class JoinMisses:
    """Misses per client in a sliding window; a client at ``limit`` (at ``strained`` once all
    clients together reach ``total``) is refused until its oldest miss leaves the window."""

    def __init__(self, limit: int = 20, window: float = 600.0, total: int = 1000,
                 clients: int = 10_000, strained: int = 3):
        self.limit, self.window, self.total, self.clients = limit, window, total, clients
        self.strained = min(strained, limit)
        self.misses: dict[str, deque] = {}
        self.hits: dict[str, float] = {}  # client -> when a code it typed last hit
        self.everyone: deque = deque()

    @staticmethod
    def key(client: str) -> str:
        """What one client is: its address, or for IPv6 its /64 (a home or a phone network
        hands out a whole /64, so one guesser could take a new address per guess)."""
        try:
            ip = ipaddress.ip_address(client)
        except ValueError:
            return client
        if ip.version == 6:
            if ip.ipv4_mapped is not None:
                return str(ip.ipv4_mapped)
            return str(ipaddress.ip_network(f"{ip}/64", strict=False))
        return str(ip)

    def _prune(self, seen: deque, now: float) -> deque:
        while seen and now - seen[0] > self.window:
            seen.popleft()
        return seen

    def wait(self, client: str) -> float:
        """Seconds ``client`` must wait before its next lookup (0: it may look up now)."""
        now = time.monotonic()
        seen = self.misses.get(self.key(client))
        busy = len(self._prune(self.everyone, now)) >= self.total
        if not seen or not self._prune(seen, now):
            # No miss in the window: never refused, however busy the guessers; unless they
            # hold so many addresses that the table of clients is full, where a newcomer
            # could be one of them coming back after being forgotten.
            if busy and seen is None and len(self.misses) >= self.clients:
                return max(1.0, self.window - (now - self.everyone[0]))
            return 0.0
        strained = busy and now - self.hits.get(self.key(client), -self.window) >= self.window
        cap = self.strained if strained else self.limit
        if len(seen) < cap:
            return 0.0
        # Under strain the client waits until it is below ``strained`` again (or the strain
        # ends, which cannot be promised): its misses from the (len - cap)th on must expire.
        return max(1.0, self.window - (now - seen[len(seen) - cap]))

    def hit(self, client: str) -> None:
        """Note that a code ``client`` typed was right: a guesser almost never hits."""
        now = time.monotonic()
        self.hits[self.key(client)] = now
        if len(self.hits) > self.clients:
            self.hits = {c: t for c, t in self.hits.items() if now - t < self.window}

    def forgive(self, client: str) -> None:
        """Take back the latest miss of ``client`` (a lookup counted as a miss before it ran
        turned out a hit, or could not run)."""
        seen = self.misses.get(self.key(client))
        if seen:
            seen.pop()
            if self.everyone:
                self.everyone.pop()

    def missed(self, client: str) -> int:
        """Count a miss of ``client``; the misses it has in the window now."""
        now = time.monotonic()
        seen = self._prune(self.misses.setdefault(self.key(client), deque()), now)
        seen.append(now)
        self._prune(self.everyone, now).append(now)
        if len(self.misses) > self.clients:  # many clients: forget the quietest first
            for old in sorted(self.misses, key=lambda c: self.misses[c][-1])[:self.clients // 10]:
                del self.misses[old]
        return len(seen)


class JoinCodes:
    """The door's lookups: a store opened on first use (the server's process, not a kernel)
    and the misses per client."""

    def __init__(self, db_url: str | None, notebook_path: str, misses: JoinMisses | None = None,
                 form_path: str = "/j"):
        self.db_url, self.notebook_path, self.form_path = db_url, notebook_path, form_path
        self.misses = misses or JoinMisses()
        self._store = None
        self._lock = threading.Lock()

    def store(self):
        with self._lock:
            if self._store is None:
                from ..store import Store

                self._store = Store(self.db_url)
            return self._store

    def resolve(self, typed: str) -> str | None:
        """The signed shared link (a path on this door) of the code ``typed``, or None."""
        store = self.store()
        found = store.find_join_code(typed)
        if found is None:
            return None
        campaign, group, segment = found
        return make_link(self.notebook_path, campaign, group, segment,
                         secret=store.link_secret())


def _form(action: str = "") -> str:
    return (f'<form method="get" action="{action}">'
            '<input name="code" autocomplete="off" autocapitalize="characters" '
            'spellcheck="false" aria-label="Code" placeholder="e.g. 7KQ4MX" maxlength="20">'
            '<button type="submit">Open</button></form>')


FORM = "<p>Type the code shown on the screen.</p>" + _form()
# The same page for every miss (unknown, closed, impossible), with the form to try again; it
# echoes nothing typed. Its form goes to /j, wherever the miss was (/j/CODE or /j?code=).
MISS = ("No questionnaire has this code", "<p>No open questionnaire has the code you typed. "
        "Check it on the screen and type it again: six letters and digits, such as "
        "<b>7KQ4MX</b>.</p>" + _form("{root}") + "<p class=\"small\">The questionnaire may "
        "also have closed. The QR code on the screen opens it without typing.</p>")


class JoinPage(web.RequestHandler):
    """``/j`` (a form to type the code), ``/j/CODE`` and ``/j?code=CODE`` (the redirect)."""

    def initialize(self, codes: JoinCodes, render, client_of):
        self.codes, self.render, self.client_of = codes, render, client_of

    def _show(self, status: int, title: str, body: str, **headers) -> None:
        self.set_status(status)
        self.set_header("Cache-Control", "no-store")
        for k, v in headers.items():
            self.set_header(k.replace("_", "-"), v)
        self.finish(self.render(title, body))

    async def get(self, typed: str | None = None):
        typed = typed if typed is not None else self.get_argument("code", None)
        if typed is None or not typed.strip():
            self._show(200, "Join with a code", FORM)
            return
        client = self.client_of(self.request)
        wait = self.codes.misses.wait(client)
        if wait:
            self._show(429, "Too many wrong codes", (
                "<p>Several codes typed from your connection were wrong, so codes from it are "
                f"not checked for about {max(1, round(wait / 60))} minute(s).</p><p>The QR "
                "code on the screen opens the questionnaire without typing.</p>"),
                Retry_After=str(int(wait) + 1))
            return
        # Counted as a miss before the lookup, and taken back if it hits: lookups sent all at
        # once would otherwise all pass the check above while the first ones are still running.
        misses = self.codes.misses
        n = misses.missed(client)
        try:
            target = await asyncio.get_running_loop().run_in_executor(
                None, self.codes.resolve, typed[:64])
        except Exception:  # the store is down: say so, count nothing
            misses.forgive(client)
            log.exception("join code lookup failed")
            self._show(503, "Please try again", "<p>The questionnaire cannot be looked up "
                       "right now. Please try again in a minute.</p>", Retry_After="60")
            return
        if target is None:
            if n == misses.limit:
                log.warning("%d wrong join codes from %s: its lookups wait %d s", n, client,
                            int(misses.window))
            if len(misses.everyone) == misses.total:
                log.warning("%d wrong join codes from all clients within %d s: each client "
                            "now gets %d misses, not %d", misses.total, int(misses.window),
                            misses.strained, misses.limit)
            self._show(404, MISS[0], MISS[1].replace("{root}", self.codes.form_path))
            return
        misses.forgive(client)
        misses.hit(client)
        self.set_header("Cache-Control", "no-store")
        self.set_header("Referrer-Policy", "no-referrer")
        self.redirect(target, status=303)

    head = get


def join_routes(root: str, questionnaire: str, render, client_of) -> list:
    """The respondents' door's routes for join codes (before its catch-all "missing" page).
    ``render(title, body)`` makes the door's plain page; ``client_of(request)`` names the
    client whose misses count."""
    codes = JoinCodes(os.environ.get(DB_URL_ENV) or None,
                      url_path_join(root, "/voila/render/", questionnaire),
                      form_path=url_path_join(root, "/j"))
    kw = {"codes": codes, "render": render, "client_of": client_of}
    return [(url_path_join(root, r"/j/?"), JoinPage, kw),
            (url_path_join(root, r"/j/([^/]{1,64})/?"), JoinPage, kw)]

