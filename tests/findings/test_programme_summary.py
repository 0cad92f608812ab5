"""A programme's summary: one lens per instrument in a fixed order, each saying what its
campaign's dashboard says (and withholding what it withholds), missing lenses offering a
campaign, a freshness line, and overdue actions."""

from datetime import UTC, date, datetime

import pytest
from conftest import full_answers

import focuskit.analysis
from focuskit import Store
from focuskit import findings as ff
from focuskit.demo import demo_base, seed_store
from focuskit.findings.programme import LENSES, is_overdue, stamp, summary

# The trend helper's analysis (action_effects) may not be merged yet.
needs_trend = pytest.mark.skipif(not hasattr(focuskit.analysis, "action_effects"),
                                 reason="focuskit.analysis.action_effects is not here yet")

ORDER = ["focus-levels", "blocks", "say-do", "expectations", "external-focus",
         "contact-programme"]
PROG = "demo-alder-valley"
DEMO = ["demo-focus-levels", "demo-blocks", "demo-say-do", "demo-expectations",
        "demo-external-focus", "demo-contact-review"]


def programme(store, pid, campaigns, title="Alder Valley"):
    org = store.campaign(campaigns[0]).organisation
    store.create_programme(pid, title, organisation=org)
    for c in campaigns:
        store.add_to_programme(pid, c)
    return store.programme(pid)


@pytest.fixture(scope="module")
def demo():
    store = Store("sqlite:///:memory:")
    seed_store(store)  # the demo programme: six campaigns in two waves, actions on wave 1
    yield store
    store.close()


@pytest.fixture(scope="module")
def base():
    return demo_base()


def test_one_lens_per_instrument_in_a_fixed_order(demo, base):
    s = summary(demo, PROG, base=base)
    assert [x.instrument for x in s.lenses] == ORDER == [i for i, _ in LENSES]
    assert not any(x.missing for x in s.lenses)
    # Each lens reads its latest wave, and knows the one before.
    assert [x.campaign for x in s.lenses] == [f"{c}-w2" for c in DEMO] \
        == [x.read_from for x in s.lenses]
    assert [x.waves for x in s.lenses] == [[c, f"{c}-w2"] for c in DEMO]
    assert s.programme.id == PROG


def test_a_lens_says_what_its_dashboard_says(demo, base):
    s = summary(demo, PROG, base=base)
    for lens in s.lenses:
        camp = demo.campaign(lens.read_from)
        r = ff.Results(demo.responses(camp.id), camp.instrument, base=base)
        said = {f.sentence for key in ff.sections(camp.instrument.id)
                for f in ff.collect(r, key)}
        assert lens.findings, lens.instrument
        for f in lens.findings:
            assert f.sentence in said, (lens.instrument, f.sentence)


def test_the_lenses_cover_what_the_issue_asks(demo, base):
    s = summary(demo, PROG, base=base)
    kinds = {x.instrument: [f.kind for f in x.findings] for x in s.lenses}
    assert kinds["focus-levels"][:1] == ["standing"]
    assert {"disagreement", "gap", "benchmark", "outside-view"} <= set(kinds["focus-levels"])
    assert kinds["focus-levels"].count("disagreement") == 1
    assert "root-cause" in kinds["blocks"]
    root = next(f for f in s.lens("blocks").findings if f.kind == "root-cause")
    assert "85/15" in root.sentence
    assert kinds["say-do"][0] == "say-do"
    assert kinds["expectations"][0] == "priority"
    assert kinds["external-focus"][0] == "external-level"
    assert kinds["contact-programme"][0] == "maturity"
    # The demo's base says what it is wherever it is used.
    bench = next(f for f in s.lens("focus-levels").findings if f.kind == "benchmark")
    assert "synthetic demo base" in bench.sentence


def test_freshness_counts_the_released_respondents(demo, base):
    s = summary(demo, PROG, base=base)
    total = sum(x.n for x in s.lenses)
    assert s.freshness.startswith("answers up to ")
    assert s.freshness.endswith(f", {total} respondents")
    for x in s.lenses:
        assert x.freshness.endswith(f"{x.n} respondents")


def test_a_lens_without_a_campaign_offers_one():
    with Store("sqlite:///:memory:") as store:
        store.create_campaign("fl", "Levels", "focus-levels", rater_groups=["self"],
                              organisation="Org")
        programme(store, "pr", ["fl"])
        s = summary(store, "pr", base=None)
        assert [x.instrument for x in s.lenses] == ORDER
        assert [x.missing for x in s.lenses] == [False] + [True] * 5
        miss = s.lens("say-do")
        assert miss.campaign is None and miss.waves == []
        assert miss.findings[0].kind == "missing"
        assert "create one" in miss.findings[0].sentence.lower()
        # Nobody answered yet: said plainly, no figure.
        assert s.lens("focus-levels").findings[0].kind == "empty"
        assert s.freshness == "no answers yet"


