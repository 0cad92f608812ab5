"""Downloads on a page without a server round trip: the file's bytes travel in a data: link."""

from __future__ import annotations

import base64
import importlib
from html import escape

__all__ = ["MIME", "data_link", "pdf_maker"]

MIME = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument."
        "spreadsheetml.sheet", "pdf": "application/pdf"}


def data_link(data: bytes, name: str, mime: str, text: str) -> str:
    """An ``<a download>`` holding ``data``, saved as ``name``."""
    b64 = base64.b64encode(data).decode("ascii")
    return (f'<a class="fk-dl" download="{escape(name)}" href="data:{mime};base64,{b64}">'
            f"{escape(text)}</a>")


def pdf_maker():
    """``focuskit.report.pdf_bytes`` when the report package offers it, else None.

    Looked up by name: the report sits above the apps, so no app imports it directly."""
    try:
        mod = importlib.import_module("focuskit.report")
    except ImportError:
        return None
    return getattr(mod, "pdf_bytes", None)
