"""Plots, part 2: importance-performance, benchmark, blocks, contact programme, external focus
and the gallery. Tests inspect artists (points, labels, lines, withheld notes)."""

import matplotlib

matplotlib.use("Agg")

import itertools  # noqa: E402

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

import focuskit.analysis as fa  # noqa: E402
import focuskit.plots as fp  # noqa: E402
from focuskit.plots.gallery import demo_frames, render  # noqa: E402
from focuskit.plots.theme import GROUPS  # noqa: E402


@pytest.fixture(scope="module")
def demo():
    return demo_frames()


@pytest.fixture(autouse=True)
def no_figures_left():
    plt.close("all")
    yield
    leaked = plt.get_fignums()
    plt.close("all")
    assert not leaked, f"{len(leaked)} figure(s) left open"


def texts(ax, gid):
    return [t for t in ax.texts if t.get_gid() == gid]


def gid_artists(ax, gid):
    return [a for a in ax.get_children() if a.get_gid() == gid]


# -- importance-performance --------------------------------------------------------------------
def test_quadrant_labels_every_point_names_every_quadrant_and_uses_the_crosshairs(demo):
    res = fa.importance_performance(demo["demo-expectations"])
    ax = fp.ip_quadrant(data=res)
    labels = texts(ax, "point-label")
    assert sorted(t.get_text().replace("\n", " ") for t in labels) == sorted(
        fp._base.readable(i) for i in res["item"])
    assert {t.get_text() for t in texts(ax, "quadrant-name")} == {
        "Concentrate here", "Keep up the good work", "Low priority", "Possible overkill"}
    vline, hline = [a for a in ax.lines if a.get_gid() == "crosshair"]
    assert vline.get_xdata()[0] == pytest.approx(res["x_performance"].iloc[0])
    assert hline.get_ydata()[0] == pytest.approx(res["x_importance"].iloc[0])
    act = gid_artists(ax, "points-act")[0]
    assert len(act.get_offsets()) == int((res["quadrant"] == "Concentrate here").sum())
    assert len(gid_artists(ax, "points")[0].get_offsets()) + len(act.get_offsets()) == 12
    plt.close(ax.figure)


def test_quadrant_labels_do_not_overlap(demo):
    ax = fp.ip_quadrant(data=demo["demo-expectations"])
    renderer = ax.figure.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in ax.texts
             if t.get_gid() in ("point-label", "quadrant-name")]
    for a, b in itertools.combinations(boxes, 2):
        assert not a.overlaps(b)
    frame = ax.get_window_extent(renderer).padded(1)
    assert all(frame.contains(b.x0, b.y0) and frame.contains(b.x1, b.y1) for b in boxes)
    plt.close(ax.figure)


def test_quadrant_lists_withheld_expectations(demo):
    res = fa.importance_performance(demo["demo-expectations"])
    res.loc[0, ["suppressed", "n_shown"]] = [True, "< 5"]
    ax = fp.ip_quadrant(data=res)
    assert len(texts(ax, "point-label")) == 11
    assert "Fair price (n < 5)" in texts(ax, "note")[0].get_text().replace("\n", " ")
    plt.close(ax.figure)


def test_quadrant_refuses_several_grids(demo):
    res = fa.importance_performance(demo["demo-expectations"], by="segment")
    with pytest.raises(ValueError, match="one grid"):
        fp.ip_quadrant(data=res)


# -- benchmark ---------------------------------------------------------------------------------
def test_benchmark_draws_quarters_our_marker_and_the_top_median(demo):
    res = fa.benchmark(demo["demo-focus-levels"], demo["base"])
    ax = fp.benchmark_position(data=res)
    rows = len(res)
    assert len(gid_artists(ax, "quarter")) == 4 * rows
    (top,) = gid_artists(ax, "top-median")
    assert list(np.asarray(top.get_offsets())[:, 0]) == pytest.approx(res["top_median"].tolist())
    (ours,) = gid_artists(ax, "ours")
    assert to_hex(ours.get_facecolor()[0]) == GROUPS["self"].color.lower()
    assert list(np.asarray(ours.get_offsets())[:, 0]) == pytest.approx(res["value"].tolist())
    positions = [t.get_text() for t in texts(ax, "position")]
    assert positions[0] == "80%" and len(positions) == rows
    assert ax.get_yticklabels()[-1].get_text() == "Overall"
    assert [t.get_text() for t in texts(ax, "band-name")] == ["Casual", "Moderate", "Intense"]
    plt.close(ax.figure)


def test_benchmark_gap_puts_the_top_quarter_on_the_left(demo):
    res = fa.benchmark(demo["demo-say-do"], demo["base"])
    ax = fp.benchmark_position(data=res)  # say-do: the gap by default
    assert "smaller is better" in ax.get_title(loc="left")
    rows = len(res[res["measure"] == "gap"])
    first = gid_artists(ax, "quarter")[::rows]  # the first row's four quarters, left to right
    shades = [to_hex(p.get_facecolor()) for p in first]
    assert shades == [c.lower() for c in fp.benchmark.QUARTERS[::-1]]
    assert texts(ax, "band-name") == []  # a gap is not a level scale
    plt.close(ax.figure)


def test_benchmark_withheld_row_says_so(demo):
    res = fa.benchmark(demo["demo-focus-levels"], demo["base"], min_group=10)
    ax = fp.benchmark_position(data=res)
    # The 8 leaders are fewer than 10: every figure about them is withheld, and says why.
    assert {t.get_text() for t in texts(ax, "withheld")} == {"n < 10"}
    assert len(texts(ax, "withheld")) == len(res)
    assert len(gid_artists(ax, "ours")[0].get_offsets()) == 0
    plt.close(ax.figure)


