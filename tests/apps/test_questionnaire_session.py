"""From a link to a stored submission, on SQLite and PostgreSQL: drafts, resume, exactly once."""

import pytest
from conftest import full_answers, signed_link

from focuskit import load_instrument
from focuskit.apps.questionnaire import Problem, open_questionnaire
from focuskit.apps.questionnaire.session import stored_answers
from focuskit.links import Link, LinkError


def open_(store, link):
    got = open_questionnaire(store, link)
    assert not isinstance(got, Problem), got
    return got


def answer_all(q, value=3):
    for item_id, facets in full_answers(q.instrument, value).items():
        for f, v in facets.items():
            q.answer(item_id, f, v)


def submissions(store, campaign):
    return store.counts(campaign)["submissions"]


@pytest.fixture
def camp(store):
    return store.create_campaign("q1-leaders", "Leadership team, Q1", "say-do",
                                 organisation="Alder Valley", rater_groups=["self", "team"])


def test_links_that_cannot_be_answered_get_a_problem_page(store, camp):
    store.create_campaign("closed-one", "Closed", "focus-levels", status="closed")
    store.create_campaign("not-yet", "Not yet", "focus-levels", status="draft")
    cases = {
        LinkError("incomplete", "x"): "incomplete",
        LinkError("malformed", "x"): "malformed",
        signed_link(store, "no-such-campaign", "self", visit=True): "unknown",
        signed_link(store, "closed-one", "self", visit=True): "closed",
        signed_link(store, "not-yet", "self", visit=True): "not_open",
        # say-do here asks self and team
        signed_link(store, "q1-leaders", "customer", visit=True): "group",
        signed_link(store, "q1-leaders", None, visit=True): "no_group",  # whose view?
        Link("q1-leaders", "self"): "unsigned",
    }
    for link, kind in cases.items():
        got = open_questionnaire(store, link)
        assert got == Problem(kind), link
        assert got.title and got.text and "campaign" not in got.text.lower()


def test_a_link_missing_only_its_group_says_that_part_is_missing(store, camp):
    """Not "which questionnaire": the link names it; what is missing is whose view (issue 11)."""
    got = open_questionnaire(store, signed_link(store, "q1-leaders", None, visit=True))
    assert got.title == "This link is incomplete"
    assert "whose view you are giving" in got.text and "which questionnaire" not in got.text
    no_campaign = open_questionnaire(store, LinkError("incomplete", "x"))
    assert "which questionnaire" in no_campaign.text


def test_a_campaign_asking_one_group_needs_no_group_in_the_link(store):
    store.create_campaign("blocks-1", "Blocks", "blocks", rater_groups=["self"])
    q, who = open_(store, signed_link(store, "blocks-1", visit=True))
    assert who.group == "self" and q.stage == "questions" and q.page == 0


def test_every_answer_is_a_draft_and_a_reopened_link_resumes(store, camp):
    link = signed_link(store, "q1-leaders", "team", "Finance", visit=True)
    code = link.code
    q, who = open_(store, link)
    assert who.code == code and not who.code_made_here
    q.start()
    q.answer("leaders_communicate", "say", 4)
    draft = store.draft("q1-leaders", code)
    assert draft.answers == {"leaders_communicate": {"say": 4}}
    assert (draft.rater_group, draft.segment, draft.page) == ("team", "Finance", 0)
    q.answer("leaders_communicate", "do", 2)
    q.comment("leaders_communicate", "Town halls only")
    for item in q.section.items[1:]:
        q.answer(item.id, "say", 3)
        q.answer(item.id, "do", 3)
    assert q.next()
    assert store.draft("q1-leaders", code).page == 1

    again, _ = open_(store, link)
    assert again.stage == "questions" and again.page == 1 and again.resumed
    assert again.answers["leaders_communicate"] == {"say": 4, "do": 2}
    assert again.comments == {"leaders_communicate": "Town halls only"}


