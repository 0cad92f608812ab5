"""The executive dashboard's state and view, without a browser, on the demo data in memory."""

import io

import pandas as pd
import pytest

from focuskit import Store
from focuskit.apps.dashboard import ALL, DashboardState
from focuskit.apps.dashboard.tabs import TABS
from focuskit.demo import benchmark_rows, seed_store
from focuskit.ui.downloads import data_link, pdf_maker

TAB_KEYS = [t.key for t in TABS]


@pytest.fixture(scope="module")
def demo():
    store = Store("sqlite:///:memory:")
    seed_store(store)
    yield store
    store.close()


@pytest.fixture(scope="module")
def base():
    return pd.DataFrame(benchmark_rows())


@pytest.fixture
def state(demo, base):
    return DashboardState(demo, base=base)


@pytest.fixture
def board(state):
    from focuskit.apps.dashboard import Dashboard

    return Dashboard(state)


def _text(board) -> str:
    return " ".join(c.value for c in board.panel.children if isinstance(getattr(c, "value", None), str))


def _plots(board) -> list:
    return [c.children[0] for c in board.panel.children if hasattr(c, "children")]


def test_defaults_to_the_demo_focus_levels_campaign(state, demo):
    assert state.campaign_id == "demo-focus-levels"
    assert {c.id for c in state.campaigns} == {c.id for c in demo.campaigns()}
    assert state.segment == ALL and state.rater_group == ALL and state.where is None


def test_newest_campaign_without_the_demo(tmp_path):
    with Store(f"sqlite:///{tmp_path / 'x.db'}") as store:
        store.create_campaign("first-round", "First", "say-do")
        store.create_campaign("second-round", "Second", "blocks")
        s = DashboardState(store)
        assert s.campaign_id == store.campaigns()[0].id


def test_a_campaign_without_answers_renders(tmp_path):
    from focuskit.apps.dashboard import Dashboard

    with Store(f"sqlite:///{tmp_path / 'x.db'}") as store:
        store.create_campaign("empty-round", "Nobody yet", "focus-levels")
        board = Dashboard(DashboardState(store))
        for key in TAB_KEYS:
            board.select(key)
        assert {t: v for t, v, _ in board.state.cards()}["Respondents"] == "0"


@pytest.mark.parametrize("campaign,tabs", [
    ("demo-focus-levels", ["levels", "agreement", "outside", "benchmark", "next"]),
    ("demo-say-do", ["saydo", "benchmark", "next"]),
    ("demo-expectations", ["priorities", "next"]),
    ("demo-blocks", ["blocks", "next"]),
    ("demo-external-focus", ["outside"]),
    ("demo-contact-review", ["contact"]),
])
def test_tabs_that_apply_to_each_instrument(state, campaign, tabs):
    state.pick(campaign)
    assert state.tabs == tabs
    assert [k for k in TAB_KEYS if state.applies(k)] == tabs


def test_overview_cards_for_the_focus_levels_campaign(state):
    cards = {t: (v, d) for t, v, d in state.cards()}
    assert cards["Respondents"][0] == "60"
    assert "customer 40" in cards["Respondents"][1] and "self 8" in cards["Respondents"][1]
    assert cards["Benchmark quartile"][0] in {"Q1", "Q2", "Q3", "Q4"}
    assert "Contact" in cards["Largest gap"][1]  # the demo's blind spot
    assert "Data" in cards["Largest disagreement"][1]  # the leaders split on data
    assert "Overall level (leaders)" in cards


def test_every_tab_of_every_campaign_renders(board, state):
    for camp in state.campaigns:
        board.pick(camp.id)
        for key in TAB_KEYS:
            board.select(key)
            if state.applies(key):
                assert _plots(board) or "Three things" in _text(board), (camp.id, key)
                # a PNG with alt text saying what the plot shows (issue 11)
                assert all('src="data:image/png;base64,iVBORw0KGgo' in p.value
                           and 'alt="Chart' in p.value for p in _plots(board))
            else:
                assert "This campaign asks about" in _text(board)
                assert "campaign for the" in _text(board)
                assert not _plots(board)


