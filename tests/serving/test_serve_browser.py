"""The page `make demo` serves: `focuskit serve` (a real Voila server) in a real Chromium."""

import pytest
from conftest import ARTIFACTS
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.mark.parametrize("width,name", [(1280, "laptop"), (390, "phone")])
def test_the_landing_page_renders_the_demo_campaigns(chromium, voila_server, width, name):
    url = voila_server().staff_url("voila/render/index.ipynb")  # the staff door, with its token
    page = chromium.new_page(viewport={"width": width, "height": 900})
    try:
        page.goto(url, wait_until="domcontentloaded")
        page.get_by_text("Where we stand: eight dimensions of customer focus", exact=True).wait_for(
            timeout=60_000)
        expect(page.get_by_role("heading", name="Item banks")).to_be_visible()
        expect(page.get_by_text("Traceback")).to_have_count(0)
        # Sources are stripped for visitors: no code cell is shown.
        expect(page.get_by_text("import landing")).to_have_count(0)
        # Nothing scrolls sideways on a phone.
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width + 1
        page.screenshot(path=str(ARTIFACTS / f"landing-{name}.png"), full_page=True)
        # The staff key leaves the address bar; the cookie carries the visit on to a page.
        page.wait_for_function("!window.location.search.includes('token=')", timeout=60_000)
        if name == "laptop":
            page.get_by_role("link", name="Results dashboard").click()
            page.locator("img.fk-plot").first.wait_for(timeout=120_000)
            assert "token=" not in page.url
    finally:
        page.close()
