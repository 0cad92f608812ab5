"""focuskit: find out how customer-focused an organisation really is.

Item banks (``focuskit.instruments``), a response store (``focuskit.Store``), and, loaded
only when used, analysis and plots. Importing focuskit loads neither pandas nor seaborn, so
a respondent's kernel stays small.
"""

from .errors import FocuskitError, ImportFileError, InstrumentError, StoreError
from .instruments import Instrument, builtin_ids, load_instrument, with_items

__version__ = "0.1.0"

_LAZY = {"Store", "Campaign", "Receipt"}  # SQLAlchemy loads only when the store is used


def __getattr__(name):
    if name in _LAZY:
        from . import store

        return getattr(store, name)
    raise AttributeError(f"module 'focuskit' has no attribute {name!r}")

__all__ = [
    "Campaign", "FocuskitError", "ImportFileError", "Instrument", "InstrumentError", "Receipt",
    "Store", "StoreError", "builtin_ids", "load_instrument", "with_items", "__version__",
]
