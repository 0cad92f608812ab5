"""Trust: minimum group size and comments, staff roles, the audit log, erasure.

Storage tests run on SQLite and PostgreSQL (the ``store``/``db_url`` fixtures). The serving
tests start a real ``focuskit serve`` and knock on the staff door with real keys; one short
browser test checks what a viewer sees.
"""

from __future__ import annotations

import asyncio
import json
import re
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest
import sqlalchemy as sa
from conftest import full_answers

from focuskit import Store
from focuskit.analysis import comments, profile
from focuskit.analysis.anonymity import erase
from focuskit.apps import roles
from focuskit.apps.admin import AdminState, admin
from focuskit.apps.landing import landing_html
from focuskit.cli import main
from focuskit.errors import FocuskitError, StoreError
from focuskit.store import schema as t
from focuskit.store.engine import make_engine


def _answer(store, cid, n, *, group="self", segment=None, comment=None, code=None):
    inst = store.campaign(cid).instrument
    for i in range(n):
        ans = full_answers(inst, value=1 + i % 5)
        if comment is not None:
            ans[inst.items[0].id]["comment"] = f"{comment} {i}"
        store.submit(cid, ans, rater_group=group, segment=segment,
                     respondent=code or f"{cid}-{group}-{segment}-{i}")


def _rows(store, table: str, campaign: str) -> int:
    with store.engine.connect() as conn:
        if table == "answers":
            return conn.execute(sa.text(
                "SELECT count(*) FROM answers a JOIN submissions s ON a.submission = s.id "
                "WHERE s.campaign = :c"), {"c": campaign}).scalar_one()
        return conn.execute(sa.text(f"SELECT count(*) FROM {table} WHERE campaign = :c"),
                            {"c": campaign}).scalar_one()


# -- A. group sizes and comments ---------------------------------------------------------------
@pytest.mark.parametrize("size", [0, 1, 2])
def test_no_campaign_takes_a_minimum_group_below_three(store, size):
    with pytest.raises(StoreError, match="from 3 to 100"):
        store.create_campaign("tiny", "Tiny", "focus-levels", min_group_size=size)
    store.create_campaign("ok", "OK", "focus-levels", min_group_size=3)
    with pytest.raises(StoreError, match="from 3 to 100"):
        store.set_min_group_size("ok", size)


def test_the_minimum_group_is_fixed_at_the_first_answer(store):
    store.create_campaign("cc", "C", "focus-levels", rater_groups=["self"])
    assert store.set_min_group_size("cc", 7).min_group_size == 7
    # A comment threshold under the new minimum follows it up.
    assert store.campaign("cc").comment_threshold == 10
    _answer(store, "cc", 1)
    with pytest.raises(StoreError, match="has answers: its minimum group size stays 7"):
        store.set_min_group_size("cc", 4)
    assert store.campaign("cc").min_group_size == 7


def test_comment_threshold_is_never_below_the_minimum_group(store):
    with pytest.raises(StoreError, match="comment_threshold"):
        store.create_campaign("cc", "C", "focus-levels", min_group_size=6, comment_threshold=5)
    c = store.create_campaign("cc", "C", "focus-levels", min_group_size=6, comment_threshold=6)
    assert c.comment_threshold == 6
    with pytest.raises(StoreError, match="from the minimum group size"):
        store.set_comment_threshold("cc", 5)
    assert store.set_comment_threshold("cc", 12).comment_threshold == 12


def test_an_old_store_with_a_group_of_one_is_raised_to_three(db_url):
    engine = make_engine(db_url)
    with engine.connect() as conn, conn.begin():  # a database as version 2 left it
        for v in (1, 2):
            t.MIGRATIONS[v](conn)
        conn.execute(sa.insert(t.meta).values(key="schema_version", value="2"))
        conn.execute(sa.text(
            "INSERT INTO campaigns (id, title, instrument, instrument_version, instrument_spec, "
            "organisation, rater_groups, min_group_size, status, created_at, revealed) VALUES "
            "('old', 'Old', 'x', '1', '{}', '', 'self', 1, 'open', :at, FALSE)"),
            {"at": "2024-01-01 00:00:00"})
    engine.dispose()
    with Store(db_url) as store, store.engine.connect() as conn:
        row = conn.execute(sa.text("SELECT min_group_size, comment_threshold FROM campaigns")
                           ).one()
        assert tuple(row) == (3, 10)