# -- blocks ------------------------------------------------------------------------------------
def test_blocks_bars_shares_and_the_85_15_line(demo):
    res = fa.blocks(demo["demo-blocks"])
    ax = fp.blocks_chart(data=res)
    severity = gid_artists(ax, "severity")
    assert len(severity) == 10  # nine blocks and all blocks together
    assert [p.get_x() + p.get_width() for p in severity] == pytest.approx(res["mean"].tolist())
    tags = texts(ax, "misattributed")
    assert len(tags) == int(res["misattributed"].sum())
    assert tags[0].get_text() == "75%  blames people"  # frontline blamed
    shares = texts(ax, "people-share") + tags
    assert len(shares) == 10
    (rule,) = [a for a in ax.lines if a.get_gid() == "rule"]
    people, systems = gid_artists(ax, "people"), gid_artists(ax, "systems")
    start, width = systems[0].get_x(), systems[0].get_width() + people[0].get_width()
    assert (rule.get_xdata()[0] - start) / width == pytest.approx(0.85)
    assert people[0].get_hatch() == "///"
    plt.close(ax.figure)


def test_blocks_withheld_rows_read_n_below_k(demo):
    ax = fp.blocks_chart(data=demo["demo-blocks"], min_group=10)
    assert {t.get_text() for t in texts(ax, "withheld")} == {"n < 10"}
    assert len(texts(ax, "withheld")) == 10
    plt.close(ax.figure)


# -- contact programme -------------------------------------------------------------------------
def test_adli_rubric_is_questions_by_four_dimensions_with_summaries(demo):
    ax = fp.adli_rubric(data=demo["demo-contact-review"])
    cells = texts(ax, "cell")
    assert len(cells) == 7 * 5
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "Approach", "Deployment", "Learning", "Integration", "All four"]
    assert ax.get_yticklabels()[-1].get_text() == "All questions"
    assert cells[0].get_text() == "1.7"
    plt.close(ax.figure)
    ax = fp.adli_rubric(data=demo["demo-contact-review"], min_group=4)
    assert len(texts(ax, "withheld")) == 35 and texts(ax, "cell") == []
    plt.close(ax.figure)


def test_contact_planner_marks_needs_and_the_current_plan():
    plan = fa.contact_plan({"residential": 6_000_000, "small business": 100_000,
                            "large": 1_000}, planned={"large": 100})
    ax = fp.contact_planner(data=plan)
    curves = [a for a in ax.lines if (a.get_gid() or "").startswith("curve:")]
    assert len(curves) == 3
    needed = gid_artists(ax, "needed")
    assert [float(a.get_offsets()[0][0]) for a in needed] == [385, 383, 278]
    (planned,) = gid_artists(ax, "planned")
    assert list(np.asarray(planned.get_offsets()[0], float)) == pytest.approx([100, 9.3016], abs=1e-3)
    assert texts(ax, "planned-label")[0].get_text() == "100 planned: ±9.3%"
    (target,) = [a for a in ax.lines if a.get_gid() == "target"]
    assert target.get_ydata()[0] == pytest.approx(5)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[0].startswith("Residential (6,000,000): needs 385, plans none")
    plt.close(ax.figure)
    ax = fp.contact_planner(data={"large": 1_000})  # a dict goes through contact_plan
    assert gid_artists(ax, "planned") == []
    plt.close(ax.figure)


# -- external focus ----------------------------------------------------------------------------
def test_external_focus_bars_self_first_with_shares(demo):
    res = fa.external_focus(demo["demo-external-focus"])
    ax = fp.external_focus_chart(data=res)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Our people (n=8)", "Partners (n=12)"]
    assert to_hex(ax.get_yticklabels()[1].get_color()) == GROUPS["partner"].color.lower()
    for level in ("Responding", "Anticipating", "Shaping"):
        assert len(gid_artists(ax, f"level:{level}")) == 2
    responding = [p.get_width() for p in gid_artists(ax, "level:Responding")]
    assert responding == pytest.approx([0.2917, 0.7361], abs=1e-4)
    hatches = {p.get_gid(): p.get_hatch() for p in ax.patches if p.get_gid()}
    assert len(set(hatches.values())) == 3  # told apart in black and white too
    plt.close(ax.figure)


def test_external_focus_withheld_group_keeps_its_row(demo):
    ax = fp.external_focus_chart(data=demo["demo-external-focus"], min_group=10)
    # The 8 leaders are too few; the 12 partners need no cover (the leaders are in no figure).
    assert [t.get_text() for t in texts(ax, "withheld")] == ["n < 10"]
    plt.close(ax.figure)


# -- gallery -----------------------------------------------------------------------------------
@pytest.mark.slow  # renders all fifteen: ~6 s
def test_gallery_renders_every_plot_and_closes_them(demo, tmp_path):
    paths = render(tmp_path, frames=demo, dpi=40)
    assert len(paths) == 15 and all(p.stat().st_size > 1000 for p in paths)
    assert plt.get_fignums() == []
    names = {p.stem for p in paths}
    assert {"level_profile", "team_spread", "heatmap", "perception_gaps", "say_do",
            "importance_performance", "benchmark_levels", "blocks", "adli_rubric",
            "contact_planner", "external_focus", "trend", "then_and_now"} <= names
    assert np.all([p.suffix == ".png" for p in paths])
