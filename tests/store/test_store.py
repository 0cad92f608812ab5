"""The response store on a real SQLite file and a real PostgreSQL schema (``store`` fixture)."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import PG_ENV, full_answers, pg_url

from focuskit import Store, StoreError, load_instrument
from focuskit.instruments import parse_instrument
from focuskit.store import SCHEMA_VERSION
from focuskit.store import schema as t
from focuskit.store.engine import make_engine

ROOT = Path(__file__).resolve().parents[2]
COLUMNS = ["campaign", "submission", "respondent", "rater_group", "segment", "section", "item",
           "facet", "value", "comment", "submitted_at"]


@pytest.fixture
def camp(store):
    """An open focus-levels campaign (8 items, one facet) asking self and team only."""
    return store.create_campaign("q1-leaders", "Leadership team, Q1", "focus-levels",
                                 rater_groups=["self", "team"], min_group_size=3)


@pytest.fixture
def saydo(store):
    """An open say-do campaign: two facets per item, so comment placement is visible."""
    return store.create_campaign("say-do-1", "Say and do", "say-do", min_group_size=3)


def drafts_and_submissions(store, campaign: str) -> tuple[int, int]:
    c = store.counts(campaign)
    return c["drafts"], c["submissions"]


def assert_nothing_stored(store, campaign):
    assert drafts_and_submissions(store, campaign.id) == (0, 0)
    assert store.responses(campaign.id).empty


# -- campaigns ------------------------------------------------------------------------------

def test_create_list_and_get_campaigns(store):
    a = store.create_campaign("alpha", "Alpha", "focus-levels", organisation="Acme")
    b = store.create_campaign("beta-2", "  Beta  ", load_instrument("say-do"), status="draft")
    assert (a.id, a.title, a.organisation, a.status, a.revealed) == (
        "alpha", "Alpha", "Acme", "open", False)
    assert a.instrument == load_instrument("focus-levels")
    assert a.rater_groups == load_instrument("focus-levels").audiences
    assert a.created_at.tzinfo is not None and a.created_at.utcoffset().total_seconds() == 0
    assert b.title == "Beta" and b.instrument.id == "say-do"
    assert store.campaign("alpha") == a
    assert {c.id for c in store.campaigns()} == {"alpha", "beta-2"}
    assert [c.id for c in store.campaigns(status="draft")] == ["beta-2"]
    assert store.set_status("beta-2", "open").status == "open"
    assert store.reveal("alpha").revealed is True


def test_instrument_is_snapshotted_in_the_campaign(store):
    # A campaign keeps the instrument it was made with, even one that is not a built-in.
    inst = load_instrument("focus-levels")
    spec = inst.to_dict()
    spec["id"], spec["version"] = "custom-levels", "9.9.9"
    custom = parse_instrument(spec, "test")
    store.create_campaign("custom", "Custom", custom)
    again = Store(store.url)
    try:
        assert again.campaign("custom").instrument == custom
    finally:
        again.close()


@pytest.mark.parametrize("kwargs, fragment", [
    (dict(id="Bad Id"), "id 'Bad Id' must be 2-64 lowercase letters, digits and hyphens"),
    (dict(id="x"), "2-64 lowercase"),
    (dict(id="-ab"), "2-64 lowercase"),
    (dict(id="a" * 65), "2-64 lowercase"),
    (dict(id=42), "2-64 lowercase"),
    (dict(title="   "), "title must be non-empty text"),
    (dict(title=None), "title must be non-empty text"),
    (dict(rater_groups=["self", "bosses"]), "unknown rater group(s) ['bosses']; choose from self"),
    (dict(min_group_size=0), "min_group_size must be a whole number from 3 to 100"),
    (dict(min_group_size=1), "min_group_size must be a whole number from 3 to 100"),
    (dict(min_group_size=101), "min_group_size"),
    (dict(min_group_size=True), "min_group_size"),
    (dict(min_group_size=2.5), "min_group_size"),
    (dict(status="paused"), "status must be one of draft, open, closed, archived"),
])
def test_create_campaign_refuses_bad_input(store, kwargs, fragment):
    args = dict(id="ok-id", title="A title", instrument="focus-levels") | kwargs
    with pytest.raises(StoreError, match="cannot create the campaign") as e:
        store.create_campaign(**args)
    assert fragment in str(e.value)
    assert store.campaigns() == []


def test_create_campaign_lists_every_problem_at_once(store):
    with pytest.raises(StoreError) as e:
        store.create_campaign("BAD", "", "focus-levels", rater_groups=["boss"], min_group_size=0)
    assert len(e.value.problems) == 4


def test_duplicate_campaign_id(store, camp):
    with pytest.raises(StoreError, match="a campaign 'q1-leaders' exists already; choose another"):
        store.create_campaign(camp.id, "Again", "say-do")
    assert store.campaign(camp.id).title == "Leadership team, Q1"


def test_unknown_campaign_names_the_known_ones(store):
    with pytest.raises(StoreError, match="no campaign 'nope'. The store has no campaigns."):
        store.campaign("nope")
    store.create_campaign("beta", "B", "focus-levels")
    store.create_campaign("alpha", "A", "focus-levels")
    for call in (lambda: store.campaign("nope"), lambda: store.counts("nope"),
                 lambda: store.submit("nope", {}, rater_group="self"),
                 lambda: store.set_status("nope", "closed"),
                 lambda: store.responses("nope")):
        with pytest.raises(StoreError, match=r"no campaign 'nope'. Known: alpha, beta."):
            call()
    with pytest.raises(StoreError, match="status must be one of"):
        store.set_status("alpha", "paused")


def test_bad_urls_are_refused_with_a_hint():
    with pytest.raises(StoreError, match="is not a database URL; use sqlite:///"):
        Store("no url at all")
    with pytest.raises(StoreError, match="unsupported database 'mysql'"):
        Store("mysql://u@localhost/db")


# -- submitting -----------------------------------------------------------------------------

def _bad(camp, change):
    answers = full_answers(camp.instrument)
    first = camp.instrument.items[0].id
    change(answers, first)
    return answers


BAD_ANSWERS = [
    (lambda a, i: a.update(ghost={"level": 3}), "ghost: no such item in focus-levels"),
    (lambda a, i: a[i].update(mood=3), "no facet 'mood' (this item asks level)"),
    (lambda a, i: a[i].update(level=6), "6 is not on the scale (whole numbers 1 to 5)"),
    (lambda a, i: a[i].update(level=0), "0 is not on the scale"),
    (lambda a, i: a[i].update(level="3"), "'3' is not on the scale"),
    (lambda a, i: a[i].update(level=True), "True is not on the scale"),
    (lambda a, i: a[i].update(level=2.5), "2.5 is not on the scale"),
    (lambda a, i: a[i].update(level=math.nan), "nan is not on the scale"),
    (lambda a, i: a[i].update(level=math.inf), "inf is not on the scale"),
    (lambda a, i: a.pop(i), "required, no answer for level"),
    (lambda a, i: a[i].update(level=None), "required, no answer for level"),
    (lambda a, i: a[i].update(comment="x" * 2001), "the comment has 2001 characters; at most 2000"),
    (lambda a, i: a[i].update(comment=5), "the comment must be text"),
    (lambda a, i: a.update({i: 3}), "expected a mapping of facet to value, got int"),
]


@pytest.mark.parametrize("change, fragment", BAD_ANSWERS, ids=[f for _, f in BAD_ANSWERS])
def test_submit_refuses_bad_answers_and_stores_nothing(store, camp, change, fragment):
    with pytest.raises(StoreError, match=r"nothing stored in 'q1-leaders':") as e:
        store.submit(camp.id, _bad(camp, change), rater_group="self", respondent="tok")
    assert fragment in str(e.value)
    assert_nothing_stored(store, camp)


@pytest.mark.parametrize("kwargs, fragment", [
    (dict(rater_group="boss"), "rater group 'boss' is not one of self, team, customer"),
    (dict(rater_group=None), "rater group None is not one of"),
    (dict(rater_group="customer"), "does not ask the 'customer' group (it asks self, team)"),
    (dict(segment="s" * 101), "segment must be non-empty text of at most 100 characters"),
    (dict(segment="  "), "segment must be non-empty text"),
    (dict(respondent="r" * 129), "respondent token must be printable text of at most 128"),
    (dict(respondent="a\nb"), "respondent token must be printable text"),
    (dict(idempotency_key="k" * 201), "idempotency_key must be text of 1 to 200 characters"),
    (dict(idempotency_key=""), "idempotency_key must be text of 1 to 200 characters"),
])
def test_submit_refuses_bad_respondent_details(store, camp, kwargs, fragment):
    args = dict(rater_group="self") | kwargs
    with pytest.raises(StoreError, match="nothing stored") as e:
        store.submit(camp.id, full_answers(camp.instrument), **args)
    assert fragment in str(e.value)
    assert_nothing_stored(store, camp)


def test_submit_lists_every_problem(store, camp):
    answers = full_answers(camp.instrument)
    first, second = (i.id for i in camp.instrument.items[:2])
    answers[first]["level"] = "3"
    del answers[second]
    with pytest.raises(StoreError) as e:
        store.submit(camp.id, answers, rater_group="boss")
    # The refused "3" also leaves its item unanswered: four problems, all listed.
    assert [p.split(": ", 2)[1] for p in e.value.problems] == [
        "rater group 'boss' is not one of self, team, customer, partner, internal",
        f"{first}.level", first, second]
    assert all(p.startswith("submission 1: ") for p in e.value.problems)


def test_closed_campaign_takes_no_answers(store, camp):
    store.set_status(camp.id, "closed")
    with pytest.raises(StoreError, match="campaign 'q1-leaders' is closed; it takes no answers"):
        store.submit(camp.id, full_answers(camp.instrument), rater_group="self")
    with pytest.raises(StoreError, match="is closed"):
        store.save_draft(camp.id, "tok", {})
    assert_nothing_stored(store, camp)
    store.set_status(camp.id, "open")  # reopening is allowed
    assert store.submit(camp.id, full_answers(camp.instrument), rater_group="self").created


def test_answers_as_records(store, saydo):
    item = saydo.instrument.items[0].id
    records = [(i, f, v) for i, fs in full_answers(saydo.instrument).items() for f, v in fs.items()]
    records = [r for r in records if r[0] != item]
    records += [{"item": item, "facet": "do", "value": 2, "comment": "via a mapping"},
                (item, "say", 5)]
    store.submit(saydo.id, records, rater_group="team")
    df = store.responses(saydo.id)
    assert len(df) == 2 * len(saydo.instrument.items)
    first = df[df["item"] == item]
    assert first[["facet", "value"]].values.tolist() == [["say", 5.0], ["do", 2.0]]
    with pytest.raises(StoreError, match="answered twice"):
        store.submit(saydo.id, records + [(item, "say", 4)], rater_group="team")
    assert store.counts(saydo.id)["submissions"] == 1


# -- idempotency ----------------------------------------------------------------------------

def test_same_key_twice_stores_once(store, camp):
    answers = full_answers(camp.instrument)
    first = store.submit(camp.id, answers, rater_group="self", idempotency_key="click-1")
    again = store.submit(camp.id, answers, rater_group="self", idempotency_key="click-1")
    assert first.created is True and again.created is False
    assert again.submission == first.submission
    assert store.counts(camp.id)["submissions"] == 1
    assert len(store.responses(camp.id)) == len(camp.instrument.items)


def test_respondent_token_stands_in_for_the_key(store, camp):
    answers = full_answers(camp.instrument)
    a = store.submit(camp.id, answers, rater_group="self", respondent="tok-a")
    b = store.submit(camp.id, full_answers(camp.instrument, 5), rater_group="team",
                     respondent="tok-a")
    c = store.submit(camp.id, answers, rater_group="self", respondent="tok-b")
    assert (a.created, b.created, c.created) == (True, False, True)
    assert b.submission == a.submission
    df = store.responses(camp.id)
    assert set(df["respondent"]) == {"tok-a", "tok-b"}
    assert set(df.loc[df["respondent"] == "tok-a", "value"]) == {3.0}  # the retry changed nothing


def test_without_key_or_token_every_call_is_new(store, camp):
    answers = full_answers(camp.instrument)
    a = store.submit(camp.id, answers, rater_group="self")
    b = store.submit(camp.id, answers, rater_group="self")
    assert a.created and b.created and a.submission != b.submission
    assert store.counts(camp.id)["submissions"] == 2


def test_key_from_another_campaign_is_refused(store, camp, saydo):
    store.submit(camp.id, full_answers(camp.instrument), rater_group="self",
                 idempotency_key="shared")
    with pytest.raises(StoreError,
                       match="idempotency key 'shared' was already used in campaign 'q1-leaders'"):
        store.submit(saydo.id, full_answers(saydo.instrument), rater_group="self",
                     idempotency_key="shared")
    assert_nothing_stored(store, saydo)
    assert store.counts(camp.id)["submissions"] == 1


# -- submit_many ----------------------------------------------------------------------------

def test_submit_many_stores_all(store, camp):
    subs = [dict(answers=full_answers(camp.instrument, v), rater_group="team",
                 idempotency_key=f"k{v}") for v in (1, 2, 3)]
    receipts = store.submit_many(camp.id, subs)
    assert [r.created for r in receipts] == [True] * 3
    assert len({r.submission for r in receipts}) == 3
    # Replaying the batch with one new submission stores only the new one.
    more = store.submit_many(camp.id, subs + [dict(answers=full_answers(camp.instrument, 4),
                                                   rater_group="self", idempotency_key="k4")])
    assert [r.created for r in more] == [False, False, False, True]
    assert [r.submission for r in more[:3]] == [r.submission for r in receipts]
    assert store.counts(camp.id)["submissions"] == 4


def test_submit_many_with_a_key_of_another_campaign_stores_none(store, camp, saydo):
    store.submit(saydo.id, full_answers(saydo.instrument), rater_group="self",
                 idempotency_key="shared")
    subs = [dict(answers=full_answers(camp.instrument, v), rater_group="team",
                 idempotency_key=k) for v, k in ((1, "a"), (2, "shared"), (3, "b"))]
    with pytest.raises(StoreError, match=f"'shared' was already used in campaign '{saydo.id}'"):
        store.submit_many(camp.id, subs)
    assert store.counts(camp.id)["submissions"] == 0  # the insert before the check undone


def test_submit_many_stores_a_key_given_twice_once(store, camp):
    subs = [dict(answers=full_answers(camp.instrument, v), rater_group="team",
                 idempotency_key="twice") for v in (1, 2)]
    receipts = store.submit_many(camp.id, subs)
    assert [r.created for r in receipts] == [True, False]
    assert receipts[0].submission == receipts[1].submission
    assert store.counts(camp.id)["submissions"] == 1


def test_a_large_batch_brings_postgresqls_statistics_up_to_date(pg_schema_url, monkeypatch):
    """Where autovacuum is off or late, PostgreSQL planned a lookup of 500 keys as a scan of
    the whole table: re-importing a 100,000-row export took 20 s instead of 9."""
    from focuskit import Store
    from focuskit.store import store as store_module

    monkeypatch.setattr(store_module, "ANALYZE_AFTER", 30)
    monkeypatch.setattr(store_module, "FIRST_CHUNK", 10)  # written in chunks
    with Store(pg_schema_url) as s:
        c = s.create_campaign("big", "Big", "focus-levels", rater_groups=["team"])
        s.submit_many(c.id, [dict(answers=full_answers(c.instrument, 1 + v % 5),
                                  rater_group="team", idempotency_key=f"k{v}")
                             for v in range(40)])
        with s.engine.connect() as conn:
            tuples = conn.exec_driver_sql(
                "SELECT reltuples FROM pg_class WHERE oid = 'submissions'::regclass").scalar()
    assert tuples == 40


def test_submit_many_one_bad_stores_none(store, camp):
    good = [dict(answers=full_answers(camp.instrument), rater_group="self") for _ in range(3)]
    bad = dict(answers=_bad(camp, lambda a, i: a[i].update(level=9)), rater_group="self")
    with pytest.raises(StoreError) as e:
        store.submit_many(camp.id, good[:2] + [bad] + good[2:],
                          label=lambda n: f"row {n + 2}")
    assert any(p.startswith("row 4: ") for p in e.value.problems)
    assert not any(p.startswith(("row 2", "row 3", "row 5")) for p in e.value.problems)
    with pytest.raises(StoreError, match="submission 2: expected a mapping"):
        store.submit_many(camp.id, [good[0], "not a dict"])
    assert_nothing_stored(store, camp)


def test_submit_many_rolls_back_when_a_later_key_clashes(store, camp, saydo):
    # The clash is found inside the write transaction, after earlier submissions were
    # inserted; the rollback must take those back too.
    store.submit(saydo.id, full_answers(saydo.instrument), rater_group="self",
                 idempotency_key="taken")
    subs = [dict(answers=full_answers(camp.instrument), rater_group="self",
                 idempotency_key=k) for k in ("new-1", "new-2", "taken")]
    with pytest.raises(StoreError, match="already used in campaign 'say-do-1'"):
        store.submit_many(camp.id, subs)
    assert_nothing_stored(store, camp)


# -- drafts ---------------------------------------------------------------------------------

def test_drafts_save_update_resume_submit(store, camp):
    items = [i.id for i in camp.instrument.items]
    d1 = store.save_draft(camp.id, "tok-1", {items[0]: {"level": 2, "comment": "so far"}},
                          rater_group="team", segment="sales", page=1)
    assert d1.answers == {items[0]: {"level": 2, "comment": "so far"}}
    assert (d1.rater_group, d1.segment, d1.page) == ("team", "sales", 1)
    assert d1.started_at.utcoffset().total_seconds() == 0
    assert drafts_and_submissions(store, camp.id) == (1, 0)

    d2 = store.save_draft(camp.id, "tok-1", {items[0]: {"level": 4}, items[1]: {"level": 1}},
                          rater_group="team", segment="sales", page=2)
    assert d2.answers == {items[0]: {"level": 4}, items[1]: {"level": 1}}
    assert d2.started_at == d1.started_at and d2.updated_at >= d1.updated_at
    assert store.draft(camp.id, "tok-1") == d2  # resume, as a reconnecting kernel would
    assert store.draft(camp.id, "tok-other") is None
    assert drafts_and_submissions(store, camp.id) == (1, 0)

    with pytest.raises(StoreError, match=r"draft not saved:\n  - .*7 is not on the scale"):
        store.save_draft(camp.id, "tok-1", {items[0]: {"level": 7}})
    with pytest.raises(StoreError, match="a draft needs a respondent token"):
        store.save_draft(camp.id, None, {})
    with pytest.raises(StoreError, match="page must be a whole number"):
        store.save_draft(camp.id, "tok-1", {}, page=-1)
    assert store.draft(camp.id, "tok-1") == d2  # refused saves change nothing

    store.submit(camp.id, full_answers(camp.instrument), rater_group="team", respondent="tok-1")
    assert store.draft(camp.id, "tok-1") is None
    assert drafts_and_submissions(store, camp.id) == (0, 1)


def test_empty_draft_is_allowed(store, camp):
    d = store.save_draft(camp.id, "tok-2", {})
    assert d.answers == {} and d.page == 0 and d.rater_group is None


# -- responses ------------------------------------------------------------------------------

def test_responses_columns_rows_and_values(store, saydo):
    inst = saydo.instrument
    values = {}
    answers = {}
    for n, item in enumerate(inst.items):
        answers[item.id] = {"do": 1 + n % 5, "say": 1 + (n + 2) % 5}  # facets out of order
        values[(item.id, "say")], values[(item.id, "do")] = 1 + (n + 2) % 5, 1 + n % 5
    answers[inst.items[0].id]["comment"] = "  A comment, with spaces trimmed.  "
    before = datetime.now(UTC)
    r = store.submit(saydo.id, answers, rater_group="team", segment="sales", respondent="p-7")
    after = datetime.now(UTC)

    df = store.responses(saydo.id)
    assert list(df.columns) == COLUMNS
    assert len(df) == 2 * len(inst.items)  # one row per answer
    assert set(df["campaign"]) == {saydo.id} and set(df["submission"]) == {r.submission}
    assert set(df["respondent"]) == {"p-7"} and set(df["rater_group"]) == {"team"}
    assert set(df["segment"]) == {"sales"}
    assert df["item"].tolist()[::2] == [i.id for i in inst.items]  # instrument order
    assert df["facet"].tolist() == ["say", "do"] * len(inst.items)
    assert df["section"].tolist()[::2] == [i.section for i in inst.items]
    assert {(i, f): v for i, f, v in df[["item", "facet", "value"]].itertuples(index=False)} \
        == values
    assert df["value"].dtype == "float64"

    # The comment sits on the item's first facet row, whatever order the facets came in.
    first = df[df["item"] == inst.items[0].id]
    assert first["comment"].tolist()[0] == "A comment, with spaces trimmed."
    assert first["comment"].isna().tolist() == [False, True]
    assert df["comment"].notna().sum() == 1

    ts = df["submitted_at"]
    assert str(ts.dt.tz) == "UTC" and ts.nunique() == 1
    assert before <= ts.iloc[0].to_pydatetime() <= after


def test_responses_filters(store, camp):
    for n, (group, seg) in enumerate([("self", "sales"), ("team", "sales"), ("team", "ops"),
                                      ("team", None)]):
        store.submit(camp.id, full_answers(camp.instrument, n + 1), rater_group=group,
                     segment=seg)
    per = len(camp.instrument.items)

    def subs(**kw):
        return store.responses(camp.id, **kw)["value"].drop_duplicates().tolist()

    assert len(store.responses(camp.id)) == 4 * per
    assert subs(rater_group="team") == [2.0, 3.0, 4.0]
    assert subs(rater_group=["self", "team"]) == [1.0, 2.0, 3.0, 4.0]
    assert subs(segment="sales") == [1.0, 2.0]
    assert subs(segment=["ops", "sales"]) == [1.0, 2.0, 3.0]
    assert subs(rater_group="team", segment=("sales",)) == [2.0]
    assert store.responses(camp.id, rater_group="customer").empty
    assert store.responses(camp.id)["segment"].isna().sum() == per


def test_responses_of_an_empty_campaign_has_the_columns(store, camp):
    df = store.responses(camp.id)
    assert list(df.columns) == COLUMNS and df.empty


# -- actions --------------------------------------------------------------------------------

def test_actions_round_trip(store, camp):
    item = camp.instrument.items[3].id
    a = store.add_action(camp.id, "  Visit our ten largest customers  ", owner="Ana",
                         due=date(2030, 3, 31), item=item, status="doing")
    b = store.add_action(camp.id, "Share the results")
    got = store.actions(camp.id)
    assert [x["id"] for x in got] == [a, b]
    assert {k: got[0][k] for k in ("campaign", "title", "owner", "due", "item", "status")} == dict(
        campaign=camp.id, title="Visit our ten largest customers", owner="Ana",
        due=date(2030, 3, 31), item=item, status="doing")
    assert (got[1]["owner"], got[1]["due"], got[1]["item"], got[1]["status"]) == (
        None, None, None, "open")
    assert all(x["created_at"].utcoffset().total_seconds() == 0 for x in got)
    assert store.actions("another") == []


def test_actions_refuse_bad_input(store, camp):
    with pytest.raises(StoreError, match="action not saved:") as e:
        store.add_action(camp.id, " ", item="ghost", status="someday", due="2030-03-31")
    assert e.value.problems == [
        "title must be non-empty text", "item 'ghost' is not in focus-levels",
        "status must be one of open, doing, done, dropped", "due must be a date"]
    with pytest.raises(StoreError, match="no campaign 'nope'"):
        store.add_action("nope", "Anything")
    assert store.actions(camp.id) == []


# -- schema migrations (SQLite files as an older focuskit left them) ---------------------------

def _version_1_database(url: str, instrument) -> None:
    engine = make_engine(url)
    with engine.connect() as conn, conn.begin():
        t.MIGRATIONS[1](conn)
        conn.execute(sa.insert(t.meta).values(key="schema_version", value="1"))
        conn.execute(sa.text(
            "INSERT INTO campaigns (id, title, instrument, instrument_version, instrument_spec, "
            "organisation, rater_groups, min_group_size, status, created_at) VALUES "
            "('old-one', 'From version 1', :iid, :iver, :spec, 'Acme', 'self,team', 3, "
            "'open', '2024-01-02 03:04:05.000000')"),
            dict(iid=instrument.id, iver=instrument.version,
                 spec=json.dumps(instrument.to_dict())))
        conn.execute(sa.text(
            "INSERT INTO submissions (id, campaign, respondent, rater_group, segment, "
            "submitted_at, idempotency_key) VALUES (1, 'old-one', 'tok-old', 'team', 'ops', "
            "'2024-01-02 04:00:00.000000', 'old-key')"))
        for n, item in enumerate(instrument.items):
            conn.execute(sa.text("INSERT INTO answers (submission, item, facet, value, comment) "
                                 "VALUES (1, :item, 'level', :v, NULL)"),
                         dict(item=item.id, v=1 + n % 5))
    engine.dispose()


def test_version_1_database_is_migrated(sqlite_url):
    inst = load_instrument("focus-levels")
    _version_1_database(sqlite_url, inst)
    with Store(sqlite_url) as store:
        assert store.schema_version == SCHEMA_VERSION == 7
        camp = store.campaign("old-one")
        assert camp.expected is None  # version 6: nobody said how many were expected
        assert (camp.revealed, camp.status, camp.organisation, camp.rater_groups) == (
            False, "open", "Acme", ("self", "team"))
        # Version 4: an old campaign takes any segment through shared links, which are signed
        # with the secret the migration made.
        assert (camp.segments, camp.link_mode) == (None, "shared")
        secret = store.link_secret()
        assert len(secret) >= 32 and store.link_secret() == secret
        assert camp.created_at == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
        df = store.responses("old-one")
        assert df["value"].tolist() == [float(1 + n % 5) for n in range(len(inst.items))]
        assert set(df["respondent"]) == {"tok-old"} and set(df["segment"]) == {"ops"}
        assert df["submitted_at"].iloc[0] == datetime(2024, 1, 2, 4, tzinfo=UTC)
        # Version 5: nothing is withheld for an erasure yet.
        assert "withheld" not in df.attrs
        # What version 2 added works on the migrated file.
        assert store.reveal("old-one").revealed is True
        store.save_draft("old-one", "tok-new", {inst.items[0].id: {"level": 2}})
        assert store.draft("old-one", "tok-new").answers == {inst.items[0].id: {"level": 2}}
        assert store.add_action("old-one", "Follow up") == 1
        assert store.submit("old-one", full_answers(inst), rater_group="team",
                            idempotency_key="old-key").created is False
    with Store(sqlite_url) as again:  # a second open migrates nothing
        assert again.schema_version == SCHEMA_VERSION and again.counts("old-one")["drafts"] == 1
        assert again.link_secret() == secret  # made once, kept


def test_version_5_database_is_migrated(db_url):
    """Both backends: what version 6 adds (expected people, join codes) arrives on a store
    that was at version 5, and keeps what it held."""
    inst = load_instrument("focus-levels")
    engine = make_engine(db_url)
    with engine.connect() as conn, conn.begin():
        for v in range(1, 6):
            t.MIGRATIONS[v](conn)
        conn.execute(sa.insert(t.meta).values(key="schema_version", value="5"))
        conn.execute(sa.text(
            "INSERT INTO campaigns (id, title, instrument, instrument_version, instrument_spec, "
            "rater_groups, min_group_size, status, created_at, revealed, comment_threshold, "
            "link_mode, organisation) VALUES ('ws-old', 'An old round', :iid, :iver, :spec, "
            "'self', 5, 'open', '2025-01-02 03:04:05', FALSE, 10, 'shared', '')"),
            dict(iid=inst.id, iver=inst.version, spec=json.dumps(inst.to_dict())))
    engine.dispose()
    with Store(db_url) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert store.campaign("ws-old").expected is None
        assert store.set_expected("ws-old", 12).expected == 12
        code = store.join_code("ws-old", "self")
        assert store.find_join_code(code) == ("ws-old", "self", None)


def test_newer_schema_is_refused(sqlite_url):
    with Store(sqlite_url) as store:
        store.create_campaign("kept", "Kept", "focus-levels")
    engine = make_engine(sqlite_url)
    with engine.connect() as conn, conn.begin():
        conn.execute(sa.text("UPDATE meta SET value = '99' WHERE key = 'schema_version'"))
    engine.dispose()
    with pytest.raises(StoreError, match=r"has schema version 99; this focuskit knows up to "
                                         rf"{SCHEMA_VERSION}\. "
                                         r"Upgrade focuskit\."):
        Store(sqlite_url)
    engine = make_engine(sqlite_url)
    with engine.connect() as conn:  # the refusal left the file alone
        assert conn.execute(sa.text("SELECT value FROM meta WHERE key = 'schema_version'")
                            ).scalar_one() == "99"
        assert conn.execute(sa.text("SELECT count(*) FROM campaigns")).scalar_one() == 1
    engine.dispose()


# -- what importing loads -------------------------------------------------------------------

def _run(code: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, cwd=ROOT, env=os.environ | env, check=False)


def test_questionnaire_path_imports_no_pandas_or_plotting():
    out = _run("import sys, focuskit, focuskit.store, focuskit.instruments\n"
               "print(sorted(m for m in ('pandas', 'matplotlib', 'seaborn') if m in sys.modules))")
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_responses_loads_pandas(tmp_path):
    url = f"sqlite:///{tmp_path / 'x.db'}"
    code = f"""
