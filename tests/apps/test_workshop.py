"""The workshop board without a browser: the state (rounds, counts, the reveal gate, the action
register) and the ipywidgets view driven by setting values and clicking."""

from __future__ import annotations

import csv
import io
import threading
import time
from datetime import date

import pytest
from conftest import full_answers
from ipywidgets import VBox

from focuskit import Store, load_instrument
from focuskit.apps.workshop import PREFIX, LiveCount, WorkshopBoard, WorkshopState, parse_due
from focuskit.errors import StoreError

BASE = "http://board.test/voila/render/take_assessment.ipynb"
TODAY = date(2026, 3, 12)


@pytest.fixture
def wstore(sqlite_url):
    s = Store(sqlite_url)
    yield s
    s.close()


def state(store, **kw):
    return WorkshopState(store, base=BASE, today=lambda: TODAY, **kw)


def answer(store, round_id, levels, group="self"):
    """One submission per value in ``levels``: everyone gives that level to every item."""
    inst = load_instrument("focus-levels")
    for n, level in enumerate(levels):
        store.submit(round_id, full_answers(inst, level), rater_group=group,
                     respondent=f"{group}-{n:04d}-{level}")


def wait_until(check, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.02)


# -- state -----------------------------------------------------------------------------------
def test_a_round_is_a_marked_campaign_with_a_join_link(wstore):
    wstore.create_campaign("survey-q1", "An organisation's survey", "focus-levels")
    s = state(wstore)
    assert s.round is None and s.rounds == []  # surveys are not offered as rounds
    camp = s.create_round("  Leadership team, 12 March ", min_group_size=3)
    assert camp.id.startswith(PREFIX + "leadership-team-12-march-")
    assert camp.title == "Leadership team, 12 March" and camp.min_group_size == 3
    assert s.round.id == camp.id and s.room == "self" and camp.rater_groups[0] == "self"
    # shared: no code in it; signed, so nobody edits it into another group
    assert s.join_link.startswith(f"{BASE}?campaign={camp.id}&group=self&sig=")
    assert "code=" not in s.join_link
    svg = s.qr_svg()
    assert svg.startswith("<svg") and "viewBox" in svg and "width=" not in svg.split(">")[0]
    # A second board on the same store opens the newest round.
    assert state(wstore).round.id == camp.id


def test_the_board_shows_the_join_code_beside_the_qr_code(wstore):
    from focuskit.links import JOIN_ALPHABET

    s = state(wstore)
    rid = s.create_round("Room").id
    board = WorkshopBoard(s)
    code = s.join_code
    assert len(code) == 6 and set(code) <= set(JOIN_ALPHABET)
    assert state(wstore).join_code == code  # the same on the trainer's phone and the projector
    assert s.join_short == f"http://board.test/j/{code}"
    assert wstore.find_join_code(code) == (rid, "self", None)
    join = board.join.value
    # Large type beside the QR code, in two halves that are easy to read out.
    assert f"<span>{code[:3]}</span><span>{code[3:]}</span>" in join
    assert join.index("fk-qr") < join.index("fk-code")
    assert ">board.test/j</a>" in join and "Phones cannot open" not in join


@pytest.mark.parametrize("base", ["http://127.0.0.1:8866/voila/render/take_assessment.ipynb",
                                  "http://localhost:8866/voila/render/take_assessment.ipynb",
                                  "http://[::1]:8866/voila/render/take_assessment.ipynb"])
def test_the_board_says_when_phones_cannot_reach_the_link(wstore, base):
    s = WorkshopState(wstore, base=base)
    s.create_round("Room")
    join = WorkshopBoard(s).join.value
    assert "Phones cannot open these links yet" in join and s.reach_problem in join
    assert "focuskit serve --host 0.0.0.0" in join and "--public-url" in join
    assert join.index("Phones cannot open") < join.index("fk-qr")  # above, not below the fold


def test_join_link_defaults_to_the_respondents_door(wstore, monkeypatch):
    monkeypatch.setenv("FOCUSKIT_RESPONDENT_URL", "http://10.0.0.5:8866/voila/render/take.ipynb")
    s = WorkshopState(wstore)
    s.create_round("Room")
    assert s.join_link.startswith("http://10.0.0.5:8866/voila/render/take.ipynb?campaign=ws-")


