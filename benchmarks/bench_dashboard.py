"""The executive dashboard in Chromium: time to the first plot, and a filter change's redraw.

Load: the time from ``page.goto`` to the first plot (``img.fk-plot``) visible, for
``notebooks/results.ipynb`` on the demo campaign served by ``focuskit serve`` (as configured:
no preheated kernel for the dashboard), against a bare one-button Voilà notebook served cold by
plain Voilà, measured in the same run, interleaved, a new page (and kernel) each time. A third
row serves the dashboard from a Voilà with one preheated kernel for ``results.ipynb``, to show
what preheating the dashboard would give. Budget: dashboard ≤ 0.8× the bare notebook.

Filter change: a store holding one focus-levels campaign of 10,000 respondents; the time from
choosing a segment to the open tab's plot redrawn (its ``src`` changes), median over
alternating segments. Budget: ≤ 300 ms median. The dashboard keeps results per selection, so
the first visit of a selection (analysis computed) and a return to one (plot drawn from kept
results) are also reported apart, with the kernel's CPU time per change (from /proc) and the
load average.

Two more rows serve the dashboard as configured (one kernel kept ready for it) and open it for
a first executive and, 20 s later, a second (``--pairs`` times): the second may find the pool
still refilling. Budget: both ≤ 0.8× the bare notebook.

Before and after in one run (``--against TREE``, with ``--pairs``): the first and second
executive on ``focuskit serve`` from this tree and from TREE (say a ``git archive main``
unpacked in /tmp), alternating pair by pair, a fresh server per pair, each load right after a
bare notebook's; with the staff server's own CPU time (kernels left out) during each load.

Run: .venv/bin/python benchmarks/bench_dashboard.py [--runs 5] [--pairs 3] [--filters 9]
[--filter-only] [--against TREE]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from focuskit import testing
from focuskit.testing import free_port, start_server, stop_server

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("FOCUSKIT_CHROMIUM", "/usr/bin/chromium")
BARE = {"cells": [{"cell_type": "code", "execution_count": None, "id": "b1", "metadata": {},
                   "outputs": [], "source": ["import ipywidgets as w\n",
                                             "w.Button(description='Go')"]}],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                    "name": "python3"}},
        "nbformat": 4, "nbformat_minor": 5}


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def start(cmd, env, logdir, name):
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    return start_server([*cmd, f"--port={port}"], url, log=Path(logdir) / f"{name}.log",
                        env=env, cwd=ROOT), url


def start_serve(env, logdir, name, *args):
    """``focuskit serve`` with its two doors; returns the process and the dashboard's URL on
    the staff door (behind its token)."""
    served = testing.start_serve(args, env, log_dir=logdir, cwd=ROOT)
    served.proc.log_path = served.log  # what the pairs below wait on
    return served.proc, served.staff_url("voila/render/results.ipynb")


def load_time(browser, url, selector) -> float:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        t = time.perf_counter()
        page.goto(url, wait_until="commit")
        page.locator(selector).first.wait_for(timeout=180_000)
        return time.perf_counter() - t
    finally:
        page.close()


def demo_and_bare(prefix: str) -> tuple[str, str, Path]:
    """A temporary folder holding the demo store and the bare notebook's own folder:
    (folder, the store's URL, the bare notebook's folder)."""
    from focuskit import Store
    from focuskit.demo import seed_store

    tmp = tempfile.mkdtemp(prefix=prefix)
    demo_url = f"sqlite:///{tmp}/demo.db"
    with Store(demo_url) as s:
        seed_store(s)
    bare_dir = Path(tmp) / "bare"
    bare_dir.mkdir()
    (bare_dir / "bare.ipynb").write_text(json.dumps(BARE))
    return tmp, demo_url, bare_dir


def seed_10k(url: str, n: int = 10_000) -> None:
    from focuskit import Store

    rng = random.Random(7)
    segs = ["North", "South", "East", "West"]
    with Store(url) as store:
        camp = store.create_campaign("bench-10k", "Ten thousand respondents", "focus-levels",
                                     rater_groups=["self", "customer", "partner"])
        items = [i.id for i in camp.instrument.items]
        subs = []
        for k in range(n):
            group = "self" if k % 20 == 0 else ("partner" if k % 5 == 0 else "customer")
            subs.append(dict(rater_group=group, segment=segs[k % 4], respondent=f"r{k}",
                             idempotency_key=f"b{k}",
                             answers={i: {"level": rng.randint(1, 5)} for i in items}))
        for i in range(0, n, 1000):
            store.submit_many(camp.id, subs[i:i + 1000])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--filters", type=int, default=9)
    ap.add_argument("--pairs", type=int, default=3,
                    help="first and second executive on focuskit serve as configured")
    ap.add_argument("--filter-only", action="store_true", help="skip the load-time rows")
    ap.add_argument("--pairs-only", action="store_true",
                    help="only the first and second executive on serve as configured")
    ap.add_argument("--against", metavar="TREE",
                    help="another source tree: first and second executive on each, "
                         "alternating (only these rows)")
    args = ap.parse_args(argv)
    if args.against:
        return against(Path(args.against).resolve(), args.pairs)
    from playwright.sync_api import sync_playwright

    tmp, demo_url, bare_dir = demo_and_bare("fk-bench-dash-")
    voila = [sys.executable, "-m", "voila", "--no-browser", "--strip_sources=True"]
    procs = []
    rows = {"dashboard (focuskit serve)": [], "bare one-button notebook (plain Voilà)": [],
            "dashboard, one preheated kernel": []}
    try:
        # As configured, except that no kernel is kept ready for the dashboard (the third
        # row measures that).
        serve, serve_url = start_serve({"FOCUSKIT_DB_URL": demo_url}, tmp, "serve",
                                       "--staff-preheat=0")
        procs.append(serve)
        bare, bare_url = start([*voila, str(bare_dir)], {}, tmp, "bare")
        procs.append(bare)
        pools = json.dumps({"default": {"pool_size": 0}, "results.ipynb": {"pool_size": 1}})
        hot, hot_url = start([*voila, str(ROOT / "notebooks"), "--preheat_kernel=True",
                              f"--VoilaKernelManager.kernel_pools_config={pools}"],
                             {"FOCUSKIT_DB_URL": demo_url, "VOILA_APP_IP": "127.0.0.1"},
                             tmp, "hot")
        procs.append(hot)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                         args=["--headless", "--no-sandbox", "--disable-gpu"])
            if not args.filter_only and not args.pairs_only:
                time.sleep(15)  # let the preheated kernel run the notebook
                load_time(browser, bare_url + "voila/render/bare.ipynb", "button")  # warm-up
                load_time(browser, serve_url, "img.fk-plot")
                time.sleep(15)
            for r in range(0 if args.filter_only or args.pairs_only else args.runs):
                for name, url, sel in (
                        ("dashboard (focuskit serve)", serve_url, "img.fk-plot"),
                        ("bare one-button notebook (plain Voilà)",
                         bare_url + "voila/render/bare.ipynb", "button"),
                        ("dashboard, one preheated kernel",
                         hot_url + "voila/render/results.ipynb", "img.fk-plot")):
                    rows[name].append(load_time(browser, url, sel))
                    log(f"run {r + 1}: {name} {rows[name][-1]:.2f} s")
                time.sleep(12)  # the pool refills its kernel
            for p in procs:
                stop_server(p, 30)
            procs = []
            if not args.filter_only:
                # As configured (one dashboard kernel kept ready): a first executive once the
                # kept kernel waits for its visitor, then a second one 20 s later, while the
                # pool is refilling; each right after a bare notebook's load, for the ratio.
                bare, bare_url = start([*voila, str(bare_dir)], {}, tmp, "bare2")
                for r in range(args.pairs):
                    conf, conf_url = start_serve({"FOCUSKIT_DB_URL": demo_url,
                                                  "FOCUSKIT_LOG_LEVEL": "INFO"}, tmp,
                                                 f"conf{r}")
                    t0 = time.perf_counter()
                    ready = wait_in_log(conf.log_path, "waiting for its visitor")
                    log(f"pair {r + 1}: the kept kernel was ready {ready - t0:.1f} s after the "
                        "server answered")
                    for who in ("first", "second"):
                        if who == "second":
                            time.sleep(20)
                        rows.setdefault("bare one-button notebook, before each executive",
                                        []).append(load_time(browser, bare_url +
                                                             "voila/render/bare.ipynb",
                                                             "button"))
                        took = load_time(browser, conf_url, "img.fk-plot")
                        name = ("as configured: first executive" if who == "first" else
                                "as configured: second executive, 20 s later")
                        rows.setdefault(name, []).append(took)
                        log(f"pair {r + 1}: {who} {took:.2f} s")
                    conf.terminate()
                    conf.wait(30)
                bare.terminate()
                bare.wait(30)
            if args.pairs_only:
                browser.close()
            else:
                # Filter change with 10,000 respondents.
                big_url = f"sqlite:///{tmp}/big.db"
                t = time.perf_counter()
                seed_10k(big_url)
                log(f"seeded 10,000 respondents in {time.perf_counter() - t:.1f} s")
                # No kernels kept ready, so the dashboard's kernel is the only one to watch.
                big, url = start_serve({"FOCUSKIT_DB_URL": big_url}, tmp, "big", "--preheat=0",
                                       "--staff-preheat=0")
                procs.append(big)
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.goto(url, wait_until="commit", timeout=180_000)
                page.locator("img.fk-plot").first.wait_for(timeout=180_000)
                kernel = newest_kernel(big.pid)
                redraws, firsts, returns, cpus, loads = [], [], [], [], []
                segs = ["North", "South", "East", "West", "All"]
                seen = {"All"}  # the page opens on All
                for k in range(args.filters + 1):
                    seg = segs[k % len(segs)]
                    before = page.locator("img.fk-plot").first.get_attribute("src")
                    cpu = kernel_cpu(kernel)
                    t = time.perf_counter()
                    page.locator(".fk-ctl select").nth(1).select_option(seg)
                    page.wait_for_function(
                        "s => { const i = document.querySelector('img.fk-plot');"
                        " return i && i.src !== s && i.complete }", arg=before, timeout=60_000)
                    took = time.perf_counter() - t
                    time.sleep(1.0)  # the kernel finishes the cards after the plot
                    used = kernel_cpu(kernel) - cpu
                    if k:  # the first is a warm-up
                        redraws.append(took)
                        (returns if seg in seen else firsts).append(took)
                        cpus.append(used)
                        loads.append(os.getloadavg()[0])
                        log(f"filter {k} ({seg}, {'return' if seg in seen else 'first visit'}): "
                            f"{took * 1000:.0f} ms, kernel CPU {used * 1000:.0f} ms "
                            f"(plot and cards), load {loads[-1]:.1f}")
                    seen.add(seg)
                page.close()
                browser.close()
    finally:
        for p in procs:
            stop_server(p, 30)
    if not args.filter_only:
        bare_med = statistics.median(rows["bare one-button notebook (plain Voilà)"]
                                     or rows["bare one-button notebook, before each executive"])
        print("| page | median s | runs (s) | ratio to bare |")
        print("|---|---|---|---|")
        for name, vals in rows.items():
            if not vals:
                continue
            med = statistics.median(vals)
            print(f"| {name} | {med:.2f} | {', '.join(f'{v:.2f}' for v in vals)} | "
                  f"{med / bare_med:.2f} |")
        print()
    if args.pairs_only:
        return 0
    print("| filter change, 10,000 respondents | changes | median ms | min ms | max ms |")
    print("|---|---|---|---|---|")
    for name, vals in (("segment chosen → Levels plot redrawn (all)", redraws),
                       ("… first visit of the selection", firsts),
                       ("… return to a selection", returns)):
        if vals:
            ms = [r * 1000 for r in vals]
            print(f"| {name} | {len(ms)} | {statistics.median(ms):.0f} | {min(ms):.0f} | "
                  f"{max(ms):.0f} |")
    if cpus:
        print(f"\nkernel CPU per change (plot, then the cards): median "
              f"{statistics.median(cpus) * 1000:.0f} ms; load average "
              f"{min(loads):.1f}-{max(loads):.1f}")
    return 0


def against(other: Path, pairs: int) -> int:
    """First and second executive from this tree and from ``other``, alternating."""
    from playwright.sync_api import sync_playwright

    tmp, demo_url, bare_dir = demo_and_bare("fk-bench-dash-ab-")
    bare, bare_url = start([sys.executable, "-m", "voila", "--no-browser",
                            "--strip_sources=True", str(bare_dir)], {}, tmp, "bare")
    trees = [("this tree", ROOT), (str(other), other)]
    rows: dict[str, list[float]] = {}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                         args=["--headless", "--no-sandbox", "--disable-gpu"])
            load_time(browser, bare_url + "voila/render/bare.ipynb", "button")  # warm-up
            for r in range(pairs):
                for name, tree in trees if r % 2 else trees[::-1]:
                    # The tree's own focuskit: first on the path of the server and kernels.
                    served = testing.start_serve((), {"FOCUSKIT_DB_URL": demo_url,
                                                      "FOCUSKIT_LOG_LEVEL": "INFO",
                                                      "PYTHONPATH": str(tree)},
                                                 log_dir=tmp, cwd=tree)
                    try:
                        wait_in_log(served.log, "waiting for its visitor")
                        for who in ("first", "second"):
                            if who == "second":
                                time.sleep(20)
                            base = load_time(browser, bare_url + "voila/render/bare.ipynb",
                                             "button")
                            cpu = server_cpu(served.proc.pid)
                            took = load_time(browser, served.staff_url(
                                "voila/render/results.ipynb"), "img.fk-plot")
                            cpu = server_cpu(served.proc.pid) - cpu
                            for key, v in (("s", took), ("ratio", took / base),
                                           ("server CPU s", cpu)):
                                rows.setdefault(f"{name}: {who} executive, {key}", []).append(v)
                            log(f"pair {r + 1} {name} {who}: {took:.2f} s, bare {base:.2f} s, "
                                f"server CPU {cpu:.2f} s, load {os.getloadavg()[0]:.1f}")
                    finally:
                        stop_server(served.proc)
            browser.close()
    finally:
        stop_server(bare)
    print("| measured | median | runs |")
    print("|---|---|---|")
    for name, vals in sorted(rows.items()):
        print(f"| {name} | {statistics.median(vals):.2f} | "
              f"{', '.join(f'{v:.2f}' for v in vals)} |")
    return 0


def server_cpu(pid: int) -> float:
    """CPU seconds used so far by the server's own processes (its kernels left out)."""
    import psutil

    total = 0.0
    root = psutil.Process(pid)
    for p in [root, *root.children(recursive=True)]:
        try:
            if "ipykernel" in " ".join(p.cmdline()):
                continue
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.Error:  # ended meanwhile
            pass
    return total


def wait_in_log(path: Path, text: str, timeout: float = 180) -> float:
    """The time ``text`` first appears in the log at ``path``."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if text in path.read_text(errors="replace"):
            return time.perf_counter()
        time.sleep(0.2)
    raise RuntimeError(f"{text!r} not in {path} within {timeout} s")


def newest_kernel(server_pid: int):
    """The dashboard's kernel: the youngest ipykernel below the server."""
    import psutil

    kids = [p for p in psutil.Process(server_pid).children(recursive=True)
            if "ipykernel" in " ".join(p.cmdline())]
    return max(kids, key=lambda p: p.create_time()) if kids else None


def kernel_cpu(proc) -> float:
    if proc is None:
        return float("nan")
    t = proc.cpu_times()
    return t.user + t.system


if __name__ == "__main__":
    sys.exit(main())
