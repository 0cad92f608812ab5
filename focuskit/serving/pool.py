"""The preheated pool, refilled one kernel at a time and only when no page is being prepared.

Voila refills its pool the moment a kernel is taken: in a burst of 30 visitors, 30 new kernels
start within the same seconds, each importing its libraries and running the notebook's first
cell, while the pages of the visitors wait for the same two cores. Profiled (py-spy, 30
visitors within 10 s, 30 kernels ready beforehand): three quarters of the kernels' CPU during
the burst went to starting the refills. Here a refill waits until no page has been asked for
in the last ``QUIET`` seconds (at most ``MAX_DEFER``), starts one kernel, and starts the next
only once that one waits for its visitor (its cell tagged ``waits-for-visitor``, or all its
cells run). Pages first, the pool after.

The pool's size can change while the server runs (:meth:`Refill.resize`: a workshop expecting
30 people). A refilled kernel gets no visitor's request in its environment (Voila handed the
link of the visitor who emptied the slot to the next kernel).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from jupyter_core.utils import ensure_async
from voila.execute import VoilaExecutor

from .voila_fixes import WAITS

__all__ = ["MAX_DEFER", "QUIET", "Refill", "track_cells"]

log = logging.getLogger("focuskit.serve")
QUIET = 2.0  # s without a page asked for before a refill starts
MAX_DEFER = 30.0  # s a refill waits for quiet at most (a steady stream of visitors)
READY_WITHIN = 180.0  # s a refilled kernel may take to reach its visitor's cell


def track_cells() -> None:
    """Let the executor of each page say which cell it runs (``focuskit_cell``)."""
    execute = VoilaExecutor.execute_cell
    if getattr(execute, "focuskit_tracked", False):
        return

    async def execute_cell(self, cell, resources, cell_index, store_history=True):
        self.focuskit_cell = cell
        return await execute(self, cell, resources, cell_index, store_history)

    execute_cell.focuskit_tracked = True
    VoilaExecutor.execute_cell = execute_cell


def waits_for_visitor(content: dict) -> bool:
    """Has this pool entry's kernel run all it can before its visitor comes?"""
    if content["task"].done():
        return True
    cell = getattr(getattr(content["renderer"], "executor", None), "focuskit_cell", None)
    return cell is not None and WAITS in cell.get("metadata", {}).get("tags", ())


class Refill:
    """Takes over Voila's ``fill_if_needed`` on ``km`` (a VoilaKernelManager)."""

    def __init__(self, km, last_page: Callable[[], float], pages_open: Callable[[], int]):
        self.km = km
        self.fill = km.fill_if_needed  # Voila's own: starts every missing kernel at once
        self.last_page, self.pages_open = last_page, pages_open
        config = km.kernel_pools_config
        default = config.get("default", {}).get("pool_size", 0)
        self.sizes: dict[str, int] = {nb: c.get("pool_size", default)
                                      for nb, c in config.items() if nb != "default"}
        self.wanted = asyncio.Event()
        km.fill_if_needed = self.request
        self.task: asyncio.Task | None = None

    def start(self) -> None:
        self.task = asyncio.ensure_future(self.run())
        self.wanted.set()

    def request(self, delay=None, notebook_name=None, **_ignored) -> None:
        """Voila's call after it hands out a kernel: note it; :meth:`run` refills."""
        if notebook_name is not None:
            self.sizes.setdefault(notebook_name, 0)
        self.wanted.set()

    def resize(self, notebook: str, size: int) -> None:
        """Keep ``size`` kernels ready for ``notebook`` from now on."""
        self.sizes[notebook] = max(0, size)
        self.wanted.set()
        pool = self.km._pools.get(notebook, [])
        while len(pool) > self.sizes[notebook]:  # give back the kernels nobody will need
            entry = pool.pop()
            asyncio.ensure_future(self._shut_down(entry))

    async def _shut_down(self, entry: asyncio.Task) -> None:
        try:
            content = await entry
            await ensure_async(self.km.shutdown_kernel(content["kernel_id"]))
        except Exception as e:  # it never started, or is gone already
            log.debug("pool kernel not shut down: %r", e)

    def missing(self) -> dict[str, int]:
        return {nb: size - len(self.km._pools.get(nb, ())) for nb, size in self.sizes.items()
                if size > len(self.km._pools.get(nb, ()))}

    async def run(self) -> None:
        while True:
            await self.wanted.wait()
            self.wanted.clear()
            try:
                while self.missing():
                    await self._after_pages()
                    missing = self.missing()
                    if missing:
                        await self._start_one(next(iter(missing)))
            except asyncio.CancelledError:
                raise
            except Exception:  # a kernel that fails to start must not end refilling
                log.exception("refilling the pool failed; trying again in 10 s")
                await asyncio.sleep(10)
                self.wanted.set()

    async def _after_pages(self) -> None:
        """Wait until no page is being prepared and none was asked for in QUIET s."""
        deadline = time.monotonic() + MAX_DEFER
        while time.monotonic() < deadline:
            if not self.pages_open() and time.monotonic() - self.last_page() >= QUIET:
                return
            await asyncio.sleep(0.25)

    async def _start_one(self, notebook: str) -> None:
        km = self.km
        config = km.kernel_pools_config
        pool = km._pools.setdefault(notebook, [])
        own = config.get(notebook, config.get("default", {}))
        # Voila's fill starts (pool_size - len(pool)) kernels: ask it for exactly one more.
        km.kernel_pools_config = {**config, notebook: {**own, "pool_size": len(pool) + 1}}
        try:
            self.fill(delay=0, notebook_name=notebook)
        finally:
            km.kernel_pools_config = config
        entry = pool[-1]
        deadline = time.monotonic() + READY_WITHIN
        try:
            content = await entry
            while not waits_for_visitor(content) and time.monotonic() < deadline:
                await asyncio.sleep(0.2)
        except Exception as e:
            log.warning("a preheated kernel for %s failed to start: %r", notebook, e)
            if entry in pool:
                pool.remove(entry)
            await asyncio.sleep(5)
