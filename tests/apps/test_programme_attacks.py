"""Attacks on the programme page, the action register, the admin page's programme and wave
controls and the programme report, tried as a hostile respondent or admin typing markup, a
curious viewer reaching for controls their key does not give, and a careless admin with a
hand-edited database. Each test tries one and expects it to fail."""

import shutil
import subprocess
import time
import urllib.error
import urllib.request
from datetime import UTC, date, datetime

import ipywidgets as w
import pytest
from conftest import full_answers
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from focuskit.apps.admin import Admin, AdminState
from focuskit.apps.dashboard import Dashboard, DashboardState
from focuskit.apps.landing import landing_html
from focuskit.apps.programme import Programme, ProgrammeState
from focuskit.apps.roles import ADMIN, ROLE_ENV, VIEWER
from focuskit.errors import FocuskitError
from focuskit.findings.programme import summary
from focuskit.report.programme import programme_html, programme_pdf
from focuskit.ui.actions import ActionRegister

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
BASE = "https://survey.example.org/voila/render/take_assessment.ipynb"
EVIL = "<img src=x onerror=alert(1)><script>alert(2)</script>\"' & costs $5 to $10"
RAW = ("<img src=x", "<script>alert")


def html_in(widget) -> list[str]:
    """Every piece of markup a widget tree hands the browser: HTML values, HTML descriptions
    and what its Outputs display (HTML and JavaScript)."""
    out = []
    if isinstance(widget, (w.HTML, w.HTMLMath)):
        out.append(widget.value)
    if getattr(widget, "description_allow_html", False):
        out.append(widget.description)
    if isinstance(widget, w.Output):
        for o in widget.outputs:
            data = o.get("data", {})
            out += [str(data.get(k, "")) for k in ("text/html", "application/javascript")]
    for child in getattr(widget, "children", ()) or ():
        out += html_in(child)
    return out


def widgets_in(widget) -> list:
    out = [widget]
    for child in getattr(widget, "children", ()) or ():
        out += widgets_in(child)
    return out


def assert_inert(pieces, where):
    joined = "\n".join(pieces)
    for bad in RAW:
        assert bad not in joined, f"{where}: {bad!r} reaches the page as markup"


def answer(store, campaign, n, value=3, group="self"):
    inst = store.campaign(campaign).instrument
    for i in range(n):
        store.submit(campaign, full_answers(inst, 2 + (i + value) % 3), rater_group=group,
                     respondent=f"{campaign}-{i}", idempotency_key=f"{campaign}-{i}")


@pytest.fixture
def hostile(store):
    """A programme where everything a person types is markup: campaign, wave, programme,
    organisation, action and owner."""
    store.create_campaign("fl", EVIL, "focus-levels", rater_groups=["self"],
                          organisation=EVIL)
    answer(store, "fl", 6)
    store.create_wave("fl", title=EVIL)
    answer(store, "fl-w2", 6, value=4)
    store.create_programme("prog", EVIL, organisation=EVIL)
    store.add_to_programme("prog", "fl")
    store.add_action("fl", EVIL, owner=EVIL, item="data", due=date(2026, 1, 1))
    store.add_action("fl-w2", EVIL, owner=EVIL, section="information")
    return store


# -- markup typed by one person, shown to others --------------------------------------------
@pytest.mark.parametrize("editable", [True, False])
def test_typed_markup_stays_text_on_the_programme_page(hostile, editable):
    page = Programme(ProgrammeState(hostile, "prog", now=NOW), editable=editable)
    page.complete()
    pieces = html_in(page.widget)
    assert_inert(pieces, "programme page")
    assert any("&lt;img src=x" in p for p in pieces)  # the title was shown, as text
    if editable:  # the edit form puts the title in its heading
        view = page.register_view
        view.start_edit(page.register.rows[0]["id"])
        assert_inert(html_in(view.widget), "the register's edit form")


def test_typed_markup_stays_text_on_the_landing_page(hostile):
    for role in (ADMIN, VIEWER):
        page = landing_html(hostile, role)
        assert_inert([page], f"landing page ({role})")
        assert "&lt;img src=x" in page


def test_typed_markup_stays_text_on_the_admin_page(hostile):
    page = Admin(AdminState(hostile, base=BASE))
    for cid in ("fl", "fl-w2"):
        page.picker.value = cid
        page.wave_btn.click()
        assert_inert(html_in(page.widget), f"admin page, {cid} picked")
    page.prog_title.value = page.prog_org.value = EVIL
    page.prog_id.value = "second"
    page.prog_btn.click()
    assert "Created" in page.prog_msg.value
    assert_inert(html_in(page.widget), "admin page, a programme just made")


