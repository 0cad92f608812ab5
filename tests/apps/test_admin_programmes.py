"""The staff page's programmes and waves without a browser: AdminState on a real store
(SQLite, and PostgreSQL where configured: conftest's ``store`` fixture), then the widgets."""

from __future__ import annotations

import threading

import pytest

from focuskit import FocuskitError
from focuskit.apps.admin import Admin, AdminState
from focuskit.links import check_link, parse_link

BASE = "https://survey.example.org/voila/render/take_assessment.ipynb"


@pytest.fixture
def state(store):
    return AdminState(store, base=BASE, actor="ada")


@pytest.fixture
def alder(state):
    state.create("q1", "Leaders, 2026", "focus-levels", organisation="Alder Valley Utilities",
                 min_group_size=3)
    state.create("say", "Say and do, 2026", "say-do", rater_groups=["self", "team"])
    state.create_programme("alder", "Alder Valley assessment", "Alder Valley Utilities")
    return state


def logged(store, action: str) -> list[tuple]:
    log = store.audit_log()
    return [(r.actor, r.campaign, r.detail) for r in log.itertuples() if r.action == action]


# -- programmes -------------------------------------------------------------------------------

def test_create_a_programme_once_however_often_it_is_asked(state, store):
    first = state.create_programme("", "Alder Valley, 2026!", " Alder Valley Utilities ")
    again = state.create_programme("", "Alder Valley, 2026!", "Alder Valley Utilities")
    assert first.created and not again.created
    assert [(p.id, p.title, p.organisation) for p in store.programmes()] == \
        [("alder-valley-2026", "Alder Valley, 2026!", "Alder Valley Utilities")]
    assert [p.id for p in state.programme_rows] == ["alder-valley-2026"]
    assert len(logged(store, "programme new")) == 1 and logged(store, "programme new")[0][0] == "ada"
    assert state.audit_lines[0]["action"] == "programme new"  # the page's log shows it at once


@pytest.mark.parametrize("pid, title, org, match", [
    ("Alder Valley!", "Alder", "Alder Co", "lowercase letters, digits and hyphens.*try 'alder-valley'"),
    ("a", "Alder", "Alder Co", "2 to 64"),
    ("-x-", "Alder", "Alder Co", "try 'x'|2 to 64"),
    ("", "", "Alder Co", "give the programme a title"),
    ("", "!!!", "Alder Co", "no letters or digits"),
    ("alder", "Alder", "  ", "name the organisation"),
])
def test_bad_programmes_are_refused_in_words(state, store, pid, title, org, match):
    with pytest.raises(FocuskitError, match=match):
        state.create_programme(pid, title, org)
    assert store.programmes() == [] and logged(store, "programme new") == []


def test_a_taken_programme_id_is_refused(alder, store):
    with pytest.raises(FocuskitError, match="a programme 'alder' exists already"):
        alder.create_programme("alder", "Another title", "Alder Valley Utilities")
    assert [p.title for p in store.programmes()] == ["Alder Valley assessment"]


def test_add_campaigns_grouped_by_instrument(alder, store):
    assert [i for _, i in alder.unplaced()] == ["say", "q1"]
    assert alder.add_to_programme("alder", "q1") == ["q1"]
    assert alder.add_to_programme("alder", "say") == ["say"]
    assert alder.add_to_programme("alder", "say") == []  # a double click changes nothing
    assert store.programme("alder").campaigns == ("q1", "say")
    (p,) = alder.programme_rows
    assert [(lens.instrument, [[r["id"] for r in ch] for ch in lens.chains])
            for lens in p.lenses] == [("focus-levels", [["q1"]]), ("say-do", [["say"]])]
    assert alder.unplaced() == []
    assert [c for _, c, _ in logged(store, "programme add")] == ["say", "q1"]


def test_a_campaign_in_another_programme_is_refused(alder, store):
    alder.add_to_programme("alder", "q1")
    alder.create_programme("north", "North", "Alder Valley Utilities")
    with pytest.raises(FocuskitError, match=r"q1 is in the programme 'Alder Valley assessment' "
                       r"\(alder\) already.*nothing was changed"):
        alder.add_to_programme("north", "q1")
    assert store.programme("north").campaigns == ()


def test_a_campaign_of_another_organisation_is_not_offered_nor_taken(alder, store):
    alder.create("other", "Elsewhere", "blocks", organisation="Birch Ltd")
    assert "other" in [i for _, i in alder.unplaced()]
    assert "other" not in [i for _, i in alder.unplaced("alder")]
    assert "say" in [i for _, i in alder.unplaced("alder")]  # no organisation named: fine
    alder.create("short", "Short name", "blocks", organisation="alder valley")
    assert "short" in [i for _, i in alder.unplaced("alder")]  # the same, written shorter
    with pytest.raises(FocuskitError, match="one organisation"):
        alder.add_to_programme("alder", "other")


