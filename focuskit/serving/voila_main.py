"""Voila as ``focuskit serve`` runs it: one of its two doors, in a process of its own.

``python -m focuskit.serving.voila_main ROOT --FocuskitVoila.door=respondent [voila options]``

Voila itself with a few changes, all in :class:`FocuskitVoila`:

- TCP_NODELAY on the kernel websocket. A widget click and its reply are small messages; with
  Nagle's algorithm the server holds a reply until the browser acknowledges the previous one,
  and browsers delay that acknowledgement (~40 ms). Measured here: median click-to-reply
  46 ms -> 6 ms (benchmarks/bench_roundtrip.py).
- Closing a tab shuts its kernel down (Voila's request for it was refused, see
  UnloadShutdownHandler).
- A cap on kernels given to visitors: past it a visitor gets a "busy, try again in a minute"
  page (HTTP 503) instead of a server that runs out of memory.
- Routes trimmed to the door. The respondent door serves the questionnaire and what its page
  needs, nothing else: no tree, no contents API, no files. Neither door serves /voila/files
  (Voila serves it without asking for the token) and an unknown address gets a plain page.
- A failed or timed-out cell shows the visitor what to do, not which cell failed.
- Preheated kernels older than pool_max_age are replaced, so a preheated dashboard does not
  show a visitor the data of when it started.
- The staff door takes its token from $FOCUSKIT_STAFF_TOKEN, not the command line (which
  every user of the machine can read with ``ps``), and refuses visitors without it with a
  page that says what to do instead of Jupyter's login form. That page sends the key back to
  this server's own paths only (own_path); wrong keys are slowed and logged (key_attempts);
  the key is taken out of the request before Voila hands the query string to a kernel.
- Visitors who do not play along (the trust issue): a page's kernel goes if the page does not
  connect within connect_within; one client holds at most per_client_kernels kernels of
  never-connected pages (clients); on the respondent door the kernel websocket takes no
  comm_open the kernel did not ask for, no big message and no flood (socket_guard), and a
  page silent for idle_close is closed with a "reload to go on" notice.
- Logs without secrets (request_log), SameSite=Lax cookies (Secure behind HTTPS), and a plain
  page instead of Jupyter's error template, which Voila lacks (every error was a 500).
- The staff door also takes the store's named keys, with a role each (staff_identity.py): a
  viewer opens only the landing page and the dashboard, and every page learns its visitor's
  role and name from the server, never from the visitor. Every page opened is in the audit log.
"""

from __future__ import annotations

import asyncio
import contextvars
import html
import logging
import os
import re
import sys
import time
import warnings
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from jupyter_core.utils import ensure_async
from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.utils import url_path_join
from tornado import web
from tornado.ioloop import IOLoop, PeriodicCallback
from traitlets import Bool, Enum, Integer, List, Unicode
from voila.app import Voila
from voila.execute import VoilaExecutor
from voila.shutdown_kernel_handler import VoilaShutdownKernelHandler
from voila.static_file_handler import AllowListFileHandler, TemplateStaticFileHandler
from voila.tornado.contentshandler import VoilaContentsHandler
from voila.tornado.handler import TornadoVoilaHandler
from voila.tornado.kernel_websocket_handler import VoilaKernelWebsocketHandler
from voila.tornado.treehandler import TornadoVoilaTreeHandler

from ..config import DB_URL_ENV, SERVE
from ..ui.style import css
from .clients import ClientLedger, client_address, trusted_networks
from .doors import RESPONDENT_NOTEBOOK, TOKEN_ENV
from .join_door import join_routes
from .key_attempts import KeyAttempts
from .pool import Refill, track_cells
from .request_log import log_request_scrubbed, scrub_exception_log
from .room import RoomWatch
from .socket_guard import FRONT_END_TARGETS, MessageRate, comm_open_target, frame_is_sane
from .staff_identity import NAME_HEADER, ROLE_HEADER, VIEWER_PAGES, StaffIdentity, role_of
from .template_cache import share_compiled_templates
from .voila_fixes import patch_missed_wakeups, patch_request_info, visitor_timeout

log = logging.getLogger("focuskit.serve")
IDLE_CLOSE_CODE = 4001  # the kernel socket's close code that the page reads as "reload to go on"

