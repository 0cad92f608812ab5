"""Attacks over time and across reasons, found by an attacker after the first fixes of
disclosure control: each test tries one and expects it to fail."""

import pandas as pd

from focuskit import Store
from focuskit.analysis import profile, respondents
from focuskit.analysis.anonymity import erase
from focuskit.instruments import load_instrument

INSTRUMENT = load_instrument("focus-levels")
T0 = pd.Timestamp("2026-01-05 09:00", tz="UTC")


def _frame(people, k):
    """people: (group, segment, value of 'data', seconds after T0)."""
    df = pd.DataFrame([dict(campaign="c", submission=s, respondent=f"r{s}", rater_group=g,
                            segment=seg, section="information", item="data", facet="level",
                            value=float(v), comment=None,
                            submitted_at=T0 + pd.Timedelta(seconds=t))
                       for s, (g, seg, v, t) in enumerate(people, start=1)])
    df.attrs.update(campaign="c", instrument="focus-levels", min_group_size=k)
    return df


def test_a_segment_figure_at_a_later_moment_does_not_give_away_an_early_answer():
    early = [("self", "B", 1, 1)] + [("self", "A", v, 2 + i) for i, v in enumerate([4, 5, 3, 4, 5])]
    later = [("self", "B", v, 10 + i) for i, v in enumerate([2, 3, 2])]
    g1 = profile(_frame(early, 3), by="rater_group", instrument=INSTRUMENT).iloc[0]
    a2 = profile(_frame(early + later, 3), by="segment", instrument=INSTRUMENT) \
        .query("segment == 'A'").iloc[0]
    shown = not g1["suppressed"] and not a2["suppressed"]
    assert not (shown and g1["n"] - a2["n"] == 1)  # leaders then, minus A now: one person


def test_erasing_one_respondent_does_not_give_their_answers_away():
    with Store("sqlite:///:memory:") as store:
        store.create_campaign("ex", "t", "focus-levels", rater_groups=["self"],
                              min_group_size=3)
        items = [i.id for i in store.campaign("ex").instrument.items]
        store.submit_many("ex", [dict(answers={i: {"level": v} for i in items},
                                      rater_group="self", respondent=f"r{n}")
                                 for n, v in enumerate([2, 3, 4, 1], start=1)])
        before = profile(store.responses("ex"), by="rater_group").iloc[0]
        erase(store, "ex", "r4")
        after = profile(store.responses("ex"), by="rater_group").iloc[0]
    both = not before["suppressed"] and not after["suppressed"]
    assert not (both and before["n"] - after["n"] == 1)


def test_the_reasons_do_not_pin_a_withheld_cells_size():
    people = [("customer", "North", 3, 0)] * 5 + [("customer", "South", 1, 0)] \
        + [("self", "North", 4, 0)] * 6
    r = respondents(_frame(people, 5), by=["rater_group", "segment"])
    cust = r[r["rater_group"] == "customer"].set_index("segment")["n_shown"]
    assert not ({cust.get("North"), cust.get("South")} == {"withheld", "< 5"})


def test_a_batch_seen_half_written_gives_nothing_away(monkeypatch):
    # Readers may see a large import grow chunk by chunk; each chunk is its own moment, so
    # the blocks seen half way are kept when the rest arrives.
    from focuskit.store import store as store_module

    monkeypatch.setattr(store_module, "CHUNK", 5)
    monkeypatch.setattr(store_module, "FIRST_CHUNK", 5)
    monkeypatch.setattr(store_module, "PAUSE", 0)
    seen = []
    with Store("sqlite:///:memory:") as store:
        store.create_campaign("ex", "t", "focus-levels", rater_groups=["self"],
                              min_group_size=5)
        items = [i.id for i in store.campaign("ex").instrument.items]
        segs = ["A", "A", "A", "B", "B"] + ["A"] * 4  # chunk 1: A3 B2; chunk 2: A4

        def look(done, total):
            seen.append(profile(store.responses("ex"), by="rater_group").iloc[0])

        store.submit_many("ex", [dict(answers={i: {"level": 1 + n % 5} for i in items},
                                      rater_group="self", segment=s, respondent=f"r{n}")
                                 for n, s in enumerate(segs)], progress=look)
    shown = [int(r["n"]) for r in seen if not r["suppressed"]]
    assert len(seen) == 2 and shown
    assert all(not 0 < abs(a - b) < 5 for a in shown for b in shown)
