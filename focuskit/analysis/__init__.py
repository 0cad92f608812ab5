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
action_effects              did each action work: its dimension before and after against
                            the dimensions without one (difference-in-differences)
trend                       each wave's level, the change since the wave before, and what
                            change the waves could detect
comments                    the free-text comments staff may read (comment threshold)
==========================  ==============================================================

Result columns
--------------
One name for one thing across every result; ``tests/analysis/test_vocabulary.py`` holds every
public result to this list and to these kinds (number: float; count: whole numbers, empty
where withheld; text: strings, empty where none; flag: true/false; any: a Python object).

=================  ======  ==================================================================
column             kind    meaning
=================  ======  ==================================================================
campaign           text    the campaign a row is about
wave               count   which wave of a campaign a row is about (1 = the first)
scope              text    which level of aggregation a row is (item, section, overall, ...)
rater_group        text    who rated: self, team, customer, partner, internal
segment            text    the respondents' segment (or a planner's customer segment)
group              text    a benchmark row's group (ours, top quartile, ...)
section            text    the instrument's section (a dimension group, an area)
item               text    the item (question, dimension, block, statement)
facet              text    which answer of an item (level, say, do, importance, ...)
dimension          text    an ADLI dimension, or a benchmark's dimension
area               text    a Say-Do area
measure            text    which benchmark figure a row holds (level, say, do, gap)
instrument         text    the instrument's id
role               text    an external-focus level's role (responding, anticipating, shaping)
level              text    an external-focus level a row counts answers at
prompt             text    the item's question as respondents read it
descriptor         text    the words of an item's level a mean falls in
n                  count   respondents behind the row's figures
a, b               text    the two rater groups a gap compares (gap = a minus b)
n_a, n_b           count   respondents in the first and second rater group compared
n_answers          count   answers at that level
n_base             count   organisations in the benchmark base
n_cause            count   root-cause answers behind a block's shares
n_top, n_rest      count   top-quartile and other organisations in the base
n_<value>          count   raters who chose scale value <value> (n_1 ... n_5)
n_shown            text    n as it may be shown: the number, "< k", or "withheld"
suppressed         flag    the row's figures are withheld (anonymity); its values are empty
mean, median       number  mean and median of the row's values
sd                 number  standard deviation (n - 1)
min, max, range    number  lowest and highest value, and their difference
q25, q75           number  the base's quartiles
ci_low, ci_high    number  the 95% interval (of the mean, or of the row's difference)
mean_a, mean_b     number  the compared groups' means
sd_a, sd_b         number  the compared groups' standard deviations
say, do            number  mean intention and mean practice
importance         number  mean importance
performance        number  mean performance
x_importance       number  importance centred on its grand mean (quadrant axis)
x_performance      number  performance centred on its grand mean (quadrant axis)
gap                number  the row's difference (self minus others, say minus do, ...)
gap_sd             number  standard deviation of the respondents' gaps
gap_to_others      number  a group's mean minus the compared group's
gap_top, gap_rest  number  mean Say-Do gap of the top quartile and of the rest
diff               number  gap_top minus gap_rest
weighted_gap       number  (importance x gap) on the importance-performance grid
mean_vs_self       number  another group's mean minus self's
share              number  the share of answers at a level
share_vs_self      number  that share minus self's
share_systems      number  share of root causes put on systems
share_people       number  share of root causes put on people
expected_people    number  the 85/15 rule's people share (0.15)
d                  number  Cohen's d of the gap
statistic          number  the test statistic (t, U, F: the function says which)
df                 number  the test's degrees of freedom
df1, df2           number  an F test's two degrees of freedom
pval               number  the test's p-value
test               text    which test gave statistic and pval
rwg, rwg_j         number  within-group agreement (James, Demaree & Wolf)
agreement          number  rwg of a block's severity
items              count   items in a scale (rwg_j, alpha)
alpha              number  Cronbach's alpha
ICC                number  intraclass correlation (with Type and Description, as published)
Type, Description  text    the ICC's Shrout & Fleiss form and its words
value              number  a benchmark row's figure
percentile         number  where our figure falls in the base (0-100)
quartile           count   the base's quarter our figure is in (1 = best)
distance           number  our figure minus the top quartile's median
top_median         number  the top quartile's median
better             text    which way is better for a benchmark measure (higher, lower)
narrower           flag    the top quartile's gap is narrower than the rest's
band               text    the scale band a mean falls in (Casual, Moderate, Intense, ...)
next_level         text    the next band up ("sustain" at the top)
next_descriptor    text    the item's words for that next band
low, high          count   the lowest and highest rating given
low_label          text    the band name of the lowest rating
high_label         text    the band name of the highest rating
low_descriptor     text    the item's words at the lowest rating
high_descriptor    text    the item's words at the highest rating
spread             text    the ratings given, as "value x people" (the discussion agenda)
flag               text    a gap's reading (blind spot, hidden strength, ...)
quadrant           text    the importance-performance quadrant
priority           count   order to act in (1 = first)
rank               count   order within the row's group and scope (1 = first)
misattributed      flag    people are blamed well above the 85/15 rule
evidence           any     the review's evidence notes
population         count   people in a planner segment
needed             count   contacts needed for the margin asked
planned            count   contacts planned
allocated          count   contacts allocated
margin_planned     number  the margin of error the planned contacts give
margin_allocated   number  the margin of error the allocated contacts give
note               text    a planner row's remark
change             number  a wave's mean minus the wave before's (trend)
change_low         number  the lower end of the change's interval (Welch)
change_high        number  the upper end of the change's interval (Welch)
detectable         number  the smallest change the waves could detect at 80% power
action             any     an action's id in the action register
title              text    an action's title
before, after      number  an action's dimension: the mean in its wave and in the next
n_before, n_after  count   respondents behind before and after
others_change      number  the change over the dimensions without an action
effect             number  how much more the action's dimension moved than the others
effect_low         number  the lower end of the effect's interval (Welch)
effect_high        number  the upper end of the effect's interval (Welch)
verdict            text    the row's plain reading (improved, declined, worked, ...)
released           flag    the row's own figures are shown (anonymity)
why                text    why a figure or a verdict is not given, else empty
comment            text    a respondent's comment (comments(), for staff at the threshold)
submitted_at       any     when a comment was submitted
=================  ======  ==================================================================
"""

from .agenda import discussion_agenda
from .agreement import agreement, rwg, rwg_j
from .anonymity import respondents
from .benchmarking import benchmark, load_benchmark, say_do_quartiles
from .comments import comments
from .diagnostics import adli, blocks
from .effects import action_effects
from .external import external_focus
from .gaps import importance_performance, perception_gaps, say_do
from .planner import contact_plan, margin_for, sample_size
from .profiles import next_steps, profile
from .reliability import cronbach_alpha, icc
from .trend import trend

__all__ = [
    "action_effects", "adli", "agreement", "benchmark", "blocks", "comments", "contact_plan",
    "cronbach_alpha", "discussion_agenda", "external_focus", "icc", "importance_performance",
    "load_benchmark", "margin_for", "next_steps", "perception_gaps", "profile", "respondents",
    "rwg", "rwg_j", "sample_size", "say_do", "say_do_quartiles", "trend",
]
