"""Attacks on anonymity across waves (docs/trend.md), tried as a curious viewer holding every
figure focuskit shows about two or three waves: the trend, its plots, the actions' "did it
work" figures and the programme's freshness line. Each test tries one way of working out one
person's answers and expects it to fail."""

import math
import random
import re

import matplotlib
import pandas as pd
import pytest
from conftest import full_answers

from focuskit import Store
from focuskit.analysis import action_effects, profile, trend
from focuskit.findings.programme import summary
from focuskit.plots import then_and_now, trend_plot

matplotlib.use("Agg")

T0 = pd.Timestamp("2025-01-06 09:00", tz="UTC")
SECTION = {"data": "information", "contact": "information", "budgets": "innovation_and_investment",
           "innovation": "innovation_and_investment", "training": "organisation"}
COLUMNS = ["campaign", "submission", "respondent", "rater_group", "segment", "section", "item",
           "facet", "value", "comment", "submitted_at"]


@pytest.fixture(autouse=True)
def _close_figures():
    """The plot attacks draw figures; close them so no later test finds them open."""
    import matplotlib.pyplot as plt

    yield
    plt.close("all")


def wave(w, people, k=5, group="self"):
    """Wave ``w``: one row per (person, item); ``people`` is a list of {item: value} dicts
    (an item left out was skipped), each with an optional "segment". Everyone answers at the
    same moment (an import), so each wave's figures count all of them: answers arriving one
    by one are released only k at a time, which would hide the newcomer by itself."""
    at = T0 + pd.Timedelta(days=365 * (w - 1))
    rows = []
    for i, p in enumerate(people):
        sid = 1000 * w + i
        for item, v in p.items():
            if item == "segment":
                continue
            rows.append(dict(campaign=f"w{w}", submission=sid, respondent=f"w{w}-{i}",
                             rater_group=group, segment=p.get("segment"),
                             section=SECTION[item], item=item, facet="level", value=float(v),
                             comment=None, submitted_at=at))
    df = pd.DataFrame(rows, columns=COLUMNS)
    df.attrs.update(campaign=f"w{w}", instrument="focus-levels", min_group_size=k)
    return df


SIX = [{"data": v, "budgets": 3} for v in (2, 3, 3, 4, 2, 3)]


def newcomer(v=5):
    return [{"data": v, "budgets": 3}]


# -- a team of 6, then 7 -------------------------------------------------------------------
@pytest.mark.parametrize("by", ["item", "section"])
def test_a_team_of_six_then_seven_shows_no_change(by):
    out = trend([wave(1, SIX), wave(2, SIX + newcomer())], by=by)
    later = out[(out["wave"] == 2) & (out[by] == ("data" if by == "item" else "information"))]
    r = later.iloc[0]
    assert r["released"] and (out.loc[out["wave"] == 1, "released"]).all()
    assert math.isnan(r["change"]) and math.isnan(r["change_low"]) and math.isnan(r["detectable"])
    assert r["verdict"] == "cannot tell" and "joined or left" in r["why"]


def test_a_leaver_is_not_given_away_either():
    out = trend([wave(1, SIX + newcomer()), wave(2, SIX)])
    r = out[(out["wave"] == 2) & (out["item"] == "data")].iloc[0]
    assert math.isnan(r["change"]) and r["verdict"] == "cannot tell"


def test_a_segment_that_shrinks_by_one_is_not_a_change_the_trend_shows():
    # The trend is per rater group (all its segments): a segment losing one person while the
    # group keeps its size states no segment-level change at all.
    one = [{**p, "segment": "North" if i < 6 else "South"} for i, p in enumerate(SIX + SIX)]
    two = [{**p, "segment": "North" if i < 5 else "South"} for i, p in enumerate(SIX + SIX)]
    out = trend([wave(1, one), wave(2, two)])
    assert "segment" not in out.columns
    assert set(out["n"].dropna()) == {12}


