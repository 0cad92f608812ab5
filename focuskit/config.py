"""Names and defaults every layer reads: environment variables, ports, group sizes, where the
project keeps its data. Ground floor: imports nothing of focuskit, and nothing heavy (the
respondent's kernel reads it)."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = [
    "COMMENT_THRESHOLD", "DB_URL_ENV", "DEFAULT_RESPONDENT_BASE", "LOG_LEVEL_ENV", "MIN_GROUP",
    "MIN_GROUP_FLOOR", "NAME_ENV", "RATER_GROUPS", "RESPONDENT_PORT", "RESPONDENT_URL_ENV",
    "ROLE_ENV", "STAFF_TOKEN_ENV", "TOKEN_ENV", "default_url", "project_data_dir",
    "respondent_base",
]

#: The store: a SQLAlchemy URL (SQLite file or PostgreSQL).
DB_URL_ENV = "FOCUSKIT_DB_URL"
#: The respondent door's public address, for the links the staff pages hand out.
RESPONDENT_URL_ENV = "FOCUSKIT_RESPONDENT_URL"
#: The questionnaire's log level (WARNING unless set).
LOG_LEVEL_ENV = "FOCUSKIT_LOG_LEVEL"
#: The staff token an operator gives ``focuskit serve`` (else --token or --token-file).
TOKEN_ENV = "FOCUSKIT_TOKEN"
#: How serve hands the staff token to its staff Voila (not argv, which ps shows).
STAFF_TOKEN_ENV = "FOCUSKIT_STAFF_TOKEN"
#: Voila's names for the headers the staff door sets after checking a key (HTTP_ + header).
ROLE_ENV, NAME_ENV = "HTTP_X_FOCUSKIT_ROLE", "HTTP_X_FOCUSKIT_STAFF"

#: The respondent door of ``focuskit serve``; the staff door is the next port unless set.
RESPONDENT_PORT = 8866
#: Figures about fewer people are withheld: the default, and the least a campaign may set.
MIN_GROUP, MIN_GROUP_FLOOR = 5, 3
#: Comments reach staff only from groups at least this large.
COMMENT_THRESHOLD = 10
#: The ids of the rater groups, as links, stores and instruments name them. Their words
#: (label, plural, how a respondent is addressed) are ``focuskit.instruments.rater_group``.
RATER_GROUPS = ("self", "team", "customer", "partner", "internal")
#: Where respondents open the questionnaire when ``focuskit serve`` has not said otherwise.
DEFAULT_RESPONDENT_BASE = (f"http://127.0.0.1:{RESPONDENT_PORT}"
                           "/voila/render/take_assessment.ipynb")


def project_data_dir(start: Path | None = None) -> Path:
    """The ``data/`` folder of the focuskit project containing ``start`` (default: cwd).

    Notebooks run with their own folder as the working directory, so look upwards for a
    folder holding both ``data/`` and ``notebooks/``; outside a project, use ``./data``.
    """
    here = (start or Path.cwd()).resolve()
    for d in (here, *here.parents):
        if (d / "data").is_dir() and (d / "notebooks").is_dir():
            return d / "data"
    return here / "data"


def default_url() -> str:
    """``$FOCUSKIT_DB_URL`` if set, else the SQLite file ``data/focuskit.db`` of the project."""
    url = os.environ.get(DB_URL_ENV, "").strip()
    if url:
        return url
    return f"sqlite:///{project_data_dir() / 'focuskit.db'}"


def respondent_base() -> str:
    """The questionnaire's URL as respondents reach it, without a query string.

    ``focuskit serve`` exports it as ``FOCUSKIT_RESPONDENT_URL`` to the staff door's kernels
    (with the LAN address when it shares on a network), so the workshop and admin apps build
    join links and QR codes that open on a respondent's phone, not on the staff port.
    """
    base = os.environ.get(RESPONDENT_URL_ENV, "").strip()
    return base.split("?", 1)[0] if base else DEFAULT_RESPONDENT_BASE
