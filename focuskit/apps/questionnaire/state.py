"""The questionnaire's state: what is asked, what is answered, where the respondent is.

A traitlets HasTraits with no widget in sight, so every rule (validation, completeness,
paging, submitting once) is tested without a front end; the view only mirrors it. Every value
that reaches ``answer`` may come from a tampered browser and is checked against the instrument.

Persistence goes through a ``saver`` with two methods, so the state knows no store either:

* ``save_draft(answers, page)`` keeps unfinished answers (called on every change);
* ``submit(answers)`` stores the submission once and returns the stored answers (or None).
"""

from __future__ import annotations

import logging

from traitlets import Bool, Dict, Enum, HasTraits, Instance, Int, Unicode

from ...errors import FocuskitError
from ...instruments import Instrument, Item

__all__ = ["AnswerError", "Questionnaire", "facet_short_label"]

log = logging.getLogger("focuskit.questionnaire")

MAX_COMMENT = 2000  # as the store's checks


class AnswerError(FocuskitError):
    """A value the questionnaire refuses; the message can be shown to the respondent."""


def facet_short_label(label: str) -> str:
    """'Say: how strongly we state this' -> 'Say'; labels without a colon stay whole."""
    head = label.split(":", 1)[0].strip()
    return head if ":" in label and head else label


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


