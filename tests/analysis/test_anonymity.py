"""The building blocks of withholding; the attacks over every view are in
test_disclosure.py."""


import pandas as pd
import pytest

from focuskit.analysis.anonymity import restrict, withhold
from focuskit.instruments import load_instrument

INSTRUMENT = load_instrument("focus-levels")


def test_withhold_blanks_values_and_marks_rows():
    res = pd.DataFrame({"segment": ["A", "B", "C"], "n": [2, 7, 9], "mean": [1.0, 2.0, 3.0]})
    # A table built outside a campaign: only the first rule (no figure about 1 to k-1).
    out = withhold(res, 5, keys=["segment"], values=["mean"])
    assert out["suppressed"].tolist() == [True, False, False]
    assert out["n_shown"].tolist() == ["< 5", "7", "9"]
    assert out["mean"].isna().tolist() == [True, False, False]
    assert out["n"].isna().tolist() == [True, False, False]


def test_withhold_leaves_large_groups_alone():
    res = pd.DataFrame({"segment": ["A", "B"], "n": [5, 6], "mean": [1.0, 2.0]})
    out = withhold(res, 5, keys=["segment"], values=["mean"])
    assert not out["suppressed"].any() and out["n_shown"].tolist() == ["5", "6"]


def test_restrict_refuses_an_unknown_column():
    df = pd.DataFrame({"submission": [1], "rater_group": ["self"], "segment": ["A"],
                       "item": ["data"], "facet": ["level"], "value": [3.0], "colour": ["red"]})
    with pytest.raises(ValueError, match="cannot filter on 'colour'"):
        restrict(df, {"colour": "red"}, 5)
    with pytest.raises(ValueError, match="cannot filter on 'respondent'"):
        restrict(df, {"respondent": "r1"}, 5)
