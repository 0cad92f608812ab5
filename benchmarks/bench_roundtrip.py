"""Widget round-trip in Chromium: `focuskit serve`'s Voila against plain Voila.

The time from a click on a widget button until the kernel's reply has changed the page: a bare
notebook whose first button sets a label to the number of clicks, and whose second does what the
questionnaire does when an answer is saved: a "saving" label, 5 ms of work, then "saved".
Measured inside the page (``performance.now()`` at the click, a MutationObserver for the label's
new text), so only the browser -> websocket -> kernel -> websocket -> browser trip counts, not
Playwright's own.

Two servers on the same notebook, started in the same run: plain ``python -m voila`` and
Voila launched as ``focuskit serve`` does (``python -m focuskit.serving.voila_main``: the
project's template and settings, TCP_NODELAY on the kernel websocket), and a third row, the
same launcher with the TCP_NODELAY line undone, to show what that line alone changes. Clicks
alternate between the servers in blocks, so a busy moment of the machine hits all alike.

Run: .venv/bin/python benchmarks/bench_roundtrip.py [--clicks 100]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from focuskit.testing import free_port, start_server, stop_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CHROMIUM = os.environ.get("FOCUSKIT_CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
NOTEBOOK = {"cells": [{"cell_type": "code", "execution_count": None, "id": "b1", "metadata": {},
                       "outputs": [], "source": [
                           "import ipywidgets as w\n", "label = w.Label('0')\n",
                           "button = w.Button(description='Go')\n",
                           "button.on_click(lambda b: setattr(label, 'value', "
                           "str(int(label.value) + 1)))\n", "w.VBox([button, label])"]},
                      # As the questionnaire does: say "saving", write the draft, then show it
                      # saved: two replies a few milliseconds apart.
                      {"cell_type": "code", "execution_count": None, "id": "b2", "metadata": {},
                       "outputs": [], "source": [
                           "import time\n", "status = w.Label('saved 0')\n",
                           "save = w.Button(description='Save')\n", "def on_save(b):\n",
                           "    n = int(status.value.split()[-1]) + 1\n",
                           "    status.value = 'saving'\n", "    time.sleep(0.005)\n",
                           "    status.value = f'saved {n}'\n", "save.on_click(on_save)\n",
                           "w.VBox([save, status])"]}],
            "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                        "name": "python3"}},
            "nbformat": 4, "nbformat_minor": 5}

# One click on the n-th button, timed in the page: resolves with the milliseconds until the
# n-th label shows a new text that is not "saving" (the second button's final reply).
CLICK = """(n) => new Promise((resolve, reject) => {
  const label = () => document.querySelectorAll('.widget-label')[n];
  const before = label().textContent;
  const observer = new MutationObserver(() => {
    const now = label();
    if (now && now.textContent !== before && now.textContent !== 'saving') {
      observer.disconnect(); resolve(performance.now() - t0);
    }
  });
  observer.observe(document.body, {childList: true, subtree: true, characterData: true});
  setTimeout(() => { observer.disconnect(); reject(new Error('no reply in 10 s')); }, 10000);
  const t0 = performance.now();
  document.querySelectorAll('.widget-button')[n].click();
})"""


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def start(cmd: list[str], env: dict, port: int, logfile: Path) -> subprocess.Popen:
    """Start a server and wait until it has rendered the button notebook once."""
    return start_server(cmd, f"http://127.0.0.1:{port}/voila/render/button.ipynb", log=logfile,
                        env=env, cwd=ROOT, timeout=300, request_timeout=60)


def main() -> int:
    from playwright.sync_api import sync_playwright

    from focuskit.serving import voila_command, write_template

    ap = argparse.ArgumentParser()
    ap.add_argument("--clicks", type=int, default=100, help="clicks per server (default 100)")
    ap.add_argument("--block", type=int, default=10, help="clicks in a row on one server")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-roundtrip-"))
    nbdir = work / "notebooks"
    nbdir.mkdir()
    (nbdir / "button.ipynb").write_text(json.dumps(NOTEBOOK))
    write_template(work / "jupyter")
    plain_port, ours_port, nagle_port = free_port(), free_port(), free_port()
    # The launcher with NoDelayKernelWebsocket.open put back to Voila's own (Nagle on).
    nagle = voila_command(nbdir, nagle_port, "127.0.0.1", door="staff")
    i = nagle.index("-m")
    nagle[i:i + 2] = ["-c", "import sys; from focuskit.serving import voila_main as v; "
                      "v.NoDelayKernelWebsocket.open = v.VoilaKernelWebsocketHandler.open; "
                      "sys.argv[0] = 'voila'; sys.exit(v.main())"]
    servers = {
        "plain `python -m voila`": ([sys.executable, "-m", "voila", str(nbdir), "--no-browser",
                                     f"--port={plain_port}"], {}, plain_port),
        "focuskit serve's Voila": (voila_command(nbdir, ours_port, "127.0.0.1", door="staff"),
                                   {"JUPYTER_PATH": str(work / "jupyter")}, ours_port),
        "same, TCP_NODELAY line undone": (nagle, {"JUPYTER_PATH": str(work / "jupyter")},
                                          nagle_port),
    }
    procs = []
    try:
        for name, (cmd, env, port) in servers.items():
            log(f"starting {name} on {port}")
            procs.append(start(cmd, env, port, work / f"{port}.log"))
        times: dict[str, list[float]] = {name: [] for name in servers}
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
            pages = {}
            for name, (_, _, port) in servers.items():
                page = browser.new_page()
                page.goto(f"http://127.0.0.1:{port}/voila/render/button.ipynb",
                          wait_until="domcontentloaded", timeout=180_000)
                page.locator(".widget-button").nth(1).wait_for(timeout=180_000)
                for _ in range(5):  # warm up: first messages load code on both sides
                    page.evaluate(CLICK, 0)
                    page.evaluate(CLICK, 1)
                pages[name] = page
            while min(len(t) for t in times.values()) < 2 * args.clicks:
                for name, page in pages.items():
                    for _ in range(args.block):
                        for n in (0, 1):
                            times[name].append(page.evaluate(CLICK, n))
                            time.sleep(0.05)  # a person does not click 20 times a second
            browser.close()
    finally:
        for proc in procs:
            stop_server(proc, 30)

    print(f"Widget round-trip, click to the kernel's reply on the page ({args.clicks} clicks "
          f"per row, interleaved in blocks of {args.block}; {os.cpu_count()} cores)\n")
    print("| reply | server | median (ms) | p90 (ms) | min (ms) | median vs plain |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for n, what in ((0, "one update"), (1, "two updates 5 ms apart")):
        rows = {name: sorted(t[n::2][:args.clicks]) for name, t in times.items()}
        base = statistics.median(rows["plain `python -m voila`"])
        for name, t in rows.items():
            p90 = t[int(0.9 * (len(t) - 1))]
            print(f"| {what} | {name} | {statistics.median(t):.1f} | {p90:.1f} | {t[0]:.1f} | "
                  f"{statistics.median(t) / base:.2f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
