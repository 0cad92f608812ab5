"""The ipywidgets view without a browser: clicks, values, and messages a tampered client sends.

Widgets are driven the way the front end drives them: ``.value``/``.index`` changes, button
clicks, and raw comm messages handed to ``_handle_msg`` as ipykernel would.
"""

import json
import subprocess
import sys

import pytest
from conftest import full_answers, signed_query
from traitlets import TraitError

from focuskit import Store, builtin_ids, load_instrument
from focuskit.apps.questionnaire import QuestionnaireApp
from focuskit.apps.questionnaire.session import stored_answers
from focuskit.apps.questionnaire.view import choices

_QUERIES: dict[tuple, str] = {}


def query(app, campaign, group="self", segment=None):
    """The same signed link each time in a test (a reopened page), with the code the
    browser was given on its first visit."""
    key = (app.store.url, campaign, group, segment)
    if key not in _QUERIES:
        _QUERIES[key] = signed_query(app.store, campaign, group, segment, visit=True)
    return _QUERIES[key]


def code(app):
    return app.who.code


@pytest.fixture
def url(sqlite_url):
    with Store(sqlite_url) as s:
        for iid in builtin_ids():
            s.create_campaign(f"c-{iid}", f"Campaign <b>{iid}</b>", iid,
                              organisation="Alder & Sons", rater_groups=["self", "customer"])
    return sqlite_url


@pytest.fixture
def app(url):
    a = QuestionnaireApp(url)
    yield a
    a.store.close()


def submissions(app, campaign):
    """Stored submissions, counted by the staff's Store (the app's RespondentStore only answers)."""
    with Store(app.store.url) as s:
        return s.counts(campaign)["submissions"]


def comm_update(widget, **state):
    """Hand a widget an update message as the kernel's comm layer does (ipywidgets logs and
    drops a message whose values its traits refuse)."""
    widget._handle_msg({"content": {"data": {"method": "update", "state": state,
                                             "buffer_paths": []}}, "buffers": []})


def comm_click(button):
    button._handle_msg({"content": {"data": {"method": "custom", "content": {"event": "click"}}},
                        "buffers": []})


def answer_page(view, value=3):
    for item_view in view.items.values():
        for radio in item_view.radios.values():
            vals = [v for _, v in radio.options]
            radio.value = value if value in vals else vals[-1]


def walk(app, value=3):
    view = app.view
    while True:
        answer_page(view, value)
        last = app.state.is_last_page
        view.forward.click()
        if last:
            break
    return view


@pytest.mark.parametrize("iid", builtin_ids())
def test_every_instrument_is_answered_by_clicking_and_stored_exactly(app, iid):
    app.build(query(app, f"c-{iid}", "self"))
    walk(app, 2)
    assert app.state.stage == "done"
    inst = load_instrument(iid)
    assert stored_answers(app.store, f"c-{iid}", code(app)) == full_answers(inst, 2)
    assert submissions(app, f"c-{iid}") == 1
    html = app.view.body.children[0].value
    assert "Thank you" in html and "Your answers" in html


def test_anchored_items_show_their_level_descriptors_with_nothing_chosen(app):
    app.build(query(app, "c-focus-levels", "self"))
    first = next(iter(app.view.items.values()))
    radio = first.radios["level"]
    assert radio.index is None and radio.value is None
    labels = [t for t, _ in radio.options]
    assert labels[0].startswith("Casual: All customers and partners are treated as one crowd")
    assert labels[1] == "Between casual and moderate"
    assert labels[2].startswith("Moderate: ")
    assert [v for _, v in radio.options] == [1, 2, 3, 4, 5]


def test_plain_scales_are_pills_and_choices_are_cards():
    inst = load_instrument("say-do")
    opts, kind = choices(inst, inst.items[0], "say")
    assert kind == "pills" and opts[0] == ("1\nNot at all", 1) and opts[1] == ("2", 2)
    blocks = load_instrument("blocks")
    opts, kind = choices(blocks, blocks.items[0], "root_cause")
    assert kind == "cards" and opts == [("Systems, processes and structures", 1), ("People", 2)]


