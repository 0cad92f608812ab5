"""One vocabulary: every public analysis result names its columns from the glossary in
``focuskit.analysis``'s docstring, with the kind of values the glossary gives."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import focuskit.analysis as fa
from focuskit import Store
from focuskit.demo import seed_store


def glossary() -> dict[str, str]:
    """{column: kind} from the docstring's "Result columns" table ("n_<value>" as a pattern)."""
    text = fa.__doc__.split("Result columns", 1)[1]
    out = {}
    for line in text.splitlines():
        m = re.match(r"^(\S.*?)\s{2,}(number|count|text|flag|any)\s{2,}\S", line)
        if m:
            for name in m.group(1).split(","):
                out[name.strip()] = m.group(2)
    return out


def kind_of(name: str, words: dict[str, str]) -> str | None:
    if name in words:
        return words[name]
    if re.fullmatch(r"n_\d+", name):
        return words.get("n_<value>")
    return None


def fits(series: pd.Series, kind: str) -> bool:
    values = series.dropna()
    if kind == "any" or values.empty:
        return True
    if kind == "flag":
        return pd.api.types.is_bool_dtype(series)
    if kind == "text":
        return all(isinstance(v, str) for v in values)
    numeric = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
    if kind == "number":
        return numeric
    # count: whole numbers (a float column from a rank, or withheld rows, still counts)
    return numeric and bool(np.all(np.asarray(values, dtype=float) % 1 == 0))


@pytest.fixture(scope="module")
def results():
    store = Store("sqlite:///:memory:")
    seed_store(store)
    r = {c.instrument.id: store.responses(c.id) for c in store.campaigns()}
    lv = r["focus-levels"]
    leaders = lv[(lv["rater_group"] == "self") & (lv["facet"] == "level")]
    wide = leaders.pivot_table(index="submission", columns="item", values="value")
    out = {
        "profile": fa.profile(lv),
        "profile by segment": fa.profile(lv, by=["rater_group", "segment"]),
        "agreement": fa.agreement(lv), "rwg": fa.rwg(lv), "rwg_j": fa.rwg_j(lv),
        "icc": fa.icc(leaders, "item", "submission", "value"),
        "cronbach_alpha": fa.cronbach_alpha(wide),
        "discussion_agenda": fa.discussion_agenda(lv),
        "perception_gaps": fa.perception_gaps(lv, "self", "customer"),
        "say_do": fa.say_do(r["say-do"]),
        "importance_performance": fa.importance_performance(r["expectations"]),
        "benchmark": fa.benchmark(lv), "say_do_quartiles": fa.say_do_quartiles(),
        "blocks": fa.blocks(r["blocks"]), "adli": fa.adli(r["contact-programme"]),
        "external_focus": fa.external_focus(r["external-focus"]),
        "contact_plan": fa.contact_plan({"Residential": 6_000_000, "Large": 1_000},
                                        planned={"Large": 100}),
        "next_steps": fa.next_steps(lv),
        "respondents": fa.respondents(lv, by="rater_group"),
        "comments": fa.comments(lv),
    }
    store.close()
    return out


def test_the_glossary_is_read():
    words = glossary()
    assert words["pval"] == "number" and words["n"] == "count" and words["band"] == "text"
    assert {"statistic", "df", "df1", "df2", "suppressed", "n_shown"} <= set(words)


def test_every_public_result_speaks_the_glossary(results):
    words = glossary()
    unknown, wrong = [], []
    for name, res in results.items():
        for col in res.columns:
            kind = kind_of(col, words)
            if kind is None:
                unknown.append(f"{name}.{col}")
            elif not fits(res[col], kind):
                wrong.append(f"{name}.{col} ({res[col].dtype}) is not a {kind}")
    assert not unknown, f"columns missing from the glossary: {unknown}"
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("old", ["level_band", "p_val", "p_people", "dof", "T", "F", "F1"])
def test_no_second_name_for_the_same_thing(results, old):
    assert all(old not in res.columns for res in results.values())
