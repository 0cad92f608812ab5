"""The staff page through `focuskit serve` in Chromium: create a campaign by clicking, make
its links, import a small CSV through the real upload control, import it again, gather a
campaign into a programme and start its next wave, and check that the page fits a laptop and
a 390 px phone."""

from __future__ import annotations

import re
import urllib.error
import urllib.request

import pytest
from axe import check_page
from conftest import ARTIFACTS
from playwright.sync_api import expect
from test_admin import answers_csv

from focuskit import Store

pytestmark = [pytest.mark.browser, pytest.mark.slow]
WAIT = 120_000


def _admin_url(voila_server, env) -> tuple[str, str]:
    """The staff door's admin page (with its token), and the respondents' door."""
    served = voila_server(env)
    return served.staff_url("voila/render/admin.ipynb"), str(served)


def _refused(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=30):
            return False
    except urllib.error.HTTPError as e:
        return e.code in (401, 403, 404)


def test_staff_flow(chromium, voila_server, tmp_path):
    db = f"sqlite:///{tmp_path / 'admin.db'}"
    Store(db).close()  # an empty store: everything on the page is made by the test
    url, door = _admin_url(voila_server, {"FOCUSKIT_DB_URL": db})
    # Only staff with the token reach the page: not respondents, not a guess without the key.
    assert _refused(door + "voila/render/admin.ipynb")
    assert _refused(url.split("?")[0])
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(url, wait_until="domcontentloaded")
        page.locator("button.fk-create").wait_for(timeout=WAIT)
        expect(page.get_by_text("No campaigns yet")).to_be_visible()
        expect(page).to_have_title("Staff page: campaigns, links and imports")  # not "admin"
        page.locator(".fk-title input").fill("Browser round")
        page.locator("button.fk-create").dblclick()  # an impatient double click
        page.get_by_text("browser-round, open, asking").wait_for(timeout=WAIT)
        expect(page.get_by_text("Traceback")).to_have_count(0)
        with Store(db) as store:
            assert [c.id for c in store.campaigns()] == ["browser-round"]

        page.locator(".fk-segments textarea").fill("Retail, Wholesale")
        page.locator("button.fk-make-links").click()
        page.locator(".fk-link input").first.wait_for(timeout=WAIT)
        first = page.locator(".fk-link input").first.input_value()
        assert "campaign=browser-round" in first and "segment=Retail&sig=" in first
        assert first.startswith(door + "voila/render/take_assessment.ipynb?")  # respondents' door
        expect(page.locator(".fk-link input")).to_have_count(10)  # 5 rater groups x 2 segments

        # ipywidgets 8 makes its <input type=file> only when the button is clicked.
        with page.expect_file_chooser(timeout=WAIT) as chooser:
            page.locator("button.fk-upload").click()
        chooser.value.set_files(files=[{"name": "answers.csv", "mimeType": "text/csv",
                                        "buffer": answers_csv()}])
        page.get_by_text("answers.csv (").wait_for(timeout=WAIT)
        page.locator("button.fk-import-check").click()  # the dry run first
        page.get_by_text("Checked: nothing stored.").wait_for(timeout=WAIT)
        expect(page.locator("pre.fk-import-report")).to_contain_text(
            "Would import 3 new submission(s) from 24 row(s) into browser-round")
        page.locator(".fk-import-box").screenshot(path=str(ARTIFACTS / "admin-import-check.png"))
        with Store(db) as store:
            assert store.counts("browser-round")["submissions"] == 0
        page.locator("button.fk-import").click()
        page.get_by_text("Imported 3 new submission(s)").wait_for(timeout=WAIT)
        expect(page.get_by_text("browser-round now holds 3 submission(s)")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "admin-laptop.png"), full_page=True)
        check_page(page, "admin")  # WCAG 2.2 AA by axe-core (issue 11)
        page.locator("button.fk-import").click()  # the same file again
        page.get_by_text("Nothing new stored: all 3").wait_for(timeout=WAIT)
        with Store(db) as store:
            assert store.counts("browser-round")["submissions"] == 3
        # A file past tornado's 10 MB message limit reaches the page and is refused in words.
        with page.expect_file_chooser(timeout=WAIT) as chooser:
            page.locator("button.fk-upload").click()
        chooser.value.set_files(files=[{"name": "big.csv", "mimeType": "text/csv",
                                        "buffer": b"x" * (12 * 1024 * 1024)}])
        page.get_by_text("big.csv (").wait_for(timeout=WAIT)
        page.locator("button.fk-import").click()
        page.get_by_text("the page takes files up to 5 MB").wait_for(timeout=WAIT)
    finally:
        page.close()


@pytest.fixture(scope="module")
def shared(voila_module_server, tmp_path_factory):
    """One server and store for the tests below (each makes its own campaigns): (admin
    page url, respondents' door, store url)."""
    db = f"sqlite:///{tmp_path_factory.mktemp('admin') / 'admin.db'}"
    Store(db).close()
    url, door = _admin_url(voila_module_server, {"FOCUSKIT_DB_URL": db})
    return url, door, db