def test_tabs_render_lazily_and_once(board):
    assert list(board.rendered) == ["levels"]  # only the first tab is drawn at start
    board.select("agreement")
    first = board.rendered["agreement"]
    board.select("levels")
    board.select("agreement")
    assert board.rendered["agreement"] is first


def test_a_filter_reruns_the_analysis_and_redraws(board, state):
    before = _plots(board)[0].value
    drawn = board.redraws
    board.filter(segment="Residential")
    assert state.where == {"segment": "Residential"}
    assert board.redraws == drawn + 1
    assert _plots(board)[0].value != before
    cards = {t: v for t, v, _ in state.cards()}
    assert cards["Respondents"] == "18"
    board.filter(segment=ALL, rater_group="customer")
    assert state.where == {"rater_group": "customer"}
    assert {t: v for t, v, _ in state.cards()}["Respondents"] == "40"


def test_a_filter_without_the_leaders_says_so_in_words(board):
    board.filter(segment="Residential")
    for key in ("next", "agreement", "benchmark"):
        board.select(key)
        assert "the filters leave them out" in _text(board), key
    assert "rater group(s)" not in _text(board)  # no raw error message


def test_an_unknown_filter_value_is_refused(state):
    with pytest.raises(ValueError, match="no segment"):
        state.set_filters(segment="Mars")


def test_picking_a_campaign_resets_the_filters(board, state):
    board.filter(segment="Partners")
    board.pick("demo-say-do")
    assert state.where is None and board.segment.value == ALL
    assert board.current == "saydo" and _plots(board)


def test_withheld_groups_explain_why(demo, base):
    from focuskit.apps.dashboard import Dashboard

    s = DashboardState(demo, base=base, min_group=10)
    board = Dashboard(s)
    board.select("levels")
    text = _text(board)
    assert "Fewer than 10 people answered" in text
    assert "Not shown: self" in text  # the 8 leaders are the withheld group
    board.filter(segment="Large accounts")  # 8 customers: fewer than 10
    # A segment is never said to be small (its size would follow from its neighbours').
    assert "would let a group of fewer than 10 people be worked out" in _text(board)
    assert "Fewer than 10 people answered" not in _text(board)
    assert not _plots(board) or "Not shown: customer" in _text(board)
    cards = {t: v for t, v, _ in s.cards()}
    assert cards["Respondents"] == "not shown"


def test_downloads_are_the_tables_shown_not_the_answers(board, state):
    csv = state.download("csv")
    frame = pd.read_csv(io.BytesIO(csv))
    # The tables behind the tabs, never a respondent's code, time or single answer.
    assert set(frame["table"]) >= {"levels", "us_vs_customers", "benchmark"}
    assert not {"respondent", "submission", "submitted_at", "comment", "segment"} & set(frame)
    levels = frame[frame["table"] == "levels"]
    assert (levels["n"].dropna() >= state.k).all()
    assert state.download("xlsx")[:2] == b"PK"
    board.prepare_downloads()
    assert 'download="demo-focus-levels-tables.csv"' in board.links.value
    assert "data:text/csv;base64," in board.links.value
    assert 'download="demo-focus-levels-tables.xlsx"' in board.links.value


def test_pdf_button_matches_the_report_package(board, state):
    if pdf_maker() is None:
        assert board.pdf.disabled and "not available" in board.pdf.description
        with pytest.raises(ValueError, match="not available"):
            state.download("pdf")
    else:
        board.prepare_pdf()
        assert 'download="demo-focus-levels.pdf"' in board.pdf_link.value


def test_data_link_escapes_the_name():
    assert 'download="a&quot;b.csv"' in data_link(b"x", 'a"b.csv', "text/csv", "CSV")


def test_an_empty_store_says_so(tmp_path):
    from focuskit.apps.dashboard import Dashboard

    with Store(f"sqlite:///{tmp_path / 'e.db'}") as store:
        board = Dashboard(DashboardState(store))
        assert "No campaigns yet" in board.widget.value
        board.prepare_downloads()  # nothing to export, and no error


def test_figures_are_closed(board):
    import matplotlib.pyplot as plt

    for key in TAB_KEYS:
        board.select(key)
    assert plt.get_fignums() == []
