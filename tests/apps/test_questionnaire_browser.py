"""A respondent's link in a real Voila server (``focuskit serve``) in Chromium.

Every answer is given by clicking (or the keyboard), and the store is checked afterwards for
exactly what was clicked. Screenshots go to test-artifacts/questionnaire-*.png.
"""

from __future__ import annotations

import json
import random
import re
import time
import uuid

import pytest
from axe import check_page
from conftest import signed_link
from playwright.sync_api import expect
from respondent import FIRST, STEP, Respondent, address, closing, new_tab, wait_for

from focuskit import Store, builtin_ids, load_instrument
from focuskit.apps.questionnaire.session import stored_answers
from focuskit.apps.questionnaire.view import choices
from focuskit.links import Link

pytestmark = [pytest.mark.browser, pytest.mark.slow]

NOTEBOOK = "voila/render/take_assessment.ipynb"
ORG = "Alder Valley Utilities (fictional)"
OTHER_COMMENT = "Only the other respondent wrote this"


@pytest.fixture(scope="module")
def qstore(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('questionnaire') / 'q.db'}"
    store = Store(url)
    for iid in builtin_ids():
        inst = load_instrument(iid)
        store.create_campaign(f"q-{iid}", inst.title, iid, organisation=ORG,
                              rater_groups=list(dict.fromkeys(["self", *inst.audiences])))
    store.create_campaign("q-closed", "A closed round", "focus-levels", status="closed")
    # Somebody else has answered already: their answers must never show on our pages.
    other = {i.id: {"level": 1} for i in load_instrument("focus-levels").items}
    other["data"]["comment"] = OTHER_COMMENT
    store.submit("q-focus-levels", other, rater_group="self", respondent="someone-else-0001")
    yield store
    store.close()


@pytest.fixture(scope="module")
def base(qstore, voila_module_server):
    # The default serve, preheated kernels included: what a respondent's link meets. INFO: the
    # kernels log waiting for and receiving each page's link into the serve log.
    return voila_module_server({"FOCUSKIT_DB_URL": qstore.url, "FOCUSKIT_LOG_LEVEL": "INFO"})


def link(store, base, campaign, group="self", segment=None, code=None):
    """A signed shared link; with ``code``, as reopened by the browser it gave that code."""
    sig = signed_link(store, campaign, group, segment).sig
    return f"{base}{NOTEBOOK}?{Link(campaign, group, segment, code, sig).query()}"


def coded_link(store, base, campaign, group="self") -> tuple[str, str]:
    """(link, code): a shared link as the browser holds it after its first visit."""
    code = signed_link(store, campaign, group, visit=True).code
    return link(store, base, campaign, group, code=code), code


