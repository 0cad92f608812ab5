"""The executive's flow through `focuskit serve` in Chromium: open the dashboard, wait for the
first plot, open every tab (each checked by axe-core and printed on A4 and Letter), change a
filter and see the plot redrawn, download the answers; and the dashboard on a 390 px phone."""

import base64

import pytest
from axe import check_page
from conftest import ARTIFACTS
from paper import check_print
from playwright.sync_api import expect

from focuskit.apps.dashboard.tabs import TABS
from focuskit.ui.downloads import pdf_maker

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PLOT = "img.fk-plot"


def _open(chromium, served, width):
    page = chromium.new_page(viewport={"width": width, "height": 900}, accept_downloads=True)
    # The dashboards are on `focuskit serve`'s staff door, behind its token.
    page.goto(served.staff_url("voila/render/results.ipynb"), wait_until="domcontentloaded")
    page.locator(PLOT).first.wait_for(timeout=120_000)
    return page


def _src(page) -> str:
    return page.locator(PLOT).first.get_attribute("src") or ""


def _tabs_of(campaign):
    from focuskit.apps.dashboard.tabs import ALWAYS
    from focuskit.findings import sections

    return [t for t in TABS if t.key in (*sections(campaign), *ALWAYS)]


def _open_every_tab(page, tabs, name):
    for tab in tabs:
        page.locator(f".fk-tab-{tab.key}").click()
        page.wait_for_function(
            "k => document.querySelector('.fk-tab-' + k).classList.contains('mod-primary')",
            arg=tab.key, timeout=60_000)
        page.get_by_text(tab.read[:40]).wait_for(timeout=60_000)
        if tab.key == "next":
            page.get_by_text("Three things to do first").wait_for(timeout=60_000)
        elif tab.key == "actions":  # the register: every wave's actions, overdue first
            expect(page.locator(".fk-acts-sum")).to_have_count(1, timeout=60_000)
        else:
            page.locator(PLOT).first.wait_for(timeout=60_000)
        page.screenshot(path=str(ARTIFACTS / f"dashboard-{name}-{tab.key}-laptop.png"),
                        full_page=True)
        # WCAG 2.2 AA by axe-core: no serious or critical violation on any tab, and Ctrl+P
        # prints the open tab whole on A4 and Letter portrait (issue 11).
        check_page(page, f"dashboard-{name}-{tab.key}")
        check_print(page, f"dashboard-{name}-{tab.key}")


def test_executive_flow(chromium, voila_server):
    page = _open(chromium, voila_server(), 1280)
    try:
        expect(page.get_by_text("Traceback")).to_have_count(0)
        # The browser tab names the page and the campaign, not the notebook "results".
        expect(page).to_have_title("Dashboard: Where we stand: eight dimensions of customer focus")
        expect(page.get_by_text("Where our own people disagree most")).to_be_visible()
        expect(page.locator(".fk-fresh p")).to_contain_text("respondents")
        page.screenshot(path=str(ARTIFACTS / "dashboard-overview-laptop.png"))
        # Only the tabs this campaign supports: nothing greyed, nothing "open another".
        tabs = _tabs_of("focus-levels")
        expect(page.locator(".fk-tabbar button")).to_have_count(len(tabs))
        _open_every_tab(page, tabs, "levels")
        expect(page.get_by_text("Open a ")).to_have_count(0)
        # The demo's second wave: the Levels tab shows what changed when asked (issue 12).
        _show_the_trend(page, "laptop")
        # A filter re-runs the analysis and redraws the open tab.
        page.locator(".fk-tab-levels").click()
        page.locator(PLOT).first.wait_for(timeout=60_000)
        before = _src(page)
        page.locator(".fk-ctl select").nth(1).select_option("Residential")
        page.wait_for_function(
            "s => { const i = document.querySelector('img.fk-plot'); return i && i.src !== s }",
            arg=before, timeout=60_000)
        # ... and then the cards: 18 residential customers.
        page.locator(".fk-card", has_text="customers 18").wait_for(timeout=60_000)
        # The CSV download is the dashboard's tables, not the answers (made when opened).
        page.locator(".fk-open-dl").click()
        link = page.locator("a.fk-dl", has_text="CSV")
        link.wait_for(timeout=60_000)
        with page.expect_download() as dl:
            link.click()
        data = open(dl.value.path(), "rb").read()
        assert data.startswith(b"table,") and b"respondent" not in data.split(b"\r\n")[0]
        assert dl.value.suggested_filename == "demo-focus-levels-tables.csv"
        pdf = page.locator(".fk-pdf button, button.fk-pdf").first
        if pdf_maker() is None:
            expect(pdf).to_be_disabled()
        else:
            pdf.click()
            got = page.locator("a.fk-dl", has_text="PDF")
            got.wait_for(timeout=120_000)
            href = got.get_attribute("href")
            assert base64.b64decode(href.split(",", 1)[1]).startswith(b"%PDF")
    finally:
        page.close()


