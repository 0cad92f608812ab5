"""The trainer's flow through `focuskit serve` in Chromium: create a round on the staff door's
board, three people answer through its join link on the respondents' door, the count rises,
nothing of the results reaches the page until Reveal, and then the spread shows (also after
a reload, at phone width). Screenshots go to test-artifacts/workshop-*.png."""

from __future__ import annotations

import time

import pytest
from axe import check_page
from conftest import ARTIFACTS, full_answers
from playwright.sync_api import expect
from test_workshop import age_draft

from focuskit import Store, load_instrument

pytestmark = [pytest.mark.browser, pytest.mark.slow]

BOARD = "voila/render/workshop.ipynb"
FIRST = 180_000  # ms: a cold kernel on two busy cores
STEP = 90_000
LEVELS = [0, 2, 4]  # the three people choose Casual, Moderate and Intense: a split room


def shot(page, name, width):
    """The whole board; Voila scrolls inside #rendered_cells, so grow the viewport first."""
    time.sleep(0.5)  # let the last widget updates paint
    height = page.evaluate("(document.querySelector('#rendered_cells') || "
                           "document.body).scrollHeight")
    page.set_viewport_size({"width": width, "height": max(700, height + 40)})
    page.screenshot(path=str(ARTIFACTS / f"workshop-{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": width, "height": 900})


