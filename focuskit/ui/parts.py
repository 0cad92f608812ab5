"""Small ipywidgets builders every app uses."""

from __future__ import annotations

from html import escape

import ipywidgets as w

__all__ = ["box", "html", "plot_box", "plot_html", "tab_title", "update_plot"]


def html(value: str = "", cls: str | None = None, **layout) -> w.HTML:
    """An HTML block with an optional CSS class and layout."""
    h = w.HTML(value, layout=w.Layout(**layout))
    if cls:
        h.add_class(cls)
    return h


def box(children, cls: str, **layout) -> w.Box:
    """Children side by side, wrapping onto new lines on a narrow screen."""
    b = w.Box(children, layout=w.Layout(flex_flow="row wrap", **layout))
    b.add_class(cls)
    return b


def plot_html(ax, alt: str | None = None) -> str:
    """The Axes as an ``<img class="fk-plot">`` with its alt text: ``alt`` (what the plot
    shows, in a sentence, e.g. a finding) followed by what is drawn (axes, rows, key); the
    figure is closed. An HTML image rather than ``ipywidgets.Image``, which has no alt text."""
    import base64

    from ..plots.output import describe, png

    text = " ".join(t for t in (alt, describe(ax)) if t)
    data = base64.b64encode(png(ax)).decode("ascii")
    return f'<img class="fk-plot" src="data:image/png;base64,{data}" alt="{escape(text)}">'


def plot_box(ax, max_width: str = "820px", alt: str | None = None) -> w.Box:
    """The Axes as a PNG image (see ``plot_html``) in a box that scrolls sideways when the
    plot is larger than the screen (the page itself never does)."""
    img = w.HTML(plot_html(ax, alt), layout=w.Layout(width="100%", max_width=max_width))
    img.add_class("fk-plotimg")
    b = w.Box([img], layout=w.Layout(width="100%"))
    b.add_class("fk-plotbox")
    return b


def update_plot(box: w.Box, ax, alt: str | None = None) -> None:
    """Draw ``ax`` into a ``plot_box`` already on screen: the browser swaps the picture."""
    box.children[0].value = plot_html(ax, alt)


def tab_title(out: w.Output, text: str) -> None:
    """Name the browser tab ``text`` (a page and its campaign, not the notebook's file name):
    a line of JavaScript shown in ``out``, a hidden Output widget in the page."""
    import json

    from IPython.display import Javascript, display

    literal = json.dumps(text).replace("<", "\\u003c").replace(">", "\\u003e")
    with out:
        out.clear_output()
        display(Javascript(f"document.title={literal};"))