def test_typed_markup_stays_text_on_the_dashboard_actions_tab(hostile):
    board = Dashboard(DashboardState(hostile, "fl-w2"))
    board.select("actions")
    assert_inert(html_in(board.widget), "dashboard, Actions tab")
    board.select("levels")
    assert_inert(html_in(board.widget), "dashboard, Levels tab with its trend")


def test_typed_markup_stays_text_in_the_programme_report(hostile):
    page = programme_html(hostile, "prog")
    body = page.split("<body", 1)[1]
    assert_inert([body.split("src='data:image", 1)[0], page.split("<style>", 1)[0]],
                 "programme report (HTML)")
    assert "costs $5 to $10" in page  # the dollars are kept, not read as mathematics


# -- a viewer reaching for what their key does not give ---------------------------------------
def test_a_viewer_gets_no_control_over_actions_on_the_programme_page(hostile, monkeypatch):
    monkeypatch.setenv("VOILA_PREHEAT", "True")
    monkeypatch.setenv(ROLE_ENV, VIEWER)
    page = Programme(ProgrammeState(hostile, "prog", now=NOW))
    page.complete()
    before = [dict(a) for a in hostile.programme_actions("prog")]
    parts = widgets_in(page.widget)
    classes = {c for x in parts for c in getattr(x, "_dom_classes", ())}
    assert not classes & {"fk-acts-edit", "fk-acts-close", "fk-acts-save", "fk-acts-form"}
    assert not [x for x in parts if isinstance(x, (w.Text, w.DatePicker, w.Textarea))]
    # What the browser can send is widget messages to these widgets: every button a viewer
    # has, clicked, and every value it can set, set, changes no action.
    for x in parts:
        if isinstance(x, w.Button):
            x.click()
        if isinstance(x, w.Dropdown) and x.options:
            x.value = x.options[-1][1] if isinstance(x.options[-1], tuple) else x.options[-1]
    # The state refuses whatever a crafted message might call, as the viewer.
    reg = page.register
    with pytest.raises(FocuskitError, match="read the actions"):
        reg.close(reg.rows[0]["id"])
    with pytest.raises(FocuskitError, match="read the actions"):
        reg.edit(reg.rows[0]["id"], title="Taken over")
    with pytest.raises(FocuskitError, match="read the actions"):
        reg.add("fl", "Mine now")
    assert [dict(a) for a in hostile.programme_actions("prog")] == before
    # No admin controls either: the missing lenses offer no link to the admin page.
    assert "admin.ipynb" not in "".join(html_in(page.widget))


def test_a_prepared_kernel_given_to_a_viewer_gives_them_no_form(hostile, monkeypatch):
    # Prepared before anyone came (no role yet), then handed to a viewer.
    monkeypatch.setenv("VOILA_PREHEAT", "True")
    monkeypatch.delenv(ROLE_ENV, raising=False)
    page = Programme(ProgrammeState(hostile, "prog", now=NOW))
    page.complete()
    monkeypatch.setenv(ROLE_ENV, VIEWER)
    from focuskit.apps.roles import staff

    page.admin, page.actor = staff().admin, staff().name
    page.visit(None)
    assert not page.register.editable
    assert not [x for x in widgets_in(page.widget) if isinstance(x, w.Text)]


def test_an_action_from_another_programme_cannot_be_reached_through_this_register(hostile):
    hostile.create_campaign("other", "Other", "focus-levels", rater_groups=["self"])
    theirs = hostile.add_action("other", "Not yours")
    reg = ActionRegister(hostile, programme="prog", editable=True, actor="mallory")
    with pytest.raises(FocuskitError, match="not in this register"):
        reg.close(theirs)
    with pytest.raises(FocuskitError, match="campaign of this register"):
        reg.add("other", "Planted")
    assert hostile.actions("other")[0]["status"] == "open"


# -- huge or odd input in the new forms ------------------------------------------------------
def test_huge_and_odd_input_is_refused_in_words(hostile):
    st = AdminState(hostile, base=BASE)
    for title in ("x" * 100_000, "a\x00b", "\ud800"):
        with pytest.raises(FocuskitError):
            st.create_programme("", title, "Org")
        with pytest.raises(FocuskitError):
            st.new_wave("fl-w2", title)
    assert [p.id for p in hostile.programmes()] == ["prog"]
    assert [c.id for c in hostile.waves("fl")] == ["fl", "fl-w2"]
    reg = ActionRegister(hostile, programme="prog", editable=True, actor="admin")
    n = len(reg.rows)
    for title, owner in (("x" * 5_000_000, ""), ("ok", "o" * 10_000), ("a\x00b", ""),
                         ("   ", ""), ("ok", "\ud800")):
        with pytest.raises((FocuskitError, ValueError)):
            reg.add("fl-w2", title, owner=owner)
    with pytest.raises(FocuskitError):
        reg.add("fl-w2", "ok", link="item:../../etc")
    with pytest.raises(FocuskitError):
        reg.add("fl-w2", "ok", due="2026-01-01")
    reg.reload()
    assert len(reg.rows) == n