# -- three waves: the first and the latest side by side --------------------------------------
def three_waves():
    """6 people, then 12 (6 joined), then 7 (5 left): each consecutive change is about at
    least k = 5 people, but the first and latest waves differ by one newcomer."""
    extra = [{"data": v, "budgets": 3} for v in (1, 5, 1, 5, 1, 5)]
    return [wave(1, SIX), wave(2, SIX + extra), wave(3, SIX + newcomer(5))]


def test_then_and_now_draws_no_change_about_one_newcomer_across_three_waves():
    t = trend(three_waves())
    rows = t[t["item"] == "data"].set_index("wave")
    assert list(rows["n"]) == [6, 12, 7] and rows["released"].all()
    ax = then_and_now(data=t, rater_group="self")
    # An arrow from wave 1 (6 people) to wave 3 (the same 6 and one newcomer) presents a
    # change about one person, which rule 2 of docs/trend.md keeps focuskit from showing.
    assert not _arrow_on(ax, t, "data")


def _arrow_on(ax, t, item) -> bool:
    dims = list(dict.fromkeys(t["item"]))
    y = dims.index(item)
    return any(a.get_gid() == "arrow" and a.xy[1] == y for a in ax.texts)


def test_the_trend_plot_joins_only_waves_whose_change_is_shown():
    # 5 then 6 (change withheld), then 11 (5 joined, shown).
    five = SIX[:5]
    more = [{"data": v, "budgets": 3} for v in (1, 5, 1, 5, 4)]
    t = trend([wave(1, five), wave(2, five + newcomer()), wave(3, five + newcomer() + more)])
    ax = trend_plot(data=t, item="data", rater_group="self")
    joins = [ln for ln in ax.lines if str(ln.get_gid()).startswith("change")]
    spans = sorted(tuple(ln.get_xdata()) for ln in joins)
    assert all(tuple(s) != (1, 2) for s in spans)
    assert all(not (min(s) <= 1 and max(s) >= 3) for s in spans)  # no line from 1 to 3 either


# -- did it work ---------------------------------------------------------------------------
def people(values, others=3, skip=None):
    out = []
    for i, v in enumerate(values):
        p = {"data": v, "contact": others, "budgets": others, "innovation": others,
             "training": others}
        if skip is not None and i == skip:
            del p["training"]
        out.append(p)
    return out


ACTION = dict(id=1, title="Share customer data", campaign="w1", item="data", section=None)


def test_the_action_on_a_campaign_of_six_then_seven_gives_no_change_or_effect():
    res = action_effects([wave(1, people([2, 3, 3, 4, 2, 3])),
                          wave(2, people([2, 3, 3, 4, 2, 3, 5]))], [ACTION])
    r = res.iloc[0]
    assert math.isnan(r["change"]) and math.isnan(r["effect"]) and math.isnan(r["others_change"])
    assert r["verdict"] == "cannot tell" and "joined or left" in r["why"]


def test_the_effect_does_not_give_away_one_skipper_s_answers():
    # Ten people answer all five items in wave 1; in wave 2 one of ten skips "training". Each
    # item's figure is released in both waves (10, or 9 on training: different items). The
    # effect averaged the skipper over their three other answers, so with the items' means
    # and counts, others_change pinned the sum of that person's three answers exactly.
    rng = random.Random(3)

    def crowd(skip=None):
        out = [{i: rng.randint(1, 5) for i in ("data", "contact", "budgets", "innovation",
                                               "training")} for _ in range(10)]
        if skip is not None:
            del out[skip]["training"]
        return out

    one, two = crowd(), crowd(skip=7)
    f1, f2 = wave(1, one), wave(2, two)
    r = action_effects([f1, f2], [ACTION]).iloc[0]
    assert r["released"] and r["n_before"] == 10 and r["n_after"] == 10
    assert math.isnan(r["effect"]) and math.isnan(r["others_change"])
    assert r["verdict"] == "cannot tell" and "every item it combines" in r["why"]
    # What the viewer would have done with a released others_change:
    p1 = profile(f1, by=[], per="item").set_index("item")
    p2 = profile(f2, by=[], per="item").set_index("item")
    assert not p2[["suppressed"]].any(axis=None) and p2.loc["training", "n"] == 9
    rest = ["contact", "budgets", "innovation"]
    others1 = sum(p1.loc[i, "mean"] for i in [*rest, "training"]) / 4
    total2 = sum(p2.loc[i, "mean"] * 10 for i in rest)
    training2 = p2.loc["training", "mean"] * 9

    def sum_of_skipper(others_change):  # 10·others₂ = (total₂ − x)/4 + training₂/4 + x/3
        return (10 * (others1 + others_change) - total2 / 4 - training2 / 4) * 12

    truth = sum(two[7][i] for i in rest)
    d = [sum(p[i] for i in rest) / 3 if "training" not in p else
         sum(p[i] for i in [*rest, "training"]) / 4 for p in two]
    before_others = sum(sum(p[i] for i in [*rest, "training"]) / 4 for p in one) / 10
    assert sum_of_skipper(sum(d) / 10 - before_others) == pytest.approx(truth)


