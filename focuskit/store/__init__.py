"""The response store (SQLAlchemy Core): SQLite by default, PostgreSQL by URL.

Importing this package loads neither SQLAlchemy nor pandas: names are loaded when first used,
so the respondent's kernel can use ``RespondentStore`` (plain DB-API) without SQLAlchemy.
"""

from importlib import import_module

_LAZY = {
    "ENV_URL": "engine", "default_url": ".config", "SCHEMA_VERSION": "schema",
    "STATUSES": "store", "Store": "store", "Campaign": "records", "Draft": "records",
    "Receipt": "records", "RespondentStore": "respondent", "StaffMember": "records",
    "ROLES": "store", "Programme": "records",
}


def __getattr__(name):
    if name in _LAZY:
        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'focuskit.store' has no attribute {name!r}")


__all__ = ["ENV_URL", "ROLES", "SCHEMA_VERSION", "STATUSES", "Campaign", "Draft", "Programme",
           "Receipt", "RespondentStore", "StaffMember", "Store", "default_url"]
