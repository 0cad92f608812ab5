"""A programme's summary: one lens per instrument in a fixed order, each saying what its
campaign's dashboard says (and withholding what it withholds), missing lenses offering a
campaign, a freshness line, and overdue actions."""

from datetime import UTC, date, datetime

import pytest
from conftest import full_answers

from focuskit import Store
from focuskit import findings as ff
from focuskit.demo import demo_base, seed_store
from focuskit.findings.programme import LENSES, is_overdue, stamp, summary

# Until the store's programmes and waves are merged (helper `store`), these wait for them.
needs_store = pytest.mark.skipif(not hasattr(Store, "create_programme"),
                                reason="the store's programmes and waves are not here yet")

ORDER = ["focus-levels", "blocks", "say-do", "expectations", "external-focus",
         "contact-programme"]
DEMO = ["demo-focus-levels", "demo-blocks", "demo-say-do", "demo-expectations",
        "demo-external-focus", "demo-contact-review"]


def programme(store, pid, campaigns, title="Alder Valley"):
    store.create_programme(pid, title, organisation="Alder Valley Utilities")
    for c in campaigns:
        store.add_to_programme(pid, c)
    return store.programme(pid)


@pytest.fixture(scope="module")
def demo():
    store = Store("sqlite:///:memory:")
    seed_store(store)
    if "demo-prog" not in {p.id for p in store.programmes()}:
        programme(store, "demo-prog", DEMO)
    yield store
    store.close()


@pytest.fixture(scope="module")
def base():
    return demo_base()


@needs_store
def test_one_lens_per_instrument_in_a_fixed_order(demo, base):
    s = summary(demo, "demo-prog", base=base)
    assert [x.instrument for x in s.lenses] == ORDER == [i for i, _ in LENSES]
    assert not any(x.missing for x in s.lenses)
    assert [x.campaign for x in s.lenses] == [
        "demo-focus-levels", "demo-blocks", "demo-say-do", "demo-expectations",
        "demo-external-focus", "demo-contact-review"]
    assert s.programme.id == "demo-prog"


@needs_store
def test_a_lens_says_what_its_dashboard_says(demo, base):
    s = summary(demo, "demo-prog", base=base)
    for lens in s.lenses:
        camp = demo.campaign(lens.campaign)
        r = ff.Results(demo.responses(camp.id), camp.instrument, base=base)
        said = {f.sentence for key in ff.sections(camp.instrument.id)
                for f in ff.collect(r, key)}
        assert lens.findings, lens.instrument
        for f in lens.findings:
            assert f.sentence in said, (lens.instrument, f.sentence)


@needs_store
def test_the_lenses_cover_what_the_issue_asks(demo, base):
    s = summary(demo, "demo-prog", base=base)
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


@needs_store
def test_freshness_counts_the_released_respondents(demo, base):
    s = summary(demo, "demo-prog", base=base)
    total = sum(x.n for x in s.lenses)
    assert s.freshness.startswith("answers up to ")
    assert s.freshness.endswith(f", {total} respondents")
    for x in s.lenses:
        assert x.freshness.endswith(f"{x.n} respondents")


@needs_store
def test_a_lens_without_a_campaign_offers_one():
    with Store("sqlite:///:memory:") as store:
        store.create_campaign("fl", "Levels", "focus-levels", rater_groups=["self"])
        programme(store, "p", ["fl"])
        s = summary(store, "p", base=None)
        assert [x.instrument for x in s.lenses] == ORDER
        assert [x.missing for x in s.lenses] == [False] + [True] * 5
        miss = s.lens("say-do")
        assert miss.campaign is None and miss.waves == []
        assert miss.findings[0].kind == "missing"
        assert "create one" in miss.findings[0].sentence.lower()
        # Nobody answered yet: said plainly, no figure.
        assert s.lens("focus-levels").findings[0].kind == "empty"
        assert s.freshness == "no answers yet"


@needs_store
def test_a_small_campaign_shows_no_figure():
    # Three leaders with k = 5: the dashboard withholds everything, and so does the lens.
    with Store("sqlite:///:memory:") as store:
        camp = store.create_campaign("fl", "Levels", "focus-levels", rater_groups=["self"])
        for i in range(3):
            store.submit("fl", full_answers(camp.instrument, 2 + i % 2), rater_group="self",
                         respondent=f"r{i}", idempotency_key=f"k{i}")
        programme(store, "p", ["fl"])
        lens = summary(store, "p").lens("focus-levels")
        assert [f.kind for f in lens.findings] == ["withheld"]
        assert "Fewer than 5" in lens.findings[0].sentence
        assert lens.n is None
        assert lens.freshness == "answers withheld"  # no time, no count
        s = summary(store, "p")
        assert s.freshness == "no answers shown yet; one campaign's answers are withheld"


@needs_store
def test_a_new_wave_without_answers_reads_the_one_before(demo, base):
    with Store("sqlite:///:memory:") as store:
        seed_store(store)
        programme(store, "p", ["demo-blocks"])
        store.create_wave("demo-blocks", title="Blocks, a year on")
        s = summary(store, "p", base=base)
        lens = s.lens("blocks")
        assert lens.campaign == "demo-blocks-w2"
        assert lens.waves == ["demo-blocks", "demo-blocks-w2"]
        assert lens.read_from == "demo-blocks"
        assert lens.findings[0].kind == "wave-note"
        assert lens.findings[1].kind == "block"


def test_overdue_is_due_before_today_and_still_open():
    today = date(2026, 12, 5)
    assert is_overdue({"due": date(2026, 12, 4), "status": "open"}, today)
    assert is_overdue({"due": date(2026, 1, 1), "status": "doing"}, today)
    assert not is_overdue({"due": date(2026, 12, 5), "status": "open"}, today)
    assert not is_overdue({"due": date(2026, 1, 1), "status": "done"}, today)
    assert not is_overdue({"due": None, "status": "open"}, today)


@needs_store
def test_actions_are_marked_overdue_against_now(demo, base):
    with Store("sqlite:///:memory:") as store:
        store.create_campaign("fl", "Levels", "focus-levels", rater_groups=["self"])
        programme(store, "p", ["fl"])
        late = store.add_action("fl", "Share the customer data", due=date(2026, 11, 1),
                                item="data")
        store.add_action("fl", "Train the front line", due=date(2027, 1, 1))
        s = summary(store, "p", now=datetime(2026, 12, 5, tzinfo=UTC))
        assert [a["overdue"] for a in s.actions] == [True, False]
        assert [a["id"] for a in s.overdue] == [late]
        assert s.actions[0]["lens"] == "focus-levels"


@needs_store
def test_the_stamp_changes_with_the_answers_and_the_actions():
    with Store("sqlite:///:memory:") as store:
        camp = store.create_campaign("fl", "Levels", "focus-levels", rater_groups=["self"])
        programme(store, "p", ["fl"])
        first = stamp(store, "p")
        assert stamp(store, "p") == first
        store.submit("fl", full_answers(camp.instrument), rater_group="self",
                     respondent="r1", idempotency_key="k1")
        second = stamp(store, "p")
        assert second != first
        store.add_action("fl", "Act")
        assert stamp(store, "p") != second