@pytest.mark.parametrize("width", [390, 1280])
def test_open_answer_reload_submit_and_submit_again(chromium, base, qstore, width):
    """The whole path: open a link, click every answer, reload halfway, submit, resubmit."""
    inst = load_instrument("focus-levels")
    rng = random.Random(width)
    before = qstore.counts("q-focus-levels")["submissions"]
    context, page = new_tab(chromium, width)
    elsewhere = []  # the respondent's browser talks to our server and nobody else
    page.on("request", lambda q: q.url.startswith(base.rstrip("/")) or q.url.startswith(
        ("data:", "blob:")) or elsewhere.append(q.url))
    try:
        r = Respondent(page, inst, width)
        r.open(link(qstore, base, "q-focus-levels", "customer", segment="Residential"))
        # A shared link gets a code of its own, written into the address so a reload resumes.
        you = wait_for(lambda: re.search(r"[?&]code=([A-Za-z0-9_-]{20})", address(page)),
                       what="the code in the address").group(1)
        expect(page.get_by_role("heading", name=re.compile("eight dimensions"))).to_be_visible()
        expect(page.get_by_text("at least 5 people")).to_be_visible()
        expect(page.get_by_text(f"we\u201d and \u201cour\u201d mean {ORG}")).to_be_visible()
        sections = inst.sections
        # The first screen: the intro, then the first question, with nothing chosen.
        r.wait_heading(sections[0].title)
        first_prompt = page.locator(f"#fk-item-{sections[0].items[0].id}")
        assert first_prompt.is_visible() and first_prompt.bounding_box()["y"] < 900
        expect(page.locator("input[type=radio]:checked")).to_have_count(0)
        r.no_sideways_scroll()
        r.shot("intro", full=False)
        expect(page.get_by_text("Casual: All customers and partners").first).to_be_visible()
        r.answer_page(rng)
        r.no_sideways_scroll()
        r.shot("question")
        r.button("Next").click()
        r.wait_heading(sections[1].title)
        first_of_page2 = r.items_shown()[0]
        r.answer_page(rng, skip=r.items_shown()[1:])  # half a page, then the tab reloads
        wait_for(lambda: (d := qstore.draft("q-focus-levels", you)) and d.answers == r.given
                 and d.page == 1, what="the draft to hold every click")

        page.reload(wait_until="domcontentloaded", timeout=FIRST)
        r.wait_heading(sections[1].title)  # back on the page where they left
        assert f"code={you}" in address(page)
        page.get_by_text("Welcome back").wait_for(timeout=STEP)
        assert r.checked() == {first_of_page2: r.given[first_of_page2]}
        r.button("Back").click()
        r.wait_heading(sections[0].title)
        assert r.checked() == {i: r.given[i] for i in r.items_shown()}
        r.button("Next").click()
        r.wait_heading(sections[1].title)
        r.answer_page(rng, skip=[first_of_page2])
        for section in sections[2:-1]:
            r.button("Next").click()
            r.wait_heading(section.title)
            r.answer_page(rng)
        r.button("Next").click()
        r.wait_heading(sections[-1].title)

        # Submit with one question left: it is flagged at the item, and nothing is stored.
        last = r.items_shown()
        r.answer_page(rng, skip=last[:1])
        r.button("Submit answers").click()
        flagged = page.locator(".fk-item.fk-missing")
        flagged.first.wait_for(timeout=STEP)
        expect(flagged).to_have_count(1)
        expect(flagged.locator(f"#fk-item-{last[0]}")).to_have_count(1)
        expect(flagged.get_by_text("Please choose an answer to this question.")).to_be_visible()
        n = inst.items.index(inst.item(last[0])) + 1
        expect(page.get_by_text(f"Question {n} still needs an answer")).to_be_visible()
        r.no_sideways_scroll()
        r.shot("missing")
        assert qstore.counts("q-focus-levels")["submissions"] == before

        r.answer_page(rng, skip=last[1:])
        r.button("Submit answers").dblclick()  # an impatient double click
        page.get_by_role("heading", name="Thank you").wait_for(timeout=STEP)
        assert qstore.counts("q-focus-levels")["submissions"] == before + 1
        stored = stored_answers(qstore, "q-focus-levels", you)
        assert stored == r.given  # exactly what was clicked
        # The thank-you page: own answers against the level descriptors, nobody else's.
        item = inst.items[0]
        level = r.given[item.id]["level"]
        shown = choices(inst, item, "level")[0][level - 1][0]
        expect(page.get_by_text(shown.split(": ", 1)[-1], exact=False).first).to_be_visible()
        assert OTHER_COMMENT not in page.content()
        r.no_sideways_scroll()
        r.shot("thanks")

        # Submitting again stores nothing new: the reopened link shows the thank-you page.
        page.reload(wait_until="domcontentloaded", timeout=FIRST)
        page.get_by_role("heading", name="Thank you").wait_for(timeout=FIRST)
        expect(page.get_by_role("button", name="Submit answers")).to_have_count(0)
        assert qstore.counts("q-focus-levels")["submissions"] == before + 1
        assert stored_answers(qstore, "q-focus-levels", you) == r.given
        assert elsewhere == []
    finally:
        closing(context, page, "flow")


@pytest.mark.parametrize("iid,width", [(i, 360 if i == "expectations" else 390)
                                       for i in builtin_ids()] + [("say-do", 1280)])
def test_every_instrument_can_be_finished_on_a_phone(chromium, base, qstore, iid, width):
    inst = load_instrument(iid)
    url, you = coded_link(qstore, base, f"q-{iid}", "self")
    rng = random.Random(iid)
    context, page = new_tab(chromium, width)
    try:
        r = Respondent(page, inst, width)
        r.open(url)
        for n, section in enumerate(inst.sections):
            r.wait_heading(section.title)
            r.answer_page(rng)
            r.no_sideways_scroll()
            if n == 0:
                r.shot(f"page-{iid}")
                # Every answer's words whole, down to 360 px ("Unimportant", not "nimportar").
                clipped = page.evaluate("""() => [...document.querySelectorAll(
                    '.fk-q .widget-radio-box label')].filter(
                    l => l.scrollWidth > l.clientWidth + 1).map(l => l.innerText)""")
                assert clipped == []
                check_page(page, f"questionnaire-{iid}-{width}")  # WCAG 2.2 AA (issue 11)
            if n < len(inst.sections) - 1:
                r.button("Next").click()
        r.button("Submit answers").click()
        page.get_by_role("heading", name="Thank you").wait_for(timeout=STEP)
        r.no_sideways_scroll()
        assert stored_answers(qstore, f"q-{iid}", you) == r.given
        assert qstore.counts(f"q-{iid}")["submissions"] >= 1
    finally:
        closing(context, page, "instrument")