@pytest.mark.parametrize("kw,msg", [
    (dict(title="  "), "Give the round a name"),
    (dict(title="x", min_group_size=2), "from 3 to 100"),
    (dict(title="x", min_group_size="5"), "whole number"),
    (dict(title="x", instrument="no-such-thing"), "no questionnaire called"),
    (dict(title="x" * 121), "under 120"),
])
def test_bad_rounds_are_refused_with_a_reason(wstore, kw, msg):
    s = state(wstore)
    with pytest.raises(ValueError, match=msg):
        s.create_round(**kw)
    assert wstore.campaigns() == []


def test_counts_follow_drafts_and_submissions(wstore):
    s = state(wstore)
    rid = s.create_round("Room").id
    assert s.counts() == {"answering": 0, "sent": 0, "expected": None, "groups": {},
                          "revealed": False, "ready": None}
    wstore.save_draft(rid, "someone-123", {"data": {"level": 2}}, rater_group="self")
    wstore.save_draft(rid, "a-customer-1", {"data": {"level": 2}}, rater_group="customer")
    answer(wstore, rid, [1, 5])
    answer(wstore, rid, [3], group="customer")
    c = s.counts()
    # The room's own people only: a customer answering is not "in the room".
    assert (c["answering"], c["sent"]) == (1, 2)
    # The room's own count is live; another group is named only from the minimum group up:
    # even "fewer than 3 customers" would say that a customer took part.
    assert c["groups"] == {"self": 2}
    answer(wstore, rid, [2, 4], group="customer")  # (names differ from the first one)
    assert s.counts()["groups"] == {"self": 2, "customer": 3}


def age_draft(store, campaign, respondent, seconds):
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update

    from focuskit.store import schema as t

    then = datetime.now(UTC) - timedelta(seconds=seconds)
    with store.engine.begin() as conn:
        conn.execute(update(t.drafts).where((t.drafts.c.campaign == campaign)
                                            & (t.drafts.c.respondent == respondent))
                     .values(updated_at=then, started_at=then))


def test_answering_now_counts_drafts_touched_in_the_last_two_minutes(store):
    """On SQLite and PostgreSQL: a draft 3 minutes old is someone who went away."""
    s = state(store)
    rid = s.create_round("Room").id
    for who in ("fresh-person-1", "slow-reader-1", "gone-person-1"):
        store.save_draft(rid, who, {"data": {"level": 2}}, rater_group="self")
    age_draft(store, rid, "slow-reader-1", 100)  # reading a long question: still here
    age_draft(store, rid, "gone-person-1", 180)
    assert store.answering(rid) == 2 and store.answering(rid, within=60) == 1
    assert s.counts()["answering"] == 2
    assert store.counts(rid)["drafts"] == 3  # the draft itself is kept for a later resume
    store.save_draft(rid, "gone-person-1", {"data": {"level": 3}}, rater_group="self")
    assert s.counts()["answering"] == 3  # back, and counted again


def test_the_board_says_how_many_of_the_expected_have_answered(wstore):
    s = state(wstore)
    board = WorkshopBoard(s)
    board.new_title.value = "Sales leaders"
    board.new_expected.value = 30
    board.create.click()
    rid = s.round.id
    assert wstore.campaign(rid).expected == 30 and s.counts()["expected"] == 30
    answer(wstore, rid, [1] * 24)
    board.poll_once()
    assert "<b>24</b><span>of 30 have answered</span>" in board.count.value
    s.set_expected(None)
    board.poll_once()
    assert "<b>24</b><span>have answered</span>" in board.count.value
    with pytest.raises(ValueError, match="from 1 to 1000"):
        s.create_round("Huge", expected=5000)
    with pytest.raises(StoreError, match="from 1 to 1000"):
        wstore.set_expected(rid, -2)


