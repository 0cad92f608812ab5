"""Contract tests: ``RespondentStore`` (plain DB-API) behaves exactly as ``Store`` (SQLAlchemy).

Every scenario runs through both stores on the same database, a SQLite file and a PostgreSQL
schema (``db_url``), and what one writes is read back through the other.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta, timezone

import pandas as pd
import pytest
import sqlalchemy as sa
from conftest import full_answers, signed_link, signed_query
from store_writers import run_writers

from focuskit import Store, StoreError
from focuskit.apps.questionnaire.session import stored_answers
from focuskit.store import respondent, schema
from focuskit.store.engine import make_engine
from focuskit.store.respondent import RespondentStore

KINDS = ["store", "respondent"]


@pytest.fixture
def stores(db_url):
    """{"store": Store, "respondent": RespondentStore} on one database with three campaigns."""
    full = Store(db_url)
    full.create_campaign("fl", "Focus levels", "focus-levels", rater_groups=["self", "team"],
                         min_group_size=3)
    full.create_campaign("sd", "Say and do", "say-do")
    full.create_campaign("shut", "Closed", "focus-levels", status="closed")
    full.create_campaign("later", "Not open yet", "focus-levels", status="draft")
    resp = RespondentStore(db_url)
    yield {"store": full, "respondent": resp}
    resp.close()
    full.close()


def raw(url, query, **params):
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text(query), params).all()]
    finally:
        engine.dispose()


def table_counts(url):
    return tuple(raw(url, f"SELECT count(*) FROM {t}")[0][0]
                 for t in ("submissions", "answers", "drafts", "campaigns"))


def answers_with_comments(instrument):
    answers = full_answers(instrument, 2)
    first, second = instrument.items[0].id, instrument.items[1].id
    answers[first]["comment"] = "  Our leaders talk about customers, rarely with them.  "
    answers[second]["comment"] = "Ünïcode — and 'quotes'; DROP TABLE answers;"
    return answers


def test_the_schema_version_is_the_one_store_migrates_to():
    # RespondentStore cannot import schema.py (SQLAlchemy); this keeps the two in step.
    assert respondent.SCHEMA_VERSION == schema.SCHEMA_VERSION


# -- reading campaigns ----------------------------------------------------------------------------
def test_campaigns_read_identically(stores):
    for cid in ("fl", "sd", "shut", "later"):
        a, b = stores["store"].campaign(cid), stores["respondent"].campaign(cid)
        assert a == b
        assert b.created_at.tzinfo is not None and b.created_at.utcoffset() == timedelta(0)
    stores["store"].reveal("fl")
    assert stores["respondent"].campaign("fl") == stores["store"].campaign("fl")
    assert stores["respondent"].campaign("fl").revealed is True


@pytest.mark.parametrize("bad", ["nope", "x" * 300, "fl' OR '1'='1", 42])
def test_an_unknown_campaign_gives_the_same_error(stores, bad):
    errors = []
    for kind in KINDS:
        with pytest.raises(StoreError) as e:
            stores[kind].campaign(bad)
        errors.append(str(e.value))
    assert errors[0] == errors[1]
    assert "Known: fl, later, sd, shut." in errors[0]


# -- drafts ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("writer,reader", [(w, r) for w in KINDS for r in KINDS if w != r])
def test_a_draft_saved_by_one_is_read_by_the_other(stores, db_url, writer, reader):
    w, r = stores[writer], stores[reader]
    inst = w.campaign("sd").instrument
    item = inst.items[0].id
    first = w.save_draft("sd", "tok-1", {item: {"say": 4, "comment": " later "}},
                         rater_group="team", segment="Finance", page=1)
    assert first == r.draft("sd", "tok-1")
    assert first.answers == {item: {"say": 4, "comment": "later"}}
    assert first.started_at.tzinfo is not None
    # An update through the other keeps started_at and moves updated_at.
    second = r.save_draft("sd", "tok-1", {item: {"say": 4, "do": 2}}, rater_group="team",
                          segment="Finance", page=2)
    assert second == w.draft("sd", "tok-1")
    assert second.started_at == first.started_at and second.updated_at >= first.updated_at
    assert second.answers == {item: {"say": 4, "do": 2}} and second.page == 2
    assert w.draft("sd", "nobody") is None and r.draft("sd", "nobody") is None


def test_drafts_are_stored_as_the_same_values(stores, db_url):
    inst = stores["store"].campaign("sd").instrument
    given = {inst.items[1].id: {"do": 3, "say": 5, "comment": "x"}, inst.items[0].id: {"say": 1}}
    for kind in KINDS:
        stores[kind].save_draft("sd", f"tok-{kind}", given, page=3)
    rows = raw(db_url, "SELECT respondent, rater_group, segment, answers, page, started_at, "
               "updated_at FROM drafts ORDER BY respondent")
    assert [r[1:5] for r in rows[0:1]] == [r[1:5] for r in rows[1:2]]  # same JSON text
    if db_url.startswith("sqlite"):
        typed = raw(db_url, "SELECT typeof(started_at), length(started_at), typeof(updated_at), "
                    "typeof(page), typeof(answers) FROM drafts")
        assert typed[0] == typed[1] == ("text", 26, "text", "integer", "text")


# -- submissions ----------------------------------------------------------------------------------
def submit_scenario(s, campaign):
    """Four submissions covering comments, segments, tokens, and started_at in several zones."""
    inst = s.campaign(campaign).instrument
    cest = timezone(timedelta(hours=2))
    s.save_draft(campaign, "tok-a", {}, rater_group="team")
    return [
        s.submit(campaign, answers_with_comments(inst), rater_group="team", segment="Sales",
                 respondent="tok-a", started_at=datetime(2026, 3, 1, 10, 0, 0, 5, tzinfo=cest)),
        s.submit(campaign, full_answers(inst, 4), rater_group="self",
                 started_at=datetime(2026, 3, 1, 8, 30)),  # naive: kept as given
        s.submit(campaign, [(i.id, f, 1) for i in inst.items for f in i.facets],
                 rater_group="team", idempotency_key=f"import:{campaign}:1",
                 started_at=datetime(2026, 3, 1, 9, tzinfo=UTC)),
        s.submit(campaign, full_answers(inst, 5), rater_group="self", respondent="tok-b"),
    ]


@pytest.mark.parametrize("cid", ["fl", "sd"])
def test_a_submission_reads_back_identically_through_responses(db_url, cid):
    # The same scenario through each store into a campaign of its own, then compared.
    with Store(db_url) as full:
        for kind in KINDS:
            full.create_campaign(f"{cid}-{kind}", "Twin", "focus-levels" if cid == "fl"
                                 else "say-do", rater_groups=["self", "team"])
    frames, raws = {}, {}
    for kind in KINDS:
        s = Store(db_url) if kind == "store" else RespondentStore(db_url)
        with s:
            receipts = submit_scenario(s, f"{cid}-{kind}")
            assert all(r.created for r in receipts)
            assert s.draft(f"{cid}-{kind}", "tok-a") is None  # deleted with the submission
        with Store(db_url) as full:
            frames[kind] = full.responses(f"{cid}-{kind}")
            assert full.counts(f"{cid}-{kind}") == {"drafts": 0, "submissions": 4,
                                                   "groups": {"team": 2, "self": 2}}
        raws[kind] = raw(db_url, "SELECT respondent, rater_group, segment, started_at, "
                         "idempotency_key FROM submissions WHERE campaign = :c ORDER BY id",
                         c=f"{cid}-{kind}")
    a, b = frames["store"], frames["respondent"]
    assert list(a.columns) == list(b.columns) and (a.dtypes == b.dtypes).all()
    assert str(b["submitted_at"].dtype).endswith(", UTC]")
    same = ["respondent", "rater_group", "segment", "section", "item", "facet", "value",
            "comment"]
    pd.testing.assert_frame_equal(a[same], b[same])
    assert (b["submitted_at"] - a["submitted_at"]).abs().max() < pd.Timedelta(minutes=5)
    # Same started_at values; keys alike but for the campaign id in them and random uuids.
    def key(k):
        return "<uuid4 hex>" if re.fullmatch("[0-9a-f]{32}", k) else \
            k.replace("-respondent", "-X").replace("-store", "-X")

    assert [(*r[:4], key(r[4])) for r in raws["store"]] == \
        [(*r[:4], key(r[4])) for r in raws["respondent"]]
    if db_url.startswith("sqlite"):
        # SQLAlchemy writes DateTime as text "YYYY-MM-DD HH:MM:SS.ffffff" (UTC wall clock).
        typed = raw(db_url, "SELECT campaign, typeof(submitted_at), length(submitted_at), "
                    "typeof(started_at), started_at, typeof(value) FROM submissions "
                    "JOIN answers ON answers.submission = submissions.id "
                    "WHERE started_at IS NOT NULL GROUP BY campaign, started_at "
                    "ORDER BY campaign, started_at")
        by = {k: [r[1:] for r in typed if r[0].endswith(k)] for k in KINDS}
        assert by["store"] == by["respondent"]
        assert by["store"][0] == ("text", 26, "text", "2026-03-01 08:00:00.000005", "real")
    else:
        started = raw(db_url, "SELECT started_at FROM submissions WHERE campaign LIKE :c "
                      "AND started_at IS NOT NULL ORDER BY campaign, id", c=f"{cid}-%")
        assert started[:3] == started[3:]
        assert started[0][0] == datetime(2026, 3, 1, 8, 0, 0, 5, tzinfo=UTC)


@pytest.mark.parametrize("first,second", [(a, b) for a in KINDS for b in KINDS])
def test_an_idempotent_replay_through_either_stores_nothing_new(stores, db_url, first, second):
    inst = stores["store"].campaign("fl").instrument
    one = stores[first].submit("fl", full_answers(inst), rater_group="team",
                               idempotency_key="click-1")
    tok = stores[first].submit("fl", full_answers(inst), rater_group="self", respondent="tok")
    before = table_counts(db_url)
    again = stores[second].submit("fl", full_answers(inst, 1), rater_group="self",
                                  idempotency_key="click-1")
    tok_again = stores[second].submit("fl", full_answers(inst, 1), rater_group="self",
                                      respondent="tok")  # the token is the default key
    assert (again, tok_again) == (type(one)(one.submission, False),
                                  type(tok)(tok.submission, False))
    assert table_counts(db_url) == before
    assert stored_answers(stores["store"], "fl", "tok") == full_answers(inst)
    assert stores["respondent"].stored_answers("fl", "tok") == full_answers(inst)
    # A key already used in another campaign is refused alike.
    msgs = []
    for kind in KINDS:
        with pytest.raises(StoreError) as e:
            stores[kind].submit("sd", full_answers(stores[kind].campaign("sd").instrument),
                                rater_group="team", idempotency_key="click-1")
        msgs.append(str(e.value))
    assert msgs[0] == msgs[1] and "already used in campaign 'fl'" in msgs[0]
    assert table_counts(db_url) == before


def test_stored_answers_read_the_same_through_both(stores):
    inst = stores["store"].campaign("sd").instrument
    stores["respondent"].submit("sd", answers_with_comments(inst), rater_group="team",
                                respondent="tok-1")
    stores["store"].submit("sd", answers_with_comments(inst), rater_group="team",
                           respondent="tok-2")
    for tok in ("tok-1", "tok-2"):
        a = stored_answers(stores["store"], "sd", tok)
        assert a == stored_answers(stores["respondent"], "sd", tok)
        assert a[inst.items[0].id]["comment"] == "Our leaders talk about customers, rarely with them."
    assert stored_answers(stores["respondent"], "sd", "nobody") is None


# -- bad input: the same problems, nothing written -------------------------------------------------
def _fl(s):
    return full_answers(s.campaign("fl").instrument)


def _with(s, item_n, facet, value):
    answers = _fl(s)
    item = s.campaign("fl").instrument.items[item_n].id
    answers[item][facet] = value
    return answers


BAD_SUBMISSIONS = {
    "unknown item": lambda s: s.submit("fl", {**_fl(s), "no-such-item": {"level": 3}},
                                       rater_group="team"),
    "unknown facet": lambda s: s.submit("fl", _with(s, 0, "say", 3), rater_group="team"),
    "out of range": lambda s: s.submit("fl", _with(s, 0, "level", 9), rater_group="team"),
    "bool": lambda s: s.submit("fl", _with(s, 1, "level", True), rater_group="team"),
    "float": lambda s: s.submit("fl", _with(s, 2, "level", 2.5), rater_group="team"),
    "nan": lambda s: s.submit("fl", _with(s, 2, "level", float("nan")), rater_group="team"),
    "text value": lambda s: s.submit("fl", _with(s, 3, "level", "3"), rater_group="team"),
    "huge text value": lambda s: s.submit("fl", _with(s, 3, "level", "9" * 100_000),
                                          rater_group="team"),
    "huge comment": lambda s: s.submit("fl", _with(s, 0, "comment", "x" * 2001),
                                       rater_group="team"),
    "comment not text": lambda s: s.submit("fl", _with(s, 0, "comment", ["a"]),
                                           rater_group="team"),
    "missing required": lambda s: s.submit("fl", {}, rater_group="team"),
    "not a mapping": lambda s: s.submit("fl", "level=3", rater_group="team"),
    "bad records": lambda s: s.submit("fl", [("a",), 5], rater_group="team"),
    "wrong group": lambda s: s.submit("fl", _fl(s), rater_group="customer"),
    "unknown group": lambda s: s.submit("fl", _fl(s), rater_group="boss"),
    "huge segment": lambda s: s.submit("fl", _fl(s), rater_group="team", segment="s" * 101),
    "huge token": lambda s: s.submit("fl", _fl(s), rater_group="team", respondent="t" * 129),
    "unprintable token": lambda s: s.submit("fl", _fl(s), rater_group="team",
                                            respondent="a\nb"),
    "long key": lambda s: s.submit("fl", _fl(s), rater_group="team", idempotency_key="k" * 201),
    "empty key": lambda s: s.submit("fl", _fl(s), rater_group="team", idempotency_key=""),
    "key not text": lambda s: s.submit("fl", _fl(s), rater_group="team", idempotency_key=7),
    "everything at once": lambda s: s.submit(
        "fl", {**_with(s, 0, "level", 0), "zz": {"level": 1}}, rater_group="partner",
        segment="", respondent="", idempotency_key=""),
    "closed": lambda s: s.submit("shut", _fl(s), rater_group="team"),
    "not open yet": lambda s: s.submit("later", _fl(s), rater_group="team"),
    "unknown campaign": lambda s: s.submit("gone", _fl(s), rater_group="team"),
    "draft: bad page": lambda s: s.save_draft("fl", "tok", {}, page=-1),
    "draft: page bool": lambda s: s.save_draft("fl", "tok", {}, page=True),
    "draft: no token": lambda s: s.save_draft("fl", None, {}),
    "draft: wrong group": lambda s: s.save_draft("fl", "tok", {}, rater_group="customer"),
    "draft: bad value": lambda s: s.save_draft("fl", "tok", _with(s, 0, "level", 1.5)),
    "draft: unknown item": lambda s: s.save_draft("fl", "tok", {"nope": {"level": 1}}),
    "draft: closed": lambda s: s.save_draft("shut", "tok", {}),
    "draft: unknown campaign": lambda s: s.save_draft("gone", "tok", {}),
}


@pytest.mark.parametrize("case", BAD_SUBMISSIONS)
def test_bad_input_gives_the_same_problems_and_writes_nothing(stores, db_url, case):
    before = table_counts(db_url)
    got = []
    for kind in KINDS:
        with pytest.raises(StoreError) as e:
            BAD_SUBMISSIONS[case](stores[kind])
        got.append((str(e.value), e.value.problems))
        assert table_counts(db_url) == before, kind
    assert got[0] == got[1]


# -- a store it cannot use --------------------------------------------------------------------------
def test_it_never_creates_a_store_and_refuses_a_foreign_schema(tmp_path):
    missing = tmp_path / "missing" / "focuskit.db"
    with pytest.raises(StoreError, match="run `focuskit demo`"):
        RespondentStore(f"sqlite:///{missing}")
    assert not missing.parent.exists()
    empty = tmp_path / "empty.db"
    empty.touch()
    with pytest.raises(StoreError, match="no focuskit tables.*focuskit demo"):
        RespondentStore(f"sqlite:///{empty}")
    with pytest.raises(StoreError, match="not a database URL"):
        RespondentStore("focuskit.db")
    with pytest.raises(StoreError, match="unsupported database 'mysql'"):
        RespondentStore("mysql://x@localhost/db")


@pytest.mark.parametrize("version,hint", [(1, "open the store once with focuskit"),
                                          (99, "Upgrade focuskit")])
def test_a_store_at_another_schema_version_is_refused(db_url, version, hint):
    Store(db_url).close()
    engine = make_engine(db_url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE meta SET value = :v WHERE key = 'schema_version'"),
                     {"v": str(version)})
    engine.dispose()
    with pytest.raises(StoreError, match=f"schema version {version}.*{hint}"):
        RespondentStore(db_url)


@pytest.mark.postgres
def test_an_empty_postgres_schema_is_refused(pg_schema_url):
    with pytest.raises(StoreError, match="no focuskit tables"):
        RespondentStore(pg_schema_url)
    assert raw(pg_schema_url, "SELECT count(*) FROM pg_tables "
               "WHERE schemaname = current_schema()") == [(0,)]


def test_sqlite_urls_are_read_as_sqlalchemy_reads_them(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Store("sqlite:///rel.db").close()
    for url in ("sqlite:///rel.db", f"sqlite:///{tmp_path}/rel.db",
                f"sqlite+pysqlite:///{tmp_path}/rel.db"):
        with RespondentStore(url) as s:
            assert s.campaign.__self__ is s
            with pytest.raises(StoreError, match="store has no campaigns"):
                s.campaign("x")


# -- threads and processes --------------------------------------------------------------------------
def test_threads_sharing_one_respondent_store(stores, db_url):
    s = stores["respondent"]
    inst = s.campaign("fl").instrument
    errors = []

    def work(n):
        try:
            for k in range(5):
                s.save_draft("fl", f"t{n}", {inst.items[0].id: {"level": 1 + k % 5}}, page=k)
                s.submit("fl", full_answers(inst), rater_group="team", idempotency_key=f"{n}-{k}")
        except Exception as e:  # collected for the assertion below
            errors.append(repr(e))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert table_counts(db_url)[:3] == (20, 20 * len(inst.items), 4)


@pytest.mark.slow
def test_many_respondent_kernels_write_one_store(db_url):
    with Store(db_url) as full:
        items = len(full.create_campaign("crowd", "Many", "focus-levels").instrument.items)
    writers, each = 8, 6
    keys = [[f"w{w:02d}-r{r:02d}" for r in range(each)] for w in range(writers)]
    receipts, errors = run_writers(db_url, "crowd", keys, "respondent")
    assert errors == []
    assert len(receipts) == writers * each and all(c for _, _, c in receipts)
    first = {k: sid for k, sid, _ in receipts}
    assert len(set(first.values())) == writers * each
    # Every kernel sends everything again (a reconnect), and a double click races on the
    # same codes from four more kernels: nothing new is stored, each code keeps its submission.
    receipts, errors = run_writers(db_url, "crowd", keys + [keys[0]] * 4, "respondent")
    assert errors == []
    assert not any(c for _, _, c in receipts)
    assert all(first[k] == sid for k, sid, _ in receipts)
    assert table_counts(db_url)[:2] == (writers * each, writers * each * items)
    with Store(db_url) as full:
        df = full.responses("crowd")
    assert len(df) == writers * each * items and df["respondent"].nunique() == writers * each


@pytest.mark.slow
def test_the_same_new_code_from_many_kernels_is_stored_once(db_url):
    # Eight kernels race to store the same five codes first; on PostgreSQL the losers hit the
    # unique key and must come back with the winner's submission.
    with Store(db_url) as full:
        items = len(full.create_campaign("crowd", "Many", "focus-levels").instrument.items)
    codes = [f"code-{n}" for n in range(5)]
    receipts, errors = run_writers(db_url, "crowd", [codes] * 8, "respondent")
    assert errors == []
    for code in codes:
        mine = [(sid, created) for k, sid, created in receipts if k == code]
        assert len(mine) == 8 and len({sid for sid, _ in mine}) == 1, code
        assert sum(created for _, created in mine) == 1, code
    assert table_counts(db_url)[:2] == (5, 5 * items)


# -- the respondent's kernel --------------------------------------------------------------------------
def test_the_respondent_path_loads_no_sqlalchemy_pandas_or_plotting(sqlite_url):
    with Store(sqlite_url) as full:
        full.create_campaign("fl", "Focus levels", "focus-levels", rater_groups=["self"])
    code = f"""
