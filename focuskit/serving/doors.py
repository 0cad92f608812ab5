"""The two doors' Voila: the notebooks each serves and the command line that starts it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..config import SERVE, STAFF_TOKEN_ENV

__all__ = ["CELL_ERROR", "DASHBOARD", "IOPUB_WAIT", "LANDING", "NOTEBOOKS", "PROGRAMME",
           "RENDER", "RESPONDENT_NOTEBOOK", "TOKEN_ENV", "voila_command"]

RESPONDENT_NOTEBOOK = "take_assessment.ipynb"  # the only notebook of the respondent door
TOKEN_ENV = STAFF_TOKEN_ENV  # how the staff token reaches its Voila (not argv: ps shows it)
LANDING = "index.ipynb"
DASHBOARD = "results.ipynb"  # preheated on the staff door: its first plot comes much sooner
PROGRAMME = "programme.ipynb"  # preheated too: its summary is ready before its visitor comes
RENDER = "/voila/render/"
#: The notebooks focuskit serves, shipped inside the package (the repository's notebooks/ is a
#: link to this folder), so that ``focuskit serve`` works from any folder after pip install.
NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
IOPUB_WAIT = 60  # s a cell's outputs may lag its reply under load (see voila_command)

# What a visitor reads when a cell fails or runs out of time (Voila's default tells them to
# restart Voila with --show_tracebacks=True).
CELL_ERROR = ("This page could not be prepared. Please reload it in a minute; if it fails "
              "again, tell the person who sent you the link.")


def voila_command(root: Path, port: int, host: str, *, door: str, max_kernels: int = 0,
                  pools: dict[str, int] | None = None, cull_idle: int = 0,
                  cell_timeout: int = 0, pool_max_age: int = 0,
                  connect_within: int = SERVE.connect_within,
                  per_client_kernels: int = SERVE.per_client_kernels,
                  idle_close: int = SERVE.idle_close,
                  trusted_proxy: tuple[str, ...] = (), secure_cookies: bool = False,
                  pool_status: Path | None = None) -> list[str]:
    """The command line of one door's Voila (also used by benchmarks/bench_roundtrip.py)."""
    cmd = [sys.executable, "-m", "focuskit.serving.voila_main", str(root), f"--port={port}",
           f"--Voila.ip={host}", "--Voila.port_retries=0", "--no-browser",
           "--strip_sources=True", "--show_tracebacks=False", "--template=focuskit",
           # Not ?template=lab from a visitor: back would come the CDN fonts and the token in
           # the address bar, and away the idle notice.
           "--VoilaConfiguration.allow_template_override=NO",
           f"--FocuskitVoila.door={door}", f"--FocuskitVoila.max_kernels={max_kernels}",
           f"--FocuskitVoila.connect_within={connect_within}",
           f"--FocuskitVoila.per_client_kernels={per_client_kernels}",
           f"--FocuskitVoila.idle_close={idle_close}",
           *(f"--FocuskitVoila.trusted_proxies={p.strip()}" for p in trusted_proxy),
           f"--FocuskitVoila.secure_cookies={secure_cookies}",
           f"--VoilaExecutor.cell_error_instruction={CELL_ERROR}",
           # A cell's outputs reach Voila after its reply. nbclient waits 4 s for them and
           # then drops them silently: with 30 kernels starting on two cores, 12 of 30
           # questionnaires came out blank (benchmarks/bench_burst.py). Wait longer, and if
           # they still do not come, show the visitor the error's instruction, not a blank page.
           f"--VoilaExecutor.iopub_timeout={IOPUB_WAIT}",
           "--VoilaExecutor.raise_on_iopub_timeout=True",
           # Kernels on Unix sockets in Voila's private folder, not on TCP ports: a kernel
           # picks five free ports and binds them a moment later, and on a busy machine
           # another process took one in between; the kernel died and its visitor's page
           # waited for ever (1 of 30 in a burst, bench_burst.py). Nor can another user of
           # the machine connect to a kernel's port.
           "--KernelManager.transport=ipc"]
    if cull_idle:
        # Only kernels without a page connected: someone reading a long question keeps theirs;
        # a closed tab (or a page that never connected) frees its kernel after cull_idle.
        cmd += [f"--MappingKernelManager.cull_idle_timeout={cull_idle}",
                f"--MappingKernelManager.cull_interval={max(1, min(60, cull_idle // 4))}",
                "--MappingKernelManager.cull_connected=False"]
    if cell_timeout:
        # Interrupt the kernel too: without it the runaway cell keeps the kernel busy (and a
        # busy kernel is never culled) after the page has given up.
        cmd += [f"--VoilaExecutor.timeout={cell_timeout}",
                "--VoilaExecutor.interrupt_on_timeout=True"]
    pools = {nb: n for nb, n in (pools or {}).items() if n and (root / nb).exists()}
    if pools:
        config = {"default": {"pool_size": 0}} | {nb: {"pool_size": n} for nb, n in pools.items()}
        cmd += ["--preheat_kernel=True",
                f"--VoilaKernelManager.kernel_pools_config={json.dumps(config)}",
                f"--FocuskitVoila.pool_max_age={pool_max_age}"]
    if pool_status is not None:
        cmd.append(f"--FocuskitVoila.pool_status={pool_status}")
    return cmd