def test_a_huge_value_sent_into_the_register_form_stores_nothing(hostile):
    page = Programme(ProgrammeState(hostile, "prog", now=NOW), editable=True)
    view = page.register_view
    before = len(hostile.programme_actions("prog"))
    view.f_title.set_state({"value": "<b>x</b>" * 1_000_000})  # as a widget message would
    view.f_save.click()
    assert "under 300 characters" in view.msg.value
    assert len(hostile.programme_actions("prog")) == before


# -- a careless admin's database -------------------------------------------------------------
def test_a_wave_chain_with_a_cycle_does_not_hang_or_break_the_pages(hostile):
    with hostile.engine.begin() as conn:  # a hand edit: fl says it follows fl-w2
        conn.execute(text("UPDATE campaigns SET previous = 'fl-w2' WHERE id = 'fl'"))
    started = time.perf_counter()
    ids = [c.id for c in hostile.waves("fl")]
    assert sorted(ids) == ["fl", "fl-w2"] and len(ids) == 2
    assert sorted(c.id for c in hostile.waves("fl-w2")) == ["fl", "fl-w2"]
    s = summary(hostile, "prog", now=NOW)
    assert s.lenses
    page = Programme(ProgrammeState(hostile, "prog", now=NOW), editable=True)
    page.complete()
    board = Dashboard(DashboardState(hostile, "fl-w2"))
    board.select("actions")
    board.select("levels")
    assert time.perf_counter() - started < 60


def test_a_programme_with_no_campaigns(store):
    store.create_programme("empty", "Nothing yet", organisation="Alder")
    s = summary(store, "empty", now=NOW)
    assert all(x.missing for x in s.lenses)
    page = Programme(ProgrammeState(store, "empty", now=NOW), editable=False)
    page.complete()
    assert "No campaign yet" in "".join(html_in(page.widget))
    assert "Nothing yet" in programme_html(store, "empty")
    assert "Nothing yet" in landing_html(store, VIEWER)


def test_a_programme_of_two_hundred_campaigns(tmp_path):
    from focuskit import Store

    with Store(f"sqlite:///{tmp_path / 'many.db'}") as store:
        store.create_programme("big", "Big", organisation="Alder")
        for i in range(200):
            cid = f"c{i:03d}"
            store.create_campaign(cid, f"Campaign {i}", "focus-levels", rater_groups=["self"],
                                  organisation="Alder")
            store.add_to_programme("big", cid)
        answer(store, "c007", 5)
        started = time.perf_counter()
        page = Programme(ProgrammeState(store, "big", now=NOW), editable=True)
        page.complete()
        took = time.perf_counter() - started
        # The lens reads the newest chain of its instrument (summary's rule); the page is whole.
        assert "Where we stand" in "".join(html_in(page.widget))
        assert len(page.register.campaign_ids()) == 200
        assert landing_html(store, ADMIN).count("fk-prog-link") == 1
        assert took < 60, took


# -- the respondent's door -------------------------------------------------------------------
@pytest.mark.browser
@pytest.mark.slow
def test_the_respondent_door_does_not_serve_the_programme_page(voila_module_server):
    served = voila_module_server()
    for path in ("voila/render/programme.ipynb",
                 "voila/render/programme.ipynb?programme=demo-alder-valley",
                 "voila/render/take_assessment.ipynb/../programme.ipynb",
                 "voila/render/%70rogramme.ipynb", "voila/files/programme.ipynb",
                 "voila/render/./programme.ipynb"):
        try:
            with urllib.request.urlopen(served + path, timeout=120) as r:
                status, body = r.status, r.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            status, body = e.code, e.read().decode("utf-8", "replace")
        assert status == 404, (path, status)
        assert "Programme" not in body and "Alder Valley" not in body, path



