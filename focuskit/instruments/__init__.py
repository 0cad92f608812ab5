"""Item banks: versioned YAML instruments loaded into a typed, validated model."""

from .loader import (
    builtin_ids,
    load_instrument,
    parse_instrument,
    prompts_from_text,
    validate_file,
    with_items,
)
from .model import (
    RATER_GROUPS,
    Anchor,
    Facet,
    Instrument,
    Item,
    RaterGroup,
    Scale,
    Section,
    anchor_key,
    rater_group,
)

__all__ = [
    "RATER_GROUPS", "Anchor", "Facet", "Instrument", "Item", "RaterGroup", "Scale", "Section",
    "anchor_key", "builtin_ids", "load_instrument", "parse_instrument", "prompts_from_text",
    "rater_group", "validate_file", "with_items",
]
