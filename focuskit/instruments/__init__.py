"""Item banks: versioned YAML instruments loaded into a typed, validated model."""

from .loader import (
    builtin_ids,
    load_instrument,
    parse_instrument,
    prompts_from_text,
    validate_file,
    with_items,
)
from .model import RATER_GROUPS, Anchor, Facet, Instrument, Item, Scale, Section, anchor_key

__all__ = [
    "RATER_GROUPS", "Anchor", "Facet", "Instrument", "Item", "Scale", "Section", "anchor_key",
    "builtin_ids", "load_instrument", "parse_instrument", "prompts_from_text", "validate_file",
    "with_items",
]