def test_the_board_says_how_many_phones_the_server_is_ready_for(wstore):
    status = {"ready": 12, "wanted": 30, "note": "Memory for 24 more only."}
    s = WorkshopState(wstore, base=BASE, pool=lambda: status)
    s.create_round("Room", expected=30)
    board = WorkshopBoard(s)
    assert "Getting ready: 12 of 30 phones." in board.count.value
    assert "Memory for 24 more only." in board.count.value
    status.update(ready=30, note="")
    board.poll_once()
    assert "Ready for 30 phones." in board.count.value
    answer(wstore, s.round.id, [2])
    board.poll_once()
    assert "Ready for 30 more phones." in board.count.value  # those not yet begun
    status.update(ready=1, wanted=1)
    board.poll_once()
    assert "Ready for 1 more phone." in board.count.value
    s.set_expected(None)
    board.poll_once()
    assert "fk-ready" not in board.count.value  # no number expected: nothing to be ready for
    s.set_expected(30)
    for broken in (None, {"ready": "x"}, ["no"], {"ready": True, "wanted": 3}):
        s._pool = lambda broken=broken: broken
        assert s.pool() is None
        board.poll_once()
        assert "fk-ready" not in board.count.value

    def fails():
        raise OSError("status file gone")

    s._pool = fails
    board.poll_once()
    assert "fk-ready" not in board.count.value and board.count_error.value == ""


def test_checked_at_changes_at_every_poll_even_when_the_count_does_not(wstore):
    s = state(wstore)
    s.create_round("Room")
    board = WorkshopBoard(s)
    seen = []
    for _ in range(2):
        board.poll_once()
        seen.append((board.count.value, board.checked.value))
        time.sleep(1.05)
    assert seen[0][0] == seen[1][0]  # same numbers
    assert seen[0][1] != seen[1][1] and "checked at" in seen[1][1]
    assert "checked at" not in board.count.value


def test_nothing_is_computed_before_the_reveal(wstore, monkeypatch):
    s = state(wstore)
    rid = s.create_round("Room").id
    answer(wstore, rid, [1, 1, 5, 5])
    calls = []
    monkeypatch.setattr(wstore, "responses", lambda *a, **k: calls.append(a))
    assert s.results() is None and not s.revealed
    assert calls == []  # not even read
    monkeypatch.undo()
    s.reveal()
    assert state(wstore, round=rid).revealed  # stored: a reloaded board stays revealed
    r = s.results()
    # Four sent one at a time, k = 3: the figures take the first three; the fourth waits
    # until two more have come (else the board before and after would give them away).
    assert r.withheld is None and (r.n, r.waiting) == (3, 1) and r.k == 3
    first = r.discuss[0]
    assert first["spread"] == "1×2 · 5×1" and (first["low_label"], first["high_label"]) == (
        "Casual", "Intense")
    inst = load_instrument("focus-levels")
    item = inst.item(first["item"])
    assert [lv["text"] for lv in first["levels"]] == [item.levels[k] for k in
                                                      ("casual", "moderate", "intense")]
    assert [(lv["low"], lv["high"]) for lv in first["levels"]] == [(True, False), (False, False),
                                                                   (False, True)]
    s.reveal(False)
    assert s.results() is None


def test_a_small_room_is_withheld_with_the_reason(wstore):
    s = state(wstore)
    rid = s.create_round("Room", min_group_size=3).id
    s.reveal()
    assert s.results().withheld == "Nobody in the room has sent their answers yet."
    answer(wstore, rid, [2, 4])
    r = s.results(refresh=True)
    assert "Only 2 people" in r.withheld and "at least 3" in r.withheld
    assert r.discuss == [] and r.agenda["suppressed"].all()
    assert r.agenda[["sd", "range"]].isna().all().all()  # the figures themselves are gone


def test_customer_gaps_show_when_enough_customers_rated(wstore):
    s = state(wstore)
    rid = s.create_round("Room").id
    answer(wstore, rid, [4, 4, 5])
    answer(wstore, rid, [2, 2], group="customer")
    answer(wstore, rid, [1, 2, 3], group="partner")
    s.reveal()
    r = s.results()
    assert "customer" in r.gaps_withheld and "Fewer than 3 customers" in r.gaps_withheld["customer"]
    assert set(r.gaps) == {"partner"} and (r.gaps["partner"]["gap"] > 0).all()
    assert r.discuss and r.discuss[0]["spread"] == "4×2 · 5×1"


