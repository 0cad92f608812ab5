"""Many writer processes, retried submissions and killed writers, on real databases.

Each writer is a separate process with its own Store (engine, pool, connections), as each
Voila kernel is. Processes come from a forkserver that has already imported focuskit, so
fifty of them start in seconds even on two cores.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import threading
import time

import pytest
import sqlalchemy as sa
from conftest import full_answers

from focuskit import Store
from focuskit.store.engine import make_engine

pytestmark = pytest.mark.slow

CTX = mp.get_context("forkserver")
# Ignored when a forkserver is already running in this session; then children just import more.
CTX.set_forkserver_preload(["focuskit", "sqlalchemy", "conftest", "test_concurrency"])
WAIT = 120  # seconds; a generous bound so a wedged child fails the test instead of hanging it


def _writer(url, campaign, keys, barrier, results):
    """Submit one complete focus-levels answer per key, all writers starting together."""
    try:
        store = Store(url)
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
                r = store.submit(campaign, answers, rater_group="team", idempotency_key=key)
                receipts.append((key, r.submission, r.created))
            except Exception as e:  # collected, so the parent can report every failure
                errors.append(f"{key}: {type(e).__name__}: {e}")
    except threading.BrokenBarrierError:
        errors.append("barrier broken: another writer failed to start")
    finally:
        store.close()
        results.put((receipts, errors))


def run_writers(url, campaign, key_lists):
    """Start one process per key list; return every receipt and every error."""
    barrier, results = CTX.Barrier(len(key_lists)), CTX.Queue()
    procs = [CTX.Process(target=_writer, args=(url, campaign, keys, barrier, results))
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


def table_counts(url):
    """Submissions, distinct idempotency keys and answers, read with plain SQL."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return tuple(conn.execute(sa.text(q)).scalar_one() for q in (
                "SELECT count(*) FROM submissions",
                "SELECT count(DISTINCT idempotency_key) FROM submissions",
                "SELECT count(*) FROM answers"))
    finally:
        engine.dispose()


def new_campaign(url, id="crowd"):
    with Store(url) as store:
        camp = store.create_campaign(id, "Many writers", "focus-levels")
    return camp


def check_many_writers(url, writers, each):
    camp = new_campaign(url)
    items = len(camp.instrument.items)
    total = writers * each
    keys = [[f"w{w:03d}-s{s:03d}" for s in range(each)] for w in range(writers)]

    receipts, errors = run_writers(url, camp.id, keys)
    assert errors == []
    assert len(receipts) == total and all(created for _, _, created in receipts)
    first = {key: sid for key, sid, _ in receipts}
    assert len(set(first.values())) == total  # no two keys share a submission
    assert table_counts(url) == (total, total, total * items)

    # Every client retries every submission at once: nothing new may be stored.
    receipts, errors = run_writers(url, camp.id, keys)
    assert errors == []
    assert len(receipts) == total and not any(created for _, _, created in receipts)
    assert {key: sid for key, sid, _ in receipts} == first
    assert table_counts(url) == (total, total, total * items)
    with Store(url) as store:
        assert store.counts(camp.id)["submissions"] == total
        df = store.responses(camp.id)
    assert len(df) == total * items and set(df["value"]) == {3.0}


def test_sqlite_fifty_writers_twenty_each(sqlite_url):
    check_many_writers(sqlite_url, writers=50, each=20)


@pytest.mark.postgres
def test_postgres_ten_writers_ten_each(pg_schema_url):
    check_many_writers(pg_schema_url, writers=10, each=10)


def test_same_key_from_many_processes_is_stored_once(db_url):
    # Eight clients race on the same five keys (a double click seen by eight kernels); on
    # PostgreSQL the losers hit the unique index and must come back with the winner's id.
    camp = new_campaign(db_url)
    keys = [f"same-{n}" for n in range(5)]
    receipts, errors = run_writers(db_url, camp.id, [keys] * 8)
    assert errors == []
    assert len(receipts) == 8 * len(keys)
    for key in keys:
        mine = [(sid, created) for k, sid, created in receipts if k == key]
        assert len({sid for sid, _ in mine}) == 1, key
        assert sum(created for _, created in mine) == 1, key
    assert table_counts(db_url) == (5, 5, 5 * len(camp.instrument.items))


# -- a writer killed in the middle of its transaction ------------------------------------------

def _doomed_writer(url, campaign, submissions, kill_after, pipe):
    """Write ``submissions`` in one transaction, and freeze after ``kill_after`` of them.

    The freeze happens right after the ``kill_after``-th insert into answers (one insert per
    batch of up to store.CHUNK submissions), inside the still open transaction; the parent
    is told how many submissions that transaction holds, then kills this process.
    """
    store = Store(url)
    inst = store.campaign(campaign).instrument
    seen = 0

    @sa.event.listens_for(store.engine, "after_cursor_execute")
    def freeze(conn, cursor, statement, params, context, executemany):
        nonlocal seen
        if not statement.lstrip().upper().startswith("INSERT INTO ANSWERS"):
            return
        seen += 1
        if seen == kill_after:
            # Same DBAPI connection, so this sees the transaction's own uncommitted rows.
            cur = cursor.connection.cursor()
            cur.execute("SELECT count(*) FROM submissions")
            pipe.send(cur.fetchone()[0])
            time.sleep(WAIT)

    store.submit_many(campaign, [
        dict(answers=full_answers(inst, 1 + n % 5), rater_group="team",
             idempotency_key=f"doomed-{n}") for n in range(submissions)])
    pipe.send("committed")  # never reached when the parent kills in time


def test_killed_writer_leaves_nothing_behind(db_url):
    camp = new_campaign(db_url)
    items = len(camp.instrument.items)
    mine, theirs = CTX.Pipe(duplex=False)
    proc = CTX.Process(target=_doomed_writer, args=(db_url, camp.id, 40, 1, theirs))
    proc.start()
    try:
        assert mine.poll(WAIT), "the writer never reached the answers insert"
        assert mine.recv() == 40  # 40 whole submissions sit in the open transaction
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.join(WAIT)
    assert proc.exitcode == -signal.SIGKILL

    with Store(db_url) as store:
        # Not one of the 40 is visible, and none of their keys is used up.
        assert table_counts(db_url) == (0, 0, 0)
        assert store.responses(camp.id).empty
        if store.engine.dialect.name == "sqlite":
            with store.engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA integrity_check").scalars().all() == ["ok"]
        r = store.submit(camp.id, full_answers(camp.instrument), rater_group="team",
                         idempotency_key="doomed-0")
        assert r.created
    assert table_counts(db_url) == (1, 1, items)
