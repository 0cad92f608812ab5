"""Who opened a staff page, and what their role lets them see.

``focuskit serve`` tells each page's kernel its visitor's role and name in two environment
variables that the server sets after checking the key (``focuskit.serving.staff_identity``);
a visitor cannot set them, and the key itself never reaches the kernel. Outside Voila (a
notebook in JupyterLab, a script) whoever runs the code already holds the store, so they act
as a local admin.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from ..config import NAME_ENV, ROLE_ENV

__all__ = ["ADMIN", "NAME_ENV", "PAGES", "ROLE_ENV", "VIEWER", "Staff", "for_admins_html",
           "pages_for", "staff"]

VIEWER, ADMIN = "viewer", "admin"

#: The staff pages, and who may open each (the staff door enforces the same list).
PAGES = (
    ("results.ipynb", "Results dashboard", "Where we stand, where we disagree, what to do "
     "first; tables and the PDF report to download.", VIEWER),
    ("programme.ipynb", "Programme overview", "Every lens on one page: where we stand, what "
     "changed since the last wave, and whether the agreed actions worked.", VIEWER),
    ("workshop.ipynb", "Workshop board", "Run a live round: join code, answers arriving, "
     "reveal.", ADMIN),
    ("admin.ipynb", "Campaign administration", "Campaigns, links, imports, raw exports, "
     "erasure and the audit log.", ADMIN),
    ("analysis.ipynb", "Analyst tour", "The pandas API over raw answers.", ADMIN),
)


@dataclass(frozen=True)
class Staff:
    name: str
    role: str | None  # viewer, admin, or None: not let in (e.g. a kernel started before its visitor)

    @property
    def admin(self) -> bool:
        return self.role == ADMIN


def staff(environ=None) -> Staff:
    """The staff member this kernel serves."""
    env = os.environ if environ is None else environ
    if "VOILA_PREHEAT" not in env:  # not a page Voila prepared: a local user
        return Staff("local", ADMIN)
    role = env.get(ROLE_ENV)
    return Staff(env.get(NAME_ENV) or "?", role if role in (VIEWER, ADMIN) else None)


def pages_for(role: str | None) -> list[tuple[str, str, str]]:
    """(notebook, title, what it holds) of the pages ``role`` may open."""
    return [(nb, title, what) for nb, title, what, need in PAGES
            if role == ADMIN or (role == VIEWER and need == VIEWER)]


def for_admins_html() -> str:
    return ("<div class='fk-for-admins'><h1>For admins</h1><p>This page runs campaigns and "
            "holds raw answers, so it is open to admins only. Your key is a viewer's key: the "
            "dashboard and the report are yours.</p></div>")
