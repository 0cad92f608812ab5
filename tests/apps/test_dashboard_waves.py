"""The dashboard over waves, without a browser: the trend on the Levels tab (drawn only when
asked for, never before the first plot) and the action register (an admin edits it, a viewer
reads it), on the demo's two waves."""

import importlib.util
from datetime import date, timedelta

import pandas as pd
import pytest

from focuskit import Store
from focuskit.apps.dashboard import Dashboard, DashboardState
from focuskit.apps.roles import ROLE_ENV
from focuskit.demo import benchmark_rows, seed_store
from focuskit.errors import FocuskitError

TREND_WORDS = importlib.util.find_spec("focuskit.findings.trend") is not None


@pytest.fixture(scope="module")
def demo():
    store = Store("sqlite:///:memory:")
    seed_store(store)
    yield store
    store.close()


@pytest.fixture
def state(demo):
    return DashboardState(demo, "demo-focus-levels", base=pd.DataFrame(benchmark_rows()))


def _switch(board):
    return next((c for c in board.panel.children if "fk-trend-switch" in c._dom_classes), None)


def test_the_chain_is_read_only_when_asked(state):
    # A first plot reads the picked wave's answers and nothing of the other waves.
    assert state._chain is None
    assert [c.id for c in state.waves] == ["demo-focus-levels", "demo-focus-levels-w2"]
    assert state.has_trend()
    assert "frames" not in state._chain and "trend" not in state._chain


def test_the_trend_covers_every_wave_and_keeps_the_picked_answers(state):
    data = state.trend()
    assert sorted(data["wave"].unique()) == [1, 2]
    assert set(data["campaign"]) == {"demo-focus-levels", "demo-focus-levels-w2"}
    assert state.wave_frames()[0] is state.frame  # the picked wave is not read twice
    second = data[data["wave"] == 2]
    assert set(second["verdict"]) <= {"improved", "declined", "no clear change", "cannot tell"}
    assert state.trend() is data  # kept while the answers stay the same


def test_one_wave_has_no_trend_and_no_switch(tmp_path):
    with Store(f"sqlite:///{tmp_path / 'one.db'}") as store:
        store.create_campaign("alone", "One wave", "focus-levels")
        s = DashboardState(store, "alone")
        assert not s.has_trend() and s.trend() is None and s.trend_findings() == []
        board = Dashboard(s)
        assert _switch(board) is None


def test_the_trend_is_drawn_when_switched_on_not_before(state):
    board = Dashboard(state)
    switch = _switch(board)
    assert switch is not None and "2 waves" in switch.description
    assert "trend" not in state._chain and board.trend_redraws == 0  # the first plot only
    switch.value = True
    assert board.trend_redraws == 1
    box = board._trend["box"]
    assert "What changed over 2 waves" in box.children[0].value
    if not TREND_WORDS:  # the findings and plots of the trend are not installed yet
        assert "not available" in box.children[1].value
        return
    plots = [c for c in box.children if "fk-plotbox" in c._dom_classes]
    assert plots, "then and now"
    # A rater group picked: the trend is drawn again for that group, while on.
    state.set_filters(rater_group="customer")
    assert board.trend_redraws == 2 and "customers" in box.children[0].value.lower()
    switch.value = False
    assert box.children == ()


@pytest.mark.skipif(not TREND_WORDS, reason="focuskit.findings.trend not installed yet")
def test_trend_findings_are_the_findings_engines(state):
    from focuskit.findings.trend import since_words, trend_findings

    found = state.trend_findings()
    since = since_words(state.wave_frames())
    assert [f.sentence for f in found] == [f.sentence for f in
                                           trend_findings(state.trend(), state.inst, since=since)]
    # The demo's waves are a year apart: the dashboard words them as the programme page does.
    assert since == "a year ago" and any("a year ago" in f.sentence for f in found)


def test_an_admin_edits_the_register_of_every_wave(demo, state, monkeypatch):
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)  # a local user: an admin
    board = Dashboard(state)
    board.select("actions")
    register = board._actions["register"]
    assert register.editable
    assert {a["campaign"] for a in register.rows} <= {"demo-focus-levels", "demo-focus-levels-w2"}
    assert any(a["overdue"] for a in register.rows)
    view = board._actions["view"]
    assert "overdue" in view.head.value
    before = len(register.rows)
    register.add("demo-focus-levels-w2", "Visit ten small businesses", owner="Dana",
                 due=date.today() + timedelta(days=30), link="item:contact")
    assert len(register.rows) == before + 1
    assert any(a["title"] == "Visit ten small businesses" for a in demo.actions(
        "demo-focus-levels-w2"))


def test_a_viewer_reads_the_register_and_cannot_change_it(state, monkeypatch):
    monkeypatch.setenv("VOILA_PREHEAT", "True")
    monkeypatch.setenv(ROLE_ENV, "viewer")
    board = Dashboard(state)
    board.select("actions")
    register, view = board._actions["register"], board._actions["view"]
    assert not register.editable and not hasattr(view, "form")
    with pytest.raises(FocuskitError, match="read the actions"):
        register.close(register.rows[0]["id"])


@pytest.mark.skipif(not TREND_WORDS, reason="focuskit.findings.trend not installed yet")
def test_each_action_says_whether_it_worked(state, monkeypatch):
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    board = Dashboard(state)
    board.select("actions")
    register = board._actions["register"]
    assert register.effects, "the demo's actions have a next wave"
    html = " ".join(board._actions["view"].card_html(a) for a in register.rows)
    assert "Did it work?" in html


def test_the_actions_tab_needs_no_figure(tmp_path):
    with Store(f"sqlite:///{tmp_path / 'x.db'}") as store:
        store.create_campaign("empty-round", "Nobody yet", "blocks")
        board = Dashboard(DashboardState(store))
        board.select("actions")
        assert "No actions yet" in board._actions["view"].head.value


def test_waves_trend_and_register_on_each_backend(store):
    """The same on SQLite and PostgreSQL: a wave made with Store.create_wave, picked on the
    dashboard, shows both waves' trend and writes to the register of the chain."""
    from conftest import full_answers

    first = store.create_campaign("pulse", "Pulse", "focus-levels", rater_groups=["self"])
    for k in range(6):
        store.submit("pulse", full_answers(first.instrument, 2), rater_group="self",
                     respondent=f"a{k}")
    second = store.create_wave("pulse", title="Pulse, a year on")
    for k in range(6):
        store.submit(second.id, full_answers(first.instrument, 4), rater_group="self",
                     respondent=f"b{k}")
    s = DashboardState(store, second.id)
    assert [c.id for c in s.waves] == ["pulse", second.id] and s.has_trend()
    data = s.trend()
    assert set(data.loc[data["wave"] == 2, "verdict"]) <= {"improved", "cannot tell"}
    register = s.actions(editable=True, actor="test")
    register.add("pulse", "Share the results", link="item:data")
    assert [a["title"] for a in store.actions("pulse")] == ["Share the results"]
    assert s.action_effects(register.rows).keys() == {register.rows[0]["id"]}
