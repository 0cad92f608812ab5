"""The admins' page (``notebooks/admin.ipynb``).

- ``state``: ``AdminState``, the work on plain values and bytes (no widgets), with
  ``programmes`` (programmes and waves) as its part;
- ``view``: ``Admin``, a thin ipywidgets view, with ``new_campaign``, ``programme_card``,
  ``wave_dialog`` and ``records`` as its parts;
- ``parts``: labelled fields, rows, sections and messages built from focuskit's errors;
- ``style.css``: its look, scoped to ``.fk-admin``.
"""

from __future__ import annotations

from ...store import Store
from ..roles import for_admins_html, staff
from .state import MAX_IMPORT_BYTES, AdminState, prompts_from_text, slug
from .view import Admin

__all__ = ["MAX_IMPORT_BYTES", "Admin", "AdminState", "admin", "prompts_from_text", "slug"]


def admin(url: str | None = None, **kw):
    """Build the admins' page over the default store (or ``url``) and return it for display;
    for anyone but an admin, a plain "for admins" page that opens nothing of the store."""
    import ipywidgets as w

    who = staff()
    if not who.admin:
        return w.HTML(for_admins_html())
    return Admin(AdminState(Store(url), actor=kw.pop("actor", None) or who.name, **kw))
