"""A workshop burst: 30 respondents open the join link within 10 seconds.

``focuskit serve`` runs on a temporary demo store. First one respondent opens the link alone on
the idle server (the baseline, measured in the same run); then 30 fresh browser contexts open
the same shared link, one every 10/30 s. For each: the time from navigating until the first
question's choices are visible. Then, with all 30 pages open, the memory per session: the
unique (USS) and resident (RSS) memory of each page's kernel, and how much the Voila server
process grew.

Run twice: with the default pool (2 preheated kernels) and with a pool sized for the room
(``--preheat 10``), which is what docs/workshop.md advises for a workshop.

    .venv/bin/python benchmarks/bench_burst.py [--people 30] [--within 10]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import psutil
from bench_questionnaire import CHROMIUM, FLAGS, Server, say

from focuskit.testing import free_port

FIRST = ".fk-item .widget-radio-box label"


async def open_link(browser, url: str, delay: float) -> tuple[float, str | None]:
    """Wait ``delay`` s, open ``url`` in a fresh context; seconds to the first question."""
    await asyncio.sleep(delay)
    context = await browser.new_context(viewport={"width": 390, "height": 844})
    page = await context.new_page()
    start = time.perf_counter()
    try:
        await page.goto(url, wait_until="commit", timeout=300_000)
        await page.locator(FIRST).first.wait_for(timeout=300_000)
        return time.perf_counter() - start, None
    except Exception as e:  # a busy page or a timeout: counted, not hidden
        return time.perf_counter() - start, type(e).__name__


async def fetch_page(url: str, delay: float, limit: float = 120) -> tuple[float, str | None]:
    """The server's share alone: seconds until Voila has sent the whole page, i.e. run every
    cell for it (a preheated kernel gets the link; a cold one starts and runs both)."""
    import threading
    import urllib.request

    await asyncio.sleep(delay)
    start = time.perf_counter()
    box: dict = {}

    def get():
        try:
            with urllib.request.urlopen(url, timeout=limit) as r:
                body = r.read()
            if b"application/vnd.jupyter.widget-view+json" not in body:
                box["error"] = "no questionnaire in the page"
        except Exception as e:
            box["error"] = type(e).__name__
        box["done"] = time.perf_counter() - start

    # A daemon thread: Voila keeps a stalled page open with heartbeats, and a thread of
    # asyncio's own pool would hold the benchmark at exit.
    threading.Thread(target=get, daemon=True).start()
    while "done" not in box and time.perf_counter() - start < limit:
        await asyncio.sleep(0.05)
    if "done" not in box:
        return time.perf_counter() - start, f"no complete page within {limit:.0f} s"
    return box["done"], box.get("error")


def kernel_memory(server: Server) -> list[tuple[float, float]]:
    out = []
    for k in server.kernels():
        info = k.memory_full_info()
        out.append((info.uss / 2**20, info.rss / 2**20))
    return out


def profiler(server: Server, out: Path | None, seconds: float):
    """``py-spy record`` of the respondent door's Voila and its kernels for ``seconds``, in
    py-spy's raw (collapsed stacks) format: what the burst spends its time on."""
    if out is None:
        return None
    import shutil
    import subprocess

    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    door = next(c for c in psutil.Process(server.proc.pid).children(recursive=True)
                if "door=respondent" in " ".join(c.cmdline()))
    return subprocess.Popen([spy, "record", "-p", str(door.pid), "--subprocesses", "-r", "50",
                             "-d", str(int(seconds)), "-f", "raw", "-o", str(out),
                             "--nonblocking"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def run(db: str, tmp: Path, preheat: int, people: int, within: float, mode: str,
        query: str, profile: Path | None = None) -> dict:
    port = free_port()
    server = Server([sys.executable, "-m", "focuskit.cli", "serve", f"--port={port}",
                     f"--staff-port={free_port()}", f"--preheat={preheat}", "--staff-preheat=0",
                     f"--max-kernels={people + preheat + 5}",
                     # One address for the whole room, and in "http" mode no page ever
                     # connects its kernel: the per-client cap would refuse all but three.
                     "--per-client-kernels=0"],
                    {"FOCUSKIT_DB_URL": db, "FOCUSKIT_TOKEN": "bench-token-of-the-burst"},
                    tmp / f"serve-{mode}-{preheat}.log", port)
    url = f"http://127.0.0.1:{port}/voila/render/take_assessment.ipynb?{query}"
    try:
        server.settle(preheat)
        voila = psutil.Process(server.proc.pid)
        voila_procs = [voila, *[c for c in voila.children(recursive=True)
                                if "ipykernel_launcher" not in " ".join(c.cmdline())]]
        before = sum(p.memory_info().rss for p in voila_procs) / 2**20
        kernels_before = len(server.kernels())

        async def in_browsers():
            from playwright.async_api import async_playwright

            async with async_playwright() as pw:
                browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS,
                                                   headless=True)
                solo, err = await open_link(browser, url, 0)
                if err:
                    raise RuntimeError(f"the solo visit failed: {err}")
                for ctx in browser.contexts:
                    await ctx.close()
                server.settle(preheat)
                spy = profiler(server, profile and profile / f"burst-{mode}-{preheat}.txt",
                               within + 30)
                results = await asyncio.gather(*(open_link(browser, url, i * within / people)
                                                 for i in range(people)))
                if spy is not None:
                    spy.wait()
                mem = kernel_memory(server)  # while all the pages are still open
                after = sum(p.memory_info().rss for p in voila_procs) / 2**20
                await browser.close()
                return solo, results, mem, after

        async def over_http():
            solo, err = await fetch_page(url, 0)
            if err:
                raise RuntimeError(f"the solo visit failed: {err}")
            server.settle(preheat)
            spy = profiler(server, profile and profile / f"burst-{mode}-{preheat}.txt",
                           within + 30)
            results = await asyncio.gather(*(fetch_page(url, i * within / people)
                                             for i in range(people)))
            if spy is not None:
                spy.wait()
            return (solo, results, kernel_memory(server),
                    sum(p.memory_info().rss for p in voila_procs) / 2**20)

        go = in_browsers if mode == "browser" else over_http
        solo, results, mem, after = asyncio.run(go())
    finally:
        server.stop()
    times = sorted(t for t, err in results if err is None)
    failed = [err for _, err in results if err]
    q = statistics.quantiles(times, n=20, method="inclusive") if len(times) > 1 else times * 19
    return dict(preheat=preheat, solo=solo, p50=statistics.median(times), p95=q[18],
                worst=max(times), failed=failed, kernels=len(mem) - kernels_before,
                uss=statistics.median(m[0] for m in mem), rss=statistics.median(m[1] for m in mem),
                server_growth=(after - before) / people, people=people, mode=mode)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--people", type=int, default=30)
    ap.add_argument("--within", type=float, default=10.0, help="seconds over which they arrive")
    ap.add_argument("--modes", nargs="+", default=["http", "browser"], choices=["http", "browser"])
    ap.add_argument("--pools", nargs="+", type=int, default=[2, 10])
    ap.add_argument("--profile", type=Path, help="a folder: py-spy records the respondent "
                    "door and its kernels during each burst (pip install py-spy)")
    args = ap.parse_args(argv)
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    from focuskit import Store
    from focuskit.demo import seed_store
    from focuskit.links import make_link

    tmp = Path(tempfile.mkdtemp(prefix="focuskit-bench-burst-"))
    db = f"sqlite:///{tmp / 'demo.db'}"
    with Store(db) as store:
        seed_store(store)
        # The room's shared link, signed as the board hands it out (an unsigned one gets the
        # "this link does not work" page, which is quicker to make than the questionnaire).
        query = make_link("", "demo-focus-levels", "self",
                          secret=store.link_secret()).lstrip("?")
    rows = []
    for mode in args.modes:
        for preheat in args.pools:
            say(f"burst of {args.people} ({mode}) with --preheat {preheat}...")
            rows.append(run(db, tmp, preheat, args.people, args.within, mode, query,
                             args.profile))
            say(rows[-1])
    print(f"\n{args.people} respondents open the shared link within {args.within:.0f} s; load "
          f"average {psutil.getloadavg()[0]:.1f} at the end. \"browser\": fresh Chromium contexts "
          "(390 x 844) until the first question's choices are visible, all on this machine; "
          "\"http\": until Voila has sent the whole page (every cell run), the server's share.\n")
    print("| measured | pool | alone (s) | burst p50 (s) | burst p95 (s) | worst (s) | p50 / alone "
          "| failed | kernel USS per session (MB) | kernel RSS (MB) | server growth per session (MB) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['mode']} | --preheat {r['preheat']} | {r['solo']:.2f} | {r['p50']:.2f} | "
              f"{r['p95']:.2f} | {r['worst']:.2f} | {r['p50'] / r['solo']:.1f} | "
              f"{len(r['failed'])} | {r['uss']:.1f} | {r['rss']:.1f} | {r['server_growth']:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
