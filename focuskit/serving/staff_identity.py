"""Who is at the staff door, and with which role.

Two kinds of key open it: the server's own key (``--token`` / $FOCUSKIT_TOKEN, the first
admin) and the named keys of ``focuskit staff add`` (checked against their salted hashes in
the store). Once a key is accepted the browser holds a signed cookie naming the staff member;
each request re-reads that member from the store (briefly cached), so a revoked key or a
changed role takes effect within seconds, not at the next login.

The role reaches a page's kernel as the headers ``ROLE_HEADER`` and ``NAME_HEADER``, which the
server sets on the request after authentication, overwriting whatever the visitor sent, and
which Voila copies into the kernel's environment (``http_header_envs``). The key itself never
reaches a kernel.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import time
from dataclasses import dataclass

from jupyter_server.auth.identity import PasswordIdentityProvider, User

from ..config import NAME_ENV, ROLE_ENV

__all__ = ["NAME_ENV", "NAME_HEADER", "ROLE_ENV", "ROLE_HEADER", "SERVER_KEY", "StaffIdentity",
           "StaffUser", "VIEWER_PAGES"]

ROLE_HEADER, NAME_HEADER = "X-Focuskit-Role", "X-Focuskit-Staff"
#: What Voila names them in a kernel's environment.
#: The audit log's name for whoever used the server's own key.
SERVER_KEY = "server key"
#: Notebooks a viewer may open; every other one is for admins.
VIEWER_PAGES = frozenset({"index.ipynb", "results.ipynb", "programme.ipynb"})
RECHECK_SECONDS = 5.0


@dataclass
class StaffUser(User):
    role: str = "viewer"


class StaffIdentity(PasswordIdentityProvider):
    """Jupyter's token check, taught the store's named keys and the two roles."""

    @property
    def auth_enabled(self) -> bool:
        return True  # even without a server key: named keys alone guard the door

    def store(self):
        """The store holding the keys: $FOCUSKIT_DB_URL, which focuskit serve sets."""
        if "_focuskit_store" not in self.__dict__:
            from ..store import Store

            self.__dict__["_focuskit_store"] = Store()
        return self.__dict__["_focuskit_store"]

    def audit(self, action: str, detail: str, actor: str) -> None:
        """One line in the store's audit log, without holding up the server's loop."""
        def write():
            try:
                self.store().log(action, None, detail, actor=actor)
            except Exception as e:  # noqa: BLE001 - a full disk must not lock staff out
                self.log.error("audit log not written (%s %s): %s", action, detail, e)

        asyncio.get_running_loop().run_in_executor(None, write)

    async def get_user_token(self, handler):
        key = self.get_token(handler)
        if not key:
            return None
        if self.token and hmac.compare_digest(key.encode("utf-8", "replace"),
                                              self.token.encode("utf-8")):
            return StaffUser(SERVER_KEY, role="admin")
        member = await asyncio.get_running_loop().run_in_executor(
            None, self.store().check_key, key)
        if member is None:
            self.audit("key refused", f"from {handler.request.remote_ip}", "?")
            return None
        return StaffUser(member.name, role=member.role)

    def user_to_cookie(self, user) -> str:
        return json.dumps({"username": user.username})

    def user_from_cookie(self, cookie_value: str):
        name = json.loads(cookie_value)["username"]
        if name == SERVER_KEY:
            return StaffUser(SERVER_KEY, role="admin")
        # Each request re-reads the member (a revoked key, a changed role), at most every
        # few seconds: a page's many requests do not each query the store.
        cache: dict[str, tuple[float, str | None]] = self.__dict__.setdefault("_seen", {})
        now = time.monotonic()
        seen = cache.get(name)
        if seen is None or now - seen[0] > RECHECK_SECONDS:
            member = self.store().staff_member(name)
            seen = (now, member.role if member is not None and member.active else None)
            cache[name] = seen
        if seen[1] is None:  # revoked since the cookie was given
            return None
        return StaffUser(name, role=seen[1])


def role_of(user) -> str | None:
    """The role of the request's user: admin, viewer, or None (not a staff user)."""
    return getattr(user, "role", None)
