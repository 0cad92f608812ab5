"""The findings engine: plain words, one rule per contradiction the issue found, and the
dashboard and the report stating the same findings."""

import pytest
from scipy import stats

from focuskit import Store
from focuskit import findings as ff
from focuskit.apps.dashboard import ALL, DashboardState
from focuskit.demo import demo_base, seed_store
from focuskit.findings.words import agreement_word, difference_word, level_reached, next_anchor
from focuskit.instruments import load_instrument
from focuskit.report import build

DEMO = ["demo-focus-levels", "demo-say-do", "demo-expectations", "demo-blocks",
        "demo-external-focus", "demo-contact-review"]
#: Words an executive must never read on a card, in a tab's sentences or in the report.
JARGON = ("rwg", " sd ", "p = ", "p < ", "Self rate", "Store.add_action", "agreement 0.",
          "Open a ")


@pytest.fixture(scope="module")
def demo():
    store = Store("sqlite:///:memory:")
    seed_store(store)
    yield store
    store.close()


@pytest.fixture(scope="module")
def base():
    return demo_base()


def test_agreement_words_follow_the_documented_cut_offs():
    # LeBreton & Senter (2008), Table 3, its top two steps as one; the word agrees with the
    # rwg printed to two decimals (0.705 prints 0.71: strong).
    assert [agreement_word(x) for x in (1.0, 0.71, 0.705, 0.70, 0.51, 0.50, 0.31, 0.30, -0.3)] \
        == ["strong", "strong", "strong", "moderate", "moderate", "weak", "weak", "none", "none"]
    assert agreement_word(float("nan")) == "not known"


def test_difference_words_follow_the_test():
    # Welch's t on two small samples, held to scipy: the word follows its p.
    a, b = [4, 5, 4, 5, 4, 5, 4, 4], [2, 3, 2, 3, 3, 2, 2, 3, 3, 2]
    p = stats.ttest_ind(a, b, equal_var=False).pvalue
    assert round(p, 3) == 0.0 and difference_word(p) == "clear difference"
    assert difference_word(0.05) == "possible difference"
    assert difference_word(0.3, 0.2) == "no clear difference"
    assert difference_word(float("nan")) == "not tested"


def test_a_level_is_named_once_reached_and_the_next_step_is_the_next_level():
    scale = load_instrument("focus-levels").facets[0].scale  # Casual 1, Moderate 3, Intense 5
    assert level_reached(2.1, scale).label == "Casual"
    assert next_anchor(2.1, scale).label == "Moderate"  # never "toward Intense" from 2.1
    assert next_anchor(3.0, scale).label == "Intense"
    assert next_anchor(5.0, scale) is None
    assert ff.readings.standing_words(2.1, scale) == "between Casual and Moderate"


def test_next_steps_move_one_level_at_a_time(demo, base):
    for cid, name, rows in (("demo-focus-levels", "next_steps", None),
                            ("demo-contact-review", "adli", ("scope", "question")),
                            ("demo-external-focus", "external_items", ("role", "other"))):
        camp = demo.campaign(cid)
        r = ff.Results(demo.responses(cid), camp.instrument, base=base)
        scale = camp.instrument.facets[0].scale
        res = r.get(name)
        if rows:
            res = res[res[rows[0]] == rows[1]]
        if "scope" in res and name == "external_items":
            res = res[res["scope"] == "group"]
        means = res.dropna(subset=["mean"]).groupby("item")["mean"].min()
        assert ff.next_steps(r)
        for step in ff.next_steps(r):
            target = next_anchor(round(means[step.item], 1), scale).label
            assert step.numbers["toward"] == target, (cid, step)
    r = ff.Results(demo.responses("demo-focus-levels"), demo.campaign(
        "demo-focus-levels").instrument)
    first = ff.next_steps(r)[0]
    assert first.numbers == {"item": "innovation", "toward": "Moderate", "mean": 2.2}
    assert "move toward Moderate" in first.sentence


def test_external_focus_card_names_the_level_most_of_the_group_is_at(demo, base):
    """The card said 'Anticipating, 2.2' while the chart showed most partners at Responding:
    both now read the level where most of the group's answers are (the chart's shares)."""
    s = DashboardState(demo, "demo-external-focus", base=base)
    ef = s.result("external_focus")
    lv = ef[ef["scope"] == "level"]
    cards = {t: v for t, v, _ in s.cards()}
    for g in ("self", "partner"):
        shares = lv[lv["rater_group"] == g].set_index("level")["share"].astype(float)
        assert cards[f"Level: {ff.group_name(g)}"] == shares.idxmax()
    assert cards["Level: partners"] == "Responding"