@pytest.mark.parametrize("k", [0, 1, 2])
def test_the_analysis_api_refuses_a_minimum_below_three(store, k):
    store.create_campaign("cc", "C", "focus-levels", rater_groups=["self"])
    _answer(store, "cc", 5)
    df = store.responses("cc")
    with pytest.raises(ValueError, match="at least 3"):
        profile(df, min_group=k)
    df.attrs["min_group_size"] = k  # a frame edited by hand does not get round it
    with pytest.raises(ValueError, match="at least 3"):
        profile(df)


def test_comments_come_only_from_items_enough_people_answered(store):
    store.create_campaign("cc", "C", "focus-levels", rater_groups=["self", "customer"],
                          min_group_size=3, comment_threshold=6)
    _answer(store, "cc", 4, group="self", segment="North", comment="leader note")
    df = store.responses("cc")
    first = store.campaign("cc").instrument.items[0].id
    got = comments(df)
    assert got.empty and got.attrs["withheld"] == [first] and got.attrs["threshold"] == 6
    # Answers sent one at a time join in steps of k = 3 (the disclosure rule): 3 leaders and
    # 3 customers are in the figures, and so in the comments' pool.
    _answer(store, "cc", 3, group="customer", segment="South", comment="customer note")
    got = comments(store.responses("cc"))
    assert len(got) == 6 and set(got["item"]) == {first}
    # Nothing that points at the writer: no group, segment, code, time; text order only.
    assert list(got.columns) == ["item", "comment"]
    assert list(got["comment"]) == sorted(got["comment"])
    # A part of the campaign releases none: its pool would name that part.
    assert comments(store.responses("cc", segment="North")).empty
    # Never below the minimum group, whatever is asked.
    assert comments(store.responses("cc"), threshold=1).attrs["threshold"] == 3


def test_adli_evidence_passes_the_comment_gate(store):
    from focuskit.analysis import adli
    from focuskit.demo import seed_store

    seed_store(store)
    df = store.responses("demo-contact-review")  # three reviewers, threshold 3
    q = adli(df)
    q = q[q["scope"] == "question"]
    assert all(isinstance(e, list) and e for e in q["evidence"])
    store.set_comment_threshold("demo-contact-review", 4)
    q = adli(store.responses("demo-contact-review"))
    assert q["evidence"].isna().all()  # three reviewers, fewer than four: held back
    assert adli(df, by="rater_group")["evidence"].isna().all()  # never per group


# -- B. staff keys ------------------------------------------------------------------------------
def test_staff_keys_are_hashed_and_checked(store):
    key = store.add_staff("vera", "viewer")
    member = store.check_key(key)
    assert (member.name, member.role, member.active) == ("vera", "viewer", True)
    with store.engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT key_id, key_hash FROM staff")).one()
    secret = key.split(".", 1)[1]
    assert secret not in stored.key_hash and stored.key_hash.startswith("scrypt$")
    assert store.check_key(key[:-1] + ("A" if key[-1] != "A" else "B")) is None
    assert store.check_key(f"{stored.key_id}.guess") is None
    assert store.check_key("000000000000." + secret) is None
    assert store.check_key("") is None and store.check_key("x" * 500) is None
    with pytest.raises(StoreError, match="has a key already"):
        store.add_staff("vera", "admin")
    assert store.revoke_staff("vera").active is False
    assert store.check_key(key) is None
    again = store.add_staff("vera", "admin")  # a new key for a revoked name
    assert store.check_key(again).role == "admin" and store.check_key(key) is None