STAFF_MESSAGE_BYTES = 64 * 1024 * 1024
# The staff door pings every page's kernel socket; one that has not answered for PONG_WITHIN s
# (a phone asleep, a laptop shut: no close ever comes) is closed, and a kernel left without a
# socket for RECONNECT_GRACE s is shut down: a staff slot comes back within a minute, not after
# the ten of idle culling. (A brief network drop reconnects well within the grace.) Timeout and
# interval are equal: tornado refuses a longer timeout, with a warning in the log.
STAFF_PING, STAFF_PONG_WITHIN, RECONNECT_GRACE = 15, 15, 10

# -- the pages a visitor sees instead of a traceback ------------------------------------------


def page(title: str, body: str, refresh: int | None = None) -> str:
    meta = f'<meta http-equiv="refresh" content="{refresh}">' if refresh else ""
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width,initial-scale=1">{meta}'
            f"<title>{html.escape(title)}</title>"
            f"<style>{css('focuskit.serving', 'pages.css')}</style></head>"
            f"<body><main><h1>{html.escape(title)}</h1>{body}</main></body></html>")


PAGES = {
    "home": (200, "Questionnaires", "<p>This address serves questionnaires. To answer one, open "
             "the link you were given: it names your questionnaire.</p>"),
    "missing": (404, "Nothing here", "<p>There is no page at this address. If you were sent a "
                "link to a questionnaire, check that it was copied whole.</p>"),
    "signed-out": (200, "Signed out", "<p>This browser no longer holds the staff key. Open "
                   "your staff link again to come back.</p>"),
}


class InfoPage(web.RequestHandler):
    """A fixed page (``kind`` in PAGES); no token, no kernel."""

    def initialize(self, kind: str):
        self.kind = kind

    def get(self, *args):
        status, title, body = PAGES[self.kind]
        self.set_status(status)
        self.set_header("Cache-Control", "no-store")
        self.finish(page(title, body))

    head = post = get


def own_path(target: str) -> str:
    """``target`` if it is a path on this server, else "/". Browsers read a backslash as a
    slash and drop tabs and newlines, so "/\\evil.example" or "/%5Cevil.example" in a form's
    action leads to another host: anything that could is refused, decoded or not."""
    decoded = target
    for _ in range(3):  # what a browser or a proxy might decode on the way
        decoded = unquote(decoded)
    for text in (target, decoded):
        if (not text.startswith("/") or text.startswith("//") or "\\" in text
                or any(ord(c) < 0x20 or ord(c) == 0x7F for c in text)):
            return "/"
        parts = urlsplit(text)
        if parts.scheme or parts.netloc:
            return "/"
    return target


class StaffOnlyPage(web.RequestHandler):
    """Where Jupyter sends a visitor without the token (its ``/login``): say it is for staff
    and take the access key, which the form hands back to the page asked for as ``?token=``."""

    def get(self):
        parts = urlsplit(own_path(self.get_argument("next", "/")))
        hidden = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                         for k, v in parse_qsl(parts.query) if k != "token")
        self.set_status(403)
        self.set_header("Cache-Control", "no-store")
        self.finish(page("For staff only", (
            "<p>This page shows the organisation's results and is open to its staff only.</p>"
            "<p>Open the staff link you were given (it ends in <code>?token=</code> and a key), "
            "or enter the key here:</p>"
            f'<form method="get" action="{html.escape(parts.path)}">{hidden}'
            '<input name="token" type="password" autocomplete="off" aria-label="Access key" '
            'placeholder="Access key"><button type="submit">Open</button></form>'
            '<p class="small">Answering a questionnaire? Use the link you were given for '
            "it instead.</p>")))

    head = get


class SignedOutPage(web.RequestHandler):
    """The staff door's ``/logout``: forget the browser's login cookie (Jupyter's own logout
    page needs templates Voila does not ship: a 500 and a traceback)."""

    def get(self):
        for name in self.request.cookies:
            if name.startswith("username-"):
                self.clear_cookie(name, path="/")
        status, title, body = PAGES["signed-out"]
        self.set_header("Cache-Control", "no-store")
        self.finish(page(title, body))

    head = get


