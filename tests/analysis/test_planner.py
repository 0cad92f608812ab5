"""The contact planner: Cochran's published sample sizes, margins, budget allocation, the
Duke Power example from the Marra seed, bad input, and the 'focuskit plan' command."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from focuskit.analysis.planner import contact_plan, margin_for, sample_size
from focuskit.cli import main

DUKE = {"residential": 6_000_000, "small-business": 100_000, "large": 1_000}
Z95 = stats.norm.ppf(0.975)


def cochran(N, e=0.05, z=Z95, p=0.5):
    n0 = z ** 2 * p * (1 - p) / e ** 2
    return n0 if N is None else n0 / (1 + (n0 - 1) / N)


# -- published values --------------------------------------------------------------------------
def test_cochran_n0_published():
    # The textbook figure uses z = 1.96: n0 = 1.96² · 0.25 / 0.05² = 384.16.
    assert cochran(None, z=1.96) == pytest.approx(384.16)
    assert cochran(None) == pytest.approx(384.146, abs=1e-3)  # z = 1.959964
    assert sample_size() == 385 == math.ceil(384.16)


@pytest.mark.parametrize("N, published", [(1_000, 278), (100_000, 383), (6_000_000, 385)])
def test_cochran_with_fpc_published(N, published):
    assert math.ceil(cochran(N)) == published
    assert math.ceil(cochran(N, z=1.96)) == published
    assert sample_size(N) == published
    assert contact_plan({"s": N})["needed"].iloc[0] == published


def test_sample_size_other_settings():
    # e = 0.03 at 95%: n0 = 1067.07 -> 1068; 99% and e = 0.05: 663.5 -> 664; p = 0.2: 245.9 -> 246.
    assert sample_size(margin=0.03) == math.ceil(cochran(None, e=0.03)) == 1068
    assert sample_size(confidence=0.99) == 664
    assert sample_size(p=0.2) == 246
    assert sample_size(50) == 45  # 384.15 / (1 + 383.15/50) = 44.3
    assert sample_size(1) == 1


# -- margins -----------------------------------------------------------------------------------
def test_margin_for_hand_computed():
    # 100 of 1,000: 1.959964 · sqrt(0.25/100 · 900/999) = 0.0930
    assert margin_for(100, 1_000) == pytest.approx(0.0930, abs=1e-4)
    assert margin_for(100, 1_000) == pytest.approx(Z95 * math.sqrt(0.0025 * 900 / 999))
    assert margin_for(385) == pytest.approx(0.04994, abs=1e-5)
    assert margin_for(0, 10) == math.inf and margin_for(10, 10) == 0.0
    assert margin_for(1, 1) == 0.0
    np.testing.assert_allclose(margin_for([0, 100], [10, 1_000]), [np.inf, 0.0930], atol=1e-4)
    assert margin_for(100, 1_000, confidence=0.99, p=0.1) == pytest.approx(
        stats.norm.ppf(0.995) * math.sqrt(0.09 / 100 * 900 / 999))


@pytest.mark.parametrize("N", [50, 1_000, 20_000, 100_000, 6_000_000])
def test_needed_is_the_least_n_that_buys_the_margin(N):
    n = sample_size(N)
    assert margin_for(n, N) <= 0.05 < margin_for(n - 1, N)


def test_margin_for_bad_input():
    with pytest.raises(ValueError, match="exceed the population"):
        margin_for(11, 10)
    with pytest.raises(ValueError, match="whole numbers"):
        margin_for(-1, 10)
    with pytest.raises(ValueError, match="population"):
        margin_for(5, 0)
    with pytest.raises(ValueError, match="confidence"):
        margin_for(5, 10, confidence=95)


# -- the plan ----------------------------------------------------------------------------------
def test_duke_power_plan():
    """Marra's question: 100 visits, all to large accounts. What do they buy?"""
    plan = contact_plan(DUKE, planned={"large": 100})
    assert list(plan.columns) == ["segment", "population", "needed", "planned", "margin_planned",
                                  "allocated", "margin_allocated", "note"]
    p = plan.set_index("segment")
    assert p["needed"].to_dict() == {"residential": 385, "small-business": 383, "large": 278}
    assert p["planned"].tolist() == [0, 0, 100]
    assert p.loc["large", "margin_planned"] == pytest.approx(0.0930, abs=1e-4)
    assert math.isinf(p.loc["residential", "margin_planned"])
    assert "nothing can be said" in p.loc["residential", "note"]
    assert "100 of the 278 needed" in p.loc["large", "note"]
    assert p["allocated"].isna().all() and p["margin_allocated"].isna().all()
    assert plan.attrs["z"] == pytest.approx(1.959964, abs=1e-6)


