"""CPU per filter change in the dashboard's kernel code, before and after a change to it, in
one process at 10,000 respondents.

The dashboard package of ``--before`` (a git revision) is loaded beside the present one under
another name; both draw the same store, their filter changes interleaved round by round, so the
machine's load falls on both alike. Each change is timed with ``time.process_time`` (this
process's CPU: the analysis, the plot's PNG and the cards), as the browser benchmark
(``bench_dashboard.py``) reads the kernel's. The budget is ≤ 300 ms median.

    .venv/bin/python benchmarks/bench_dashboard_state.py --before main --rounds 3
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import focuskit.apps
from focuskit import Store

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_dashboard import seed_10k  # noqa: E402

FILES = ("__init__.py", "state.py", "view.py", "tabs.py", "style.css")
SEGMENTS = ["North", "South", "East", "West", "All"]


def load_before(rev: str, into: Path):
    """The dashboard package as it was at ``rev``, importable as ``focuskit.apps.dashboard_before``."""
    pkg = into / "dashboard_before"
    pkg.mkdir()
    root = Path(__file__).resolve().parent.parent
    for name in FILES:
        text = subprocess.run(["git", "show", f"{rev}:focuskit/apps/dashboard/{name}"], cwd=root,
                              check=True, capture_output=True, text=True).stdout
        (pkg / name).write_text(text)
    focuskit.apps.__path__.append(str(into))
    return importlib.import_module("focuskit.apps.dashboard_before")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--before", default="main", help="git revision to compare against")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args(argv)
    import focuskit.apps.dashboard as after

    with tempfile.TemporaryDirectory() as tmp:
        before = load_before(args.before, Path(tmp))
        url = f"sqlite:///{tmp}/big.db"
        seed_10k(url)
        store = Store(url)
        cpu = {"before": {"first": [], "return": []}, "after": {"first": [], "return": []}}
        for r in range(args.rounds):
            for name, mod in (("before", before), ("after", after))[:: 1 if r % 2 else -1]:
                board = mod.Dashboard(mod.DashboardState(store, "bench-10k"))
                seen = {"All"}  # the board opens on All
                for seg in SEGMENTS * 2:
                    t = time.process_time()
                    board.filter(segment=seg)
                    took = time.process_time() - t
                    cpu[name]["return" if seg in seen else "first"].append(took)
                    seen.add(seg)
        store.close()
    print(f"CPU per filter change, 10,000 respondents, {args.rounds} rounds "
          f"(before = {args.before}):")
    for visit in ("first", "return"):
        b = statistics.median(cpu["before"][visit]) * 1000
        a = statistics.median(cpu["after"][visit]) * 1000
        print(f"  {visit} visit: before {b:.0f} ms, after {a:.0f} ms, ratio {a / b:.2f} "
              f"(n={len(cpu['after'][visit])} each)")
    allb = statistics.median(cpu["before"]["first"] + cpu["before"]["return"]) * 1000
    alla = statistics.median(cpu["after"]["first"] + cpu["after"]["return"]) * 1000
    print(f"  all: before {allb:.0f} ms, after {alla:.0f} ms, ratio {alla / allb:.2f}; "
          "budget ≤ 300 ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