def shoot(page, selector: str, name: str) -> None:
    """``selector`` at 1280 px and at 390 px (``name``-phone), each whole (a tall window, as an
    element taller than the window is cut), and nothing wider than the phone."""
    for width, suffix in ((1280, ""), (390, "-phone")):
        page.set_viewport_size({"width": width, "height": 2400})
        expect(page.locator(selector)).to_be_visible(timeout=WAIT)
        page.locator(selector).screenshot(path=str(ARTIFACTS / f"{name}{suffix}.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 391, name
    page.set_viewport_size({"width": 1280, "height": 900})


def test_programme_and_next_wave(chromium, shared):
    """An admin gathers last year's campaign into a programme, starts its next wave with a
    double click, and reads the new wave's links."""
    url, door, db = shared
    with Store(db) as store:
        store.create_campaign("leaders-2026", "Leaders, 2026", "focus-levels",
                              organisation="Alder Valley Utilities", min_group_size=3)
        store.set_status("leaders-2026", "closed")  # a year on, the first wave is closed
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto(url, wait_until="domcontentloaded")
        page.locator("button.fk-create-prog").wait_for(timeout=WAIT)
        expect(page.get_by_text("No programmes yet")).to_be_visible(timeout=WAIT)
        page.locator(".fk-prog-title input").fill("Alder Valley assessment")
        page.locator(".fk-prog-org input").fill("Alder Valley Utilities")
        page.locator("button.fk-create-prog").click()
        expect(page.get_by_text("Created: programme alder-valley-assessment")).to_be_visible(
            timeout=WAIT)

        camp = page.locator(".fk-add-camp select")
        expect(camp.locator("option", has_text="(leaders-2026)")).to_have_count(1, timeout=WAIT)
        camp.select_option(label="Leaders, 2026 (leaders-2026)")
        page.locator("button.fk-add-to-prog").click()
        expect(page.get_by_text("Added leaders-2026 to alder-valley-assessment")).to_be_visible(
            timeout=WAIT)
        table = page.locator(".fk-programmes .fk-lenses")
        expect(table).to_contain_text("leaders-2026", timeout=WAIT)
        expect(camp.locator("option", has_text="(leaders-2026)")).to_have_count(0, timeout=WAIT)

        page.locator(".fk-picker select").select_option(label="Leaders, 2026 (leaders-2026)")
        expect(page.locator(".fk-campaigns .fk-status")).to_contain_text("closed", timeout=WAIT)
        page.locator("button.fk-new-wave").click()
        dialog = page.locator(".fk-wave-dialog")
        expect(dialog.locator(".fk-wave-title input")).to_have_value("Leaders, 2026, wave 2",
                                                                     timeout=WAIT)
        expect(dialog.locator(".fk-wave-id input")).to_have_attribute(
            "placeholder", "left blank: leaders-2026-w2", timeout=WAIT)
        dialog.locator(".fk-wave-title input").fill("Leaders, 2027")
        shoot(page, ".fk-campaigns", "admin-wave-dialog")
        dialog.locator("button.fk-create-wave").dblclick()  # an impatient double click
        expect(dialog.get_by_text("Created: leaders-2026-w2")).to_be_visible(timeout=WAIT)
        links = dialog.locator(".fk-link input")
        expect(links).to_have_count(5, timeout=WAIT)  # one per rater group of focus-levels
        expect(links.first).to_have_value(re.compile(
            "^" + re.escape(door) + r"voila/render/take_assessment\.ipynb\?.*"
            r"campaign=leaders-2026-w2.*sig="), timeout=WAIT)
        expect(table).to_contain_text("leaders-2026-w2", timeout=WAIT)
        audit = page.locator(".fk-audit-log tbody")
        for action in ("programme new", "programme add", "wave"):  # the page's log shows them
            expect(audit.locator("td").filter(has_text=re.compile(f"^{action}$")).first
                   ).to_be_visible(timeout=WAIT)
        expect(page.get_by_text("Traceback")).to_have_count(0)
        with Store(db) as store:
            assert [c.id for c in store.waves("leaders-2026")] == ["leaders-2026",
                                                                   "leaders-2026-w2"]
            assert store.campaign("leaders-2026-w2").programme == "alder-valley-assessment"
            log = store.audit_log()
            assert {"programme new", "programme add", "wave"} <= set(log["action"])
        check_page(page, "admin-programmes")
        shoot(page, ".fk-campaigns", "admin-wave-made")
        shoot(page, ".fk-programmes", "admin-programmes")
    finally:
        page.close()


def test_phone_width(chromium, shared):
    url, _door, db = shared
    with Store(db) as store:
        store.create_campaign("phone-round", "Phone round", "focus-levels")
    page = chromium.new_page(viewport={"width": 390, "height": 800})
    try:
        page.goto(url, wait_until="domcontentloaded")
        page.locator("button.fk-create").wait_for(timeout=WAIT)
        page.locator("button.fk-make-links").click()
        page.locator(".fk-links .fk-link input").first.wait_for(timeout=WAIT)
        assert page.evaluate("document.documentElement.scrollWidth") <= 391
        for sel in ("button.fk-create", "button.fk-import", "button.fk-make-links"):
            box = page.locator(sel).bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 391, sel
        page.screenshot(path=str(ARTIFACTS / "admin-phone.png"))
    finally:
        page.close()
