"""Names and defaults every layer reads: environment variables, ports, group sizes, where the
project keeps its data. Ground floor: imports nothing of focuskit, and nothing heavy (the
respondent's kernel reads it)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "COMMENT_THRESHOLD", "DB_URL_ENV", "DEFAULT_RESPONDENT_BASE", "LOG_LEVEL_ENV", "MIN_GROUP",
    "MIN_GROUP_FLOOR", "NAME_ENV", "RATER_GROUPS", "RESPONDENT_PORT", "RESPONDENT_URL_ENV",
    "ROLE_ENV", "STAFF_TOKEN_ENV", "TOKEN_ENV", "default_url", "kernel_log", "project_data_dir",
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
#: A file where the respondents' door of ``focuskit serve`` says how many questionnaires it has
#: ready (read it with :func:`pool_status`).
POOL_STATUS_ENV = "FOCUSKIT_POOL_STATUS"
#: Voila's names for the headers the staff door sets after checking a key (HTTP_ + header).
ROLE_ENV, NAME_ENV = "HTTP_X_FOCUSKIT_ROLE", "HTTP_X_FOCUSKIT_STAFF"

#: The respondent door of ``focuskit serve``; the staff door is the next port unless set.
RESPONDENT_PORT = 8866


@dataclass(frozen=True)
class ServeDefaults:
    """``focuskit serve``'s defaults, declared here only: its options (serving.ServeOptions), its
    command line and its Voila read them. Times in seconds; 0 turns a limit off."""

    host: str = "127.0.0.1"  # this machine only; 0.0.0.0 shares both doors on the network
    port: int = RESPONDENT_PORT  # the respondents' door; the staff door is port + 1
    preheat: int = 2  # questionnaire kernels kept ready
    expected: int = 0  # people expected at once (0: --preheat alone)
    staff_preheat: int = 1  # results dashboards kept ready
    staff_preheat_max_age: int = 600  # a preheated dashboard is replaced after this long
    max_kernels: int = 40  # questionnaire pages open at once
    staff_max_kernels: int = 10  # staff pages open at once
    cull_idle: int = 600  # a kernel without a page is shut down after this long idle
    cell_timeout: int = 300  # longest a cell may run while a page is prepared
    connect_within: int = 30  # a page, once sent, has this long to connect to its kernel
    per_client_kernels: int = 3  # never-connected questionnaire kernels per client address
    idle_close: int = 1800  # a questionnaire page silent this long is closed (reload goes on)
    kernel_memory: int = 512  # MB of address space per questionnaire kernel


SERVE = ServeDefaults()
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


def pool_status() -> dict | None:
    """What the respondents' door has ready, as ``{"ready": 28, "wanted": 30, "note": ""}``
    (``note``: why fewer are kept ready, in words); None outside ``focuskit serve``. A staff
    page (the workshop board) shows it as "ready for 28 of 30"."""
    import json

    path = os.environ.get(POOL_STATUS_ENV)
    if not path:
        return None
    try:
        got = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return got if isinstance(got, dict) else None


def kernel_log(name: str):
    """The logger an app uses inside its kernel: to the kernel's own stderr (Voila's log),
    never into the page, at ``$FOCUSKIT_LOG_LEVEL`` (WARNING unless set)."""
    import logging
    import sys

    log = logging.getLogger(name)
    if not log.handlers:
        handler = logging.StreamHandler(sys.__stderr__)
        handler.setFormatter(logging.Formatter("[focuskit %(levelname)s %(asctime)s] %(message)s"))
        log.addHandler(handler)
        log.propagate = False
        log.setLevel(os.environ.get(LOG_LEVEL_ENV, "WARNING").upper())
    return log
