"""A pool sized for the room: as many questionnaire kernels ready as people are expected, within
the machine's memory.

Two sources say how many: ``focuskit serve --expected N``, and the workshop rounds that are open
with an expected number (``Store.set_expected``), less those of their people who have already
begun (a draft) or answered. The respondent door reads the store every ``ROOM_CHECK`` seconds
and resizes its pool (pool.Refill); the pool never goes below ``--preheat``. A kernel waiting
for its visitor takes about ``KERNEL_MB`` (measured: benchmarks/bench_burst.py, 57 MB resident,
40 MB of its own); the pool takes at most ``MEMORY_SHARE`` of the memory available when it
grows, and says so when the room asks for more.

The door writes what it has ready to a small JSON file (``$FOCUSKIT_POOL_STATUS``) that the
staff door's pages can read (config.pool_status): the workshop board's "ready for 30".
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

__all__ = ["KERNEL_MB", "MEMORY_SHARE", "ROOM_CHECK", "available_mb", "expected_in_rooms",
           "fits_in_memory", "room_note", "write_status"]

log = logging.getLogger("focuskit.serve")
KERNEL_MB = 60  # a questionnaire kernel waiting for its visitor, resident
MEMORY_SHARE = 0.8  # of the memory available that the pool may take
ROOM_CHECK = 15  # s between two looks at the open rounds' expected numbers


def available_mb() -> int | None:
    """Memory available to new processes, in MB (Linux's MemAvailable); None if unknown."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) // 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // 2**20
    except (ValueError, OSError, AttributeError):
        return None


def fits_in_memory(wanted: int, already: int = 0, free_mb: int | None = None) -> int:
    """How many of ``wanted`` ready kernels the machine can hold, ``already`` of them running."""
    free_mb = available_mb() if free_mb is None else free_mb
    if free_mb is None:
        return wanted
    more = int(free_mb * MEMORY_SHARE) // KERNEL_MB
    return max(0, min(wanted, already + more))


def room_note(wanted: int, fits: int, free_mb: int | None) -> str:
    """The sentence for the log (and serve's start-up) when memory holds fewer than wanted."""
    if fits >= wanted:
        return ""
    return (f"{wanted} people are expected, but this machine has memory for {fits} ready "
            f"questionnaires ({free_mb} MB available, about {KERNEL_MB} MB each): {fits} are "
            "kept ready, and the others start when their person arrives (a few seconds each). "
            "Free memory, or serve the room from a bigger machine.")


def expected_in_rooms(store) -> int:
    """People expected by the open rounds who have not begun yet (a draft) nor answered."""
    waiting = 0
    for campaign in store.campaigns(status="open"):
        expected = getattr(campaign, "expected", None)
        if not expected:
            continue
        counts = store.counts(campaign.id)
        waiting += max(0, expected - counts["drafts"] - counts["submissions"])
    return waiting


def write_status(path: str | None, ready: int, wanted: int, note: str = "") -> None:
    """What the door has ready, for the staff pages (written whole, then renamed)."""
    if not path:
        return
    target = Path(path)
    part = target.with_suffix(".part")
    try:
        part.write_text(json.dumps({"ready": ready, "wanted": wanted, "note": note}),
                        encoding="utf-8")
        part.replace(target)
    except OSError as e:
        log.warning("could not write the pool's status to %s: %s", path, e)


class RoomWatch:
    """On the respondent door: resize the questionnaire's pool to the rooms expected, within
    memory, and write what is ready for the staff pages."""

    def __init__(self, refill, notebook: str, db_url: str | None, status_path: str | None,
                 watch_store: bool = True):
        self.refill, self.notebook = refill, notebook
        self.floor = refill.sizes.get(notebook, 0)  # --preheat, or --expected within memory
        self.db_url, self.status_path, self.watch_store = db_url, status_path, watch_store
        self.store = None
        self.wanted, self.note, self.last_check = self.floor, "", float("-inf")

    def ready(self) -> int:
        from .pool import waits_for_visitor

        return sum(1 for entry in self.refill.km._pools.get(self.notebook, ())
                   if entry.done() and not entry.cancelled() and entry.exception() is None
                   and waits_for_visitor(entry.result()))

    def _rooms(self) -> int:
        if self.store is None:
            from ..store import Store

            self.store = Store(self.db_url)
        return expected_in_rooms(self.store)

    async def tick(self) -> None:
        import asyncio
        import time

        now = time.monotonic()
        if self.watch_store and now - self.last_check >= ROOM_CHECK:
            self.last_check = now
            try:
                rooms = await asyncio.get_running_loop().run_in_executor(None, self._rooms)
            except Exception as e:  # the store is away for a moment: keep the pool as it is
                log.warning("could not read the rounds' expected numbers: %r", e)
                rooms = None
            if rooms is not None:
                wanted = max(self.floor, rooms)
                have = len(self.refill.km._pools.get(self.notebook, ()))
                free = available_mb()
                size = fits_in_memory(wanted, already=have, free_mb=free)
                note = room_note(wanted, size, free)
                if note and note != self.note:
                    log.warning("%s", note)
                if size != self.refill.sizes.get(self.notebook):
                    log.info("questionnaire pool: %d kernels ready for %d expected", size, wanted)
                    self.refill.resize(self.notebook, size)
                self.wanted, self.note = wanted, note
        write_status(self.status_path, self.ready(), self.wanted, self.note)
