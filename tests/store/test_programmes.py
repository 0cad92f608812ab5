"""Programmes, waves and the action register's links, on SQLite and PostgreSQL (``store``)."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from conftest import full_answers

from focuskit import Store, StoreError, load_instrument
from focuskit.store import SCHEMA_VERSION, Programme
from focuskit.store import schema as t
from focuskit.store.engine import make_engine


@pytest.fixture
def fl(store):
    """A focus-levels campaign of Acme with segments, thresholds and personal links."""
    return store.create_campaign("fl-2025", "Focus levels 2025", "focus-levels",
                                 organisation="Acme", rater_groups=["self", "team"],
                                 min_group_size=4, comment_threshold=12,
                                 segments=["north", "south"], link_mode="personal")


def audit(store, action):
    log = store.audit_log()
    return log[log["action"] == action]


# -- programmes -------------------------------------------------------------------------------

def test_create_and_read_programmes(store):
    p = store.create_programme("acme", "  Acme programme ", organisation=" Acme ")
    assert isinstance(p, Programme)
    assert (p.id, p.title, p.organisation, p.campaigns) == ("acme", "Acme programme", "Acme", ())
    assert p.created_at.utcoffset().total_seconds() == 0
    q = store.create_programme("beta-2", "Beta", organisation="Beta Ltd")
    assert store.programme("acme") == p
    assert [x.id for x in store.programmes()] == ["acme", "beta-2"]
    assert q.campaigns == ()
    assert audit(store, "programme new")["detail"].tolist() == [
        "beta-2: Beta (Beta Ltd)", "acme: Acme programme (Acme)"]


def test_programme_input_is_checked(store):
    with pytest.raises(StoreError, match="cannot create the programme:") as e:
        store.create_programme("Bad Id!", " ", organisation="")
    assert e.value.problems[0].startswith("programme id 'Bad Id!' must be 2-64 lowercase")
    assert "title must be non-empty text" in e.value.problems
    assert any("organisation must be non-empty" in p for p in e.value.problems)
    for bad in ("a", "-x", "x-", "x" * 65, "a/b", "a\nb", "é-prog", 7, None):
        with pytest.raises(StoreError, match="programme id"):
            store.create_programme(bad, "T", organisation="O")
    with pytest.raises(StoreError, match="position"):  # control characters, as everywhere
        store.create_programme("ok-id", "T\x00", organisation="O")
    store.create_programme("acme", "Acme", organisation="Acme")
    with pytest.raises(StoreError, match="a programme 'acme' exists already"):
        store.create_programme("acme", "Again", organisation="Acme")
    with pytest.raises(StoreError, match=r"no programme 'nope'\. Known: acme\."):
        store.programme("nope")
    assert store.programmes()[0].title == "Acme"


def test_unknown_programme_in_an_empty_store_says_how_to_make_one(store):
    with pytest.raises(StoreError, match="focuskit programme new"):
        store.programme("x" * 500)


def test_add_to_programme(store, fl):
    store.create_programme("acme", "Acme", organisation="acme ")  # case and spaces aside
    sd = store.create_campaign("sd-2025", "Say-Do", "say-do", organisation="Acme")
    assert store.add_to_programme("acme", sd.id).campaigns == ("sd-2025",)
    p = store.add_to_programme("acme", fl.id)
    assert p.campaigns == ("sd-2025", "fl-2025")
    assert store.campaign(fl.id).programme == "acme"
    assert store.add_to_programme("acme", fl.id) == p  # again: nothing changes
    assert len(audit(store, "programme add")) == 2
    # A campaign without an organisation may join; one of another organisation may not.
    store.create_campaign("loose", "No organisation", "focus-levels")
    assert store.add_to_programme("acme", "loose").campaigns[-1] == "loose"
    # A name held in the other is taken for the same organisation.
    store.create_campaign("longer", "Longer name", "focus-levels",
                          organisation="ACME  Utilities (fictional)")
    assert store.add_to_programme("acme", "longer").campaigns[-1] == "longer"
    store.create_campaign("other-org", "Theirs", "focus-levels", organisation="Globex")
    with pytest.raises(StoreError, match="belongs to 'Globex' and programme 'acme' to 'acme'"):
        store.add_to_programme("acme", "other-org")
    store.create_programme("globex", "Globex", organisation="Globex")
    with pytest.raises(StoreError, match="is in programme 'acme' already"):
        store.add_to_programme("globex", fl.id)
    with pytest.raises(StoreError, match="no programme 'ghost'"):
        store.add_to_programme("ghost", fl.id)
    with pytest.raises(StoreError, match="no campaign 'ghost'"):
        store.add_to_programme("acme", "ghost")
    assert store.programme("globex").campaigns == ()


def test_adding_a_wave_adds_its_whole_chain(store, fl):
    w2 = store.create_wave(fl.id, title="Focus levels 2026")
    w3 = store.create_wave(w2.id, title="Focus levels 2027")
    store.create_programme("acme", "Acme", organisation="Acme")
    assert store.add_to_programme("acme", w2.id).campaigns == (fl.id, w2.id, w3.id)
    assert {c.programme for c in store.waves(w3.id)} == {"acme"}


# -- waves ------------------------------------------------------------------------------------

def test_a_wave_repeats_the_campaign_and_carries_no_respondent(store, fl):
    store.create_programme("acme", "Acme", organisation="Acme")
    store.add_to_programme("acme", fl.id)
    inst = fl.instrument
    store.submit(fl.id, full_answers(inst), rater_group="team", segment="north",
                 respondent="tok-1")
    store.save_draft(fl.id, "tok-2", {inst.items[0].id: {"level": 2}}, rater_group="team",
                     segment="north")
    store.set_status(fl.id, "closed")
    store.reveal(fl.id)
    store.set_expected(fl.id, 20)

    w2 = store.create_wave(fl.id, title="  Focus levels 2026 ")
    assert (w2.id, w2.title, w2.previous, w2.wave, w2.programme) == (
        "fl-2025-w2", "Focus levels 2026", fl.id, 2, "acme")
    same = ("instrument", "organisation", "rater_groups", "min_group_size",
            "comment_threshold", "segments", "link_mode")
    assert {k: getattr(w2, k) for k in same} == {k: getattr(fl, k) for k in same}
    assert (w2.status, w2.revealed, w2.expected) == ("open", False, None)
    assert store.counts(w2.id) == {"drafts": 0, "submissions": 0, "groups": {}}
    assert store.responses(w2.id).empty and store.draft(w2.id, "tok-2") is None
    assert store.actions(w2.id) == []
    assert store.programme("acme").campaigns == (fl.id, w2.id)
    first = store.campaign(fl.id)
    assert (first.wave, first.previous) == (1, None)
    assert [c.id for c in store.waves(fl.id)] == [fl.id, w2.id]
    assert [c.id for c in store.waves(w2.id)] == [fl.id, w2.id]
    row = audit(store, "wave").iloc[0]
    assert (row["campaign"], row["detail"]) == (w2.id, "wave 2, after fl-2025")
    # The third wave is named after the first.
    w3 = store.create_wave(w2.id, title="2027", id=None)
    assert (w3.id, w3.wave, w3.previous) == ("fl-2025-w3", 3, w2.id)
    assert [c.wave for c in store.waves(w2.id)] == [1, 2, 3]


def test_a_wave_has_at_most_one_next_wave(store, fl):
    w2 = store.create_wave(fl.id, title="2026", id="acme-fl-2026")
    assert w2.id == "acme-fl-2026"
    with pytest.raises(StoreError, match=r"has a next wave already \('acme-fl-2026'\); a "
                                         r"wave follows the latest one, 'acme-fl-2026'"):
        store.create_wave(fl.id, title="2026 again", id="another")
    assert [c.id for c in store.waves(fl.id)] == [fl.id, w2.id]
    assert len(store.campaigns()) == 2


def test_wave_input_is_checked(store, fl):
    with pytest.raises(StoreError, match="cannot create the wave:") as e:
        store.create_wave(fl.id, title=" ", id="Bad Id")
    assert e.value.problems == [
        "title must be non-empty text",
        "id 'Bad Id' must be 2-64 lowercase letters, digits and hyphens, not starting or "
        "ending with a hyphen"]
    with pytest.raises(StoreError, match="no campaign 'ghost'"):
        store.create_wave("ghost", title="T")
    store.create_campaign("taken", "Taken", "focus-levels")
    with pytest.raises(StoreError, match="a campaign 'taken' exists already"):
        store.create_wave(fl.id, title="T", id="taken")
    store.create_campaign("fl-2025-w2", "Squatting on the default id", "focus-levels")
    with pytest.raises(StoreError, match="'fl-2025-w2' exists already; give the wave "
                                         r"another id \(--id\)"):
        store.create_wave(fl.id, title="T")
    long = store.create_campaign("x" * 63, "Long id", "focus-levels")
    with pytest.raises(StoreError, match="longer than 64 characters; give one"):
        store.create_wave(long.id, title="T")
    assert store.waves(fl.id) == [store.campaign(fl.id)]


def test_deleting_a_middle_wave_keeps_the_chain(store, fl):
    w2 = store.create_wave(fl.id, title="2026")
    w3 = store.create_wave(w2.id, title="2027")
    store.delete_campaign(w2.id)
    got = store.waves(fl.id)
    assert [(c.id, c.previous, c.wave) for c in got] == [
        (fl.id, None, 1), (w3.id, fl.id, 2)]
    store.delete_campaign(fl.id)
    assert [(c.id, c.previous, c.wave) for c in store.waves(w3.id)] == [(w3.id, None, 1)]


def test_concurrent_wave_requests_make_exactly_one(db_url):
    """Admins (or one impatient admin) asking for the next wave at once, each with their own
    connection: exactly one wave, the others told why."""
    with Store(db_url) as store:
        store.create_campaign("base", "Base", "focus-levels")
    n = 6
    stores = [Store(db_url) for _ in range(n)]
    barrier = threading.Barrier(n)
    made, refused = [], []

    def ask(k, ids):
        barrier.wait()
        try:
            made.append(stores[k].create_wave("base", title="Next", id=ids[k]).id)
        except StoreError as e:
            refused.append(str(e))

    try:
        for ids in ([None] * n, [f"next-{k}" for k in range(n)]):
            made.clear()
            refused.clear()
            threads = [threading.Thread(target=ask, args=(k, ids)) for k in range(n)]
            for th in threads:
                th.start()
            for th in threads:
                th.join(60)
            assert len(made) == 1 and len(refused) == n - 1, (made, refused)
            assert all("next wave already" in r or "exists already" in r for r in refused)
            with Store(db_url) as store:
                assert [c.id for c in store.waves("base")] == ["base", made[0]]
                store.delete_campaign(made[0])
    finally:
        for s in stores:
            s.close()


# -- actions ------------------------------------------------------------------------------------

def test_actions_link_an_item_or_a_section(store, fl):
    inst = fl.instrument
    section, item = inst.sections[0].id, inst.items[2].id
    a = store.add_action(fl.id, "Visit customers", owner="Ana", due=date(2026, 3, 31),
                         section=section)
    b = store.add_action(fl.id, "Fix the complaints form", item=item, status="doing")
    got = store.actions(fl.id)
    assert [(x["id"], x["item"], x["section"]) for x in got] == [
        (a, None, section), (b, item, None)]
    assert all(x["updated_at"] == x["created_at"] for x in got)
    assert got[0]["updated_at"].utcoffset().total_seconds() == 0
    with pytest.raises(StoreError, match="action not saved:") as e:
        store.add_action(fl.id, "Both", item=item, section=section)
    assert e.value.problems == ["an action links to an item or to a section, not both"]
    with pytest.raises(StoreError, match="section 'ghost' is not in focus-levels"):
        store.add_action(fl.id, "Ghost", section="ghost")
    # Linking an item clears the section; clearing one leaves the other alone.
    changed = store.update_action(a, item=item)
    assert (changed["item"], changed["section"]) == (item, None)
    assert changed["updated_at"] > changed["created_at"]
    assert store.update_action(a, section=section)["item"] is None
    assert store.update_action(a, item=None)["section"] == section
    both = store.update_action(a, status="done")
    assert (both["item"], both["section"], both["status"]) == (None, section, "done")
    with pytest.raises(StoreError, match="not both"):
        store.update_action(a, item=item, section=section)
    with pytest.raises(StoreError, match="item 'ghost' is not in focus-levels"):
        store.update_action(a, item="ghost")
    with pytest.raises(StoreError, match="no action 999"):
        store.update_action(999, item=item)
    assert len(audit(store, "action add")) == 2
    assert len(audit(store, "action change")) == 4


def test_programme_actions(store, fl):
    store.create_programme("acme", "Acme", organisation="Acme")
    sd = store.create_campaign("sd", "Say-Do", "say-do", organisation="Acme")
    store.add_to_programme("acme", sd.id)
    store.add_to_programme("acme", fl.id)
    store.create_campaign("elsewhere", "Elsewhere", "focus-levels")
    store.add_action("elsewhere", "Not ours")
    a1 = store.add_action(fl.id, "First")
    s1 = store.add_action(sd.id, "Second")
    w2 = store.create_wave(fl.id, title="2026")
    a2 = store.add_action(w2.id, "Third")
    got = store.programme_actions("acme")
    assert [(x["campaign"], x["id"]) for x in got] == [(sd.id, s1), (fl.id, a1), (w2.id, a2)]
    assert store.programme_actions(store.create_programme(
        "empty", "Empty", organisation="Acme").id) == []
    with pytest.raises(StoreError, match="no programme"):
        store.programme_actions("ghost")


# -- the migration from version 6 ---------------------------------------------------------------

def _at(url: str, when: datetime) -> str:
    """A time as SQL text each backend reads back as ``when`` (UTC)."""
    if url.startswith("sqlite"):
        return when.strftime("%Y-%m-%d %H:%M:%S.%f")
    return when.isoformat()


def _version_6_database(url: str) -> None:
    """A store as focuskit left it at schema 6: a campaign, a submission and an action."""
    inst = load_instrument("focus-levels")
    engine = make_engine(url)
    made, sent = datetime(2025, 3, 1, 9, tzinfo=UTC), datetime(2025, 3, 2, 10, tzinfo=UTC)
    with engine.connect() as conn, conn.begin():
        for v in range(1, 7):
            t.MIGRATIONS[v](conn)
        conn.execute(sa.insert(t.meta).values(key="schema_version", value="6"))
        conn.execute(sa.text(
            "INSERT INTO campaigns (id, title, instrument, instrument_version, instrument_spec, "
            "organisation, rater_groups, min_group_size, status, created_at, revealed, "
            "comment_threshold, segments, link_mode, expected) VALUES ('old-fl', 'At six', "
            ":iid, :iver, :spec, 'Acme', 'self,team', 3, 'open', :made, FALSE, 10, NULL, "
            "'shared', 12)"),
            dict(iid=inst.id, iver=inst.version, spec=__import__("json").dumps(inst.to_dict()),
                 made=_at(url, made)))
        conn.execute(sa.text(
            "INSERT INTO submissions (campaign, respondent, rater_group, segment, "
            "submitted_at, idempotency_key, withheld) VALUES ('old-fl', 'tok-6', 'team', NULL, "
            ":sent, 'key-6', FALSE)"), dict(sent=_at(url, sent)))
        sub = conn.execute(sa.text("SELECT id FROM submissions")).scalar_one()
        for n, item in enumerate(inst.items):
            conn.execute(sa.text("INSERT INTO answers (submission, item, facet, value) "
                                 "VALUES (:s, :item, 'level', :v)"),
                         dict(s=sub, item=item.id, v=1 + n % 5))
        conn.execute(sa.text(
            "INSERT INTO actions (campaign, item, title, owner, due, status, created_at) "
            "VALUES ('old-fl', :item, 'Call back', 'Ana', :due, 'doing', :made)"),
            dict(item=inst.items[0].id, due=date(2025, 6, 30), made=_at(url, made)))
    engine.dispose()


def test_version_6_database_is_migrated(db_url):
    _version_6_database(db_url)
    inst = load_instrument("focus-levels")
    with Store(db_url) as store:
        assert store.schema_version == SCHEMA_VERSION == 7
        camp = store.campaign("old-fl")
        assert (camp.programme, camp.previous, camp.wave, camp.expected) == (None, None, 1, 12)
        df = store.responses("old-fl")
        assert df["value"].tolist() == [float(1 + n % 5) for n in range(len(inst.items))]
        assert df["submitted_at"].iloc[0] == datetime(2025, 3, 2, 10, tzinfo=UTC)
        (action,) = store.actions("old-fl")
        assert (action["title"], action["owner"], action["due"], action["status"],
                action["item"], action["section"]) == (
            "Call back", "Ana", date(2025, 6, 30), "doing", inst.items[0].id, None)
        assert action["updated_at"] == action["created_at"] == datetime(2025, 3, 1, 9,
                                                                       tzinfo=UTC)
        assert store.programmes() == []
        # What version 7 adds works on the migrated store.
        store.create_programme("acme", "Acme", organisation="Acme")
        assert store.add_to_programme("acme", "old-fl").campaigns == ("old-fl",)
        w2 = store.create_wave("old-fl", title="A year later")
        assert (w2.id, w2.wave, w2.programme) == ("old-fl-w2", 2, "acme")
        with pytest.raises(StoreError, match="next wave already"):
            store.create_wave("old-fl", title="Again", id="other")
        store.update_action(action["id"], section=inst.sections[0].id)
        store.submit(w2.id, full_answers(inst), rater_group="team", respondent="tok-6")
    with Store(db_url) as again:  # a second open migrates nothing
        assert again.schema_version == 7
        assert [c.id for c in again.waves("old-fl")] == ["old-fl", "old-fl-w2"]
        assert again.actions("old-fl")[0]["item"] is None
        assert len(again.responses("old-fl-w2")) == len(inst.items)


# -- what an attacker (or a slip of the keyboard) tries -------------------------------------------

def test_an_id_with_a_trailing_newline_is_refused_everywhere(store, fl):
    """A regular expression's "$" matches before a final newline: ids are matched whole."""
    with pytest.raises(StoreError, match="must be 2-64"):
        store.create_campaign("ab\n", "T", "focus-levels")
    with pytest.raises(StoreError, match="programme id"):
        store.create_programme("pq\n", "T", organisation="O")
    with pytest.raises(StoreError, match="must be 2-64"):
        store.create_wave(fl.id, title="T", id="next\n")
    with pytest.raises(StoreError, match="name"):
        store.add_staff("ana\n", "viewer")
    assert [c.id for c in store.campaigns()] == [fl.id] and store.programmes() == []


