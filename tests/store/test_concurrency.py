"""Many writer processes, retried submissions and killed writers, on real databases.

Each writer is a separate process with its own Store (engine, pool, connections), as each
Voila kernel is (``store_writers``, shared with the respondent store's tests).
"""

from __future__ import annotations

import os
import signal
import time

import pytest
import sqlalchemy as sa
from conftest import full_answers
from store_writers import CTX, WAIT, run_writers

from focuskit import Store
from focuskit.store.engine import make_engine

pytestmark = pytest.mark.slow

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