@pytest.mark.parametrize("name,role,match", [
    ("Vera Smith", "viewer", "name"), ("vera", "owner", "role must be one of viewer, admin"),
    ("server key", "admin", "name"), ("", "viewer", "name")])
def test_staff_names_and_roles_are_checked(store, name, role, match):
    with pytest.raises(StoreError, match=match):
        store.add_staff(name, role)
    assert store.staff() == []


def test_cli_staff_commands(sqlite_url, capsys):
    assert main(["--db", sqlite_url, "staff", "add", "vera", "--role", "viewer"]) == 0
    key = capsys.readouterr().out.split("\n\n  ", 1)[1].split()[0]
    with Store(sqlite_url) as store:
        assert store.check_key(key).name == "vera"
    assert main(["--db", sqlite_url, "staff", "list"]) == 0
    assert re.search(r"vera\s+viewer.*active", capsys.readouterr().out)
    assert main(["--db", sqlite_url, "staff", "revoke", "vera"]) == 0
    assert main(["--db", sqlite_url, "staff", "list"]) == 0
    assert "revoked" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["--db", sqlite_url, "staff", "add", "vera", "--role", "boss"])


def test_cli_export_is_marked_raw(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "RAW export" in capsys.readouterr().out


# -- C. the audit log ---------------------------------------------------------------------------
def test_actions_are_in_the_audit_log(store):
    store.actor = "adam"
    store.create_campaign("cc", "C", "focus-levels", rater_groups=["self"])
    store.add_staff("vera", "viewer")
    store.set_status("cc", "closed")
    store.log("export raw", "cc", "csv")
    log = store.audit_log()
    assert list(log["action"]) == ["export raw", "status", "staff add", "create"]
    assert set(log["actor"]) == {"adam"} and log["at"].dt.tz is not None
    assert list(store.audit_log(campaign="cc")["action"]) == ["export raw", "status", "create"]


def test_cli_audit_writes_csv_and_logs_that_too(sqlite_url, tmp_path):
    out = tmp_path / "audit.csv"
    assert main(["--db", sqlite_url, "campaign", "new", "cc", "--title", "C",
                 "--instrument", "blocks"]) == 0
    assert main(["--db", sqlite_url, "audit", "--out", str(out)]) == 0
    got = pd.read_csv(out)
    assert list(got.columns) == ["at", "actor", "action", "campaign", "detail"]
    assert got["actor"].str.startswith("cli:").all() and "create" in set(got["action"])
    with Store(sqlite_url) as store:
        assert store.audit_log()["action"].iloc[0] == "export"


# -- D. erasure and retention --------------------------------------------------------------------
def test_erasing_a_respondent_deletes_their_rows(store):
    store.create_campaign("cc", "C", "focus-levels", rater_groups=["self"])
    _answer(store, "cc", 3)
    inst = store.campaign("cc").instrument
    store.submit("cc", full_answers(inst), rater_group="self", respondent="gone-1")
    store.save_draft("cc", "gone-2", {inst.items[0].id: {"level": 2}})
    before = _rows(store, "answers", "cc")
    gone = erase(store, "cc", "gone-1")
    assert (gone.submissions, gone.answers, gone.drafts) == (1, len(inst.items), 0)
    assert erase(store, "cc", "gone-2").drafts == 1
    assert _rows(store, "answers", "cc") == before - len(inst.items)
    assert _rows(store, "submissions", "cc") == 3 and _rows(store, "drafts", "cc") == 0
    with store.engine.connect() as conn:  # deleted, not flagged: the code is nowhere
        assert conn.execute(sa.text("SELECT count(*) FROM submissions WHERE respondent LIKE "
                                    "'gone%' OR idempotency_key LIKE '%gone%'")).scalar_one() == 0
    log = store.audit_log(campaign="cc")
    assert log["action"].iloc[0] == "erase" and "gone" not in " ".join(log["detail"])


def test_deleting_a_campaign_removes_everything(store):
    store.create_campaign("cc", "C", "focus-levels", rater_groups=["self"])
    store.create_campaign("keep", "Keep", "focus-levels", rater_groups=["self"])
    _answer(store, "cc", 3)
    _answer(store, "keep", 3)
    store.add_action("cc", "Follow up")
    store.save_draft("cc", "half", {})
    gone = store.delete_campaign("cc")
    assert gone.submissions == 3
    for table in ("submissions", "drafts", "actions", "campaigns"):
        with store.engine.connect() as conn:
            col = "id" if table == "campaigns" else "campaign"
            n = conn.execute(sa.text(f"SELECT count(*) FROM {table} WHERE {col} = 'cc'")
                             ).scalar_one()
        assert n == 0, table
    assert _rows(store, "answers", "cc") == 0 and _rows(store, "submissions", "keep") == 3
    with pytest.raises(StoreError, match="no campaign 'cc'"):
        store.campaign("cc")


def test_an_archived_campaign_takes_no_answers(store):
    store.create_campaign("cc", "C", "focus-levels", rater_groups=["self"])
    store.set_status("cc", "archived")
    with pytest.raises(StoreError, match="is archived"):
        _answer(store, "cc", 1)


def test_cli_erase_asks_for_confirmation(sqlite_url, capsys):
    with Store(sqlite_url) as store:
        store.create_campaign("cc", "C", "focus-levels", rater_groups=["self"])
        _answer(store, "cc", 2, code="who")
    assert main(["--db", sqlite_url, "erase", "cc", "--code", "who"]) == 2
    assert "add --yes" in capsys.readouterr().err
    assert main(["--db", sqlite_url, "erase", "cc", "--code", "who", "--yes"]) == 0
    assert "Erased 1 submission" in capsys.readouterr().out
    assert main(["--db", sqlite_url, "campaign", "delete", "cc"]) == 2
    assert main(["--db", sqlite_url, "campaign", "delete", "cc", "--yes"]) == 0


# -- the apps -----------------------------------------------------------------------------------
def _as(monkeypatch, role, name="vera"):
    monkeypatch.setenv("VOILA_PREHEAT", "False")
    monkeypatch.setenv(roles.ROLE_ENV, role)
    monkeypatch.setenv(roles.NAME_ENV, name)


def test_a_viewer_gets_the_plain_for_admins_page(monkeypatch, sqlite_url):
    _as(monkeypatch, "viewer")
    page = admin(sqlite_url)
    assert "For admins" in page.value and "Campaign administration" not in page.value
    monkeypatch.delenv(roles.ROLE_ENV)  # a page whose visitor is unknown: not let in either
    assert "For admins" in admin(sqlite_url).value
    _as(monkeypatch, "admin", "adam")
    board = admin(sqlite_url)
    assert board.state.store.actor == "adam"


def test_the_landing_page_shows_what_the_role_may_open(store):
    store.create_campaign("cc", "C", "focus-levels", rater_groups=["self", "customer"])
    _answer(store, "cc", 6, group="self")
    _answer(store, "cc", 1, group="customer")
    viewer = landing_html(store, "viewer", "vera")
    assert "results.ipynb" in viewer and "admin.ipynb" not in viewer
    assert "Signed in as <b>vera</b> (viewer)" in viewer
    assert "customer 1" not in viewer and " draft" not in viewer  # a group of one stays unsaid
    full = landing_html(store, "admin", "adam")
    assert "admin.ipynb" in full and "customer 1" in full
    assert "For staff" in landing_html(store, None)


def test_admin_page_confirms_erasure_and_says_the_minimum_is_fixed(store):
    state = AdminState(store, base="http://x/", actor="adam")
    state.create("cc", "C", "focus-levels", rater_groups=["self"])
    assert state.set_thresholds("cc", 6, 12).min_group_size == 6
    with pytest.raises(FocuskitError, match="from 3 to 100"):
        state.set_thresholds("cc", 1, 12)
    with pytest.raises(FocuskitError, match="cannot be below the minimum"):
        state.set_thresholds("cc", 6, 4)
    _answer(store, "cc", 1, code="who")
    with pytest.raises(StoreError, match="fixed at the first answer"):
        state.set_thresholds("cc", 7, 12)
    with pytest.raises(FocuskitError, match="type the code a second time"):
        state.erase("cc", "who", "wh0")
    assert store.counts("cc")["submissions"] == 1
    assert state.erase("cc", "who", "who").submissions == 1
    with pytest.raises(FocuskitError, match="type the campaign's id"):
        state.delete("cc", "")
    store.log("refused", None, "=HYPERLINK(\"http://evil\") (role viewer)", actor="?")
    name, data = state.audit_csv()
    assert name.endswith(".csv") and b"adam,erase,cc" in data
    assert b"\"'=HYPERLINK" in data and b",=HYPERLINK" not in data  # runs as no formula
    state.delete("cc", "cc")
    assert [r["action"] for r in state.audit(4)] == ["delete", "export", "refused", "erase"]


def test_a_signed_in_staff_member_is_read_again_from_the_store(store):
    from focuskit.serving.staff_identity import SERVER_KEY, StaffIdentity

    store.add_staff("vera", "viewer")
    door = StaffIdentity()
    door.__dict__["_focuskit_store"] = store
    cookie = door.user_to_cookie(door.user_from_cookie(json.dumps({"username": "vera"})))
    assert json.loads(cookie) == {"username": "vera"}  # the role is not trusted from it
    assert door.user_from_cookie(cookie).role == "viewer"
    store.revoke_staff("vera")
    door.__dict__["_seen"].clear()  # as after a few seconds
    assert door.user_from_cookie(cookie) is None
    assert door.user_from_cookie(json.dumps({"username": "nobody"})) is None
    assert door.user_from_cookie(json.dumps({"username": SERVER_KEY})).role == "admin"


# -- the staff door, for real -------------------------------------------------------------------
@pytest.fixture(scope="module")
def door(voila_module_server, tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('door') / 'door.db'}"
    with Store(url) as store:
        store.create_campaign("door", "Door", "focus-levels", rater_groups=["self"])
        keys = {"vera": store.add_staff("vera", "viewer"), "adam": store.add_staff("adam", "admin")}
    served = voila_module_server(env={"FOCUSKIT_DB_URL": url},
                                 args=("--preheat", "0", "--staff-preheat", "0"))
    return served, keys, url


def _environs() -> list[bytes]:
    """The environment of every process of ours this system shows (Linux)."""
    from pathlib import Path

    out = []
    for p in Path("/proc").glob("[0-9]*/environ"):
        try:
            out.append(p.read_bytes())
        except OSError:  # gone, or not ours
            pass
    return out


def _get(url, headers=None):
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


@pytest.mark.slow
def test_the_staff_door_gives_each_key_its_role(door):
    served, keys, url = door
    render = served.staff + "voila/render/"
    for page in ("admin.ipynb", "analysis.ipynb", "workshop.ipynb"):
        # A viewer's key, even with the role headers forged, opens no admin page.
        status, body = _get(f"{render}{page}?token={keys['vera']}",
                            {"X-Focuskit-Role": "admin", "X-Focuskit-Staff": "adam"})
        assert status == 403 and "For admins" in body and "kernelId" not in body
    status, body = _get(f"{render}admin.ipynb?token={keys['adam']}&campaign=door")
    assert status == 200 and "kernelId" in body
    # The page's kernel knows who asked and with which role, and never sees a key.
    envs = [e for e in _environs() if b"HTTP_X_FOCUSKIT_STAFF=adam" in e]
    assert envs and all(b"HTTP_X_FOCUSKIT_ROLE=admin" in e for e in envs)
    assert all(k.encode() not in e for e in envs for k in (*keys.values(), served.token))
    assert any(b"QUERY_STRING=campaign=door" in e for e in envs)
    status, body = _get(f"{render}index.ipynb?token=0123456789ab.wrong")
    assert status == 403 and "For staff only" in body
    with Store(url) as store:
        log = store.audit_log()
        assert {("vera", "refused"), ("adam", "open"), ("?", "key refused")} <= set(
            zip(log["actor"], log["action"], strict=True))
        store.revoke_staff("adam")
    status, _ = _get(f"{render}admin.ipynb?token={keys['adam']}")
    assert status == 403


async def _try_to_run_code(base: str, notebook: str, key: str, marker) -> bool:
    from tornado.websocket import websocket_connect

    _, body = _get(f"{base}voila/render/{notebook}?token={key}")
    kernel = re.search(r'"kernelId": "([0-9a-f-]+)"', body).group(1)
    ws = await websocket_connect(f"{base.replace('http', 'ws', 1)}api/kernels/{kernel}/"
                                 f"channels?token={key}")

    def msg(kind, content):
        return json.dumps({"header": {"msg_id": uuid.uuid4().hex, "msg_type": kind,
                                      "username": "x", "session": "s", "version": "5.3",
                                      "date": ""}, "parent_header": {}, "metadata": {},
                           "content": content, "channel": "shell", "buffers": []})

    await ws.write_message(msg("execute_request", {
        "code": f"open({str(marker)!r}, 'w').write('x')", "silent": False,
        "store_history": False, "user_expressions": {}, "allow_stdin": False}))
    await ws.write_message(msg("kernel_info_request", {}))
    while True:  # the kernel answers in order: once this reply is here, the code would have run
        got = json.loads(await asyncio.wait_for(ws.read_message(), 60))
        if got["header"]["msg_type"] == "kernel_info_reply":
            break
    ws.close()
    return marker.exists()


@pytest.mark.slow
def test_no_page_can_send_its_kernel_code(door, tmp_path):
    """The role in a kernel's environment holds only while no visitor can run code there:
    Voila passes widget messages only (its kernel manager's allowed_message_types). Guarded
    here, on both doors, because everything in this file rests on it."""
    served, keys, _ = door

    def run(coro):  # in a thread of its own: a browser test may hold this thread's loop
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, coro).result()

    assert not run(_try_to_run_code(served.staff, "index.ipynb", keys["vera"],
                                    tmp_path / "staff"))
    assert not run(_try_to_run_code(served, "take_assessment.ipynb", "none",
                                    tmp_path / "respondent"))