def _focused(page) -> dict:
    return page.evaluate("""() => { const e = document.activeElement;
        const g = e && e.closest('[role=radiogroup]');
        return {tag: e ? e.tagName : null, type: e ? e.type : null,
                text: e ? (e.innerText || '').trim() : '', inq: !!(e && e.closest('.fk-q')),
                group: g ? g.getAttribute('aria-labelledby') : null,
                name: g ? g.getAttribute('aria-labelledby').split(' ').map(
                    i => document.getElementById(i).innerText).join(' ') : null} }""")


def test_the_keyboard_alone_can_answer(chromium, base, qstore):
    """Tab, arrows, Space and Enter alone, through a whole questionnaire: each rating is one
    radio group named by its question, one Tab stop, arrow keys inside it (issue 11)."""
    inst = load_instrument("external-focus")
    url, you = coded_link(qstore, base, "q-external-focus", "partner")
    context, page = new_tab(chromium, 390)
    try:
        r = Respondent(page, inst, 390)
        r.open(url)
        assert page.title() == "Questionnaire: " + qstore.campaign("q-external-focus").title
        expected = {}
        for n, section in enumerate(inst.sections):
            r.wait_heading(section.title)
            expect(page.locator(".fk-q [role=radiogroup]")).to_have_count(len(section.items))
            if n:  # a new page puts the focus on its heading, so Tab goes on from its top
                wait_for(lambda: page.evaluate("document.activeElement.tagName") == "H2",
                         what="the focus on the new page's heading")
            stops, groups, last = 0, [], None
            while True:
                page.keyboard.press("Tab")
                stops += 1
                at = _focused(page)
                assert stops < 40, f"still tabbing on page {n + 1}: {at}"
                if at["type"] == "radio":
                    assert at["group"] not in groups, "a second Tab stop in one radio group"
                    groups.append(at["group"])
                    item = section.items[len(groups) - 1]
                    assert item.prompt in at["name"], at  # the group is named by its question
                    options = [v for _, v in choices(inst, item, "level")[0]]
                    if len(groups) == 1:
                        page.keyboard.press("Space")  # the first option
                        expected[item.id] = {"level": options[0]}
                    else:  # arrows move and choose: down twice, up once, the second option
                        for key in ("ArrowDown", "ArrowDown", "ArrowUp"):
                            page.keyboard.press(key)
                        expected[item.id] = {"level": options[1]}
                elif at["tag"] == "BUTTON" and at["text"] in ("Next", "Submit answers"):
                    last = at["text"]
                    break
            # One stop per question, plus the page's few controls (the intro's details, one
            # "Add a comment" per question, Back), never one per option.
            assert len(groups) == len(section.items)
            assert stops <= 2 * len(section.items) + 3, stops
            wait_for(lambda: (d := qstore.draft("q-external-focus", you)) is not None
                     and d.answers == expected, what="the keyboard's answers in the draft")
            page.keyboard.press("Enter")
        assert last == "Submit answers"
        page.get_by_role("heading", name="Thank you").wait_for(timeout=STEP)
        assert stored_answers(qstore, "q-external-focus", you) == expected
    finally:
        closing(context, page, "keyboard")


@pytest.mark.parametrize("query,title", [
    ("", "This link is incomplete"),
    (("q-say-do", None), "This link is incomplete"),  # signed, but two groups: which one?
    (("no-such-round", "self"), "We could not find this questionnaire"),
    (("q-closed", "self"), "This questionnaire is closed"),
    ("campaign=q-say-do&group=self&code=bad!code", "This link is not quite right"),
    (("q-say-do", "customer"), "This link is not quite right"),  # a group it does not ask
    ("campaign=%3Cscript%3Ealert(1)%3C%2Fscript%3E", "This link is not quite right"),
    ("campaign=q-say-do&group=self", "This link does not work"),  # unsigned
])
def test_links_that_cannot_be_answered_get_a_friendly_page(chromium, base, qstore, query,
                                                             title):
    if isinstance(query, tuple):  # (campaign, group) of a link signed with the store's secret
        query = signed_link(qstore, *query).query()
    context, page = new_tab(chromium, 390)
    try:
        page.goto(f"{base}{NOTEBOOK}?{query}", wait_until="domcontentloaded", timeout=FIRST)
        page.get_by_role("heading", name=title).wait_for(timeout=FIRST)
        text = page.inner_text("body")
        for bad in ("Traceback", "Error", "error when executing", "StoreError"):
            assert bad not in text
        if "closed" in query:
            Respondent(page, None, 390).shot("closed")
    finally:
        closing(context, page, "friendly")