def test_titles_are_one_line_long_at_most(store, fl):
    with pytest.raises(StoreError, match="title must be at most 200 characters, not 201"):
        store.create_programme("acme", "x" * 201, organisation="Acme")
    with pytest.raises(StoreError, match="organisation must be at most 200"):
        store.create_programme("acme", "Acme", organisation="y" * 300)
    with pytest.raises(StoreError, match="title must be at most 200"):
        store.create_wave(fl.id, title="z" * 201)
    assert store.create_programme("acme", "x" * 200, organisation="Acme").title == "x" * 200


def test_answers_can_be_dated_but_never_before_what_is_stored(store, fl):
    """``submit_many(at=)`` (the demo's waves a year apart) keeps arrival order."""
    inst = fl.instrument
    year_ago = datetime(2025, 12, 1, 9, tzinfo=UTC)

    def answer(who, at):
        store.submit_many(fl.id, [dict(answers=full_answers(inst), rater_group="team",
                                       segment="north", respondent=who)], at=at)
        df = store.responses(fl.id)
        return df[df["respondent"] == who]["submitted_at"].iloc[0]

    assert answer("a", year_ago) == year_ago
    assert answer("b", year_ago.replace(tzinfo=None)) > year_ago  # naive is UTC; after "a"
    assert answer("c", datetime(2020, 1, 1, tzinfo=UTC)) > year_ago
    with pytest.raises(StoreError, match="at must be a datetime"):
        store.submit_many(fl.id, [], at="2025-12-01")


def test_concurrent_adds_to_two_programmes_put_a_campaign_in_one(db_url):
    with Store(db_url) as store:
        store.create_campaign("fl", "Levels", "focus-levels", organisation="Acme")
        store.create_wave("fl", title="Next")
        for pid in ("one", "two"):
            store.create_programme(pid, pid.title(), organisation="Acme")
    stores = [Store(db_url) for _ in range(2)]
    barrier = threading.Barrier(2)
    refused = []

    def add(k, pid, campaign):
        barrier.wait()
        try:
            stores[k].add_to_programme(pid, campaign)
        except StoreError as e:
            refused.append(str(e))

    try:
        threads = [threading.Thread(target=add, args=(0, "one", "fl")),
                   threading.Thread(target=add, args=(1, "two", "fl-w2"))]
        for th in threads:
            th.start()
        for th in threads:
            th.join(60)
    finally:
        for s in stores:
            s.close()
    assert len(refused) == 1 and "programme" in refused[0]
    with Store(db_url) as store:
        held = [p.campaigns for p in store.programmes()]
        assert sorted(held) == [(), ("fl", "fl-w2")]