def test_next_steps_follow_the_priorities_order(demo, base):
    """Next steps listed a 'Keep up the good work' expectation third, where the Priorities
    chart and the report put 'Concentrate here' first: one order now (priority_order)."""
    s = DashboardState(demo, "demo-expectations", base=base)
    order = ff.priority_order(s.result("importance_performance"))
    steps = s.findings("next")
    assert [f.item for f in steps] == list(order["item"].head(3))
    assert all(f.numbers["quadrant"] == "Concentrate here" for f in steps)
    report = {sec.key: sec for sec in build(demo, "demo-expectations", base=base).sections}
    assert report["next"].found == steps
    assert s.findings("priorities")[0].item == steps[0].item


def _report_findings(demo, cid, base, where=None):
    rep = build(demo, cid, where=where, base=base)
    return {sec.key: sec.found for sec in rep.sections}, rep


@pytest.mark.parametrize("cid", DEMO)
@pytest.mark.parametrize("pick", ["all", "first segment", "last segment", "first group",
                                  "last group"])
def test_dashboard_and_report_state_the_same_findings(demo, base, cid, pick):
    s = DashboardState(demo, cid, base=base)
    seg, grp = {"all": (ALL, ALL), "first segment": (s.segments[0], ALL),
                "last segment": (s.segments[-1], ALL), "first group": (ALL, s.groups[0]),
                "last group": (ALL, s.groups[-1])}[pick]
    filters = (seg, grp)
    s.set_filters(seg, grp)
    found, rep = _report_findings(demo, cid, base, s.where)
    assert list(found) == s.tabs  # the same pages as tabs, in the same order
    for key in s.tabs:
        try:
            tab = s.findings(key)
        except ValueError:
            continue  # the dashboard says in words that the filter leaves the leaders out
        tab_read = [f for f in tab if f.kind not in ("withheld", "empty", "none", "no-base")]
        assert found[key][:len(tab_read[:3])] == tab_read[:3], (cid, filters, key)
    # The cards are findings of those tabs, and the headlines are found in the tabs too.
    every = [f for key in s.tabs for f in _safe(s, key)]
    for f in ff.cards(s.results)[1:]:
        assert f in every or f.kind == "withheld", (cid, f)
    for h in rep.headlines:
        assert any(h == f.sentence for f in every), (cid, h)


def _safe(s, key):
    try:
        return s.findings(key)
    except ValueError:
        return []


@pytest.mark.parametrize("cid", DEMO)
def test_no_jargon_in_what_an_executive_reads(demo, base, cid):
    s = DashboardState(demo, cid, base=base)
    words = [f"{t} {v} {d}" for t, v, d in s.cards()]
    words += [f.sentence for key in s.tabs for f in _safe(s, key)]
    rep = build(demo, cid, base=base)
    words += rep.headlines + [r for sec in rep.sections for r in sec.readings]
    for text in words:
        for bad in JARGON:
            assert bad not in f" {text} ", (cid, bad, text)


def test_the_details_hold_the_statistics(demo, base):
    s = DashboardState(demo, "demo-focus-levels", base=base)
    gap = next(f for f in s.findings("outside") if f.kind == "gap")
    assert gap.numbers["difference"] == "clear difference"
    assert "Welch's t" in gap.details and "n = 8 and 40" in gap.details and "d =" in \
        gap.details
    res = s.result("perception_gaps", "customer").set_index("item").loc["contact"]
    t = stats.ttest_ind_from_stats(res["mean_a"], res["sd_a"], res["n_a"], res["mean_b"],
                                   res["sd_b"], res["n_b"], equal_var=False)
    assert f"t = {t.statistic:.2f}" in gap.details
    dis = next(f for f in s.findings("agreement") if f.kind == "disagreement")
    assert "rwg" in dis.details and "rwg" not in dis.sentence


def test_benchmark_says_where_its_base_comes_from(demo, base):
    s = DashboardState(demo, "demo-focus-levels", base=base)
    card = next(d for t, _, d in s.cards() if t == "Against other organisations")
    assert "synthetic demo base" in card
    assert all("synthetic demo base" in f.sentence for f in s.findings("benchmark")[:1])
    rep = build(demo, "demo-focus-levels", base=base)
    page = next(sec for sec in rep.sections if sec.key == "benchmark")
    assert "synthetic demo base" in page.lead and "synthetic demo base" in page.readings[0]


def test_counts_never_reveal_a_withheld_group(demo, base):
    s = DashboardState(demo, "demo-focus-levels", base=base, min_group=10)
    resp = ff.respondents(s.results)
    assert resp.numbers["groups"]["self"] is None  # 8 leaders, under 10
    assert "8" not in resp.brief
    assert resp.numbers["n"] is None or resp.numbers["n"] == 52
    assert "60" not in s.freshness()


def test_the_agreement_chart_and_the_findings_use_the_same_words(demo):
    from focuskit.plots.spread import agreement_words

    s = DashboardState(demo, "demo-focus-levels")
    ag = s.result("agenda")
    for f in s.findings("agreement"):
        if f.kind == "disagreement":
            rwg = ag.set_index("item").loc[f.item, "rwg"]
            assert f.numbers["agreement"] == agreement_words(rwg)