@pytest.mark.parametrize("prog, camp, match", [
    ("", "q1", "create a programme first"), ("alder", "", "pick a campaign"),
    ("nope", "q1", "no programme 'nope'"), ("alder", "nope", "no campaign")])
def test_bad_additions(alder, prog, camp, match):
    with pytest.raises(FocuskitError, match=match):
        alder.add_to_programme(prog, camp)


# -- waves ------------------------------------------------------------------------------------

def test_new_wave_repeats_the_campaign_and_is_picked(alder, store):
    alder.add_to_programme("alder", "q1")
    alder.set_status("q1", "closed")  # a year on, the first wave is closed: allowed
    made = alder.new_wave("q1", "Leaders, 2027")
    w2 = store.campaign("q1-w2")
    assert made.created and made.campaign.id == "q1-w2" and alder.chosen == "q1-w2"
    assert (w2.previous, w2.wave, w2.programme, w2.status, w2.min_group_size,
            w2.instrument.version, w2.rater_groups) == (
        "q1", 2, "alder", "open", 3, store.campaign("q1").instrument.version,
        store.campaign("q1").rater_groups)
    (lens,) = alder.programme_rows[0].lenses
    assert [[r["id"] for r in ch] for ch in lens.chains] == [["q1", "q1-w2"]]
    assert logged(store, "wave")[0][:2] == ("ada", "q1-w2")
    # Its links are signed for the new wave, one per rater group.
    rows = alder.links("q1-w2")
    assert {parse_link(r.url.split("?", 1)[1]).campaign for r in rows} == {"q1-w2"}
    assert all(check_link(store.link_secret(), parse_link(r.url.split("?", 1)[1])) == "shared"
               for r in rows)
    assert [r.group for r in rows] == list(w2.rater_groups)


def test_the_same_wave_request_twice_makes_one_wave(alder, store):
    first = alder.new_wave("q1", "Leaders, 2027", "leaders-2027")
    again = alder.new_wave("q1", "Leaders, 2027", "leaders-2027")  # a double click
    assert first.created and not again.created and again.campaign.id == "leaders-2027"
    assert [c.id for c in store.waves("q1")] == ["q1", "leaders-2027"]


def test_a_second_tab_cannot_fork_the_waves(alder, store):
    other_tab = AdminState(store, base=BASE, actor="bea")  # opened before the wave was made
    alder.new_wave("q1", "Leaders, 2027")
    with pytest.raises(FocuskitError, match=r"q1 has its next wave already, q1-w2 "
                       r"\(Leaders, 2027\)\. Nothing was made"):
        other_tab.new_wave("q1", "Leaders 2027 (second try)")
    assert "q1-w2" in [r["id"] for r in other_tab.campaign_rows]  # the refusal shows it
    assert [c.id for c in store.waves("q1")] == ["q1", "q1-w2"]
    assert len(logged(store, "wave")) == 1


