"""Analysis: pure pandas functions over the long responses frame, each returning a tidy
DataFrame. Disclosure control is decided here, once per campaign over every view it can offer
(``focuskit.analysis.anonymity``), so no view can forget it or be combined with another to
get round it.

Importing this package loads pandas; the questionnaire path never imports it.

==========================  ==============================================================
profile                     level per dimension and group, with interval and band
agreement, rwg, rwg_j       within-group agreement (James, Demaree & Wolf 1984)
icc, cronbach_alpha         Shrout & Fleiss ICCs; internal consistency
discussion_agenda           items ranked by disagreement, with descriptors at both ends
perception_gaps             two rater groups compared: gap, d, test, blind spots
say_do                      intention against practice, per statement, area and overall
importance_performance      Martilla & James quadrants, weighted gaps, priorities
benchmark, say_do_quartiles a campaign against the benchmark base; the top-quartile finding
blocks                      the blocks ranked, systems against people beside the 85/15 rule
adli                        a contact-programme review on approach, deployment, learning,
                            integration
external_focus              responding, anticipating, shaping: self against others
contact_plan                contacts needed per segment (Cochran), margins, allocations
next_steps                  what to do first, per dimension
respondents                 how many answered, per group, under the same rule
comments                    the free-text comments staff may read (comment threshold)
==========================  ==============================================================
"""

from .agenda import discussion_agenda
from .agreement import agreement, rwg, rwg_j
from .anonymity import respondents
from .benchmarking import benchmark, load_benchmark, say_do_quartiles
from .comments import comments
from .diagnostics import adli, blocks
from .external import external_focus
from .gaps import importance_performance, perception_gaps, say_do
from .planner import contact_plan, margin_for, sample_size
from .profiles import next_steps, profile
from .reliability import cronbach_alpha, icc

__all__ = [
    "adli", "agreement", "benchmark", "blocks", "comments", "contact_plan", "cronbach_alpha",
    "discussion_agenda", "external_focus", "icc", "importance_performance", "load_benchmark",
    "margin_for", "next_steps", "perception_gaps", "profile", "respondents", "rwg", "rwg_j",
    "sample_size", "say_do", "say_do_quartiles",
]
