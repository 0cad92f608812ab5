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
  page that says what to do instead of Jupyter's login form.
- The staff door also takes the store's named keys, with a role each (staff_identity.py): a
  viewer opens only the landing page and the dashboard, and every page learns its visitor's
  role and name from the server, never from the visitor. Every page opened is in the audit log.
"""

from __future__ import annotations

import asyncio
import contextvars
import html
import os
import re
import sys
import warnings
from urllib.parse import parse_qsl, urlencode, urlsplit

from jupyter_core.utils import ensure_async
from jupyter_server.utils import url_path_join
from tornado import web
from tornado.ioloop import PeriodicCallback
from traitlets import Enum, Integer, Unicode
from voila.app import Voila
from voila.execute import VoilaExecutor
from voila.shutdown_kernel_handler import VoilaShutdownKernelHandler
from voila.static_file_handler import AllowListFileHandler
from voila.tornado.contentshandler import VoilaContentsHandler
from voila.tornado.handler import TornadoVoilaHandler
from voila.tornado.kernel_websocket_handler import VoilaKernelWebsocketHandler
from voila.tornado.treehandler import TornadoVoilaTreeHandler

from . import RESPONDENT_NOTEBOOK, TOKEN_ENV
from .staff_identity import NAME_HEADER, ROLE_HEADER, VIEWER_PAGES, StaffIdentity, role_of
from .voila_fixes import patch_missed_wakeups, patch_request_info, visitor_timeout

STAFF_MESSAGE_BYTES = 64 * 1024 * 1024

# -- the pages a visitor sees instead of a traceback ------------------------------------------
_STYLE = """
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2937;
background:#f3f4f6;line-height:1.5}
main{max-width:34rem;margin:12vh auto 0;padding:2rem 1.5rem;background:#fff;border-radius:12px;
box-shadow:0 1px 3px rgba(0,0,0,.12)}
h1{font-size:1.5rem;margin:0 0 .75rem}p{margin:.5rem 0 1rem}
.small{font-size:.9rem;color:#4b5563}
a.button,button{display:inline-block;padding:.7rem 1.3rem;border:0;border-radius:8px;
background:#1d4ed8;color:#fff;font-size:1rem;text-decoration:none;cursor:pointer}
form{display:flex;gap:.5rem;flex-wrap:wrap}
input{flex:1 1 12rem;min-width:0;padding:.65rem;font-size:1rem;border:1px solid #9ca3af;
border-radius:8px}
@media (max-width:480px){main{margin:0;min-height:100vh;border-radius:0;box-shadow:none;
box-sizing:border-box}}
"""


def page(title: str, body: str, refresh: int | None = None) -> str:
    meta = f'<meta http-equiv="refresh" content="{refresh}">' if refresh else ""
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width,initial-scale=1">{meta}'
            f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>"
            f"<body><main><h1>{html.escape(title)}</h1>{body}</main></body></html>")


PAGES = {
    "home": (200, "Questionnaires", "<p>This address serves questionnaires. To answer one, open "
             "the link you were given: it names your questionnaire.</p>"),
    "missing": (404, "Nothing here", "<p>There is no page at this address. If you were sent a "
                "link to a questionnaire, check that it was copied whole.</p>"),
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


class StaffOnlyPage(web.RequestHandler):
    """Where Jupyter sends a visitor without the token (its ``/login``): say it is for staff
    and take the access key, which the form hands back to the page asked for as ``?token=``."""

    def get(self):
        nxt = self.get_argument("next", "/")
        parts = urlsplit(nxt)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            nxt, parts = "/", urlsplit("/")  # only pages of this server, never elsewhere
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


_TICKET: contextvars.ContextVar[_Ticket | None] = contextvars.ContextVar("ticket", default=None)


class CappedVoilaHandler(TornadoVoilaHandler):
    """Voila's notebook page, refused with a "busy" page once the door's cap is reached."""

    @web.authenticated
    async def get(self, path=None):
        app: FocuskitVoila = self.settings["focuskit_voila"]
        if app.door == "staff" and not self.admit_staff(path):
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
        ticket = _Ticket()
        app.tickets.add(ticket)
        _TICKET.set(ticket)  # a context variable: this request's task, and what it awaits
        try:
            await super().get(path)
        finally:
            app.tickets.discard(ticket)

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
        # Voila hands the page's query to its kernel (QUERY_STRING): the key is checked by
        # now (the browser keeps a cookie), so it goes no further.
        req = self.request
        req.query = urlencode([(k, v) for k, v in parse_qsl(req.query, keep_blank_values=True)
                               if k != "token"])
        req.uri = req.path + (f"?{req.query}" if req.query else "")
        req.arguments.pop("token", None)
        req.query_arguments.pop("token", None)
        identity.audit("open", path or "", name or "?")
        return True


class NoDelayKernelWebsocket(VoilaKernelWebsocketHandler):
    async def open(self, kernel_id):
        self.set_nodelay(True)  # why: see the module's docstring
        return await super().open(kernel_id)


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

    def kernels_in_use(self) -> int:
        """Kernels given to pages (not the preheated ones waiting) plus pages about to get one."""
        self.visitors &= set(self.kernel_manager.list_kernel_ids())
        return len(self.visitors) + sum(1 for t in self.tickets if t.kernel is None)

    def _claimed(self, kernel_id: str) -> None:
        self.visitors.add(kernel_id)
        ticket = _TICKET.get()
        if ticket is not None:
            ticket.kernel = kernel_id

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

    def init_settings(self):
        settings = super().init_settings()
        self._pool_seen: dict[str, float] = {}
        if self.pool_max_age and hasattr(self.kernel_manager, "fill_if_needed"):
            PeriodicCallback(self._recycle_old_pool_kernels,
                             1000 * max(1, min(60, self.pool_max_age // 4))).start()
        settings["focuskit_voila"] = self
        if self.door == "staff":
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
            elif cls is VoilaKernelWebsocketHandler:
                cls = NoDelayKernelWebsocket
            elif cls is TornadoVoilaHandler:
                cls = CappedVoilaHandler
                if respondent:  # this notebook and no other name
                    pattern = url_path_join(root, "/voila/render/(" + re.escape(
                        self.questionnaire) + ")")
            elif pattern.endswith("/login"):
                if respondent:
                    continue
                cls, rest = StaffOnlyPage, []
            elif respondent and (cls in (TornadoVoilaTreeHandler, VoilaContentsHandler)
                                 or pattern.endswith("/logout")):
                continue
            out.append((pattern, cls, *rest))
        if respondent:
            out.insert(0, (root, InfoPage, {"kind": "home"}))
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
    return FocuskitVoila.launch_instance(argv)


if __name__ == "__main__":
    sys.exit(main())
