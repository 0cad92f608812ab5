"""The long tidy answers frame; the only store code that loads pandas."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..instruments import Instrument

COLUMNS = ["campaign", "submission", "respondent", "rater_group", "segment", "section",
           "item", "facet", "value", "comment", "submitted_at"]


def responses_frame(conn, query, instrument: Instrument) -> pd.DataFrame:
    """One row per answer in COLUMNS order, sorted by submission, then item and facet order.

    Read with ``pd.read_sql`` (columnar, no per-row Python objects): a million answers load
    in a few seconds.
    """
    df = pd.read_sql(query, conn)
    df.insert(5, "section", df["item"].map({i.id: i.section for i in instrument.items}))
    df["value"] = df["value"].astype(float)
    df["submission"] = df["submission"].astype("int64")
    df["submitted_at"] = pd.to_datetime(df["submitted_at"], utc=True, format="ISO8601")
    for col in ("respondent", "segment", "comment"):
        df[col] = df[col].astype(object).where(df[col].notna(), None)
    items = df["item"].map({i.id: n for n, i in enumerate(instrument.items)}).to_numpy()
    facets = df["facet"].map({f.id: n for n, f in enumerate(instrument.facets)}).to_numpy()
    order = np.lexsort((facets, items, df["submission"].to_numpy()))
    return df.take(order).reset_index(drop=True)[COLUMNS]
