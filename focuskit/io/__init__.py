"""Answers in and out of the store: reading files and mappings, imports and exports.

``readers`` turns a CSV or Excel file (a path or bytes) and a YAML mapping into rows;
``imports`` checks and stores them; ``exports`` writes a campaign's answers back out.
"""
