"""Plots, part 1: the theme, data= handling, figure hygiene, level profile, team spread,
heatmap and gap dumbbell. Tests inspect artists (points, colours, labels, withheld notes)."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

import focuskit.analysis as fa  # noqa: E402
import focuskit.plots as fp  # noqa: E402
from focuskit.instruments import load_instrument  # noqa: E402
from focuskit.plots.gallery import demo_frames  # noqa: E402
from focuskit.plots.theme import FACETS, GROUPS  # noqa: E402


@pytest.fixture(scope="module")
def demo():
    return demo_frames()


@pytest.fixture(scope="module")
def levels(demo):
    return demo["demo-focus-levels"]


@pytest.fixture(autouse=True)
def no_figures_left():
    plt.close("all")
    yield
    # Every test closes what it drew: a figure still open here leaked.
    leaked = plt.get_fignums()
    plt.close("all")
    assert not leaked, f"{len(leaked)} figure(s) left open"


def texts(ax, gid=None):
    return [t for t in ax.texts if gid is None or t.get_gid() == gid]


def gid_artists(ax, gid):
    return [a for a in ax.get_children() if a.get_gid() == gid]


# -- theme -------------------------------------------------------------------------------------
def test_each_rater_group_has_its_own_colour_marker_line_and_hatch():
    for attr in ("color", "marker", "linestyle", "hatch", "label"):
        values = [getattr(s, attr) for s in GROUPS.values()]
        assert len({str(v) for v in values}) == len(values), attr
    assert set(GROUPS) == {"self", "team", "customer", "partner", "internal"}
    assert fp.group_style("board").label == "board"  # unknown groups still draw


def test_the_theme_leaves_the_callers_settings_alone(levels):
    before = dict(matplotlib.rcParams)
    ax = fp.level_profile(data=fa.profile(levels))
    plt.close(ax.figure)
    assert dict(matplotlib.rcParams) == before


# -- data= -------------------------------------------------------------------------------------
PLOTS = [fp.level_profile, fp.team_spread, fp.heatmap, fp.gap_dumbbell, fp.ip_quadrant,
         fp.benchmark_position, fp.blocks_chart, fp.adli_rubric, fp.contact_planner,
         fp.external_focus_chart]


@pytest.mark.parametrize("plot", PLOTS, ids=lambda f: f.__name__)
def test_bad_data_is_refused_and_no_figure_is_left(plot):
    import pandas as pd

    with pytest.raises(ValueError, match="data="):
        plot(data=None)
    with pytest.raises(ValueError, match="focuskit.analysis"):
        plot(data=pd.DataFrame({"x": [1]}))
    assert plt.get_fignums() == []


def test_a_failure_while_drawing_closes_the_new_figure(levels):
    with pytest.raises(ValueError, match="polar"):
        fig, ax = plt.subplots()
        try:
            fp.level_profile(data=fa.profile(levels), kind="radar", ax=ax)
        finally:
            plt.close(fig)
    res = fa.profile(levels, by=["rater_group", "segment"])
    with pytest.raises(ValueError, match="segment"):
        fp.level_profile(data=res)
    assert plt.get_fignums() == []


def test_the_given_axes_is_drawn_on_and_returned(levels):
    fig, ax = plt.subplots()
    assert fp.heatmap(data=fa.profile(levels), ax=ax) is ax
    plt.close(fig)


def test_plots_draw_the_frame_they_are_given_and_compute_nothing(levels):
    res = fa.profile(levels)
    res.loc[(res["rater_group"] == "partner") & (res["item"] == "data"), "mean"] = 4.44
    ax = fp.level_profile(data=res)
    partner = [c for c in ax.containers if c.get_label().startswith("Partners")][0]
    xs = partner.lines[0].get_xdata()
    assert 4.44 in np.round(np.asarray(xs, dtype=float), 2)
    plt.close(ax.figure)


# -- level profile -----------------------------------------------------------------------------
def test_level_profile_one_point_per_dimension_per_group_in_fixed_colours(levels):
    ax = fp.level_profile(data=levels)  # the responses frame goes through profile()
    containers = {c.get_label().split(" (")[0]: c for c in ax.containers}
    assert set(containers) == {"Our people", "Customers", "Partners"}
    for group in ("self", "customer", "partner"):
        c = containers[GROUPS[group].label]
        assert len(c.lines[0].get_xdata()) == 8
        assert to_hex(c.lines[0].get_color()) == GROUPS[group].color.lower()
        assert c.lines[0].get_marker() == GROUPS[group].marker
    assert [t.get_text() for t in ax.get_yticklabels()][0] == "Segments and\npartnerships"
    assert [t.get_text() for t in texts(ax, "band-name")] == ["Casual", "Moderate", "Intense"]
    assert "Customers (n=40)" in [t.get_text() for t in ax.get_legend().get_texts()]
    plt.close(ax.figure)


def test_level_profile_shows_withheld_groups_as_n_below_k(levels):
    ax = fp.level_profile(data=fa.profile(levels, min_group=10))
    withheld = [t.get_text() for t in texts(ax, "withheld")]
    assert withheld.count("Our people: n < 10") == 8
    assert "Our people (n < 10)" in [t.get_text() for t in ax.get_legend().get_texts()]
    plt.close(ax.figure)


def test_level_profile_radar_is_an_option(levels):
    ax = fp.level_profile(data=fa.profile(levels), kind="radar")
    assert ax.name == "polar"
    lines = {a.get_gid(): a for a in ax.lines}
    assert to_hex(lines["group:customer"].get_color()) == GROUPS["customer"].color.lower()
    assert len(lines["group:self"].get_xdata()) == 9  # eight spokes, closed
    plt.close(ax.figure)


def test_prompts_are_wrapped_not_cut(levels):
    ax = fp.level_profile(data=fa.profile(levels), labels="prompt")
    shown = [t.get_text().replace("\n", " ") for t in ax.get_yticklabels()]
    prompts = [i.prompt for i in load_instrument("focus-levels").items]
    assert shown == prompts
    assert all("\n" in t.get_text() for t in ax.get_yticklabels())
    plt.close(ax.figure)


def test_section_profiles_use_section_titles(levels):
    ax = fp.level_profile(data=fa.profile(levels, per="section"))
    first = ax.get_yticklabels()[0].get_text().replace("\n", " ")
    assert first == load_instrument("focus-levels").sections[0].title
    plt.close(ax.figure)


# -- team spread -------------------------------------------------------------------------------
def test_team_spread_draws_one_anonymous_dot_per_rating(levels):
    agenda = fa.discussion_agenda(levels, group="self")
    ax = fp.team_spread(data=agenda)
    dots = gid_artists(ax, "group:self")[0]
    assert len(dots.get_offsets()) == 8 * 8  # eight leaders × eight dimensions
    assert to_hex(dots.get_facecolor()[0]) == GROUPS["self"].color.lower()
    notes = [t.get_text() for t in texts(ax, "agreement")]
    assert len(notes) == 8 and notes[0] == "none (0.00)"  # most disputed first: data
    assert ax.get_yticklabels()[0].get_text() == "Data"
    plt.close(ax.figure)


def test_team_spread_dots_sit_on_the_level_chosen(levels):
    ax = fp.team_spread(data=levels, group="self")
    xs = gid_artists(ax, "group:self")[0].get_offsets()[:, 0]
    assert np.all(np.abs(xs - np.round(xs)) <= 0.3)
    plt.close(ax.figure)


def test_team_spread_of_a_small_group_shows_only_a_note(levels):
    ax = fp.team_spread(data=levels, group="self", min_group=10)
    assert gid_artists(ax, "group:self") == []
    (note,) = texts(ax, "withheld")
    assert "n < 10" in note.get_text()
    plt.close(ax.figure)


def test_team_spread_of_a_large_group_draws_one_dot_per_several_people():
    import pandas as pd

    counts = {f"n_{v}": [4000.0, 100.0] for v in range(1, 6)}
    agenda = pd.DataFrame({"item": ["data", "budgets"], "n": [20000, 500], "rwg": [0.1, 0.2],
                           "suppressed": False, "n_shown": ["20000", "500"], **counts})
    ax = fp.team_spread(data=agenda)
    dots = gid_artists(ax, "group:self")[0].get_offsets()
    assert len(dots) <= 10 * fp.spread.MAX_DOTS
    assert "each dot is 167 people" in texts(ax, "note")[0].get_text()
    plt.close(ax.figure)


# -- heatmap -----------------------------------------------------------------------------------
def test_heatmap_never_blanks_or_drops_a_withheld_cell(levels):
    res = fa.profile(levels, by=["rater_group", "segment"], min_group=10)
    ax = fp.heatmap(data=res)
    cells, withheld = texts(ax, "cell"), texts(ax, "withheld")
    # four cells (the leaders, under 10, are held back as a group) × eight dimensions
    assert len(cells) + len(withheld) == 4 * 8
    words = {t.get_text() for t in withheld}
    assert words == {"withheld"}
    assert len(cells) == int((~res["suppressed"]).sum())
    hatched = [c for c in ax.collections if c.get_gid() == "withheld"][0]
    assert len(hatched.get_paths()) == len(withheld) and hatched.get_hatch() == "///"
    rows = [t.get_text() for t in ax.get_yticklabels()]
    assert rows[-1] == "Partners" and not any(r.startswith("Our people") for r in rows)
    assert "anonymity" in texts(ax, "note")[0].get_text()
    plt.close(ax.figure)
    ax = fp.heatmap(data=fa.profile(levels, by="rater_group", min_group=10))
    assert {t.get_text() for t in texts(ax, "withheld")} == {"n < 10"}
    plt.close(ax.figure)


def test_heatmap_prints_the_values_it_is_given(levels):
    res = fa.profile(levels)
    ax = fp.heatmap(data=res)
    shown = sorted(float(t.get_text()) for t in texts(ax, "cell"))
    assert shown == sorted(np.round(res["mean"], 1))
    plt.close(ax.figure)


# -- gap dumbbell ------------------------------------------------------------------------------
def test_perception_gaps_sorted_by_gap_with_blind_spots_marked(levels):
    res = fa.perception_gaps(levels, "self", "customer")
    ax = fp.gap_dumbbell(data=res)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    order = res.sort_values("gap", ascending=False)["item"].map(fp._base.readable).tolist()
    assert labels == order
    gaps = [t.get_text() for t in texts(ax, "gap")]
    assert gaps[0] == "+1.7  BLIND SPOT" and sum("BLIND SPOT" in g for g in gaps) == 1
    left, right = gid_artists(ax, "end:left")[0], gid_artists(ax, "end:right")[0]
    assert to_hex(left.get_facecolor()[0]) == GROUPS["self"].color.lower()
    assert to_hex(right.get_facecolor()[0]) == GROUPS["customer"].color.lower()
    assert len(left.get_offsets()) == len(right.get_offsets()) == 8
    plt.close(ax.figure)


def test_hidden_strengths_are_marked_and_withheld_items_keep_their_row(levels):
    res = fa.perception_gaps(levels, "self", "customer")
    res.loc[res["item"] == "training", "flag"] = "hidden strength"
    res.loc[res["item"] == "data", ["suppressed", "n_shown"]] = [True, "< 5 in a group"]
    res.loc[res["item"] == "data", ["mean_a", "mean_b", "gap"]] = np.nan
    ax = fp.gap_dumbbell(data=res)
    assert any("hidden strength" in t.get_text() for t in texts(ax, "gap"))
    assert [t.get_text() for t in texts(ax, "withheld")] == ["n < 5 in a group"]
    assert ax.get_yticklabels()[-1].get_text() == "Data"  # withheld rows go last
    assert len(gid_artists(ax, "end:left")[0].get_offsets()) == 7
    plt.close(ax.figure)


def test_say_do_dumbbell_has_hollow_say_and_solid_do(demo):
    ax = fp.gap_dumbbell(data=demo["demo-say-do"])
    say, do = gid_artists(ax, "end:left")[0], gid_artists(ax, "end:right")[0]
    assert len(say.get_offsets()) == 18
    assert to_hex(say.get_facecolor()[0]) == "#ffffff"
    assert to_hex(say.get_edgecolor()[0]) == FACETS["say"].color.lower()
    assert to_hex(do.get_facecolor()[0]) == FACETS["do"].color.lower()
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Say (intention)",
                                                                   "Do (practice)"]
    assert texts(ax, "gap") == []  # 18 rows: the sorted bars carry the gap
    plt.close(ax.figure)
    ax = fp.gap_dumbbell(data=demo["demo-say-do"], values=True)
    assert [t.get_text() for t in texts(ax, "gap")][:2] == ["+1.9", "+1.9"]
    plt.close(ax.figure)
    ax = fp.gap_dumbbell(data=fa.say_do(demo["demo-say-do"]), scope="area")
    assert ax.get_yticklabels()[0].get_text() == "Processes"  # the widest area gap first
    plt.close(ax.figure)


def test_an_unknown_rater_group_is_drawn_in_grey_under_its_own_name(levels):
    res = fa.profile(levels)
    res["rater_group"] = res["rater_group"].replace({"partner": "board"})
    ax = fp.level_profile(data=res)
    board = [c for c in ax.containers if c.get_label().startswith("board")][0]
    assert to_hex(board.lines[0].get_color()) == fp.group_style("board").color.lower()
    assert fp.group_style("board").color not in {s.color for s in GROUPS.values()}
    plt.close(ax.figure)


def test_a_callers_figure_keeps_its_own_layout(levels):
    fig, (left, right) = plt.subplots(1, 2, layout="constrained")
    before = right.get_position().bounds
    fp.gap_dumbbell(data=fa.perception_gaps(levels), ax=left)
    assert right.get_position().bounds == before
    assert not getattr(fig, "_focuskit_fitted", False)
    plt.close(fig)