def test_actions_add_update_and_export(wstore):
    s = state(wstore)
    s.create_round("Room")
    a = s.add_action("  Visit five customers ", "Ana", "2026-04-30", "contact")
    assert (a["title"], a["owner"], a["due"], a["item"], a["status"]) == (
        "Visit five customers", "Ana", date(2026, 4, 30), "contact", "open")
    b = s.add_action("=HYPERLINK(\"http://evil\")", "", "30 Apr 2026")
    assert b["owner"] is None and b["item"] is None
    assert s.set_status(a["id"], "doing")["status"] == "doing"
    rows = list(csv.DictReader(io.StringIO(s.actions_csv().decode())))
    assert [r["title"] for r in rows] == ["Visit five customers", "'=HYPERLINK(\"http://evil\")"]
    assert rows[0]["status"] == "doing" and rows[0]["due"] == "2026-04-30"
    assert s.actions_csv().count(b"\r\n") == 3


@pytest.mark.parametrize("title,due,item,msg", [
    ("", "", None, "the action is empty"),
    ("x", "31/12/2026", None, "Write it like 2026-12-31"),
    ("x", "2026-02-30", None, "not a date"),
    ("x", "2026-03-11", None, "has already passed"),
    ("x", "", "no_such_item", "Pick the dimension"),
])
def test_bad_actions_store_nothing(wstore, title, due, item, msg):
    s = state(wstore)
    s.create_round("Room")
    with pytest.raises(ValueError, match=msg):
        s.add_action(title, "Ana", due, item)
    assert s.actions() == []


def test_an_action_of_another_round_cannot_be_changed_from_this_board(wstore):
    s = state(wstore)
    s.create_round("First")
    aid = s.add_action("Theirs")["id"]
    s.create_round("Second")
    with pytest.raises(ValueError, match="not in this round"):
        s.set_status(aid, "done")


def test_parse_due_reads_unambiguous_dates():
    assert parse_due("") is None and parse_due(None) is None
    assert parse_due("2026-12-31") == parse_due("31 Dec 2026") == parse_due("December 31, 2026")
    assert parse_due(date(2026, 1, 2)) == date(2026, 1, 2)


def test_store_update_action_validates(store):
    store.create_campaign("ws-x", "Room", "focus-levels")
    aid = store.add_action("ws-x", "Do it", owner="Ana", due=date(2026, 5, 1))
    got = store.update_action(aid, owner=None, due=None)
    assert (got["owner"], got["due"], got["status"], got["title"]) == (None, None, "open", "Do it")
    got = store.update_action(aid, status="done", owner=" Bo ", title="Done it")
    assert (got["owner"], got["status"], got["title"]) == ("Bo", "done", "Done it")
    with pytest.raises(StoreError) as e:
        store.update_action(aid, status="finished", due="tomorrow", title=" ")
    assert len(e.value.problems) == 3
    with pytest.raises(StoreError, match="no action 999"):
        store.update_action(999, status="done")
    assert store.actions("ws-x")[0]["status"] == "done"


