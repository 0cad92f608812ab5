"""A respondent's kernel with a memory cap: ``python .../focuskit/serving/kernel_launcher.py
MEGABYTES -f CONNECTION_FILE``.

Sets RLIMIT_AS (address space) and then becomes ipykernel in the same process (exec, so the
kernel manager's signals reach the kernel itself). A kernel that asks for more gets a
MemoryError in the cell or comm handler that asked, instead of taking the machine's memory
from everyone else. ``focuskit serve`` points the respondent door's python3 kernel spec here
(``--kernel-memory``).
"""

from __future__ import annotations

import os
import resource
import sys
from pathlib import Path

__all__ = ["kernel_spec", "main"]


def kernel_spec(megabytes: int) -> dict:
    """A kernel.json for python3 whose kernels get at most ``megabytes`` of address space."""
    # Run as a file, not as ``-m focuskit.serving.kernel_launcher``: a module would import the
    # focuskit and focuskit.serving packages first, in every kernel a burst starts, only to
    # exec ipykernel a moment later. This file needs the standard library alone.
    return {"argv": [sys.executable, str(Path(__file__).resolve()), str(megabytes),
                     "-f", "{connection_file}"],
            "display_name": "Python 3", "language": "python",
            "metadata": {"debugger": False}}


def main(argv: list[str]) -> None:
    megabytes, rest = int(argv[0]), argv[1:]
    if megabytes > 0:
        limit = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    # Fewer malloc arenas: each thread's arena reserves 64 MB of address space it never uses.
    os.environ.setdefault("MALLOC_ARENA_MAX", "2")
    os.execv(sys.executable, [sys.executable, "-m", "ipykernel_launcher", *rest])


if __name__ == "__main__":
    main(sys.argv[1:])