def no_sideways_scroll(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1


def count(page, which):
    sel = ".fk-num.sent b" if which == "sent" else ".fk-num:not(.sent) b"
    return page.locator(sel).first.inner_text(timeout=STEP)


def wait_count(page, which, n):
    sel = ".fk-num.sent b" if which == "sent" else ".fk-num:not(.sent) b"
    page.wait_for_function(
        "([s, n]) => { const e = document.querySelector(s); return e && e.textContent === n }",
        arg=[sel, str(n)], timeout=STEP)


def answer(page, inst, level, on_first_page=None):
    """Click through the questionnaire choosing the same level everywhere, then submit."""
    for n, section in enumerate(inst.sections):
        page.locator(".fk-q h2", has_text=section.title).first.wait_for(timeout=FIRST)
        for item in section.items:
            box = page.locator(".fk-item", has=page.locator(f"#fk-item-{item.id}"))
            box.locator(".widget-radio-box label").nth(level).click(timeout=STEP)
        if n == 0 and on_first_page:
            on_first_page()
        if n < len(inst.sections) - 1:
            page.get_by_role("button", name="Next", exact=True).click()
    page.get_by_role("button", name="Submit answers", exact=True).click()
    page.get_by_role("heading", name="Thank you").wait_for(timeout=STEP)


def test_trainer_flow(chromium, voila_server, tmp_path):
    url = f"sqlite:///{tmp_path / 'workshop.db'}"
    Store(url).close()  # an empty store: the board opens on the new-round form
    served = voila_server({"FOCUSKIT_DB_URL": url})
    inst = load_instrument("focus-levels")
    board = chromium.new_page(viewport={"width": 1280, "height": 900})
    phones = []
    try:
        board.goto(served.staff_url(BOARD), wait_until="domcontentloaded", timeout=FIRST)
        title = board.locator(".fk-ws-new-title input")
        title.wait_for(timeout=FIRST)
        expect(board.get_by_text("Traceback")).to_have_count(0)
        title.fill("Leadership team, trainer flow")
        board.locator(".fk-ws-create").click()
        board.locator(".fk-qr svg").wait_for(timeout=STEP)
        board.get_by_role("heading", name="Leadership team, trainer flow").wait_for(timeout=STEP)
        expect(board).to_have_title("Workshop board: Leadership team, trainer flow")
        with Store(url) as store:
            rid = store.campaigns()[0].id
        assert rid.startswith("ws-leadership-team-trainer-flow-")
        link = board.locator(".fk-link a").get_attribute("href")
        # The join link opens the respondents' door, not the staff door it is shown on.
        assert link.startswith(f"{served}voila/render/take_assessment.ipynb?campaign={rid}"
                               "&group=self&sig=")  # signed: nobody edits it into another group
        assert count(board, "sent") == "0"
        # The address names the round and no longer shows the staff key (a projector would).
        board.wait_for_function(f"location.search.includes('round={rid}')", timeout=STEP)
        assert "token=" not in board.evaluate("location.href")
        assert "3 more to go" in board.inner_text(".fk-ws-live")

        # The code in large type beside the QR code: the one the respondents' door resolves.
        code = "".join(board.locator(".fk-code").inner_text(timeout=STEP).split())
        with Store(url) as store:
            assert store.join_code(rid, "self") == code
        for person, level in enumerate(LEVELS):
            context = chromium.new_context(viewport={"width": 390, "height": 844})
            phones.append(context)
            phone = context.new_page()
            # The first person types the code (in lower case, with a dash); the others scan.
            typed = f"{served}j/{code[:3].lower()}-{code[3:].lower()}"
            phone.goto(typed if person == 0 else link, wait_until="domcontentloaded",
                       timeout=FIRST)

            def answering(person=person):
                if person == 0:  # a draft is kept once someone has answered: they show
                    wait_count(board, "answering", 1)

            answer(phone, inst, level, on_first_page=answering)
            wait_count(board, "sent", person + 1)
            context.close()
        wait_count(board, "answering", 0)

        # Before the reveal nothing of the results is in the page, not even hidden.
        html = board.content()
        assert "Talk about these first" not in html and "Where we disagree" not in html
        expect(board.locator(".fk-ws img")).to_have_count(0)
        expect(board.locator(".fk-ws-results *")).to_have_count(0)
        shot(board, "before", 1280)
        check_page(board, "workshop-before")  # WCAG 2.2 AA by axe-core (issue 11)
        before_phone = chromium.new_page(viewport={"width": 390, "height": 844})
        try:
            before_phone.goto(served.staff_url(BOARD), wait_until="domcontentloaded",
                              timeout=FIRST)
            before_phone.locator(".fk-qr svg").wait_for(timeout=FIRST)
            wait_count(before_phone, "sent", 3)
            no_sideways_scroll(before_phone, 390)
            shot(before_phone, "before", 390)
        finally:
            before_phone.close()

        board.locator(".fk-ws-reveal").click()
        board.locator("img.fk-plot").first.wait_for(timeout=STEP)
        board.get_by_text("Talk about these first").wait_for(timeout=STEP)
        expect(board.locator(".fk-agenda .lv em", has_text="lowest rating").first).to_be_visible()
        with Store(url) as store:
            assert store.campaign(rid).revealed

        # An action: a bad date is explained and the typing kept; then it is added.
        board.locator(".fk-ws-act-title input").fill("Each leader visits two customers")
        board.locator(".fk-ws-act-owner input").fill("Priya")
        board.locator(".fk-ws-act-due input").fill("someday")
        board.locator(".fk-ws-add").click()
        board.get_by_text("is not a date I can read").wait_for(timeout=STEP)
        assert board.locator(".fk-ws-act-title input").input_value() == \
            "Each leader visits two customers"
        board.locator(".fk-ws-act-due input").fill("2099-06-30")
        board.locator(".fk-ws-add").click()
        board.locator(".fk-act", has_text="Each leader visits two customers").wait_for(
            timeout=STEP)
        expect(board.locator("a.fk-dl", has_text="CSV")).to_have_count(1)
        no_sideways_scroll(board, 1280)
        shot(board, "after", 1280)
        check_page(board, "workshop-after")

        # A reload keeps the round revealed (the reveal is stored), signed in by the cookie.
        board.reload(wait_until="domcontentloaded", timeout=FIRST)
        board.locator("img.fk-plot").first.wait_for(timeout=FIRST)
        assert board.locator(".fk-ws-reveal").is_hidden()
        expect(board.get_by_role("heading", name="Leadership team, trainer flow")).to_be_visible()
        # So does a new browser at phone width.
        again = chromium.new_page(viewport={"width": 390, "height": 844})
        try:
            again.goto(served.staff_url(BOARD), wait_until="domcontentloaded", timeout=FIRST)
            again.locator("img.fk-plot").first.wait_for(timeout=FIRST)
            assert again.locator(".fk-ws-reveal").is_hidden()
            no_sideways_scroll(again, 390)
            shot(again, "after", 390)
        finally:
            again.close()
    finally:
        for c in phones:
            try:
                c.close()
            except Exception:  # noqa: BLE001 - already closed
                pass
        board.close()


def _box(page, selector):
    """The bounding box of ``selector``'s first element, once it is visible."""
    loc = page.locator(selector).first
    expect(loc).to_be_visible(timeout=STEP)
    return loc.bounding_box()


def test_on_a_projector_the_join_card_and_count_fit_and_the_spread_follows(
        chromium, voila_server, tmp_path):
    """1920 x 1080: the join card (QR code and join code) and the count are on the first
    screen; after the reveal the spread starts on it too. 24 of 30 have answered; 3 are
    answering now, one stopped 3 minutes ago."""
    url = f"sqlite:///{tmp_path / 'projector.db'}"
    inst = load_instrument("focus-levels")
    with Store(url) as store:
        store.create_campaign("ws-projector-abcd", "Leadership team, projector", inst,
                              rater_groups=["self", "customer"], min_group_size=3, expected=30)
        for n in range(24):
            store.submit("ws-projector-abcd", full_answers(inst, [1, 3, 5][n % 3]),
                         rater_group="self", respondent=f"p-{n:03d}")
        for n in range(4):
            store.save_draft("ws-projector-abcd", f"d-{n:03d}", {inst.items[0].id: {"level": 3}},
                             rater_group="self")
        age_draft(store, "ws-projector-abcd", "d-003", 180)
        code = store.join_code("ws-projector-abcd", "self")
    # One kernel kept ready: the pool (and its status for the board) follows the round.
    served = voila_server({"FOCUSKIT_DB_URL": url}, ("--preheat", "1", "--staff-preheat", "0"))
    board = chromium.new_page(viewport={"width": 1920, "height": 1080})
    try:
        board.goto(served.staff_url(BOARD), wait_until="domcontentloaded", timeout=FIRST)
        expect(board.locator(".fk-code")).to_have_text(f"{code[:3]}{code[3:]}", timeout=FIRST,
                                                       use_inner_text=False)
        expect(board.locator(".fk-num.sent")).to_contain_text("of 30 have answered")
        expect(board.locator(".fk-num:not(.sent) b")).to_have_text("3")  # not the 4th
        # The server keeps questionnaires ready for those still expected (serve reads the
        # round's expected number: 30 less 24 answered and 4 drafts) and the board says so.
        expect(board.locator(".fk-ready")).to_contain_text("2 more phones", timeout=STEP)
        # Served on 127.0.0.1: the board says phones cannot open the link, and how to fix it.
        expect(board.locator(".fk-reach")).to_contain_text("--host 0.0.0.0")
        for sel in (".fk-ws-join", ".fk-qr svg", ".fk-code", ".fk-nums", ".fk-ws-reveal"):
            box = _box(board, sel)
            assert box["y"] >= 0 and box["y"] + box["height"] <= 1080, (sel, box)
        assert _box(board, ".fk-code")["height"] >= 60  # large type, from the back of a room
        board.screenshot(path=str(ARTIFACTS / "workshop-projector-before-1920.png"))
        # "checked at" moves at every poll although the numbers do not.
        first = board.locator(".fk-live").inner_text()
        board.wait_for_function("t => { const e = document.querySelector('.fk-live');"
                                " return e && e.textContent.trim() !== t.trim() }",
                                arg=first, timeout=STEP)
        expect(board.locator(".fk-num.sent b")).to_have_text("24")

        board.locator(".fk-ws-reveal").click()
        plot = board.locator("img.fk-plot").first
        expect(plot).to_be_visible(timeout=STEP)
        board.wait_for_function("() => { const i = document.querySelector('img.fk-plot');"
                                " return i && i.complete && i.naturalHeight > 0 }",
                                timeout=STEP)
        box = _box(board, "img.fk-plot")
        assert box["y"] + 200 <= 1080, box  # its first rows, not only its top edge
        for sel in (".fk-code", ".fk-nums"):  # latecomers can still join; the count stays
            box = _box(board, sel)
            assert box["y"] + box["height"] <= 1080, (sel, box)
        board.screenshot(path=str(ARTIFACTS / "workshop-projector-after-1920.png"))
    finally:
        board.close()

