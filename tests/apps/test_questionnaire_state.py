"""The questionnaire's state, without any front end: validation, paging, drafts, submitting once."""

import math

import pytest

from focuskit import builtin_ids, load_instrument
from focuskit.apps.questionnaire import AnswerError, Questionnaire
from focuskit.apps.questionnaire.state import facet_short_label


class FakeSaver:
    """Records what the state asks of a store; can be told to fail."""

    def __init__(self):
        self.drafts, self.submissions = [], []
        self.fail_draft = self.fail_submit = None

    def save_draft(self, answers, page):
        if self.fail_draft:
            raise self.fail_draft
        self.drafts.append((answers, page))

    def submit(self, answers):
        if self.fail_submit:
            raise self.fail_submit
        self.submissions.append(answers)
        return answers


def fill_page(q, value=None):
    for item in q.section.items:
        for f in item.facets:
            vals = q.instrument.facet(f).scale.values
            q.answer(item.id, f, value if value in vals else vals[-1])


@pytest.fixture
def q():
    saver = FakeSaver()
    return Questionnaire(load_instrument("say-do"), saver=saver)


@pytest.mark.parametrize("iid", builtin_ids())
def test_every_builtin_instrument_can_be_completed_page_by_page(iid):
    saver = FakeSaver()
    q = Questionnaire(load_instrument(iid), saver=saver)
    assert q.stage == "intro"
    q.start()
    for n in range(q.page_count):
        assert q.page == n
        fill_page(q, 2)
        if q.is_last_page:
            assert q.submit()
        else:
            assert q.next()
    assert q.stage == "done"
    assert len(saver.submissions) == 1
    assert set(saver.submissions[0]) == {i.id for i in q.instrument.items}
    assert q.progress() == (len(q.instrument.items), len(q.instrument.items))


def test_next_flags_exactly_the_missing_items_and_says_which(q):
    q.start()
    first, second, *_ = q.section.items
    q.answer(first.id, "say", 4)
    q.answer(first.id, "do", 2)
    q.answer(second.id, "say", 5)
    assert not q.next()
    assert q.page == 0
    assert second.id in q.flagged and first.id not in q.flagged
    assert q.flagged[second.id] == "Please also rate Do."
    assert q.flagged[q.section.items[2].id] == "Please rate both Say and Do."
    assert q.notice.startswith("Questions 2, 3, 4, 5 and 6 still need an answer")
    assert q.notice_kind == "warning"
    # Answering a flagged item takes its flag away at once; the last one clears the notice.
    q.answer(second.id, "do", 1)
    assert second.id not in q.flagged
    for item in q.section.items[2:]:
        q.answer(item.id, "say", 3)
        assert item.id in q.flagged  # Do is still missing
        q.answer(item.id, "do", 3)
    assert q.flagged == {} and q.notice == ""
    assert q.next() and q.page == 1


def test_missing_message_names_the_facets_still_needed():
    q = Questionnaire(load_instrument("contact-programme"))
    item = q.instrument.items[0]
    q.start()
    q.answer(item.id, "approach", 2)
    q.answer(item.id, "learning", 2)
    q.next()
    assert q.flagged[item.id] == "Please also rate Deployment and Integration."
    single = Questionnaire(load_instrument("focus-levels"))
    single.start()
    single.next()
    assert set(single.flagged.values()) == {"Please choose an answer to this question."}


@pytest.mark.parametrize("value", [0, 6, -1, 2.5, "3", True, False, math.nan, math.inf, [3], {}])
def test_values_off_the_scale_are_refused_and_nothing_is_saved(q, value):
    q.start()
    item = q.section.items[0]
    with pytest.raises(AnswerError):
        q.answer(item.id, "say", value)
    assert q.answers == {} and q.saver.drafts == []


@pytest.mark.parametrize("item,facet", [("no_such_item", "say"), ("leaders_communicate", "level"),
                                        ("leaders_communicate", "comment"), (None, "say"),
                                        (["leaders_communicate"], "say")])
def test_unknown_items_and_facets_are_refused(q, item, facet):
    with pytest.raises(AnswerError):
        q.answer(item, facet, 3)
    assert q.answers == {}


def test_choice_scale_takes_only_its_codes():
    q = Questionnaire(load_instrument("blocks"), saver=FakeSaver())
    item = q.instrument.items[0]
    q.answer(item.id, "root_cause", 2)
    with pytest.raises(AnswerError):
        q.answer(item.id, "root_cause", 3)
    assert q.answers == {item.id: {"root_cause": 2}}
    # root_cause is optional: the item is complete with "applies" alone.
    q.answer(item.id, "applies", 4)
    assert item.id not in q.missing()


def test_every_answer_and_comment_is_saved_as_a_draft_with_its_page(q):
    q.start()
    item = q.section.items[0]
    q.answer(item.id, "say", 4)
    q.answer(item.id, "say", 4)  # the same value again: nothing to save
    q.comment(item.id, "  We say it at every town hall.  ")
    assert q.saver.drafts == [
        ({item.id: {"say": 4}}, 0),
        ({item.id: {"say": 4, "comment": "We say it at every town hall."}}, 0),
    ]
    q.answer(item.id, "say", None)  # cleared
    assert q.saver.drafts[-1] == ({item.id: {"comment": "We say it at every town hall."}}, 0)


def test_an_over_long_comment_is_refused_with_a_message_to_act_on(q):
    with pytest.raises(AnswerError, match="shorten it to 2,000"):
        q.comment("leaders_communicate", "x" * 2001)
    with pytest.raises(AnswerError):
        q.comment("leaders_communicate", 42)
    assert q.comments == {} and q.saver.drafts == []


