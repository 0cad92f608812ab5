"""Stylesheets as package data: ``static/base.css`` holds the design tokens, and each app ships
its own scoped sheet next to its code. Read once per process."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

__all__ = ["css", "style_tag"]


@cache
def _read(package: str, name: str) -> str:
    return files(package).joinpath(name).read_text(encoding="utf-8")


def css(package: str, name: str = "style.css") -> str:
    """The base sheet followed by ``package``'s ``name``, as CSS text."""
    return _read("focuskit.ui", "static/base.css") + _read(package, name)


def style_tag(package: str, name: str = "style.css") -> str:
    """``css(package, name)`` in a ``<style>`` element, for an ipywidgets HTML block."""
    return f"<style>\n{css(package, name)}</style>\n"
