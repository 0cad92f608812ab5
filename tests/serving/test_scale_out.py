"""Scale-out through a real nginx: two ``focuskit serve`` instances on one PostgreSQL database
behind the configuration docs/deploy.md quotes (docs/nginx/focuskit.conf, run here as it is,
with free ports in place of its own), and 30 respondents through it.

Kept light so it runs in parallel with the rest and well within two minutes on two busy cores:

- 2 respondents answer in Chromium through nginx, the whole way: page, widgets over the
  proxied websocket (which works only if the route cookie keeps each browser on one server),
  submit, "Thank you"; one of them clicks Submit twice.
- 28 respondents each open their own signed link through nginx, and the page comes back
  rendered by one of the servers (their link checked there, their questionnaire in the page);
  then each submits through the same signed link with the questionnaire's own state model and
  store saver, which is what the page's kernel runs when Submit is clicked, without the
  widgets. Several submit twice (a retry).

Then: every respondent stored exactly once, both servers rendered pages, and the landing page
on each staff door, in Chromium, counts all 30.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import ROOT, signed_link, start_serve, stop_serve
from respondent import FIRST, STEP, Respondent

from focuskit import Store, load_instrument
from focuskit.apps.questionnaire.session import open_questionnaire, stored_answers
from focuskit.apps.questionnaire.view import choices
from focuskit.links import parse_link
from focuskit.testing import free_port

pytestmark = [pytest.mark.postgres, pytest.mark.browser, pytest.mark.slow]

CONF = ROOT / "docs" / "nginx" / "focuskit.conf"
CAMPAIGN, TITLE = "scale-out", "Through the proxy"
PEOPLE, IN_BROWSER = 30, 2
PAGE = "voila/render/take_assessment.ipynb?"


def nginx_binary() -> str:
    exe = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if exe is None:
        if os.environ.get("CI") == "true":
            pytest.fail("the scale-out test must run under CI, but nginx is missing (make proxy)")
        pytest.skip("nginx is missing (make proxy installs Debian's where we are root)")
    return exe


def nginx_config(work: Path, ports: dict[int, int]) -> Path:
    """docs/nginx/focuskit.conf with ``ports`` swapped in, inside a main config of its own
    (its own pid, logs and temp folders; one process, so no root and no user switch)."""
    text = CONF.read_text(encoding="utf-8")
    for documented, free in ports.items():
        text, n = re.subn(rf"(?<![0-9]){documented}(?![0-9])", str(free), text)
        assert n, f"{documented} is not in {CONF}"
    (work / "focuskit.conf").write_text(text, encoding="utf-8")
    temps = "\n".join(f"    {kind}_temp_path {work / kind};"
                      for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    main = work / "nginx.conf"
    main.write_text(f"""daemon off;
