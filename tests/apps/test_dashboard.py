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
    return [c.children[0] for c in board.panel.children
            if "fk-plotbox" in getattr(c, "_dom_classes", ())]


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
    ("demo-external-focus", ["outside", "next"]),
    ("demo-contact-review", ["contact", "next"]),
])
def test_tabs_that_apply_to_each_instrument(state, campaign, tabs):
    state.pick(campaign)
    assert state.tabs == tabs
    assert [k for k in TAB_KEYS if state.applies(k)] == tabs


def test_overview_cards_for_the_focus_levels_campaign(state):
    cards = {t: (v, d) for t, v, d in state.cards()}
    assert cards["Respondents"][0] == "60"
    assert "customers 40" in cards["Respondents"][1]
    assert "our own people 8" in cards["Respondents"][1]
    assert cards["Against other organisations"][0].endswith("quarter")
    assert "Contact" in cards["Largest gap with customers"][1]  # the demo's blind spot
    assert "Data" in cards["Where our own people disagree most"][1]  # the leaders split on data
    assert cards["Where our own people place us"][0] == "3.0 of 5"


def test_every_tab_of_every_campaign_renders(board, state):
    for camp in state.campaigns:
        board.pick(camp.id)
        # Only the tabs the instrument supports are there: nothing greyed, nothing that says
        # "open another campaign".
        shown = [b.description for b in board.tabbar.children]
        # ... and the action register every campaign has, last
        assert shown == [t.title for t in TABS if t.key in state.tabs] + ["Actions"], camp.id
        for key in board.tabs:
            board.select(key)
            if key == "actions":  # the register, the same on every campaign
                assert any("fk-acts" in c._dom_classes for c in board.panel.children)
                continue
            assert _plots(board) or "things to do first" in _text(board), (camp.id, key)
            # a PNG with alt text saying what the plot shows (issue 11)
            assert all('src="data:image/png;base64,iVBORw0KGgo' in p.value
                       and 'alt="' in p.value for p in _plots(board))
            assert "Open a" not in _text(board) and "fk-na" not in str(board.tabbar._dom_classes)


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
    assert "Not shown: our own people" in text  # the 8 leaders are the withheld group
    board.filter(segment="Large accounts")  # 8 customers: fewer than 10
    # A segment is never said to be small (its size would follow from its neighbours').
    assert "would let a group of fewer than 10 people be worked out" in _text(board)
    assert "Fewer than 10 people answered" not in _text(board)
    assert not _plots(board) or "Not shown: customers" in _text(board)
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
    # Closed until asked for: the page fetches no table before its first plot.
    assert board.links is None and len(board.downloads.children) == 1
    board.open_downloads()
    assert 'download="demo-focus-levels-tables.csv"' in board.links.value
    assert "data:text/csv;base64," in board.links.value
    assert 'download="demo-focus-levels-tables.xlsx"' in board.links.value


def test_pdf_button_matches_the_report_package(board, state):
    board.open_downloads()
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

    before = set(plt.get_fignums())  # another module's leftovers are not the board's
    for key in TAB_KEYS:
        board.select(key)
    assert set(plt.get_fignums()) <= before


def test_the_contact_planner_follows_its_inputs(board):
    """Segment sizes, planned visits, margin and confidence are inputs; the plot follows."""
    board.pick("demo-contact-review")
    board.select("contact")
    inputs = board.planner_inputs
    before = _plots(board)[-1].value
    drawn = board.planner_redraws
    inputs["sizes"]["Residential"].value = 500
    assert board.planner_redraws == drawn + 1
    after = board.panel.children[-1].children[0].children[0].value
    assert after != before
    plan = board.state.plan().set_index("segment")
    assert plan.loc["Residential", "population"] == 500
    inputs["margin"].value = 3
    inputs["confidence"].value = 0.99
    inputs["visits"]["Small business"].value = 40
    plan = board.state.plan().set_index("segment")
    assert plan.attrs.get("margin", 0.03) == pytest.approx(0.03)
    assert plan.loc["Small business", "planned"] == 40
    # Needed contacts follow the textbook formula with the finite-population correction.
    from scipy import stats

    z = stats.norm.ppf(0.995)
    n0 = z**2 * 0.25 / 0.03**2
    assert plan.loc["Residential", "needed"] == pytest.approx(n0 / (1 + (n0 - 1) / 500), abs=1)
    for seg in inputs["sizes"].values():  # a plan with no segments says so in words
        seg.value = 0
    assert "give at least one segment" in board.panel.children[-2].value


