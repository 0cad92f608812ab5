"""Page loads that never finish: one respondent link opened and reloaded, many times, in Chromium.

``focuskit serve`` runs on a temporary demo store. Each round opens the shared questionnaire link
in a fresh browser context, waits for the first question, clicks an answer, reloads the page
(which resumes) and waits for the first question again. A load not done within ``--limit``
seconds counts as hung, with what the page showed then. This found the missed kernel wake-up
that focuskit/serving/voila_fixes.py mends (5 of ~320 loads hung on "Executing 1 of 2" before).

The baseline is the first round's open, in the same run: the table gives each kind of load's
median and 95th percentile as a ratio to it.

    .venv/bin/python benchmarks/bench_page_loads.py [--rounds 100] [--preheat 2] [--limit 40]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench_questionnaire import CHROMIUM, FLAGS, Server, say

from focuskit.testing import free_port

FIRST = ".fk-item .widget-radio-box label"


def run(rounds: int, preheat: int, limit: float) -> dict:
    from playwright.sync_api import sync_playwright

    from focuskit import Store
    from focuskit.demo import seed_store

    tmp = Path(tempfile.mkdtemp(prefix="bench-loads-"))
    db = f"sqlite:///{tmp / 'demo.db'}"
    with Store(db) as store:
        seed_store(store)
    port = free_port()
    # A cap above the rounds: a closed context does not shut its kernel down (a closed tab does).
    server = Server([sys.executable, "-m", "focuskit.cli", "serve", f"--port={port}",
                     f"--staff-port={free_port()}", f"--preheat={preheat}", "--staff-preheat=0",
                     f"--max-kernels={2 * rounds + 10}"],
                    {"FOCUSKIT_DB_URL": db, "FOCUSKIT_TOKEN": "bench-token-of-the-loads"},
                    tmp / "serve.log", port)
    url = (f"http://127.0.0.1:{port}/voila/render/take_assessment.ipynb"
           "?campaign=demo-focus-levels&group=customer&segment=Residential")
    times: dict[str, list[float]] = {"open": [], "reload": []}
    hung: list[str] = []
    try:
        server.settle(preheat)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
            for n in range(rounds):
                context = browser.new_context(viewport={"width": 1280, "height": 900})
                page = context.new_page()
                for kind in ("open", "reload"):
                    start = time.perf_counter()
                    try:
                        if kind == "open":
                            page.goto(url, wait_until="domcontentloaded", timeout=limit * 1000)
                        else:
                            page.reload(wait_until="domcontentloaded", timeout=limit * 1000)
                        left = limit - (time.perf_counter() - start)
                        page.locator(FIRST).first.wait_for(timeout=max(1.0, left) * 1000)
                        times[kind].append(time.perf_counter() - start)
                        page.locator(FIRST).first.click()
                        time.sleep(0.5)  # the answer's draft is saved, as a person would wait
                    except Exception:
                        shown = page.inner_text("body")[:80].replace("\n", " ")
                        hung.append(f"round {n} {kind}: {shown!r}")
                        say(f"hung: {hung[-1]}")
                context.close()
                if n % 10 == 0:
                    say(f"round {n}: {len(hung)} hung so far")
            browser.close()
    finally:
        server.stop()
    base = times["open"][0]
    out = {"rounds": rounds, "preheat": preheat, "baseline": base, "hung": hung}
    for kind, ts in times.items():
        q = statistics.quantiles(ts, n=20, method="inclusive")
        out[kind] = (statistics.median(ts), q[18], len(ts))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=100)
    ap.add_argument("--preheat", type=int, default=2)
    ap.add_argument("--limit", type=float, default=40.0, help="seconds before a load is hung")
    a = ap.parse_args()
    r = run(a.rounds, a.preheat, a.limit)
    print(f"\n{r['rounds']} rounds with --preheat {r['preheat']}; baseline (first open) "
          f"{r['baseline']:.2f} s; loads hung (not done within {a.limit:.0f} s): "
          f"{len(r['hung'])} of {2 * r['rounds']}\n")
    print("| load | done | median (s) | p95 (s) | median / baseline | p95 / baseline |")
    print("|---|---|---|---|---|---|")
    for kind in ("open", "reload"):
        med, p95, done = r[kind]
        print(f"| {kind} | {done} | {med:.2f} | {p95:.2f} | {med / r['baseline']:.2f} | "
              f"{p95 / r['baseline']:.2f} |")
    for h in r["hung"]:
        print(f"- hung: {h}")


if __name__ == "__main__":
    main()