class Questionnaire(HasTraits):
    """One respondent going through one instrument.

    ``stage`` runs intro -> questions -> done. ``page`` is the index of the section shown.
    ``answers`` is ``{item: {facet: value}}`` and ``comments`` is ``{item: text}``; both are
    replaced (never mutated) on change so observers fire. ``flagged`` holds, for the items a
    Next or Submit found unanswered, the message to show at the item; ``notice`` is a message
    for the whole page (what is missing, or why saving failed).
    """

    instrument = Instance(Instrument)
    stage = Enum(("intro", "questions", "done"), default_value="intro")
    page = Int(0)
    answers = Dict()
    comments = Dict()
    flagged = Dict()
    notice = Unicode("")
    notice_kind = Enum(("info", "warning", "error"), default_value="info")
    saved = Bool(True)  # False while the last change has not reached the store
    submitting = Bool(False)
    resumed = Bool(False)

    def __init__(self, instrument: Instrument, saver=None, **kwargs):
        super().__init__(instrument=instrument, **kwargs)
        self.saver = saver
        self._items = {i.id: i for i in instrument.items}
        self._numbers = {i.id: n for n, i in enumerate(instrument.items, 1)}
        self._page_of = {i.id: n for n, s in enumerate(instrument.sections) for i in s.items}

    # -- reading ------------------------------------------------------------------------------
    @property
    def sections(self):
        return self.instrument.sections

    @property
    def page_count(self) -> int:
        return len(self.sections)

    @property
    def section(self):
        return self.sections[self.page]

    @property
    def is_last_page(self) -> bool:
        return self.page == self.page_count - 1

    def number(self, item_id: str) -> int:
        """The item's position in the whole questionnaire, from 1."""
        return self._numbers[item_id]

    def item(self, item_id: str) -> Item:
        return self._items[item_id]

    def required_facets(self, item: Item) -> list[str]:
        if not item.required:
            return []
        return [f for f in item.facets if self.instrument.facet(f).required]

    def is_required(self, item: Item) -> bool:
        return bool(self.required_facets(item))

    def missing(self, page: int | None = None) -> dict[str, list[str]]:
        """Unanswered required facets per item, on one page or (None) everywhere."""
        sections = self.sections if page is None else [self.sections[page]]
        out = {}
        for s in sections:
            for item in s.items:
                given = self.answers.get(item.id, {})
                gap = [f for f in self.required_facets(item) if f not in given]
                if gap:
                    out[item.id] = gap
        return out

    def progress(self) -> tuple[int, int]:
        """(items answered, items) over the questionnaire; an item counts once fully answered."""
        done = sum(1 for i in self.instrument.items
                   if all(f in self.answers.get(i.id, {}) for f in self.required_facets(i))
                   and (self.required_facets(i) or self.answers.get(i.id)))
        return done, len(self.instrument.items)

    def missing_message(self, item_id: str, facets: list[str]) -> str:
        item = self.item(item_id)
        if len(item.facets) == 1:
            return "Please choose an answer to this question."
        names = [facet_short_label(self.instrument.facet(f).label) for f in facets]
        # A rating labelled by a question ("How strongly does this hold for us?") is asked,
        # not named: "Please also rate How strongly ...?." read as a slip.
        asked = [n for n in names if n.endswith("?")]
        named = [n for n in names if not n.endswith("?")]
        if asked:
            ask = " ".join(n[0].lower() + n[1:] for n in asked)
            if named:
                return f"Please also rate {_join(named)}, and answer: {ask}"
            return f"Please also answer: {ask}"
        if len(names) == len(item.facets) == 2:
            return f"Please rate both {names[0]} and {names[1]}."
        return f"Please also rate {_join(names)}."

    def payload(self) -> dict:
        """The answers as the store takes them: ``{item: {facet: value, "comment": text}}``."""
        out: dict[str, dict] = {}
        for item_id, facets in self.answers.items():
            if facets:
                out[item_id] = dict(facets)
        for item_id, text in self.comments.items():
            if text:
                out.setdefault(item_id, {})["comment"] = text
        return out

    # -- changing -----------------------------------------------------------------------------
    def _check_open(self) -> None:
        if self.stage == "done":
            raise AnswerError("Your answers have already been sent; they can no longer change.")

    def answer(self, item_id, facet_id, value) -> None:
        """Record one rating (``None`` clears it); AnswerError when it is not on the scale."""
        self._check_open()
        item = self._items.get(item_id) if isinstance(item_id, str) else None
        if item is None:
            raise AnswerError("That question is not part of this questionnaire.")
        if facet_id not in item.facets:
            raise AnswerError("That rating is not asked for this question.")
        facets = dict(self.answers.get(item_id, {}))
        if value is None:
            if facet_id not in facets:
                return
            del facets[facet_id]
        else:
            if not self.instrument.facet(facet_id).scale.accepts(value):
                raise AnswerError("That answer is not one of the choices.")
            value = int(value)
            if facets.get(facet_id) == value:
                return
            facets[facet_id] = value
        answers = dict(self.answers)
        if facets:
            answers[item_id] = facets
        else:
            answers.pop(item_id, None)
        self.answers = answers
        self._unflag(item_id)
        self._save()

    def comment(self, item_id, text) -> None:
        """Record an item's comment; AnswerError for unknown items or over-long text."""
        self._check_open()
        if not isinstance(item_id, str) or item_id not in self._items:
            raise AnswerError("That question is not part of this questionnaire.")
        if not isinstance(text, str):
            raise AnswerError("A comment must be text.")
        if len(text) > MAX_COMMENT:
            raise AnswerError(f"This comment is {len(text):,} characters long; please shorten "
                              f"it to {MAX_COMMENT:,}. It has not been saved yet.")
        text = text.strip()
        if self.comments.get(item_id, "") == text:
            return
        comments = dict(self.comments)
        if text:
            comments[item_id] = text
        else:
            comments.pop(item_id, None)
        self.comments = comments
        self._save()

    def restore(self, answers: dict | None, page: int | None = None) -> int:
        """Take back a saved draft, keeping only values that are still valid; returns how many."""
        kept = 0
        good: dict[str, dict] = {}
        comments: dict[str, str] = {}
        for item_id, facets in (answers or {}).items():
            item = self._items.get(item_id)
            if item is None or not isinstance(facets, dict):
                continue
            for facet_id, value in facets.items():
                if facet_id == "comment":
                    if isinstance(value, str) and value.strip() and len(value) <= MAX_COMMENT:
                        comments[item_id] = value.strip()
                elif facet_id in item.facets and \
                        self.instrument.facet(facet_id).scale.accepts(value):
                    good.setdefault(item_id, {})[facet_id] = int(value)
                    kept += 1
        self.answers, self.comments = good, comments
        if isinstance(page, int) and not isinstance(page, bool) and 0 <= page < self.page_count:
            self.page = page
        self.resumed = kept > 0 or bool(comments)
        return kept

    def _unflag(self, item_id: str) -> None:
        if item_id not in self.flagged:
            return
        gap = self.missing(self._page_of[item_id]).get(item_id)
        flagged = dict(self.flagged)
        if gap:
            flagged[item_id] = self.missing_message(item_id, gap)
        else:
            del flagged[item_id]
        self.flagged = flagged
        if not flagged and self.notice_kind == "warning":
            self.notice = ""

    # -- moving -------------------------------------------------------------------------------
    def start(self) -> None:
        if self.stage == "intro":
            self.stage = "questions"
            self._clear_notice()

    def back(self) -> None:
        if self.stage != "questions":
            return
        self.flagged = {}
        self._clear_notice()
        if self.page == 0:
            self.stage = "intro"
        else:
            self.page -= 1
            self._save()

    def next(self) -> bool:
        """Go to the next page when this one is complete; otherwise flag what is missing."""
        if self.stage == "intro":
            self.start()
            return True
        if self.stage != "questions" or self.is_last_page:
            return False
        if not self._flag(self.missing(self.page)):
            return False
        self.page += 1
        self._save()
        return True

    def go_to(self, page: int) -> None:
        if self.stage == "questions" and isinstance(page, int) and 0 <= page < self.page_count:
            self.flagged = {}
            self._clear_notice()
            self.page = page

    def _flag(self, gaps: dict[str, list[str]]) -> bool:
        """Flag ``gaps`` at their items and say so; True when there are none."""
        self.flagged = {i: self.missing_message(i, f) for i, f in gaps.items()}
        if not gaps:
            self._clear_notice()
            return True
        nums = [str(self.number(i)) for i in gaps]
        which = f"Question {nums[0]} still needs" if len(nums) == 1 else \
            f"Questions {_join(nums)} still need"
        self._say(f"{which} an answer (marked in red).", "warning")
        return False

    def submit(self) -> bool:
        """Send the answers once. False (and flags) when incomplete or when sending failed.

        A second call after success, a replayed click or a click while sending does nothing:
        the state refuses before any store is asked, and the store's idempotency key catches
        what reaches it from another kernel (a second tab).
        """
        if self.stage == "done":
            return True
        if self.stage != "questions" or self.submitting:
            return False
        gaps = self.missing()
        if gaps:  # show the first page with a gap (Next checks the pages after it)
            self.page = min(self._page_of[i] for i in gaps)
            self._flag(self.missing(self.page))
            return False
        self.flagged = {}
        self.submitting = True
        try:
            stored = self.saver.submit(self.payload()) if self.saver else None
        except FocuskitError as e:
            log.warning("submission refused: %s", e)
            self._say(f"Your answers could not be sent: {_friendly(e)}", "error")
            return False
        except Exception:  # the store is unreachable: keep everything and let them retry
            log.exception("submission failed")
            self._say("Your answers could not be sent just now. They are kept on this page; "
                      "please try Submit again in a moment.", "error")
            return False
        finally:
            self.submitting = False
        if stored is not None:  # show what the store holds (another tab may have sent first)
            self.restore(stored)
        self._clear_notice()
        self.stage = "done"
        return True

    def finish(self, stored: dict) -> None:
        """Show an earlier submission (the link was opened again after submitting)."""
        self.restore(stored)
        self.resumed = False
        self.stage = "done"

    # -- saving -------------------------------------------------------------------------------
    def _save(self) -> None:
        if self.saver is None or self.stage == "done":
            return
        self.saved = False
        try:
            self.saver.save_draft(self.payload(), self.page)
        except FocuskitError as e:
            log.warning("draft refused: %s", e)
            self._say(f"Your last answer could not be saved: {_friendly(e)}", "error")
            return
        except Exception:
            log.exception("draft not saved")
            self._say("Your last answer could not be saved just now (is the connection down?). "
                      "It is kept on this page and will be saved with your next answer.",
                      "error")
            return
        self.saved = True
        if self.notice_kind == "error":
            self._clear_notice()

    def _say(self, text: str, kind: str) -> None:
        self.notice_kind = kind
        self.notice = text

    def _clear_notice(self) -> None:
        self.notice = ""
        self.notice_kind = "info"


def _friendly(error: Exception) -> str:
    """The respondent-facing reason for a store refusal (no ids, no internals)."""
    text = str(error)
    if " is closed" in text:
        return "this questionnaire has just been closed."
    if " is draft" in text:
        return "this questionnaire is not open yet."
    return "please check your answers and try again."

