"""The public analysis API: the names analysts look for, each returning a tidy DataFrame."""

import pandas as pd
import pytest

import focuskit.analysis as fa
from focuskit import Store
from focuskit.demo import seed_store

NAMES = ["profile", "agreement", "rwg", "rwg_j", "icc", "cronbach_alpha", "discussion_agenda",
         "perception_gaps", "say_do", "importance_performance", "benchmark", "blocks", "adli",
         "external_focus", "contact_plan", "next_steps"]


def test_every_analysis_function_is_public_with_an_example():
    for name in NAMES:
        assert name in fa.__all__ and callable(getattr(fa, name))
        assert "Example" in (getattr(fa, name).__doc__ or ""), f"{name} lacks an example"


@pytest.fixture(scope="module")
def demo():
    store = Store("sqlite:///:memory:")
    seed_store(store)
    yield {c.id: store.responses(c.id) for c in store.campaigns()}
    store.close()


def test_every_result_is_a_tidy_frame(demo):
    levels = demo["demo-focus-levels"]
    results = [
        fa.profile(levels), fa.agreement(levels), fa.discussion_agenda(levels),
        fa.perception_gaps(levels), fa.next_steps(levels), fa.rwg(levels), fa.rwg_j(levels),
        fa.say_do(demo["demo-say-do"]), fa.importance_performance(demo["demo-expectations"]),
        fa.blocks(demo["demo-blocks"]), fa.adli(demo["demo-contact-review"]),
        fa.external_focus(demo["demo-external-focus"]), fa.benchmark(levels),
        fa.contact_plan({"residential": 6_000_000, "small business": 100_000, "large": 1_000}),
    ]
    for res in results:
        assert isinstance(res, pd.DataFrame) and len(res)
        assert res.columns.is_unique and all(isinstance(c, str) for c in res.columns)
