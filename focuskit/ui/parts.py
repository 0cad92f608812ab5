"""Small ipywidgets builders every app uses."""

from __future__ import annotations

import ipywidgets as w

__all__ = ["box", "html", "plot_box"]


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


def plot_box(ax, max_width: str = "820px") -> w.Box:
    """The Axes as a PNG image in a box that scrolls sideways when the plot is larger than the
    screen (the page itself never does); the figure is closed."""
    from ..plots.output import png

    img = w.Image(value=png(ax), format="png",
                  layout=w.Layout(width="100%", max_width=max_width, height="auto"))
    img.add_class("fk-plot")
    b = w.Box([img], layout=w.Layout(width="100%"))
    b.add_class("fk-plotbox")
    return b