master_process off;
pid {work / 'nginx.pid'};
error_log {work / 'error.log'} warn;
events {{ worker_connections 256; }}
http {{
    access_log {work / 'access.log'};
{temps}
    include {work / 'focuskit.conf'};
}}
""", encoding="utf-8")
    return main


def wait_answers(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).close()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {timeout} s")


def fill(q, rng) -> dict:
    """Answer every question of a Questionnaire state as a person would, page by page."""
    given: dict = {}
    for page in range(q.page_count):
        q.go_to(page)
        for item in q.section.items:
            for facet in item.facets:
                options = choices(q.instrument, item, facet)[0]
                value = options[rng.randrange(len(options))][1]
                q.answer(item.id, facet, value)
                given.setdefault(item.id, {})[facet] = value
    return given


def test_thirty_respondents_through_nginx_on_two_servers(chromium, pg_schema_url, tmp_path):
    exe = nginx_binary()
    inst = load_instrument("external-focus")
    with Store(pg_schema_url) as store:
        store.create_campaign(CAMPAIGN, TITLE, inst.id, organisation="Alder Valley (fictional)",
                              rater_groups=["self"], min_group_size=3)
    env = {"FOCUSKIT_DB_URL": pg_schema_url}
    procs: list = []
    nginx = None
    try:
        args = ("--preheat=2", "--staff-preheat=0", "--trusted-proxy=127.0.0.1",
                # every request comes from 127.0.0.1, and 28 pages never connect their kernel
                "--per-client-kernels=0")
        servers = [start_serve(procs, env=env, args=args) for _ in range(2)]
        front, staff_front = free_port(), free_port()
        port = [int(s.rstrip("/").rsplit(":", 1)[1]) for s in servers]
        staff = [int(s.staff.rstrip("/").rsplit(":", 1)[1]) for s in servers]
        conf = nginx_config(tmp_path, {8080: front, 8081: staff_front, 8866: port[0],
                                       8867: staff[0], 8966: port[1], 8967: staff[1]})
        nginx = subprocess.Popen([exe, "-c", str(conf), "-e", str(tmp_path / "error.log")],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{front}/"
        wait_answers(base)

        with Store(pg_schema_url) as store:
            links = [signed_link(store, CAMPAIGN, "self", visit=True) for _ in range(PEOPLE)]

        def through_http(n: int) -> dict:
            link = links[n]
            with urllib.request.urlopen(base + PAGE + link.query(), timeout=120) as r:
                body = r.read().decode("utf-8", "replace")
                route = " ".join(r.headers.get_all("Set-Cookie") or ())
            assert "application/vnd.jupyter.widget-view+json" in body, f"respondent {n}"
            assert "focuskit_route=" in route
            with Store(pg_schema_url) as store:
                q, who = open_questionnaire(store, parse_link(link.query()))
                given = fill(q, random.Random(n))
                assert q.submit()
                if n % 5 == 0:  # a retry from another kernel: stored once all the same
                    q.saver.submit(q.payload())
            return given

        with ThreadPoolExecutor(max_workers=4) as pool:
            by_http = pool.map(through_http, range(IN_BROWSER, PEOPLE))
            given = {}
            for n in range(IN_BROWSER):  # meanwhile, two people in Chromium, the whole way
                context = chromium.new_context(viewport={"width": 390, "height": 900})
                try:
                    r = Respondent(context.new_page(), inst, 390)
                    r.open(base + PAGE + links[n].query())
                    rng = random.Random(n)
                    for i, section in enumerate(inst.sections):
                        r.wait_heading(section.title)
                        r.answer_page(rng)
                        if i < len(inst.sections) - 1:
                            r.button("Next").click()
                    submit = r.button("Submit answers")
                    submit.dblclick() if n == 0 else submit.click()  # one impatient person
                    r.page.get_by_role("heading", name="Thank you").wait_for(timeout=STEP)
                    given[n] = r.given
                finally:
                    context.close()
            for n, answers in zip(range(IN_BROWSER, PEOPLE), by_http, strict=True):
                given[n] = answers

        with Store(pg_schema_url) as store:
            assert store.counts(CAMPAIGN)["submissions"] == PEOPLE
            for n, link in enumerate(links):
                assert stored_answers(store, CAMPAIGN, link.code) == given[n], f"respondent {n}"
        rendered = [s.log.read_text(errors="replace").count("Using pre-heated kernel")
                    + s.log.read_text(errors="replace").count("Kernel started") for s in servers]
        assert all(rendered), f"pages per server: {rendered} (the routes did not spread them)"

        for served in servers:  # each staff door counts all 30, most taken by the other
            context = chromium.new_context()
            try:
                page = context.new_page()
                page.goto(served.staff_url("voila/render/index.ipynb"),
                          wait_until="domcontentloaded", timeout=FIRST)
                card = page.locator(".fk-card", has_text=TITLE)
                card.wait_for(timeout=FIRST)
                assert f"{PEOPLE} responses" in card.inner_text()
            finally:
                context.close()
    finally:
        if nginx is not None:
            nginx.terminate()
            nginx.wait(10)
        stop_serve(procs)


def test_the_deploy_guide_quotes_the_tested_configuration():
    guide = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```nginx\n(.*?)```", guide, re.S)
    assert CONF.read_text(encoding="utf-8") in blocks
