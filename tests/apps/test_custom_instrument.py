"""A campaign asking its own list of expectations (``with_items``, offered on the admin page):
the report and every dashboard tab use the campaign's instrument, not the built-in of the same
id (they used to refuse: "this frame answers expectations 1.0.0+custom, the built-in is
1.0.0")."""

from __future__ import annotations

import pytest
from conftest import full_answers

from focuskit import Store
from focuskit.apps.dashboard import Dashboard, DashboardState
from focuskit.instruments import load_instrument, with_items
from focuskit.report import build, html_text, pdf_bytes

OWN = ["Answers the phone within a minute", "Delivers on the day promised",
       "Sends one clear invoice", "Knows our history"]


@pytest.fixture
def own_store(sqlite_url):
    store = Store(sqlite_url)
    inst = with_items(load_instrument("expectations"), OWN)
    store.create_campaign("own", "Our own expectations", inst, organisation="Acme",
                          rater_groups=["customer"], min_group_size=3)
    for k in range(6):
        answers = full_answers(inst)
        for j, item in enumerate(inst.items):  # differing answers, so gaps and quadrants vary
            for facet in answers[item.id]:
                if facet != "comment":
                    answers[item.id][facet] = 1 + (k + j + len(facet)) % 5
        store.submit("own", answers, rater_group="customer")
    yield store
    store.close()


def test_report_of_a_campaign_with_its_own_items(own_store):
    report = build(own_store, "own")
    keys = [s.key for s in report.sections]
    assert "priorities" in keys
    text = html_text(own_store, "own")
    assert "Answers the phone within a minute" in text
    assert "built-in" not in text
    assert pdf_bytes(own_store, "own").startswith(b"%PDF")


def test_every_dashboard_tab_of_a_campaign_with_its_own_items(own_store):
    state = DashboardState(own_store, "own")
    assert state.inst.version.endswith("+custom")
    board = Dashboard(state)
    assert "priorities" in state.tabs
    assert state.tabs == ["priorities", "next"]  # only what its instrument supports
    for key in state.tabs:
        board.select(key)
        shown = " ".join(getattr(p, "value", "") for p in board.panel.children
                         if isinstance(getattr(p, "value", None), str))
        assert "built-in" not in shown and "Nothing to show" not in shown, (key, shown)
    board.select("priorities")
    assert any("fk-plotbox" in getattr(p, "_dom_classes", ()) for p in board.panel.children)
    assert state.cards()[-1][0] == "First priority"
    assert set(state.tables()) == {"priorities"}
    assert state.download("csv").startswith(b"table,")


def test_the_campaigns_instrument_travels_from_the_store_to_the_plot(sqlite_url):
    """No instrument= anywhere: the responses frame carries the campaign's own instrument, the
    analysis result carries it on, and the plot labels items with its prompts (which say more
    than the ids it would otherwise guess from)."""
    import matplotlib.pyplot as plt

    import focuskit.analysis as fa
    import focuskit.plots as fp

    own = ["One clear invoice, not three", "Knows our history (CRM)", "Calls back", "Delivers"]
    store = Store(sqlite_url)
    inst = with_items(load_instrument("expectations"), own)
    store.create_campaign("own", "Own", inst, rater_groups=["customer"], min_group_size=3)
    for k in range(4):
        answers = full_answers(inst)
        for j, item in enumerate(inst.items):
            answers[item.id] = {f: 1 + (k + j + len(f)) % 5 for f in answers[item.id]
                                if f != "comment"}
        store.submit("own", answers, rater_group="customer")
    df = store.responses("own")
    assert df.attrs["instrument"] == store.campaign("own").instrument
    res = fa.importance_performance(df)
    assert res.attrs["instrument"] == df.attrs["instrument"]
    ax = fp.ip_quadrant(data=res, labels="prompt")
    shown = " ".join(t.get_text().replace("\n", " ") for t in ax.texts)
    plt.close(ax.figure)
    assert "One clear invoice, not three" in shown and "Knows our history (CRM)" in shown
    import matplotlib.pyplot as plt

    plt.close(ax.figure)  # a figure left open shows up in later tests' figure counts
    assert fa.profile(df, facet="importance").attrs["instrument"] == df.attrs["instrument"]
    store.close()
