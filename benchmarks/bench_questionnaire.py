"""The respondent's questionnaire in Chromium: time to the first question, and kernel memory.

Two servers run side by side in the same benchmark run, and their runs are interleaved:

* ``focuskit serve`` with its preheated kernels (the default, 2 kept ready) on a temporary
  demo store, opened at a respondent link;
* plain Voila serving a bare one-button ipywidgets notebook, cold (no preheating): the
  baseline the issue sets, "a bare one-button Voila notebook served cold".

Time: from ``page.goto`` to the first question's choices visible, in a fresh browser context
(no cache, as for a first-time respondent) with a new shared link (no draft). The first page
opens with the intro above the first question. Baseline: ``goto`` to the button visible.

Memory: peak resident set (VmHWM) of the kernel behind the page, read from /proc once the page
shows its first question; the baseline is the kernel behind the one-button page, and, for
scale, the same with ``import seaborn`` (what the respondent path must never load).

    .venv/bin/python benchmarks/bench_questionnaire.py [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import psutil

from focuskit.testing import free_port, start_server, stop_server

ROOT = Path(__file__).resolve().parent.parent
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
CHROMIUM = os.environ.get("FOCUSKIT_CHROMIUM", "/usr/bin/chromium")
BARE = "import ipywidgets as widgets\n\nwidgets.Button(description=\"Go\")"
SEABORN = "import seaborn\nimport ipywidgets as widgets\n\nwidgets.Button(description=\"Go\")"


def say(*args):
    print(*args, file=sys.stderr, flush=True)


def notebook(path: Path, source: str) -> Path:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, path)
    return path


class Server:
    def __init__(self, cmd: list[str], env: dict, log: Path, port: int):
        self.port, self.log = port, log
        self.proc = start_server(cmd, f"http://127.0.0.1:{port}/", log=log, env=env, cwd=ROOT)

    def kernels(self) -> list[psutil.Process]:
        return [p for p in psutil.Process(self.proc.pid).children(recursive=True)
                if "ipykernel_launcher" in " ".join(p.cmdline())]

    def kernel(self, kernel_id: str) -> psutil.Process:
        for p in self.kernels():
            if kernel_id in " ".join(p.cmdline()):
                return p
        raise LookupError(kernel_id)

    def settle(self, pooled: int = 0, timeout: float = 120) -> None:
        """Wait until ``pooled`` kernels run and every kernel is idle (preheating done)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ks = self.kernels()
            if len(ks) >= pooled:
                busy = sum(k.cpu_percent(interval=0.5) for k in ks)
                if busy < 3:
                    return
            else:
                time.sleep(0.5)
        say("warning: kernels did not settle")

    def stop(self) -> None:
        stop_server(self.proc, 30)


def peak_rss_mb(proc: psutil.Process) -> tuple[float, float]:
    """(VmHWM, VmRSS) in MB from /proc."""
    out = {}
    for line in Path(f"/proc/{proc.pid}/status").read_text().splitlines():
        if line.startswith(("VmHWM", "VmRSS")):
            key, value = line.split(":")
            out[key] = int(value.split()[0]) / 1024
    return out["VmHWM"], out["VmRSS"]


