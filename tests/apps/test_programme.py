"""The programme page's state and view, and the action register, without a browser."""

from datetime import UTC, date, datetime

import pytest
from conftest import full_answers

import focuskit.analysis
from focuskit.apps.programme import Programme, ProgrammeState
from focuskit.demo import demo_base, seed_store
from focuskit.errors import FocuskitError
from focuskit.ui.actions import ActionRegister, ActionRegisterView

# The trend helper's analysis (action_effects) may not be merged yet.
needs_trend = pytest.mark.skipif(not hasattr(focuskit.analysis, "action_effects"),
                                 reason="focuskit.analysis.action_effects is not here yet")

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
PROG = "demo-alder-valley"
DEMO = ["demo-focus-levels", "demo-blocks", "demo-say-do", "demo-expectations",
        "demo-external-focus", "demo-contact-review"]


def make_programme(store, pid, campaigns):
    org = store.campaign(campaigns[0]).organisation if campaigns else ""
    store.create_programme(pid, "Alder Valley", organisation=org)
    for c in campaigns:
        store.add_to_programme(pid, c)


@pytest.fixture
def demo(store):
    seed_store(store)  # the demo programme: six campaigns in two waves, actions on wave 1
    return store


@pytest.fixture
def small(store):
    """A programme of one focus-levels campaign, six leaders: five lenses missing."""
    camp = store.create_campaign("fl", "Levels", "focus-levels", rater_groups=["self"],
                                 organisation="Alder Valley")
    for i in range(6):
        store.submit("fl", full_answers(camp.instrument, 2 + i % 3), rater_group="self",
                     respondent=f"r{i}", idempotency_key=f"k{i}")
    make_programme(store, "prog", ["fl"])
    return store


@pytest.fixture(scope="module")
def base():
    return demo_base()


# -- the state -----------------------------------------------------------------------------
@needs_trend
def test_the_state_keeps_its_summary_while_the_store_is_unchanged(demo, base):
    s = ProgrammeState(demo, PROG, now=NOW, base=base)
    first = s.summary
    assert s.version == 1 and s.stage == "cards"
    assert s.refresh() is False and s.summary is first and s.version == 1
    # A new answer makes a new summary; an action alone only reads the actions again.
    camp = demo.campaign("demo-blocks-w2")
    demo.submit(camp.id, full_answers(camp.instrument, 2), rater_group="self",
                segment="Leadership team", respondent="late-01", idempotency_key="late-01")
    assert s.refresh() is True and s.summary is not first and s.version == 2
    second = s.summary
    s.complete()
    assert s.stage == "complete"
    before = len(second.actions)
    demo.add_action("demo-blocks-w2", "Name an owner for each block")
    assert s.refresh() is False and s.summary is second and s.acts == 1
    assert len(s.summary.actions) == before + 1
    assert s.summary.actions[-1]["effect"].numbers  # "no later wave yet", said plainly


def test_the_default_programme_and_an_unknown_one(store):
    assert ProgrammeState(store).programme_id is None  # no programme: nothing to show
    seed_store(store)
    s = ProgrammeState(store, now=NOW)
    assert s.programme_id == PROG  # the demo's, when there is one
    with pytest.raises(ValueError):
        s.pick("nope")
    assert s.programme_id == PROG


def test_campaigns_are_named_by_their_lens(demo, base):
    s = ProgrammeState(demo, PROG, now=NOW, base=base)
    title = s.summary.lens("blocks").title
    assert s.campaign_words("demo-blocks") == f"{title}, wave 1"
    assert s.campaign_words("demo-blocks-w2") == f"{title}, wave 2"
    assert s.dashboard_href("demo-blocks") == "results.ipynb?campaign=demo-blocks"
    assert s.programme_href("a b") == "programme.ipynb?programme=a+b"


# -- the view ------------------------------------------------------------------------------
def test_the_page_shows_a_card_per_lens(demo, base):
    page = Programme(ProgrammeState(demo, PROG, now=NOW, base=base), editable=True,
                     actor="ana")
    html = page.cards.value
    for inst in ("focus-levels", "blocks", "say-do", "expectations", "external-focus",
                 "contact-programme"):
        assert html.count(f"fk-lens-{inst}") == 1
    assert "No campaign yet." not in html
    assert "results.ipynb?campaign=demo-focus-levels-w2" in html
    assert "synthetic demo base" in html
    assert "wave 2 of 2" in html
    assert "Programme: Alder Valley Utilities" in page.title.value
    assert page.fresh.value.startswith("<p class='fk-fresh'>Answers up to")


def test_missing_lenses_offer_a_campaign_to_admins_only(small):
    page = Programme(ProgrammeState(small, "prog", now=NOW), editable=True, actor="ana")
    html = page.cards.value
    assert html.count("No campaign yet.") == 5
    assert html.count("href='admin.ipynb'") == 5  # an admin may create them
    viewer = Programme(ProgrammeState(small, "prog", now=NOW), editable=False)
    assert "admin.ipynb" not in viewer.cards.value
    assert viewer.cards.value.count("Ask an admin") == 5
    assert not hasattr(viewer.register_view, "form")


def test_the_page_says_when_there_is_nothing_to_compare_yet(small):
    page = Programme(ProgrammeState(small, "prog", now=NOW), editable=True)
    assert "Working out what changed" in page.changed.children[0].value
    page.complete()
    text = " ".join(c.value for c in page.changed.children if hasattr(c, "value"))
    assert "one wave so far" in text


