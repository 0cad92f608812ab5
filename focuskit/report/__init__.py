"""The executive report of a campaign, as a multi-page PDF or one HTML page.

A summary page (organisation, campaign, instrument, respondents per group, the headline
findings), one page per analysis the campaign's instrument calls for, each with its plot and
the three things to read from it, written from the numbers, then next steps and the action
register. Figures withheld for anonymity stay withheld ("n < k").

>>> from focuskit.report import pdf_bytes
>>> pdf_bytes(store, "demo-focus-levels")[:4]
b'%PDF'
"""

from __future__ import annotations

from pathlib import Path

from .content import Report, Section, build

__all__ = ["Report", "Section", "build", "html_text", "pdf_bytes", "write_report"]

FORMATS = ("pdf", "html")


def pdf_bytes(store, campaign_id: str) -> bytes:
    """The report of ``campaign_id`` as PDF bytes (A4 portrait); StoreError if unknown."""
    from .render import pdf_from

    return pdf_from(build(store, campaign_id))


def html_text(store, campaign_id: str) -> str:
    """The report as one self-contained HTML page (plots embedded as PNG data URIs)."""
    from .render import html_from

    return html_from(build(store, campaign_id))


def write_report(store, campaign_id: str, out, format: str | None = None) -> Path:
    """Write the report to ``out``; ``format`` "pdf" or "html", default from the suffix
    (``.html``/``.htm`` give HTML, anything else PDF). Returns the path written."""
    path = Path(out)
    fmt = format or ("html" if path.suffix.lower() in (".html", ".htm") else "pdf")
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if fmt == "pdf":
        data = pdf_bytes(store, campaign_id)
        path.write_bytes(data)
    else:
        path.write_text(html_text(store, campaign_id), encoding="utf-8")
    return path