class TemplateFiles(TemplateStaticFileHandler):
    """Voila's template files (``<template>/static/<file>``); any other address a 404 instead
    of an assertion in Voila, a 500 and a traceback."""

    async def get(self, path, include_body=True):
        template, _, rest = path.partition("/")
        if (not re.fullmatch(r"[A-Za-z0-9_-][A-Za-z0-9_.-]*", template)
                or not rest.startswith("static/") or ".." in path.split("/")):
            raise web.HTTPError(404)
        try:
            return await super().get(path, include_body)
        except web.HTTPError:
            raise
        except (AssertionError, ValueError, OSError):
            raise web.HTTPError(404) from None


def _plain_error(self, status_code, **kwargs):
    """Jupyter's error page needs a template Voila does not ship: every error became a 500 with
    a traceback in the log. A plain page instead."""
    title = {403: "Not allowed", 404: "Nothing here", 405: "Not allowed"}.get(
        status_code, "Something went wrong")
    self.set_header("Content-Type", "text/html; charset=UTF-8")
    self.set_header("Cache-Control", "no-store")
    self.finish(page(title, "<p>This address cannot show you a page.</p>"))


def too_many_pages_page(url: str) -> str:
    return page("Too many pages opening", (
        "<p>Several pages were opened from your connection and have not finished loading. "
        "Please wait a minute, then try again.</p>"
        f'<p><a class="button" href="{html.escape(url)}">Try again</a></p>'), refresh=60)


def busy_page(url: str) -> str:
    return page("The server is busy", (
        "<p>Many people are using it right now, so it cannot open another page for you yet. "
        "Answers you have already given are saved.</p><p>Please try again in a minute; this page "
        "also tries again by itself.</p>"
        f'<p><a class="button" href="{html.escape(url)}">Try again</a></p>'), refresh=60)


# -- the kernel cap ----------------------------------------------------------------------------
class _Ticket:
    """A visitor let in, until the page's kernel is known (then the kernel counts instead)."""

    kernel: str | None = None

    def __init__(self, client: str):
        self.client = client


_TICKET: contextvars.ContextVar[_Ticket | None] = contextvars.ContextVar("ticket", default=None)


class CappedVoilaHandler(TornadoVoilaHandler):
    """Voila's notebook page, refused with a "busy" page once the door's cap is reached."""

    @web.authenticated
    async def get(self, path=None):
        app: FocuskitVoila = self.settings["focuskit_voila"]
        client = app.client_of(self.request)
        app.last_page = time.monotonic()  # the pool's refill waits for a quiet moment
        self._drop_token()
        if app.door == "staff" and not self.admit_staff(path):
            return
        if (app.door == "respondent" and app.per_client_kernels
                and app.held_unconnected(client) >= app.per_client_kernels):
            log.warning("%s holds %d pages whose kernel never connected: refused another",
                        client, app.per_client_kernels)
            self.set_status(429)
            self.set_header("Retry-After", "60")
            self.set_header("Cache-Control", "no-store")
            self.finish(too_many_pages_page(self.request.uri))
            return
        if app.max_kernels and app.kernels_in_use() >= app.max_kernels:
            self.log.warning("kernel cap (%d) reached: busy page for %s", app.max_kernels,
                             self.request.path)
            self.set_status(503)
            self.set_header("Retry-After", "60")
            self.set_header("Cache-Control", "no-store")
            self.finish(busy_page(self.request.uri))
            return
        # No await between the check and this: a burst of visitors cannot all slip past it.
        ticket = _Ticket(client)
        app.tickets.add(ticket)
        _TICKET.set(ticket)  # a context variable: this request's task, and what it awaits
        try:
            await super().get(path)
        finally:
            app.tickets.discard(ticket)
            if ticket.kernel is not None:  # its page is out: the page has this long to connect
                app.ledger.page_sent(ticket.kernel, app.connect_within)

    def _drop_token(self) -> None:
        """The login is done (prepare): take the key out of the request, so that Voila does not
        hand it to the kernel (QUERY_STRING, VOILA_REQUEST_URL) nor into any link."""
        if "token" not in self.request.query_arguments:
            return
        query = urlencode([(k, v) for k, v in parse_qsl(self.request.query,
                                                         keep_blank_values=True) if k != "token"])
        self.request.query = query
        self.request.uri = self.request.path + (f"?{query}" if query else "")
        self.request.query_arguments.pop("token", None)
        self.request.arguments.pop("token", None)

    def admit_staff(self, path) -> bool:
        """Refuse a viewer an admin's page; tell the page's kernel who asked for it (these
        headers overwrite any the visitor sent, and Voila copies them into the kernel's
        environment); and log the visit."""
        user = self.current_user
        role, name = role_of(user) or "", getattr(user, "username", "")
        identity = self.settings["identity_provider"]
        if role != "admin" and not (role == "viewer" and path in VIEWER_PAGES):
            identity.audit("refused", f"{path} (role {role or 'none'})", name or "?")
            self.set_status(403)
            self.set_header("Cache-Control", "no-store")
            self.finish(page("For admins", (
                "<p>This page is for admins: it runs campaigns and shows raw answers. Your "
                "key is a viewer's key.</p><p><a class=\"button\" href=\"index.ipynb\">"
                "Back to the overview</a></p>")))
            return False
        self.request.headers[ROLE_HEADER] = role
        self.request.headers[NAME_HEADER] = name
        identity.audit("open", path or "", name or "?")
        return True


