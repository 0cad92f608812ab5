"""Results carry the instrument they were computed for (``attrs["instrument"]``), so a plot
or a page labels them from the campaign's own instrument rather than guessing from item ids.

``Store.responses`` puts the campaign's instrument object in a frame's attrs; the analysis
functions that read an instrument pass it on to their result with ``carries_instrument``.
"""

from __future__ import annotations

import functools

import pandas as pd

__all__ = ["carries_instrument"]


def carries_instrument(fn):
    """Give ``fn``'s DataFrame result the instrument it was asked about: ``instrument=`` when
    given, else the one its data carries."""

    @functools.wraps(fn)
    def carrying(*args, **kw):
        out = fn(*args, **kw)
        data = args[0] if args else kw.get("data")
        inst = kw.get("instrument")
        if inst is None and isinstance(data, pd.DataFrame):
            inst = data.attrs.get("instrument")
        if inst is not None and isinstance(out, pd.DataFrame):
            out.attrs.setdefault("instrument", inst)
        return out

    return carrying
