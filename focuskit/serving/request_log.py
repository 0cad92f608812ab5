"""The doors' request log, without secrets.

Tornado's own log line and its "Uncaught exception" report print the whole URI, so a staff
link's ``?token=`` (and a respondent's ``code=``) landed in the server's log in clear text.
Here both go through jupyter_server's scrubber, which replaces such values with [secret].
"""

from __future__ import annotations

import logging

from jupyter_server.log import log_request
from tornado import web
from tornado.log import access_log

__all__ = ["log_request_scrubbed", "scrub", "scrub_exception_log"]

SECRET_KEYS = ("token", "code", "key", "auth", "xsrf")


def scrub(uri: str) -> str:
    """``uri`` with the values of secret-looking query parameters replaced by [secret]."""
    path, sep, query = uri.partition("?")
    if not sep:
        return uri
    parts = []
    for part in query.split("&"):
        key, eq, _ = part.partition("=")
        parts.append(f"{key}=[secret]" if eq and any(s in key.lower() for s in SECRET_KEYS)
                     else part)
    return f"{path}?{'&'.join(parts)}"


def log_request_scrubbed(handler) -> None:
    """Tornado ``log_function``: jupyter_server's request line (scrubbed), no metrics."""
    if handler.get_status() < 400 and getattr(handler.request, "path", "").startswith(
            ("/voila/static/", "/voila/templates/")):
        return
    log_request(handler, record_prometheus_metrics=False)


def _log_exception(self, typ, value, tb):
    if isinstance(value, web.HTTPError):
        if value.log_message:
            access_log.warning("%d %s %s: %s", value.status_code, self.request.method,
                               scrub(self.request.uri or ""), value.log_message % value.args
                               if value.args else value.log_message)
        return
    logging.getLogger("tornado.application").error(
        "Uncaught exception %s %s (%s)", self.request.method, scrub(self.request.uri or ""),
        self.request.remote_ip, exc_info=(typ, value, tb))


def scrub_exception_log() -> None:
    """Make every handler of this process report its exceptions with a scrubbed URI."""
    web.RequestHandler.log_exception = _log_exception