class GuardedKernelWebsocket(VoilaKernelWebsocketHandler):
    """The kernel websocket: no Nagle delay (see the module's docstring), and on the respondent
    door what socket_guard allows and no more; an idle one is closed (close_idle)."""

    async def open(self, kernel_id):
        self.set_nodelay(True)
        app: FocuskitVoila = self.settings["focuskit_voila"]
        self.focuskit_rate = MessageRate(app.messages_per_minute)
        self.focuskit_last = time.monotonic()
        self.focuskit_client = app.client_of(self.request)
        app.ledger.connected(kernel_id)
        app.sockets.add(self)
        return await super().open(kernel_id)

    def on_message(self, message):
        app: FocuskitVoila = self.settings["focuskit_voila"]
        v1 = self.selected_subprotocol is not None
        if not frame_is_sane(message, v1=v1):
            log.warning("kernel socket of %s closed: a frame whose parts do not fit it",
                        self.focuskit_client)
            self.close(1007, "malformed frame")
            return None
        if app.door == "respondent":
            self.focuskit_last = time.monotonic()
            if self.focuskit_rate.too_many():
                log.warning("kernel socket of %s closed: more than %d messages in a minute",
                            self.focuskit_client, app.messages_per_minute)
                self.close(1008, "too many messages")
                return None
            target = comm_open_target(message, v1=v1)
            if target is not None and target not in FRONT_END_TARGETS:
                log.warning("comm_open to %r from %s dropped: only the kernel opens widgets",
                            target[:80], self.focuskit_client)
                return None
        return super().on_message(message)

    def on_close(self):
        app: FocuskitVoila = self.settings["focuskit_voila"]
        app.sockets.discard(self)
        if app.door == "staff" and getattr(self, "kernel_id", None):
            IOLoop.current().call_later(RECONNECT_GRACE, app.release_if_abandoned,
                                        self.kernel_id)
        return super().on_close()


NoDelayKernelWebsocket = GuardedKernelWebsocket  # its former name (tests and benchmarks patch it)


class UnloadShutdownHandler(VoilaShutdownKernelHandler):
    """Voila's page asks for its kernel's shutdown when the tab closes, but without the XSRF
    field jupyter_server 2 demands: refused (403), every closed tab held its kernel until
    culling. The kernel's id (random, known only to its page) is what authorizes this."""

    def check_xsrf_cookie(self):
        return None