def test_the_effect_states_no_count_of_a_withheld_group():
    res = action_effects([wave(1, people([2, 3, 3])), wave(2, people([3, 4, 4, 3]))], [ACTION])
    r = res.iloc[0]
    assert pd.isna(r["n_before"]) and pd.isna(r["n_after"]) and not r["released"]
    assert math.isnan(r["before"]) and math.isnan(r["after"])
    assert not any(ch.isdigit() for ch in r["why"].replace("fewer than 5", ""))


# -- the freshness line --------------------------------------------------------------------
@pytest.fixture
def mem():
    with Store("sqlite:///:memory:") as s:
        yield s


def _programme(store, groups):
    camp = store.create_campaign("fl", "Levels", "focus-levels",
                                 rater_groups=sorted(groups), organisation="Alder")
    n = 0
    for g, count in groups.items():
        for _ in range(count):
            n += 1
            store.submit("fl", full_answers(camp.instrument, 2 + n % 3), rater_group=g,
                         respondent=f"r{n}", idempotency_key=f"k{n}")
    store.create_programme("prog", "Alder", organisation="Alder")
    store.add_to_programme("prog", "fl")
    return summary(store, "prog")


def test_the_freshness_line_never_counts_a_campaign_smaller_than_k(mem):
    s = _programme(mem, {"self": 3})
    lens = next(x for x in s.lenses if x.instrument == "focus-levels")
    assert not re.findall(r"\d+ respondent", s.freshness + lens.freshness)
    assert "withheld" in s.freshness


def test_the_freshness_line_does_not_give_a_withheld_group_size_away(mem):
    # Seven leaders (shown) and two customers (withheld): a total of 9 beside "self 7" would
    # say there are two customers.
    s = _programme(mem, {"self": 7, "customer": 2})
    lens = next(x for x in s.lenses if x.instrument == "focus-levels")
    for text in (s.freshness, lens.freshness):
        counts = [int(n) for n in re.findall(r"(\d+) respondents?", text)]
        assert not set(counts) & {9, 2}, text


def test_a_section_figure_does_not_give_away_one_who_skipped_an_item():
    # Six answer both items of "information", a seventh only "contact": the items' figures
    # (6 and 7 people) and a section mean over everyone would pin the seventh's answer.
    crowd = [{"data": d, "contact": c} for d, c in [(2, 3), (3, 4), (4, 2), (2, 2), (3, 3),
                                                     (4, 4)]] + [{"contact": 5}]
    f = wave(1, crowd)
    items = profile(f, by="rater_group", per="item").set_index("item")
    assert not items["suppressed"].any() and list(items.loc[["data", "contact"], "n"]) == [6, 7]
    t = trend([f, wave(2, crowd)], by="section")
    assert not t.loc[t["section"] == "information", "released"].any()


