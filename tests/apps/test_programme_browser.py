"""The programme page in Chromium: served by ``focuskit serve`` on the staff door (its kernel
kept ready), it shows a card per lens, what changed since the last wave with its plot, the
actions with their "did it work" lines, and an admin adds an action through the register.

The demo programme's second wave is made with the Store API (``focuskit.demo.seed_store``
calls ``Store.create_wave`` and submits its answers), not through the admin page."""


import pytest
from conftest import ARTIFACTS
from playwright.sync_api import expect

import focuskit.analysis
from focuskit import Store
from focuskit.demo import seed_store

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              # what changed and "did it work" need the trend helper's analysis
              pytest.mark.skipif(not hasattr(focuskit.analysis, "action_effects"),
                                 reason="focuskit.analysis.action_effects is not here yet")]

PROG = "demo-alder-valley"
FIRST = 240_000  # ms: the kept kernel computes the summary before its visitor comes


def test_the_programme_page_shows_lenses_trend_and_whether_actions_worked(
        chromium, voila_server, tmp_path):
    url = f"sqlite:///{tmp_path / 'programme.db'}"
    with Store(url) as store:
        seed_store(store)  # six campaigns in two waves a year apart, actions on wave 1
    served = voila_server(env={"FOCUSKIT_DB_URL": url}, args=("--preheat=0",))
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(served.staff_url(f"voila/render/programme.ipynb?programme={PROG}"),
                  wait_until="domcontentloaded")
        lens = page.locator(".fk-lens-focus-levels")
        expect(lens).to_have_count(1, timeout=FIRST)
        expect(page.locator(".fk-lens")).to_have_count(6)
        expect(lens.locator(".fk-head")).to_contain_text("place the organisation")
        expect(lens.locator("a.fk-go")).to_have_attribute(
            "href", "results.ipynb?campaign=demo-focus-levels-w2")
        expect(page).to_have_title("Programme: Alder Valley Utilities")
        expect(page.locator(".fk-fresh")).to_contain_text("respondents")
        # What changed: a plot with its alt text, beside the findings.
        changed = page.locator(".fk-prog-changed img.fk-plot")
        expect(changed.first).to_be_visible()
        expect(changed.first).not_to_have_attribute("alt", "")
        # Each wave-1 action says whether it worked.
        worked = page.locator(".fk-act-e")
        expect(worked.first).to_contain_text("Did it work?")
        page.screenshot(path=str(ARTIFACTS / "programme-1280.png"))

        # An admin adds an action through the register; it is listed, in the store.
        page.locator(".fk-acts-title input").fill("Call every lost customer within a week")
        page.locator(".fk-acts-owner input").fill("Ana Ruiz")
        page.locator(".fk-acts-save").click()
        row = page.locator(".fk-act", has_text="Call every lost customer within a week")
        expect(row).to_have_count(1)
        expect(row).to_contain_text("owner: Ana Ruiz")
        with Store(url) as store:
            titles = [a["title"] for a in store.programme_actions(PROG)]
        assert "Call every lost customer within a week" in titles

        page.set_viewport_size({"width": 390, "height": 844})
        expect(lens).to_be_visible()
        # Nothing wider than the phone: the page never scrolls sideways.
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= 390, f"the page is {wide} px wide at 390"
        page.screenshot(path=str(ARTIFACTS / "programme-390.png"))
    finally:
        page.close()
