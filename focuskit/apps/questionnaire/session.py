"""From a link to a ready questionnaire: campaign checks, drafts, resume and submission.

No widgets here either: ``open_questionnaire`` turns a store and a link into a Questionnaire
wired to the store, or into a Problem (a friendly page: unknown, closed, malformed link...).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from ...errors import StoreError
from ...links import Link, LinkError, check_link, new_code
from ...store.records import nest_answers
from .state import Questionnaire

__all__ = ["PROBLEMS", "Problem", "Respondent", "StoreSaver", "open_questionnaire",
           "stored_answers"]

log = logging.getLogger("focuskit.questionnaire")

PROBLEMS = {
    "incomplete": ("This link is incomplete",
                   "The address is missing the part that says which questionnaire to open. "
                   "Please use the full link you were sent, or ask the person who sent it for "
                   "a new one."),
    "no_group": ("This link is incomplete",
                 "The address is missing the part that says whose view you are giving (for "
                 "example as a customer, a partner or a member of staff). Please use the full "
                 "link you were sent, or ask the person who sent it for a new one."),
    "malformed": ("This link is not quite right",
                  "Part of the address seems to have been changed or cut off. Please open the "
                  "link exactly as you received it, or ask the person who sent it for a new "
                  "one."),
    "unknown": ("We could not find this questionnaire",
                "The link points to a questionnaire that does not exist here. It may have "
                "been mistyped or removed. Please check with the person who sent you the "
                "link."),
    "not_open": ("This questionnaire has not opened yet",
                 "It is being prepared and does not take answers yet. Please try the same "
                 "link again later."),
    "closed": ("This questionnaire is closed",
               "It no longer takes answers. Thank you for wanting to take part. If you think "
               "this is a mistake, please contact the person who sent you the link."),
    "unsigned": ("This link does not work",
                 "It is not a link this questionnaire gave out, or part of it has been changed. "
                 "Please open the link exactly as you received it, or ask the person who sent "
                 "it for a new one."),
    "group": ("This link is not quite right",
              "It asks a group of people who are not part of this questionnaire. Please "
              "ask the person who sent you the link for the right one."),
    "unavailable": ("The questionnaire is not available right now",
                    "Something went wrong on our side. Please try the same link again in a few "
                    "minutes. Any answers you have already given are saved."),
}


@dataclass(frozen=True)
class Problem:
    """A reason not to show the questionnaire, worded for the respondent."""

    kind: str

    @property
    def title(self) -> str:
        return PROBLEMS[self.kind][0]

    @property
    def text(self) -> str:
        return PROBLEMS[self.kind][1]


@dataclass(frozen=True)
class Respondent:
    """Who is answering: what the intro page tells them about their answers."""

    campaign: str
    title: str
    organisation: str
    group: str
    segment: str | None
    code: str
    min_group_size: int
    code_made_here: bool  # the link had no code; one was made for this visit


def stored_answers(store, campaign: str, respondent: str) -> dict | None:
    """The first stored submission of ``respondent`` as ``{item: {facet: value, "comment"}}``.

    ``store`` is a RespondentStore (the questionnaire's) or a Store. ``Store.responses``
    builds a pandas frame, which the respondent's kernel must not load, so a Store is read
    with SQLAlchemy Core here.
    """
    if hasattr(store, "stored_answers"):
        return store.stored_answers(campaign, respondent)
    from sqlalchemy import select

    from ...store import schema as t

    s, a = t.submissions, t.answers
    with store.engine.connect() as conn:
        sid = conn.execute(select(s.c.id).where((s.c.campaign == campaign)
                                                & (s.c.respondent == respondent))
                           .order_by(s.c.id).limit(1)).scalar()
        if sid is None:
            return None
        rows = conn.execute(select(a.c.item, a.c.facet, a.c.value, a.c.comment)
                            .where(a.c.submission == sid)).all()
    return nest_answers(rows)


class StoreSaver:
    """The Questionnaire's saver: drafts and one submission per respondent code."""

    def __init__(self, store, who: Respondent):
        self.store = store
        self.who = who
        self.started_at = None

    @property
    def idempotency_key(self) -> str:
        # The store's own default for a respondent token: one submission per code and campaign.
        return f"{self.who.campaign}:respondent:{self.who.code}"

    def save_draft(self, answers: dict, page: int) -> None:
        draft = self.store.save_draft(self.who.campaign, self.who.code, answers,
                                      rater_group=self.who.group, segment=self.who.segment,
                                      page=page)
        self.started_at = draft.started_at

    def submit(self, answers: dict) -> dict | None:
        earlier = stored_answers(self.store, self.who.campaign, self.who.code)
        if earlier is None:
            self.store.submit(self.who.campaign, answers, rater_group=self.who.group,
                              segment=self.who.segment, respondent=self.who.code,
                              idempotency_key=self.idempotency_key, started_at=self.started_at)
        # Read back what is stored: in a race with a second tab, that tab's answers won.
        return stored_answers(self.store, self.who.campaign, self.who.code)


def open_questionnaire(store, link: Link | LinkError
                       ) -> tuple[Questionnaire, Respondent] | Problem:
    """Check the link against the store and resume the respondent's draft or submission.

    The link's signature is checked first, against the store's link secret: an edited, unsigned
    or invented link, or a code focuskit did not make for it, goes no further. A shared link
    without a code is given a fresh one for this visit (``Respondent.code_made_here``).
    """
    if isinstance(link, LinkError):
        return Problem(link.kind)
    try:
        secret = store.link_secret()
    except StoreError:
        log.exception("cannot read the link secret")
        return Problem("unavailable")
    try:
        kind = check_link(secret, link)
    except LinkError as e:
        log.info("link refused: %s", e)
        return Problem(e.kind)
    try:
        camp = store.campaign(link.campaign)
    except StoreError:
        return Problem("unknown")
    if kind != camp.link_mode:
        # A personal-links campaign takes no shared link (it would let anyone answer again and
        # again), and a shared one no personal code: neither was made by focuskit for it.
        log.info("a %s link for %s, which gives %s links", kind, camp.id, camp.link_mode)
        return Problem("unsigned")
    if link.segment is not None and camp.segments is not None \
            and link.segment not in camp.segments:
        return Problem("unsigned")
    if camp.status == "draft":
        return Problem("not_open")
    if camp.status != "open":
        return Problem("closed")
    group = link.group
    if group is None and len(camp.rater_groups) == 1:
        group = camp.rater_groups[0]
    if group is None:  # the questionnaire is known: only whose view is missing
        return Problem("no_group")
    if group not in camp.rater_groups:
        return Problem("group")
    code = link.code or new_code(secret, link.campaign, link.group, link.segment)
    who = Respondent(campaign=camp.id, title=camp.title, organisation=camp.organisation,
                     group=group, segment=link.segment, code=code,
                     min_group_size=camp.min_group_size, code_made_here=link.code is None)
    saver = StoreSaver(store, who)
    q = Questionnaire(camp.instrument, saver=saver)
    if link.code is not None:
        earlier = stored_answers(store, camp.id, link.code)
        if earlier is not None:
            # check_link proved that focuskit made this code for this link: show it back.
            q.finish(earlier)
            return q, who
        draft = store.draft(camp.id, link.code)
        if draft is not None:
            saver.started_at = draft.started_at
            q.restore(draft.answers, draft.page)
    q.start()  # the intro heads the first page: no extra click before the first question
    return q, who