def test_two_tabs_at_the_same_moment_make_one_wave(alder, store, db_url):
    from focuskit import Store

    stores = [Store(db_url), Store(db_url)]
    tabs = [AdminState(s, base=BASE) for s in stores]
    start, got = threading.Barrier(2), []

    def click(tab, title):
        start.wait()
        try:
            got.append(tab.new_wave("q1", title).campaign.id)
        except FocuskitError as e:
            got.append(str(e))

    threads = [threading.Thread(target=click, args=(t, f"Tab {n}")) for n, t in enumerate(tabs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for s in stores:
        s.close()
    made, refused = sorted(got, key=len)  # one wave made, the other click refused in words
    assert made == "q1-w2" and "next wave already" in refused, got
    assert [c.id for c in store.waves("q1")] == ["q1", "q1-w2"]


def test_waves_follow_the_latest_one(alder, store):
    alder.new_wave("q1", "Wave two")
    alder.new_wave("q1-w2", "Wave three")
    assert [(c.id, c.wave) for c in store.waves("q1")] == [("q1", 1), ("q1-w2", 2),
                                                           ("q1-w3", 3)]
    assert alder.default_wave_id(store.campaign("q1-w3")) == "q1-w4"
    with pytest.raises(FocuskitError, match="the latest wave is q1-w3"):
        alder.new_wave("q1", "Another second wave")
    # Adding any wave to a programme brings the whole chain.
    assert alder.add_to_programme("alder", "q1-w2") == ["q1", "q1-w2", "q1-w3"]


@pytest.mark.parametrize("title, wid, match", [
    ("  ", "", "give the new wave a title"),
    ("Next", "Q1 2027", "wave id 'Q1 2027'.*try 'q1-2027'"),
    ("Next", "say", "a campaign 'say' exists already"),
])
def test_bad_waves_are_refused_in_words(alder, store, title, wid, match):
    with pytest.raises(FocuskitError, match=match):
        alder.new_wave("q1", title, wid)
    assert [c.id for c in store.waves("q1")] == ["q1"] and logged(store, "wave") == []


def test_an_id_too_long_for_the_wave_asks_for_one(state, store):
    state.create("x" * 62, "Long", "blocks")  # no room left for "-w2"
    with pytest.raises(FocuskitError, match="longer than 64 characters: type a shorter one "
                       "under Id"):
        state.new_wave("x" * 62, "Next")
    assert state.new_wave("x" * 62, "Next", "long-w2").campaign.previous == "x" * 62


# -- the widgets (SQLite is enough: the state above runs on both) ----------------------------

@pytest.fixture
def page(tmp_path):
    from focuskit import Store

    s = Store(f"sqlite:///{tmp_path / 'admin.db'}")
    st = AdminState(s, base=BASE)
    st.create("q1", "Leaders, 2026", "focus-levels", min_group_size=3)
    yield Admin(st)
    s.close()


def test_programme_card_by_clicking(page):
    assert "No programmes yet" in page.programmes_table.value and page.add_btn.disabled
    page.prog_title.value = "<b>Alder</b> Valley"
    page.prog_org.value = "Alder Valley Utilities"
    page.prog_btn.click()
    page.prog_btn.click()
    assert "Created: programme b-alder-b-valley" in page.prog_msg.value
    assert [p.id for p in page.state.store.programmes()] == ["b-alder-b-valley"]
    assert "&lt;b&gt;Alder" in page.programmes_table.value  # typed text stays text
    assert page.add_camp.options == (("Leaders, 2026 (q1)", "q1"),) and not page.add_btn.disabled
    page.add_btn.click()
    assert "Added q1 to b-alder-b-valley" in page.add_msg.value
    assert page.add_camp.options == () and page.add_btn.disabled
    assert "every campaign is in a programme already" in page.add_note.value
    assert page.add_camp_field.layout.display == page.add_row.layout.display == "none"
    assert "<b>q1</b>" in page.programmes_table.value


def test_new_wave_dialog_shows_the_new_links(page):
    assert page.wave_box.layout.display == "none"
    page.wave_btn.click()
    assert page.wave_box.layout.display == "" and page.wave_title.value == "Leaders, 2026, wave 2"
    assert page.wave_id.placeholder == "left blank: q1-w2"
    page.wave_go.click()
    page.wave_go.click()  # queued behind the first: nothing more
    assert [c.id for c in page.state.store.waves("q1")] == ["q1", "q1-w2"]
    assert page.current == "q1-w2" and page.wave_box.layout.display == ""
    assert "Created: q1-w2" in page.wave_msg.value and "Already" not in page.wave_msg.value
    links = [c for c in page.wave_links.children if "fk-field" in c._dom_classes]
    urls = [b.children[1].value for b in links if b.children[1].__class__.__name__ == "Text"]
    assert len(urls) == 5 and all("campaign=q1-w2" in u for u in urls)
    assert page.wave_form.layout.display == "none" and page.wave_done.layout.display == ""
    # On the first wave again, the dialog says where the next one is and makes nothing.
    page.picker.value = "q1"
    assert page.wave_box.layout.display == "none"
    page.wave_btn.click()
    assert page.wave_form.layout.display == "none"
    assert "q1 was repeated already as q1-w2" in page.wave_msg.value
    assert page.wave_latest.description == "Start the wave after q1-w2"
    page.wave_latest.click()
    assert page.current == "q1-w2" and page.wave_form.layout.display == ""
    assert page.wave_title.value == "Leaders, 2026, wave 3"
    assert page.wave_id.placeholder == "left blank: q1-w3"


def test_a_refused_wave_keeps_what_was_typed(page):
    page.wave_btn.click()
    page.wave_title.value = ""
    page.wave_id.value = "Bad Id"
    page.wave_go.click()
    assert "fk-err" in page.wave_msg.value and "give the new wave a title" in page.wave_msg.value
    assert page.wave_id.value == "Bad Id" and page.current == "q1"