def test_a_link_without_a_code_uses_the_code_made_for_the_visit(store, camp):
    link = signed_link(store, "q1-leaders", "self")
    q, who = open_(store, link)
    assert who.code_made_here and len(who.code) == 20
    q.answer("causes_fixed", "say", 5)
    assert store.draft("q1-leaders", who.code).answers == {"causes_fixed": {"say": 5}}
    # The browser keeps that code in the address: reopened with it, the draft comes back.
    again, _ = open_(store, Link(link.campaign, link.group, None, who.code, link.sig))
    assert again.answers == {"causes_fixed": {"say": 5}}
    # Another visit of the shared link gets a code of its own, and a blank page.
    other, them = open_(store, link)
    assert them.code != who.code and other.answers == {}


def test_submission_is_stored_once_with_exactly_the_answers_given(store, camp):
    link = signed_link(store, "q1-leaders", "self", visit=True)
    code = link.code
    q, _ = open_(store, link)
    q.start()
    answer_all(q, 4)
    q.answer("leaders_communicate", "do", 1)
    q.comment("causes_fixed", "We blame people")
    q.page = q.page_count - 1
    assert q.submit()
    assert q.submit()  # double click
    assert q.saver.submit(q.payload()) is not None  # a replayed message reaching the saver
    assert submissions(store, "q1-leaders") == 1
    stored = stored_answers(store, "q1-leaders", code)
    expected = full_answers(load_instrument("say-do"), 4)
    expected["leaders_communicate"]["do"] = 1
    expected["causes_fixed"]["comment"] = "We blame people"
    assert stored == expected
    assert store.draft("q1-leaders", code) is None  # the store drops the draft on submission


def test_two_tabs_store_one_submission_and_both_show_what_is_stored(store, camp):
    link = signed_link(store, "q1-leaders", "self", visit=True)
    tab1, _ = open_(store, link)
    tab2, _ = open_(store, link)
    for tab, value in ((tab1, 2), (tab2, 5)):
        tab.start()
        answer_all(tab, value)
        tab.page = tab.page_count - 1
    assert tab1.submit() and tab2.submit()
    assert submissions(store, "q1-leaders") == 1
    # The second tab shows the first tab's stored answers, not its own unsent ones.
    assert tab2.answers == tab1.answers
    assert tab2.answers["causes_fixed"] == {"say": 2, "do": 2}


def test_opening_the_link_after_submitting_shows_the_thank_you_page(store, camp):
    link = signed_link(store, "q1-leaders", "self", visit=True)
    q, _ = open_(store, link)
    answer_all(q, 3)
    q.stage = "questions"
    q.page = q.page_count - 1
    assert q.submit()
    again, _ = open_(store, link)
    assert again.stage == "done" and again.answers == q.answers
    with pytest.raises(ValueError):
        again.answer("causes_fixed", "say", 1)
    assert submissions(store, "q1-leaders") == 1


def test_a_guessable_code_never_shows_somebody_elses_answers(store, camp):
    """An imported respondent 'leader-01' has answered; a link with that code is refused."""
    store.submit("q1-leaders", full_answers(load_instrument("say-do"), 5), rater_group="self",
                 respondent="leader-01", idempotency_key="import:leader-01")
    shared = signed_link(store, "q1-leaders", "self")
    got = open_questionnaire(store, Link("q1-leaders", "self", None, "leader-01", shared.sig))
    assert got == Problem("unsigned")
    assert submissions(store, "q1-leaders") == 1


def test_a_closed_campaign_refuses_the_submission_in_plain_words(store, camp):
    q, _ = open_(store, signed_link(store, "q1-leaders", "self", visit=True))
    q.start()
    answer_all(q, 3)
    store.set_status("q1-leaders", "closed")
    q.page = q.page_count - 1
    assert not q.submit()
    assert q.notice == "Your answers could not be sent: this questionnaire has just been closed."
    assert submissions(store, "q1-leaders") == 0
