"""How long `import focuskit` takes, as a ratio to `import ipywidgets`, in fresh interpreters.

A respondent's kernel imports focuskit (instruments and store) and ipywidgets; the design
keeps pandas, matplotlib and seaborn out of that path. Two measures, each the median of N
runs interleaved in random order so that a noisy machine slows every command alike:

* wall: time of `python -c "import X"` minus the time of `python -c "pass"` in the same round;
* importtime: the cumulative figure CPython's `-X importtime` reports for the top module.

    .venv/bin/python benchmarks/bench_import.py [--runs 21]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import time

MODULES = ("focuskit", "ipywidgets")
HEAVY = ("pandas", "matplotlib", "seaborn")


def wall(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - start


def importtime(module: str) -> float:
    """Seconds CPython reports for importing ``module`` and everything it imports."""
    err = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {module}"],
                         check=True, capture_output=True, text=True).stderr
    for line in err.splitlines():  # "import time: self | cumulative | name"
        parts = [p.strip() for p in line.split("|")]
        if len(parts) == 3 and parts[2] == module:
            return int(parts[1]) / 1e6
    raise RuntimeError(f"no importtime line for {module}")


def loaded(module: str) -> dict:
    code = (f"import sys, json, {module}\n"
            f"print(json.dumps({{'modules': len(sys.modules), "
            f"'heavy': [m for m in {HEAVY!r} if m in sys.modules]}}))")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True).stdout
    return json.loads(out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=21)
    args = ap.parse_args(argv)

    for m in MODULES:  # warm the file cache and .pyc files before timing anything
        wall(f"import {m}")
    net = {m: [] for m in MODULES}
    cum = {m: [] for m in MODULES}
    for _ in range(args.runs):
        jobs = [("pass", None)] + [("wall", m) for m in MODULES] + [("cum", m) for m in MODULES]
        random.shuffle(jobs)
        got = {}
        for kind, m in jobs:
            if kind == "pass":
                got["pass"] = wall("pass")
            elif kind == "wall":
                got[m] = wall(f"import {m}")
            else:
                cum[m].append(importtime(m))
        for m in MODULES:
            net[m].append(got[m] - got["pass"])

    info = {m: loaded(m) for m in MODULES}
    fk_wall, iw_wall = (statistics.median(net[m]) for m in MODULES)
    fk_cum, iw_cum = (statistics.median(cum[m]) for m in MODULES)
    print(f"median of {args.runs} interleaved runs, Python {sys.version.split()[0]}\n")
    print("| module | import, wall (ms) | import, -X importtime (ms) | modules loaded "
          "| pandas / matplotlib / seaborn loaded |")
    print("|---|---|---|---|---|")
    for m, w, c in (("focuskit", fk_wall, fk_cum), ("ipywidgets", iw_wall, iw_cum)):
        heavy = ", ".join(info[m]["heavy"]) or "none"
        print(f"| `import {m}` | {w * 1000:.0f} | {c * 1000:.0f} | {info[m]['modules']} "
              f"| {heavy} |")
    print(f"| ratio focuskit / ipywidgets | {fk_wall / iw_wall:.2f} | {fk_cum / iw_cum:.2f} "
          f"| {info['focuskit']['modules'] / info['ipywidgets']['modules']:.2f} | |")
    if info["focuskit"]["heavy"]:
        print(f"\nFAIL: import focuskit loaded {info['focuskit']['heavy']}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