def test_next_flags_missing_items_at_the_item(app):
    app.build(query(app, "c-say-do", "self"))
    view = app.view
    items = list(view.items.values())
    items[0].radios["say"].value = 4
    items[0].radios["do"].value = 4
    items[1].radios["say"].value = 4
    view.forward.click()
    assert app.state.page == 0
    assert "fk-missing" not in items[0].box._dom_classes
    assert "fk-missing" in items[1].box._dom_classes
    assert "Please also rate Do." in items[1].head.value
    assert "Please rate both Say and Do." in items[2].head.value
    assert "Questions 2, 3, 4, 5 and 6 still need an answer" in view.notice.value
    items[1].radios["do"].value = 1
    assert "fk-missing" not in items[1].box._dom_classes and "fk-msg" not in items[1].head.value


def test_drafts_are_saved_on_every_click_and_resume_in_a_new_kernel(app, url):
    app.build(query(app, "c-expectations", "customer"))
    first = next(iter(app.view.items.values()))
    first.radios["importance"].value = 5
    assert app.store.draft("c-expectations", code(app)).answers == {
        first.item.id: {"importance": 5}}
    assert first.comment is None  # made when asked for
    first.toggle.click()
    first.comment.value = "Phone queues are long"
    later = QuestionnaireApp(url)
    later.build(query(later, "c-expectations", "customer"))
    assert later.state.resumed and later.state.stage == "questions"
    again = later.view.items[first.item.id]
    assert again.radios["importance"].value == 5 and again.radios["performance"].value is None
    assert again.comment.value == "Phone queues are long"
    assert again.toggle.comm is None  # a saved comment is shown at once
    later.store.close()


# -- the browser is not trusted -------------------------------------------------------------------
def test_values_outside_the_choices_never_reach_the_store(app):
    app.build(query(app, "c-focus-levels", "self"))
    view = app.view
    item = next(iter(view.items.values()))
    radio = item.radios["level"]
    radio.value = 3
    before = app.store.draft("c-focus-levels", code(app)).answers
    for bad in (99, -1, 5, "2", 2.5, [1]):
        comm_update(radio, index=bad)
        assert radio.value == 3, bad
    with pytest.raises(TraitError):
        radio.value = 7  # not an option
    # Labels rewritten by the client do not change what an index means in the kernel.
    comm_update(radio, _options_labels=["x"] * 5, index=0)
    assert radio.value == 1
    assert app.store.draft("c-focus-levels", code(app)).answers == {item.item.id: {"level": 1}}
    assert before == {item.item.id: {"level": 3}}


def test_the_state_refuses_what_a_widget_would_let_through(app):
    """Widgets rebuilt by a client with other options: the state checks against the scale."""
    app.build(query(app, "c-say-do", "self"))
    item = next(iter(app.view.items.values()))
    radio = item.radios["say"]
    radio.options = [("forged", 42), ("also forged", 0)]
    radio.value = 42
    assert "not one of the choices" in item.head.value
    assert radio.value is None  # put back to what the state holds
    assert app.store.draft("c-say-do", code(app)) is None
    assert app.state.answers == {}


def test_comments_are_checked_and_kept_as_text(app):
    app.build(query(app, "c-blocks", "self"))
    item = next(iter(app.view.items.values()))
    comm_click(item.toggle)
    comm_update(item.comment, value="x" * 5000)
    assert "please shorten it to 2,000" in item.head.value
    assert app.store.draft("c-blocks", code(app)) is None
    comm_update(item.comment, value=12)
    assert app.store.draft("c-blocks", code(app)) is None
    comm_update(item.comment, value="<script>alert(1)</script> & more")
    assert app.store.draft("c-blocks", code(app)).answers == {
        item.item.id: {"comment": "<script>alert(1)</script> & more"}}


