"""The trend plots: artists, not pixels. Each wave a point with its interval on the level
bands, the change in words, withheld points left out with a note saying why."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import focuskit.plots as fp  # noqa: E402
from focuskit.analysis import trend  # noqa: E402
from focuskit.instruments import load_instrument  # noqa: E402

SECTIONS = {i.id: i.section for i in load_instrument("focus-levels").items}
T0 = pd.Timestamp("2025-01-06 09:00", tz="UTC")
COLUMNS = ["campaign", "submission", "respondent", "rater_group", "segment", "section", "item",
           "facet", "value", "comment", "submitted_at"]


def wave(campaign, people, k=3):
    rows, sid = [], 0
    for group, persons in people.items():
        for person in persons:
            sid += 1
            for item, v in person.items():
                rows.append(dict(campaign=campaign, submission=sid, respondent=f"{campaign}{sid}",
                                 rater_group=group, segment=None, section=SECTIONS[item],
                                 item=item, facet="level", value=float(v), comment=None,
                                 submitted_at=T0))
    df = pd.DataFrame(rows, columns=COLUMNS)
    df.attrs.update(campaign=campaign, instrument="focus-levels", min_group_size=k)
    return df


def both(data, contact):
    return [{"data": d, "contact": c} for d, c in zip(data, contact, strict=True)]


@pytest.fixture(scope="module")
def result():
    w1 = wave("w1", {"self": both([2, 3, 2, 3], [3, 3, 2, 3]),
                     "customer": both([2, 2, 1, 3, 2, 2], [3, 4, 3, 3, 4, 3]),
                     "partner": both([3, 4], [3, 3])})  # too few partners in wave 1
    w2 = wave("w2", {"self": both([3, 4, 3], [3, 3, 2]),  # one of our people left
                     "customer": both([4, 3, 3, 4, 3, 4], [3, 4, 3, 3, 4, 3]),
                     "partner": both([3, 4, 4, 2], [2, 3, 3, 3])})
    w3 = wave("w3", {"self": both([3, 4, 3], [3, 3, 2]),
                     "customer": both([4, 4, 5, 4, 3, 4], [3, 4, 3, 3, 4, 3]),
                     "partner": both([3, 4, 4, 2], [2, 3, 3, 3])})
    return trend([w1, w2, w3])


@pytest.fixture(autouse=True)
def no_figures_left():
    plt.close("all")
    yield
    leaked = plt.get_fignums()
    plt.close("all")
    assert not leaked, f"{len(leaked)} figure(s) left open"


def by_gid(ax, gid):
    return [a for a in ax.get_children() if a.get_gid() == gid]


def texts(ax, gid):
    return [t.get_text() for t in ax.texts if t.get_gid() == gid]


def points(ax, group):
    """The (x, y) of a group's drawn points (the errorbar's marker line)."""
    bars = [c for c in ax.containers if c.get_label() and c[0].get_gid() == f"group:{group}"] \
        or [c for c in ax.containers if getattr(c, "get_gid", lambda: None)() == f"group:{group}"]
    assert len(bars) == 1
    line = bars[0][0]
    return list(zip(line.get_xdata(), line.get_ydata(), strict=True))


def test_one_group_wave_by_wave_with_the_change_in_words(result):
    ax = fp.trend_plot(data=result, item="data", rater_group="customer")
    rows = result[(result["rater_group"] == "customer") & (result["item"] == "data")]
    got = points(ax, "customer")
    assert [x for x, _ in got] == [1, 2, 3]
    assert [y for _, y in got] == pytest.approx(rows["mean"].tolist())
    assert texts(ax, "change") == [f"improved (+{rows['change'].iloc[1]:.1f})",
                                   f"no clear change (+{rows['change'].iloc[2]:.1f})"]
    assert by_gid(ax, "bands") and [t.get_text() for t in ax.texts
                                    if t.get_gid() == "band-name"] == ["Casual", "Moderate",
                                                                       "Intense"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Wave 1", "Wave 2", "Wave 3"]
    assert "Data" in ax.get_title(loc="left")
    assert not texts(ax, "note")
    plt.close(ax.figure)


def test_withheld_points_are_left_out_and_the_plot_says_why(result):
    ax = fp.trend_plot(data=result, item="data")
    # partners: wave 1 withheld (two answered), waves 2 and 3 drawn
    assert [x for x, _ in points(ax, "partner")] == pytest.approx([2, 3], abs=0.2)
    note = texts(ax, "note")[0].replace("\n", " ")
    assert "Partners, wave 1: not shown (fewer than 3 answered)" in note
    # our people: one left between waves 1 and 2: no line, and the note says why
    assert "Our people, wave 2: no change shown: too few people joined or left" in note
    lines = {a.get_gid(): 0 for a in ax.lines}
    for a in ax.lines:
        lines[a.get_gid()] += 1
    assert lines.get("change:self") == 1  # waves 2 to 3 only
    assert lines.get("change:customer") == 2
    # several groups: the change words go in the legend, not on the plot
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[1].startswith("Customers: no clear change") and not texts(ax, "change")
    assert not any(ch.isdigit() for ch in note.replace("fewer than 3", "")
                   .replace("wave 1", "").replace("wave 2", "").replace("wave 3", ""))
    plt.close(ax.figure)


def test_then_and_now(result):
    ax = fp.then_and_now(data=result, rater_group="customer")
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Data", "Contact"]
    then, now = by_gid(ax, "then"), by_gid(ax, "now")
    assert len(then) == len(now) == 2
    means = result[(result["rater_group"] == "customer")].set_index(["wave", "item"])["mean"]
    assert then[0].get_xdata()[0] == pytest.approx(means[(1, "data")])
    assert now[0].get_xdata()[0] == pytest.approx(means[(3, "data")])
    assert then[0].get_markerfacecolor() == "white"  # hollow then, filled now
    arrows = [t for t in ax.texts if t.get_gid() == "arrow"]
    assert len(arrows) == 2
    last = result[(result["rater_group"] == "customer") & (result["wave"] == 3)]
    assert texts(ax, "verdict") == [f"no clear change (+{last['change'].iloc[0]:.1f})",
                                    "no clear change"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Wave 1", "Wave 3"]
    plt.close(ax.figure)


def test_then_and_now_leaves_out_what_is_withheld(result):
    ax = fp.then_and_now(data=result, rater_group="partner")
    assert not by_gid(ax, "then") and len(by_gid(ax, "now")) == 2
    assert "Data, wave 1: fewer than 3 answered" in texts(ax, "note")[0].replace("\n", " ")
    plt.close(ax.figure)


def test_a_withheld_change_draws_no_line_between_the_waves():
    w1 = wave("w1", {"self": both([2, 3, 2, 3, 2], [3, 3, 2, 3, 3])})
    w2 = wave("w2", {"self": both([4, 4, 3, 4], [3, 3, 2, 3])})
    ax = fp.then_and_now(data=trend([w1, w2]))
    assert len(by_gid(ax, "then")) == len(by_gid(ax, "now")) == 2
    assert not [t for t in ax.texts if t.get_gid() == "arrow"]
    assert texts(ax, "verdict") == ["change not shown"] * 2
    assert "Change not shown: too few people joined or left" in \
        texts(ax, "note")[0].replace("\n", " ")
    plt.close(ax.figure)


def test_a_single_wave_and_a_given_axes(result):
    one = result[result["wave"] == 1]
    fig, ax = plt.subplots()
    assert fp.then_and_now(data=one, rater_group="customer", ax=ax) is ax
    assert len(by_gid(ax, "then")) == 2 and not by_gid(ax, "now")
    assert "Only one wave so far" in texts(ax, "note")[0]
    plt.close(fig)


def test_sections_and_bad_input():
    w1 = wave("w1", {"self": both([2, 3, 2, 3], [3, 3, 2, 3])})
    w2 = wave("w2", {"self": both([4, 4, 3, 4], [4, 3, 4, 3])})
    res = trend([w1, w2], by="section")
    ax = fp.trend_plot(data=res, item="information")
    assert "Information and contact" in ax.get_title(loc="left")
    plt.close(ax.figure)
    ax = fp.then_and_now(data=res)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Information and contact"]
    plt.close(ax.figure)
    with pytest.raises(ValueError, match="no item 'nope'"):
        fp.trend_plot(data=trend([w1, w2]), item="nope")
    with pytest.raises(ValueError, match="analysis.trend"):
        fp.trend_plot(data=pd.DataFrame({"x": [1]}), item="data")
    with pytest.raises(ValueError, match="rater group"):
        fp.then_and_now(data=res, rater_group="customer")
    assert not plt.get_fignums()
    assert np.isfinite(res["mean"]).all()


def test_the_interval_label_follows_the_level():
    w1 = wave("w1", {"self": both([2, 3, 2, 3], [3, 3, 2, 3])})
    w2 = wave("w2", {"self": both([4, 4, 3, 4], [4, 3, 4, 3])})
    ax = fp.trend_plot(data=trend([w1, w2], level=0.9), item="data")
    assert ax.get_ylabel() == "Mean level, with its 90% interval"
    plt.close(ax.figure)


def test_then_and_now_shows_what_actions_move_by_default():
    # Expectations ask importance and performance: the plot, like the findings and the
    # actions' "did it work", speaks of performance unless asked for importance.
    items = [i.id for i in load_instrument("expectations").items][:2]

    def ip_wave(campaign, perf):
        rows = [dict(campaign=campaign, submission=s, respondent=f"{campaign}{s}",
                     rater_group="customer", segment=None, section="s", item=item, facet=f,
                     value=float(v), comment=None, submitted_at=T0)
                for s, p in enumerate(perf, start=1) for item in items
                for f, v in (("importance", 4), ("performance", p))]
        df = pd.DataFrame(rows, columns=COLUMNS)
        df.attrs.update(campaign=campaign, instrument="expectations", min_group_size=3)
        return df

    res = trend([ip_wave("e1", [2, 3, 2, 3]), ip_wave("e2", [4, 4, 3, 4])])
    ax = fp.then_and_now(data=res)
    assert "Performance" in ax.get_title(loc="left")
    assert by_gid(ax, "now")[0].get_xdata()[0] == pytest.approx(3.75)
    ax2 = fp.then_and_now(data=res, facet="importance")
    assert "Importance" in ax2.get_title(loc="left")
    plt.close("all")
