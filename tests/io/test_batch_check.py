"""The store's batch check (``check_many``, what an import's rows go through) against the
one-by-one checks: the same rows accepted, the same rows refused, word for word.

The batch check judges each distinct rater group, segment, flag and answer once; this test
makes sure no shortcut lets through anything the long way refuses (a bool for 1, a facet
the item does not ask, a comment with a NUL, a blank respondent, a float 3.5, ...).
"""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from focuskit import Store
from focuskit.store.checks import (
    check_answers,
    check_flags,
    check_key,
    check_many,
    check_respondent,
)

_store = Store("sqlite:///:memory:")
_store.create_campaign("cc", "t", "say-do", rater_groups=["self", "customer"],
                       segments=["north", "south"])
CAMP = _store.campaign("cc")
ITEMS = [i.id for i in CAMP.instrument.items]
FACETS = sorted({f for i in CAMP.instrument.items for f in i.facets})

values = st.one_of(st.none(), st.integers(-1, 8), st.sampled_from([True, False, 3.0, 3.5,
                                                                    math.nan, "3", [1]]))
facet_names = st.sampled_from([*FACETS, "comment", "nope", 1])
comments = st.one_of(st.none(), st.sampled_from(["fine", "  ", "a\x00b", "x" * 2001, 5]))
answers = st.one_of(
    # mostly complete, good answers, with one thing changed
    st.builds(lambda base, item, facet, v: {**base, item: {**base.get(item, {}), facet: v}},
              st.just({i.id: {f: 3 for f in i.facets} for i in CAMP.instrument.items}),
              st.sampled_from([*ITEMS, "unknown", 7]), facet_names, values),
    st.builds(lambda base, item, c: {**base, item: {**base[item], "comment": c}},
              st.just({i.id: {f: 2 for f in i.facets} for i in CAMP.instrument.items}),
              st.sampled_from(ITEMS), comments),
    st.dictionaries(st.sampled_from(ITEMS), st.dictionaries(facet_names, values), max_size=3),
    st.just([(ITEMS[0], FACETS[0], 3)]), st.none(), st.just("text"),
)
subs = st.one_of(st.fixed_dictionaries({
    "answers": answers,
    "rater_group": st.sampled_from(["self", "customer", "team", "nobody", None, 1]),
    "segment": st.sampled_from([None, "north", "west", "", "x" * 101, "a\x00"]),
    "respondent": st.sampled_from([None, "r1", "  ", "x" * 129, "tab\there", 7]),
    "idempotency_key": st.sampled_from([None, "k1", "", "k\x00", 5]),
    "flags": st.sampled_from([None, "", "speeder", "speeder,straight-lining", "fast", 3]),
}), st.just("not a dict"))


def _one_by_one(batch):
    prepared, problems = [], []
    for n, sub in enumerate(batch):
        if not isinstance(sub, dict):
            problems.append(f"s{n}: expected a mapping with answers and rater_group")
            continue
        found = check_respondent(CAMP, sub.get("rater_group"), sub.get("segment"),
                                 sub.get("respondent"))
        rows, bad = check_answers(CAMP.instrument, sub.get("answers"))
        found += bad + check_key(sub.get("idempotency_key")) + check_flags(sub.get("flags"))
        problems += [f"s{n}: {p}" for p in found]
        if not found:
            prepared.append((sub, sub.get("idempotency_key"), rows))
    return prepared, problems


@settings(max_examples=300, deadline=None)
@given(st.lists(subs, max_size=6))
def test_the_batch_check_accepts_and_refuses_exactly_what_the_single_checks_do(batch):
    got = check_many(CAMP, batch, lambda n: f"s{n}")
    want = _one_by_one(batch)
    assert got[1] == want[1]
    # a submission's rows may come in another order (each row is an answer of its own)
    assert [(id(s), k, sorted(r, key=repr)) for s, k, r in got[0]] == \
        [(id(s), k, sorted(r, key=repr)) for s, k, r in want[0]]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["self", "customer"]),
                          st.sampled_from([None, "north"]),
                          st.sampled_from([None, " ", "a comment", "x" * 2000]),
                          st.lists(st.one_of(st.integers(1, 5), st.just(2.0)),
                                   min_size=len(ITEMS) * 2, max_size=len(ITEMS) * 2)),
                min_size=2, max_size=5))
def test_a_good_batch_checked_by_column_gives_the_rows_of_the_long_way(spec):
    batch = []
    for n, (group, segment, comment, vals) in enumerate(spec):
        answers = {}
        for k, item in enumerate(CAMP.instrument.items):
            given = {f: vals[2 * k + j] for j, f in enumerate(item.facets)}
            if k == 1:
                given["comment"] = comment
            answers[item.id] = given
        batch.append(dict(answers=answers, rater_group=group, segment=segment,
                          respondent=f"r{n}", idempotency_key=f"k{n}"))
    got, want = check_many(CAMP, batch, str), _one_by_one(batch)
    assert got[1] == want[1] == []
    assert [sorted(r, key=repr) for _, _, r in got[0]] == \
        [sorted(r, key=repr) for _, _, r in want[0]]


def test_a_batch_repeating_good_answers_is_read_once_and_stored_as_given():
    good = {i.id: {f: 1 + n % 5 for f in i.facets} for n, i in enumerate(CAMP.instrument.items)}
    good[ITEMS[0]]["comment"] = "  kept  "
    batch = [dict(answers=good, rater_group="self", segment="north", respondent=f"r{n}")
             for n in range(3)] + [dict(answers={**good, ITEMS[1]: {FACETS[0]: True}},
                                        rater_group="self")]
    prepared, problems = check_many(CAMP, batch, lambda n: f"row {n + 2}")
    assert prepared == _one_by_one(batch)[0]
    assert len(prepared) == 3 and prepared[0][2][0][3] == "kept"
    assert {p.split(":")[0] for p in problems} == {"row 5"}
    assert any("True is not on the scale" in p for p in problems)
