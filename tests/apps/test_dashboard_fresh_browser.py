"""Fresh numbers in Chromium: a dashboard kernel prepared ahead reads the store when its
visitor arrives, and Refresh reads it again; the page says up to when and how many."""

import time

import pytest
from conftest import ARTIFACTS
from playwright.sync_api import expect

from focuskit import Store
from focuskit.demo import seed_store

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _add_leaders(store, first: int, n: int = 5):
    """n more leaders on demo-focus-levels (a batch of k: the figures may then move)."""
    items = [i.id for i in store.campaign("demo-focus-levels").instrument.items]
    for k in range(first, first + n):
        store.submit("demo-focus-levels", {i: {"level": 3} for i in items},
                     rater_group="self", segment="Leadership team", respondent=f"late-{k}")
    return store.responses("demo-focus-levels")["submitted_at"].max()


def _wait_for(path, text, timeout=180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in path.read_text(errors="replace"):
            return
        time.sleep(0.5)
    raise AssertionError(f"{text!r} not in {path} within {timeout} s")


def test_new_answers_reach_a_prepared_kernel_and_refresh(chromium, voila_server, tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    with Store(url) as store:
        seed_store(store)
    served = voila_server(env={"FOCUSKIT_DB_URL": url, "FOCUSKIT_LOG_LEVEL": "INFO"})
    # The staff door's kernel has read the 60 answers and waits for a visitor...
    _wait_for(served.log, "waiting for its visitor")
    with Store(url) as store:  # ... when 5 more leaders answer.
        latest = _add_leaders(store, 1)
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(served.staff_url("voila/render/results.ipynb"), wait_until="domcontentloaded")
        fresh = page.locator(".fk-fresh p")
        expect(fresh).to_have_text(f"Answers up to {latest:%H:%M} UTC, 65 respondents",
                                   timeout=180_000)
        expect(page.locator(".fk-card", has_text="Respondents").locator(".v")).to_have_text(
            "65")
        with Store(url) as store:
            latest = _add_leaders(store, 6)
        page.locator(".fk-refresh").click()
        expect(fresh).to_have_text(f"Answers up to {latest:%H:%M} UTC, 70 respondents")
        expect(page.locator(".fk-card", has_text="Respondents").locator(".v")).to_have_text(
            "70")
        page.screenshot(path=str(ARTIFACTS / "dashboard-fresh-laptop.png"))
    finally:
        page.close()
