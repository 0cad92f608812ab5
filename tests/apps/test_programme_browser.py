"""The programme page in Chromium: served by ``focuskit serve`` on the staff door (its kernel
kept ready), it shows a card per lens, what changed since the last wave with its plot, the
actions with their "did it work" lines, and an admin adds an action through the register.

The demo's second waves are made with the Store API (``focuskit.demo.seed_store``); the
second test makes a wave on the admin page and answers it through its link."""


import re
from datetime import UTC, datetime, timedelta

import pytest
from conftest import ARTIFACTS
from playwright.sync_api import expect
from respondent import Respondent

import focuskit.analysis
from focuskit import Store
from focuskit.demo import seed_store
from focuskit.instruments import load_instrument

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
        expect(page.locator(".fk-standing .fk-lens")).to_have_count(6)
        expect(lens.locator(".fk-head")).to_contain_text("place the organisation")
        expect(lens.locator("a.fk-go")).to_have_attribute(
            "href", "results.ipynb?campaign=demo-focus-levels-w2")
        expect(page).to_have_title("Programme: Alder Valley Utilities")
        expect(page.locator(".fk-fresh")).to_contain_text("respondents")
        # What changed: a plot with its alt text, beside the findings.
        changed = page.locator(".fk-prog-changed img.fk-plot")
        broken = page.locator(".jupyter-widgets-error-widget")
        expect(changed.or_(broken).first).to_be_visible()
        if broken.first.is_visible():
            # Voila's widget manager now and then fails to build one widget of a page as it
            # loads ("Click to show javascript error"; voila-dashboards/voila#1483). CI saw it
            # once on this chart, in about fifteen loads of this page; a visitor reloads.
            page.reload(wait_until="domcontentloaded")
            expect(lens).to_have_count(1, timeout=FIRST)
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

        # A lens card leads to its campaign's dashboard, on the wave it reads.
        page.set_viewport_size({"width": 1280, "height": 900})
        href = lens.locator("a.fk-go").get_attribute("href")
        page.goto(served.staff_url(f"voila/render/{href}"), wait_until="domcontentloaded")
        expect(page.locator(".fk-dash h1")).to_contain_text("a year on", timeout=FIRST)
    finally:
        page.close()


def test_a_wave_made_on_the_admin_page_and_answered_shows_on_the_programme_page(
        chromium, voila_server, tmp_path):
    """An admin starts the next wave on the admin page; three leaders answer it through its
    link; the programme page shows what changed and whether the action worked."""
    url = f"sqlite:///{tmp_path / 'wave.db'}"
    year_ago = datetime.now(UTC) - timedelta(days=365)
    with Store(url) as store:
        camp = store.create_campaign("leaders-2026", "Leaders, 2026", "focus-levels",
                                     rater_groups=["self"], min_group_size=3,
                                     organisation="Alder Valley Utilities")
        store.submit_many(camp.id, [dict(
            answers={i.id: {"level": 2 + (k + n) % 2} for n, i in
                     enumerate(camp.instrument.items)},
            rater_group="self", respondent=f"leader-{k}", idempotency_key=f"w1-{k}")
            for k in range(4)], at=year_ago)
        store.create_programme("alder-valley", "Alder Valley", organisation="Alder Valley "
                               "Utilities")
        store.add_to_programme("alder-valley", camp.id)
        store.add_action(camp.id, "Visit ten customers a quarter", item="contact",
                         owner="Sam", due=(year_ago + timedelta(days=120)).date())
        store.set_status(camp.id, "closed")
    served = voila_server(env={"FOCUSKIT_DB_URL": url}, args=("--preheat=0",))
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(served.staff_url("voila/render/admin.ipynb"), wait_until="domcontentloaded")
        page.locator(".fk-picker select").select_option(label="Leaders, 2026 (leaders-2026)",
                                                        timeout=FIRST)
        page.locator("button.fk-new-wave").click()
        dialog = page.locator(".fk-wave-dialog")
        dialog.locator(".fk-wave-title input").fill("Leaders, 2027")
        dialog.locator("button.fk-create-wave").click()
        expect(dialog.get_by_text("Created: leaders-2026-w2")).to_be_visible()
        link = dialog.locator(".fk-link input")
        expect(link).to_have_count(1)  # one rater group: the leaders
        expect(link).to_have_value(re.compile(r"campaign=leaders-2026-w2"))
        wave_link = link.input_value()
    finally:
        page.close()

    inst = load_instrument("focus-levels")
    for k in range(3):  # a browser each: a shared link takes one answer per browser
        context = chromium.new_context(viewport={"width": 390, "height": 844})
        tab = context.new_page()
        try:
            r = Respondent(tab, inst, 390)
            r.open(wave_link)
            for n, section in enumerate(inst.sections):
                r.wait_heading(section.title)
                for item in r.items_shown():  # a level higher than last year, or two
                    r.click(item, "level", 3 + (k + n) % 2)
                r.button("Next" if n < len(inst.sections) - 1 else "Submit answers").click()
            tab.get_by_role("heading", name="Thank you").wait_for(timeout=FIRST)
        finally:
            context.close()
    with Store(url) as store:
        assert store.counts("leaders-2026-w2")["submissions"] == 3

    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(served.staff_url("voila/render/programme.ipynb?programme=alder-valley"),
                  wait_until="domcontentloaded")
        expect(page.locator(".fk-lens-focus-levels")).to_have_count(1, timeout=FIRST)
        expect(page.locator(".fk-lens-focus-levels")).to_contain_text("wave 2 of 2")
        expect(page.locator(".fk-trend-focus-levels")).to_have_count(1)
        expect(page.locator(".fk-prog-changed img.fk-plot")).to_have_count(1)
        effect = page.locator(".fk-act", has_text="Visit ten customers a quarter")
        expect(effect).to_have_count(1)
        expect(effect.locator(".fk-act-e")).to_contain_text("Did it work?")
        expect(effect).to_contain_text("Overdue")  # due long ago, still open
        page.screenshot(path=str(ARTIFACTS / "programme-new-wave-1280.png"))
    finally:
        page.close()
