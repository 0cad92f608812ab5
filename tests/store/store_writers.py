"""Many writer processes on one database, as many Voila kernels are: the helper the store's
concurrency tests and the respondent store's contract tests share.

Each writer is its own process with its own store (engine or DB-API connection). Processes
come from a forkserver that has already imported focuskit, so fifty start in seconds even on
two cores.
"""

from __future__ import annotations

import multiprocessing as mp
import threading

from conftest import full_answers

from focuskit import Store
from focuskit.store.respondent import RespondentStore

CTX = mp.get_context("forkserver")
# Ignored when a forkserver is already running in this session; then children import more.
CTX.set_forkserver_preload(["focuskit", "sqlalchemy", "conftest", "store_writers"])
WAIT = 120  # seconds; a generous bound so a wedged child fails the test instead of hanging it


def _writer(kind, url, campaign, keys, barrier, results):
    """Submit one complete answer per key, all writers starting together. ``kind`` "store"
    sends each key as the idempotency key through Store; "respondent" as the respondent's
    code through RespondentStore (what a questionnaire kernel does)."""
    try:
        store = Store(url) if kind == "store" else RespondentStore(url)
        answers = full_answers(store.campaign(campaign).instrument)
    except BaseException as e:
        barrier.abort()  # release the others rather than leave them waiting
        results.put(([], [f"setup: {type(e).__name__}: {e}"]))
        return
    receipts, errors = [], []
    try:
        barrier.wait(WAIT)
        for key in keys:
            try:
                who = {"idempotency_key": key} if kind == "store" else {"respondent": key}
                r = store.submit(campaign, answers, rater_group="team", **who)
                receipts.append((key, r.submission, r.created))
            except Exception as e:  # collected, so the parent can report every failure
                errors.append(f"{key}: {type(e).__name__}: {e}")
    except threading.BrokenBarrierError:
        errors.append("barrier broken: another writer failed to start")
    finally:
        store.close()
        results.put((receipts, errors))


def run_writers(url, campaign, key_lists, kind="store"):
    """Start one process per key list; return every receipt and every error."""
    barrier, results = CTX.Barrier(len(key_lists)), CTX.Queue()
    procs = [CTX.Process(target=_writer, args=(kind, url, campaign, keys, barrier, results))
             for keys in key_lists]
    for p in procs:
        p.start()
    receipts, errors = [], []
    try:
        for _ in procs:  # drain before join: a child blocks until its result is read
            r, e = results.get(timeout=WAIT)
            receipts += r
            errors += e
    finally:
        for p in procs:
            p.join(WAIT)
            if p.is_alive():
                p.kill()
    assert [p.exitcode for p in procs] == [0] * len(procs)
    return receipts, errors
