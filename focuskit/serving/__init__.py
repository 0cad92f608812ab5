"""``focuskit serve``: two Voila servers, one door for respondents and one for staff.

- The respondent door (``--port``, default 8866) serves the questionnaire and nothing else,
  to anyone with a link: its Voila's root is a folder holding a copy of take_assessment.ipynb
  alone, and voila_main drops every other route.
- The staff door (``--staff-port``, default port + 1) serves the notebooks folder (landing
  page, dashboards, workshop, admin) to whoever brings the token.

Both get the project's settings: preheated kernels, a cap on kernels, idle culling, a time
limit per cell, sources stripped, no tracebacks. They start and stop together.

Against visitors who do not play along (see voila_main): a page that does not connect to its
kernel within ``--connect-within`` loses it; one client address holds at most
``--per-client-kernels`` kernels of pages that never connected (the address a
``--trusted-proxy`` forwards, else the peer's); a questionnaire silent for ``--idle-close`` is
closed; respondent kernels run under a memory cap (``--kernel-memory``, kernel_launcher). The
staff key comes from $FOCUSKIT_TOKEN or ``--token-file``, never from a command line.

Where each part lives: ``options`` (ServeOptions, their checks; defaults in config.SERVE),
``doors`` (each door's notebooks and Voila command line), ``page_template``, ``addresses``,
``launch`` (serve: start, announce, stop), ``voila_main`` (the Voila each door runs, with
``pool`` and ``room`` for the preheated kernels, ``template_cache``, ``voila_fixes``,
``clients``, ``socket_guard``, ``key_attempts``, ``staff_identity``, ``request_log``),
``kernel_launcher`` and ``kernel_query`` (inside a respondent's kernel).
"""

from __future__ import annotations

from .doors import voila_command
from .launch import serve
from .options import ServeOptions
from .page_template import write_template

__all__ = ["ServeOptions", "serve", "voila_command", "write_template"]