# -- the live count --------------------------------------------------------------------------
def test_live_count_reports_errors_and_recovers_and_stops():
    seen, errors = [], []
    fail = threading.Event()
    fail.set()
    n = {"v": 0}

    def read():
        if fail.is_set():
            raise RuntimeError("database is locked")
        n["v"] += 1
        return {"sent": n["v"] // 5}

    live = LiveCount(read, seen.append, errors.append, interval=0.01)
    live.start()
    try:
        wait_until(lambda: errors)
        assert "RuntimeError: database is locked" in errors[0] and live.running
        fail.clear()
        wait_until(lambda: len(seen) >= 2)
    finally:
        live.stop()
    assert not live.running
    # Every read is passed on, changed or not: the board shows when it last looked.
    assert seen[:2] == [{"sent": 0}, {"sent": 0}] and len(seen) == live.reads


def test_live_count_survives_a_broken_view():
    errors = []

    def broken(_):
        raise KeyError("widget gone")

    live = LiveCount(lambda: 1, broken, errors.append, interval=0.01)
    live.start()
    try:
        wait_until(lambda: errors)
    finally:
        live.stop()
    assert "could not show the count" in errors[0]


# -- the view --------------------------------------------------------------------------------
def test_board_without_rounds_shows_the_form_and_creates_one(wstore):
    wstore.create_campaign("survey-q1", "A survey", "focus-levels", organisation="Acme")
    board = WorkshopBoard(state(wstore))
    assert board.new_org.value == "Acme"  # the store's organisation, ready to change
    assert board.form.layout.display is None and board.body.layout.display == "none"
    board.create.click()
    assert "Give the round a name" in board.new_msg.value and len(wstore.campaigns()) == 1
    board.new_title.value = "Sales leaders"
    board.new_org.value = " Alder Valley "
    board.new_k.value = 4
    board.create.click()
    camp = board.state.round
    assert camp.title == "Sales leaders" and camp.min_group_size == 4
    assert camp.organisation == "Alder Valley"
    assert board.form.layout.display == "none" and board.body.layout.display is None
    assert board.picker.value == camp.id and board.new_title.value == ""
    assert camp.id in board.join.value and "<svg" in board.join.value
    assert "4 more to go" in board.gate_note.value


def test_an_empty_board_starts_counting_its_first_round(wstore):
    board = WorkshopBoard(state(wstore), interval=0.05)
    board._ipython_display_()
    try:
        assert board.live is None  # nothing to count yet
        board.new_title.value = "First"
        board.create.click()
        assert board.live is not None and board.live.running
        wstore.save_draft(board.state.round.id, "someone-1", {"data": {"level": 2}},
                          rater_group="self")
        wait_until(lambda: "<b>1</b><span>answering now" in board.count.value)
    finally:
        board.stop()


def test_board_counts_reveals_and_hides(wstore):
    s = state(wstore)
    rid = s.create_round("Room").id
    board = WorkshopBoard(s)
    answer(wstore, rid, [1, 5, 1, 5])
    wstore.save_draft(rid, "late-person-1", {"data": {"level": 3}}, rater_group="self")
    board.poll_once()
    assert "<b>1</b><span>answering now" in board.count.value
    assert "<b>4</b><span>have answered" in board.count.value
    assert board.results.children == ()  # nothing drawn before the reveal
    board.reveal_button.click()
    assert wstore.campaign(rid).revealed
    html = " ".join(c.value for c in board.results.children if hasattr(c, "value")
                    and isinstance(c.value, str))
    assert "Talk about these first" in html and "lowest rating" in html
    assert any(isinstance(c, VBox) and "fk-plotbox" in c.children[0]._dom_classes
               for c in board.results.children)
    assert board.reveal_button.layout.display == "none"
    board.hide_button.click()
    assert not wstore.campaign(rid).revealed and board.results.children == ()


def test_board_action_form_keeps_what_was_typed_on_a_mistake(wstore):
    s = state(wstore)
    s.create_round("Room")
    board = WorkshopBoard(s)
    board.act_title.value = "Call three lost customers"
    board.act_owner.value = "Sam"
    board.act_due.value = "next Friday"
    board.act_item.value = "contact"
    board.act_add.click()
    assert "not a date I can read" in board.act_msg.value
    assert (board.act_title.value, board.act_owner.value, board.act_due.value) == (
        "Call three lost customers", "Sam", "next Friday")
    assert s.actions() == []
    board.act_due.value = "2026-04-03"
    board.act_add.click()
    assert "Added" in board.act_msg.value and board.act_title.value == ""
    assert len(board.act_table.children) == 1
    row = board.act_table.children[0]
    status = row.children[1]
    status.value = "done"
    assert s.actions()[0]["status"] == "done"
    assert "Call three lost customers" in row.children[0].value
    assert "download=" in board.act_csv.value and "text/csv" in board.act_csv.value


def test_the_state_is_observed_not_polled(wstore):
    """A HasTraits without widgets: rounds and round change as whole values, so a view (or
    a test) learns of every change by observing them."""
    s = state(wstore)
    seen = []
    s.observe(lambda c: seen.append(("rounds", len(c["new"]))), "rounds")
    s.observe(lambda c: seen.append(("round", c["new"].id, c["new"].revealed)), "round")
    rid = s.create_round("First").id
    assert seen == [("rounds", 1), ("round", rid, False)]
    seen.clear()
    s.reveal()
    state(wstore, round=rid).reveal(False)  # hidden again on another screen
    s.pick(rid)  # what the board's count does when it sees that
    s.pick(rid)  # nothing new: nothing to tell
    assert seen == [("round", rid, True), ("round", rid, False)]


def test_a_new_round_reaches_the_picker_without_passing_through_another(wstore):
    s = state(wstore)
    s.create_round("First")
    second = s.create_round("Second").id
    board = WorkshopBoard(s)
    picked = []
    s.observe(lambda c: picked.append(c["new"].id), "round")
    board.new_title.value = "Third"
    board.create.click()
    third = s.round.id
    # Refilling the picker's options never selected the newest or the first on its own.
    assert picked == [third] and board.picker.value == third and second != third
    assert [v for _, v in board.picker.options][0] == third
    assert third in board.join.value
    # A round made on another screen joins the list; this board stays on its own round.
    first = next(r.id for r in s.rounds if r.title == "First")
    board.picker.value = first
    picked.clear()
    state(wstore).create_round("Made elsewhere")
    s.refresh_rounds()
    assert len(board.picker.options) == 4 and board.picker.value == first
    assert picked == [] and s.round.id == first


def test_picking_another_round_restarts_the_count(wstore):
    s = state(wstore)
    first = s.create_round("First").id
    second = s.create_round("Second").id
    board = WorkshopBoard(s, interval=0.05)
    assert board.picker.value == second
    board._ipython_display_()
    try:
        old = board.live
        board.picker.value = first
        assert s.round.id == first and board.live is not old and not old.running
        assert board.live.running and first in board.join.value
    finally:
        board.stop()
    assert board.live is None


def test_a_database_failure_shows_on_the_board_and_clears_when_it_recovers(wstore):
    s = state(wstore)
    s.create_round("Room")
    board = WorkshopBoard(s, interval=0.05)
    board._ipython_display_()
    try:
        with wstore.engine.begin() as conn:  # a real failure: the table is gone for a while
            conn.exec_driver_sql("ALTER TABLE submissions RENAME TO submissions_away")
        wait_until(lambda: "cannot be read right now" in board.count_error.value)
        assert "submissions" in board.count_error.value and board.live.running
        with wstore.engine.begin() as conn:
            conn.exec_driver_sql("ALTER TABLE submissions_away RENAME TO submissions")
        wait_until(lambda: board.count_error.value == "")
        assert "<b>0</b><span>have answered" in board.count.value
    finally:
        board.stop()


def test_a_reveal_on_another_screen_reaches_this_board(wstore):
    s = state(wstore)
    rid = s.create_round("Room").id
    answer(wstore, rid, [1, 5, 3])
    projector, phone = WorkshopBoard(s), WorkshopBoard(state(wstore))
    phone.reveal_button.click()
    projector.poll_once()  # what the live count does every 2 s
    assert projector.results.children == ()  # drawn only when the trainer asks
    assert projector.sync_button.layout.display is None
    assert "revealed on another screen" in projector.gate_note.value
    projector.sync_button.click()
    assert projector.state.revealed and len(projector.results.children) > 1
    phone.hide_button.click()
    projector.poll_once()  # hidden elsewhere: hidden here at once
    assert projector.results.children == () and not projector.state.revealed
    assert projector.reveal_button.layout.display is None
    assert "Results stay hidden until you reveal them" in projector.gate_note.value


def test_the_address_picks_the_round_and_a_stale_one_falls_back(wstore, monkeypatch):
    from focuskit.apps.workshop import workshop

    s = state(wstore)
    first = s.create_round("First").id
    newest = s.create_round("Second").id
    monkeypatch.setenv("QUERY_STRING", f"round={first}&token=abc")
    assert workshop(wstore.url).state.round.id == first
    monkeypatch.setenv("QUERY_STRING", "round=ws-deleted-long-ago")
    assert workshop(wstore.url).state.round.id == newest
    monkeypatch.setenv("QUERY_STRING", "round=survey-q1")  # not a round: ignored
    assert workshop(wstore.url).state.round.id == newest


def test_results_that_cannot_be_read_leave_a_note_not_a_broken_board(wstore):
    s = state(wstore)
    rid = s.create_round("Room").id
    answer(wstore, rid, [1, 5, 3])
    board = WorkshopBoard(s)
    board.reveal_button.click()
    with wstore.engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE answers RENAME TO answers_away")
    board.refresh_button.click()
    assert "could not be drawn" in board.results.children[0].value
    with wstore.engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE answers_away RENAME TO answers")
    board.refresh_button.click()
    assert len(board.results.children) > 1