def test_submit_stores_once_whatever_is_clicked_or_replayed(q):
    q.start()
    for _ in range(q.page_count):
        fill_page(q, 3)
        if not q.is_last_page:
            q.next()
    assert q.submit() and q.submit() and q.submit()
    assert len(q.saver.submissions) == 1
    with pytest.raises(AnswerError, match="already been sent"):
        q.answer("leaders_communicate", "say", 1)
    with pytest.raises(AnswerError):
        q.comment("leaders_communicate", "changed my mind")
    q.back()
    q.next()
    assert q.stage == "done"


def test_submit_while_incomplete_goes_to_the_first_gap():
    q = Questionnaire(load_instrument("say-do"), saver=FakeSaver())
    q.start()
    fill_page(q, 3)
    q.next()
    fill_page(q, 3)
    q.next()
    fill_page(q, 3)
    # A gap on the first page, e.g. from a draft saved by an older page layout.
    q.answer("leaders_communicate", "do", None)
    assert not q.submit()
    assert q.page == 0 and list(q.flagged) == ["leaders_communicate"]
    assert q.notice.startswith("Question 1 still needs an answer")
    assert q.saver.submissions == []


def test_a_failed_submission_keeps_everything_and_can_be_retried():
    q = Questionnaire(load_instrument("external-focus"), saver=FakeSaver())
    q.start()
    for _ in range(q.page_count):
        fill_page(q, 3)
        q.next()
    q.saver.fail_submit = ConnectionError("database went away")
    assert not q.submit()
    assert q.stage == "questions" and not q.submitting
    assert q.notice_kind == "error" and "try Submit again" in q.notice
    q.saver.fail_submit = None
    assert q.submit() and q.stage == "done"


def test_a_refused_submission_says_why_in_plain_words():
    from focuskit import StoreError

    q = Questionnaire(load_instrument("external-focus"), saver=FakeSaver())
    q.start()
    for _ in range(q.page_count):
        fill_page(q, 3)
        q.next()
    q.saver.fail_submit = StoreError("campaign 'x' is closed; it takes no answers now")
    assert not q.submit()
    assert q.notice == "Your answers could not be sent: this questionnaire has just been closed."
    assert "'x'" not in q.notice


def test_a_failed_draft_is_healed_by_the_next_save(q):
    item = q.section.items[0]
    q.saver.fail_draft = OSError("disk full")
    q.answer(item.id, "say", 2)
    assert not q.saved and q.notice_kind == "error"
    assert q.answers == {item.id: {"say": 2}}  # kept in the page
    q.saver.fail_draft = None
    q.answer(item.id, "do", 5)
    assert q.saved and q.notice == ""
    assert q.saver.drafts[-1] == ({item.id: {"say": 2, "do": 5}}, 0)


def test_restore_keeps_only_values_that_are_still_valid(q):
    kept = q.restore({"leaders_communicate": {"say": 4, "do": 9, "comment": "ok"},
                      "gone_item": {"say": 1}, "leaders_meet_customers": {"level": 3},
                      "customers_shape_strategy": "junk"}, page=2)
    assert kept == 1
    assert q.answers == {"leaders_communicate": {"say": 4}}
    assert q.comments == {"leaders_communicate": "ok"}
    assert q.page == 2 and q.resumed
    q2 = Questionnaire(load_instrument("say-do"))
    q2.restore({}, page=99)
    assert q2.page == 0 and not q2.resumed


def test_back_from_the_first_page_returns_to_the_intro(q):
    q.start()
    fill_page(q, 3)
    q.next()
    q.back()
    assert q.page == 0 and q.stage == "questions"
    q.back()
    assert q.stage == "intro"
    q.next()  # "Start" on the intro
    assert q.stage == "questions"


def test_numbers_and_progress_run_over_the_whole_questionnaire(q):
    items = q.instrument.items
    assert [q.number(i.id) for i in items] == list(range(1, len(items) + 1))
    q.answer(items[7].id, "say", 2)
    assert q.progress() == (0, 18)  # half an item is not an answered item
    q.answer(items[7].id, "do", 2)
    assert q.progress() == (1, 18)


def test_a_rating_labelled_by_a_question_is_asked_in_a_sentence():
    """Not "Please also rate How strongly does this hold for us?." (issue 11)."""
    q = Questionnaire(load_instrument("blocks"))
    item = q.instrument.items[0]
    q.start()
    q.answer(item.id, "root_cause", 1)  # the optional one, without the rating
    for other in q.instrument.sections[0].items[1:]:
        q.answer(other.id, "applies", 3)
    q.next()
    assert q.flagged[item.id] == "Please also answer: how strongly does this hold for us?"
    assert q.missing_message(item.id, ["applies", "root_cause"]) == \
        "Please also answer: how strongly does this hold for us? where does this mostly " \
        "come from?"


def test_facet_short_labels():
    assert facet_short_label("Say: how strongly we state this") == "Say"
    assert facet_short_label("Where we stand today") == "Where we stand today"
    assert facet_short_label("How strongly does this hold for us?") == \
        "How strongly does this hold for us?"


def test_the_state_module_imports_no_widgets():
    import subprocess
    import sys

    code = ("import sys, focuskit.apps.questionnaire.state, focuskit.apps.questionnaire.session, "
            "focuskit.links, focuskit.serving.kernel_query\n"
            "print(sorted(m for m in ('ipywidgets', 'IPython', 'pandas', 'matplotlib', 'seaborn',"
            " 'sqlalchemy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
