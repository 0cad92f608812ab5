"""Benchmarking: a campaign against a base of other organisations, and the Say-Do gap of the
base's top quartile against the rest.

The base is long and tidy, one row per organisation and measure (``data/benchmark.csv``):
organisation, sector, employees, performance, instrument, measure, facet, value. ``value`` is
the organisation's mean rating on the instrument's 1-5 scale: per focus-levels dimension
(facet ``level``) and per Say-Do area (facets ``say`` and ``do``); ``performance`` is the
organisation's self-assessed overall performance.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..instruments import Instrument
from ._carry import carries_instrument
from ._data import check_frame
from ._data import min_group as _threshold
from .anonymity import restrict, withhold, withhold_all

__all__ = ["BASE_COLUMNS", "benchmark", "check_base_file", "load_benchmark", "read_provenance",
           "save_benchmark", "say_do_quartiles", "write_provenance"]

BASE_COLUMNS = ("organisation", "sector", "employees", "performance", "instrument", "measure",
                "facet", "value")
BENCHMARKED = ("focus-levels", "say-do")


# -- the base ----------------------------------------------------------------------------------
def load_benchmark(path=None) -> pd.DataFrame:
    """Read and check a benchmark base.

    Parameters
    ----------
    path : str or Path, optional
        A CSV file with the columns of ``BASE_COLUMNS``. Defaults to ``benchmark.csv`` in the
        project's data folder (``focuskit.config.project_data_dir()``), which
        ``focuskit demo`` writes with a synthetic base of 300 organisations.

    Returns
    -------
    DataFrame
        The base, one row per organisation, instrument, measure and facet; ``value`` and
        ``performance`` as floats.

    Examples
    --------
    >>> base = load_benchmark()  # doctest: +SKIP
    >>> base["organisation"].nunique()  # doctest: +SKIP
    300
    """
    if path is None:
        from ..config import project_data_dir

        path = project_data_dir() / "benchmark.csv"
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"no benchmark base at {path}: run 'focuskit demo' to write the "
                         "synthetic base there, or pass path= to your own CSV")
    try:
        base = pd.read_csv(path)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError,
            pd.errors.EmptyDataError) as e:
        raise ValueError(f"{path}: cannot read the benchmark base as CSV ({e})") from None
    base = _check_base(base, str(path))
    base.attrs.update(read_provenance(path))
    return base


def provenance_path(path) -> Path:
    """Where a base's provenance is kept: beside its CSV, ``benchmark.csv`` ->
    ``benchmark.source.json``."""
    path = Path(path)
    return path.with_name(path.stem + ".source.json")


def read_provenance(path) -> dict:
    """``{"source": ..., "date": ..., "synthetic": bool}`` of the base at ``path``; an empty
    dict when none was recorded (the views then say "source not recorded")."""
    import json

    side = provenance_path(path)
    try:
        got = json.loads(side.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: got[k] for k in ("source", "date", "synthetic") if k in got}


def write_provenance(path, source: str, date: str, *, synthetic: bool = False) -> Path:
    import json

    side = provenance_path(path)
    side.write_text(json.dumps({"source": source, "date": date, "synthetic": synthetic},
                               indent=1) + "\n", encoding="utf-8")
    return side


#: What a loaded base may hold, per instrument: its measures come from the instrument's
#: items (focus-levels) or sections (say-do), its facets are these.
FACETS = {"focus-levels": ("level",), "say-do": ("say", "do")}


#: A base is a few hundred organisations of a few dozen measures each: far below these.
MAX_BASE_BYTES = 5 * 1024 * 1024
MAX_BASE_ROWS = 50_000
MAX_BASE_COLUMNS = 50
MAX_CELL = 200  # characters in one cell (an organisation's or a sector's name)
_FORMULA = ("=", "+", "@")  # text a spreadsheet would run, once the base is opened in one


def _refuse_early(path: Path) -> None:
    """Refuse a file too big, or whose header is too long or too wide, before pandas reads
    it: a header of a million columns took pandas minutes."""
    import csv

    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(65536)
    except OSError as e:
        raise ValueError(f"{path}: cannot read it ({e.strerror or e})") from None
    if size > MAX_BASE_BYTES:
        raise ValueError(f"{path}: row 0, column -, value {size} bytes: a base is at most "
                         f"{MAX_BASE_BYTES} bytes")
    line = head.split(b"\n", 1)[0]
    if b"\n" not in head and len(head) == 65536:
        raise ValueError(f"{path}: row 1, column -, value {head[:40]!r}...: the header row is "
                         "longer than 65536 bytes; it holds the column names "
                         f"{', '.join(BASE_COLUMNS)}")
    cols = next(csv.reader([line.decode("utf-8-sig", "replace")]), [])
    if len(cols) > MAX_BASE_COLUMNS:
        raise ValueError(f"{path}: row 1, column {MAX_BASE_COLUMNS + 1}, value "
                         f"{cols[MAX_BASE_COLUMNS][:40]!r}: the header has {len(cols)} columns; "
                         f"a base has {len(BASE_COLUMNS)} ({', '.join(BASE_COLUMNS)})")


def _cell_problems(base: pd.DataFrame, raw: bytes) -> list[tuple[int, str, str]]:
    """(row index, column, why) of cells too long, holding control characters, or starting
    like a spreadsheet formula (the file is copied as it is, and opened in Excel). The raw
    file is searched first, at C speed: most bases have none, and need no cell-by-cell look."""
    import re

    # One character class each: an alternation made the scan of 5 MB take 0.4 s.
    control = (re.search(rb"[\x00-\x09\x0b\x0c\x0e-\x1f\x7f]", raw) is not None
               or b"\r" in raw.replace(b"\r\n", b""))
    formula = raw[:1] in (b"=", b"+", b"@") or re.search(rb'[,\n]"?[=+@]', raw) is not None
    found = []
    for col in BASE_COLUMNS:
        text = base[col]
        checks = [(text.str.len() > MAX_CELL, f"longer than {MAX_CELL} characters")]
        if control:
            checks.append((text.str.contains(r"[\x00-\x1f\x7f]", regex=True),
                           "holds a control character (a tab, line break or escape)"))
        if formula:
            checks.append((text.str.startswith(_FORMULA), "starts like a spreadsheet formula "
                           "(=, + or @); write the text without it"))
        for mask, why in checks:
            found += [(int(i), col, why) for i in base.index[mask.to_numpy()][:10]]
    return found


def check_base_file(path) -> pd.DataFrame:
    """Read a base from a CSV and check every row, naming row, column, value and reason of
    the first problems found (ValueError); the checked base on success."""
    import io

    from ..instruments import load_instrument

    path = Path(path)
    _refuse_early(path)
    try:
        raw = path.read_bytes()
        base = pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError,
            pd.errors.EmptyDataError) as e:
        raise ValueError(f"{path}: cannot read it as CSV ({e})") from None
    missing = [c for c in BASE_COLUMNS if c not in base.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {', '.join(missing)}; the columns are "
                         f"{', '.join(BASE_COLUMNS)} (see the README)")
    if len(base) > MAX_BASE_ROWS:
        raise ValueError(f"{path}: row {MAX_BASE_ROWS + 2}, column -, value -: the base has "
                         f"{len(base)} rows; at most {MAX_BASE_ROWS}")
    base = base.reset_index(drop=True)
    measures = {"focus-levels": {i.id for i in load_instrument("focus-levels").items},
                "say-do": {s.id for s in load_instrument("say-do").sections}}
    found = _cell_problems(base, raw)
    # The row checks, column at a time (a Python loop over rows took 27 s for 600,000).
    inst = base["instrument"]
    known = inst.isin(list(FACETS))
    checks = [(~base["organisation"].str.strip().astype(bool), "organisation",
               lambda i: "every row needs the organisation it describes"),
              (~known, "instrument", lambda i: f"must be one of {', '.join(FACETS)}")]
    for name in FACETS:
        here = inst == name
        checks += [(here & ~base["measure"].isin(measures[name]), "measure",
                    lambda i, n=name: f"not a measure of {n}; one of "
                    f"{', '.join(sorted(measures[n]))}"),
                   (here & ~base["facet"].isin(FACETS[name]), "facet",
                    lambda i, n=name: f"must be {' or '.join(FACETS[n])} for {n}")]
    value = pd.to_numeric(base["value"], errors="coerce")
    perf = pd.to_numeric(base["performance"], errors="coerce")
    checks += [(value.isna(), "value", lambda i: "must be a number"),
               (value.notna() & ~value.between(1, 5), "value",
                lambda i: "must be a mean rating from 1 to 5"),
               (perf.isna(), "performance", lambda i: "must be a number")]
    for mask, col, why in checks:
        found += [(int(i), col, why(i)) for i in base.index[mask.to_numpy()][:10]]
    if found:
        found.sort(key=lambda f: f[0])
        problems = [f"row {i + 2}, column {col}, value {base.at[i, col][:60]!r}: {why}"
                    for i, col, why in found[:10]]
        raise ValueError(f"{path}: the base was not loaded.\n" + "\n".join(problems))
    return _check_base(base, str(path))


def save_benchmark(src, source: str, *, date: str | None = None, dest=None) -> tuple:
    """Check the base in ``src`` and make it the one every view uses (``dest``, default the
    project's ``benchmark.csv``), with its source and date. Nothing is replaced unless the
    whole file is good. Returns (path written, organisations)."""
    import datetime as dt
    import os
    import shutil

    if not str(source or "").strip():
        raise ValueError("say where the base comes from: --source TEXT (who collected it, "
                         "and when)")
    base = check_base_file(src)
    if dest is None:
        from ..config import project_data_dir

        dest = project_data_dir() / "benchmark.csv"
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".new")
    shutil.copyfile(src, tmp)
    os.replace(tmp, dest)
    write_provenance(dest, source.strip(), date or dt.date.today().isoformat())
    return dest, int(base["organisation"].nunique())


def _check_base(base, where: str = "the benchmark base") -> pd.DataFrame:
    if not isinstance(base, pd.DataFrame):
        raise ValueError(f"base must be a DataFrame (load_benchmark()), not {type(base).__name__}")
    missing = [c for c in BASE_COLUMNS if c not in base.columns]
    if missing:
        raise ValueError(f"{where} lacks column(s) {missing}; it needs {list(BASE_COLUMNS)}")
    if base.empty:
        raise ValueError(f"{where} has no rows")
    base = base.copy()
    for col in ("value", "performance"):
        num = pd.to_numeric(base[col], errors="coerce")
        bad = base.index[num.isna()]
        if len(bad):
            raise ValueError(f"{where}: {col} must be a number; {len(bad)} row(s) are not, "
                             f"e.g. row {int(bad[0]) + 2} of the file ({base[col].iloc[bad[0]]!r})")
        base[col] = num.astype(float)
    dup = base.duplicated(["organisation", "instrument", "measure", "facet"])
    if dup.any():
        first = base[dup].iloc[0]
        raise ValueError(f"{where}: {int(dup.sum())} duplicate row(s), e.g. "
                         f"{first['organisation']} {first['instrument']} {first['measure']} "
                         f"{first['facet']}; keep one value per organisation and measure")
    perf = base.groupby("organisation")["performance"].nunique()
    if (perf > 1).any():
        raise ValueError(f"{where}: organisation {perf[perf > 1].index[0]!r} has more than one "
                         "performance figure; give each organisation one")
    return base


def _org_table(base: pd.DataFrame, instrument: str) -> pd.DataFrame:
    """Per organisation (rows) and (measure, facet) (columns): the base's values."""
    part = base[base["instrument"] == instrument]
    return part.pivot_table(index="organisation", columns=["measure", "facet"], values="value",
                            aggfunc="first", sort=False)


def _say_do_gaps(base: pd.DataFrame) -> pd.DataFrame:
    """Per organisation: say, do and gap (say - do) per area, and over areas as ``overall``."""
    t = _org_table(base, "say-do")
    if t.empty:
        raise ValueError("the benchmark base holds no say-do rows (instrument 'say-do')")
    areas = list(dict.fromkeys(t.columns.get_level_values(0)))
    out = {}
    for a in areas:
        if (a, "say") not in t.columns or (a, "do") not in t.columns:
            raise ValueError(f"the benchmark base gives area {a!r} without both say and do")
        out[(a, "say")], out[(a, "do")] = t[(a, "say")], t[(a, "do")]
        out[(a, "gap")] = t[(a, "say")] - t[(a, "do")]
    for f in ("say", "do", "gap"):
        out[("overall", f)] = pd.concat([out[(a, f)] for a in areas], axis=1).mean(axis=1)
    return pd.DataFrame(out)


# -- the campaign against the base ---------------------------------------------------------------
def _position(ours: float, values: np.ndarray, top: np.ndarray, higher_is_better: bool) -> dict:
    """Percentile rank, quartile, cut points, top-quartile median and distance of ``ours``."""
    from scipy import stats

    q25, q50, q75 = np.quantile(values, [0.25, 0.5, 0.75])
    row = dict(n_base=len(values), q25=q25, median=q50, q75=q75,
               better="higher" if higher_is_better else "lower")
    row["top_median"] = float(np.median(top)) if len(top) else np.nan
    if np.isnan(ours):
        return {**row, "percentile": np.nan, "quartile": np.nan, "distance": np.nan}
    if higher_is_better:
        pct = stats.percentileofscore(values, ours, kind="mean")
        quartile = 1 if ours >= q75 else 2 if ours >= q50 else 3 if ours >= q25 else 4
        distance = row["top_median"] - ours
    else:  # a gap: narrower is better, so rank on the negated values
        pct = stats.percentileofscore(-values, -ours, kind="mean")
        quartile = 1 if ours <= q25 else 2 if ours <= q50 else 3 if ours <= q75 else 4
        distance = ours - row["top_median"]
    return {**row, "percentile": float(pct), "quartile": quartile, "distance": float(distance)}


def _top_slice(col: pd.Series, perf: pd.Series, top_by: str, higher_is_better: bool):
    """The base organisations' values in the top quartile (of the measure, or by performance)."""
    col = col.dropna()
    if top_by == "performance":
        p = perf.reindex(col.index)
        return col[p >= p.quantile(0.75)].to_numpy()
    if higher_is_better:
        return col[col >= col.quantile(0.75)].to_numpy()
    return col[col <= col.quantile(0.25)].to_numpy()


@carries_instrument
def benchmark(data: pd.DataFrame, base: pd.DataFrame | None = None, *, instrument=None,
              group: str | list[str] | None = "self", min_group: int | None = None,
              top_by: str = "measure") -> pd.DataFrame:
    """A campaign's group means against a benchmark base of organisations.

    Parameters
    ----------
    data : DataFrame
        Long responses of a ``focus-levels`` and/or ``say-do`` campaign (``Store.responses``;
        two frames concatenated are fine).
    base : DataFrame, optional
        The benchmark base; defaults to ``load_benchmark()``.
    instrument : str or Instrument, optional
        ``"focus-levels"`` or ``"say-do"``; defaults to the frame's attrs, else read from the
        facets present (``level``: focus-levels; ``say``/``do``: say-do).
    group : str, list of str or None, default "self"
        The rater group(s) whose mean is compared (the base holds self-assessments); None
        for every respondent.
    min_group : int, optional
        Anonymity threshold; defaults to the campaign's (``data.attrs``), else 5.
    top_by : {"measure", "performance"}, default "measure"
        The top quartile whose median we are measured against: the base's best quarter on
        that measure, or the quarter with the highest overall ``performance``.

    Returns
    -------
    DataFrame
        One row per instrument, dimension and measure: focus-levels dimensions (measure
        ``level``) and Say-Do areas (measures ``say``, ``do``, ``gap``), each also pooled
        (``scope`` "overall"). Columns: instrument, scope, dimension, measure, group, n,
        value, percentile, quartile, better, n_base, q25, median, q75, top_median, distance,
        suppressed, n_shown.

    Notes
    -----
    - ``value``: the mean over the group's respondents of each respondent's mean on the
      dimension (for Say-Do, the area's items; ``gap`` = say - do per respondent, then
      averaged). The overall rows pool every dimension (area) the same way; the base's
      overall figure is each organisation's mean over its dimensions (areas).
    - ``percentile``: the percentage of base organisations we do better than, ties counting
      half: 100·(#below + ½·#equal)/N, the ``kind="mean"`` rank of
      ``scipy.stats.percentileofscore``. For ``gap`` (``better`` "lower"), "better" means a
      narrower gap.
    - ``quartile``: 1 is the best quarter. Cut points ``q25``, ``median``, ``q75`` are the
      base's quantiles (numpy's linear interpolation); for a higher-is-better measure,
      quartile 1 is value ≥ q75, 2 ≥ median, 3 ≥ q25, else 4 (for a gap, mirrored: 1 is
      value ≤ q25).
    - ``top_median``: the median of the top quartile (by ``top_by``); ``distance`` is how far
      we are behind it in scale points (top_median - value; for a gap, value - top_median):
      positive means behind, negative ahead.
    - The Say-Do measures follow the self-assessment in "Customer Focus is more than
      Customer Service" (customerfocusconsult.com, 2009).

    Examples
    --------
    >>> from focuskit import Store
    >>> from focuskit.demo import seed_store, benchmark_rows
    >>> store = Store("sqlite:///:memory:"); _ = seed_store(store)
    >>> base = pd.DataFrame(benchmark_rows())
    >>> res = benchmark(store.responses("demo-say-do"), base)
    >>> gaps = res[res["measure"] == "gap"]
    >>> gaps["quartile"].tolist()  # leadership, processes, people, overall; 1 is the best
    [2, 4, 3, 3]
    """
    frame = check_frame(data)
    base = load_benchmark() if base is None else _check_base(base)
    k = _threshold(data, min_group)
    if top_by not in ("measure", "performance"):
        raise ValueError(f"top_by must be 'measure' or 'performance', not {top_by!r}")
    if group is not None:
        groups = [group] if isinstance(group, str) else list(group)
        unknown = sorted(set(groups) - set(frame["rater_group"].unique()))
        if unknown:
            raise ValueError(f"no answers from rater group(s) {unknown}; this frame has "
                             f"{sorted(map(str, frame['rater_group'].unique()))}. Pass group= "
                             "one of them, or group=None for everyone")
        frame, view = restrict(frame, {"rater_group": groups}, k)
        label = ", ".join(groups)
    else:
        frame, view = restrict(frame, None, k)
        label = "all"

    iid = instrument or data.attrs.get("instrument")
    iid = iid.id if isinstance(iid, Instrument) else iid
    facets = set(frame["facet"].unique())
    if iid is not None:
        if iid not in BENCHMARKED:
            raise ValueError(f"the benchmark base compares focus-levels and say-do campaigns, "
                             f"not {iid}")
        parts = [iid]
    else:
        parts = [p for p, fs in (("focus-levels", {"level"}), ("say-do", {"say", "do"}))
                 if fs & facets]
        if not parts:
            raise ValueError("this frame has neither focus-levels (facet 'level') nor say-do "
                             "(facets 'say', 'do') answers to benchmark")
    perf = base.groupby("organisation")["performance"].first()
    # Everyone asked for is held back (too few): say so on rows built from their answers,
    # every figure of which is then withheld.
    few = frame.empty and not view.raw.empty
    if few:
        frame = view.raw

    rows = []
    if "focus-levels" in parts:
        rows += _levels_rows(frame[frame["facet"] == "level"], base, perf, top_by)
    if "say-do" in parts:
        rows += _say_do_rows(frame[frame["facet"].isin(["say", "do"])], base, perf, top_by)
    out = pd.DataFrame(rows)
    out.insert(4, "group", label)
    values = ["value", "percentile", "quartile", "distance"]
    out[values] = out[values].astype(float)
    out = withhold_all(out, k, values=values, reason=f"< {k}") if few else \
        withhold(out, k, keys=["instrument", "scope", "dimension", "measure"], values=values,
                 view=view)
    out["quartile"] = out["quartile"].astype("Int64")
    return out[["instrument", "scope", "dimension", "measure", "group", "n", "value",
                "percentile", "quartile", "better", "n_base", "q25", "median", "q75",
                "top_median", "distance", "suppressed", "n_shown"]]


def _levels_rows(frame, base, perf, top_by) -> list[dict]:
    if frame.empty:
        raise ValueError("no focus-levels answers (facet 'level') in this frame")
    t = _org_table(base, "focus-levels")
    if t.empty:
        raise ValueError("the benchmark base holds no focus-levels rows")
    t.columns = t.columns.get_level_values(0)
    items = list(dict.fromkeys(frame["item"]))
    unknown = [i for i in items if i not in t.columns]
    if unknown:
        raise ValueError(f"the benchmark base has no figures for dimension(s) {unknown}; it "
                         f"holds {list(t.columns)}")
    rows = []
    for dim in items:
        ours = frame[frame["item"] == dim].groupby("submission")["value"].mean()
        rows.append(_row("focus-levels", "dimension", dim, "level", ours, t[dim], perf, top_by))
    overall = frame.groupby("submission")["value"].mean()
    rows.append(_row("focus-levels", "overall", None, "level", overall,
                     t[items].mean(axis=1), perf, top_by))
    return rows


def _say_do_rows(frame, base, perf, top_by) -> list[dict]:
    if frame.empty:
        raise ValueError("no say-do answers (facets 'say' and 'do') in this frame")
    if "section" not in frame.columns or frame["section"].isna().any():
        raise ValueError("say-do answers need their area in a 'section' column "
                         "(Store.responses gives it)")
    gaps = _say_do_gaps(base)
    areas = list(dict.fromkeys(frame["section"]))
    unknown = [a for a in areas if (a, "say") not in gaps.columns]
    if unknown:
        raise ValueError(f"the benchmark base has no Say-Do figures for area(s) {unknown}")
    wide = frame.pivot_table(index=["submission", "section", "item"], columns="facet",
                             values="value", aggfunc="first")
    for f in ("say", "do"):
        if f not in wide.columns:
            wide[f] = np.nan
    wide["gap"] = wide["say"] - wide["do"]
    wide = wide.reset_index()
    rows = []
    for area in [*areas, None]:
        sub = wide if area is None else wide[wide["section"] == area]
        for m in ("say", "do", "gap"):
            ours = sub.groupby("submission")[m].mean().dropna()
            col = gaps[("overall" if area is None else area, m)]
            rows.append(_row("say-do", "overall" if area is None else "dimension", area, m,
                             ours, col, perf, top_by))
    return rows


def _row(inst, scope, dim, measure, ours: pd.Series, col: pd.Series, perf, top_by) -> dict:
    higher = measure != "gap"
    values = col.dropna().to_numpy(dtype=float)
    top = _top_slice(col, perf, top_by, higher)
    mean = float(ours.mean()) if len(ours) else np.nan
    return dict(instrument=inst, scope=scope, dimension=dim, measure=measure,
                n=int(ours.index.nunique()), value=mean, **_position(mean, values, top, higher))


# -- the seed's finding --------------------------------------------------------------------------
def say_do_quartiles(base: pd.DataFrame | None = None, *, top: float = 0.25) -> pd.DataFrame:
    """The Say-Do gap of the base's top performers against the rest, with a Welch t test.

    Parameters
    ----------
    base : DataFrame, optional
        The benchmark base; defaults to ``load_benchmark()``.
    top : float, default 0.25
        The share of organisations, by ``performance``, counted as top performers.

    Returns
    -------
    DataFrame
        One row per Say-Do area and one ``overall`` (scope column): scope, area, n_top,
        n_rest, gap_top, gap_rest, diff (gap_top - gap_rest), ci_low, ci_high (of diff),
        statistic (Welch's t), df, pval, narrower (gap_top < gap_rest).

    Notes
    -----
    - An organisation's gap is say - do per area; overall, its mean over areas.
    - Top performers: performance ≥ the (1 - top) quantile of the organisations'
      performance (ties at the cut count as top).
    - Welch's t test (unequal variances; ``scipy.stats.ttest_ind(equal_var=False)``):
      t = (m_top - m_rest) / sqrt(s²_top/n_top + s²_rest/n_rest), df by Welch-Satterthwaite;
      two-sided p and a 95% interval of the difference.
    - The seed ("Customer Focus is more than Customer Service", customerfocusconsult.com,
      2009) reports that the gap is considerably wider below the top quartile; ``diff`` < 0
      with a small ``pval`` reproduces that finding.

    Examples
    --------
    >>> from focuskit.demo import benchmark_rows
    >>> res = say_do_quartiles(pd.DataFrame(benchmark_rows()))
    >>> bool(res["narrower"].all())
    True
    """
    from scipy import stats

    base = load_benchmark() if base is None else _check_base(base)
    if isinstance(top, bool) or not isinstance(top, (int, float)) or not 0 < top < 1:
        raise ValueError(f"top must be a share between 0 and 1 (0.25 for the top quartile), "
                         f"not {top!r}")
    gaps = _say_do_gaps(base)
    perf = base.groupby("organisation")["performance"].first().reindex(gaps.index)
    is_top = perf >= perf.quantile(1 - top)
    if is_top.sum() < 2 or (~is_top).sum() < 2:
        raise ValueError("the base needs at least two organisations in the top group and two "
                         "in the rest for a t test")
    rows = []
    areas = [a for a in dict.fromkeys(gaps.columns.get_level_values(0)) if a != "overall"]
    for area in [*areas, None]:
        g = gaps[("overall" if area is None else area, "gap")]
        a, b = g[is_top].dropna(), g[~is_top].dropna()
        res = stats.ttest_ind(a, b, equal_var=False)
        ci = res.confidence_interval(0.95)
        rows.append(dict(scope="overall" if area is None else "area", area=area,
                         n_top=len(a), n_rest=len(b), gap_top=a.mean(), gap_rest=b.mean(),
                         diff=a.mean() - b.mean(), ci_low=ci.low, ci_high=ci.high,
                         statistic=res.statistic, df=res.df, pval=res.pvalue,
                         narrower=bool(a.mean() < b.mean())))
    return pd.DataFrame(rows)