def test_two_tabs_store_one_submission(chromium, base, qstore):
    inst = load_instrument("external-focus")
    url, you = coded_link(qstore, base, "q-external-focus", "self")
    # Two browser contexts: one person on two devices, or in two windows. (Two tabs of one
    # context once sat 120 s in CI before the second tab's request left the browser, while the
    # server answered others; see server_check.)
    contexts = [chromium.new_context(viewport={"width": 1280, "height": 900}) for _ in (1, 2)]
    context = contexts[0]
    page = None
    try:
        tabs = []
        for seed in (1, 2):
            page = contexts[seed - 1].new_page()
            r = Respondent(page, inst, 1280)
            r.open(url)
            tabs.append((r, random.Random(seed)))
        for n, section in enumerate(inst.sections):
            for r, rng in tabs:
                r.wait_heading(section.title)
                r.answer_page(rng)
                r.button("Submit answers" if n == len(inst.sections) - 1 else "Next").click()
        for r, _ in tabs:
            r.page.get_by_role("heading", name="Thank you").wait_for(timeout=STEP)
        stored = stored_answers(qstore, "q-external-focus", you)
        assert stored in (tabs[0][0].given, tabs[1][0].given)
        # Exactly one submission for this code, whichever tab won.
        with qstore.engine.connect() as conn:
            from sqlalchemy import func, select

            from focuskit.store import schema as t

            n = conn.execute(select(func.count()).select_from(t.submissions).where(
                t.submissions.c.respondent == you)).scalar()
        assert n == 1
    finally:
        closing(context, page, "tabs")
        contexts[1].close()


def test_a_shared_link_resumes_on_this_device_until_sent(chromium, base, qstore):
    inst = load_instrument("say-do")
    shared = link(qstore, base, "q-say-do", "team")
    context = chromium.new_context(viewport={"width": 390, "height": 900})
    try:
        page = context.new_page()
        r = Respondent(page, inst, 390)
        r.open(shared)
        you = wait_for(lambda: re.search(r"code=([A-Za-z0-9_-]+)", address(page))).group(1)
        r.wait_heading(inst.sections[0].title)
        first = r.items_shown()[0]
        r.click(first, "say", 3)
        wait_for(lambda: qstore.draft("q-say-do", you))
        page.close()

        # Later, the same shared link again on the same device: back to the same answers.
        page = context.new_page()
        r = Respondent(page, inst, 390)
        page.goto(shared, wait_until="domcontentloaded", timeout=FIRST)
        page.get_by_text("Welcome back").wait_for(timeout=FIRST)
        r.wait_heading(inst.sections[0].title)
        assert f"code={you}" in address(page)
        assert r.checked() == {first: {"say": 4}}
        # Somebody else on this device starts afresh, with a code of their own.
        page.get_by_role("link", name="Start a new, empty questionnaire").click()
        other = wait_for(lambda: (m := re.search(r"code=([A-Za-z0-9_-]+)", address(page)))
                         and m.group(1) != you and m, timeout=FIRST / 1000).group(1)
        r.wait_heading(inst.sections[0].title)
        expect(page.get_by_text("Welcome back")).to_have_count(0)
        assert r.checked() == {}
        assert qstore.draft("q-say-do", other) is None
        assert "device=1" not in address(page) and "new=1" not in address(page)
    finally:
        closing(context, page, "shared")


