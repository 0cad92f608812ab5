"""Reading YAML that a person uploaded or wrote: refused in well under a second when hostile.

Every YAML file focuskit reads (instrument files, import mappings) goes through ``load_yaml``.
It differs from ``yaml.safe_load`` in these ways, each because of a file seen in the wild:

* anchors and aliases (``&a`` / ``*a``) are refused: a few hundred bytes of nested aliases
  (a "billion laughs") expand to gigabytes when the result is walked or written as JSON;
* nesting deeper than ``MAX_DEPTH`` is refused before PyYAML's recursive composer can
  raise RecursionError (``[[[[...`` twenty thousand deep);
* text longer than ``MAX_CHARS``, or of more than ``MAX_NODES`` values, is refused: a real
  instrument is a few kilobytes, and a 400 KB list took 7.6 s through PyYAML's pure-Python
  parser. libyaml parses when it is installed (it is with conda's and PyPI's PyYAML), and
  we compose in Python so that each rule above is checked node by node;
* plain scalars follow the YAML 1.2 core schema: only ``true``/``false`` are booleans and
  dates stay text, so a segment ``NO``, a label ``Yes`` or a time ``12:30`` are read as text
  (YAML 1.1 made them False, True and 750), and ``0755`` is 755, not octal. A key given
  twice in a mapping is refused, since the last one silently won.
"""

from __future__ import annotations

import math
import re

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError
from yaml.events import AliasEvent, CollectionStartEvent
from yaml.resolver import BaseResolver

from .errors import FocuskitError

__all__ = ["MAX_CHARS", "MAX_DEPTH", "MAX_NODES", "load_yaml"]

MAX_CHARS = 512 * 1024
MAX_DEPTH = 50
MAX_NODES = 50_000


class _CoreResolver(BaseResolver):
    """YAML 1.2 core schema for plain scalars: null, true/false, decimal numbers, else text."""


for _tag, _pattern, _first in (
        ("bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
        ("int", r"^[-+]?[0-9]+$", "-+0123456789"),
        ("float", r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
                  r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$", "-+0123456789."),
        ("null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""])):
    _CoreResolver.add_implicit_resolver(f"tag:yaml.org,2002:{_tag}", re.compile(_pattern),
                                        list(_first))


class _Constructor(yaml.constructor.SafeConstructor):
    def construct_yaml_int(self, node):
        value = self.construct_scalar(node)
        try:
            return int(value, 10)  # "0755" is 755, not YAML 1.1's octal 493
        except ValueError:
            raise ConstructorError(None, None, f"{value[:40]!r} is not a whole number",
                                   node.start_mark) from None

    def construct_yaml_float(self, node):
        value = self.construct_scalar(node).lower()
        if value.lstrip("+-") == ".inf":
            return -math.inf if value.startswith("-") else math.inf
        if value == ".nan":
            return math.nan
        try:
            return float(value)
        except ValueError:
            raise ConstructorError(None, None, f"{value[:40]!r} is not a number",
                                   node.start_mark) from None

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                key = (key_node.tag, key_node.value)
                if key in seen:
                    raise ConstructorError(None, None, f"the key {key_node.value[:60]!r} is "
                                           "given twice in the same mapping",
                                           key_node.start_mark)
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


_Constructor.add_constructor("tag:yaml.org,2002:int", _Constructor.construct_yaml_int)
_Constructor.add_constructor("tag:yaml.org,2002:float", _Constructor.construct_yaml_float)


def _loader_bases():
    try:  # libyaml scans and parses about twenty times faster than pure Python
        from yaml.cyaml import CParser

        return (yaml.composer.Composer, CParser)
    except ImportError:
        return (yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser,
                yaml.composer.Composer)


class _Loader(*_loader_bases(), _Constructor, _CoreResolver):
    """PyYAML's Python composer (which we can watch node by node) over the fastest parser."""

    def __init__(self, stream):
        if isinstance(self, yaml.reader.Reader):
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
        else:
            _loader_bases()[1].__init__(self, stream)
        yaml.composer.Composer.__init__(self)
        _Constructor.__init__(self)
        _CoreResolver.__init__(self)
        self.depth = 0
        self.nodes = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, AliasEvent) or getattr(event, "anchor", None) is not None:
            raise ComposerError(None, None, "anchors and aliases (& and *) are not allowed; "
                                "write each value out in full", event.start_mark)
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise ComposerError(None, None, f"holds more than {MAX_NODES} values",
                                event.start_mark)
        if isinstance(event, CollectionStartEvent):
            if self.depth >= MAX_DEPTH:
                raise ComposerError(None, None, f"nested more than {MAX_DEPTH} levels deep",
                                    event.start_mark)
            self.depth += 1
            try:
                return yaml.composer.Composer.compose_node(self, parent, index)
            finally:
                self.depth -= 1
        return yaml.composer.Composer.compose_node(self, parent, index)


class _TextLoader(_Loader):
    """Every plain scalar is text: ``NO``, ``true``, ``007`` and ``4`` stay as written."""

    yaml_implicit_resolvers: dict = {}


def load_yaml(text: str, *, as_text: bool = False):
    """The data in one YAML document, or FocuskitError with one problem naming line and column.

    The problem reads like ``line 3, column 7: not valid YAML (anchors and aliases ...)``.
    With ``as_text`` every scalar is a string (an empty one for a blank value): import
    mappings read column names, answer labels and codes as the file shows them.
    """
    if not isinstance(text, str):
        raise FocuskitError("expected YAML text", ["expected YAML text"])
    if len(text) > MAX_CHARS:
        why = f"is {len(text)} characters long; at most {MAX_CHARS} are read"
        raise FocuskitError(why, [why])
    loader = None
    try:
        loader = (_TextLoader if as_text else _Loader)(text)
        return loader.get_single_data()
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        why = f"{where}not valid YAML ({problem})"
    except UnicodeError:
        why = "not valid YAML (holds a character that is not Unicode text, e.g. a lone surrogate)"
    except (ValueError, RecursionError) as e:  # e.g. an integer of more than 4300 digits
        why = f"not valid YAML ({str(e)[:200]})"
    finally:
        if loader is not None:
            loader.dispose()
    raise FocuskitError(why, [why])
