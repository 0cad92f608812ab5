"""An attacker against a failed import: figures seen while it ran, then after it was undone.

A large import is written in chunks that readers can see. If a later chunk fails and the
earlier ones were simply deleted, people stored before the import who had been waiting (too
few to show) would be shown once with the file's first rows and again later with someone
else's: the two figures differ by one person's answers.
"""

from __future__ import annotations

import pytest

from focuskit import Store
from focuskit.analysis import profile
from focuskit.analysis.anonymity import counted_with
from focuskit.io.imports import import_file
from focuskit.store import store as store_module


def _all(store, v):
    return {i.id: {"level": v} for i in store.campaign("cc").instrument.items}


def _shown(store):
    """The dashboard's released figure for the self group on one question (or None)."""
    res = profile(store.responses("cc"), by="rater_group")
    res = res[(res["rater_group"] == "self") & (res["item"] == "data") & ~res["suppressed"]]
    return None if res.empty else (int(res["n"].iloc[0]), float(res["mean"].iloc[0]))


def _attack(monkeypatch, rule):
    monkeypatch.setattr(store_module, "CHUNK", 1)  # each row its own chunk (stands for 250)
    monkeypatch.setattr(store_module, "PAUSE", 0.0)
    items = None
    with Store("sqlite:///:memory:") as store:
        store.create_campaign("cc", "t", "focus-levels", rater_groups=["self"],
                              min_group_size=3)
        items = [i.id for i in store.campaign("cc").instrument.items]
        # Two leaders answered together: too few to show; they wait for a third.
        store.submit_many("cc", [dict(answers=_all(store, 2), rater_group="self")] * 2)
        before = _shown(store)
        header = "respondent,rater_group," + ",".join(f"{i}:level" for i in items)
        data = "\n".join([header, "victim,self," + ",".join(["5"] * len(items)),
                          "later,self," + ",".join(["1"] * len(items))]).encode()
        during = []

        def progress(done, total):
            during.append(_shown(store))  # a viewer refreshes the dashboard
            raise ConnectionError("the database went away")

        with pytest.raises(ConnectionError) as info:
            import_file(store, data, "cc", name="late.csv", progress=progress,
                        counted_with=rule)
        # The attacker, a leader, now answers, knowing their own answer (4).
        store.submit("cc", _all(store, 4), rater_group="self", respondent="attacker")
        after = _shown(store)
        return before, during[0], after, " ".join(info.value.__notes__), store.responses("cc")


def test_a_figure_seen_during_a_failed_import_cannot_be_differenced_after(monkeypatch):
    before, during, after, note, df = _attack(monkeypatch, counted_with)
    assert before is None
    assert during == (3, 3.0)  # the two waiting leaders and the victim, (2 + 2 + 5) / 3
    assert "taken back" in note and "1 submission(s)" in note
    # Deleting the victim alone would show (3, 2.667) now: the two leaders and the attacker,
    # so 3 x 3.0 - 3 x 2.667 = 5 - 4 and the victim's answer is 5. Instead the two leaders
    # counted with the victim are withheld, as after an erasure, and nothing new is shown.
    assert after is None
    assert set(df.attrs["withheld"]) == {1, 2}
    assert "victim" not in set(df["respondent"].dropna())


def test_without_the_rule_the_seen_rows_stay_and_the_figure_does_not_move(monkeypatch):
    before, during, after, note, df = _attack(monkeypatch, None)
    assert during == (3, 3.0) and after == during  # the victim's row was kept, not deleted
    assert "kept" in note