def test_budget_proportional_largest_remainder():
    plan = contact_plan(DUKE, budget=100).set_index("segment")
    # Quotas 98.36, 1.64, 0.016: floors 98, 1, 0; the one left goes to the largest remainder.
    assert plan["allocated"].tolist() == [98, 2, 0]
    assert plan.loc["residential", "margin_allocated"] == pytest.approx(
        Z95 * math.sqrt(0.25 / 98 * (6e6 - 98) / (6e6 - 1)))
    assert math.isinf(plan.loc["large", "margin_allocated"])
    assert "no contacts allocated" in plan.loc["large", "note"]
    assert plan["planned"].isna().all()


def test_budget_equal_and_capped():
    plan = contact_plan(DUKE, budget=1_000, allocation="equal")
    assert plan["allocated"].tolist() == [334, 333, 333]  # ties go to the earlier segment
    plan = contact_plan({"a": 10, "b": 1_000, "c": 1_000}, budget=600, allocation="equal")
    # a can give only 10: the other 590 are shared by b and c.
    assert plan["allocated"].tolist() == [10, 295, 295]
    assert plan["margin_allocated"].iloc[0] == 0 and "census" in plan["note"].iloc[0]


def test_budget_weighted():
    plan = contact_plan(DUKE, budget=1_000, allocation="weighted",
                        weights={"residential": 3, "small-business": 2, "large": 5})
    assert plan["allocated"].tolist() == [300, 200, 500]
    plan = contact_plan(DUKE, budget=10, allocation="weighted",
                        weights={"residential": 1, "small-business": 1, "large": 1})
    assert plan["allocated"].tolist() == [4, 3, 3] and plan["allocated"].sum() == 10
    plan = contact_plan({"a": 5, "b": 100}, budget=50, allocation="weighted",
                        weights={"a": 9, "b": 1})
    assert plan["allocated"].tolist() == [5, 45]  # a is capped at its 5 customers
    plan = contact_plan(DUKE, budget=7, allocation="weighted",
                        weights={"residential": 0, "small-business": 0, "large": 1})
    assert plan["allocated"].tolist() == [0, 0, 7]


@pytest.mark.parametrize("allocation", ["proportional", "equal"])
@pytest.mark.parametrize("budget", [0, 1, 7, 99, 1_001, 5_000])
def test_allocations_sum_to_budget_and_respect_populations(allocation, budget):
    pops = {"a": 3, "b": 40, "c": 1_000, "d": 250}
    plan = contact_plan(pops, budget=budget, allocation=allocation)
    assert plan["allocated"].sum() == min(budget, sum(pops.values()))
    assert (plan["allocated"] <= plan["population"]).all()
    assert (plan["allocated"] >= 0).all()


def test_budget_beyond_everyone_is_a_census():
    plan = contact_plan({"a": 3, "b": 2}, budget=10)
    assert plan["allocated"].tolist() == [3, 2] and plan.attrs["unused"] == 5
    assert (plan["margin_allocated"] == 0).all()


def test_segments_as_a_frame():
    frame = pd.DataFrame({"segment": ["large", "small"], "population": [1_000, 100_000],
                          "planned": [100, 0], "weight": [3, 1]})
    plan = contact_plan(frame, budget=40, allocation="weighted")
    assert plan["planned"].tolist() == [100, 0] and plan["allocated"].tolist() == [30, 10]


@pytest.mark.parametrize("kwargs, message", [
    (dict(margin=0), "margin must be a number strictly between 0 and 1"),
    (dict(margin=1), "margin"),
    (dict(margin="0.05"), "margin"),
    (dict(confidence=1.0), "confidence"),
    (dict(confidence=-0.5), "confidence"),
    (dict(p=0), "p must"),
    (dict(budget=-1), "budget must be a whole number"),
    (dict(budget=2.5), "budget"),
    (dict(budget=10, allocation="random"), "allocation must be one of"),
    (dict(budget=10, allocation="weighted"), "needs weights"),
    (dict(allocation="weighted", weights={"residential": 1, "small-business": 1,
                                          "large": 1}), "pass budget="),
    (dict(budget=10, weights={"residential": 1}), "only with allocation='weighted'"),
    (dict(budget=10, allocation="weighted", weights={"large": 1}), "no value for segment"),
    (dict(budget=10, allocation="weighted",
          weights={"residential": -1, "small-business": 1, "large": 1}), "0 or more"),
    (dict(budget=10, allocation="weighted",
          weights={"residential": 0, "small-business": 0, "large": 0}), "above 0"),
    (dict(planned={"huge": 5}), "unknown segment"),
    (dict(planned={"large": 1_001}), "more contacts planned than customers"),
    (dict(planned={"large": -3}), "whole number"),
])
def test_plan_bad_options(kwargs, message):
    with pytest.raises(ValueError, match=message):
        contact_plan(DUKE, **kwargs)