import sys, json
from focuskit.apps.questionnaire import QuestionnaireApp, shared_link
app = QuestionnaireApp({sqlite_url!r})
assert type(app.store).__name__ == "RespondentStore", app.store
app.build(shared_link(app.store, "fl", "self").split("?", 1)[1])
assert app.state is not None and app.problem is None, app.problem
app.state.answer(app.state.instrument.items[0].id, "level", 2)
print(json.dumps([app.who.code, sorted(m for m in ("sqlalchemy", "pandas", "matplotlib",
                  "seaborn", "numpy", "yaml", "psycopg") if m in sys.modules)]))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    made, loaded = json.loads(out.stdout.strip().splitlines()[-1])
    assert loaded == []
    with Store(sqlite_url) as full:
        draft = full.draft("fl", made)
    assert draft is not None and list(draft.answers.values()) == [{"level": 2}]


def test_a_kernel_started_before_the_store_was_set_up_opens_it_later(tmp_path):
    # A preheated kernel can start before anyone ran `focuskit demo`; RespondentStore refuses
    # a store it did not find set up, so the app tries again when a link is opened.
    from focuskit.apps.questionnaire import QuestionnaireApp

    url = f"sqlite:///{tmp_path / 'later.db'}"
    app = QuestionnaireApp(url)
    assert app.store is None
    assert "not available right now" in app.build("campaign=fl&group=self").children[1].value
    with Store(url) as full:
        full.create_campaign("fl", "Focus levels", "focus-levels", rater_groups=["self"])
        query = signed_query(full, "fl", "self", visit=True)
    app.build(query)
    assert isinstance(app.store, RespondentStore) and app.problem is None
    app.store.close()


