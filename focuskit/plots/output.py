"""Plots out of matplotlib: a figure as PNG bytes, for pages and reports."""

from __future__ import annotations

import io

import matplotlib.pyplot as plt

__all__ = ["png"]


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