@pytest.mark.parametrize("segments, message", [
    ({}, "at least one segment"),
    ({"a": 0}, "population of 'a' must be a whole number, at least 1"),
    ({"a": -5}, "at least 1"),
    ({"a": 2.5}, "whole number"),
    ({"a": "abc"}, "whole number"),
    ([1000, 2000], "dict of segment name to population"),
    (pd.DataFrame({"name": ["a"], "size": [3]}), "'segment' and 'population'"),
    (pd.DataFrame({"segment": ["a", "a"], "population": [3, 4]}), "more than once"),
])
def test_plan_bad_segments(segments, message):
    with pytest.raises(ValueError, match=message):
        contact_plan(segments)


# -- CLI ---------------------------------------------------------------------------------------
def run(capsys, *argv):
    code = main(["plan", *argv])
    out = capsys.readouterr()
    return code, out.out, out.err


DUKE_ARGS = ["--segment", "residential=6000000", "--segment", "small-business=100,000",
             "--segment", "large=1000"]


def test_cli_plan_duke_power(capsys):
    code, out, err = run(capsys, *DUKE_ARGS, "--planned", "large=100")
    assert code == 0 and err == ""
    assert "100 contacts to large buy a ±9.3% margin there, and nothing about the other " \
           "segments (residential, small-business)." in out
    assert "For ±5% in every segment, plan 1,046 contacts: 385 residential, " \
           "383 small-business, 278 large." in out
    lines = out.splitlines()
    large = next(ln for ln in lines if ln.startswith("large"))
    assert large.split() == ["large", "1,000", "278", "100", "±9.3%"]
    resid = next(ln for ln in lines if ln.startswith("residential"))
    assert resid.split()[-1] == "none"


def test_cli_plan_budget(capsys):
    code, out, _ = run(capsys, *DUKE_ARGS, "--budget", "100", "--margin", "5%")
    assert code == 0
    assert "allocated (proportional)" in out
    assert "A budget of 100 contacts shared in proportion to size buys ±9.9% in residential, " \
           "±69.3% in small-business and nothing in large." in out
    code, out, _ = run(capsys, *DUKE_ARGS, "--budget", "1000", "--weight", "residential=3",
                       "--weight", "small-business=2", "--weight", "large=5")
    assert code == 0 and "allocated (weighted)" in out and "shared by weight" in out
    assert "±3.1% in large" in out
    code, out, _ = run(capsys, "--segment", "a=3", "--budget", "10", "--allocation", "equal")
    assert code == 0 and "7 contacts are left over" in out


@pytest.mark.parametrize("argv, message", [
    (["--segment", "residential=abc"], "'abc' is not a whole number"),
    (["--segment", "residential=-5"], "cannot be negative"),
    (["--segment", "residential=0"], "at least 1"),
    (["--segment", "residential"], "NAME=VALUE"),
    (["--segment", "=5"], "NAME=VALUE"),
    (["--segment", "a=5", "--segment", "a=6"], "given twice"),
    ([], "at least one --segment"),
    (["--segment", "a=10", "--margin", "1.5"], "--margin must lie strictly between 0 and 1"),
    (["--segment", "a=10", "--margin", "0"], "--margin must lie strictly between 0 and 1"),
    (["--segment", "a=10", "--margin", "abc"], "--margin 'abc' is not a number"),
    (["--segment", "a=10", "--confidence", "95"], "--confidence must lie strictly"),
    (["--segment", "a=10", "--confidence", "1"], "--confidence"),
    (["--segment", "a=10", "--budget", "-1"], "--budget must be 0 or more"),
    (["--segment", "a=10", "--planned", "b=3"], "unknown segment"),
    (["--segment", "a=10", "--planned", "a=30"], "more contacts planned than customers"),
    (["--segment", "a=10", "--weight", "a=2"], "give --budget"),
    (["--segment", "a=10", "--budget", "5", "--weight", "a=x"], "'x' is not a number"),
    (["--segment", "a=10", "--budget", "5", "--allocation", "equal", "--weight", "a=1"],
     "only with allocation='weighted'"),
])
def test_cli_plan_bad_input(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert message in err and err.startswith("focuskit: ") and "Traceback" not in err


def test_cli_plan_bad_choice_is_argparse_usage(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["plan", "--segment", "a=10", "--allocation", "random"])
    assert exc.value.code == 2
    assert "invalid choice" in capsys.readouterr().err