def test_a_small_campaign_shows_no_figure():
    # Three leaders with k = 5: the dashboard withholds everything, and so does the lens.
    with Store("sqlite:///:memory:") as store:
        camp = store.create_campaign("fl", "Levels", "focus-levels", rater_groups=["self"],
                                     organisation="Org")
        for i in range(3):
            store.submit("fl", full_answers(camp.instrument, 2 + i % 2), rater_group="self",
                         respondent=f"r{i}", idempotency_key=f"k{i}")
        programme(store, "pr", ["fl"])
        lens = summary(store, "pr").lens("focus-levels")
        assert [f.kind for f in lens.findings] == ["withheld"]
        assert "Fewer than 5" in lens.findings[0].sentence
        assert lens.n is None
        assert lens.freshness == "answers withheld"  # no time, no count
        s = summary(store, "pr")
        assert s.freshness == "no answers shown yet; one campaign's answers are withheld"


def test_a_new_wave_without_answers_reads_the_one_before():
    with Store("sqlite:///:memory:") as store:
        camp = store.create_campaign("bl", "Blocks", "blocks", rater_groups=["self"],
                                     organisation="Org")
        for i in range(6):
            store.submit("bl", full_answers(camp.instrument, 2 + i % 3), rater_group="self",
                         respondent=f"r{i}", idempotency_key=f"k{i}")
        programme(store, "pr", ["bl"])
        store.create_wave("bl", title="Blocks, a year on")
        lens = summary(store, "pr").lens("blocks")
        assert lens.campaign == "bl-w2" and lens.waves == ["bl", "bl-w2"]
        assert lens.read_from == "bl"
        assert lens.findings[0].kind == "wave-note"
        assert "Blocks, a year on has no answers yet" in lens.findings[0].sentence
        assert lens.findings[1].kind == "block"


def test_overdue_is_due_before_today_and_still_open():
    today = date(2026, 12, 5)
    assert is_overdue({"due": date(2026, 12, 4), "status": "open"}, today)
    assert is_overdue({"due": date(2026, 1, 1), "status": "doing"}, today)
    assert not is_overdue({"due": date(2026, 12, 5), "status": "open"}, today)
    assert not is_overdue({"due": date(2026, 1, 1), "status": "done"}, today)
    assert not is_overdue({"due": None, "status": "open"}, today)


@needs_trend
def test_actions_are_marked_overdue_against_now(demo, base):
    with Store("sqlite:///:memory:") as store:
        store.create_campaign("fl", "Levels", "focus-levels", rater_groups=["self"],
                              organisation="Org")
        programme(store, "pr", ["fl"])
        late = store.add_action("fl", "Share the customer data", due=date(2026, 11, 1),
                                item="data")
        store.add_action("fl", "Train the front line", due=date(2027, 1, 1))
        s = summary(store, "pr", now=datetime(2026, 12, 5, tzinfo=UTC))
        assert [a["overdue"] for a in s.actions] == [True, False]
        assert [a["id"] for a in s.overdue] == [late]
        assert s.actions[0]["lens"] == "focus-levels"


def test_the_stamp_changes_with_the_answers_and_the_actions():
    with Store("sqlite:///:memory:") as store:
        camp = store.create_campaign("fl", "Levels", "focus-levels", rater_groups=["self"],
                                     organisation="Org")
        programme(store, "pr", ["fl"])
        first = stamp(store, "pr")
        assert stamp(store, "pr") == first
        store.submit("fl", full_answers(camp.instrument), rater_group="self",
                     respondent="r1", idempotency_key="k1")
        second = stamp(store, "pr")
        assert second != first
        store.add_action("fl", "Act")
        assert stamp(store, "pr") != second


def test_a_new_answer_recomputes_only_its_lens(demo, base):
    first = summary(demo, PROG, base=base)
    again = summary(demo, PROG, base=base, previous=first)
    assert all(a is b for a, b in zip(again.lenses, first.lenses, strict=True))
    camp = demo.campaign("demo-blocks-w2")
    demo.submit(camp.id, full_answers(camp.instrument, 2), rater_group="self",
                segment="Leadership team", respondent="late-01", idempotency_key="late-01")
    third = summary(demo, PROG, base=base, previous=again)
    assert [a is b for a, b in zip(third.lenses, again.lenses, strict=True)] == [
        True, False, True, True, True, True]
    # Read again, and as its dashboard would: one newcomer moves no figure (fewer than k).
    assert third.lens("blocks").n == again.lens("blocks").n
    assert [f.sentence for f in third.lens("blocks").findings] == \
        [f.sentence for f in again.lens("blocks").findings]
