"""Plots out of matplotlib: a figure as PNG bytes, for pages and reports."""

from __future__ import annotations

import io

import matplotlib.pyplot as plt

__all__ = ["describe", "png"]


def png(ax, dpi: int = 100) -> bytes:
    """The Axes' figure as PNG bytes; the figure is closed.

    At the plots' own 100 dpi a figure is 750-1050 px wide, about the 820 px a page shows it
    at, and saving reuses the renderer the plot measured its text with when it laid itself
    out; 110 dpi drew a fifth more pixels and measured every string again. No timestamp or
    software tag is written, so the same plot gives the same bytes."""
    fig = ax.figure
    buf = io.BytesIO()
    try:
        # The plots lay themselves out (focuskit.plots fits every figure), so a plain save
        # draws once where bbox_inches="tight" would draw twice.
        fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    finally:
        plt.close(fig)
    return buf.getvalue()


def _texts(items) -> list[str]:
    return [t for t in (" ".join(i.get_text().split()) for i in items) if t]


def describe(ax) -> str:
    """A plain sentence saying what the Axes show, for a picture's alt text: its title, what
    each axis measures, the categories it lists and the series its legend names. Read from the
    drawn artists, so it says what is on the picture and nothing more."""
    fig = ax.figure
    title = " ".join((ax.get_title("left") or ax.get_title() or fig.get_suptitle()).split())
    parts = [f"Chart: {title}." if title else "Chart."]
    for axis, label, ticks in (("across", ax.get_xlabel(), ax.get_xticklabels()),
                               ("down", ax.get_ylabel(), ax.get_yticklabels())):
        label = " ".join(label.split())
        if label:
            parts.append(f"{axis.capitalize()}: {label.rstrip('.')}.")
        names = [t for t in _texts(ticks) if any(c.isalpha() for c in t)]  # not the numbers
        if names:
            shown = ", ".join(names[:8]) + (f" and {len(names) - 8} more" if len(names) > 8 else "")
            kind = "row" if axis == "down" else "column"
            parts.append(f"{len(names)} {kind}{'s' if len(names) != 1 else ''}: {shown}.")
    legend = ax.get_legend() or (fig.legends[0] if fig.legends else None)
    series = _texts(legend.get_texts()) if legend is not None else []
    if series:
        parts.append(f"Key: {', '.join(series)}.")
    return " ".join(parts)