def test_submit_clicks_replayed_or_on_a_disabled_button_store_once(app):
    app.build(query(app, "c-external-focus", "self"))
    view = app.view
    forward = view.forward
    forward.disabled = True  # a disabled button still receives the client's click message
    comm_click(forward)  # nothing answered: the state flags, nothing is stored
    assert app.state.page == 0 and app.state.flagged
    assert app.store.draft("c-external-focus", code(app)) is None
    while not app.state.is_last_page:
        answer_page(view, 4)
        comm_click(forward)
    answer_page(view, 4)
    comm_click(forward)
    comm_click(forward)  # double click, after the button was closed
    view._on_forward(forward)  # and straight into the handler
    assert app.state.stage == "done"
    assert submissions(app, "c-external-focus") == 1


def test_after_submitting_no_widget_can_change_the_answers(app):
    app.build(query(app, "c-external-focus", "self"))
    view = app.view
    radios = []
    while True:
        answer_page(view, 4)
        radios += [r for iv in view.items.values() for r in iv.radios.values()]
        last = app.state.is_last_page
        view.forward.click()
        if last:
            break
    stored = stored_answers(app.store, "c-external-focus", code(app))
    for radio in radios:  # closed in the front end; a client holding them gets nowhere
        assert radio.comm is None
        radio.value = 1
    assert stored_answers(app.store, "c-external-focus", code(app)) == stored
    assert app.state.answers == {k: {f: v for f, v in d.items() if f != "comment"}
                                 for k, d in stored.items()}


def test_everything_shown_is_escaped(app):
    app.build(query(app, "c-focus-levels", "customer", "<img src=x>"))
    intro = app.view.body.children[0].children[0].value  # the first page opens with it
    assert "<img" not in intro and "&lt;img src=x&gt;" in intro
    assert "<b>focus-levels</b>" not in intro and "Alder &amp; Sons" in intro


@pytest.mark.parametrize("query,title", [
    (None, "This link is incomplete"),
    ("", "This link is incomplete"),
    ("campaign=nope-nope&group=self", "This link does not work"),  # unsigned
    ("campaign=c-say-do&group=partner", "This link does not work"),
    ("campaign=c-say-do&group=self&sig=AAAAAAAAAAAAAAAA", "This link does not work"),
    ("campaign=c-say-do&group=self&group=team", "This link is not quite right"),
    ("campaign=%ff&group=self", "This link is not quite right"),
    ("\x00" * 10000, "This link is not quite right"),
])
def test_unusable_links_get_a_friendly_page(app, query, title, monkeypatch):
    monkeypatch.delenv("QUERY_STRING", raising=False)
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    widget = app.build(query)
    html = widget.children[1].value
    assert title in html and "Traceback" not in html
    assert app.view is None


@pytest.mark.parametrize("campaign,group,title", [
    ("nope-nope", "self", "We could not find this questionnaire"),
    ("c-say-do", "partner", "This link is not quite right"),  # signed, but not asked there
])
def test_signed_links_that_cannot_be_answered_get_a_friendly_page(app, campaign, group, title):
    html = app.build(signed_query(app.store, campaign, group)).children[1].value
    assert title in html and "Traceback" not in html and app.view is None


def test_closed_campaigns_and_a_missing_store_get_a_friendly_page(url):
    with Store(url) as s:
        s.set_status("c-blocks", "closed")
    app = QuestionnaireApp(url)
    assert "This questionnaire is closed" in \
        app.build(query(app, "c-blocks", "self")).children[1].value
    broken = QuestionnaireApp("postgresql://nobody@127.0.0.1:1/none")
    assert broken.store is None
    assert "not available right now" in broken.build("campaign=c-blocks").children[1].value


def test_a_failure_inside_a_callback_never_reaches_the_page(app, monkeypatch):
    app.build(query(app, "c-say-do", "self"))

    def boom(*a, **k):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(app.state, "next", boom)
    app.view.forward.click()
    assert "Something went wrong on our side" in app.view.notice.value
    assert "database on fire" not in app.view.notice.value