@pytest.mark.browser
@pytest.mark.slow
def test_a_viewer_sees_their_pages_and_for_admins(door, chromium):
    served, keys, _ = door
    from playwright.sync_api import expect

    page = chromium.new_page()
    try:
        page.goto(f"{served.staff}voila/render/index.ipynb?token={keys['vera']}")
        expect(page.locator(".fk-role")).to_have_count(1, timeout=60_000)
        expect(page.locator(".fk-role")).to_contain_text("vera (viewer)")
        expect(page.locator('a[href="results.ipynb"]')).to_have_count(1)
        expect(page.locator('a[href="admin.ipynb"]')).to_have_count(0)
        page.goto(f"{served.staff}voila/render/admin.ipynb")  # the cookie, not the key
        expect(page.locator("h1")).to_have_text("For admins", timeout=60_000)
    finally:
        page.close()


def test_the_dashboards_pdf_report_is_logged(sqlite_url, monkeypatch):
    from focuskit.apps.dashboard import Dashboard, DashboardState
    from focuskit.demo import seed_store
    from focuskit.ui.downloads import pdf_maker

    if pdf_maker() is None:
        pytest.skip("the PDF report is not installed")
    _as(monkeypatch, "viewer", "vera")
    with Store(sqlite_url) as store:
        seed_store(store)
        board = Dashboard(DashboardState(store, "demo-blocks"))
        board.prepare_pdf()
        assert "PDF" in board.pdf_link.value
        line = store.audit_log().iloc[0]
        assert (line.actor, line.action, line.campaign) == ("vera", "export", "demo-blocks")