def test_a_whole_questionnaire_through_the_respondent_store(stores):
    # The session layer on RespondentStore, on both databases: drafts, resume, one submission.
    from focuskit.apps.questionnaire import open_questionnaire

    s = stores["respondent"]
    link = signed_link(s, "sd", "team", "Finance", visit=True)
    code = link.code
    q, who = open_questionnaire(s, link)
    first = q.section.items[0].id
    q.answer(first, "say", 4)
    q.comment(first, "Town halls only")
    assert stores["store"].draft("sd", code).answers == {first: {"say": 4,
                                                                 "comment": "Town halls only"}}
    again, _ = open_questionnaire(s, link)
    assert again.resumed and again.answers[first] == {"say": 4}
    inst = s.campaign("sd").instrument
    again.restore(full_answers(inst, 2), again.page)
    while not again.is_last_page:
        assert again.next()
    assert again.submit()
    again.submit()  # a replayed click stores nothing more
    assert stores["store"].counts("sd") == {"drafts": 0, "submissions": 1, "groups": {"team": 1}}
    done, _ = open_questionnaire(s, link)
    assert done.stage == "done"
    assert stored_answers(stores["store"], "sd", code) == full_answers(inst, 2)


@pytest.mark.postgres
def test_a_dropped_postgres_connection_is_replaced(pg_schema_url):
    # Store's pool pings before use; RespondentStore does too, so a server restart or an
    # idle timeout between two clicks costs nothing.
    with Store(pg_schema_url) as full:
        full.create_campaign("fl", "Focus levels", "focus-levels")
    with RespondentStore(pg_schema_url) as s:
        pid = s._conn.info.backend_pid
        raw(pg_schema_url, "SELECT pg_terminate_backend(:p)", p=pid)
        assert s.campaign("fl").id == "fl"
        assert s._conn.info.backend_pid != pid