def visit(browser, url: str, steps) -> tuple[dict, str]:
    """Open ``url`` in a fresh context and time ``steps``; returns times and the kernel id."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    sockets = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    times = {}
    try:
        start = time.perf_counter()
        page.goto(url, wait_until="commit", timeout=120_000)
        for name, action in steps:
            action(page)
            times[name] = time.perf_counter() - start
        kernel = next(re.search(r"/api/kernels/([0-9a-f-]{36})/", u).group(1)
                      for u in sockets if "/api/kernels/" in u)
        return times, kernel, (context, page)
    except Exception:
        context.close()
        raise


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    from focuskit import Store
    from focuskit.apps.questionnaire import shared_link
    from focuskit.demo import seed_store

    tmp = Path(tempfile.mkdtemp(prefix="focuskit-bench-q-"))
    db = f"sqlite:///{tmp / 'demo.db'}"
    with Store(db) as store:
        seed_store(store)
    bare_dir = tmp / "bare"
    bare_dir.mkdir()
    notebook(bare_dir / "bare.ipynb", BARE)
    notebook(bare_dir / "bare_seaborn.ipynb", SEABORN)

    qport, bport = free_port(), free_port()
    say("starting focuskit serve (preheated) and plain Voila (cold)...")
    q = Server([sys.executable, "-m", "focuskit.cli", "serve", f"--port={qport}"],
               {"FOCUSKIT_DB_URL": db}, tmp / "serve.log", qport)
    b = Server([sys.executable, "-m", "voila", str(bare_dir), f"--port={bport}", "--no-browser",
                "--Voila.ip=127.0.0.1", "--strip_sources=True", "--show_tracebacks=False"],
               {}, tmp / "bare.log", bport)
    qbase = f"http://127.0.0.1:{qport}/voila/render/take_assessment.ipynb"
    with Store(db) as store:  # links are signed: an unsigned one gets a friendly page
        warm_link = shared_link(store, "demo-focus-levels", "customer", base=qbase)
        bench_link = shared_link(store, "demo-focus-levels", "customer", "Bench", base=qbase)
    bbase = f"http://127.0.0.1:{bport}/voila/render/"

    q_steps = [("question", lambda p: p.locator(".fk-item .widget-radio-box label").first
                .wait_for(timeout=120_000))]
    b_steps = [("button", lambda p: p.get_by_role("button", name="Go").wait_for(
                   timeout=120_000))]
    rows = {"question": [], "button": []}
    mem = {"questionnaire": [], "bare": [], "seaborn": []}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
            # One unmeasured visit each: disk caches and .pyc files warm for both alike.
            for url, steps, server in ((warm_link, q_steps, q),
                                       (bbase + "bare.ipynb", b_steps, b)):
                server.settle(2 if server is q else 0)
                _, _, (ctx, _) = visit(browser, url, steps)
                ctx.close()
            for n in range(args.runs):
                order = [("q", q), ("b", b)] if n % 2 == 0 else [("b", b), ("q", q)]
                for which, server in order:
                    server.settle(2 if which == "q" else 0)
                    if which == "q":
                        times, kid, (ctx, _) = visit(browser, bench_link, q_steps)
                        rows["question"].append(times["question"])
                        mem["questionnaire"].append(peak_rss_mb(q.kernel(kid)))
                    else:
                        times, kid, (ctx, _) = visit(browser, bbase + "bare.ipynb", b_steps)
                        rows["button"].append(times["button"])
                        mem["bare"].append(peak_rss_mb(b.kernel(kid)))
                    ctx.close()
                say(f"run {n + 1}/{args.runs}: question {rows['question'][-1]:.2f} s, "
                    f"button {rows['button'][-1]:.2f} s")
            for _ in range(3):
                b.settle(0)
                _, kid, (ctx, _) = visit(browser, bbase + "bare_seaborn.ipynb", b_steps)
                mem["seaborn"].append(peak_rss_mb(b.kernel(kid)))
                ctx.close()
            browser.close()
    finally:
        q.stop()
        b.stop()

    med = {k: statistics.median(v) for k, v in rows.items()}
    hwm = {k: statistics.median(x[0] for x in v) for k, v in mem.items()}
    rss = {k: statistics.median(x[1] for x in v) for k, v in mem.items()}

    def rng(v):
        return f"{min(v):.2f}-{max(v):.2f}"

    print(f"\n{args.runs} interleaved runs, fresh browser context each, 390 x 844 viewport.\n")
    print("| page | first thing visible | median (s) | range (s) | vs bare cold |")
    print("|---|---|---|---|---|")
    print(f"| bare one-button notebook, cold Voila (baseline) | the button | "
          f"{med['button']:.2f} | {rng(rows['button'])} | 1.00 |")
    print(f"| questionnaire link, preheated | the first question's choices | "
          f"{med['question']:.2f} | {rng(rows['question'])} | "
          f"{med['question'] / med['button']:.2f} |")
    print("\n| kernel behind the page | peak RSS, VmHWM (MB) | RSS now (MB) | vs bare |")
    print("|---|---|---|---|")
    for key, label in (("bare", "bare one-button ipywidgets notebook"),
                       ("questionnaire", "questionnaire, first question shown"),
                       ("seaborn", "one button + `import seaborn`")):
        print(f"| {label} | {hwm[key]:.1f} | {rss[key]:.1f} | {hwm[key] / hwm['bare']:.2f} |")
    ok_time = med["question"] / med["button"] <= 0.8
    print(f"\ntime budget (question <= 0.8 x bare cold): {'met' if ok_time else 'NOT met'}; "
          f"memory budget (<= 60 MB): {'met' if hwm['questionnaire'] <= 60 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