def test_an_action_on_a_wave_without_answers_breaks_no_page(store):
    # The register's form offers the newest wave first; an admin adds an action there the
    # day the wave opens. Every page showing actions once refused them all.
    store.create_campaign("fl", "Levels", "focus-levels", rater_groups=["self"],
                          organisation="Alder")
    answer(store, "fl", 6)
    store.create_wave("fl", title="Next year")
    store.create_programme("prog", "Alder", organisation="Alder")
    store.add_to_programme("prog", "fl")
    store.add_action("fl", "Share the data", item="data")
    page = Programme(ProgrammeState(store, "prog", now=NOW), editable=True)
    view = page.register_view
    assert view.f_campaign.value == "fl-w2"
    view.f_title.value = "Visit ten customers"
    view.f_link.value = "item:contact"
    view.f_save.click()
    assert [a["campaign"] for a in store.programme_actions("prog")] == ["fl", "fl-w2"]
    page.refresh()
    page.complete()
    assert "could not be worked out" not in "".join(html_in(page.widget))
    effects = {a["title"]: a["effect"] for a in summary(store, "prog", now=NOW).actions}
    assert effects["Share the data"] is not None  # "no later wave yet" (wave 2 is empty)
    board = Dashboard(DashboardState(store, "fl-w2"))
    board.select("actions")
    assert "Visit ten customers" in "".join(html_in(board.widget))
    assert "Visit ten customers" in programme_html(store, "prog")


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext")
def test_typed_dollars_and_markup_print_as_typed_in_the_programme_pdf(hostile, tmp_path):
    path = tmp_path / "p.pdf"
    path.write_bytes(programme_pdf(hostile, "prog"))
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                         check=True).stdout
    flat = " ".join(out.split())
    assert "costs $5 to $10" in flat  # not "costs 5to10" (mathtext)
    assert "<img src=x" in flat  # printed as the text it is


def test_a_programme_asked_for_in_the_address_is_named_as_text(hostile):
    page = Programme(ProgrammeState(hostile, "prog", now=NOW), editable=False)
    page.visit("<script>alert(1)</script>")
    assert "&lt;script&gt;" in page.note.value and "<script>" not in page.note.value
    page.visit("x" * 100_000)
    assert len(page.note.value) < 1_000


def test_a_key_without_a_staff_role_sees_no_programme(hostile):
    page = landing_html(hostile, None)
    assert "programme.ipynb" not in page and "&lt;img" not in page


def test_a_hand_edited_link_to_another_questionnaire_breaks_no_page(store):
    store.create_campaign("fl", "Levels", "focus-levels", rater_groups=["self"],
                          organisation="Alder")
    store.create_campaign("bl", "Blocks", "blocks", rater_groups=["self"], organisation="Alder")
    answer(store, "fl", 6)
    answer(store, "bl", 6)
    store.create_programme("prog", "Alder", organisation="Alder")
    store.add_to_programme("prog", "fl")
    store.add_to_programme("prog", "bl")
    store.add_action("fl", "Share the data", item="data")
    with store.engine.begin() as conn:  # "bl follows fl", typed into the database by hand
        conn.execute(text("UPDATE campaigns SET previous = 'fl', wave = 2 WHERE id = 'bl'"))
    assert [c.id for c in store.waves("fl")] == ["fl"]
    assert [c.id for c in store.waves("bl")] == ["bl"]
    page = Programme(ProgrammeState(store, "prog", now=NOW), editable=True)
    page.complete()
    assert "could not be worked out" not in "".join(html_in(page.widget))
    for cid in ("fl", "bl"):
        board = Dashboard(DashboardState(store, cid))
        board.select("actions")
        board.select("levels")
    assert "Share the data" in programme_html(store, "prog")


def test_a_hand_edited_fork_in_the_waves_is_refused_by_the_database(hostile):
    hostile.create_campaign("fork", "Fork", "focus-levels", rater_groups=["self"],
                            organisation=EVIL)
    with pytest.raises(IntegrityError), hostile.engine.begin() as conn:
        # two campaigns both saying they follow fl: the schema holds one next wave each
        conn.execute(text("UPDATE campaigns SET previous = 'fl', wave = 2 WHERE id = 'fork'"))
    assert [c.id for c in hostile.waves("fl")] == ["fl", "fl-w2"]


def test_a_viewer_opening_the_admin_page_gets_no_programme_or_wave_control(hostile, db_url,
                                                                           monkeypatch):
    from focuskit.apps.admin import admin

    monkeypatch.setenv("VOILA_PREHEAT", "True")
    monkeypatch.setenv(ROLE_ENV, VIEWER)
    page = admin(db_url)
    assert isinstance(page, w.HTML) and "admins only" in page.value
    assert "prog" not in page.value and "&lt;img" not in page.value
