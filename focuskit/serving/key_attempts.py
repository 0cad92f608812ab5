"""Wrong staff keys: slowed per client address, and logged (never the key itself).

Each wrong key from an address makes that address wait longer before its next key is even
checked: 0.5 s after the first, then twice as long each time, up to ``cap`` seconds. Attempts
in parallel queue behind one another, so 300 keys cost minutes, not a second. An address that
brings no wrong key for ``forget`` seconds starts afresh; a right key resets it too.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

__all__ = ["KeyAttempts"]


@dataclass
class _Address:
    failures: int = 0
    next_check: float = 0.0  # monotonic time before which no key from there is checked
    last: float = 0.0


class KeyAttempts:
    def __init__(self, base: float = 0.5, cap: float = 30.0, forget: float = 900.0):
        self.base, self.cap, self.forget = base, cap, forget
        self.addresses: dict[str, _Address] = {}

    async def wait_turn(self, address: str) -> None:
        """Wait until a key from ``address`` may be checked; reserve that moment."""
        now = time.monotonic()
        entry = self.addresses.get(address)
        if entry is None or not entry.failures:
            return
        if now - entry.last > self.forget:
            del self.addresses[address]
            return
        start = max(now, entry.next_check)
        entry.next_check = start + self.delay(entry.failures)  # the next attempt queues behind
        if start > now:
            await asyncio.sleep(start - now)

    def delay(self, failures: int) -> float:
        return min(self.cap, self.base * 2 ** max(0, failures - 1)) if failures else 0.0

    def failed(self, address: str) -> tuple[int, float]:
        """Count a wrong key; (failures so far, seconds the next key will wait)."""
        now = time.monotonic()
        entry = self.addresses.setdefault(address, _Address())
        entry.failures += 1
        entry.last = now
        wait = self.delay(entry.failures)
        entry.next_check = max(entry.next_check, now + wait)
        if len(self.addresses) > 10_000:  # many addresses: keep the ones seen lately
            for old in sorted(self.addresses, key=lambda a: self.addresses[a].last)[:1000]:
                del self.addresses[old]
        return entry.failures, wait

    def succeeded(self, address: str) -> None:
        self.addresses.pop(address, None)
