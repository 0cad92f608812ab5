"""The executive dashboard (``notebooks/results.ipynb``): a campaign picker, overview cards,
tabs that render their plots when first opened, segment and rater-group filters, downloads.

- ``state``: ``DashboardState``, the choices and the analysis results (no widgets);
- ``tabs``: which instrument each tab applies to, and what it draws;
- ``view``: ``Dashboard``, a thin ipywidgets view over the state;
- ``style.css``: its look, scoped to ``.fk-dash``.
"""

from __future__ import annotations

from ...store import Store
from .state import ALL, DashboardState
from .view import Dashboard

__all__ = ["ALL", "Dashboard", "DashboardState", "dashboard"]


def dashboard(url: str | None = None, campaign: str | None = None, **kw) -> Dashboard:
    """Build the dashboard over the default store (or ``url``) and return it for display."""
    return Dashboard(DashboardState(Store(url), campaign, **kw))