def test_rendering_every_questionnaire_loads_no_pandas_or_plotting(url):
    code = f"""
import sys, json
from focuskit import builtin_ids
from focuskit.apps.questionnaire import QuestionnaireApp, shared_link
app = QuestionnaireApp({url!r})
for iid in builtin_ids():
    app.build(shared_link(app.store, "c-" + iid, "self").split("?", 1)[1])
    view = app.view
    while True:
        for iv in view.items.values():
            for radio in iv.radios.values():
                radio.value = radio.options[0][1]
        last = app.state.is_last_page
        view.forward.click()
        if last:
            break
    assert app.state.stage == "done", iid
print(json.dumps(sorted(m for m in ("pandas", "matplotlib", "seaborn", "numpy")
                        if m in sys.modules)))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


def _tree(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _tree(child)


def test_no_closed_widget_is_left_in_the_page(app, url):
    """A front end cannot draw a tree holding a closed widget: the page would stay blank."""
    app.build(query(app, "c-external-focus", "self"))
    walk(app, 3)
    assert all(w.comm is not None for w in _tree(app.view.widget))
    reopened = QuestionnaireApp(url)
    root = reopened.build(query(reopened, "c-external-focus", "self"))
    assert reopened.state.stage == "done"
    assert all(w.comm is not None for w in _tree(root))
    assert "Thank you" in reopened.view.body.children[0].value
    reopened.store.close()


def test_in_voila_the_first_questions_follow_once_the_page_is_drawn(app, monkeypatch):
    """Voila draws nothing until it has made every widget it was given: the first page comes
    with its heading, and the page's script clicks a hidden button for the questions."""
    monkeypatch.setenv("VOILA_BASE_URL", "/")
    app.build(query(app, "c-say-do", "self"))
    view = app.view
    assert view.items == {} and app.state.page == 0
    assert "Loading the questions" in view.body.children[0].children[1].value
    assert f"fk-ready-{id(view)}" in view.ready_script()
    comm_click(view.ready)
    assert len(view.items) == 6
    comm_click(view.ready)  # clicked again (a reconnect, or a client): nothing changes
    assert len(view.items) == 6 and len(view.body.children[0].children) == 7
    walk(app, 4)
    assert submissions(app, "c-say-do") == 1
    assert all(w.comm is not None for w in _tree(view.widget))


# -- issue 11: accessible ratings and plain wording ---------------------------------------------
def test_each_rating_carries_the_ids_of_its_radio_group(app):
    """radiogroups.js names each rating's group by its question and label: both need ids."""
    app.build(query(app, "c-say-do"))
    app.state.start()
    app.view._on_ready()
    for item_id, item_view in app.view.items.items():
        assert f'id="fk-item-{item_id}"' in item_view.head.value
        labels = " ".join(c.children[0].value for c in item_view.facets.children)
        for fid in item_view.radios:
            assert f'id="fk-facet-{item_id}-{fid}"' in labels
    js = app.view.page_script()
    assert "radiogroup" in js and "aria-labelledby" in js
    assert 'document.title="Questionnaire: Campaign \\u003cb\\u003esay-do\\u003c/b\\u003e"' in js


def test_the_evidence_box_says_what_evidence_to_add(app):
    app.build(query(app, "c-contact-programme"))
    app.state.start()
    app.view._on_ready()
    box = next(iter(app.view.items.values())).comment
    assert box is not None  # asked for, so open from the start
    assert "visit report" in box.placeholder and "if you want" not in box.placeholder
    app.build(query(app, "c-focus-levels"))
    app.state.start()
    app.view._on_ready()
    plain = next(iter(app.view.items.values()))
    plain.open_comment()
    assert plain.comment.placeholder == "Type here if you want to add something"


def test_the_minutes_shown_follow_the_items_asked(sqlite_url):
    from focuskit.instruments.loader import with_items

    bank = load_instrument("expectations")
    four = with_items(bank, ["Answers quickly", "Fixes it first time", "Keeps promises",
                             "Explains the bill"])
    assert (bank.minutes, len(bank.items)) == (6, 12) and four.minutes == 2
    with Store(sqlite_url) as s:
        s.create_campaign("four", "Four expectations", four, organisation="Alder",
                          rater_groups=["customer"])
    a = QuestionnaireApp(sqlite_url)
    try:
        a.build(query(a, "four", "customer"))
        intro = a.view.body.children[0].value if a.state.stage == "intro" else \
            a.view._intro_html()
        assert "About 2 minutes: 4 questions" in intro and "6 minutes" not in intro
    finally:
        a.store.close()