# -- the browser is not trusted: messages forged on the kernel's websocket ------------------------
def test_forged_websocket_messages_store_nothing_invalid(chromium, base, qstore):
    from jupyter_server.services.kernels.connection.base import (
        deserialize_msg_from_ws_v1,
        serialize_msg_to_ws_v1,
    )

    inst = load_instrument("blocks")
    url, you = coded_link(qstore, base, "q-blocks", "self")
    sent: list[tuple[dict, dict]] = []  # (header, content) of every comm message the page sent
    sockets = {}

    def route(ws):
        server = ws.connect_to_server()
        sockets["server"] = server

        def from_page(message):
            if isinstance(message, bytes):
                channel, parts = deserialize_msg_from_ws_v1(message)
                header, content = json.loads(parts[0]), json.loads(parts[3])
                if header.get("msg_type") == "comm_msg":
                    sent.append((header, content))
            server.send(message)

        ws.on_message(from_page)
        server.on_message(lambda message: ws.send(message))

    def forge(comm_id, data, template):
        header = {**template, "msg_id": uuid.uuid4().hex, "date": template["date"]}
        parts = [json.dumps(x).encode() for x in
                 (header, {}, {}, {"comm_id": comm_id, "data": data})]
        sockets["server"].send(serialize_msg_to_ws_v1(parts, "shell"))
        time.sleep(0.5)

    def updates(key):
        return [(h, c) for h, c in sent if c["data"].get("method") == "update"
                and key in c["data"].get("state", {})]

    before = qstore.counts("q-blocks")["submissions"]
    context, page = new_tab(chromium, 390)
    try:
        page.route_web_socket(re.compile(r".*/api/kernels/.*/channels.*"), route)
        r = Respondent(page, inst, 390)
        r.open(url)
        r.wait_heading(inst.sections[0].title)
        first = r.items_shown()[0]
        r.click(first, "applies", 2)  # value 3
        wait_for(lambda: updates("index"), what="the page's own update message")
        header, content = updates("index")[-1]
        radio = content["comm_id"]
        wait_for(lambda: qstore.draft("q-blocks", you), what="the first draft")

        # A forged message that is fine gets through: the channel works.
        forge(radio, {"method": "update", "state": {"index": 4}, "buffer_paths": []}, header)
        wait_for(lambda: qstore.draft("q-blocks", you).answers[first]["applies"] == 5,
                 what="the forged but valid answer")
        # Values that are not choices: nothing changes, in the kernel or the store.
        for bad in (5, 99, -1, "3", 2.5, [1], {"x": 1}):
            forge(radio, {"method": "update", "state": {"index": bad}, "buffer_paths": []},
                  header)
        forge(radio, {"method": "update", "state": {"value": 42, "_options_labels": ["x"] * 9,
                                                     "index": 8}, "buffer_paths": []}, header)
        forge("no-such-comm", {"method": "update", "state": {"index": 0}, "buffer_paths": []},
              header)
        time.sleep(1)
        assert qstore.draft("q-blocks", you).answers == {first: {"applies": 5}}

        # A comment far over the limit is refused at the item and not saved.
        box = page.locator(".fk-item", has=page.locator(f"#fk-item-{first}"))
        box.get_by_role("button", name="Add a comment (optional)").click()
        box.locator("textarea").fill("kept short")
        box.locator("textarea").blur()
        wait_for(lambda: updates("value"), what="the comment's update message")
        _, comment_msg = updates("value")[-1]
        forge(comment_msg["comm_id"], {"method": "update", "state": {"value": "x" * 20_000},
                                       "buffer_paths": []}, header)
        box.get_by_text("please shorten it").wait_for(timeout=STEP)
        assert qstore.draft("q-blocks", you).answers[first] == {"applies": 5,
                                                                "comment": "kept short"}
        r.given[first] = {"applies": 5}

        # Finish and submit; then replay the submit click, and forge answers after submitting.
        for n, section in enumerate(inst.sections):
            if n:
                r.wait_heading(section.title)
            r.answer_page(random.Random(n), skip=[first] if n == 0 else ())
            r.click(r.items_shown()[0], "root_cause", 1)
            last = n == len(inst.sections) - 1
            r.button("Submit answers" if last else "Next").click()
        page.get_by_role("heading", name="Thank you").wait_for(timeout=STEP)
        clicks = [(h, c) for h, c in sent if c["data"].get("method") == "custom"]
        for h, c in clicks[-3:]:
            for _ in range(3):
                forge(c["comm_id"], c["data"], h)
        forge(radio, {"method": "update", "state": {"index": 0}, "buffer_paths": []}, header)
        time.sleep(1)
        assert qstore.counts("q-blocks")["submissions"] == before + 1
        stored = stored_answers(qstore, "q-blocks", you)
        given = {i: dict(f) for i, f in r.given.items()}
        given[first]["comment"] = "kept short"
        assert stored == given
    finally:
        closing(context, page, "forged")
