"""Comparison plots: every analysis result drawn so the gaps show at a glance.

Each function takes ``data=`` (an analysis result, or the long responses frame, which it
passes through the matching analysis function), a few options and ``ax=None``, and returns
the Axes. Plots compute no statistics; withheld figures stay visible as "n < k".

======================  ====================================  ==============================
plot                    draws                                 from
======================  ====================================  ==============================
level_profile           each group's level per dimension      profile
team_spread             every rating as an anonymous dot      discussion_agenda
heatmap                 groups × dimensions, annotated        profile
gap_dumbbell            self vs customers, Say vs Do          perception_gaps, say_do
ip_quadrant             importance against performance        importance_performance
benchmark_position      our mean among the base's quarters    benchmark
blocks_chart            severity, systems vs people (85/15)   blocks
adli_rubric             questions × A/D/L/I                   adli
contact_planner         contacts against margin per segment   contact_plan, margin_for
external_focus_chart    responding / anticipating / shaping   external_focus
trend_plot              one dimension wave by wave            trend
then_and_now            the first and latest wave's profile   trend
======================  ====================================  ==============================
"""

from .benchmark import benchmark_position
from .blocks import blocks_chart
from .contact import adli_rubric, contact_planner
from .external import external_focus_chart
from .gaps import gap_dumbbell
from .heatmaps import heatmap
from .levels import level_profile
from .quadrant import ip_quadrant
from .spread import team_spread
from .theme import GROUPS, group_style, set_theme, theme
from .trend import then_and_now, trend_plot

__all__ = [
    "GROUPS", "adli_rubric", "benchmark_position", "blocks_chart", "contact_planner",
    "external_focus_chart", "gap_dumbbell", "group_style", "heatmap", "ip_quadrant",
    "level_profile", "set_theme", "team_spread", "then_and_now", "theme", "trend_plot",
]
