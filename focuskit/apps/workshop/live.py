"""The board's live count: ``Store.counts`` read every few seconds in a background thread.

A thread, not an asyncio task on the kernel's loop: the store's calls block, and on the loop
they would hold up the trainer's clicks while a busy database answers. Widget updates from a
thread reach the page in Voila. The thread is a daemon (a kernel that ends never waits for
it), stops at interpreter exit and when ``stop()`` is called (another round is picked), and a
failed read is reported through ``on_error`` and retried, never swallowed.
"""

from __future__ import annotations

import atexit
import logging
import threading

__all__ = ["LiveCount", "say_error"]

log = logging.getLogger("focuskit.workshop")


def say_error(e: BaseException) -> str:
    # SQLAlchemy appends the statement and a help link; the first part is the useful one.
    text = " ".join(str(e).split()).split(" [SQL:")[0].split(" (Background on")[0]
    return f"{type(e).__name__}: {text[:300]}" if text else type(e).__name__


class LiveCount:
    """Call ``read()`` every ``interval`` seconds in a thread; hand every result to
    ``on_count`` (the view shows when it last looked, so an unchanged count is news too), and
    a readable message to ``on_error`` when reading fails."""

    def __init__(self, read, on_count, on_error, interval: float = 2.0):
        self.read, self.on_count, self.on_error = read, on_count, on_error
        self.interval = interval
        self.reads = 0
        self.failures = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self.running:
            return
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(self._stop,),
                                        name="focuskit-live-count", daemon=True)
        self._thread.start()
        atexit.register(self.stop)

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
        atexit.unregister(self.stop)

    def _run(self, stop: threading.Event) -> None:
        failing = False
        while not stop.is_set():
            try:
                got = self.read()
                self.reads += 1
            except Exception as e:  # noqa: BLE001 - any failure is shown, then retried
                self.failures += 1
                failing = True
                self._tell(self.on_error, say_error(e))
                got = None
            if got is not None:
                failing = not self._tell(self.on_count, got)
            # Back off while the database is failing, up to 10 s, so a log is not flooded.
            stop.wait(self.interval if not failing else min(10.0, self.interval * 2))

    def _tell(self, callback, value) -> bool:
        try:
            callback(value)
            return True
        except Exception as e:  # noqa: BLE001 - a broken view must not end the thread
            log.exception("the live count could not update the board")
            if callback is not self.on_error:
                self._tell(self.on_error, f"the board could not show the count: {say_error(e)}")
            return False