def test_the_dashboard_filter_does_not_reach_the_trend(mem):
    # A viewer filtering one segment in wave 2 and reading wave 1 unfiltered: the trend on
    # the Levels tab is the whole campaign's whatever the filter, never a segment's change.
    from focuskit.apps.dashboard import DashboardState

    mem.create_campaign("fl", "Levels", "focus-levels", rater_groups=["self"],
                        segments=["North", "South"], organisation="Alder")
    mem.create_wave("fl", title="Next")
    for cid, south in (("fl", 6), ("fl-w2", 5)):
        inst = mem.campaign(cid).instrument
        for i in range(6 + south):
            mem.submit(cid, full_answers(inst, 2 + i % 3), rater_group="self",
                       segment="North" if i < 6 else "South", respondent=f"{cid}-{i}",
                       idempotency_key=f"{cid}-{i}")
    st = DashboardState(mem, "fl-w2")
    whole = st.trend().copy()
    st.set_filters("South", "self")
    pd.testing.assert_frame_equal(st.trend(), whole)


def test_the_words_about_what_changed_state_no_count_of_a_withheld_group():
    from focuskit.findings.trend import action_findings, trend_findings

    # 3 people, then 4: every figure of both waves is withheld, and so is the action's.
    found = trend_findings(trend([wave(1, SIX[:3]), wave(2, SIX[:4])])) + action_findings(
        action_effects([wave(1, people([2, 3, 3])), wave(2, people([3, 4, 4, 3]))], [ACTION]))
    assert found
    for f in found:
        words = re.sub(r"fewer than 5|wave \d|\d+%|1-5", "", f"{f.sentence} {f.details or ''}")
        assert not re.search(r"\b[34]\b", words), words


def _cust(w, n, k=5):
    return wave(w, [{"data": v, "budgets": 3} for v in (2, 4, 3, 5)[:n]], k, group="customer")


def test_the_plots_state_no_count_of_a_withheld_group():
    # Leaders 6 then 7 (released, change withheld), customers 3 then 4 (withheld).
    waves = [pd.concat([wave(1, SIX), _cust(1, 3)]), pd.concat([wave(2, SIX + newcomer()),
                                                              _cust(2, 4)])]
    for w, f in enumerate(waves, start=1):
        f.attrs.update(campaign=f"w{w}", instrument="focus-levels", min_group_size=5)
    t = trend(waves)
    assert not t.loc[t["rater_group"] == "customer", "released"].any()
    axes = [trend_plot(data=t, item="data"), then_and_now(data=t, rater_group="customer"),
            then_and_now(data=t, rater_group="self")]
    for ax in axes:
        words = " ".join(x.get_text() for x in [*ax.texts, *ax.figure.texts])
        words += " " + " ".join(x.get_text() for x in ax.get_legend().get_texts()) \
            if ax.get_legend() else ""
        words = re.sub(r"fewer than 5|[Ww]ave \d", "", words)
        assert not re.search(r"(?<![\d.])[34](?![\d.])", words), words


def test_one_late_answer_moves_neither_the_count_nor_the_time_on_the_freshness_line(mem):
    before = _programme(mem, {"self": 10})
    inst = mem.campaign("fl").instrument
    mem.submit("fl", full_answers(inst, 5), rater_group="self", respondent="late",
               idempotency_key="late")
    after = summary(mem, "prog")
    assert after.freshness == before.freshness


def test_a_register_of_a_thousand_actions_judges_each_dimension_once(monkeypatch):
    # An admin (or a script) adding 1,000 actions made the programme page take 129 s to
    # open and 70 s to close one action: every action re-judged its dimension's scores.
    import focuskit.analysis.effects as effects_module

    calls = []
    real = effects_module.judge
    monkeypatch.setattr(effects_module, "judge", lambda *a, **k: calls.append(1) or real(*a, **k))
    ten = [2, 3, 3, 4, 2, 3, 4, 2, 3, 3]
    acts = [dict(ACTION, id=i, item=("data", "contact")[i % 2]) for i in range(1000)]
    res = action_effects([wave(1, people(ten)), wave(2, people([v + 1 for v in ten]))], acts)
    assert len(res) == 1000 and res["effect"].notna().all()
    assert len(calls) <= 2 * 2  # two dimensions, two waves