def test_refresh_reads_new_answers_and_keeps_results_otherwise(tmp_path, base):
    from focuskit.apps.dashboard import Dashboard

    with Store(f"sqlite:///{tmp_path / 'r.db'}") as store:
        seed_store(store)
        s = DashboardState(store, "demo-say-do", base=base)
        board = Dashboard(s)
        assert "8 respondents" in board.fresh.value
        kept = s.results
        board.refresh()
        assert s.results is kept  # nothing new: nothing recomputed
        camp = store.campaign("demo-say-do")
        answer = {i.id: {"say": 4, "do": 2} for i in camp.instrument.items}
        fresh = board.fresh.value
        store.submit("demo-say-do", answer, rater_group="self", respondent="late-1")
        board.refresh()
        assert s.results is not kept  # read again...
        # ... but one newcomer is not released on their own (figures move in batches of k):
        # neither the count nor the time of the newest answer tells that they answered.
        assert board.fresh.value == fresh
        for n in range(2, 6):
            store.submit("demo-say-do", answer, rater_group="self", respondent=f"late-{n}")
        board.refresh()
        assert "13 respondents" in board.fresh.value
        store.create_campaign("later-round", "A later round", "blocks")
        board.refresh()  # a campaign made since is listed; the one shown stays
        assert "later-round" in [v for _, v in board.picker.options]
        assert board.picker.value == "demo-say-do" and s.campaign_id == "demo-say-do"
        assert {t: v for t, v, _ in s.cards()}["Respondents"] == "13"


def test_a_base_source_is_shown_as_text_never_as_markup(demo):
    from focuskit.apps.dashboard import Dashboard
    from focuskit.demo import demo_base

    base = demo_base()
    base.attrs["source"] = "<img src=x onerror=alert(1)>"
    board = Dashboard(DashboardState(demo, base=base))
    assert "<img src=x" not in board.cards.value
    assert "&lt;img src=x onerror=alert(1)&gt;" in board.cards.value
    board.select("benchmark")
    assert "<img src=x" not in _text(board)


def test_a_segment_filter_never_dates_its_own_answers(state):
    """The freshness line is the whole campaign's: a filter to a small part cannot learn
    when that part last answered."""
    whole = state.freshness()
    state.set_filters(segment="Large accounts")
    assert state.freshness() == whole


def test_the_fresh_count_is_the_landing_pages(demo, base):
    from focuskit.apps.landing import landing_html
    from focuskit.apps.roles import VIEWER

    page = landing_html(demo, VIEWER)
    for camp in demo.campaigns():
        s = DashboardState(demo, camp.id, base=base)
        n = s.freshness().rsplit(", ", 1)[1].split()[0]
        assert f"{n} response" in page, (camp.id, n)


def test_a_forged_filter_shows_nothing_the_decision_withholds(tmp_path, base):
    """A hostile front end sets the filter widgets directly: an index past the options, a
    label list with a segment that is not released, a value never offered. Each is refused,
    and neither the state nor the page moves to a figure the released decision withholds."""
    import traitlets

    from focuskit.apps.dashboard import Dashboard

    with Store(f"sqlite:///{tmp_path / 'x.db'}") as store:
        seed_store(store)
        camp = store.campaign("demo-focus-levels")
        answer = {i.id: {"level": 2} for i in camp.instrument.items}
        # One latecomer in a segment of their own: in the answers, not in the figures.
        store.submit("demo-focus-levels", answer, rater_group="customer", segment="Secret",
                     respondent="late-secret")
        s = DashboardState(store, base=base)
        board = Dashboard(s)
        assert "Secret" in set(s.frame["segment"])
        assert "Secret" not in s.segments and "Secret" not in board.segment.options
        page, cards, drawn = _text(board), board.cards.value, board.redraws
        labels = tuple(board.segment.options)
        forgeries = [
            (board.segment, {"index": len(labels)}),
            (board.segment, {"_options_labels": (*labels, "Secret"), "index": len(labels)}),
            (board.group, {"index": 99}),
        ]
        for widget, forged in forgeries:
            with pytest.raises((traitlets.TraitError, IndexError)):
                widget.set_state(forged)
            assert s.filters == (ALL, ALL) and s.where is None, forged
        with pytest.raises(traitlets.TraitError):
            board.segment.value = "Secret"
        with pytest.raises(ValueError, match="no segment"):
            board.filter(segment="Secret")
        with pytest.raises(ValueError, match="no rater group"):
            s.set_filters(rater_group="<img src=x>")
        assert s.filters == (ALL, ALL) and board.redraws == drawn
        assert _text(board) == page and board.cards.value == cards
        assert "Secret" not in page + cards + s.download("csv").decode()


def test_a_plot_is_described_by_its_finding_then_by_what_is_drawn(board, state):
    """Alt text (issue 11): the tab's first plain sentence, then the chart's axes and key."""
    import html
    import re

    board.select("levels")
    alt = html.unescape(re.search(r'alt="([^"]*)"', _plots(board)[0].value).group(1))
    first = next(f.sentence for f in state.findings("levels") if f.kind not in
                 ("withheld", "empty", "none", "no-base"))
    assert alt.startswith(first)
    assert "Chart: Where we stand, as each group sees it." in alt
    assert "Key: Our people (n=8), Customers (n=40), Partners (n=12)." in alt
