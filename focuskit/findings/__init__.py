"""Findings: what a campaign's results say, in plain words, with the figures behind them.

Between ``analysis`` and the views: the dashboard's cards and tabs and the report's pages
all lay out these findings and word nothing themselves, so they cannot disagree.

- ``words``: the plain-word rules (agreement, difference, level reached, group names);
- ``model``: ``Finding``;
- ``results``: ``Results``, the analyses of one selection, computed once;
- ``readings``: the findings of each tab; ``steps``: next steps;
- ``campaign``: tabs per instrument, cards, headlines, freshness.
"""

from __future__ import annotations

from .campaign import SECTIONS, cards, collect, freshness, headlines, left_out, respondents, sections
from .model import Finding
from .readings import benchmark_source, discuss, priority_order, withheld, withheld_rows
from .results import Results
from .steps import next_steps
from .words import agreement_word, difference_word, group_name

__all__ = ["SECTIONS", "Finding", "Results", "agreement_word", "benchmark_source", "cards",
           "collect", "difference_word", "discuss", "freshness", "group_name", "headlines",
           "left_out",
           "next_steps", "priority_order", "respondents", "sections", "withheld",
           "withheld_rows"]
