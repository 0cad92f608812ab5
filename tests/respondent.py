"""A respondent in a real browser, for the browser tests of the questionnaire and of the
server's doors: one person in one tab clicking through a questionnaire, and the waits and
checks around it."""

from __future__ import annotations

import time

from conftest import ARTIFACTS

from focuskit.apps.questionnaire.view import choices

FIRST = 120_000  # ms: a cold kernel on two busy cores when the preheated pool is used up
STEP = 60_000


def server_check(url: str) -> str:
    """Whether the server answers ``url`` outside the browser: tells a stalled browser from a
    stalled server when a page does not load."""
    import time
    import urllib.request

    start = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=60) as r:
            body = r.read()
        return (f"the server answered the same link outside the browser in "
                f"{time.monotonic() - start:.1f} s ({len(body)} bytes)")
    except Exception as e:
        return f"the server did not answer the same link either: {e!r}"


class Respondent:
    """One person in one browser tab, clicking through a questionnaire."""

    def __init__(self, page, instrument, width):
        self.page, self.inst, self.width = page, instrument, width
        self.given: dict[str, dict] = {}

    def open(self, url):
        try:
            self.page.goto(url, wait_until="domcontentloaded", timeout=FIRST)
        except Exception as e:
            raise AssertionError(f"{e}\n{server_check(url)}") from None
        self.page.locator(".fk-q h1, .fk-q h2").first.wait_for(timeout=FIRST)

    @property
    def heading(self) -> str:
        return self.page.locator(".fk-q h2").first.inner_text(timeout=STEP)

    def button(self, name):
        return self.page.get_by_role("button", name=name, exact=True)

    def wait_heading(self, text):
        """Wait for the page titled ``text`` and its questions (in Voila the first page's
        questions follow its heading, once the browser has drawn it)."""
        self.page.locator(".fk-q h2", has_text=text).first.wait_for(timeout=STEP)
        self.page.locator(".fk-item .widget-radio-box label").first.wait_for(timeout=STEP)

    def items_shown(self) -> list[str]:
        ids = self.page.locator(".fk-item .fk-prompt").evaluate_all(
            "els => els.map(e => e.id.replace('fk-item-', ''))")
        return ids

    def click(self, item_id, facet, index):
        item = self.inst.item(item_id)
        box = self.page.locator(".fk-item", has=self.page.locator(f"#fk-item-{item_id}"))
        facet_box = box.locator(".fk-facet").nth(item.facets.index(facet))
        facet_box.locator(".widget-radio-box label").nth(index).click()
        value = choices(self.inst, item, facet)[0][index][1]
        self.given.setdefault(item_id, {})[facet] = value
        return value

    def answer_page(self, rng, skip=()):
        for item_id in self.items_shown():
            if item_id in skip:
                continue
            for facet in self.inst.item(item_id).facets:
                options = choices(self.inst, self.inst.item(item_id), facet)[0]
                self.click(item_id, facet, rng.randrange(len(options)))

    def checked(self) -> dict[str, dict]:
        """What the page shows as chosen, read back from the radio buttons."""
        out = {}
        for item_id in self.items_shown():
            item = self.inst.item(item_id)
            box = self.page.locator(".fk-item", has=self.page.locator(f"#fk-item-{item_id}"))
            for n, facet in enumerate(item.facets):
                radios = box.locator(".fk-facet").nth(n).locator("input[type=radio]")
                states = radios.evaluate_all("els => els.map(e => e.checked)")
                if True in states:
                    out.setdefault(item_id, {})[facet] = \
                        choices(self.inst, item, facet)[0][states.index(True)][1]
        return out

    def no_sideways_scroll(self):
        widths = self.page.evaluate(
            "[document.documentElement.scrollWidth, (document.querySelector('#rendered_cells')"
            " || document.body).scrollWidth, (document.querySelector('#rendered_cells') || "
            "document.body).clientWidth]")
        assert widths[0] <= self.width and widths[1] <= widths[2] + 1, widths

    def shot(self, name, full=True):
        """A screenshot; a full page one grows the viewport, as Voila scrolls inside
        #rendered_cells. ``full=False`` keeps what the first screen shows."""
        time.sleep(0.4)  # let the last widget updates paint
        if not full:
            self.page.screenshot(path=str(ARTIFACTS / f"questionnaire-{name}-{self.width}.png"))
            return
        height = self.page.evaluate("(document.querySelector('#rendered_cells') || "
                                    "document.body).scrollHeight")
        self.page.set_viewport_size({"width": self.width, "height": max(700, height + 40)})
        self.page.screenshot(path=str(ARTIFACTS / f"questionnaire-{name}-{self.width}.png"),
                             full_page=True)
        self.page.set_viewport_size({"width": self.width, "height": 900})


def address(page) -> str:
    """The address bar. Playwright's ``page.url`` can miss a ``history.replaceState`` made just
    after a navigation, so ask the page (nothing while a new page is loading)."""
    try:
        return page.evaluate("window.location.href")
    except Exception:  # the old document is gone and the new one has no context yet
        return ""


def wait_for(check, timeout=STEP / 1000, what="the store"):
    deadline = time.monotonic() + timeout
    while True:
        got = check()
        if got:
            return got
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def closing(context, page, name):
    """Close the browser context; after a failure, keep what the page showed for the log."""
    import sys

    if sys.exc_info()[0] is not None and page is not None:
        try:
            page.screenshot(path=str(ARTIFACTS / f"questionnaire-failure-{name}.png"), full_page=True)
            print(f"failed at {address(page)}:\n{page.inner_text('body')[:2000]}")
        except Exception as e:  # the page itself may be gone
            print(f"failed; page not readable: {e!r}")
    context.close()


def new_tab(chromium, width, context=None):
    context = context or chromium.new_context(viewport={"width": width, "height": 900})
    return context, context.new_page()
