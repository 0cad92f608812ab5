"""Compile Voila's page templates once per server, not once per page.

Voila builds a new nbconvert exporter, and with it a new Jinja environment, for every page it
prepares (a preheated kernel or a visitor's cold one); each environment parses and compiles
``index.html.j2``, ``base.html.j2`` and the rest again. Profiled during a burst of 30 pages
(py-spy, benchmarks/bench_burst.py --profile): two thirds of the respondent door's CPU went to
that compilation. A Jinja bytecode cache shared by every environment of the process keeps the
compiled code; Jinja keys it by template name and checks it against the source's checksum, so
an edited template is compiled again.
"""

from __future__ import annotations

from jinja2 import BytecodeCache
from voila.exporter import VoilaExporter

__all__ = ["SharedBytecode", "share_compiled_templates"]


class SharedBytecode(BytecodeCache):
    """Compiled templates in memory, kept apart for async and plain environments (Jinja
    compiles the two differently)."""

    def __init__(self):
        self.code: dict[tuple[bool, str], bytes] = {}

    def load_bytecode(self, bucket) -> None:
        data = self.code.get((bucket.environment.is_async, bucket.key))
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket) -> None:
        self.code[(bucket.environment.is_async, bucket.key)] = bucket.bytecode_to_string()

    def clear(self) -> None:
        self.code.clear()


SHARED = SharedBytecode()


def share_compiled_templates() -> None:
    """Give every environment Voila's exporters create the one bytecode cache."""
    create = VoilaExporter._create_environment
    if getattr(create, "focuskit_shared", False):
        return

    def create_environment(self):
        environment = create(self)
        environment.bytecode_cache = SHARED
        return environment

    create_environment.focuskit_shared = True
    VoilaExporter._create_environment = create_environment