class FocuskitVoila(Voila):
    door = Enum(["staff", "respondent"], "staff", config=True,
                help="respondent: the questionnaire only, for anyone; staff: all, with a token")
    max_kernels = Integer(0, config=True, help="kernels given to visitors at most (0: no cap)")
    questionnaire = Unicode(RESPONDENT_NOTEBOOK, config=True)
    pool_max_age = Integer(0, config=True, help="seconds a preheated kernel may wait for a "
                           "visitor before it is replaced by a fresh one (0: no limit)")
    connect_within = Integer(SERVE.connect_within, config=True, help="seconds a page, once "
                             "sent, has to connect to its kernel before the kernel is shut down "
                             "(0: no limit)")
    per_client_kernels = Integer(SERVE.per_client_kernels, config=True, help="respondent door: "
                                 "kernels one client address may hold whose page never "
                                 "connected (0: no limit)")
    idle_close = Integer(SERVE.idle_close, config=True, help="respondent door: seconds a connected page may "
                         "send nothing before it is closed with 'reload to go on' (0: never)")
    trusted_proxies = List(Unicode(), config=True, help="addresses or networks of reverse "
                           "proxies whose X-Forwarded-For names the client")
    max_message_bytes = Integer(64 * 1024, config=True,
                                help="respondent door: largest websocket message")
    messages_per_minute = Integer(300, config=True, help="respondent door: websocket messages "
                                  "a page may send in a minute before its socket is closed")
    secure_cookies = Bool(False, config=True, help="cookies for HTTPS only (behind an HTTPS "
                          "proxy); they are SameSite=Lax in any case")
    watch_rooms = Bool(True, config=True, help="respondent door: keep as many questionnaire "
                       "kernels ready as the open rounds expect people (within memory)")
    pool_status = Unicode("", config=True, help="respondent door: a file to write what the "
                          "pool has ready (JSON), for the staff pages")

    def initialize(self, argv=None):
        # Taken out of the environment so that no kernel inherits it.
        token = os.environ.pop(TOKEN_ENV, None)
        super().initialize(argv)
        if self.door == "staff":
            if token:
                self.token = token
            self.identity_provider_class = StaffIdentity
            self.voila_configuration.http_header_envs = [ROLE_HEADER, NAME_HEADER]
        visitor_timeout(self.config)
        self.visitors: set[str] = set()
        self.tickets: set[_Ticket] = set()
        self.ledger = ClientLedger()
        self.sockets: set[GuardedKernelWebsocket] = set()
        self.trusted = trusted_networks(self.trusted_proxies)
        self.key_attempts = KeyAttempts()
        self.last_page = 0.0
        self.refill: Refill | None = None

    def client_of(self, request) -> str:
        return client_address(request, self.trusted)

    def held_unconnected(self, client: str) -> int:
        """Kernels ``client`` holds whose page never connected, and pages it has opening."""
        alive = set(self.kernel_manager.list_kernel_ids())
        return self.ledger.held_by(client, alive) + sum(
            1 for t in self.tickets if t.kernel is None and t.client == client)

    def _watch_pages(self) -> None:
        """Shut down the kernels of pages that never connected, and close idle pages."""
        for kernel_id, client in self.ledger.overdue():
            log.warning("the page of %s did not connect to kernel %s within %d s: shut down",
                        client, kernel_id, self.connect_within)
            asyncio.ensure_future(self._shut_down(kernel_id))
        if self.door != "respondent" or not self.idle_close:
            return
        now = time.monotonic()
        for ws in list(self.sockets):
            if now - ws.focuskit_last > self.idle_close:
                log.info("page of %s idle for %d s: closed (kernel %s)", ws.focuskit_client,
                         self.idle_close, ws.kernel_id)
                self.sockets.discard(ws)
                ws.close(IDLE_CLOSE_CODE, "idle: reload the page to go on")
                asyncio.ensure_future(self._shut_down(ws.kernel_id))

    def release_if_abandoned(self, kernel_id: str) -> None:
        """A staff page's socket closed RECONNECT_GRACE s ago: unless a socket came back to its
        kernel (or the tab's unload shut it down already), shut the kernel down."""
        if kernel_id not in self.kernel_manager.list_kernel_ids():
            return
        if any(ws.kernel_id == kernel_id for ws in self.sockets):
            return
        log.warning("staff page of kernel %s gone (its socket closed or stopped answering): "
                    "kernel shut down", kernel_id)
        asyncio.ensure_future(self._shut_down(kernel_id))

    async def _shut_down(self, kernel_id: str) -> None:
        try:
            await ensure_async(self.kernel_manager.shutdown_kernel(kernel_id))
        except Exception as e:  # gone already (culled, tab closed)
            log.debug("kernel %s already gone: %r", kernel_id, e)

    def _count_failed_keys(self) -> None:
        """Slow down and log wrong staff keys (key_attempts), never logging the key."""
        provider = self.identity_provider
        get_user = provider.get_user
        attempts = self.key_attempts

        async def get_user_slowed(handler):
            if not provider.get_token(handler):
                return await ensure_async(get_user(handler))
            client = self.client_of(handler.request)
            await attempts.wait_turn(client)
            user = await ensure_async(get_user(handler))
            if user is None:
                count, wait = attempts.failed(client)
                log.warning("wrong staff key from %s (%d in a row); its next key waits %.1f s",
                            client, count, wait)
            else:
                attempts.succeeded(client)
            return user

        provider.get_user = get_user_slowed

    def kernels_in_use(self) -> int:
        """Kernels given to pages (not the preheated ones waiting) plus pages about to get one."""
        self.visitors &= set(self.kernel_manager.list_kernel_ids())
        return len(self.visitors) + sum(1 for t in self.tickets if t.kernel is None)

    def _claimed(self, kernel_id: str) -> None:
        self.visitors.add(kernel_id)
        ticket = _TICKET.get()
        if ticket is not None:
            ticket.kernel = kernel_id
            self.ledger.given(kernel_id, ticket.client)

    def _recycle_old_pool_kernels(self) -> None:
        """Replace preheated kernels that waited longer than pool_max_age. A preheated
        dashboard ran all its cells when it started: without this, a visitor hours later would
        see the answers of hours ago."""
        import time

        km, now = self.kernel_manager, time.monotonic()
        for notebook, pool in getattr(km, "_pools", {}).items():
            for task in list(pool):
                if not task.done() or task.cancelled() or task.exception() is not None:
                    continue
                kernel_id = task.result()["kernel_id"]
                born = self._pool_seen.setdefault(kernel_id, now)
                if now - born > self.pool_max_age:
                    pool.remove(task)  # at once: no visitor can be given it from here on
                    self._pool_seen.pop(kernel_id, None)
                    self.log.info("replacing preheated kernel %s of %s (waited %.0f s)",
                                  kernel_id, notebook, now - born)
                    asyncio.ensure_future(ensure_async(km.shutdown_kernel(kernel_id)))
                    km.fill_if_needed(delay=0, notebook_name=notebook)

    async def _open_store_early(self) -> None:
        """Open the staff door's store (its keys, its audit log) before any visitor: the first
        page's "open" line would otherwise import SQLAlchemy and connect while that page loads,
        a third of a second of the server's CPU that only the first executive paid."""
        identity = self.identity_provider
        try:
            await IOLoop.current().run_in_executor(
                None, lambda: identity.store().schema_version)
        except Exception as e:  # noqa: BLE001 - the first page opens it then, and says why
            log.warning("the staff door's store did not open at start: %r", e)

    def init_settings(self):
        settings = super().init_settings()
        self._pool_seen: dict[str, float] = {}
        if self.pool_max_age and hasattr(self.kernel_manager, "fill_if_needed"):
            PeriodicCallback(self._recycle_old_pool_kernels,
                             1000 * max(1, min(60, self.pool_max_age // 4))).start()
        settings["focuskit_voila"] = self
        settings["log_function"] = log_request_scrubbed
        PeriodicCallback(self._watch_pages, 1000).start()
        # SameSite=Lax: no other site's page can make a staff browser send its login cookie
        # along with a request (a form posted from elsewhere).
        cookie = {"samesite": "Lax"} | ({"secure": True} if self.secure_cookies else {})
        self.identity_provider.cookie_options = {**self.identity_provider.cookie_options,
                                                 **cookie}
        if self.secure_cookies:
            self.identity_provider.secure_cookie = True
        settings["xsrf_cookie_kwargs"] = {**settings.get("xsrf_cookie_kwargs", {}), **cookie}
        if self.door == "respondent":
            settings["websocket_max_message_size"] = self.max_message_bytes
        elif self.token:
            self._count_failed_keys()
        if self.door == "staff":
            if os.environ.get(DB_URL_ENV):
                IOLoop.current().add_callback(self._open_store_early)
            settings["ws_ping_interval"] = STAFF_PING * 1000
            settings["ws_ping_timeout"] = STAFF_PONG_WITHIN * 1000
            # An admin's upload reaches the kernel as one websocket message; tornado drops
            # one over 10 MB with the connection, silently. Let it through so that the admin
            # page's own size check (focuskit.apps.admin) refuses big files in words.
            settings["websocket_max_message_size"] = STAFF_MESSAGE_BYTES
        # A page gets its kernel from one of two calls; the preheated pool starts its kernels
        # through the class's own start_kernel, so wrapping the instance's counts pages only.
        km = self.kernel_manager
        start_kernel = km.start_kernel

        async def start_for_page(*args, **kwargs):
            kernel_id = await ensure_async(start_kernel(*args, **kwargs))
            self._claimed(kernel_id)
            return kernel_id

        km.start_kernel = start_for_page
        if hasattr(km, "fill_if_needed"):  # preheated: refill after pages, one at a time
            self.refill = Refill(km, lambda: self.last_page, lambda: len(self.tickets))
            IOLoop.current().add_callback(self.refill.start)
            if self.door == "respondent":
                room = RoomWatch(self.refill, self.questionnaire, os.environ.get(DB_URL_ENV),
                                 self.pool_status or None, self.watch_rooms)
                PeriodicCallback(room.tick, 3000).start()
        if hasattr(km, "get_rendered_notebook"):
            from_pool = km.get_rendered_notebook

            async def preheated_for_page(*args, **kwargs):
                got = await from_pool(*args, **kwargs)
                self._claimed(got[2])
                return got

            km.get_rendered_notebook = preheated_for_page
        return settings

    def init_handlers(self):
        root = self.server_url
        respondent = self.door == "respondent"
        out = []
        for pattern, cls, *rest in super().init_handlers():
            if cls is AllowListFileHandler:
                continue
            if cls is VoilaShutdownKernelHandler:
                cls = UnloadShutdownHandler
            elif cls is TemplateStaticFileHandler:
                cls = TemplateFiles
            elif cls is VoilaKernelWebsocketHandler:
                cls = GuardedKernelWebsocket
            elif cls is TornadoVoilaHandler:
                cls = CappedVoilaHandler
                if respondent:  # this notebook and no other name
                    pattern = url_path_join(root, "/voila/render/(" + re.escape(
                        self.questionnaire) + ")")
            elif pattern.endswith("/login"):
                if respondent:
                    continue
                cls, rest = StaffOnlyPage, []
            elif pattern.endswith("/logout"):
                if respondent:
                    continue
                cls, rest = SignedOutPage, []
            elif respondent and cls in (TornadoVoilaTreeHandler, VoilaContentsHandler):
                continue
            out.append((pattern, cls, *rest))
        if respondent:
            out.insert(0, (root, InfoPage, {"kind": "home"}))
            out[1:1] = join_routes(root, self.questionnaire, page, self.client_of)
        out.append((url_path_join(root, r"/.*"), InfoPage, {"kind": "missing"}))
        return out


def _plain_cell_error(self, cell):
    """Voila's stripped error reads "There was an error when executing cell [1]. <instruction>":
    the cell number means nothing to a visitor, who never sees cells. Keep the instruction."""
    if cell["cell_type"] == "code":
        for output in cell["outputs"]:
            if output["output_type"] == "error":
                output.update(ename="Error", evalue="", traceback=[self.cell_error_instruction])
    return cell


def main(argv=None):
    VoilaExecutor.strip_code_cell_errors = _plain_cell_error
    # traitlets calls a JSON dict on the command line (the kernel pools) deprecated, but its
    # replacement (key=value) cannot give nested values: keep the warning out of the log.
    warnings.filterwarnings("ignore", category=DeprecationWarning, module="traitlets")
    patch_request_info()
    patch_missed_wakeups()
    share_compiled_templates()
    track_cells()
    scrub_exception_log()
    JupyterHandler.write_error = _plain_error
    return FocuskitVoila.launch_instance(argv)


if __name__ == "__main__":
    sys.exit(main())