def _show_the_trend(page, name):
    page.locator(".fk-tab-levels").click()
    page.locator(PLOT).first.wait_for(timeout=60_000)
    page.locator(".fk-trend-switch").click()
    expect(page.locator(".fk-trend h4", has_text="What changed over 2 waves")).to_have_count(
        1, timeout=60_000)
    # "then and now", and one dimension over the waves
    expect(page.locator(".fk-trend img.fk-plot")).to_have_count(2, timeout=60_000)
    page.locator(".fk-trend").screenshot(path=str(ARTIFACTS / f"dashboard-trend-{name}.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size[
        "width"] + 1


def _box(page, selector):
    return page.locator(selector).first.bounding_box()


def test_phone_width_keeps_every_tab_reachable(chromium, voila_server):
    page = _open(chromium, voila_server(), 390)
    try:
        page.set_viewport_size({"width": 390, "height": 844})  # a 390 x 844 phone
        assert page.evaluate("document.documentElement.scrollWidth") <= 391
        # The first plot starts on the first screen; cards and the campaign picker fit.
        assert _box(page, PLOT)["y"] < 844 - 100, _box(page, PLOT)
        cards = page.locator(".fk-card")
        expect(cards.first).to_be_visible()
        edge = _box(page, ".fk-ctl")  # the page's content edge: nothing reaches past it
        right = edge["x"] + edge["width"] + 1
        for i in range(cards.count()):
            box = cards.nth(i).bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= right, box
        picker = _box(page, ".fk-ctl select")
        assert picker["x"] >= 0 and picker["x"] + picker["width"] <= right, picker
        for tab in _tabs_of("focus-levels"):  # every tab button is on screen (they wrap)
            box = page.locator(f".fk-tab-{tab.key}").bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 391, tab.key
        page.screenshot(path=str(ARTIFACTS / "dashboard-overview-phone.png"))
        page.locator(".fk-tab-outside").click()
        page.get_by_text(TABS[2].read[:40]).wait_for(timeout=60_000)
        page.locator(PLOT).first.wait_for(timeout=60_000)
        page.set_viewport_size({"width": 390, "height": 1900})  # the whole page in one shot
        page.screenshot(path=str(ARTIFACTS / "dashboard-outside-phone.png"))
        assert page.evaluate("document.documentElement.scrollWidth") <= 391
        _show_the_trend(page, "phone")
        page.locator(".fk-tab-actions").click()
        expect(page.locator(".fk-acts-sum")).to_have_count(1, timeout=60_000)
        page.screenshot(path=str(ARTIFACTS / "dashboard-actions-phone.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= 391
    finally:
        page.close()


def test_every_tab_of_a_second_campaign(chromium, voila_server):
    """The expectations campaign: its own tabs only, each drawn, each screenshot."""
    page = _open(chromium, voila_server(), 1280)
    try:
        before = _src(page)
        picker = page.locator(".fk-ctl select").first
        label = picker.evaluate("s => [...s.options].map(o => o.text)"
                                ".find(t => t.endsWith('(demo-expectations)'))")
        picker.select_option(label=label)
        page.wait_for_function(
            "s => { const i = document.querySelector('img.fk-plot'); return i && i.src !== s }",
            arg=before, timeout=60_000)
        tabs = _tabs_of("expectations")
        expect(page.locator(".fk-tabbar button")).to_have_count(len(tabs))
        _open_every_tab(page, tabs, "expectations")
        expect(page.get_by_text("Traceback")).to_have_count(0)
    finally:
        page.close()