import sys
from focuskit import Store
s = Store({url!r})
c = s.create_campaign("c1", "C", "focus-levels")
s.submit("c1", {{i.id: {{"level": 3}} for i in c.instrument.items}}, rater_group="self")
before = "pandas" in sys.modules
s.responses("c1")
print(before, "pandas" in sys.modules)
"""
    out = _run(code)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "True"]


# -- the PostgreSQL rule: configured means run, never a silent skip ---------------------------

@pytest.mark.postgres
def test_configured_postgres_answers():
    url = pg_url()
    if url is None:
        pytest.skip(f"{PG_ENV} is not set")
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT 1")).scalar_one() == 1
    except sa.exc.OperationalError as e:
        pytest.fail(f"{PG_ENV} is set but PostgreSQL does not answer: {e.orig}")
    finally:
        engine.dispose()


def test_postgres_params_fail_rather_than_skip_when_server_is_down():
    # Point the suite at a port where nothing listens: the postgres case must error.
    out = subprocess.run(
        # No addopts: the inner run must not write the outer run's junit report; no plugin
        # autoload: nbmake and friends would triple its start-up time.
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=",
         "tests/store/test_store.py::test_duplicate_campaign_id[postgres]"],
        capture_output=True, text=True, timeout=120, cwd=ROOT, check=False,
        env=os.environ | {PG_ENV: "postgresql://postgres@127.0.0.1:1/test",
                          "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"})
    summary = out.stdout.strip().splitlines()[-1]
    assert out.returncode == 1 and "1 error" in summary and "skipped" not in summary, out.stdout


def test_started_at_with_an_offset_is_kept_as_the_same_instant(store):
    from datetime import datetime, timedelta, timezone

    camp = store.create_campaign("tz-check", "Time zones", "focus-levels")
    local = datetime(2026, 11, 22, 12, 0, tzinfo=timezone(timedelta(hours=2)))
    store.submit(camp.id, full_answers(camp.instrument), rater_group="self",
                 started_at=local, idempotency_key="tz")
    from sqlalchemy import select

    from focuskit.store import schema

    with store.engine.connect() as conn:
        got = conn.execute(select(schema.submissions.c.started_at)).scalar_one()
    got = got if got.tzinfo else got.replace(tzinfo=UTC)
    assert got == local