# -- the action register -------------------------------------------------------------------
def register(store, **kw):
    return ActionRegister(store, programme=PROG, actor="ana", today=date(2026, 12, 5), **kw)


def test_add_edit_and_close_go_through_the_store_and_the_audit_log(demo):
    r = register(demo)
    links = dict((v, k) for k, v in r.link_choices("demo-focus-levels"))
    assert links["item:data"] == "Dimension: Data"
    a = r.add("demo-focus-levels", "  Share the customer data monthly ", owner="Dana",
              due=date(2026, 11, 30), link="item:data")
    assert a["title"] == "Share the customer data monthly" and a["item"] == "data"
    assert a["overdue"] and a["id"] in [x["id"] for x in r.overdue]
    assert r.message.startswith("Added")
    a = r.edit(a["id"], owner="Lee", due=date(2027, 1, 31), status="doing")
    assert (a["owner"], a["due"], a["status"], a["overdue"]) == ("Lee", date(2027, 1, 31),
                                                                "doing", False)
    a = r.close(a["id"])
    assert a["status"] == "done"
    log = demo.audit_log(campaign="demo-focus-levels")
    mine = log[log["actor"] == "ana"]
    assert list(mine["action"])[:3] == ["action change", "action change", "action add"]
    assert r.changes == 3


def test_a_section_link_and_a_link_from_elsewhere(demo):
    demo.create_campaign("elsewhere", "Not in the programme", "blocks", rater_groups=["self"])
    r = register(demo)
    before = len(r.rows)
    a = r.add("demo-focus-levels", "Map the customer data", link="section:information")
    assert (a["section"], a["item"]) == ("information", None)
    assert r.about(a) == next(s.title for s in demo.campaign("demo-focus-levels")
                              .instrument.sections if s.id == "information")
    with pytest.raises(FocuskitError, match="campaign of this register"):
        r.add("elsewhere", "Fix the processes")  # not in this programme
    with pytest.raises(FocuskitError, match="about from the list"):
        r.add("demo-blocks", "Act", link="item:data")  # a focus-levels dimension
    with pytest.raises(FocuskitError, match="empty"):
        r.add("demo-blocks", "   ")
    with pytest.raises(FocuskitError, match="not in this register"):
        r.edit(10_000, status="done")
    assert len(demo.programme_actions(PROG)) == before + 1


def test_a_viewer_sees_the_register_and_changes_nothing(demo):
    admin = register(demo)
    a = admin.add("demo-blocks", "Name an owner for each block")
    viewer = register(demo, editable=False)
    assert a["id"] in [x["id"] for x in viewer.rows]
    for change in (lambda: viewer.add("demo-blocks", "More"),
                   lambda: viewer.edit(a["id"], owner="Me"),
                   lambda: viewer.close(a["id"])):
        with pytest.raises(FocuskitError, match="read the actions, not change them"):
            change()
    assert next(x for x in demo.programme_actions(PROG) if x["id"] == a["id"])["status"] \
        == "open"
    view = ActionRegisterView(viewer)
    assert not hasattr(view, "form")
    assert all(len(row.children) == 1 for row in view.list.children)  # no buttons


def test_the_view_marks_overdue_actions_and_says_whether_they_worked(demo):
    from focuskit.findings import Finding

    r = register(demo)
    late = r.add("demo-focus-levels", "Visit ten residential customers",
                 due=date(2026, 10, 1), link="item:contact")
    view = ActionRegisterView(r, campaign_words=lambda c: f"<{c}>")
    assert f"{len(r.overdue)} overdue" in view.head.value

    def card():
        return next(row for row in view.list.children
                    if f"fk-act-{late['id']}" in row._dom_classes).children[0].value

    assert "Overdue" in card() and "&lt;demo-focus-levels&gt;" in card()
    r.effects = {late["id"]: Finding("action-effect", "It worked: contact rose by 0.6.",
                                     details="difference in differences 0.6")}
    assert "Did it work?" in card() and "It worked" in card() and "How we can tell" in card()
    # The form: editing an action fills it, Save writes it.
    view.start_edit(late["id"])
    assert view.f_title.value == "Visit ten residential customers"
    assert view.f_link.value == "item:contact"
    view.f_owner.value = "Sam"
    view.save()
    assert r.action(late["id"])["owner"] == "Sam" and view.editing is None
    view.f_title.value = ""
    view.save()
    assert "empty" in view.msg.value


# -- the landing page and the roles ---------------------------------------------------------
def test_the_landing_page_links_each_programme(demo):
    from focuskit.apps.landing import landing_html
    from focuskit.apps.roles import VIEWER, pages_for
    from focuskit.serving.staff_identity import VIEWER_PAGES

    html = landing_html(demo, VIEWER, "vera")
    assert f'href="programme.ipynb?programme={PROG}"' in html
    assert "Alder Valley Utilities" in html and "6 lenses · 2 waves" in html
    # Executives (viewers) may open the programme page; the door agrees.
    assert "programme.ipynb" in [nb for nb, _, _ in pages_for(VIEWER)]
    assert "programme.ipynb" in VIEWER_PAGES


@needs_trend
def test_the_then_and_now_plot_shows_the_group_that_moved(demo, base):
    s = ProgrammeState(demo, PROG, now=NOW, base=base)
    s.complete()
    for lens in s.lenses:
        ax = s.trend_plot(lens.instrument)
        assert ax is not None, lens.instrument
        import matplotlib.pyplot as plt

        plt.close(ax.figure)
    one = ProgrammeState(demo, PROG, now=NOW, base=base)
    one.summary.trends.clear()
    assert one.trend_plot("blocks") is None
